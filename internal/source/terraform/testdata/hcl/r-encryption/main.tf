# The KMS key of secrets on aws_eks_cluster. A key known only after apply still names a key.
variable "key" {
  type = string
}

variable "empty_key" {
  type    = string
  default = ""
}

variable "keys" {
  type    = list(string)
  default = ["arn:aws:kms:us-east-1:111111111111:key/a", "arn:aws:kms:us-east-1:111111111111:key/b"]
}

locals {
  key = aws_kms_key.eks.arn
}

resource "aws_kms_key" "eks" {
  description = "EKS secrets"
}

resource "aws_eks_cluster" "unset" {
  name = "unset"
  vpc_config { subnet_ids = ["subnet-1"] }
}

resource "aws_eks_cluster" "literal" {
  name = "literal"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
}

resource "aws_eks_cluster" "resource_ref" {
  name = "resource_ref"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}

resource "aws_eks_cluster" "data_ref" {
  name = "data_ref"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = data.aws_kms_key.shared.arn }
  }
}

resource "aws_eks_cluster" "module_ref" {
  name = "module_ref"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = module.kms.key_arn }
  }
}

resource "aws_eks_cluster" "local_ref" {
  name = "local_ref"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = local.key }
  }
}

resource "aws_eks_cluster" "unset_var" {
  name = "unset_var"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = var.key }
  }
}

resource "aws_eks_cluster" "empty" {
  name = "empty"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = var.empty_key }
  }
}

resource "aws_eks_cluster" "null" {
  name = "null"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = null }
  }
}

resource "aws_eks_cluster" "no_provider" {
  name = "no_provider"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
  }
}

resource "aws_eks_cluster" "configmaps" {
  name = "configmaps"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["configmaps"]
    provider { key_arn = "arn:aws:kms:us-east-1:111111111111:key/c" }
  }
}

resource "aws_eks_cluster" "dyn_one" {
  name = "dyn_one"
  vpc_config { subnet_ids = ["subnet-1"] }
  dynamic "encryption_config" {
    for_each = { secrets = "arn:aws:kms:us-east-1:111111111111:key/d" }
    content {
      resources = [encryption_config.key]
      provider {
        key_arn = encryption_config.value
      }
    }
  }
}

resource "aws_eks_cluster" "dyn_none" {
  name = "dyn_none"
  vpc_config { subnet_ids = ["subnet-1"] }
  dynamic "encryption_config" {
    for_each = []
    content {
      resources = ["secrets"]
      provider { key_arn = "arn:aws:kms:us-east-1:111111111111:key/e" }
    }
  }
}

resource "aws_eks_cluster" "per_instance" {
  count = 2
  name  = "per_instance-${count.index}"
  vpc_config { subnet_ids = ["subnet-1"] }
  encryption_config {
    resources = ["secrets"]
    provider { key_arn = var.keys[count.index] }
  }
}
