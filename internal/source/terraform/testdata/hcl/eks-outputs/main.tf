module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "prod"
  cluster_version = "1.32"
  subnet_ids      = ["subnet-1", "subnet-2"]
}

locals {
  suffix = "${module.eks.cluster_name}-${module.eks.cluster_version}"
}

resource "aws_eks_cluster" "sidecar" {
  name     = "sidecar-${local.suffix}"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = local.suffix != "prod-1.32"
    public_access_cidrs     = module.eks.cluster_endpoint == "" ? [] : ["203.0.113.0/24"]
  }
}
