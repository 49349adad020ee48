variable "env" {
  type = string
}

module "eks" {
  source = "../eks"

  name         = "platform-${var.env}"
  public       = var.env != "prod"
  allowed_cidr = "203.0.113.0/24"
}
