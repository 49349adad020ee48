variable "logs" {
  type = list(string)
}

variable "key" {
  type = string
}

variable "mode" {
  type    = string
  default = "CONFIG_MAP"
}

resource "aws_eks_cluster" "this" {
  name                      = "child"
  enabled_cluster_log_types = var.logs

  vpc_config {
    subnet_ids = ["subnet-1"]
  }

  access_config {
    authentication_mode = var.mode
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = var.key
    }
  }
}
