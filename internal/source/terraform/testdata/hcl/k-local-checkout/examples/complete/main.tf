module "eks" {
  source = "../.."

  cluster_name                   = "complete"
  subnet_ids                     = ["subnet-1"]
  cluster_endpoint_public_access = true
}
