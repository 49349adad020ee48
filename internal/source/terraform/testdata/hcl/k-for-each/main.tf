locals {
  clusters = {
    blue  = { public = false }
    green = { public = true }
  }
}

module "eks" {
  source   = "terraform-aws-modules/eks/aws"
  version  = "~> 20.0"
  for_each = local.clusters

  cluster_name                   = each.key
  subnet_ids                     = ["subnet-1"]
  cluster_endpoint_public_access = each.value.public
}
