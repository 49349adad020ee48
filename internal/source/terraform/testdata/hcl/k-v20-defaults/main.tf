module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name = "main"
  subnet_ids   = ["subnet-1"]
}
