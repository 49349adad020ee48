# terraform-aws-modules/eks v20: authentication_mode, API_AND_CONFIG_MAP by default.
module "defaults" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 20.0"
  cluster_name = "defaults"
}

module "config_map" {
  source              = "terraform-aws-modules/eks/aws"
  version             = "~> 20.0"
  cluster_name        = "config_map"
  authentication_mode = "CONFIG_MAP"
}

module "null_mode" {
  source              = "terraform-aws-modules/eks/aws"
  version             = "~> 20.0"
  cluster_name        = "null_mode"
  authentication_mode = null
}

module "all_logs" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 20.0"
  cluster_name              = "all_logs"
  cluster_enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}

module "enc_null" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 20.0"
  cluster_name              = "enc_null"
  cluster_encryption_config = null
}
