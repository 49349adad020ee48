include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

locals {
  env = read_terragrunt_config("env.hcl")
}

terraform {
  source = "../../modules//eks"
}

dependency "vpc" {
  config_path = "../vpc"
  mock_outputs = {
    private_subnets = ["subnet-mock-a", "subnet-mock-b"]
  }
}

inputs = {
  name       = "${include.root.locals.org}-${local.env.locals.env}"
  subnet_ids = dependency.vpc.outputs.private_subnets
  private    = true
  public     = false
}
