module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  create       = false
  cluster_name = "main"
}

module "other" {
  source  = "cloudposse/eks-cluster/aws"
  version = "4.0.0"
}
