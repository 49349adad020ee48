# terraform-aws-modules/eks v17: no logs, no access_config, a list of encryption entries.
module "defaults" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 17.0"
  cluster_name = "defaults"
}

module "logs_null" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 17.0"
  cluster_name              = "logs_null"
  cluster_enabled_log_types = null
}

module "key" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 17.0"
  cluster_name = "key"
  cluster_encryption_config = [
    {
      provider_key_arn = "arn:aws:kms:us-east-1:111111111111:key/a"
      resources        = ["secrets"]
    }
  ]
}

module "kms_arg" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 17.0"
  cluster_name   = "kms_arg"
  create_kms_key = true
}

module "auth_arg" {
  source              = "terraform-aws-modules/eks/aws"
  version             = "~> 17.0"
  cluster_name        = "auth_arg"
  authentication_mode = "API"
}

module "two_keys" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 17.0"
  cluster_name = "two_keys"
  cluster_encryption_config = [
    { provider_key_arn = "arn:aws:kms:us-east-1:111111111111:key/a", resources = ["secrets"] },
    { provider_key_arn = "arn:aws:kms:us-east-1:111111111111:key/b", resources = ["secrets"] },
  ]
}
