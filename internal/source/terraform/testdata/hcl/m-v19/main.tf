# terraform-aws-modules/eks v19: the module creates a KMS key for secrets by default.
module "defaults" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 19.0"
  cluster_name = "defaults"
}

module "off" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 19.0"
  cluster_name              = "off"
  cluster_encryption_config = {}
}

module "own" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 19.0"
  cluster_name   = "own"
  create_kms_key = false
  cluster_encryption_config = {
    provider_key_arn = "arn:aws:kms:us-east-1:111111111111:key/a"
    resources        = ["secrets"]
  }
}

module "missing_key" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 19.0"
  cluster_name   = "missing_key"
  create_kms_key = false
}

module "auth_arg" {
  source              = "terraform-aws-modules/eks/aws"
  version             = "~> 19.0"
  cluster_name        = "auth_arg"
  authentication_mode = "API"
}

module "outposts" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 19.0"
  cluster_name = "outposts"
  outpost_config = {
    control_plane_instance_type = "m5.large"
    outpost_arns                = ["arn:aws:outposts:us-east-1:111111111111:outpost/op-1"]
  }
}
