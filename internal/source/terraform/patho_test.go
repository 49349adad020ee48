package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
)

// TestBounds checks that inputs which would make Terraform itself loop or explode end with problems
// instead: a module that calls itself, and count multiplied through nested module calls.
func TestBounds(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"main.tf":       "module \"self\" {\n  count  = 256\n  source = \"./x\"\n}\n",
		"x/main.tf":     "module \"again\" {\n  source = \"../x/./\"\n}\n\nmodule \"y\" {\n  count  = 256\n  source = \"./y\"\n}\n",
		"x/y/main.tf":   "resource \"aws_eks_cluster\" \"c\" {\n  count = 256\n  vpc_config {}\n}\n",
		"loop/main.tf":  "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n",
		"other/main.tf": "module \"missing\" {\n  source = \"./nowhere\"\n}\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := New().Scan(load(t, dir), iac.Options{})
	if n := len(res.Resources); n == 0 || n > maxScanInstances {
		t.Errorf("clusters = %d, want some and at most %d", n, maxScanInstances)
	}
	probs := problemStrings(res.Problems)
	for _, want := range []string{
		"x/main.tf:1: Module cycle: module.again calls ../x/./",
		`x/y/main.tf:1: root module "." declares more than 10000 module and cluster instances`,
		`other/main.tf:1: Unreadable module directory: module.missing source "./nowhere"`,
	} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems:\n%s\nwant %q", probs, want)
		}
	}
}
