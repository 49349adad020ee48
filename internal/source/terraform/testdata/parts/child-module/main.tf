module "network" {
  source = "./modules/network"

  name = var.name
  cidr = "10.50.0.0/16"
  azs  = ["us-east-2a", "us-east-2b"]
}

module "cluster" {
  source = "./modules/cluster"

  name       = var.name
  subnet_ids = module.network.private_subnet_ids
}
