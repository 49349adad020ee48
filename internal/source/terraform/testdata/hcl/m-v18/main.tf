# terraform-aws-modules/eks v18: three log types by default; create_kms_key from 18.25.0, false.
resource "aws_kms_key" "eks" {
  description = "EKS secrets"
}

module "defaults" {
  source       = "terraform-aws-modules/eks/aws"
  version      = "~> 18.0"
  cluster_name = "defaults"
}

module "kms" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 18.0"
  cluster_name              = "kms"
  create_kms_key            = true
  cluster_encryption_config = [{ resources = ["secrets"] }]
}

module "kms_no_entries" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 18.0"
  cluster_name   = "kms_no_entries"
  create_kms_key = true
}

module "ref" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 18.0"
  cluster_name              = "ref"
  cluster_encryption_config = [{ provider_key_arn = aws_kms_key.eks.arn, resources = ["secrets"] }]
}

module "old" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "18.20.0"
  cluster_name   = "old"
  create_kms_key = true
}

module "logs_null" {
  source                    = "terraform-aws-modules/eks/aws"
  version                   = "~> 18.0"
  cluster_name              = "logs_null"
  cluster_enabled_log_types = null
}
