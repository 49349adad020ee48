package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
)

// writeTree writes a tree of modules×10 .tf files with a mix of clusters: plain resources with
// variables and locals, count and for_each, and registry module calls of several major versions.
func writeTree(tb testing.TB, dir string, modules int) *iac.Input {
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
	in := &iac.Input{Roots: []string{dir}}
	for m := 0; m < modules; m++ {
		md := filepath.Join(dir, fmt.Sprintf("stack-%03d", m))
		if err := os.MkdirAll(md, 0o755); err != nil {
			tb.Fatal(err)
		}
		var cluster string
		switch m % 5 {
		case 0:
			cluster = `resource "aws_eks_cluster" "main" {
  name     = local.prefix
  role_arn = aws_iam_role.cluster.arn
  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.public
    public_access_cidrs     = var.public ? local.allowlist : []
  }
}
`
		case 1:
			cluster = `resource "aws_eks_cluster" "fleet" {
  for_each = var.clusters
  name     = "${local.prefix}-${each.key}"
  role_arn = aws_iam_role.cluster.arn
  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = each.value.public
  }
}
`
		case 2:
			cluster = `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name                         = local.prefix
  subnet_ids                           = var.subnet_ids
  cluster_endpoint_public_access       = var.public
  cluster_endpoint_public_access_cidrs = local.allowlist
}
`
		case 3:
			cluster = `resource "aws_eks_cluster" "pair" {
  count    = var.replicas
  name     = "${local.prefix}-${count.index}"
  role_arn = aws_iam_role.cluster.arn
  dynamic "vpc_config" {
    for_each = [var.subnet_ids]
    content {
      subnet_ids             = vpc_config.value
      endpoint_public_access = count.index > 0
    }
  }
}
`
		default:
			cluster = `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.0"

  cluster_name = local.prefix
  subnet_ids   = var.subnet_ids
}
`
		}
		files := map[string]string{
			"main.tf": cluster,
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
			in.Files = append(in.Files, &iac.File{Path: p, Name: filepath.ToSlash(filepath.Join(filepath.Base(md), name)), Data: []byte(src)})
		}
	}
	return in
}

// BenchmarkScanTree scans 1,000 .tf files: 100 root modules of 10 files each.
func BenchmarkScanTree(b *testing.B) {
	in := writeTree(b, b.TempDir(), 100)
	if len(in.Files) != 1000 {
		b.Fatalf("files = %d", len(in.Files))
	}
	res := New().Scan(in, iac.Options{})
	if len(res.Problems) > 0 || len(res.Resources) != 140 {
		b.Fatalf("clusters = %d, problems:\n%s", len(res.Resources), problemStrings(res.Problems))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		New().Scan(in, iac.Options{})
	}
}
