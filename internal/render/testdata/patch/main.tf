resource "aws_eks_cluster" "a" {
  name     = "a"
  role_arn = var.role

  vpc_config {
    subnet_ids = var.subnets
  }
}

resource "aws_eks_cluster" "b" {
  name     = "b"
  role_arn = var.role

  vpc_config {
    subnet_ids             = var.subnets
    endpoint_public_access = true
  }
}

resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = var.role
  vpc_config {
    endpoint_public_access = true
  }
}
