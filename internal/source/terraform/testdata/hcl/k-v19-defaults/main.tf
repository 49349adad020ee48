module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 19.0"

  cluster_name = "main"
  subnet_ids   = ["subnet-1"]
}
