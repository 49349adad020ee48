locals {
  org    = "acme"
  region = "eu-west-1"
}

remote_state {
  backend = "s3"
  config = {
    bucket = "${local.org}-terraform-state"
    key    = "${path_relative_to_include()}/terraform.tfstate"
    region = local.region
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region = var.aws_region
}

variable "aws_region" {
  type = string
}
EOF
}

inputs = {
  aws_region = local.region
  tags = {
    org   = local.org
    stack = path_relative_to_include()
  }
}
