package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

const notJudged = finding.Status("")

// partsCase is one cluster of a fixture under testdata/parts, judged by a check that reads its
// parts.
type partsCase struct {
	name    string
	dir     string
	cluster string
	check   *check.Check
	// status is the verdict, notJudged when the check must not apply to the cluster; reason a
	// substring of its reason, at the file:line at.
	status finding.Status
	reason string
	at     string
	// nodeGroups are the node groups' names in order; subnets the cluster's subnets by ID, each
	// with its internet route ("" for none, "?" for unknown).
	nodeGroups []string
	subnets    map[string]string
}

// TestParts reads node groups, the subnets and route tables they use, and add-ons from fixture
// trees written the way real repositories write them, and judges them with the checks of CIS
// 5.4.3 and 5.4.4.
func TestParts(t *testing.T) {
	nodes, netpol := check.PrivateNodes, check.NetworkPolicy
	cases := []partsCase{
		{name: "node group in private subnets behind a NAT gateway (count, tfvars, aws_route)", dir: "nat-private", cluster: "aws_eks_cluster.this",
			check: nodes, status: finding.Pass, at: "eks.tf:1",
			nodeGroups: []string{"general"},
			subnets:    map[string]string{"aws_subnet.private[0]": "", "aws_subnet.private[1]": "", "aws_subnet.private[2]": ""}},
		{name: "node groups in subnets routed to an internet gateway (for_each, aws_route, CRLF)", dir: "igw-public", cluster: "aws_eks_cluster.edge",
			check: nodes, status: finding.Fail, reason: "workers", at: "main.tf:17",
			nodeGroups: []string{"workers", "batch-"},
			subnets: map[string]string{`aws_subnet.public["us-east-1a"]`: "0.0.0.0/0 -> aws_internet_gateway.gw",
				`aws_subnet.public["us-east-1b"]`: "0.0.0.0/0 -> aws_internet_gateway.gw"}},
		{name: "a literal subnet id is not declared in the tree", dir: "literal-subnet", cluster: "aws_eks_cluster.shared",
			check: nodes, status: finding.Unknown, reason: "subnet-0123456789abcdef0 is not declared in this tree", at: "main.tf:12",
			subnets: map[string]string{"subnet-0123456789abcdef0": "?"}},
		{name: "subnets from a variable's default list of ids are not declared in the tree", dir: "literal-subnet", cluster: "aws_eks_cluster.from_var",
			check: nodes, status: finding.Unknown, reason: "subnet-0a1b2c3d4e5f60718 is not declared in this tree",
			subnets: map[string]string{"subnet-0a1b2c3d4e5f60718": "?", "subnet-0f1e2d3c4b5a69788": "?"}},
		{name: "subnets from a variable without a value", dir: "literal-subnet", cluster: "aws_eks_cluster.unset",
			check: nodes, status: finding.Unknown, reason: "var.node_subnets has no value", subnets: map[string]string{}},
		{name: "no association: the VPC's main table, which has only the local route", dir: "main-table", cluster: "aws_eks_cluster.a",
			check: nodes, status: finding.Pass, subnets: map[string]string{"aws_subnet.a[0]": "", "aws_subnet.a[1]": ""}},
		{name: "no association: the main table managed by aws_default_route_table routes to the internet", dir: "main-table", cluster: "aws_eks_cluster.b",
			check: nodes, status: finding.Fail, reason: "0.0.0.0/0 -> aws_internet_gateway.b", at: "main.tf:30",
			subnets: map[string]string{"aws_subnet.b": "0.0.0.0/0 -> aws_internet_gateway.b"}},
		{name: "no association: aws_main_route_table_association makes a NAT table the main one", dir: "main-table", cluster: "aws_eks_cluster.c",
			check: nodes, status: finding.Pass, subnets: map[string]string{"aws_subnet.c": ""}},
		{name: "terraform-aws-modules/vpc private_subnets", dir: "vpc-module", cluster: "aws_eks_cluster.obs",
			check: nodes, status: finding.Pass, nodeGroups: []string{"private"},
			subnets: map[string]string{"module.vpc.private_subnets[0]": "", "module.vpc.private_subnets[1]": "", "module.vpc.private_subnets[2]": ""}},
		{name: "terraform-aws-modules/vpc public_subnets", dir: "vpc-module", cluster: "aws_eks_cluster.ingress",
			check: nodes, status: finding.Fail, reason: "0.0.0.0/0 -> module.vpc internet gateway", at: "main.tf:21",
			subnets: map[string]string{"module.vpc.public_subnets[0]": "0.0.0.0/0 -> module.vpc internet gateway", "module.vpc.public_subnets[1]": "0.0.0.0/0 -> module.vpc internet gateway"}},
		{name: "terraform-aws-modules/vpc private_subnets of a computed length", dir: "vpc-module-computed", cluster: "aws_eks_cluster.private",
			check: nodes, status: finding.Pass, nodeGroups: []string{"private"},
			subnets: map[string]string{"module.vpc.private_subnets[*]": ""}},
		{name: "terraform-aws-modules/vpc public_subnets of a computed length", dir: "vpc-module-computed", cluster: "aws_eks_cluster.public",
			check: nodes, status: finding.Fail, reason: "subnet module.vpc.public_subnets[*] (route 0.0.0.0/0 -> module.vpc internet gateway",
			subnets: map[string]string{"module.vpc.public_subnets[*]": "0.0.0.0/0 -> module.vpc internet gateway"}},
		{name: "terraform-aws-modules/eks v20 node groups with and without subnet_ids", dir: "eks-module", cluster: "module.eks.aws_eks_cluster.this[0]",
			check: nodes, status: finding.Pass, nodeGroups: []string{"gpu-a10g", "system"},
			subnets: map[string]string{"module.vpc.private_subnets[0]": "", "module.vpc.private_subnets[1]": "", "module.vpc.private_subnets[2]": ""}},
		{name: "terraform-aws-modules/eks v21 node group in public subnets, self-managed nodes with public IPs", dir: "eks-module-v21", cluster: "module.eks.aws_eks_cluster.this[0]",
			check: nodes, status: finding.Fail, reason: "module.vpc.public_subnets[0]", at: "main.tf:36",
			nodeGroups: []string{"default", "edge", "bastion"},
			subnets: map[string]string{"module.vpc.private_subnets[0]": "", "module.vpc.private_subnets[1]": "",
				"module.vpc.public_subnets[0]": "0.0.0.0/0 -> module.vpc internet gateway", "module.vpc.public_subnets[1]": "0.0.0.0/0 -> module.vpc internet gateway"}},
		{name: "node groups of a child module in the subnets of a sibling module", dir: "child-module", cluster: "module.cluster.aws_eks_cluster.this",
			check: nodes, status: finding.Pass, at: "modules/cluster/main.tf:25", nodeGroups: []string{"orders-general", "orders-memory"},
			subnets: map[string]string{`module.network.aws_subnet.private["us-east-2a"]`: "", `module.network.aws_subnet.private["us-east-2b"]`: ""}},
		{name: "a .tf.json tree: node group, subnets with count, inline route", dir: "json", cluster: "aws_eks_cluster.main",
			check: nodes, status: finding.Fail, at: "main.tf.json:10",
			subnets: map[string]string{"aws_subnet.nodes[0]": "0.0.0.0/0 -> aws_internet_gateway.main", "aws_subnet.nodes[1]": "0.0.0.0/0 -> aws_internet_gateway.main"}},
		{name: "a cluster with add-ons but no node group is not judged on its nodes", dir: "addons", cluster: `aws_eks_cluster.this["json"]`,
			check: nodes, status: notJudged},

		{name: "add-on configuration from jsonencode and tfvars", dir: "addons", cluster: `aws_eks_cluster.this["json"]`,
			check: netpol, status: finding.Pass, at: "addons.tf:14"},
		{name: "add-on configuration in a heredoc of YAML, tied by the cluster's name", dir: "addons", cluster: `aws_eks_cluster.this["yaml"]`,
			check: netpol, status: finding.Pass, at: "addons.tf:27"},
		{name: "add-on configuration from a variable without a value", dir: "addons", cluster: `aws_eks_cluster.this["unknown"]`,
			check: netpol, status: finding.Unknown, reason: "var.cni_config has no value", at: "addons.tf:37"},
		{name: "a tree that manages coredns but not the VPC CNI", dir: "addons", cluster: `aws_eks_cluster.this["coredns"]`,
			check: netpol, status: finding.Manual},
		{name: "add-ons with for_each, network policy off", dir: "addons", cluster: `aws_eks_cluster.this["each"]`,
			check: netpol, status: finding.Fail, reason: `"false"`, at: "addons.tf:59"},
		{name: "add-on in a child module with a default variable", dir: "child-module", cluster: "module.cluster.aws_eks_cluster.this",
			check: netpol, status: finding.Pass, at: "modules/cluster/main.tf:57"},
		{name: "an add-on in a .tf.json tree", dir: "json", cluster: "aws_eks_cluster.main",
			check: netpol, status: finding.Pass, at: "main.tf.json:51"},
		{name: "terraform-aws-modules/eks v20 cluster_addons", dir: "eks-module", cluster: "module.eks.aws_eks_cluster.this[0]",
			check: netpol, status: finding.Pass, at: "main.tf:59"},
		{name: "terraform-aws-modules/eks v21 addons without the VPC CNI", dir: "eks-module-v21", cluster: "module.eks.aws_eks_cluster.this[0]",
			check: netpol, status: finding.Manual},
		{name: "a cluster with node groups but no add-on is not judged on network policy", dir: "nat-private", cluster: "aws_eks_cluster.this",
			check: netpol, status: notJudged},
	}
	scans := map[string]iac.Result{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, ok := scans[tc.dir]
			if !ok {
				res = New().Scan(load(t, filepath.Join("testdata", "parts", tc.dir)), iac.Options{})
				scans[tc.dir] = res
			}
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %s", problemStrings(res.Problems))
			}
			c := find(t, res, tc.cluster).Cluster
			if !tc.check.Applies(c) {
				if tc.status != notJudged {
					t.Fatalf("%s does not apply: parts %v", tc.check.ID, c.Parts)
				}
				return
			}
			if tc.status == notJudged {
				t.Fatalf("%s applies, want it not judged: parts %v", tc.check.ID, c.Parts)
			}
			o := tc.check.Evaluate(c)
			if o.Status != tc.status || !strings.Contains(o.Reason, tc.reason) {
				t.Errorf("%s: %s, want %s with %q", o.Status, o.Reason, tc.status, tc.reason)
			}
			if o.Location == nil {
				t.Errorf("no location")
			} else if got := fmt.Sprintf("%s:%d", o.Location.File, o.Location.Line); tc.at != "" && got != tc.at {
				t.Errorf("verdict at %s, want %s", got, tc.at)
			}
			if tc.nodeGroups != nil {
				var names []string
				for _, ng := range c.NodeGroups {
					names = append(names, ng.Name)
					if ng.Loc == nil || ng.Loc.Line == 0 {
						t.Errorf("node group %s has no location", ng.Name)
					}
				}
				if strings.Join(names, ",") != strings.Join(tc.nodeGroups, ",") {
					t.Errorf("node groups %v, want %v", names, tc.nodeGroups)
				}
			}
			if tc.subnets != nil {
				got := map[string]string{}
				for _, s := range c.Subnets {
					got[s.ID] = s.InternetRoute
					if !s.Routed.Known() {
						got[s.ID] = "?"
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.subnets) {
					t.Errorf("subnets %v, want %v", got, tc.subnets)
				}
			}
		})
	}
}

// TestPartsDetails holds the model to what the checks show as evidence: where a value came from
// and why one is unknown.
func TestPartsDetails(t *testing.T) {
	scan := func(t *testing.T, dir string) iac.Result {
		t.Helper()
		res := New().Scan(load(t, filepath.Join("testdata", "parts", dir)), iac.Options{})
		if len(res.Problems) > 0 {
			t.Fatalf("problems: %s", problemStrings(res.Problems))
		}
		return res
	}
	cases := []struct {
		name string
		dir  string
		test func(t *testing.T, res iac.Result)
	}{
		{"a subnet's public IPs and route table", "nat-private", func(t *testing.T, res iac.Result) {
			c := find(t, res, "aws_eks_cluster.this").Cluster
			s := c.Subnets[0]
			if s.Name != "aws_subnet.private[0]" || s.RouteTable != "aws_route_table.private" || s.MapPublicIPOnLaunch != model.Default(false, providerDefault) || s.Loc == nil || s.Loc.File != "network.tf" || s.Loc.Line != 27 {
				t.Errorf("subnet %+v", s)
			}
			ng := c.NodeGroups[0]
			if ng.NodeRole != "aws_iam_role.node.arn" || ng.RemoteAccess.Value || !ng.RemoteAccess.Known() || ng.Loc.File != "eks.tf" || ng.Loc.Line != 13 {
				t.Errorf("node group %+v", ng)
			}
		}},
		{"a node group's SSH access and security groups", "eks-module", func(t *testing.T, res iac.Result) {
			c := find(t, res, "module.eks.aws_eks_cluster.this[0]").Cluster
			ng := c.NodeGroups[0]
			if ng.Name != "gpu-a10g" || !ng.RemoteAccess.Value || strings.Join(ng.RemoteAccessSources, ",") != "sg-0123456789abcdef0" || ng.Subnets.Values[0] != "module.vpc.private_subnets[0]" {
				t.Errorf("node group %+v", ng)
			}
		}},
		{"an unknown subnet list says which variable", "literal-subnet", func(t *testing.T, res iac.Result) {
			ng := find(t, res, "aws_eks_cluster.unset").Cluster.NodeGroups[0]
			if ng.Subnets.Known() || !strings.Contains(ng.Subnets.Detail, "var.node_subnets has no value") || ng.Subnets.Loc == nil || ng.Subnets.Loc.Line != 69 {
				t.Errorf("subnets %+v", ng.Subnets)
			}
		}},
		{"a variable's subnets say where they were set", "literal-subnet", func(t *testing.T, res iac.Result) {
			ng := find(t, res, "aws_eks_cluster.from_var").Cluster.NodeGroups[0]
			if !strings.Contains(ng.Subnets.Detail, "from the default at main.tf:5") {
				t.Errorf("subnets %+v", ng.Subnets)
			}
		}},
		{"add-on configuration values as the add-on receives them", "addons", func(t *testing.T, res iac.Result) {
			want := map[string]string{
				`aws_eks_cluster.this["json"]`: `{"enableNetworkPolicy":"true","env":{"WARM_IP_TARGET":"5"}}`,
				`aws_eks_cluster.this["yaml"]`: "enableNetworkPolicy: \"true\"\nnodeAgent:\n  enabled: \"true\"\n",
			}
			for cl, text := range want {
				a := find(t, res, cl).Cluster.Addons
				if len(a) != 1 || a[0].Name != "vpc-cni" || a[0].ConfigurationValues.Value != text || a[0].ConfigurationValues.Origin != model.OriginExplicit {
					t.Errorf("%s: %+v", cl, a)
				}
			}
			each := find(t, res, `aws_eks_cluster.this["each"]`).Cluster.Addons
			if len(each) != 3 || each[0].Name != "coredns" || each[0].Version != "v1.11.3-eksbuild.2" || each[0].ConfigurationValues != (model.String{Origin: model.OriginDefault, Loc: each[0].ConfigurationValues.Loc, Detail: each[0].ConfigurationValues.Detail}) {
				t.Errorf("add-ons %+v", each)
			}
			coredns := find(t, res, `aws_eks_cluster.this["coredns"]`).Cluster.Addons[0]
			if coredns.ConfigurationValues != model.DefaultString("", noConfig) {
				t.Errorf("an add-on without configuration_values: %+v", coredns.ConfigurationValues)
			}
		}},
		{"self-managed nodes with public IPs, managed ones without", "eks-module-v21", func(t *testing.T, res iac.Result) {
			for _, ng := range find(t, res, "module.eks.aws_eks_cluster.this[0]").Cluster.NodeGroups {
				pn := ng.PrivateNetworking
				switch {
				case ng.Name == "bastion" && (pn == nil || pn.Value || !pn.Known() || pn.Loc == nil || pn.Loc.Line != 36):
					t.Errorf("bastion: privateNetworking %+v", pn)
				case ng.Name != "bastion" && pn != nil:
					t.Errorf("%s: privateNetworking %+v", ng.Name, pn)
				}
			}
		}},
		{"terraform-aws-modules/eks add-ons by key", "eks-module", func(t *testing.T, res iac.Result) {
			var names []string
			for _, a := range find(t, res, "module.eks.aws_eks_cluster.this[0]").Cluster.Addons {
				names = append(names, a.Name)
			}
			if strings.Join(names, ",") != "coredns,kube-proxy,vpc-cni" {
				t.Errorf("add-ons %v", names)
			}
		}},
		{"a public subnet of terraform-aws-modules/vpc v5 maps no public IP by default", "vpc-module", func(t *testing.T, res iac.Result) {
			s := find(t, res, "aws_eks_cluster.ingress").Cluster.Subnets[0]
			if s.MapPublicIPOnLaunch.Value || s.MapPublicIPOnLaunch.Origin != model.OriginDefault || s.Name != "module.vpc.public_subnets[0]" {
				t.Errorf("subnet %+v", s)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, scan(t, tc.dir)) })
	}
}

// TestRegistries reads a root's ECR repositories and registry scanning configuration into one
// registry, judged by the check of CIS 5.1.1.
func TestRegistries(t *testing.T) {
	cases := []struct {
		name     string
		dir      string
		opts     iac.Options
		status   finding.Status
		reason   string
		scanType model.String
		rules    string
		// repos are name=scanOnPush(origin) in order.
		repos  string
		loc    string
		detail string
	}{
		{name: "repositories with for_each, scan_on_push from tfvars, an enhanced scanning configuration with a dynamic rule", dir: "ecr",
			status: finding.Pass, scanType: model.String{Value: "ENHANCED", Origin: model.OriginExplicit},
			rules: "CONTINUOUS_SCAN[shop/*] SCAN_ON_PUSH[base-images/*] SCAN_ON_PUSH[tools/*]",
			repos: "shop/api=true(explicit) shop/web=true(explicit) shop/worker=true(explicit) base-images/debian=false(default)",
			loc:   "ecr.tf:1", detail: "var.scan_on_push = true from terraform.tfvars:2"},
		{name: "scan_on_push from -var", dir: "ecr", opts: iac.Options{Vars: map[string]string{"scan_on_push": "false"}},
			status: finding.Pass, scanType: model.String{Value: "ENHANCED", Origin: model.OriginExplicit},
			rules: "CONTINUOUS_SCAN[shop/*] SCAN_ON_PUSH[base-images/*] SCAN_ON_PUSH[tools/*]",
			repos: "shop/api=false(explicit) shop/web=false(explicit) shop/worker=false(explicit) base-images/debian=false(default)",
			loc:   "ecr.tf:1", detail: "var.scan_on_push = false from -var"},
		{name: "repositories in a module with count and no scanning configuration", dir: "ecr-defaults",
			status: finding.Fail, reason: "team-a/service, team-b/service", scanType: model.DefaultString("BASIC", noRegistry),
			repos: "team-a/service=false(default) team-b/service=false(default)", loc: "registry/main.tf:5", detail: noScanOnPush},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := New().Scan(load(t, filepath.Join("testdata", "parts", tc.dir)), tc.opts)
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %s", problemStrings(res.Problems))
			}
			if len(res.Registries) != 1 {
				t.Fatalf("%d registries, want 1", len(res.Registries))
			}
			r := res.Registries[0]
			if r.Source != model.SourceTerraform || r.Root != "." || fmt.Sprintf("%s:%d", r.Loc.File, r.Loc.Line) != tc.loc {
				t.Errorf("registry %s at %+v from %s", r.Root, r.Loc, r.Source)
			}
			if r.ScanType.Value != tc.scanType.Value || r.ScanType.Origin != tc.scanType.Origin || tc.scanType.Detail != "" && r.ScanType.Detail != tc.scanType.Detail {
				t.Errorf("scan type %+v, want %+v", r.ScanType, tc.scanType)
			}
			var rules, repos []string
			for _, ru := range r.Rules {
				rules = append(rules, fmt.Sprintf("%s%v", ru.Frequency, ru.Filters))
			}
			for _, p := range r.Repositories {
				repos = append(repos, fmt.Sprintf("%s=%v(%s)", p.Name, p.ScanOnPush.Value, p.ScanOnPush.Origin))
				if p.Loc == nil {
					t.Errorf("repository %s has no location", p.Name)
				}
			}
			if got := strings.Join(rules, " "); got != tc.rules {
				t.Errorf("rules %s, want %s", got, tc.rules)
			}
			if got := strings.Join(repos, " "); got != tc.repos {
				t.Errorf("repositories %s, want %s", got, tc.repos)
			}
			if d := r.Repositories[0].ScanOnPush.Detail; d != tc.detail {
				t.Errorf("detail %q, want %q", d, tc.detail)
			}
			o := check.ImageScanning.EvaluateRegistry(r)
			if o.Status != tc.status || !strings.Contains(o.Reason, tc.reason) {
				t.Errorf("%s: %s, want %s with %q", o.Status, o.Reason, tc.status, tc.reason)
			}
		})
	}
}

// TestPartsNotDeclared: trees that declare no node group, add-on or repository give their
// clusters no parts and form no registry, so the controls that read them are not judged and every
// other verdict stays as it was.
func TestPartsNotDeclared(t *testing.T) {
	var dirs []string
	for _, base := range []string{filepath.Join("testdata", "hcl"), filepath.Join("testdata", "terragrunt")} {
		entries, err := os.ReadDir(base)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(base, e.Name()))
			}
		}
	}
	if len(dirs) < 20 {
		t.Fatalf("only %d fixture folders", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			res := New().Scan(load(t, dir), iac.Options{TerragruntMocks: true})
			if len(res.Registries) > 0 {
				t.Errorf("%d registries", len(res.Registries))
			}
			for _, r := range res.Resources {
				c := r.Cluster
				if len(c.Parts) > 0 || c.NodeGroups != nil || c.Subnets != nil || c.Addons != nil {
					t.Errorf("%s: parts %v, %d node groups, %d subnets, %d add-ons", c.Name, c.Parts, len(c.NodeGroups), len(c.Subnets), len(c.Addons))
				}
				for _, k := range []*check.Check{check.PrivateNodes, check.NetworkPolicy} {
					if k.Applies(c) {
						t.Errorf("%s: %s applies", c.Name, k.ID)
					}
				}
			}
		})
	}
}

// TestPartsBound: a root that expands more part instances than eksguard reads is a problem, and
// then none of its parts are read (no node group, no registry), rather than some of them.
func TestPartsBound(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(`resource "aws_eks_cluster" "c" {
  name = "c"
  vpc_config {}
}

resource "aws_eks_node_group" "ng" {
  cluster_name = aws_eks_cluster.c.name
  subnet_ids   = ["subnet-0a1b2c3d4e5f60718"]
}
`)
	for i := range maxPartInstances/200 + 1 {
		fmt.Fprintf(&b, "\nresource \"aws_ecr_repository\" \"r%d\" {\n  count = 200\n  name  = \"r%d-${count.index}\"\n}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := New().Scan(load(t, dir), iac.Options{})
	if len(res.Problems) != 1 || res.Problems[0].Code != finding.ProblemLimit || !strings.Contains(res.Problems[0].Message, "they are not read") {
		t.Fatalf("problems: %s", problemStrings(res.Problems))
	}
	if len(res.Registries) != 0 {
		t.Errorf("%d registries past the bound", len(res.Registries))
	}
	if c := find(t, res, "aws_eks_cluster.c").Cluster; len(c.Parts) > 0 || len(c.NodeGroups) > 0 {
		t.Errorf("parts past the bound: %v, %d node groups", c.Parts, len(c.NodeGroups))
	}
}
