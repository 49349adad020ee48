package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIaCOneModuleManyCallers: two environments call one local module. Each result names its root,
// points at the caller's argument when the caller decides the value (at the module's line when its
// default does), and no two callers share a SARIF fingerprint.
func TestIaCOneModuleManyCallers(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"modules/cluster/main.tf": `variable "public" {
  type    = bool
  default = true
}

resource "aws_eks_cluster" "this" {
  name     = "shared"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    endpoint_public_access  = var.public
  }
}
`,
		"envs/dev/main.tf":  "module \"cluster\" {\n  source = \"../../modules/cluster\"\n}\n",
		"envs/prod/main.tf": "module \"cluster\" {\n  source = \"../../modules/cluster\"\n\n  public = false\n}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	_, stdout, stderr := runIaC(t, "iac", ".", "--format", "json", "--controls", "5.4.2")
	var rep struct {
		Results []struct {
			Status   string
			Resource struct{ Name, Root string }
			Location struct {
				File string
				Line int
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.Resource.Root] = r.Status + " " + r.Location.File + ":" + itoa(r.Location.Line)
	}
	want := map[string]string{"envs/dev": "FAIL modules/cluster/main.tf:13", "envs/prod": "PASS envs/prod/main.tf:4"}
	for root, w := range want {
		if got[root] != w {
			t.Errorf("root %s: %q, want %q (all: %v)", root, got[root], w, got)
		}
	}
	// The table shows one group per caller, each naming its root, with all of its results.
	_, table, _ := runIaC(t, "iac", ".", "--controls", "2.1.1,5.4.2")
	for _, root := range []string{"envs/dev", "envs/prod"} {
		head := "module.cluster.aws_eks_cluster.this (modules/cluster/main.tf, root " + root + ")"
		if strings.Count(table, head) != 1 {
			t.Errorf("table lacks one group %q:\n%s", head, table)
		}
	}
	// Both callers fail 2.1.1 at the module's line (no log type): two alerts, not one.
	_, sarif, _ := runIaC(t, "iac", ".", "--format", "sarif", "--controls", "2.1.1")
	var log struct {
		Runs []struct {
			Results []struct {
				PartialFingerprints map[string]string
			}
		}
	}
	if err := json.Unmarshal([]byte(sarif), &log); err != nil {
		t.Fatal(err)
	}
	if n := len(log.Runs[0].Results); n != 2 {
		t.Fatalf("%d SARIF results, want one per caller", n)
	}
	seen := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		for _, fp := range r.PartialFingerprints {
			if seen[fp] {
				t.Errorf("two results share the fingerprint %s", fp)
			}
			seen[fp] = true
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
