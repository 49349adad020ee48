module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.0"

  cluster_name    = "main"
  cluster_version = "1.24"
  subnet_ids      = ["subnet-1"]
}
