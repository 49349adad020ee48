module "registry" {
  source = "./registry"

  names = ["team-a/service", "team-b/service"]
}
