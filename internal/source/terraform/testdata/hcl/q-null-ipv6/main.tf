variable "public" {
  type    = bool
  default = null
}

resource "aws_eks_cluster" "v6" {
  name     = "v6"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  kubernetes_network_config {
    ip_family = "ipv6"
  }

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = var.public
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name                   = "nulls"
  cluster_endpoint_public_access = null
}
