# A module call without a version: defaults that changed between versions are unknown.
module "bare" {
  source       = "terraform-aws-modules/eks/aws"
  cluster_name = "bare"
}

module "explicit" {
  source                    = "terraform-aws-modules/eks/aws"
  cluster_name              = "explicit"
  cluster_enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  authentication_mode       = "API"
}
