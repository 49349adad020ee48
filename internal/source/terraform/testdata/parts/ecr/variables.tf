variable "repositories" {
  type        = set(string)
  description = "application repositories"
}

variable "scan_on_push" {
  type    = bool
  default = false
}
