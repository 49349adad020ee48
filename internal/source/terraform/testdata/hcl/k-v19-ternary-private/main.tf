module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "19.0.1"

  cluster_name = "main"
  subnet_ids   = ["subnet-1"]
}
