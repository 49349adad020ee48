resource "aws_eks_cluster" "main" {
  vpc_config {
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
