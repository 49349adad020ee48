variable "networks" {
  type = map(object({ subnets = list(string) }))
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  dynamic "vpc_config" {
    for_each = var.networks
    content {
      subnet_ids              = vpc_config.value.subnets
      endpoint_private_access = true
      endpoint_public_access  = false
    }
  }
}
