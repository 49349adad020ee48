resource "aws_iam_role" "cluster" {
  name = "${var.name}-cluster"
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  role_arn = aws_iam_role.cluster.arn
  tags     = var.tags

  # var.aws_region is declared by the provider file root.hcl generates.
  enabled_cluster_log_types = var.aws_region == "" ? [] : var.log_types

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = var.private
    endpoint_public_access  = var.public
    public_access_cidrs     = var.public_cidrs
  }
}
