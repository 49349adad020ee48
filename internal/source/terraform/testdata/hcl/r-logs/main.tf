# Control plane logging on aws_eks_cluster: unset, null and [] enable no log type.
variable "logs" {
  type = list(string)
}

variable "no_logs" {
  type    = list(string)
  default = null
}

resource "aws_eks_cluster" "unset" {
  name = "unset"
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "all" {
  name                      = "all"
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler", "audit"]
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "some" {
  name                      = "some"
  enabled_cluster_log_types = ["api", "audit"]
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "empty" {
  name                      = "empty"
  enabled_cluster_log_types = []
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "null" {
  name                      = "null"
  enabled_cluster_log_types = var.no_logs
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "capital" {
  name                      = "capital"
  enabled_cluster_log_types = ["API", "audit"]
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "unset_var" {
  name                      = "unset_var"
  enabled_cluster_log_types = var.logs
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "set" {
  name                      = "set"
  enabled_cluster_log_types = toset(["scheduler", "controllerManager", "authenticator", "audit", "api"])
  vpc_config { subnet_ids = ["subnet-1"] }
}
