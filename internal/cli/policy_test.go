package cli

import (
	"encoding/json"
	"github.com/eksguard/eksguard/internal/testenv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// policyTF declares three clusters: one allowlisted by design with a waiver on it, one open, one
// private. Written as a real module is: a variable from tfvars, comments, CRLF in one file.
const policyTF = `variable "allowlist" {
  type = list(string)
}

# eksguard:ignore 5.4.2 reason="allowlisted by design, reviewed 2026-10" expires=2099-06-30
resource "aws_eks_cluster" "analytics" {
  name     = "analytics"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs     = var.allowlist
  }
}

resource "aws_eks_cluster" "open" {
  name     = "open"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1"] # eksguard:ignore eks-endpoint-private reason="lab" expires=2020-01-01
  }
}
`

const policyWaivers = "waivers:\r\n" +
	"  - control: \"2.1.1\"\r\n" +
	"    address: \"aws_eks_cluster.*\"\r\n" +
	"    reason: logging goes to the organization trail\r\n" +
	"    expires: 2099-06-30\r\n" +
	"  - check: eks-access-api\r\n" +
	"    file: \"elsewhere/*\"\r\n" +
	"    reason: nothing matches this one\r\n" +
	"    expires: 2099-06-30\r\n"

type policyReport struct {
	Results []struct {
		Control, Status, Baseline string
		Resource                  struct{ Name string }
		Waived                    *struct{ Reason, Expires, Entry string }
	}
	Summary map[string]int
	Waivers *struct {
		Applied        int
		Stale, Expired []struct{ Entry, Control, CheckID string }
	}
	Fixed []struct {
		Control  string
		Resource struct{ Name string }
	}
}

func (r policyReport) get(name, control string) (status, baseline, waivedBy string) {
	for _, x := range r.Results {
		if x.Resource.Name == name && x.Control == control {
			w := ""
			if x.Waived != nil {
				w = x.Waived.Entry
			}
			return x.Status, x.Baseline, w
		}
	}
	return "", "", ""
}

func policyTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"main.tf":                policyTF,
		"terraform.tfvars":       "allowlist = [\"203.0.113.0/24\"]\r\n",
		".eksguard-waivers.yaml": "\ufeff" + policyWaivers,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func TestIaCWaivers(t *testing.T) {
	policyTree(t)
	code, out, stderr := runIaC(t, "iac", "--controls", "2.1.1,5.4", "-f", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the open cluster fails); stderr %s", code, stderr)
	}
	var r policyReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, control, status, waivedBy string }{
		{"aws_eks_cluster.analytics", "2.1.1", "FAIL", "0"},
		{"aws_eks_cluster.analytics", "5.4.1", "PASS", ""},
		{"aws_eks_cluster.analytics", "5.4.2", "FAIL", "main.tf:5"},
		{"aws_eks_cluster.open", "2.1.1", "FAIL", "0"},
		{"aws_eks_cluster.open", "5.4.1", "FAIL", ""},
		{"aws_eks_cluster.open", "5.4.2", "FAIL", ""}, // its inline waiver has expired
	} {
		st, _, by := r.get(tc.name, tc.control)
		if st != tc.status || by != tc.waivedBy {
			t.Errorf("%s %s: %s waived by %q, want %s waived by %q", tc.name, tc.control, st, by, tc.status, tc.waivedBy)
		}
	}
	if r.Summary["WAIVED"] != 3 || r.Summary["FAIL"] != 2 || r.Summary["PASS"] != 1 {
		t.Errorf("summary %v", r.Summary)
	}
	if r.Waivers == nil || r.Waivers.Applied != 3 || len(r.Waivers.Stale) != 1 || r.Waivers.Stale[0].Entry != "1" ||
		len(r.Waivers.Expired) != 1 || r.Waivers.Expired[0].Entry != "main.tf:20" {
		t.Errorf("waivers %+v", r.Waivers)
	}

	// A waived failure gets no edit: the patch never turns on what a team accepted.
	code, patch, _ := runIaC(t, "iac", "--controls", "2.1.1,5.4", "-f", "patch")
	if code != 1 || strings.Contains(patch, "enabled_cluster_log_types") || !strings.Contains(patch, "endpoint_private_access = true") {
		t.Errorf("patch (exit %d):\n%s", code, patch)
	}
	if strings.Contains(patch, "analytics") {
		t.Errorf("the waived 5.4.2 of analytics must not be edited:\n%s", patch)
	}

	// SARIF: waived results are suppressed, in source or external.
	_, sarif, _ := runIaC(t, "iac", "--controls", "5.4.2", "-f", "sarif")
	if !strings.Contains(sarif, `"kind": "inSource"`) || !strings.Contains(sarif, `"justification": "allowlisted by design, reviewed 2026-10 (waiver main.tf:5, until 2099-06-30)"`) {
		t.Errorf("SARIF suppressions missing:\n%s", sarif)
	}

	// --no-waivers: everything counts again.
	_, out, _ = runIaC(t, "iac", "--controls", "2.1.1,5.4", "-f", "json", "--no-waivers")
	r = policyReport{}
	_ = json.Unmarshal([]byte(out), &r)
	if r.Summary["WAIVED"] != 0 || r.Summary["FAIL"] != 5 || r.Waivers != nil {
		t.Errorf("--no-waivers: %v %+v", r.Summary, r.Waivers)
	}

	// The table marks waived results and lists stale and expired waivers.
	_, table, _ := runIaC(t, "iac", "--controls", "2.1.1,5.4")
	for _, want := range []string{"[WAIVED]", "waived: allowlisted by design, reviewed 2026-10 (until 2099-06-30, main.tf:5)",
		"waiver expired main.tf:20, eks-endpoint-private: lab (expired 2020-01-01)", "waiver unused waivers file entry 1, eks-access-api",
		"Summary: 1 PASS, 2 FAIL, 0 UNKNOWN, 0 ERROR, 0 MANUAL, 3 WAIVED"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

func TestIaCWaiversFileErrors(t *testing.T) {
	dir := policyTree(t)
	for _, tc := range []struct{ file, args, want string }{
		{"waivers:\n  - control: \"5.4.2\"\n    resource: \"*\"\n    reason: x\n    expires: 2027-13-01\n", "", ".eksguard-waivers.yaml:5: expires:"},
		{"waivers:\n  - control: \"5.4.2\"\n    reason: x\n    expires: 2027-01-01\n", "", ".eksguard-waivers.yaml:2: a waiver needs at least one of resource"},
		{"waivers: [\n", "", ".eksguard-waivers.yaml:"},
		{"", "--waivers missing.yaml", "--waivers: no such file: missing.yaml"},
	} {
		if err := os.WriteFile(filepath.Join(dir, ".eksguard-waivers.yaml"), []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"iac", "--controls", "5.4"}, strings.Fields(tc.args)...)
		code, out, stderr := runIaC(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || out != "" {
			t.Errorf("%q %s: exit %d, stderr %q, stdout %d bytes; want 2 and %q with no report", tc.file, tc.args, code, stderr, len(out), tc.want)
		}
	}
	// A bad inline waiver is a problem with its line; the report is still written.
	if err := os.Remove(filepath.Join(dir, ".eksguard-waivers.yaml")); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(policyTF, `expires=2020-01-01`, `expires=soon`, 1)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runIaC(t, "iac", "--controls", "5.4", "-f", "json")
	if code != 2 || !strings.Contains(stderr, `main.tf:20: eksguard:ignore: expires: "soon" is not a date`) || !strings.Contains(out, `"code": "waiver"`) {
		t.Errorf("bad inline waiver: exit %d, stderr %s", code, stderr)
	}
}

func TestIaCExitPolicy(t *testing.T) {
	policyTree(t)
	for _, tc := range []struct {
		args   string
		code   int
		stderr string
	}{
		{"", 1, ""},
		{"--fail-on ERROR", 0, ""},
		{"--fail-on FAIL,ERROR,UNKNOWN", 1, ""},
		{"--exit-code 9", 9, ""},
		{"--fail-on fail --exit-code 125", 125, ""},
		{"--soft-fail", 0, "2 FAIL results (exit 0: --soft-fail)"},
		{"--soft-fail --exit-code 3", 2, "--soft-fail always exits 0"},
		{"--exit-code 0", 2, "--soft-fail is the flag for exiting 0"},
		{"--exit-code 126", 2, "--exit-code must be between 1 and 125"},
		{"--exit-code x", 2, `"x" is not a number`},
		{"--fail-on PASS", 2, `--fail-on: "PASS"`},
		{"--fail-on=", 2, "--fail-on"},
		{"--fail-on-new", 2, "--fail-on-new needs --baseline"},
	} {
		args := append([]string{"iac", "--controls", "2.1.1,5.4"}, strings.Fields(tc.args)...)
		code, _, stderr := runIaC(t, args...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d (stderr %q), want %d and %q", tc.args, code, stderr, tc.code, tc.stderr)
		}
	}
}

func TestIaCBaseline(t *testing.T) {
	dir := policyTree(t)
	if code, _, stderr := runIaC(t, "iac", "--controls", "5.4", "-f", "json", "-o", "before.json"); code != 1 {
		t.Fatalf("baseline run: exit %d %s", code, stderr)
	}
	// The open cluster gets its private endpoint (5.4.1 and 5.4.2 fixed), and a new open one appears.
	next := strings.Replace(policyTF, `subnet_ids = ["subnet-1"] # eksguard:ignore eks-endpoint-private reason="lab" expires=2020-01-01`,
		"subnet_ids = [\"subnet-1\"]\n    endpoint_private_access = true\n    endpoint_public_access = false", 1)
	next += `
resource "aws_eks_cluster" "newcomer" {
  name     = "newcomer"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(next), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runIaC(t, "iac", "--controls", "5.4", "-f", "json", "--baseline", "before.json", "--fail-on-new")
	if code != 1 {
		t.Fatalf("exit %d, want 1 for the newcomer; %s", code, stderr)
	}
	var r policyReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, control, status, baseline string }{
		{"aws_eks_cluster.newcomer", "5.4.1", "FAIL", "new"},
		{"aws_eks_cluster.newcomer", "5.4.2", "FAIL", "new"},
		{"aws_eks_cluster.analytics", "5.4.2", "FAIL", "unchanged"}, // waived, and still compared
		{"aws_eks_cluster.open", "5.4.1", "PASS", ""},
	} {
		st, bl, _ := r.get(tc.name, tc.control)
		if st != tc.status || bl != tc.baseline {
			t.Errorf("%s %s: %s/%q, want %s/%q", tc.name, tc.control, st, bl, tc.status, tc.baseline)
		}
	}
	var fixed []string
	for _, f := range r.Fixed {
		fixed = append(fixed, f.Control+" "+f.Resource.Name)
	}
	if got := strings.Join(fixed, ","); got != "5.4.1 aws_eks_cluster.open,5.4.2 aws_eks_cluster.open" {
		t.Errorf("fixed = %s", got)
	}
	// Without the newcomer, nothing is new: --fail-on-new passes while the waived failure stays.
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(strings.Split(next, "\nresource \"aws_eks_cluster\" \"newcomer\"")[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runIaC(t, "iac", "--controls", "5.4", "--baseline", "before.json", "--fail-on-new"); code != 0 {
		t.Errorf("nothing new: exit %d %s", code, stderr)
	}
	// A baseline that is not an eksguard JSON report is refused.
	if err := os.WriteFile(filepath.Join(dir, "before.sarif"), []byte(`{"version":"2.1.0","runs":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runIaC(t, "iac", "--baseline", "before.sarif"); code != 2 || !strings.Contains(stderr, "before.sarif is not an eksguard JSON report") {
		t.Errorf("sarif baseline: exit %d %s", code, stderr)
	}
}

func TestIaCOutputsAndFilters(t *testing.T) {
	dir := policyTree(t)
	code, table, stderr := runIaC(t, "iac", "--controls", "5.4", "--output-format", "json=out/r.json", "--output-format", "SARIF="+filepath.Join(dir, "r.sarif"), "-q")
	if code != 2 || !strings.Contains(stderr, "out/r.json") {
		// The folder out/ does not exist: the run says so, exit 2.
		t.Errorf("missing folder: exit %d %s", code, stderr)
	}
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, table, stderr = runIaC(t, "iac", "--controls", "5.4", "--output-format", "json=out/r.json,SARIF="+filepath.Join(dir, "r.sarif"), "-q")
	if code != 1 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	if strings.Contains(table, "PASS    5.4.1") || strings.Contains(table, "eksguard 0") || !strings.HasSuffix(table, "Summary: 1 PASS, 2 FAIL, 0 UNKNOWN, 0 ERROR, 0 MANUAL, 1 WAIVED\n") {
		t.Errorf("--quiet table:\n%s", table)
	}
	var r policyReport
	data, err := os.ReadFile(filepath.Join(dir, "out", "r.json"))
	if err != nil || json.Unmarshal(data, &r) != nil || len(r.Results) != 4 {
		t.Errorf("json output: %v %d results", err, len(r.Results))
	}
	if data, err := os.ReadFile(filepath.Join(dir, "r.sarif")); err != nil || !strings.Contains(string(data), `"version": "2.1.0"`) {
		t.Errorf("sarif output: %v", err)
	}
	// --status filters every output; the summary still counts all.
	_, out, _ := runIaC(t, "iac", "--controls", "5.4", "-f", "json", "--status", "FAIL,waived")
	r = policyReport{}
	_ = json.Unmarshal([]byte(out), &r)
	if len(r.Results) != 3 || r.Summary["PASS"] != 1 {
		t.Errorf("--status: %d results, summary %v", len(r.Results), r.Summary)
	}
	// --compact: one line per cluster.
	_, compact, _ := runIaC(t, "iac", "--controls", "5.4", "--compact")
	if !strings.Contains(compact, "FAIL    aws_eks_cluster.analytics (main.tf)  5.4.1 PASS  5.4.2 FAIL(waived)") &&
		!strings.Contains(compact, "PASS    aws_eks_cluster.analytics (main.tf)  5.4.1 PASS  5.4.2 FAIL(waived)") {
		t.Errorf("--compact:\n%s", compact)
	}
	// An extra output may not overwrite an input or the main output.
	if code, _, stderr := runIaC(t, "iac", "-o", "r.json", "--output-format", "json=r.json"); code != 2 || !strings.Contains(stderr, "written twice") {
		t.Errorf("same file twice: exit %d %s", code, stderr)
	}
}

// TestScanPolicy: an exposure run in CI over a fleet with one allowlisted cluster accepted by a
// waiver, one CREATING cluster and one cluster in a region denied to the scanner.
func TestScanPolicy(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - {name: analytics, resourcesVpcConfig: {endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"]}}
          - {name: private, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}
          - {name: new, status: CREATING}
      - {name: eu-west-1, accessDenied: true}
`)
	dir := t.TempDir()
	waivers := filepath.Join(dir, "w.yaml")
	if err := os.WriteFile(waivers, []byte(`waivers:
  - control: "5.4.2"
    resource: "arn:aws:eks:*:111111111111:cluster/analytics"
    reason: allowlisted by design
    expires: 2099-01-01
`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"scan", "--endpoint-url", url, "--controls", "5.4.1,5.4.2", "--waivers", waivers}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 3, "scan incomplete: 0 ERROR and 2 UNKNOWN"},                   // the CREATING cluster
		{[]string{"--fail-on", "FAIL"}, 0, ""},                               // only failures count, and the one there is waived
		{[]string{"--region", "us-east-1,eu-west-1"}, 4, "eks:ListClusters"}, // denied region
		{[]string{"--region", "us-east-1,eu-west-1", "--fail-on", "FAIL"}, 0, ""},
		{[]string{"--region", "us-east-1,eu-west-1", "--fail-on", "FAIL,ERROR"}, 4, "eks:ListClusters"},
		{[]string{"--soft-fail"}, 0, "(exit 0: --soft-fail)"},
	} {
		code, out, stderr := run(t, append(append(append([]string{}, base...), tc.args...), "-f", "json")...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: exit %d (stderr %q), want %d and %q", tc.args, code, stderr, tc.code, tc.stderr)
		}
		r := parseReport(t, out)
		if got := r.status("analytics", "5.4.2"); got != "FAIL" {
			t.Errorf("%v: a waived result keeps its verdict, got %s", tc.args, got)
		}
	}
	// Without the waiver, the allowlisted cluster fails 5.4.2 and --fail-on FAIL gives 1.
	if code, _, _ := run(t, "scan", "--endpoint-url", url, "--controls", "5.4.1,5.4.2", "--fail-on", "FAIL", "--exit-code", "10"); code != 10 {
		t.Errorf("no waiver: exit %d, want 10", code)
	}
}
