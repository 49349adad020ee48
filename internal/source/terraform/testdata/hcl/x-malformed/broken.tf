variable "x" {
  default = true
}

resource "aws_eks_cluster" "broken" {
  name = "broken"
  vpc_config {
    endpoint_public_access = = true
  }
}
