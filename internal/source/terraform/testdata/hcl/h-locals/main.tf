variable "env" {
  type = string
}

locals {
  is_prod   = var.env == "prod"
  public    = local.is_prod ? false : true
  base      = ["203.0.113.0/24"]
  allowlist = concat(local.base, [for c in var.extra : lower(c)])
}

variable "extra" {
  type    = list(string)
  default = ["198.51.100.0/24"]
}

resource "aws_eks_cluster" "main" {
  name     = format("%s-cluster", var.env)
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = !local.public || length(local.allowlist) > 0
    endpoint_public_access  = local.public
    public_access_cidrs     = local.allowlist
  }
}
