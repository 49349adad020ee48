locals {
  network = {
    main = {
      subnets = ["subnet-1"]
      public  = false
    }
  }
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  dynamic "vpc_config" {
    for_each = local.network
    iterator = net
    content {
      subnet_ids              = net.value.subnets
      endpoint_private_access = true
      endpoint_public_access  = net.value.public
    }
  }
}
