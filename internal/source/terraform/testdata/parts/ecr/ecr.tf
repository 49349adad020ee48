resource "aws_ecr_repository" "app" {
  for_each             = var.repositories
  name                 = each.key
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = var.scan_on_push
  }

  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_repository" "base" {
  name = "base-images/${local.distro}"
}

locals {
  distro = "debian"
}

resource "aws_ecr_registry_scanning_configuration" "this" {
  scan_type = "ENHANCED"

  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "shop/*"
      filter_type = "WILDCARD"
    }
  }

  dynamic "rule" {
    for_each = ["base-images/*", "tools/*"]
    content {
      scan_frequency = "SCAN_ON_PUSH"
      repository_filter {
        filter      = rule.value
        filter_type = "WILDCARD"
      }
    }
  }
}
