variable "clusters" {
  type = map(object({
    public = bool
    cidrs  = optional(list(string), [])
  }))
  default = {
    prod = { public = false }
    dev  = { public = true, cidrs = ["203.0.113.0/24"] }
    lab  = { public = true }
  }
}

resource "aws_eks_cluster" "this" {
  for_each = var.clusters
  name     = each.key
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = each.value.public
    public_access_cidrs     = each.value.cidrs
  }
}
