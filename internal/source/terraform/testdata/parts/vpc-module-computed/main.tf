# The subnet lists are computed from the availability zones a data source reads, as
# terraform-aws-modules' own examples write them: how many subnets there are is unknown before plan,
# but every one of a list is routed alike.
data "aws_availability_zones" "available" {}

locals {
  name     = "ex-nodes"
  vpc_cidr = "10.0.0.0/16"
  azs      = slice(data.aws_availability_zones.available.names, 0, 3)
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.0"

  name = local.name
  cidr = local.vpc_cidr
  azs  = local.azs

  private_subnets = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 4, k)]
  public_subnets  = [for k, v in local.azs : cidrsubnet(local.vpc_cidr, 8, k + 48)]

  enable_nat_gateway = true
  single_nat_gateway = true
}

resource "aws_eks_cluster" "private" {
  name     = "${local.name}-private"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids = module.vpc.private_subnets
  }
}

resource "aws_eks_node_group" "private" {
  cluster_name    = aws_eks_cluster.private.name
  node_group_name = "private"
  node_role_arn   = "arn:aws:iam::111111111111:role/node"
  subnet_ids      = module.vpc.private_subnets

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}

resource "aws_eks_cluster" "public" {
  name     = "${local.name}-public"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids = module.vpc.private_subnets
  }
}

resource "aws_eks_node_group" "public" {
  cluster_name    = aws_eks_cluster.public.name
  node_group_name = "public"
  node_role_arn   = "arn:aws:iam::111111111111:role/node"
  subnet_ids      = module.vpc.public_subnets

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}
