# terraform-aws-modules/eks v21: enabled_log_types and encryption_config; null turns encryption off
# from 21.0.4.
module "defaults" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"
  name    = "defaults"
}

module "off" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "~> 21.0"
  name              = "off"
  encryption_config = null
}

module "own" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "~> 21.0"
  name              = "own"
  create_kms_key    = false
  encryption_config = { provider_key_arn = "arn:aws:kms:us-east-1:111111111111:key/a" }
  enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}

module "old_names" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 21.0"
  name                      = "old_names"
  cluster_enabled_log_types = ["audit"]
}

module "early" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "21.0.1"
  name              = "early"
  encryption_config = null
}

module "no_resources" {
  source            = "terraform-aws-modules/eks/aws"
  version           = "21.0.2"
  name              = "no_resources"
  create_kms_key    = false
  encryption_config = { provider_key_arn = "arn:aws:kms:us-east-1:111111111111:key/a" }
}
