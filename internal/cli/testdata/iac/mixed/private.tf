resource "aws_eks_cluster" "private" {
  name     = "private"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
