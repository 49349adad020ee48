locals {
  create = var.create
}

resource "aws_eks_cluster" "this" {
  count = local.create ? 1 : 0

  name     = var.cluster_name
  role_arn = aws_iam_role.this[0].arn

  vpc_config {
    security_group_ids      = compact(distinct([aws_security_group.cluster[0].id]))
    subnet_ids              = var.subnet_ids
    endpoint_private_access = var.cluster_endpoint_private_access
    endpoint_public_access  = var.cluster_endpoint_public_access
    public_access_cidrs     = var.cluster_endpoint_public_access_cidrs
  }

  kubernetes_network_config {
    ip_family = var.cluster_ip_family
  }
}
