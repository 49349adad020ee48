# Subnets that live in another stack: their routes are not in this tree.
variable "subnet_ids" {
  description = "Private subnets of the shared VPC"
  type        = list(string)
  default     = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
}

variable "node_subnets" {
  type = list(string)
}

resource "aws_eks_cluster" "shared" {
  name     = "shared"
  role_arn = "arn:aws:iam::123456789012:role/shared-cluster"

  vpc_config {
    subnet_ids = var.subnet_ids
  }
}

resource "aws_eks_node_group" "literal" {
  cluster_name    = aws_eks_cluster.shared.name
  node_group_name = "literal"
  node_role_arn   = "arn:aws:iam::123456789012:role/shared-node"
  subnet_ids      = ["subnet-0123456789abcdef0"]

  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}

resource "aws_eks_cluster" "from_var" {
  name     = "from-var"
  role_arn = "arn:aws:iam::123456789012:role/shared-cluster"

  vpc_config {
    subnet_ids = var.subnet_ids
  }
}

resource "aws_eks_node_group" "from_var" {
  cluster_name    = aws_eks_cluster.from_var.name
  node_group_name = "from-var"
  node_role_arn   = "arn:aws:iam::123456789012:role/shared-node"
  subnet_ids      = var.subnet_ids

  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}

resource "aws_eks_cluster" "unset" {
  name     = "unset"
  role_arn = "arn:aws:iam::123456789012:role/shared-cluster"

  vpc_config {
    subnet_ids = var.subnet_ids
  }
}

resource "aws_eks_node_group" "unset" {
  cluster_name    = aws_eks_cluster.unset.name
  node_group_name = "unset"
  node_role_arn   = "arn:aws:iam::123456789012:role/shared-node"
  subnet_ids      = var.node_subnets

  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}
