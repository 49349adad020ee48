variable "name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "public" {
  type    = bool
  default = true
}

variable "private" {
  type    = bool
  default = false
}

variable "public_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "log_types" {
  type    = list(string)
  default = ["api", "audit", "authenticator"]
}

variable "tags" {
  type    = map(string)
  default = {}
}
