variable "name" {
  type = string
}

variable "public" {
  type = bool
}

variable "allowed_cidr" {
  type = string
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = var.public
    public_access_cidrs     = [var.allowed_cidr]
  }
}
