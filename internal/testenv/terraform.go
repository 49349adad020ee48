package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Terraform benchmarks of the adapter and of the whole iac command scan the same tree.

// WriteTerraformTree writes modules root modules of 10 .tf files each: one file declares clusters (plain
// resources with variables and locals, for_each, count with a dynamic block, and registry module
// calls of two major versions), the others hold the variables, locals, outputs and the unrelated
// resources a real configuration has.
func WriteTerraformTree(tb testing.TB, dir string, modules int) []string {
	var written []string
	tb.Helper()
	filler := func(kind string, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `resource "%s" "r%d" {
  name        = "${local.prefix}-%s-%d"
  description = format("%%s managed by terraform", local.prefix)
  tags        = merge(var.tags, { Component = "%s" })

  lifecycle {
    ignore_changes = [tags]
  }
}

`, kind, i, kind, i, kind)
		}
		return b.String()
	}
	clusters := []string{`resource "aws_eks_cluster" "main" {
  name     = local.prefix
  role_arn = aws_iam_role.r0.arn
  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.public
    public_access_cidrs     = var.public ? local.allowlist : []
  }
}
`, `resource "aws_eks_cluster" "fleet" {
  for_each = var.clusters
  name     = "${local.prefix}-${each.key}"
  role_arn = aws_iam_role.r0.arn
  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = each.value.public
  }
}
`, `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name                         = local.prefix
  subnet_ids                           = var.subnet_ids
  cluster_endpoint_public_access       = var.public
  cluster_endpoint_public_access_cidrs = local.allowlist
}
`, `resource "aws_eks_cluster" "pair" {
  count    = var.replicas
  name     = "${local.prefix}-${count.index}"
  role_arn = aws_iam_role.r0.arn
  dynamic "vpc_config" {
    for_each = [var.subnet_ids]
    content {
      subnet_ids             = vpc_config.value
      endpoint_public_access = count.index > 0
    }
  }
}
`, `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.0"

  cluster_name = local.prefix
  subnet_ids   = var.subnet_ids
}
`}
	for m := 0; m < modules; m++ {
		md := filepath.Join(dir, fmt.Sprintf("stack-%03d", m))
		if err := os.MkdirAll(md, 0o755); err != nil {
			tb.Fatal(err)
		}
		files := map[string]string{
			"main.tf": clusters[m%len(clusters)],
			"variables.tf": `variable "env" {
  type    = string
  default = "prod"
}

variable "public" {
  type    = bool
  default = false
}

variable "replicas" {
  type    = number
  default = 2
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-1", "subnet-2", "subnet-3"]
}

variable "clusters" {
  type = map(object({ public = bool }))
  default = {
    blue  = { public = false }
    green = { public = true }
  }
}

variable "tags" {
  type    = map(string)
  default = {}
}
`,
			"locals.tf": fmt.Sprintf(`locals {
  prefix    = "${var.env}-stack-%03d"
  allowlist = [for i in range(3) : cidrsubnet("203.0.113.0/24", 2, i)]
  common    = merge(var.tags, { Env = var.env, Stack = local.prefix })
}
`, m),
			"iam.tf":      filler("aws_iam_role", 4),
			"network.tf":  filler("aws_security_group", 4),
			"nodes.tf":    filler("aws_eks_node_group", 3),
			"addons.tf":   filler("aws_eks_addon", 4),
			"logging.tf":  filler("aws_cloudwatch_log_group", 3),
			"outputs.tf":  "output \"name\" {\n  value = local.prefix\n}\n\noutput \"tags\" {\n  value = local.common\n}\n",
			"versions.tf": "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n\nprovider \"aws\" {\n  region = \"eu-west-1\"\n}\n",
		}
		for name, src := range files {
			p := filepath.Join(md, name)
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				tb.Fatal(err)
			}
			written = append(written, p)
		}
	}
	return written
}
