module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.0"

  cluster_name                    = "main"
  subnet_ids                      = ["subnet-1"]
  cluster_endpoint_private_access = true
  cluster_endpoint_public_access  = false
}
