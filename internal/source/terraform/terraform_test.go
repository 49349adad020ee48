package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

const (
	P = finding.Pass
	F = finding.Fail
	U = finding.Unknown
)

// want is the expected verdict of one cluster: the status of CIS 5.4.1 and 5.4.2 and the file:line
// that decided each, plus a substring the values' details or notes must contain.
type want struct {
	name       string
	s541, s542 finding.Status
	file       string
	line541    int
	line542    int
	detail     string
	// file542 is 5.4.2's file when it differs from 5.4.1's: a value a caller passes in is located at
	// the caller's argument.
	file542 string
}

func w(name string, s541, s542 finding.Status, file string, line541, line542 int) want {
	return want{name: name, s541: s541, s542: s542, file: file, line541: line541, line542: line542}
}

func (x want) with(detail string) want { x.detail = detail; return x }

func (x want) file542In(file string) want { x.file542 = file; return x }

type scanCase struct {
	name     string
	dir      string
	opts     iac.Options
	want     []want
	problems []string // substrings, each matching one problem (file:line: message)
}

// TestTerraformMatrix covers the reading rules of docs/iac-terraform.md (fixture folders a to m:
// defaults, variables, modules, unknowns), each folder scanned like a walked tree and judged by the
// benchmark.
func TestTerraformMatrix(t *testing.T) {
	const cl = "aws_eks_cluster.main"
	const mod = "module.eks.aws_eks_cluster.this[0]"
	cases := []scanCase{
		{name: "a missing endpoint arguments are provider defaults, public and open", dir: "a-defaults",
			want: []want{w(cl, F, F, "main.tf", 2, 2).with("AWS provider default")}},
		{name: "b public off, private on", dir: "b-private-only",
			want: []want{w(cl, P, P, "main.tf", 8, 8)}},
		{name: "b public off with private left at its default is impossible", dir: "b-both-off",
			want: []want{w(cl, F, F, "main.tf", 8, 8)}},
		{name: "b no vpc_config block is invalid Terraform", dir: "b-no-vpc-config",
			want:     []want{w(cl, U, U, "main.tf", 1, 1).with("has no vpc_config block")},
			problems: []string{"main.tf:1: Missing required block"}},
		{name: "c public unset with a narrow allowlist", dir: "c-restricted",
			want: []want{w(cl, P, F, "main.tf", 8, 1)}},
		{name: "d empty allowlist is the EKS default", dir: "d-empty-list",
			want: []want{w(cl, F, F, "main.tf", 9, 8).with("public_access_cidrs = [] is the same as unset")}},
		{name: "e open allowlists in every spelling", dir: "e-open", want: []want{
			w("aws_eks_cluster.world", F, F, "main.tf", 7, 1),
			w("aws_eks_cluster.ipv6_world", F, F, "main.tf", 17, 11),
			w("aws_eks_cluster.halves", F, F, "main.tf", 27, 21),
			w("aws_eks_cluster.hidden", F, F, "main.tf", 40, 34),
		}},
		{name: "f a public /32 is restricted but public", dir: "f-public-32",
			want: []want{w(cl, P, F, "main.tf", 9, 8)}},
		{name: "g variable with a default", dir: "g-var-default",
			want: []want{w(cl, P, P, "main.tf", 13, 13).with("var.public_access = false from the default at main.tf:3")}},
		{name: "g variable without a value", dir: "g-var-missing",
			want: []want{w(cl, U, U, "main.tf", 12, 12).with("var.public_access has no value")}},
		{name: "g variables from terraform.tfvars and *.auto.tfvars", dir: "g-var-tfvars",
			want: []want{w(cl, P, P, "main.tf", 8, 8).with("var.public_access = false from terraform.tfvars:1")}},
		{name: "g variables unset without flags", dir: "g-var-cli",
			want: []want{w(cl, U, U, "main.tf", 14, 14).with("var.public_access has no value")}},
		{name: "g variables from -var", dir: "g-var-cli",
			opts: iac.Options{Vars: map[string]string{"public_access": "false", "allowed_cidrs": `["203.0.113.0/24"]`}},
			want: []want{w(cl, P, P, "main.tf", 14, 14).with("var.public_access = false from -var")}},
		{name: "g variables from -var-file", dir: "g-var-cli",
			opts: iac.Options{VarFiles: []string{"testdata/hcl/g-var-cli/prod.tfvars"}},
			want: []want{w(cl, F, F, "main.tf", 15, 14).with("from testdata/hcl/g-var-cli/prod.tfvars:2")}},
		{name: "g -var wins over -var-file", dir: "g-var-cli",
			opts: iac.Options{VarFiles: []string{"testdata/hcl/g-var-cli/prod.tfvars"}, Vars: map[string]string{"public_access": "false"}},
			want: []want{w(cl, P, P, "main.tf", 14, 14)}},
		{name: "g undeclared -var and missing -var-file are problems", dir: "g-var-cli",
			opts:     iac.Options{VarFiles: []string{"testdata/hcl/g-var-cli/missing.tfvars"}, Vars: map[string]string{"nope": "1", "public_access": "false", "allowed_cidrs": `["203.0.113.0/24"]`}},
			want:     []want{w(cl, P, P, "main.tf", 14, 14)},
			problems: []string{`-var: variable "nope" is not declared in any root module`, "testdata/hcl/g-var-cli/missing.tfvars: -var-file: no such file"}},
		{name: "h locals and a conditional on a tfvars value", dir: "h-locals",
			want: []want{w(cl, P, P, "main.tf", 24, 24).with("local.public = false")}},
		{name: "h locals in a cycle are unknown", dir: "h-local-cycle",
			want: []want{w(cl, U, U, "main.tf", 13, 13).with("reference cycle (local.a -> local.b -> local.a)")}},
		{name: "i dynamic vpc_config with a known for_each", dir: "i-dynamic-known",
			want: []want{w(cl, P, P, "main.tf", 20, 20)}},
		{name: "i dynamic vpc_config with an unknown for_each", dir: "i-dynamic-unknown",
			want: []want{w(cl, U, U, "main.tf", 10, 10).with(`for_each of dynamic "vpc_config" is unknown: var.networks`)}},
		{name: "j count = 0 declares no cluster", dir: "j-count-zero"},
		{name: "j unknown count is judged once, as [?]", dir: "j-count-var",
			want: []want{w("aws_eks_cluster.fleet[?]", F, F, "main.tf", 13, 13).with("count = var.cluster_count is unknown")}},
		{name: "j count with per-index settings", dir: "j-count-two", want: []want{
			w("aws_eks_cluster.pair[0]", F, F, "main.tf", 13, 13).with("count.index = 0"),
			w("aws_eks_cluster.pair[1]", P, P, "main.tf", 13, 13),
		}},
		{name: "j for_each over a map with per-key settings", dir: "j-for-each", want: []want{
			w(`aws_eks_cluster.this["dev"]`, P, F, "main.tf", 22, 21),
			w(`aws_eks_cluster.this["lab"]`, F, F, "main.tf", 22, 21).with("is empty, the same as unset"),
			w(`aws_eks_cluster.this["prod"]`, P, P, "main.tf", 21, 21).with("each.value.public = false"),
		}},
		{name: "j reference to another resource is unknown until apply", dir: "j-ref-unknown",
			want: []want{w(cl, U, F, "main.tf", 12, 5).with("depends on aws_vpc.main.cidr_block, known only after apply")}},
		{name: "k module v18 defaults are public", dir: "k-v18-defaults",
			want: []want{w(mod, F, F, "main.tf", 1, 1).with(`terraform-aws-modules/eks v18 default (version "~> 18.0")`)}},
		{name: "k module v18 with arguments", dir: "k-v18-args",
			want: []want{w(mod, P, P, "main.tf", 8, 8)}},
		{name: "k module ~> 19.0 defaults are private", dir: "k-v19-defaults",
			want: []want{w(mod, P, P, "main.tf", 1, 1).with("v19 default")}},
		{name: "k module ~> 19.0 public with an allowlist", dir: "k-v19-public",
			want: []want{w(mod, P, F, "main.tf", 8, 7)}},
		{name: "k module 19.0.1 ternary sends the default list when public", dir: "k-v19-ternary-public",
			want: []want{w(mod, F, F, "main.tf", 8, 8)}},
		{name: "k module 19.0.1 ternary sends an empty list when private", dir: "k-v19-ternary-private",
			want: []want{w(mod, P, P, "main.tf", 1, 1).with("sends an empty allowlist")}},
		{name: "k module ~> 20.0 defaults", dir: "k-v20-defaults",
			want: []want{w(mod, P, P, "main.tf", 1, 1).with("v20 default")}},
		{name: "k module 20.8.4 public without allowlist is open", dir: "k-v20-public",
			want: []want{w(mod, F, F, "main.tf", 7, 7)}},
		{name: "k module ~> 21.0 defaults", dir: "k-v21-defaults",
			want: []want{w(mod, P, P, "main.tf", 1, 1).with("v21 default")}},
		{name: "k module ~> 21.0 with v21 argument names", dir: "k-v21-args",
			want: []want{w(mod, P, F, "main.tf", 8, 7)}},
		{name: "k module ~> 21.0 with v20 argument names is rejected", dir: "k-v21-old-names",
			want:     []want{w(mod, U, U, "main.tf", 7, 7).with("does not accept")},
			problems: []string{`main.tf:7: Unsupported argument: terraform-aws-modules/eks v21 (version "~> 21.0") has no argument "cluster_endpoint_public_access"`}},
		{name: "k module range selects the newest v19", dir: "k-range",
			want: []want{w(mod, P, P, "main.tf", 2, 2).with(`v19 default (version ">= 18, < 20")`)}},
		{name: "k module from git with a release ref, submodule ignored", dir: "k-git-ref",
			want: []want{w(mod, F, F, "main.tf", 1, 1).with("git ref v18.31.2")}},
		{name: "k module without version is unknown", dir: "k-no-version",
			want: []want{w(mod, U, U, "main.tf", 1, 1).with("no version constraint")}},
		{name: "k module version from .terraform/modules/modules.json", dir: "k-installed",
			want: []want{w(mod, F, F, "main.tf", 1, 1).with("18.31.2 installed")}},
		{name: "k module create = false; cloudposse/eks-cluster is modelled", dir: "k-create-false",
			want: []want{w("module.other.aws_eks_cluster.default[0]", F, F, "main.tf", 9, 9)}},
		{name: "k module for_each with per-key arguments", dir: "k-for-each", want: []want{
			w(`module.eks["blue"].aws_eks_cluster.this[0]`, P, P, "main.tf", 15, 15),
			w(`module.eks["green"].aws_eks_cluster.this[0]`, F, F, "main.tf", 15, 15),
		}},
		{name: "k local checkout of the module called as ../..", dir: "k-local-checkout",
			want: []want{w(mod, F, F, "main.tf", 16, 6).file542In("examples/complete/main.tf").with("from the module.eks argument at examples/complete/main.tf:6")}},
		{name: "nested local modules", dir: "n-nested",
			want: []want{w("module.platform.module.eks.aws_eks_cluster.this", P, P, "modules/platform/main.tf", 9, 9).with("from the module.eks argument at modules/platform/main.tf:9")}},
		{name: "l .tf.json with interpolation and a block list", dir: "l-json", want: []want{
			w(cl, P, P, "main.tf.json", 16, 16),
			w("aws_eks_cluster.open", F, F, "main.tf.json", 19, 19),
		}},
		{name: "l .tf.json module call", dir: "l-json-module",
			want: []want{w(mod, F, F, "main.tf.json", 3, 3).with("v18 default")}},
		{name: "m capitalised False is invalid Terraform: unknown and a problem", dir: "m-capital-false",
			want:     []want{w(cl, U, U, "main.tf", 9, 9).with("False is not a Terraform boolean")},
			problems: []string{"main.tf:8: Invalid reference: True is not a boolean", "main.tf:9: Invalid reference: False is not a boolean"}},
		{name: "override files are not merged: their resources are unknown", dir: "o-override",
			want: []want{w(cl, U, U, "main.tf", 1, 1).with("also declared in override.tf")}},
		{name: "null means unset; IPv6 clusters default to both worlds", dir: "q-null-ipv6", want: []want{
			w("aws_eks_cluster.v6", F, F, "main.tf", 17, 17).with("var.public is null, so the AWS provider default applies"),
			w(mod, F, F, "main.tf", 26, 26).with("null passes through the module"),
		}},
		{name: "malformed file is reported and the others are scanned", dir: "x-malformed",
			want:     []want{w("aws_eks_cluster.good", P, P, "good.tf", 8, 8)},
			problems: []string{"broken.tf:8: Invalid expression"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := New().Scan(load(t, filepath.Join("testdata", "hcl", tc.dir)), tc.opts)
			checkResult(t, res, tc)
		})
	}
}

func checkResult(t *testing.T, res iac.Result, tc scanCase) {
	t.Helper()
	got := map[string]iac.Resource{}
	var names []string
	for _, r := range res.Resources {
		got[r.Cluster.Name] = r
		names = append(names, r.Cluster.Name)
	}
	if len(res.Resources) != len(tc.want) {
		t.Errorf("clusters = %v, want %d", names, len(tc.want))
	}
	for _, x := range tc.want {
		r, ok := got[x.name]
		if !ok {
			t.Errorf("no cluster %s among %v", x.name, names)
			continue
		}
		a, b := verdicts(r)
		if a.Status != x.s541 || b.Status != x.s542 {
			t.Errorf("%s: 5.4.1 = %s (%s), 5.4.2 = %s (%s); want %s, %s", x.name, a.Status, a.Reason, b.Status, b.Reason, x.s541, x.s542)
		}
		file542 := x.file
		if x.file542 != "" {
			file542 = x.file542
		}
		for _, c := range []struct {
			ctl  string
			loc  *model.Location
			file string
			line int
		}{{"5.4.1", a.Location, x.file, x.line541}, {"5.4.2", b.Location, file542, x.line542}} {
			if c.loc == nil || c.loc.File != c.file || c.loc.Line != c.line {
				t.Errorf("%s: %s location = %v, want %s:%d", x.name, c.ctl, c.loc, c.file, c.line)
			}
		}
		if x.detail != "" && !strings.Contains(details(r.Cluster), x.detail) {
			t.Errorf("%s: details %q do not mention %q", x.name, details(r.Cluster), x.detail)
		}
	}
	probs := problemStrings(res.Problems)
	for _, p := range res.Problems {
		if p.Code == "" {
			t.Errorf("problem without a code: %s", p)
		}
	}
	for _, p := range tc.problems {
		if !strings.Contains(probs, p) {
			t.Errorf("problems:\n%s\nwant one containing %q", probs, p)
		}
	}
	if len(res.Problems) != len(tc.problems) {
		t.Errorf("problems:\n%s\nwant %d", probs, len(tc.problems))
	}
}

func details(c *model.Cluster) string {
	parts := []string{c.EndpointPublicAccess.Detail, c.EndpointPrivateAccess.Detail, c.PublicAccessCIDRs.Detail}
	parts = append(parts, c.Notes...)
	return strings.Join(parts, " | ")
}

// TestPlanMatrix is the plan part of the matrix: plans from `terraform show -json`, old and new
// format versions, through the adapter like any input file.
func TestPlanMatrix(t *testing.T) {
	cases := []struct {
		scanCase
		file string
	}{
		{file: "create-defaults-0.1.json", scanCase: scanCase{name: "create with defaults (format 0.1), data source skipped",
			want: []want{w("aws_eks_cluster.cluster", F, F, "create-defaults-0.1.json", 35, 35).with("EKS default: public_access_cidrs is not set in the configuration")}}},
		{file: "create-cidrs-1.2.json", scanCase: scanCase{name: "create with configured allowlist (format 1.2, one-line JSON)",
			want: []want{w("aws_eks_cluster.main", P, F, "create-cidrs-1.2.json", 3, 3)}}},
		{file: "update-noop-1.2.json", scanCase: scanCase{name: "no-op and update carry state values, delete skipped", want: []want{
			w("aws_eks_cluster.legacy", F, F, "update-noop-1.2.json", 6, 6),
			w("aws_eks_cluster.tightened", P, P, "update-noop-1.2.json", 18, 18),
		}}},
		{file: "unknown-public-1.2.json", scanCase: scanCase{name: "values known only after apply", want: []want{
			w("aws_eks_cluster.main", U, U, "unknown-public-1.2.json", 5, 5).with("vpc_config[0].endpoint_public_access is known only after apply (depends on data.aws_ssm_parameter.public.value)"),
			w("aws_eks_cluster.cidrs_from_vpc", U, F, "unknown-public-1.2.json", 17, 17).with("(depends on aws_vpc.main.cidr_block)"),
		}}},
		{file: "nested-modules-1.2.json", scanCase: scanCase{name: "nested modules, instance keys, module data source skipped", want: []want{
			w("module.child_0.module.child_1_a.aws_eks_cluster.cluster", P, P, "nested-modules-1.2.json", 4, 4),
			w(`module.child_0.module.child_1_b["x"].aws_eks_cluster.cluster[0]`, F, F, "nested-modules-1.2.json", 9, 9).with("AWS provider default (not set in the configuration)"),
			w("module.eks.aws_eks_cluster.this[0]", P, F, "nested-modules-1.2.json", 14, 14),
		}}},
		{file: "dynamic-vpc-1.2.json", scanCase: scanCase{name: "dynamic vpc_config hides whether the allowlist is set",
			want: []want{w("aws_eks_cluster.dyn", U, F, "dynamic-vpc-1.2.json", 4, 4).with("dynamic block")}}},
		{file: "bad-version.json", scanCase: scanCase{name: "unsupported format version",
			problems: []string{`bad-version.json: plan format_version "2.0" is not supported`}}},
		{file: "truncated.json", scanCase: scanCase{name: "truncated plan",
			problems: []string{"truncated.json:1: cannot read the plan"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join("testdata", "plan", tc.file)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			res := New().Scan(&iac.Input{Files: []*iac.File{{Path: p, Name: tc.file, Data: data}}}, iac.Options{})
			checkResult(t, res, tc.scanCase)
			if len(res.Claimed) != 1 {
				t.Errorf("claimed = %v", res.Claimed)
			}
			for _, r := range res.Resources {
				if r.Fix != nil {
					t.Errorf("%s: plans are not edited, but Fix is set", r.Cluster.Name)
				}
				if r.Cluster.Source != model.SourceTerraformPlan {
					t.Errorf("%s: source = %s", r.Cluster.Source, r.Cluster.Name)
				}
			}
		})
	}
}

// TestClaimed checks which files the adapter takes: Terraform files and plans, whatever their name,
// but not other JSON, and nothing under .terraform unless named.
func TestClaimed(t *testing.T) {
	plan, err := os.ReadFile("testdata/plan/create-cidrs-1.2.json")
	if err != nil {
		t.Fatal(err)
	}
	in := &iac.Input{Files: []*iac.File{
		{Path: "x/main.tf", Name: "x/main.tf", Data: []byte("")},
		{Path: "x/vars.tf.json", Name: "x/vars.tf.json", Data: []byte("{}")},
		{Path: "x/terraform.tfvars", Name: "x/terraform.tfvars", Data: []byte("")},
		{Path: "x/prod.tfvars.json", Name: "x/prod.tfvars.json", Data: []byte("{}")},
		{Path: "x/tfplan", Name: "x/tfplan", Data: plan},
		{Path: "x/package.json", Name: "x/package.json", Data: []byte(`{"name": "x", "format_version": "1"}`)},
		{Path: "x/template.yaml", Name: "x/template.yaml", Data: []byte("Resources: {}")},
		{Path: "x/.terraform/modules/m/main.tf", Name: "x/.terraform/modules/m/main.tf", Data: []byte("")},
	}}
	res := New().Scan(in, iac.Options{})
	sort.Strings(res.Claimed)
	want := []string{"x/main.tf", "x/prod.tfvars.json", "x/terraform.tfvars", "x/tfplan", "x/vars.tf.json"}
	if strings.Join(res.Claimed, ",") != strings.Join(want, ",") {
		t.Errorf("claimed = %v, want %v", res.Claimed, want)
	}
	if len(res.Resources) != 1 || res.Resources[0].Cluster.Source != model.SourceTerraformPlan {
		t.Errorf("resources = %d, want the plan's cluster", len(res.Resources))
	}
}

func TestNewestAllowed(t *testing.T) {
	tests := []struct {
		constraint string
		major      int
		ternary    bool
	}{
		{"~> 18.0", 18, false},
		{"~> 19.0", 19, false},
		{"~> 19.0.0", 19, false},
		{"19.0.1", 19, true},
		{"= 19.0.0", 19, true},
		{">= 19.0.0, <= 19.0.1", 19, true},
		{">= 18, < 20", 19, false},
		{"~> 20.8.0", 20, false},
		{"20.8.4", 20, false},
		{">= 18", 21, false},
		{"~> 21.0", 21, false},
	}
	for _, tt := range tests {
		t.Run(tt.constraint, func(t *testing.T) {
			in := &instance{s: newScanner(iac.Options{}), mod: &module{dir: t.TempDir()}}
			in.root = in
			c := &callDecl{name: "eks", version: tt.constraint, file: &srcFile{name: "main.tf"}}
			rel, why := in.eksVersion(c, "")
			if why != "" || rel.major != tt.major || rel.ternary != tt.ternary {
				t.Errorf("got v%d ternary=%v (%s), want v%d ternary=%v", rel.major, rel.ternary, why, tt.major, tt.ternary)
			}
		})
	}
	for _, bad := range []string{"~> 16.0", "22.0.0", "20.99.0"} {
		in := &instance{s: newScanner(iac.Options{}), mod: &module{dir: t.TempDir()}}
		in.root = in
		if rel, why := in.eksVersion(&callDecl{name: "eks", version: bad, file: &srcFile{name: "main.tf"}}, ""); why == "" {
			t.Errorf("%s: selected v%d, want unknown", bad, rel.major)
		}
	}
}

func TestEKSSource(t *testing.T) {
	tests := []struct {
		src, ref string
		ok       bool
	}{
		{"terraform-aws-modules/eks/aws", "", true},
		{"registry.terraform.io/terraform-aws-modules/eks/aws", "", true},
		{"terraform-aws-modules/eks/aws//modules/karpenter", "", false},
		{"git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.8.0", "v20.8.0", true},
		{"github.com/terraform-aws-modules/terraform-aws-eks?ref=v19.21.0", "v19.21.0", true},
		{"git@github.com:terraform-aws-modules/terraform-aws-eks.git", "", true},
		{"git::https://github.com/terraform-aws-modules/terraform-aws-eks.git//modules/eks-managed-node-group?ref=v20.8.0", "", false},
		{"cloudposse/eks-cluster/aws", "", false},
		{"./modules/eks", "", false},
	}
	for _, tt := range tests {
		ref, ok := eksSource(tt.src)
		if ok != tt.ok || ref != tt.ref {
			t.Errorf("%s: got %q %v, want %q %v", tt.src, ref, ok, tt.ref, tt.ok)
		}
	}
}

func TestParseCLIVar(t *testing.T) {
	str := &varDecl{literal: true}
	typedStr := &varDecl{literal: true, typed: true}
	list := &varDecl{literal: false, typed: true}
	tests := []struct {
		name string
		d    *varDecl
		raw  string
		want string
	}{
		{"untyped string", str, "prod", `"prod"`},
		{"untyped bool", str, "false", "false"},
		{"untyped list", str, `["10.0.0.0/8"]`, `["10.0.0.0/8"]`},
		{"typed string keeps brackets", typedStr, `[x]`, `"[x]"`},
		{"typed list", list, `["a", "b"]`, `["a", "b"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := newScanner(iac.Options{}).parseCLIVar(tt.d, tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := valueText(v); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := newScanner(iac.Options{}).parseCLIVar(list, "[unterminated"); err == nil {
		t.Error("a broken list parsed")
	}
}

func TestIPv6DefaultAllowlist(t *testing.T) {
	res := New().Scan(load(t, "testdata/hcl/q-null-ipv6"), iac.Options{})
	r := find(t, res, "aws_eks_cluster.v6")
	if got := strings.Join(r.Cluster.PublicAccessCIDRs.Values, ","); got != "0.0.0.0/0,::/0" || r.Cluster.IPFamily != "ipv6" {
		t.Errorf("ipv6 cluster allowlist = %s (family %q), want both worlds", got, r.Cluster.IPFamily)
	}
	if a, _ := verdicts(r); a.Status != finding.Fail {
		t.Errorf("5.4.1 = %s (%s), want FAIL", a.Status, a.Reason)
	}
}

// TestBareTypeKeywords: `type = map`, `list` and `set` (Terraform 0.11 syntax, still valid) are
// map(any), list(any) and set(any), not problems.
func TestBareTypeKeywords(t *testing.T) {
	res := New().Scan(load(t, filepath.Join("testdata", "hcl", "bare-types")), iac.Options{})
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %s", problemStrings(res.Problems))
	}
	r := find(t, res, "module.cluster.aws_eks_cluster.this")
	r541, r542 := verdicts(r)
	if r541.Status != finding.Pass || r542.Status != finding.Fail {
		t.Errorf("5.4.1 %s (%s), 5.4.2 %s (%s)", r541.Status, r541.Reason, r542.Status, r542.Reason)
	}
	if got := r.Cluster.EnabledLogTypes.Values; len(got) != 5 {
		t.Errorf("log types from a set(any) default = %v", got)
	}
}

// TestLocalModuleOutputs: values a local module returns (from its inputs and locals, through a local
// of the caller) decide the verdicts; an output known only after apply stays unknown, naming it.
func TestLocalModuleOutputs(t *testing.T) {
	res := New().Scan(load(t, filepath.Join("testdata", "hcl", "module-outputs")), iac.Options{})
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %s", problemStrings(res.Problems))
	}
	main := find(t, res, "aws_eks_cluster.main")
	r541, r542 := verdicts(main)
	if r541.Status != finding.Pass || r542.Status != finding.Pass {
		t.Errorf("main: 5.4.1 %s (%s), 5.4.2 %s (%s)", r541.Status, r541.Reason, r542.Status, r542.Reason)
	}
	if c := main.Cluster; len(c.EnabledLogTypes.Values) != 5 || c.SecretsKeyARN.Value != "arn:aws:kms:eu-west-1:111111111111:key/prod" {
		t.Errorf("main: logs %v, key %q", c.EnabledLogTypes.Values, c.SecretsKeyARN.Value)
	}
	fromVPC := find(t, res, "aws_eks_cluster.from_vpc")
	if pub := fromVPC.Cluster.EndpointPublicAccess; pub.Known() || !strings.Contains(pub.Detail, "module.network.vpc_id is unknown") || !strings.Contains(pub.Detail, "aws_vpc.this.id") {
		t.Errorf("from_vpc public access = %+v", pub)
	}
}

// TestRemoteModules: a registry module eksguard does not model is read from the copy terraform init
// installed; one not installed is listed as skipped, and judged UNKNOWN when it is passed endpoint
// settings, never dropped without a trace.
func TestRemoteModules(t *testing.T) {
	res := New().Scan(load(t, filepath.Join("testdata", "hcl", "remote-modules")), iac.Options{})
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %s", problemStrings(res.Problems))
	}
	installed := find(t, res, "module.eks_cluster.aws_eks_cluster.default")
	if a, b := verdicts(installed); a.Status != finding.Pass || b.Status != finding.Pass || b.Location.File != "main.tf" || b.Location.Line != 7 {
		t.Errorf("installed copy: 5.4.1 %s, 5.4.2 %s at %+v", a.Status, b.Status, b.Location)
	}
	guessed := find(t, res, "module.not_installed")
	a, b := verdicts(guessed)
	if a.Status != finding.Unknown || b.Status != finding.Unknown || !strings.Contains(a.Reason, "cluster_endpoint_public_access, cluster_endpoint_public_access_cidrs") {
		t.Errorf("not installed: 5.4.1 %s (%s), 5.4.2 %s", a.Status, a.Reason, b.Status)
	}
	if _, _, err := iac.PlanFix(guessed, model.Settings{EndpointPublicAccess: model.Ptr(false)}); err == nil {
		t.Error("an edit was offered for a module eksguard does not read")
	}
	var skipped []string
	for _, s := range res.Skipped {
		skipped = append(skipped, fmt.Sprintf("%s %s:%d %s %s", s.Resource, s.File, s.Line, s.Source, s.Version))
	}
	want := []string{"module.not_installed main.tf:11 app.terraform.io/acme/eks/aws ~> 2.1", "module.vpc main.tf:20 terraform-aws-modules/vpc/aws ~> 5.0"}
	if strings.Join(skipped, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(skipped, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Resources) != 2 {
		t.Errorf("%d clusters, want 2", len(res.Resources))
	}
}

// TestEKSModuleOutputs: a terraform-aws-modules/eks call's cluster_name and cluster_version are
// what the call passes; its other outputs are known only after apply, and say so.
func TestEKSModuleOutputs(t *testing.T) {
	res := New().Scan(load(t, filepath.Join("testdata", "hcl", "eks-outputs")), iac.Options{})
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %s", problemStrings(res.Problems))
	}
	c := find(t, res, "aws_eks_cluster.sidecar").Cluster
	if pub := c.EndpointPublicAccess; !pub.Known() || pub.Value {
		t.Errorf("public access from module outputs = %+v, want false", pub)
	}
	if cidrs := c.PublicAccessCIDRs; cidrs.Known() || !strings.Contains(cidrs.Detail, "module.eks.cluster_endpoint is known only after the cluster is created") {
		t.Errorf("allowlist = %+v", cidrs)
	}
}
