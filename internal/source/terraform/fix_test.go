package terraform

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// applyFix applies every edit of a fix to the files on disk.
func applyFix(t *testing.T, fix *finding.Fix) {
	t.Helper()
	byPath := map[string][]finding.Edit{}
	for _, e := range fix.Edits {
		if e.Path == "" {
			t.Fatalf("edit of %s has no path", e.File)
		}
		byPath[e.Path] = append(byPath[e.Path], e)
	}
	for p, edits := range byPath {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := finding.ApplyEdits(data, edits)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		// A file terraform fmt leaves alone stays that way after the edit.
		if strings.HasSuffix(p, ".tf") && bytes.Equal(hclwrite.Format(data), data) && !bytes.Equal(hclwrite.Format(out), out) {
			t.Errorf("%s: the edit is not as terraform fmt writes it:\n%s", p, out)
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyFixture copies a fixture folder (with .terraform) to a temporary folder.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "hcl", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func find(t *testing.T, res iac.Result, name string) iac.Resource {
	t.Helper()
	for _, r := range res.Resources {
		if r.Cluster.Name == name {
			return r
		}
	}
	var names []string
	for _, r := range res.Resources {
		names = append(names, r.Cluster.Name)
	}
	t.Fatalf("no cluster %s among %v", name, names)
	return iac.Resource{}
}

var (
	toPrivate  = model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(false)}
	toRestrict = model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(true), PublicAccessCIDRs: []string{"203.0.113.0/24", "198.51.100.7/32"}}
)

// fixFor asks a resource for the edit giving it what it lacks of the settings, as eksguard iac does
// (the checks pass on only the fields the cluster does not already have).
func fixFor(r iac.Resource, want model.Settings) (*finding.Fix, error) {
	return r.Fix(want.Pending(r.Cluster))
}

// TestFixRescan applies the suggested edits for both targets and scans again: the control the target
// aims at must then pass, the edited files must still parse, and the edit must look as expected.
func TestFixRescan(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		cluster string
		target  model.Settings
		// edited is the expected content of one edited file (path relative to the fixture), when the
		// exact text matters.
		file, edited string
		edits        int
	}{
		{name: "insert after vpc_config {", dir: "a-defaults", cluster: "aws_eks_cluster.main", target: toPrivate, edits: 1,
			file: "main.tf", edited: `# (a) vpc_config without any endpoint argument: AWS provider defaults, public and open.
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    endpoint_private_access = true
    endpoint_public_access  = false

    subnet_ids = ["subnet-1", "subnet-2"]
  }
}
`},
		{name: "insert private and allowlist, leave the public default", dir: "a-defaults", cluster: "aws_eks_cluster.main", target: toRestrict, edits: 1},
		{name: "replace an empty list", dir: "d-empty-list", cluster: "aws_eks_cluster.main", target: toRestrict, edits: 1,
			file: "main.tf", edited: `resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = ["203.0.113.0/24", "198.51.100.7/32"]
  }
}
`},
		{name: "replace public in place", dir: "d-empty-list", cluster: "aws_eks_cluster.main", target: toPrivate, edits: 1},
		{name: "a multi-line list is replaced whole", dir: "e-open", cluster: "aws_eks_cluster.halves", target: toRestrict, edits: 1},
		{name: "open among several clusters", dir: "e-open", cluster: "aws_eks_cluster.hidden", target: toPrivate, edits: 1},
		{name: "variables set in tfvars files are changed where they are set", dir: "g-var-tfvars", cluster: "aws_eks_cluster.main", target: toRestrict, edits: 2,
			file: "extra.auto.tfvars", edited: "allowed_cidrs = [\"203.0.113.0/24\", \"198.51.100.7/32\"]\n"},
		{name: "capitalised booleans replaced", dir: "m-capital-false", cluster: "aws_eks_cluster.main", target: toPrivate, edits: 1},
		{name: "a for_each entry written in place is edited for its instance only", dir: "j-for-each-literal", cluster: `aws_eks_cluster.this["lab"]`, target: toPrivate, edits: 1,
			file: "main.tf", edited: `# Each instance takes its setting from its own entry of a map written in place: a fix changes that
# entry, and only that one.
resource "aws_eks_cluster" "this" {
  for_each = {
    dev = { public = false }
    lab = { public = false }
  }
  name     = each.key
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = each.value.public
  }
}
`},
		{name: "unknown count still has one place to edit", dir: "j-count-var", cluster: "aws_eks_cluster.fleet[?]", target: toPrivate, edits: 1},
		{name: "one-line block is opened up", dir: "fix-oneline", cluster: "aws_eks_cluster.compact", target: toRestrict, edits: 1,
			file: "main.tf", edited: `resource "aws_eks_cluster" "compact" {
  name     = "compact"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs     = ["203.0.113.0/24", "198.51.100.7/32"]
  }
}
`},
		{name: "module v18 arguments inserted", dir: "k-v18-defaults", cluster: "module.eks.aws_eks_cluster.this[0]", target: toPrivate, edits: 1,
			file: "main.tf", edited: `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 18.0"

  cluster_endpoint_private_access = true
  cluster_endpoint_public_access  = false

  cluster_name    = "main"
  cluster_version = "1.24"
  subnet_ids      = ["subnet-1"]
}
`},
		{name: "module v18 restricted", dir: "k-v18-defaults", cluster: "module.eks.aws_eks_cluster.this[0]", target: toRestrict, edits: 1},
		{name: "module v19.0.1 ternary restricted", dir: "k-v19-ternary-public", cluster: "module.eks.aws_eks_cluster.this[0]", target: toRestrict, edits: 1},
		{name: "module v20 public turned off", dir: "k-v20-public", cluster: "module.eks.aws_eks_cluster.this[0]", target: toPrivate, edits: 1},
		{name: "module v21 names", dir: "k-v21-args", cluster: "module.eks.aws_eks_cluster.this[0]", target: toPrivate, edits: 1,
			file: "main.tf", edited: `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name                         = "main"
  subnet_ids                   = ["subnet-1"]
  endpoint_public_access       = false
  endpoint_public_access_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
}
`},
		{name: "local checkout: the caller's argument changes, not the module", dir: "k-local-checkout", cluster: "module.eks.aws_eks_cluster.this[0]", target: toPrivate, edits: 1,
			file: "examples/complete/main.tf", edited: `module "eks" {
  source = "../.."

  cluster_name                   = "complete"
  subnet_ids                     = ["subnet-1"]
  cluster_endpoint_public_access = false
}
`},
		{name: "local checkout restricted: argument inserted in the caller", dir: "k-local-checkout", cluster: "module.eks.aws_eks_cluster.this[0]", target: toRestrict, edits: 1},
		{name: "nested modules: caller argument and child list", dir: "n-nested", cluster: "module.platform.module.eks.aws_eks_cluster.this", target: toRestrict, edits: 2},
		{name: "json: interpolation replaced, property inserted", dir: "l-json", cluster: "aws_eks_cluster.main", target: toRestrict, edits: 2},
		{name: "json: block given as a list", dir: "l-json", cluster: "aws_eks_cluster.open", target: toPrivate, edits: 1},
		{name: "json: module arguments inserted", dir: "l-json-module", cluster: "module.eks.aws_eks_cluster.this[0]", target: toPrivate, edits: 1,
			file: "main.tf.json", edited: `{
  "module": {
    "eks": {
      "cluster_endpoint_private_access": true,
      "cluster_endpoint_public_access": false,
      "source": "terraform-aws-modules/eks/aws",
      "version": "~> 18.0",
      "cluster_name": "json",
      "subnet_ids": ["subnet-1"]
    }
  }
}
`},
		{name: "json on one line", dir: "fix-json-inline", cluster: "aws_eks_cluster.inline", target: toPrivate, edits: 1,
			file: "main.tf.json", edited: `{"resource": {"aws_eks_cluster": {"inline": {"name": "inline", "role_arn": "arn:aws:iam::111111111111:role/eks", "vpc_config": {"endpoint_private_access": true, "subnet_ids": ["subnet-1"], "endpoint_public_access": false}}}}}
`},
		{name: "json on one line restricted", dir: "fix-json-inline", cluster: "aws_eks_cluster.inline", target: toRestrict, edits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t, tt.dir)
			res := New().Scan(load(t, dir), iac.Options{})
			r := find(t, res, tt.cluster)
			fix, err := fixFor(r, tt.target)
			if err != nil {
				t.Fatalf("fix: %v", err)
			}
			if len(fix.Edits) != tt.edits {
				t.Errorf("edits = %+v, want %d", fix.Edits, tt.edits)
			}
			if fix.Description == "" {
				t.Error("no description")
			}
			applyFix(t, fix)
			if tt.edited != "" {
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.file)))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.edited {
					t.Errorf("%s after the fix:\n%s\nwant:\n%s", tt.file, got, tt.edited)
				}
			}
			after := New().Scan(load(t, dir), iac.Options{})
			for _, p := range after.Problems {
				if !strings.Contains(p.Message, "Invalid reference") || tt.dir != "m-capital-false" {
					t.Errorf("problem after the fix: %s", p)
				}
			}
			a, b := verdicts(find(t, after, tt.cluster))
			if *tt.target.EndpointPublicAccess {
				c := find(t, after, tt.cluster).Cluster
				if a.Status != finding.Pass || !sameCIDRs(c.PublicAccessCIDRs.Values, tt.target.PublicAccessCIDRs) || !c.EndpointPublicAccess.Value {
					t.Errorf("after the fix: 5.4.1 = %s (%s), cidrs %v", a.Status, a.Reason, c.PublicAccessCIDRs.Values)
				}
			} else if a.Status != finding.Pass || b.Status != finding.Pass {
				t.Errorf("after the fix: 5.4.1 = %s (%s), 5.4.2 = %s (%s)", a.Status, a.Reason, b.Status, b.Reason)
			}
			// A second fix finds nothing left to do.
			again, err := fixFor(find(t, after, tt.cluster), tt.target)
			if err != nil || len(again.Edits) != 0 {
				t.Errorf("fix after the fix: %v, %+v", err, again)
			}
		})
	}
}

// TestFixRefused covers the clusters for which no single safe edit exists: the reason is given
// instead of a patch.
func TestFixRefused(t *testing.T) {
	tests := []struct {
		name, dir, cluster, reason string
		target                     model.Settings
		opts                       iac.Options
	}{
		{name: "a value set with --var", dir: "g-var-cli", cluster: "aws_eks_cluster.main", reason: "set with --var public_access=...: change that value where the command line is written",
			target: toPrivate, opts: iac.Options{Vars: map[string]string{"public_access": "true", "allowed_cidrs": `["0.0.0.0/0"]`}}},
		{"per-instance value from for_each", "j-for-each", `aws_eks_cluster.this["lab"]`, "differs per instance", toPrivate, iac.Options{}},
		{"dynamic block", "i-dynamic-known", "aws_eks_cluster.main", `dynamic "vpc_config"`, toRestrict, iac.Options{}},
		{"module version unknown", "k-no-version", "module.eks.aws_eks_cluster.this[0]", "no version constraint", toPrivate, iac.Options{}},
		{"module arguments of another version", "k-v21-old-names", "module.eks.aws_eks_cluster.this[0]", "does not accept", toPrivate, iac.Options{}},
		{"module for_each argument", "k-for-each", `module.eks["green"].aws_eks_cluster.this[0]`, "differs per instance", toPrivate, iac.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(load(t, filepath.Join("testdata", "hcl", tt.dir)), tt.opts)
			fix, err := fixFor(find(t, res, tt.cluster), tt.target)
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("fix = %+v, %v; want an error mentioning %q", fix, err, tt.reason)
			}
		})
	}
}

func TestLineEdits(t *testing.T) {
	data := []byte("a {\n  x = 1\n  y = [\n    2,\n  ]\n}\n")
	tests := []struct {
		name string
		reps []rep
		want string
	}{
		{"insert a line", []rep{{4, 4, "  z = 3\n"}}, "a {\n  z = 3\n  x = 1\n  y = [\n    2,\n  ]\n}\n"},
		{"replace a value", []rep{{10, 11, "9"}}, "a {\n  x = 9\n  y = [\n    2,\n  ]\n}\n"},
		{"replace multi-line", []rep{{18, 31, "[5]"}}, "a {\n  x = 1\n  y = [5]\n}\n"},
		{"insert before a replaced line", []rep{{4, 4, "  z = 3\n"}, {10, 11, "9"}}, "a {\n  z = 3\n  x = 9\n  y = [\n    2,\n  ]\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edits, err := lineEdits(data, tt.reps)
			if err != nil {
				t.Fatal(err)
			}
			out, err := finding.ApplyEdits(data, edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s\nedits %+v", out, tt.want, edits)
			}
		})
	}
}

// TestFixCRLFTabs edits a file with Windows line endings and tab indentation: inserted lines take
// the tabs, and no stray carriage return ends up inside an edit.
func TestFixCRLFTabs(t *testing.T) {
	dir := t.TempDir()
	src := "resource \"aws_eks_cluster\" \"win\" {\r\n\tname = \"win\"\r\n\tvpc_config {\r\n\t\tsubnet_ids = [\"subnet-1\"]\r\n\t\tendpoint_public_access = true\r\n\t}\r\n}\r\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := New().Scan(load(t, dir), iac.Options{})
	fix, err := fixFor(find(t, res, "aws_eks_cluster.win"), toPrivate)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fix.Edits {
		for _, l := range e.Insert {
			if strings.ContainsRune(l, '\r') {
				t.Errorf("edit line %q keeps a carriage return", l)
			}
		}
	}
	if got := fix.Edits[0].Insert[0]; got != "\t\tendpoint_private_access = true" {
		t.Errorf("inserted %q, want it indented with two tabs", got)
	}
	applyFix(t, fix)
	a, b := verdicts(find(t, New().Scan(load(t, dir), iac.Options{}), "aws_eks_cluster.win"))
	if a.Status != finding.Pass || b.Status != finding.Pass {
		t.Errorf("after the fix: %s, %s", a.Status, b.Status)
	}
}
