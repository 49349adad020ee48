package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// TestTerragruntLive scans a live/ layout: root.hcl with remote_state, a generated provider and common
// inputs; prod with a local module, dev with the registry module; both with a vpc dependency.
func TestTerragruntLive(t *testing.T) {
	type want struct {
		root               string
		s541, s542         finding.Status
		line541, line542   string
		reason541, kind542 string
	}
	cases := []struct {
		name  string
		mocks bool
		want  map[string]want
	}{
		{
			name: "dependency outputs unknown",
			want: map[string]want{
				"live/prod aws_eks_cluster.this": {root: "live/prod", s541: finding.Pass, s542: finding.Pass,
					line541: "live/prod/terragrunt.hcl:25", line542: "live/prod/terragrunt.hcl:25"},
				"live/dev aws_eks_cluster.this[0]": {root: "live/dev", s541: finding.Unknown, s542: finding.Fail,
					line541: "live/dev/terragrunt.hcl:21", line542: "live/dev/terragrunt.hcl:20",
					reason541: `dependency.vpc.outputs.admin_cidrs is an output of ../vpc (dependency "vpc" at live/dev/terragrunt.hcl:9), known only once that configuration is applied; pass --terragrunt-mocks`},
			},
		},
		{
			name:  "mock outputs",
			mocks: true,
			want: map[string]want{
				"live/prod aws_eks_cluster.this": {root: "live/prod", s541: finding.Pass, s542: finding.Pass,
					line541: "live/prod/terragrunt.hcl:25", line542: "live/prod/terragrunt.hcl:25"},
				"live/dev aws_eks_cluster.this[0]": {root: "live/dev", s541: finding.Pass, s542: finding.Fail,
					line541: "live/dev/terragrunt.hcl:21", line542: "live/dev/terragrunt.hcl:20"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := New().Scan(load(t, "testdata/terragrunt"), iac.Options{TerragruntMocks: tc.mocks})
			if len(res.Problems) > 0 {
				t.Fatalf("problems:\n%s", problemStrings(res.Problems))
			}
			got := map[string]bool{}
			for _, r := range res.Resources {
				key := r.Cluster.Root + " " + r.Cluster.Name
				got[key] = true
				w, ok := tc.want[key]
				if !ok {
					t.Errorf("unexpected cluster %s", key)
					continue
				}
				r541, r542 := verdicts(r)
				if r541.Status != w.s541 || locString(r541.Location) != w.line541 {
					t.Errorf("%s 5.4.1 = %s at %s (%s), want %s at %s", key, r541.Status, locString(r541.Location), r541.Reason, w.s541, w.line541)
				}
				if r542.Status != w.s542 || locString(r542.Location) != w.line542 {
					t.Errorf("%s 5.4.2 = %s at %s (%s), want %s at %s", key, r542.Status, locString(r542.Location), r542.Reason, w.s542, w.line542)
				}
				if w.reason541 != "" && !strings.Contains(r541.Reason, w.reason541) {
					t.Errorf("%s 5.4.1 reason %q lacks %q", key, r541.Reason, w.reason541)
				}
			}
			for k := range tc.want {
				if !got[k] {
					t.Errorf("cluster %s not found", k)
				}
			}
		})
	}
}

// TestTerragruntGenerateAndInclude checks what the included root.hcl and its generate block give the
// prod module: the generated variable aws_region is declared and set from root.hcl's inputs.
func TestTerragruntGenerateAndInclude(t *testing.T) {
	res := New().Scan(load(t, "testdata/terragrunt"), iac.Options{})
	for _, r := range res.Resources {
		if r.Cluster.Root != "live/prod" {
			continue
		}
		logs := r.Cluster.EnabledLogTypes
		if logs.Origin != model.OriginExplicit || strings.Join(logs.Values, ",") != "api,audit,authenticator" {
			t.Fatalf("log types = %+v", logs)
		}
		if !strings.Contains(logs.Detail, `var.aws_region = "eu-west-1" from the input at live/root.hcl:30`) {
			t.Errorf("log types detail %q does not name root.hcl's input", logs.Detail)
		}
		return
	}
	t.Fatal("no prod cluster")
}

func locString(l *model.Location) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// writeTree writes files (slash-separated names) under a new folder and loads them as the walker
// would give them.
func tgTree(t testing.TB, files map[string]string) (string, *iac.Input) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := &iac.Input{Roots: []string{dir}}
	for name, text := range files {
		if strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, "/terragrunt.hcl") {
			in.Files = append(in.Files, &iac.File{Path: filepath.Join(dir, filepath.FromSlash(name)), Name: name, Data: []byte(text)})
		}
	}
	return dir, in
}

const tgModule = `variable "public" {}
variable "private" {
  default = true
}
resource "aws_eks_cluster" "this" {
  name = "x"
  vpc_config {
    endpoint_public_access  = var.public
    endpoint_private_access = var.private
  }
}
`

// TestTerragruntFunctions evaluates the Terragrunt functions commonly used in inputs: each gives a
// value, or UNKNOWN with a reason naming it.
func TestTerragruntFunctions(t *testing.T) {
	cases := []struct {
		name, expr string
		extra      map[string]string
		// want is the public endpoint's value, or "" for unknown with reason holding wantReason.
		want       string
		wantReason string
	}{
		{name: "get_env with default", expr: `get_env("PUBLIC", "false") == "true"`, want: "false"},
		{name: "get_env without default", expr: `get_env("PUBLIC") == "true"`, wantReason: `get_env("PUBLIC") reads the environment`},
		{name: "get_terragrunt_dir", expr: `endswith(get_terragrunt_dir(), "/live/prod")`, want: "true"},
		{name: "path_relative_to_include", expr: `path_relative_to_include() == "prod"`, want: "true"},
		{name: "get_parent_terragrunt_dir", expr: `endswith(get_parent_terragrunt_dir(), "/live")`, want: "true"},
		{name: "include locals", expr: `include.root.locals.public`, want: "false"},
		{name: "find_in_parent_folders missing", expr: `fileexists(find_in_parent_folders("nope.hcl"))`, wantReason: `find_in_parent_folders("nope.hcl") finds no nope.hcl`},
		{name: "find_in_parent_folders fallback", expr: `find_in_parent_folders("nope.hcl", "x") == "x"`, want: "true"},
		{name: "read_terragrunt_config", expr: `read_terragrunt_config(find_in_parent_folders("env.hcl")).locals.public`, want: "true",
			extra: map[string]string{"live/env.hcl": "locals {\n  public = true\n}\n"}},
		{name: "read_terragrunt_config default", expr: `read_terragrunt_config("missing.hcl", {locals = {public = false}}).locals.public`, want: "false"},
		{name: "get_aws_account_id", expr: `get_aws_account_id() == "1"`, wantReason: "get_aws_account_id() reads the AWS account"},
		{name: "run_cmd", expr: `run_cmd("echo", "true") == "true"`, wantReason: "run_cmd() runs a command"},
		{name: "dependency without mocks", expr: `dependency.net.outputs.public`, wantReason: `dependency.net.outputs.public is an output of ../net (dependency "net" at live/prod/terragrunt.hcl:9), known only once that configuration is applied; the dependency has no mock_outputs`},
		{name: "unknown function", expr: `no_such_fn()`, wantReason: "no_such_fn() cannot be evaluated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{
				"modules/eks/main.tf": tgModule,
				"live/root.hcl":       "locals {\n  public = false\n}\n",
				"live/prod/terragrunt.hcl": `include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "../../modules//eks"
}
dependency "net" {
  config_path = "../net"
}

inputs = {
  public = ` + tc.expr + `
}
`,
			}
			for k, v := range tc.extra {
				files[k] = v
			}
			_, in := tgTree(t, files)
			res := New().Scan(in, iac.Options{})
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters; problems:\n%s", len(res.Resources), problemStrings(res.Problems))
			}
			c := res.Resources[0].Cluster
			pub := c.EndpointPublicAccess
			if c.Root != "live/prod" || c.Name != "aws_eks_cluster.this" {
				t.Errorf("cluster %s in root %s", c.Name, c.Root)
			}
			if tc.want != "" {
				if !pub.Known() || map[bool]string{true: "true", false: "false"}[pub.Value] != tc.want {
					t.Fatalf("public = %+v, want %s", pub, tc.want)
				}
				if locString(pub.Loc) != "live/prod/terragrunt.hcl:14" {
					t.Errorf("public located at %s, want live/prod/terragrunt.hcl:14", locString(pub.Loc))
				}
				return
			}
			if pub.Known() || !strings.Contains(pub.Detail, tc.wantReason) {
				t.Fatalf("public = %+v, want unknown with %q", pub, tc.wantReason)
			}
		})
	}
}

// TestTerragruntSources reads the module a terraform { source } names: a local folder with the //
// convention, terraform-aws-modules/eks from the registry or Git, and another remote module.
func TestTerragruntSources(t *testing.T) {
	cases := []struct {
		name, source string
		// cluster is the name of the one cluster expected, "" for none.
		cluster, private, skipped string
	}{
		{name: "local double slash", source: "../../modules//eks", cluster: "aws_eks_cluster.this", private: "true"},
		{name: "local plain", source: "../../modules/eks", cluster: "aws_eks_cluster.this", private: "true"},
		{name: "tfr v20", source: "tfr:///terraform-aws-modules/eks/aws?version=20.8.4", cluster: "aws_eks_cluster.this[0]", private: "true"},
		{name: "tfr v18", source: "tfr:///terraform-aws-modules/eks/aws?version=18.31.0", cluster: "aws_eks_cluster.this[0]", private: "false"},
		{name: "git ref", source: "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.8.4", cluster: "aws_eks_cluster.this[0]", private: "true"},
		{name: "tfr no version", source: "tfr:///terraform-aws-modules/eks/aws", cluster: "aws_eks_cluster.this[0]", private: "unknown"},
		{name: "other remote", source: "git::https://example.com/eks.git?ref=v1", skipped: "terraform.source"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, in := tgTree(t, map[string]string{
				"modules/eks/main.tf": tgModule,
				"live/prod/terragrunt.hcl": `terraform {
  source = "` + tc.source + `"
}

inputs = {
  public                         = false
  cluster_endpoint_public_access = false
}
`,
			})
			res := New().Scan(in, iac.Options{})
			// modules/eks is a Terraform root of its own when nothing calls it: keep live/prod's.
			var mine []iac.Resource
			for _, r := range res.Resources {
				if r.Cluster.Root == "live/prod" {
					mine = append(mine, r)
				}
			}
			res.Resources = mine
			if tc.skipped != "" {
				// The module is not read, but it is passed endpoint settings: judged UNKNOWN, naming them.
				if len(res.Resources) != 1 || res.Resources[0].Cluster.Name != tc.skipped || res.Resources[0].Cluster.EndpointPublicAccess.Known() ||
					len(res.Skipped) != 1 || res.Skipped[0].Resource != tc.skipped {
					t.Fatalf("resources %d, skipped %+v", len(res.Resources), res.Skipped)
				}
				return
			}
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters; problems:\n%s", len(res.Resources), problemStrings(res.Problems))
			}
			c := res.Resources[0].Cluster
			if c.Name != tc.cluster || c.Root != "live/prod" {
				t.Errorf("cluster %s root %s, want %s in live/prod", c.Name, c.Root, tc.cluster)
			}
			priv := "unknown"
			if c.EndpointPrivateAccess.Known() {
				priv = map[bool]string{true: "true", false: "false"}[c.EndpointPrivateAccess.Value]
			}
			if priv != tc.private {
				t.Errorf("private = %+v, want %s", c.EndpointPrivateAccess, tc.private)
			}
			if !c.EndpointPublicAccess.Known() || c.EndpointPublicAccess.Value || locString(c.EndpointPublicAccess.Loc) != "live/prod/terragrunt.hcl:6" && locString(c.EndpointPublicAccess.Loc) != "live/prod/terragrunt.hcl:7" {
				t.Errorf("public = %+v at %s", c.EndpointPublicAccess, locString(c.EndpointPublicAccess.Loc))
			}
		})
	}
}

// TestTerragruntBroken: a terragrunt.hcl that does not parse is a problem at its file and line, and
// the other roots are still scanned.
func TestTerragruntBroken(t *testing.T) {
	_, in := tgTree(t, map[string]string{
		"modules/eks/main.tf":      tgModule,
		"live/dev/terragrunt.hcl":  "terraform {\n  source = \"../../modules//eks\"\n}\n\ninputs = {\n  public = \n",
		"live/prod/terragrunt.hcl": "terraform {\n  source = \"../../modules//eks\"\n}\n\ninputs = {\n  public = false\n}\n",
		"live/qa/terragrunt.hcl":   "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\nterraform {\n  source = \"tfr:///terraform-aws-modules/eks/aws?version=20.8.4\"\n}\n",
	})
	res := New().Scan(in, iac.Options{})
	var syntax, include bool
	for _, p := range res.Problems {
		if p.File == "live/dev/terragrunt.hcl" && p.Line > 0 && p.Code == finding.ProblemSyntax {
			syntax = true
		}
		if p.File == "live/qa/terragrunt.hcl" && p.Line == 2 {
			include = true
		}
	}
	if !syntax || !include {
		t.Errorf("problems (syntax %v, include %v):\n%s", syntax, include, problemStrings(res.Problems))
	}
	roots := map[string]*model.Cluster{}
	for _, r := range res.Resources {
		roots[r.Cluster.Root] = r.Cluster
	}
	if len(res.Resources) != 2 || roots["live/prod"] == nil || roots["live/qa"] == nil {
		t.Fatalf("want the prod and qa clusters, got %d clusters", len(res.Resources))
	}
	// qa's include is not found: the registry module's defaults may be overridden by what it sets.
	if priv := roots["live/qa"].EndpointPrivateAccess; priv.Known() || !strings.Contains(priv.Detail, `find_in_parent_folders("root.hcl") finds no root.hcl`) {
		t.Errorf("qa private endpoint = %+v, want unknown naming the include", priv)
	}
	for _, c := range res.Claimed {
		if c == "modules/eks/main.tf" {
			return
		}
	}
	t.Errorf("module file not claimed: %v", res.Claimed)
}

// TestTerragruntWalk: the walker gives terragrunt.hcl files to the adapters, and leaves the other .hcl
// files (read through include and read_terragrunt_config) alone.
func TestTerragruntWalk(t *testing.T) {
	in, problems, err := iac.Walk(context.Background(), []string{"testdata/terragrunt"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("walk problems: %v", problems)
	}
	var names []string
	for _, f := range in.Files {
		if strings.HasSuffix(f.Name, ".hcl") {
			names = append(names, filepath.Base(f.Name))
		}
	}
	if strings.Join(names, ",") != "terragrunt.hcl,terragrunt.hcl,terragrunt.hcl" {
		t.Errorf("walked .hcl files: %v", names)
	}
}

// FuzzTerragrunt feeds arbitrary bytes as a terragrunt.hcl through the whole scan, beside a local
// module and an included root.hcl.
func FuzzTerragrunt(f *testing.F) {
	seed(f, "testdata/terragrunt/live/*/terragrunt.hcl")
	f.Add([]byte(`inputs = { public = dependency.x.outputs.y }` + "\ndependency \"x\" {\n config_path = \"../x\"\n mock_outputs = { y = false }\n}\n"))
	f.Add([]byte(`locals { a = read_terragrunt_config("terragrunt.hcl") }` + "\ninputs = { public = local.a.locals.a }\n"))
	f.Add([]byte("include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n  merge_strategy = \"deep\"\n}\nterraform {\n  source = \"../../modules//eks\"\n}\n"))
	dir := f.TempDir()
	mod := filepath.Join(dir, "modules", "eks")
	live := filepath.Join(dir, "live", "prod")
	for _, d := range []string{mod, live} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	root, err := os.ReadFile("testdata/terragrunt/live/root.hcl")
	if err != nil {
		f.Fatal(err)
	}
	for p, data := range map[string][]byte{filepath.Join(mod, "main.tf"): []byte(tgModule), filepath.Join(dir, "live", "root.hcl"): root} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &iac.Input{Trees: []string{dir}, Files: []*iac.File{
			{Path: filepath.Join(live, "terragrunt.hcl"), Name: "live/prod/terragrunt.hcl", Data: data},
			{Path: filepath.Join(mod, "main.tf"), Name: "modules/eks/main.tf", Data: []byte(tgModule)},
		}}
		// The file's own bytes choose whether mock outputs are used, so both paths are fuzzed.
		res := scan(in, iac.Options{TerragruntMocks: len(data)%2 == 0})
		for _, p := range res.Problems {
			if p.File == "" {
				t.Fatalf("problem without a file: %+v", p)
			}
		}
		for _, r := range res.Resources {
			if r.Cluster == nil || r.Cluster.Root == "" {
				t.Fatal("cluster without a root")
			}
		}
		exercise(t, &iac.Input{Trees: []string{dir}, Files: in.Files[:1]})
	})
}

// TestTerragruntInheritedInput: a value an included file's input decides is located there, and no fix
// edits the shared file; a value the child's input decides is fixed in the child.
func TestTerragruntInheritedInput(t *testing.T) {
	_, in := tgTree(t, map[string]string{
		"modules/eks/main.tf": tgModule,
		"live/root.hcl":       "inputs = {\n  public = true\n}\n",
		"live/prod/terragrunt.hcl": `include "root" {
  path = find_in_parent_folders("root.hcl")
}

terraform {
  source = "../../modules//eks"
}

inputs = {
  private = false
}
`,
	})
	res := New().Scan(in, iac.Options{})
	if len(res.Resources) != 1 {
		t.Fatalf("%d clusters; problems:\n%s", len(res.Resources), problemStrings(res.Problems))
	}
	r := res.Resources[0]
	c := r.Cluster
	if !c.EndpointPublicAccess.Known() || !c.EndpointPublicAccess.Value || locString(c.EndpointPublicAccess.Loc) != "live/root.hcl:2" {
		t.Errorf("public = %+v at %s, want true at live/root.hcl:2", c.EndpointPublicAccess, locString(c.EndpointPublicAccess.Loc))
	}
	if locString(c.EndpointPrivateAccess.Loc) != "live/prod/terragrunt.hcl:10" {
		t.Errorf("private located at %s", locString(c.EndpointPrivateAccess.Loc))
	}
	fix, err := r.Fix(model.Settings{EndpointPublicAccess: model.Ptr(false), EndpointPrivateAccess: model.Ptr(true)})
	if err == nil {
		t.Fatalf("fix %+v edits the included file; want none", fix)
	}
	fix, err = r.Fix(model.Settings{EndpointPrivateAccess: model.Ptr(true)})
	if err != nil || len(fix.Edits) != 1 || fix.Edits[0].File != "live/prod/terragrunt.hcl" || fix.Edits[0].Line != 10 {
		t.Fatalf("fix = %+v, %v; want an edit of live/prod/terragrunt.hcl:10", fix, err)
	}
}
