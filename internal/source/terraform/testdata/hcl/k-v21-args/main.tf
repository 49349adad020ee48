module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name                         = "main"
  subnet_ids                   = ["subnet-1"]
  endpoint_public_access       = true
  endpoint_public_access_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
}
