# Two clusters in one file: one left to the AWS provider defaults (public and open to the world, private
# off), one restricted but with private access off. A fix edits both in one patch.
resource "aws_eks_cluster" "defaults" {
  name     = "defaults"
  role_arn = var.role_arn

  vpc_config {
    subnet_ids = var.subnet_ids
  }
}

resource "aws_eks_cluster" "restricted" {
  name     = "restricted"
  role_arn = var.role_arn

  vpc_config {
    subnet_ids             = var.subnet_ids
    endpoint_public_access = true
    public_access_cidrs    = ["198.51.100.0/24"]
  }
}

# for_each instances share one block, so their fixes are one edit.
resource "aws_eks_cluster" "fleet" {
  for_each = toset(["blue", "green"])
  name     = each.key
  role_arn = var.role_arn

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = true
  }
}

variable "role_arn" {
  type    = string
  default = "arn:aws:iam::111111111111:role/eks"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-1", "subnet-2"]
}
