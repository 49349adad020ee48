module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.0"

  name = "edge"
  cidr = "10.30.0.0/16"
  azs  = ["ap-southeast-2a", "ap-southeast-2b"]

  private_subnets = ["10.30.0.0/20", "10.30.16.0/20"]
  public_subnets  = ["10.30.48.0/24", "10.30.49.0/24"]
  intra_subnets   = ["10.30.52.0/24", "10.30.53.0/24"]
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = "edge"
  kubernetes_version = "1.33"

  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnets
  control_plane_subnet_ids = module.vpc.public_subnets

  eks_managed_node_groups = {
    default = {
      instance_types = ["m7i.large"]
    }
    edge = {
      instance_types = ["c7i.large"]
      subnet_ids     = module.vpc.public_subnets
    }
  }

  self_managed_node_groups = {
    bastion = {
      instance_type = "t3.small"
      network_interfaces = [{
        associate_public_ip_address = true
        delete_on_termination       = true
      }]
    }
  }

  addons = {
    coredns                = {}
    eks-pod-identity-agent = { before_compute = true }
  }
}
