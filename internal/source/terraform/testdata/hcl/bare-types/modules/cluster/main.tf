resource "aws_eks_cluster" "this" {
  name                      = "legacy"
  role_arn                  = "arn:aws:iam::111111111111:role/eks"
  tags                      = var.tags
  enabled_cluster_log_types = var.log_types

  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    public_access_cidrs     = var.public_access_cidrs
  }
}
