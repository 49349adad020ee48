locals {
  clusters = ["json", "yaml", "unknown", "coredns", "each"]
}

resource "aws_eks_cluster" "this" {
  for_each = toset(local.clusters)

  name     = each.key
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
  }
}
