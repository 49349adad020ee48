variable "create" {
  default = true
}

resource "aws_eks_cluster" "pair" {
  count    = var.create ? 2 : 0
  name     = "pair-${count.index}"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = count.index == 0
  }
}
