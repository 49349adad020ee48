module "settings" {
  source      = "./modules/settings"
  environment = var.environment
}

module "network" {
  source = "./modules/network"
  cidr   = "10.0.0.0/16"
}

locals {
  eks = module.settings.eks
}

resource "aws_eks_cluster" "main" {
  name                      = "main-${var.environment}"
  role_arn                  = "arn:aws:iam::111111111111:role/eks"
  enabled_cluster_log_types = local.eks.log_types

  vpc_config {
    subnet_ids              = module.network.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = local.eks.public_access
    public_access_cidrs     = local.eks.allowlist
    security_group_ids      = [module.network.vpc_id]
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = module.settings.key_arn
    }
  }
}

resource "aws_eks_cluster" "from_vpc" {
  name     = "from-vpc"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids             = module.network.subnet_ids
    endpoint_public_access = module.network.vpc_id != ""
  }
}
