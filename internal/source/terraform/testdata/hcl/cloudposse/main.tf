module "eks_cluster" {
  source  = "cloudposse/eks-cluster/aws"
  version = "4.6.0"

  name                    = "prod"
  subnet_ids              = ["subnet-1", "subnet-2"]
  endpoint_private_access = true
}

module "old" {
  source  = "cloudposse/eks-cluster/aws"
  version = "~> 2.9"

  endpoint_public_access    = false
  endpoint_private_access   = true
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  cluster_encryption_config_enabled = false
}

module "off" {
  source  = "cloudposse/eks-cluster/aws"
  version = "4.6.0"
  enabled = false
}
