include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "tfr:///terraform-aws-modules/eks/aws?version=20.8.4"
}

dependency "vpc" {
  config_path = "../vpc"
  mock_outputs = {
    vpc_id      = "vpc-mock"
    admin_cidrs = ["198.51.100.0/24"]
  }
}

inputs = {
  cluster_name                         = "acme-dev"
  vpc_id                               = dependency.vpc.outputs.vpc_id
  cluster_endpoint_public_access       = get_env("DEV_PUBLIC_ENDPOINT", "true") == "true"
  cluster_endpoint_public_access_cidrs = dependency.vpc.outputs.admin_cidrs
}
