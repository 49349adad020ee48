provider "aws" {
  region = "us-west-2"
}

data "aws_availability_zones" "available" {}

locals {
  cluster_name = "observability"
  azs          = slice(data.aws_availability_zones.available.names, 0, 3)
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"

  name = "observability-vpc"
  cidr = "10.0.0.0/16"
  azs  = local.azs

  private_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
  public_subnets  = ["10.0.4.0/24", "10.0.5.0/24", "10.0.6.0/24"]

  enable_nat_gateway   = true
  single_nat_gateway   = true
  enable_dns_hostnames = true
}

resource "aws_eks_cluster" "obs" {
  name     = local.cluster_name
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = module.vpc.private_subnets
  }
}

resource "aws_eks_node_group" "private" {
  cluster_name    = aws_eks_cluster.obs.name
  node_group_name = "private"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = module.vpc.private_subnets

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 2
  }
}

resource "aws_eks_cluster" "ingress" {
  name     = "ingress"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = module.vpc.public_subnets
  }
}

resource "aws_eks_node_group" "public" {
  cluster_name    = aws_eks_cluster.ingress.name
  node_group_name = "public"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = slice(module.vpc.public_subnets, 0, 2)

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 2
  }
}
