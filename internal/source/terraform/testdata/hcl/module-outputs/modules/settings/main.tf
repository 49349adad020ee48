# Organisation-wide cluster settings, shared by every environment.
variable "environment" {
  type = string
}

locals {
  production = var.environment == "prod"
}

output "eks" {
  value = {
    public_access = !local.production
    allowlist     = local.production ? [] : ["203.0.113.0/24"]
    log_types     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  }
}

output "key_arn" {
  value = "arn:aws:kms:eu-west-1:111111111111:key/${var.environment}"
}

