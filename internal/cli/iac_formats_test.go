package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/testenv"
)

// TestIaCNewFormatsPatchApplies: for each format added for real repositories (Cluster API, ACK,
// Crossplane, kro, Pulumi YAML, Terragrunt, CloudFormation with Fn::ForEach), the patch eksguard
// writes applies with git apply, and scanning the patched tree again fails fewer checks and proposes
// no further edit for what it fixed.
func TestIaCNewFormatsPatchApplies(t *testing.T) {
	testenv.RequireTool(t, "git")
	src := func(parts ...string) string {
		p, err := filepath.Abs(filepath.Join(append([]string{"..", "source"}, parts...)...))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		from string // a file or folder copied into the repository
		args []string
	}{
		{"Cluster API", src("kubernetes", "testdata", "capi-template.yaml"), nil},
		{"Upbound v1beta1", src("kubernetes", "testdata", "upbound-v1beta1.yaml"), nil},
		{"ACK", src("kubernetes", "testdata", "ack-cluster.yaml"), nil},
		{"Crossplane Composition", src("kubernetes", "testdata", "crossplane-composition.yaml"), nil},
		{"kro", src("kubernetes", "testdata", "kro-eks-platform.yaml"), nil},
		{"Pulumi YAML", src("pulumi", "testdata", "aws"), []string{"--pulumi-stack", "dev"}},
		{"Terragrunt", src("terraform", "testdata", "terragrunt"), nil},
		{"CloudFormation Fn::ForEach", src("cloudformation", "testdata", "foreach.yaml"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := t.TempDir()
			if fi, err := os.Stat(tt.from); err != nil {
				t.Fatal(err)
			} else if fi.IsDir() {
				copyTree(t, tt.from, repo)
			} else {
				data, err := os.ReadFile(tt.from)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(repo, filepath.Base(tt.from)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			git(t, repo, "init", "-q")
			git(t, repo, "add", ".")
			t.Chdir(repo)
			args := append([]string{"iac", ".", "--kms-key-arn", testKey}, tt.args...)
			_, before, _ := runIaC(t, append(args, "--format", "json")...)
			_, patch, stderr := runIaC(t, append(args, "--format", "patch")...)
			if !strings.Contains(patch, "diff --git") {
				t.Fatalf("no patch:\n%s\n%s", patch, stderr)
			}
			pf := filepath.Join(t.TempDir(), "fix.patch")
			if err := os.WriteFile(pf, []byte(patch), 0o644); err != nil {
				t.Fatal(err)
			}
			git(t, repo, "apply", "--check", pf)
			git(t, repo, "apply", pf)
			_, after, _ := runIaC(t, append(args, "--format", "json")...)
			fb, fa := parseIaC(t, before).Summary["FAIL"], parseIaC(t, after).Summary["FAIL"]
			if fa >= fb {
				t.Errorf("FAIL results %d before the patch, %d after", fb, fa)
			}
			if _, again, _ := runIaC(t, append(args, "--format", "patch")...); strings.Contains(again, "diff --git") {
				t.Errorf("a second patch after applying the first:\n%s", again)
			}
		})
	}
}
