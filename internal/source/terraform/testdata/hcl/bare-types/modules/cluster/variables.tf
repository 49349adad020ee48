# Terraform 0.11 style: bare collection keywords, still accepted by Terraform 1.x.
variable "tags" {
  type    = map
  default = {}
}

variable "public_access_cidrs" {
  type = list
}

variable "log_types" {
  type    = set
  default = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}
