# 19.0.1 passes the allowlist only when the public endpoint is on; here it is, with the default list.
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "19.0.1"

  cluster_name                   = "main"
  subnet_ids                     = ["subnet-1"]
  cluster_endpoint_public_access = true
}
