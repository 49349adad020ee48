# Subnets without an explicit route table association use the main route table of their VPC.

resource "aws_vpc" "a" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_subnet" "a" {
  count      = 2
  vpc_id     = aws_vpc.a.id
  cidr_block = cidrsubnet(aws_vpc.a.cidr_block, 4, count.index)
}

resource "aws_vpc" "b" {
  cidr_block = "10.2.0.0/16"
}

resource "aws_internet_gateway" "b" {
  vpc_id = aws_vpc.b.id
}

resource "aws_default_route_table" "b" {
  default_route_table_id = aws_vpc.b.default_route_table_id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.b.id
  }
}

resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.b.id
  cidr_block = "10.2.0.0/20"
}

resource "aws_vpc" "c" {
  cidr_block = "10.3.0.0/16"
}

resource "aws_route_table" "c" {
  vpc_id = aws_vpc.c.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = "nat-0123456789abcdef0"
  }

  route {
    ipv6_cidr_block        = "::/0"
    egress_only_gateway_id = "eigw-0123456789abcdef0"
  }
}

resource "aws_main_route_table_association" "c" {
  vpc_id         = aws_vpc.c.id
  route_table_id = aws_route_table.c.id
}

resource "aws_subnet" "c" {
  vpc_id     = aws_vpc.c.id
  cidr_block = "10.3.0.0/20"
}

resource "aws_eks_cluster" "a" {
  name     = "a"
  role_arn = "arn:aws:iam::123456789012:role/cluster"
  vpc_config {
    subnet_ids = aws_subnet.a[*].id
  }
}

resource "aws_eks_node_group" "a" {
  cluster_name  = aws_eks_cluster.a.name
  node_role_arn = "arn:aws:iam::123456789012:role/node"
  subnet_ids    = aws_subnet.a[*].id
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}

resource "aws_eks_cluster" "b" {
  name     = "b"
  role_arn = "arn:aws:iam::123456789012:role/cluster"
  vpc_config {
    subnet_ids = [aws_subnet.b.id]
  }
}

resource "aws_eks_node_group" "b" {
  cluster_name  = aws_eks_cluster.b.name
  node_role_arn = "arn:aws:iam::123456789012:role/node"
  subnet_ids    = [aws_subnet.b.id]
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}

resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = "arn:aws:iam::123456789012:role/cluster"
  vpc_config {
    subnet_ids = [aws_subnet.c.id]
  }
}

resource "aws_eks_node_group" "c" {
  cluster_name  = aws_eks_cluster.c.name
  node_role_arn = "arn:aws:iam::123456789012:role/node"
  subnet_ids    = [aws_subnet.c.id]
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
}
