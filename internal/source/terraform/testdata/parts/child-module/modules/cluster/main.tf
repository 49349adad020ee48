variable "name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "node_groups" {
  type = map(object({
    instance_types = list(string)
    desired_size   = optional(number, 2)
  }))
  default = {
    general = { instance_types = ["m6i.large"] }
    memory  = { instance_types = ["r6i.large"], desired_size = 1 }
  }
}

variable "network_policy" {
  type    = bool
  default = true
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  role_arn = "arn:aws:iam::123456789012:role/${var.name}-cluster"

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}

resource "aws_eks_node_group" "this" {
  for_each = var.node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-${each.key}"
  node_role_arn   = "arn:aws:iam::123456789012:role/${var.name}-node"
  subnet_ids      = var.subnet_ids
  instance_types  = each.value.instance_types

  scaling_config {
    desired_size = each.value.desired_size
    max_size     = each.value.desired_size + 2
    min_size     = 1
  }
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name  = aws_eks_cluster.this.name
  addon_name    = "vpc-cni"
  addon_version = "v1.19.2-eksbuild.1"

  configuration_values = jsonencode({
    enableNetworkPolicy = tostring(var.network_policy)
  })
}

output "cluster_name" {
  value = aws_eks_cluster.this.name
}
