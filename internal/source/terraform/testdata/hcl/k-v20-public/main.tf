module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.8.4"

  cluster_name                   = "main"
  subnet_ids                     = ["subnet-1"]
  cluster_endpoint_public_access = true
}
