# A stand-in for a checkout of terraform-aws-modules/terraform-aws-eks v20 (same variable names and
# defaults), as its own examples call it with source = "../..".
variable "create" {
  type    = bool
  default = true
}

variable "cluster_name" {
  type    = string
  default = ""
}

variable "subnet_ids" {
  type    = list(string)
  default = []
}

variable "cluster_endpoint_private_access" {
  type    = bool
  default = true
}

variable "cluster_endpoint_public_access" {
  type    = bool
  default = false
}

variable "cluster_endpoint_public_access_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "cluster_ip_family" {
  type    = string
  default = "ipv4"
}
