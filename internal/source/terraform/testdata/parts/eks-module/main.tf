module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.13"

  name = var.cluster_name
  cidr = "10.10.0.0/16"
  azs  = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]

  private_subnets = ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]
  public_subnets  = ["10.10.48.0/24", "10.10.49.0/24", "10.10.50.0/24"]
  intra_subnets   = ["10.10.52.0/24", "10.10.53.0/24", "10.10.54.0/24"]

  enable_nat_gateway = true
  single_nat_gateway = true
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.31"

  cluster_name    = var.cluster_name
  cluster_version = "1.31"

  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnets
  control_plane_subnet_ids = module.vpc.intra_subnets

  eks_managed_node_group_defaults = {
    ami_type       = "AL2023_x86_64_STANDARD"
    instance_types = ["m6i.large", "m5.large"]
  }

  eks_managed_node_groups = {
    system = {
      min_size     = 2
      max_size     = 4
      desired_size = 2
    }

    gpu = {
      name           = "gpu-a10g"
      instance_types = ["g5.xlarge"]
      subnet_ids     = [module.vpc.private_subnets[0]]
      remote_access = {
        ec2_ssh_key               = "ops"
        source_security_group_ids = ["sg-0123456789abcdef0"]
      }
    }
  }

  cluster_addons = {
    coredns = {
      most_recent = true
    }
    kube-proxy = {}
    vpc-cni = {
      most_recent    = true
      before_compute = true
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
        env = {
          ENABLE_PREFIX_DELEGATION = "true"
        }
      })
    }
  }
}
