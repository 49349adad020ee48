module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name       = "main"
  subnet_ids = ["subnet-1"]
}
