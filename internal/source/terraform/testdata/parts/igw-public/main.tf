locals {
  name = "edge"
  public_subnets = {
    "us-east-1a" = "10.0.0.0/24"
    "us-east-1b" = "10.0.1.0/24"
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  for_each                = local.public_subnets
  vpc_id                  = aws_vpc.main.id
  availability_zone       = each.key
  cidr_block              = each.value
  map_public_ip_on_launch = true
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}

resource "aws_route_table_association" "public" {
  for_each       = aws_subnet.public
  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}

resource "aws_eks_cluster" "edge" {
  name     = local.name
  role_arn = "arn:aws:iam::123456789012:role/edge-cluster"

  vpc_config {
    subnet_ids = values(aws_subnet.public)[*].id
  }
}

resource "aws_eks_node_group" "workers" {
  cluster_name    = "edge"
  node_group_name = "workers"
  node_role_arn   = "arn:aws:iam::123456789012:role/edge-node"
  subnet_ids      = [for s in aws_subnet.public : s.id]

  remote_access {
    ec2_ssh_key = "edge-admin"
  }

  scaling_config {
    desired_size = 2
    max_size     = 2
    min_size     = 1
  }
}

resource "aws_eks_node_group" "batch" {
  cluster_name           = aws_eks_cluster.edge.id
  node_group_name_prefix = "batch-"
  node_role_arn          = "arn:aws:iam::123456789012:role/edge-node"
  subnet_ids             = values(aws_subnet.public)[*].id

  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 0
  }
}
