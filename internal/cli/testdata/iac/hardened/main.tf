# A cluster that passes every control eksguard evaluates: private endpoint only, every control plane
# log type, access entries, and secrets encrypted with the account's own KMS key.
resource "aws_kms_key" "eks" {
  description         = "EKS secrets of ${var.cluster_name}"
  enable_key_rotation = true
}

resource "aws_eks_cluster" "hardened" {
  name                      = var.cluster_name
  role_arn                  = var.cluster_role_arn
  version                   = "1.32"
  enabled_cluster_log_types = var.log_types

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  access_config {
    authentication_mode = "API"
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}
