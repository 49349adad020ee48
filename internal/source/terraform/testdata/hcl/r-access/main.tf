# The authentication mode on aws_eks_cluster: access_config, written out and dynamic.
variable "mode" {
  type = string
}

variable "modes" {
  type    = list(string)
  default = ["API"]
}

resource "aws_eks_cluster" "unset" {
  name = "unset"
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "no_mode" {
  name = "no_mode"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config {
    bootstrap_cluster_creator_admin_permissions = true
  }
}

resource "aws_eks_cluster" "api" {
  name = "api"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config {
    authentication_mode = "API"
  }
}

resource "aws_eks_cluster" "both" {
  name = "both"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config { authentication_mode = "API_AND_CONFIG_MAP" }
}

resource "aws_eks_cluster" "config_map" {
  name = "config_map"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config {
    authentication_mode = "CONFIG_MAP"
  }
}

resource "aws_eks_cluster" "lower" {
  name = "lower"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config {
    authentication_mode = "api"
  }
}

resource "aws_eks_cluster" "unset_var" {
  name = "unset_var"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config {
    authentication_mode = var.mode
  }
}

resource "aws_eks_cluster" "null" {
  name = "null"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config {
    authentication_mode = null
  }
}

resource "aws_eks_cluster" "twice" {
  name = "twice"
  vpc_config { subnet_ids = ["subnet-1"] }
  access_config { authentication_mode = "API" }
  access_config { authentication_mode = "API" }
}

resource "aws_eks_cluster" "dyn_one" {
  name = "dyn_one"
  vpc_config { subnet_ids = ["subnet-1"] }
  dynamic "access_config" {
    for_each = var.modes
    content {
      authentication_mode = access_config.value
    }
  }
}

resource "aws_eks_cluster" "dyn_none" {
  name = "dyn_none"
  vpc_config { subnet_ids = ["subnet-1"] }
  dynamic "access_config" {
    for_each = []
    content {
      authentication_mode = "API"
    }
  }
}

resource "aws_eks_cluster" "dyn_unknown" {
  name = "dyn_unknown"
  vpc_config { subnet_ids = ["subnet-1"] }
  dynamic "access_config" {
    for_each = data.aws_ssm_parameter.modes.insecure_value
    content {
      authentication_mode = access_config.value
    }
  }
}
