module "eks_cluster" {
  source  = "cloudposse/eks-cluster/aws"
  version = "4.6.0"

  name                         = "installed"
  endpoint_private_access      = true
  endpoint_public_access       = false
  subnet_ids                   = ["subnet-1", "subnet-2"]
}

module "not_installed" {
  source  = "app.terraform.io/acme/eks/aws"
  version = "~> 2.1"

  cluster_name                         = "acme"
  cluster_endpoint_public_access       = true
  cluster_endpoint_public_access_cidrs = ["0.0.0.0/0"]
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  cidr = "10.0.0.0/16"
}
