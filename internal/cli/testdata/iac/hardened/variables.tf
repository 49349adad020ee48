variable "cluster_name" {
  type = string
}

variable "cluster_role_arn" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "log_types" {
  type    = list(string)
  default = ["api", "audit"]
}
