# The instances take their setting from a map built in a local, so no single edit fixes the failing
# one without changing the others: eksguard says so instead of writing a patch.
locals {
  clusters = {
    dev = { public = false }
    lab = { public = true }
  }
}

resource "aws_eks_cluster" "this" {
  for_each = local.clusters
  name     = each.key
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = each.value.public
  }
}
