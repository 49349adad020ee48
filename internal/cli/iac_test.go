package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/iostreams"
	iacsrc "github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/testenv"
)

// iacFixtures is the fixture tree, made absolute before any test changes directory.
var iacFixtures = func() string {
	p, err := filepath.Abs(filepath.Join("testdata", "iac"))
	if err != nil {
		panic(err)
	}
	return p
}()

// runIaC runs the CLI in-process like run, but with an AWS configuration loader that fails the test:
// eksguard iac must never load AWS configuration or credentials. The AWS environment points nowhere,
// so a call that slipped past the loader could not succeed either.
func runIaC(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		testenv.Unsetenv(t, k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "missing"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "missing"))
	io, _, out, errOut := iostreams.Test()
	io.Getenv = os.Getenv
	f := &app.Factory{IO: io, Now: time.Now, AWSConfig: func(context.Context, string) (aws.Config, error) {
		t.Error("eksguard iac loaded the AWS configuration")
		return aws.Config{}, errors.New("eksguard iac must not load AWS configuration")
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, f)
	return code, out.String(), errOut.String()
}

// testKey is a customer managed KMS key for the secrets encryption edits.
const testKey = "arn:aws:kms:us-east-1:111111111111:key/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"

// iacReport is the JSON report of eksguard iac, with what the tests look at.
type iacReport struct {
	SchemaVersion string
	Tool          struct{ Name, Version string }
	Benchmark     struct{ ID, Version string }
	Results       []struct {
		Control, CheckID, Status, Reason, Remediation string
		Resource                                      struct{ Type, Name string }
		Evidence                                      struct {
			Origins map[string]string
		}
		Location *struct {
			File string
			Line int
		}
		Fix *struct {
			Description string
			Edits       []struct {
				File         string
				Line, Remove int
				Insert       []string
			}
		}
	}
	Summary  map[string]int
	Skipped  []any
	Problems []struct {
		File          string
		Line, Column  int
		Code, Message string
	}
}

func parseIaC(t *testing.T, s string) iacReport {
	t.Helper()
	var r iacReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, s)
	}
	return r
}

func (r iacReport) statuses() map[string]string {
	m := map[string]string{}
	for _, res := range r.Results {
		m[res.Resource.Name+" "+res.Control] = res.Status
	}
	return m
}

func TestIaCExitCodes(t *testing.T) {
	t.Chdir(iacFixtures)
	varFile := filepath.Join(t.TempDir(), "public.tfvars")
	if err := os.WriteFile(varFile, []byte("public = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHas  []string
		statuses   map[string]string
		stdoutJSON bool
	}{
		{name: "failures", args: []string{"iac", "fail", "--format", "json"}, code: 1, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.defaults 5.4.1": "FAIL", "YamlCluster 5.4.2": "FAIL", "eksctl-cluster 5.4.1": "FAIL"}},
		{name: "all pass", args: []string{"iac", "hardened", "--format", "json"}, code: 0, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.hardened 2.1.1": "PASS", "aws_eks_cluster.hardened 4.1.7": "PASS", "aws_eks_cluster.hardened 5.3.1": "PASS",
				"aws_eks_cluster.hardened 5.4.1": "PASS", "aws_eks_cluster.hardened 5.4.2": "PASS"}},
		{name: "the endpoint controls pass", args: []string{"iac", "mixed/private.tf", "--format", "json", "--controls", "5.4"}, code: 0, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.private 5.4.1": "PASS", "aws_eks_cluster.private 5.4.2": "PASS", "aws_eks_cluster.private 2.1.1": ""}},
		{name: "the other controls fail", args: []string{"iac", "mixed/private.tf", "--format", "json"}, code: 1, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.private 5.4.1": "PASS", "aws_eks_cluster.private 2.1.1": "FAIL", "aws_eks_cluster.private 4.1.7": "FAIL", "aws_eks_cluster.private 5.3.1": "FAIL"}},
		{name: "skipping the failing controls", args: []string{"iac", "mixed/private.tf", "--format", "json", "--skip-controls", "2.1.1,eks-access-api", "--skip-controls", "5.3"}, code: 0, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.private 5.4.2": "PASS", "aws_eks_cluster.private 2.1.1": "", "aws_eks_cluster.private 4.1.7": "", "aws_eks_cluster.private 5.3.1": ""}},
		{name: "one control by check id", args: []string{"iac", "mixed/private.tf", "--format", "json", "--controls", "eks-audit-logging"}, code: 1, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.private 2.1.1": "FAIL", "aws_eks_cluster.private 5.4.1": ""}},
		{name: "unknown alone does not fail the run", args: []string{"iac", "mixed/unknown", "--format", "json", "--controls", "5.4"}, code: 0, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.unknown 5.4.1": "UNKNOWN", "aws_eks_cluster.unknown 5.4.2": "UNKNOWN"}},
		{name: "--var resolves it", args: []string{"iac", "mixed/unknown", "--var", "public=true", "--format", "json"}, code: 1, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.unknown 5.4.1": "FAIL"}},
		{name: "--var-file resolves it", args: []string{"iac", "mixed/unknown", "--var-file", varFile, "--format", "json", "--controls", "5.4"}, code: 0, stdoutJSON: true,
			statuses: map[string]string{"aws_eks_cluster.unknown 5.4.2": "PASS"}},
		{name: "a file that does not parse is reported and the others still scanned", args: []string{"iac", "mixed", "--format", "json"}, code: 2, stdoutJSON: true,
			stderrHas: []string{"mixed/broken/main.tf:6: Invalid expression", "1 problem in the input"},
			statuses:  map[string]string{"aws_eks_cluster.private 5.4.1": "PASS", "aws_eks_cluster.unknown 5.4.1": "UNKNOWN"}},
		{name: "input problems win over failures", args: []string{"iac", "fail", "mixed/broken", "--format", "json"}, code: 2, stdoutJSON: true,
			stderrHas: []string{"mixed/broken/main.tf:6: "},
			statuses:  map[string]string{"aws_eks_cluster.defaults 5.4.1": "FAIL"}},
		{name: "a named file nobody reads", args: []string{"iac", "mixed/notes.txt", "mixed/private.tf"}, code: 2,
			stderrHas: []string{"mixed/notes.txt: " + iacsrc.NotIaC}},
		{name: "missing path", args: []string{"iac", "fail", "nope"}, code: 2, stderrHas: []string{"no such file or directory: nope"}},
		{name: "no path scans the current folder", args: []string{"iac", "-f", "JSON", "-o", "-"}, code: 2, stdoutJSON: true,
			stderrHas: []string{"mixed/broken/main.tf:6: Invalid expression"}, statuses: map[string]string{"aws_eks_cluster.hardened 5.4.2": "PASS"}},
		{name: "bad --var", args: []string{"iac", "fail", "--var", "public"}, code: 2, stderrHas: []string{`--var: "public" is not NAME=VALUE`}},
		{name: "missing --var-file", args: []string{"iac", "fail", "--var-file", "nope.tfvars"}, code: 2, stderrHas: []string{"--var-file: no such file: nope.tfvars"}},
		{name: "unknown format", args: []string{"iac", "fail", "--format", "xml"}, code: 2, stderrHas: []string{`unknown format "xml"`}},
		{name: "restrict without --cidr", args: []string{"iac", "fail", "--target", "restrict"}, code: 2, stderrHas: []string{"needs --cidr"}},
		{name: "--cidr with host bits", args: []string{"iac", "fail", "--target", "restrict", "--cidr", "203.0.113.9/24"}, code: 2, stderrHas: []string{"has host bits set"}},
		{name: "--cidr open to the world", args: []string{"iac", "fail", "--target", "restrict", "--cidr", "0.0.0.0/0"}, code: 2, stderrHas: []string{"whole internet"}},
		{name: "unknown flag", args: []string{"iac", "fail", "--taget", "private"}, code: 2, stderrHas: []string{"unknown flag: --taget"}},
		{name: "unknown control", args: []string{"iac", "fail", "--controls", "5.4.1,5.4.9"}, code: 2, stderrHas: []string{"5.4.9", "eksguard iac --help"}},
		{name: "empty --controls", args: []string{"iac", "fail", "--controls", ""}, code: 2, stderrHas: []string{"--controls: empty"}},
		{name: "bad --kms-key-arn", args: []string{"iac", "fail", "--kms-key-arn", "arn:aws:kms:us-east-1:1111:key/x"}, code: 2, stderrHas: []string{"--kms-key-arn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIaC(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.stdoutJSON {
				got := parseIaC(t, stdout).statuses()
				for k, v := range tt.statuses {
					// An empty status is a control that must not be in the report.
					if got[k] != v {
						t.Errorf("%s = %q, want %s", k, got[k], v)
					}
				}
			}
		})
	}
}

// TestIaCJSONContract checks the members eksguard iac adds to the scan contract: a location on every
// result, the resource named as its format names it, and a fix with its description on failures.
func TestIaCJSONContract(t *testing.T) {
	t.Chdir(iacFixtures)
	code, stdout, stderr := runIaC(t, "iac", "fail", "mixed/private.tf", "--format", "json", "--kms-key-arn", "arn:aws:kms:us-east-1:111111111111:key/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f")
	if code != 1 {
		t.Fatalf("exit code = %d\n%s", code, stderr)
	}
	r := parseIaC(t, stdout)
	if r.SchemaVersion != "2" || r.Tool.Name != "eksguard" || r.Benchmark.ID != "cis-eks" || r.Skipped == nil || r.Problems == nil {
		t.Errorf("header = %+v", r)
	}
	for _, k := range []string{"PASS", "FAIL", "UNKNOWN", "ERROR", "MANUAL"} {
		if _, ok := r.Summary[k]; !ok {
			t.Errorf("summary lacks %s", k)
		}
	}
	wantLoc := map[string]string{
		"aws_eks_cluster.defaults":       "fail/terraform/main.tf:3",
		`aws_eks_cluster.fleet["blue"]`:  "fail/terraform/main.tf:32",
		"aws_eks_cluster.json":           "fail/terraform-json/main.tf.json:9",
		"YamlCluster":                    "fail/cloudformation/cluster.yaml:4",
		"JsonCluster":                    "fail/cloudformation/cluster.json:11",
		"eksctl-cluster":                 "fail/eksctl/cluster.yaml:8",
		"aws_eks_cluster.private":        "mixed/private.tf:8",
		"aws_eks_cluster.restricted":     "fail/terraform/main.tf:12", // private access left to its default
		`aws_eks_cluster.fleet["green"]`: "fail/terraform/main.tf:32",
	}
	seen := map[string]bool{}
	for _, res := range r.Results {
		if res.Resource.Type != "eks-cluster" {
			t.Errorf("%s: type %q", res.Resource.Name, res.Resource.Type)
		}
		if res.Location == nil || res.Location.Line < 1 || filepath.IsAbs(res.Location.File) || strings.Contains(res.Location.File, `\`) {
			t.Errorf("%s %s: location = %+v", res.Resource.Name, res.Control, res.Location)
			continue
		}
		if res.Control == "5.4.1" {
			seen[res.Resource.Name] = true
			if want, ok := wantLoc[res.Resource.Name]; ok && want != "" {
				if got := res.Location.File + ":" + strconv.Itoa(res.Location.Line); got != want {
					t.Errorf("%s 5.4.1 location = %s, want %s (the line that decides it, or the resource's)", res.Resource.Name, got, want)
				}
			}
		}
		if res.Status == "FAIL" {
			if res.Fix == nil || len(res.Fix.Edits) == 0 || res.Remediation != res.Fix.Description {
				t.Errorf("%s %s: FAIL without a fix: remediation %q fix %+v", res.Resource.Name, res.Control, res.Remediation, res.Fix)
				continue
			}
			for _, e := range res.Fix.Edits {
				if e.File != res.Location.File || e.Line < 1 {
					t.Errorf("%s: edit %+v", res.Resource.Name, e)
				}
			}
		} else if res.Fix != nil {
			t.Errorf("%s %s: %s with a fix", res.Resource.Name, res.Control, res.Status)
		}
	}
	for name, want := range wantLoc {
		if want != "" && !seen[name] {
			t.Errorf("no result for %s", name)
		}
	}
	// A verdict decided by a default says so.
	for _, res := range r.Results {
		if res.Resource.Name == "aws_eks_cluster.defaults" && res.Control == "5.4.1" && res.Evidence.Origins["endpointPublicAccess"] != "default" {
			t.Errorf("defaults cluster origins = %v", res.Evidence.Origins)
		}
	}
}

// sarifSchemaPaths are the shared schema CI keeps beside the checkout and the copy in testdata.
var sarifSchemaPaths = []string{
	filepath.Join("..", "..", "..", "shared", "schemas", "sarif-schema-2.1.0.json"),
	filepath.Join("..", "render", "testdata", "sarif-schema-2.1.0.json"),
}

func compileSARIF(t *testing.T) *jsonschema.Schema {
	t.Helper()
	var data []byte
	for _, p := range sarifSchemaPaths {
		if d, err := os.ReadFile(p); err == nil {
			data = d
			break
		}
	}
	if data == nil {
		t.Fatalf("no SARIF schema at %v", sarifSchemaPaths)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIaCSARIF(t *testing.T) {
	schema := compileSARIF(t) // before changing directory: the schema paths are relative
	t.Chdir(iacFixtures)
	out := filepath.Join(t.TempDir(), "eksguard.sarif")
	code, stdout, stderr := runIaC(t, "iac", "fail", "mixed", "--format", "sarif", "--output", out)
	if code != 2 || stdout != "" {
		t.Fatalf("exit code = %d, stdout %q\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID, Level string
				Message       struct{ Text string }
				Locations     []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine int }
					}
				}
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct{ Message struct{ Text string } }
			}
		}
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	rules := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		rules[r.ID] = true
	}
	if len(rules) != controlCount() {
		t.Errorf("rules = %v, want one per control", rules)
	}
	levels := map[string]int{}
	for _, r := range run.Results {
		levels[r.Level]++
		l := r.Locations[0].PhysicalLocation
		if l.ArtifactLocation.URIBaseID != "%SRCROOT%" || strings.HasPrefix(l.ArtifactLocation.URI, "/") || l.Region.StartLine < 1 {
			t.Errorf("%s: location %+v", r.RuleID, l)
		}
		if !rules[r.RuleID] {
			t.Errorf("rule id %q is not one of the rules %v", r.RuleID, rules)
		}
	}
	// SARIF has every FAIL (error) and UNKNOWN (warning) of the JSON report of the same scan, and
	// no PASS.
	_, stdout, _ = runIaC(t, "iac", "fail", "mixed", "--format", "json")
	counts := parseIaC(t, stdout).Summary
	if levels["error"] != counts["FAIL"] || levels["warning"] != counts["UNKNOWN"] || len(run.Results) != counts["FAIL"]+counts["UNKNOWN"] || counts["FAIL"] < 16 {
		t.Errorf("levels = %v, JSON summary %v", levels, counts)
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 || !strings.HasPrefix(inv.ToolExecutionNotifications[0].Message.Text, "mixed/broken/main.tf:6: ") {
		t.Errorf("invocation = %+v", inv)
	}
}

// copyTree copies a fixture folder into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
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
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestIaCPatchApplies writes the patch for every failing fixture (Terraform, .tf.json, CloudFormation
// YAML and JSON, eksctl), applies it with git apply in a fresh repository, scans again and expects the
// target's controls to pass everywhere.
func TestIaCPatchApplies(t *testing.T) {
	testenv.RequireTool(t, "git")
	tests := []struct {
		name      string
		target    []string
		pass      []string // controls that must pass after the patch
		failAfter []string
	}{
		{name: "private", target: nil, pass: []string{"2.1.1", "4.1.7", "5.3.1", "5.4.1", "5.4.2"}},
		{name: "restrict", target: []string{"--target", "restrict", "--cidr", "203.0.113.0/24,2001:db8::/32", "--cidr", "198.51.100.7/32"}, pass: []string{"2.1.1", "4.1.7", "5.3.1", "5.4.1"}, failAfter: []string{"5.4.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := t.TempDir()
			copyTree(t, filepath.Join(iacFixtures, "fail"), repo)
			git(t, repo, "init", "-q")
			git(t, repo, "add", ".")
			t.Chdir(repo)
			code, patch, stderr := runIaC(t, append([]string{"iac", ".", "--format", "patch", "--kms-key-arn", testKey}, tt.target...)...)
			if code != 1 {
				t.Fatalf("exit code = %d, want 1 (the failures are still there)\n%s", code, stderr)
			}
			for _, f := range []string{"terraform/main.tf", "terraform-json/main.tf.json", "cloudformation/cluster.yaml", "cloudformation/cluster.json", "eksctl/cluster.yaml"} {
				if !strings.Contains(patch, "--- a/"+f+"\n+++ b/"+f+"\n") {
					t.Errorf("patch does not edit %s:\n%s", f, patch)
				}
			}
			if n := strings.Count(patch, "diff --git a/terraform/main.tf "); n != 1 {
				t.Errorf("terraform/main.tf appears %d times; its fixes must be one diff", n)
			}
			if strings.Contains(patch, "# eksguard:") {
				t.Errorf("fixes were left out:\n%s", patch)
			}
			pf := filepath.Join(t.TempDir(), "fix.patch")
			if err := os.WriteFile(pf, []byte(patch), 0o644); err != nil {
				t.Fatal(err)
			}
			git(t, repo, "apply", "--check", pf)
			git(t, repo, "apply", pf)
			// The patch is the whole change, and nothing but the fixtures changed.
			if stat := git(t, repo, "diff", "--stat"); strings.Count(stat, "|") != 5 {
				t.Errorf("git diff --stat:\n%s", stat)
			}
			code, stdout, stderr := runIaC(t, append([]string{"iac", ".", "--format", "json"}, tt.target...)...)
			wantCode := 0
			if len(tt.failAfter) > 0 {
				wantCode = 1
			}
			if code != wantCode {
				t.Errorf("rescan exit code = %d, want %d\n%s", code, wantCode, stderr)
			}
			r := parseIaC(t, stdout)
			if len(r.Results) != 8*settingControlCount() || len(r.Problems) != 0 {
				t.Fatalf("rescan: %d results, problems %v", len(r.Results), r.Problems)
			}
			for _, res := range r.Results {
				for _, c := range tt.pass {
					if res.Control == c && res.Status != "PASS" {
						t.Errorf("after the patch, %s %s is %s: %s", res.Resource.Name, c, res.Status, res.Reason)
					}
				}
				for _, c := range tt.failAfter {
					if res.Control == c && res.Status != "FAIL" {
						t.Errorf("after a restrict patch, %s %s is %s; the public endpoint stays on", res.Resource.Name, c, res.Status)
					}
				}
			}
			// Scanning the patched tree again proposes nothing more for the target.
			if code, again, _ := runIaC(t, append([]string{"iac", ".", "--format", "patch", "--kms-key-arn", testKey}, tt.target...)...); again != "" || code != wantCode {
				t.Errorf("second patch (exit %d):\n%s", code, again)
			}
		})
	}
}

func TestIaCPatchWithoutFixes(t *testing.T) {
	t.Chdir(iacFixtures)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"nothing fails", []string{"iac", "hardened", "--format", "patch"}, 0},
		{"failures without a safe edit", []string{"iac", "nofix", "--format", "patch", "--controls", "5.4"}, 1},
		{"secrets encryption without a key", []string{"iac", "mixed/private.tf", "--format", "patch", "--controls", "5.3.1"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIaC(t, tt.args...)
			if code != tt.code || stdout != "" {
				t.Errorf("exit code = %d, stdout %q, stderr %q", code, stdout, stderr)
			}
		})
	}
	// The JSON report says why there is no edit.
	_, stdout, _ := runIaC(t, "iac", "nofix", "--format", "json", "--controls", "5.4")
	for _, res := range parseIaC(t, stdout).Results {
		if res.Status == "FAIL" && !strings.HasPrefix(res.Remediation, "no automatic edit: endpoint_public_access = each.value.public differs per instance") {
			t.Errorf("%s %s: remediation %q", res.Resource.Name, res.Control, res.Remediation)
		}
	}
}

func TestIaCTable(t *testing.T) {
	t.Chdir(iacFixtures)
	code, stdout, _ := runIaC(t, "iac", "fail/eksctl", "mixed/unknown", "--controls", "5.4")
	if code != 1 {
		t.Errorf("exit code = %d", code)
	}
	for _, want := range []string{"eksctl-cluster (fail/eksctl/cluster.yaml)", "aws_eks_cluster.unknown (mixed/unknown/main.tf)", "Summary: 0 PASS, 2 FAIL, 2 UNKNOWN, 0 ERROR, 0 MANUAL"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Error("table on a pipe has colour")
	}
}
