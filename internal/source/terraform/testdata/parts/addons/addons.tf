variable "enable_network_policy" {
  type = string
}

variable "cni_config" {
  type        = string
  description = "configuration of the VPC CNI, set per environment"
}

resource "aws_eks_addon" "json" {
  cluster_name = aws_eks_cluster.this["json"].name
  addon_name   = "vpc-cni"

  configuration_values = jsonencode({
    enableNetworkPolicy = var.enable_network_policy
    env = {
      WARM_IP_TARGET = "5"
    }
  })
}

resource "aws_eks_addon" "yaml" {
  cluster_name                = "yaml"
  addon_name                  = "vpc-cni"
  resolve_conflicts_on_update = "OVERWRITE"

  configuration_values = <<-YAML
    enableNetworkPolicy: "true"
    nodeAgent:
      enabled: "true"
  YAML
}

resource "aws_eks_addon" "unknown" {
  cluster_name         = aws_eks_cluster.this["unknown"].name
  addon_name           = "vpc-cni"
  configuration_values = var.cni_config
}

resource "aws_eks_addon" "coredns" {
  cluster_name = aws_eks_cluster.this["coredns"].id
  addon_name   = "coredns"
}

locals {
  addons = {
    coredns    = { version = "v1.11.3-eksbuild.2", config = null }
    kube-proxy = { version = "v1.31.2-eksbuild.3", config = null }
    vpc-cni    = { version = "v1.19.0-eksbuild.1", config = { enableNetworkPolicy = "false" } }
  }
}

resource "aws_eks_addon" "each" {
  for_each = local.addons

  cluster_name         = aws_eks_cluster.this["each"].name
  addon_name           = each.key
  addon_version        = each.value.version
  configuration_values = each.value.config == null ? null : jsonencode(each.value.config)
}
