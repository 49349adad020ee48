module "cluster" {
  source = "./modules/cluster"

  tags                = { team = "platform" }
  public_access_cidrs = ["203.0.113.0/24"]
}
