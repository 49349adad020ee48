package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// partsTree is a root module as teams write one: terraform-aws-modules/vpc and /eks, a node group
// in the public subnets, the VPC CNI as an add-on without network policy, and ECR repositories, one
// of which does not scan on push, with the setting from terraform.tfvars.
var partsTree = map[string]string{
	"main.tf": `module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name            = "prod"
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b"]
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24"]
  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24"]
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name                    = "prod"
  cluster_version                 = "1.32"
  cluster_endpoint_public_access  = false
  cluster_endpoint_private_access = true
  vpc_id                          = module.vpc.vpc_id
  subnet_ids                      = module.vpc.private_subnets

  cluster_addons = {
    vpc-cni = {}
  }

  eks_managed_node_groups = {
    edge = {
      subnet_ids = module.vpc.public_subnets
    }
  }
}
`,
	"ecr.tf":           "variable \"worker_scan\" {\r\n  type = bool\r\n}\r\n\r\nresource \"aws_ecr_repository\" \"api\" {\r\n  name = \"prod/api\"\r\n  image_scanning_configuration {\r\n    scan_on_push = true\r\n  }\r\n}\r\n\r\nresource \"aws_ecr_repository\" \"worker\" {\r\n  name = \"prod/worker\"\r\n  image_scanning_configuration {\r\n    scan_on_push = var.worker_scan\r\n  }\r\n}\r\n",
	"terraform.tfvars": "worker_scan = false\n",
}

// TestIaCPartsControls: eksguard iac judges 5.1.1, 5.4.3 and 5.4.4 on what a tree declares beside
// the cluster, names the offending subnet, add-on and repository, proposes no edit for them, and
// leaves them out when other controls are selected.
func TestIaCPartsControls(t *testing.T) {
	dir := t.TempDir()
	for name, src := range partsTree {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	code, out, errOut := runIaC(t, "iac", ".", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	r := parseIaC(t, out)
	want := map[string]struct{ status, typ, reason string }{
		"5.4.3": {"FAIL", "eks-cluster", "module.vpc.public_subnets[0]"},
		"5.4.4": {"FAIL", "eks-cluster", "does not set enableNetworkPolicy"},
		"5.1.1": {"FAIL", "ecr-registry", "1 of the 2 repositories declared in this folder is not scanned"},
		"5.4.2": {"PASS", "eks-cluster", ""},
	}
	seen := map[string]bool{}
	for _, res := range r.Results {
		w, ok := want[res.Control]
		if !ok {
			continue
		}
		seen[res.Control] = true
		if res.Status != w.status || res.Resource.Type != w.typ || !strings.Contains(res.Reason, w.reason) {
			t.Errorf("%s = %s on %s (%s), want %s on %s containing %q", res.Control, res.Status, res.Resource.Type, res.Reason, w.status, w.typ, w.reason)
		}
		if (res.Control == "5.1.1" || res.Control == "5.4.3" || res.Control == "5.4.4") && (res.Fix != nil || res.Remediation == "" || res.Location == nil) {
			t.Errorf("%s: fix %v, remediation %q, location %v: want advice in words and a location", res.Control, res.Fix, res.Remediation, res.Location)
		}
	}
	for c := range want {
		if !seen[c] {
			t.Errorf("no result for %s: %s", c, out)
		}
	}
	for _, res := range r.Results {
		if res.Control == "5.1.3" || res.Control == "5.4.5" {
			t.Errorf("%s judged in IaC: %+v", res.Control, res)
		}
	}
	// --controls keeps the new ones out; the patch is still written for the others.
	code, out, _ = runIaC(t, "iac", ".", "--format", "json", "--controls", "5.4.1,5.4.2")
	if r := parseIaC(t, out); code != 0 || len(r.Results) != 2 {
		t.Errorf("--controls 5.4.1,5.4.2: exit %d, %d results", code, len(r.Results))
	}
	if code, _, errOut := runIaC(t, "iac", ".", "--format", "patch"); code != 1 || errOut != "" && !strings.Contains(errOut, "eksguard") {
		t.Errorf("patch: exit %d, stderr %q", code, errOut)
	}
}
