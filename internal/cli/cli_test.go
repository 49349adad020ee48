package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// run executes the CLI in-process with the real AWS configuration loader (isolated by the test's
// environment) and returns the exit code and both streams.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	io.Getenv = os.Getenv
	f := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, f)
	return code, out.String(), errOut.String()
}

func emulate(t *testing.T, fleet string) string {
	t.Helper()
	f, err := emulator.ParseFleet([]byte(fleet), "fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.New(f)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return url
}

type report struct {
	SchemaVersion string
	Results       []struct {
		Control, CheckID, Status, Reason, Remediation string
		Resource                                      struct{ Type, Name, Region, Account, ARN string }
		Evidence                                      map[string]any
	}
	Summary map[string]int
}

func parseReport(t *testing.T, s string) report {
	t.Helper()
	var r report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, s)
	}
	return r
}

// expect checks each cluster's 5.4.1 and 5.4.2 statuses.
func (r report) expect(t *testing.T, want map[string][2]string) {
	t.Helper()
	for name, w := range want {
		if got := [2]string{r.status(name, "5.4.1"), r.status(name, "5.4.2")}; got != w {
			t.Errorf("%s: got %v want %v", name, got, w)
		}
	}
}

func (r report) status(name, control string) string {
	for _, res := range r.Results {
		if res.Resource.Name == name && res.Control == control {
			return res.Status
		}
	}
	return "missing"
}

// controlCount is the number of controls a scan evaluates by default: the results of one cluster, or
// the ERROR results of a region or account that could not be read.
func controlCount() int { return len(benchmark.Default().Evaluated()) }

// clusterControlCount is how many controls judge each cluster (all but the registry's, 5.1.1); a
// cluster or a region that cannot be read is ERROR for each of them.
func clusterControlCount() int {
	n := 0
	for _, c := range benchmark.Default().Evaluated() {
		if k, _ := check.Lookup(c.Checks[0]); !k.OfRegistry() {
			n++
		}
	}
	return n
}

// settingControlCount is how many controls read only the cluster's own settings (DescribeCluster,
// or the cluster resource in IaC): the ones judged on a definition that declares nothing else.
func settingControlCount() int {
	n := 0
	for _, c := range benchmark.Default().Evaluated() {
		if k, _ := check.Lookup(c.Checks[0]); len(k.Parts) == 0 {
			n++
		}
	}
	return n
}

// hardened are the fleet settings (in a flow mapping) that pass every control but the endpoint ones:
// every log type, access entries, a customer managed key for secrets, the VPC CNI enforcing network
// policy (and no nodes or load balancers, which pass with a note).
const hardened = `logging: {clusterLogging: [{types: [api, audit, authenticator, controllerManager, scheduler], enabled: true}]}, ` +
	`accessConfig: {authenticationMode: API}, ` +
	`addons: [{addonName: vpc-cni, configurationValues: '{"enableNetworkPolicy":"true"}'}], ` +
	`encryptionConfig: [{resources: [secrets], provider: {keyArn: "arn:aws:kms:us-east-1:111111111111:key/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"}}]`

const oneRegion = `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
%s`

func TestScanExitCodes(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	pass := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: p, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}, "+hardened+"}\n", 1))
	fail := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: open}\n", 1))
	unknown := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: new, status: CREATING}\n", 1))
	denied := emulate(t, `
accounts:
  - id: "111111111111"
    regions:
      - {name: us-east-1, clusters: [{name: open}]}
      - {name: eu-west-1, accessDenied: true}
`)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\"snapshotVersion\": \"1\",\n \"inventory\": [}"), 0o644)
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHas  string
		stdoutJSON bool
	}{
		{"all pass", []string{"scan", "--endpoint-url", pass, "--format", "json"}, 0, "", true},
		{"a failure", []string{"scan", "--endpoint-url", fail, "--format", "json"}, 1, "", true},
		{"unknown from live data is incomplete", []string{"scan", "--endpoint-url", unknown, "--format", "json"}, 3, "scan incomplete", true},
		{"access denied names the action", []string{"scan", "--endpoint-url", denied, "--region", "us-east-1,eu-west-1", "--format", "json"}, 4, "eks:ListClusters (111111111111 eu-west-1)", true},
		{"unknown flag", []string{"scan", "--regoin", "us-east-1"}, 2, "unknown flag: --regoin", false},
		{"bad region name", []string{"scan", "--region", "us-east1"}, 2, `"us-east1" is not an AWS region name`, false},
		{"conflicting flags", []string{"scan", "--region", "us-east-1", "--all-regions"}, 2, "cannot be used together", false},
		{"unknown format", []string{"scan", "--format", "xml"}, 2, `unknown format "xml"`, false},
		{"malformed snapshot names file and line", []string{"scan", "--snapshot", bad}, 2, "bad.json:2:", false},
		{"missing snapshot", []string{"scan", "--snapshot", filepath.Join(t.TempDir(), "nope.json")}, 2, "no such file", false},
		{"snapshot with live flags", []string{"scan", "--snapshot", bad, "--region", "us-east-1"}, 2, "cannot be combined with --region", false},
		{"unreachable endpoint", []string{"scan", "--endpoint-url", "http://127.0.0.1:1", "--max-attempts", "1"}, 3, "cannot reach AWS", false},
		{"bad endpoint url", []string{"scan", "--endpoint-url", "localhost:4566"}, 2, "must start with http://", false},
		{"unknown command", []string{"scna"}, 2, `unknown command "scna" for "eksguard"; did you mean "scan"?`, false},
		{"unknown command, nothing near", []string{"xyzzy"}, 2, `unknown command "xyzzy" for "eksguard"` + "\nRun 'eksguard --help' for usage.", false},
		{"format in capitals, short flags", []string{"scan", "--endpoint-url", pass, "-f", "JSON", "-o", "-"}, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d\nstderr: %s", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.stderrHas)
			}
			if strings.Contains(errOut, "panic") {
				t.Errorf("panic: %s", errOut)
			}
			if tt.stdoutJSON {
				parseReport(t, out)
			} else if out != "" {
				t.Errorf("stdout should be empty on a usage error, got %q", out)
			}
		})
	}
}

func TestScanNoRegion(t *testing.T) {
	testenv.IsolateAWS(t, "")
	code, _, errOut := run(t, "scan", "--endpoint-url", "http://127.0.0.1:1")
	if code != 2 || !strings.Contains(errOut, "no region") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
}

func TestScanNoCredentials(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	testenv.Unsetenv(t, "AWS_ACCESS_KEY_ID")
	testenv.Unsetenv(t, "AWS_SECRET_ACCESS_KEY")
	code, out, errOut := run(t, "scan", "--endpoint-url", "http://127.0.0.1:1")
	if code != 4 || !strings.Contains(errOut, "credentials") || out != "" {
		t.Fatalf("code %d stdout %q stderr %q", code, out, errOut)
	}
	// The message names the ways out, on one line, with nothing else from the SDK.
	for _, fix := range []string{"aws configure", "aws sso login", "--profile", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"} {
		if !strings.Contains(errOut, fix) {
			t.Errorf("stderr does not name %q: %s", fix, errOut)
		}
	}
	if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("stderr is more than one line: %q", errOut)
	}
}

func TestScanSnapshotRoundTrip(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - {name: open}
          - {name: halves, resourcesVpcConfig: {endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: [0.0.0.0/1, 128.0.0.0/1]}}
          - {name: part, resourcesVpcConfig: {endpointPrivateAccess: true}, omitFields: [resourcesVpcConfig.endpointPublicAccess]}
      - name: eu-west-1
        clusters:
          - {name: private, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: [0.0.0.0/0]}}
`)
	dir := t.TempDir()
	snap, live := filepath.Join(dir, "snap.json"), filepath.Join(dir, "live.json")
	code, _, errOut := run(t, "scan", "--endpoint-url", url, "--region", "us-east-1", "--region", "eu-west-1", "--format", "json", "--output", live, "--save-snapshot", snap)
	if code != 3 {
		t.Fatalf("live scan exit %d, want 3 (one cluster lacks a field): %s", code, errOut)
	}
	// Offline: no endpoint, no credentials at all.
	testenv.Unsetenv(t, "AWS_ACCESS_KEY_ID")
	code2, offline, _ := run(t, "scan", "--snapshot", snap, "--format", "json")
	if code2 != code {
		t.Errorf("offline exit %d, live %d", code2, code)
	}
	liveOut, _ := os.ReadFile(live)
	if !bytes.Equal(liveOut, []byte(offline)) {
		t.Errorf("offline report differs from live report\nlive:\n%s\noffline:\n%s", liveOut, offline)
	}
	r := parseReport(t, offline)
	want := map[string][2]string{"open": {"FAIL", "FAIL"}, "halves": {"FAIL", "FAIL"}, "part": {"UNKNOWN", "UNKNOWN"}, "private": {"PASS", "PASS"}}
	r.expect(t, want)
}

func TestScanHonoursAWSEndpointURL(t *testing.T) {
	testenv.IsolateAWS(t, "eu-west-1")
	url := emulate(t, `
accounts:
  - id: "222222222222"
    regions:
      - {name: eu-west-1, clusters: [{name: solo}]}
`)
	t.Setenv("AWS_ENDPOINT_URL", url)
	code, out, errOut := run(t, "scan", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := parseReport(t, out)
	// One result per cluster control, and the region's registry (5.1.1).
	if len(r.Results) != clusterControlCount()+1 || r.Results[0].Resource.Account != "222222222222" || r.Results[0].Resource.Region != "eu-west-1" {
		t.Errorf("results = %+v", r.Results)
	}
}

func TestScanTableOnPipeHasNoColour(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: open}\n", 1))
	_, out, _ := run(t, "scan", "--endpoint-url", url)
	if strings.Contains(out, "\x1b[") || !strings.Contains(out, "FAIL") || !strings.Contains(out, fmt.Sprintf(" %d FAIL", settingControlCount())) {
		t.Errorf("table output:\n%s", out)
	}
}

func TestDemo(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	// The demo must ignore the caller's AWS settings entirely.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	code, out, errOut := run(t, "demo", "--format", "json")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut)
	}
	r := parseReport(t, out)
	want := map[string][2]string{
		"storefront":    {"FAIL", "FAIL"},
		"payments":      {"PASS", "PASS"},
		"analytics":     {"PASS", "FAIL"},
		"ci-runners":    {"FAIL", "FAIL"},
		"legacy-halves": {"FAIL", "FAIL"},
		"ledger":        {"PASS", "PASS"},
		"search":        {"FAIL", "FAIL"},
		"ml-ipv6":       {"FAIL", "FAIL"},
		"batch":         {"FAIL", "FAIL"},
		"onboarding":    {"UNKNOWN", "UNKNOWN"},
		"on-prem-edge":  {"UNKNOWN", "UNKNOWN"},
		"half-read":     {"UNKNOWN", "UNKNOWN"},
	}
	r.expect(t, want)
	// Logging (2.1.1), access entries (4.1.7) and secrets encryption (5.3.1).
	for name, w := range map[string][3]string{
		"storefront": {"FAIL", "FAIL", "FAIL"},
		"payments":   {"PASS", "PASS", "PASS"},
		"analytics":  {"FAIL", "PASS", "PASS"},
		"ledger":     {"PASS", "PASS", "PASS"},
		"search":     {"FAIL", "FAIL", "FAIL"},
		"onboarding": {"UNKNOWN", "UNKNOWN", "UNKNOWN"},
		"half-read":  {"FAIL", "UNKNOWN", "FAIL"},
	} {
		if got := [3]string{r.status(name, "2.1.1"), r.status(name, "4.1.7"), r.status(name, "5.3.1")}; got != w {
			t.Errorf("%s: 2.1.1, 4.1.7, 5.3.1 = %v, want %v", name, got, w)
		}
	}
	// Image scanning (5.1.1, per region), node roles' ECR access (5.1.3), private nodes (5.4.3),
	// network policy (5.4.4) and TLS on load balancers (5.4.5).
	for name, w := range map[string][4]string{
		"storefront": {"FAIL", "FAIL", "MANUAL", "FAIL"},
		"payments":   {"PASS", "PASS", "PASS", "PASS"},
		"analytics":  {"PASS", "PASS", "FAIL", "PASS"},
		"onboarding": {"UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN"},
	} {
		if got := [4]string{r.status(name, "5.1.3"), r.status(name, "5.4.3"), r.status(name, "5.4.4"), r.status(name, "5.4.5")}; got != w {
			t.Errorf("%s: 5.1.3, 5.4.3, 5.4.4, 5.4.5 = %v, want %v", name, got, w)
		}
	}
	for _, res := range r.Results {
		if res.Control != "5.1.1" {
			continue
		}
		want := map[string]string{"us-east-1": "FAIL", "eu-west-1": "PASS", "ap-southeast-2": "PASS"}[res.Resource.Region]
		if res.Status != want || res.Resource.Type != "ecr-registry" || res.Resource.Name != "111111111111" {
			t.Errorf("5.1.1 on %+v = %s (%s), want %s (only us-east-1 has an unscanned repository)", res.Resource, res.Status, res.Reason, want)
		}
	}
	// Every cluster control on each cluster, and each region's registry.
	if len(r.Results) != clusterControlCount()*len(want)+3 {
		t.Errorf("%d results, want %d", len(r.Results), clusterControlCount()*len(want)+3)
	}
	code, table, _ := run(t, "demo")
	if code != 0 || !strings.Contains(table, "legacy-halves") || !strings.Contains(table, "Summary:") {
		t.Errorf("table demo exit %d:\n%s", code, table)
	}
}

func TestEmulatorCommandBadFleet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	os.WriteFile(path, []byte("accounts:\n  - id: \"111111111111\"\n    regoins: []\n"), 0o644)
	code, out, errOut := run(t, "emulator", "--fleet", path)
	if code != 2 || !strings.Contains(errOut, "fleet.yaml:3") || out != "" {
		t.Fatalf("code %d stdout %q stderr %q", code, out, errOut)
	}
	code, _, errOut = run(t, "emulator")
	if code != 2 || !strings.Contains(errOut, "--fleet is required") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
}

func TestEmulatorCommandServes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	os.WriteFile(path, []byte(strings.Replace(oneRegion, "%s", "          - {name: open}\n", 1)), 0o644)
	io, _, _, _ := iostreams.Test()
	out := &syncBuffer{}
	io.Out = out
	f := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- Run(ctx, []string{"emulator", "--fleet", path}, f) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	url := strings.TrimSpace(strings.SplitN(out.String(), "\n", 2)[0])
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line of stdout = %q, want the URL", url)
	}
	testenv.IsolateAWS(t, "us-east-1")
	code, rep, errOut := run(t, "scan", "--endpoint-url", url, "--format", "json")
	if code != 1 || parseReport(t, rep).status("open", "5.4.1") != "FAIL" {
		t.Errorf("scan against the served emulator: exit %d %s", code, errOut)
	}
	cancel()
	if c := <-done; c != 0 {
		t.Errorf("emulator exit %d", c)
	}
}

// syncBuffer is a buffer safe to write from the command's goroutine while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestScanSARIF: a live scan in SARIF validates against the published schema, and its results sit
// on the clusters as logical locations.
func TestScanSARIF(t *testing.T) {
	schema := compileSARIF(t)
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, strings.Replace(oneRegion, "%s", "          - {name: open}\n          - {name: p, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}, "+hardened+"}\n", 1))
	code, out, errOut := run(t, "scan", "--endpoint-url", url, "--format", "sarif")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	if !strings.Contains(out, `"fullyQualifiedName"`) || !strings.Contains(out, "arn:aws:eks:us-east-1:111111111111:cluster/open") || strings.Contains(out, "cluster/p\"") {
		t.Errorf("SARIF results:\n%s", out)
	}
	if code, _, errOut := run(t, "scan", "--endpoint-url", url, "--format", "patch"); code != 2 || !strings.Contains(errOut, "unknown format") {
		t.Errorf("patch for a live scan: exit %d %s", code, errOut)
	}
}

// TestCatalogueCommands runs controls and explain through the whole CLI: every control listed, the
// explanation of a control and of a check, and an unknown id refused with the ids and the help hint.
func TestCatalogueCommands(t *testing.T) {
	code, out, errOut := run(t, "controls")
	if code != 0 || strings.Count(out, "\n5.") < 10 || !strings.Contains(out, "50 controls, "+fmt.Sprint(len(benchmark.Default().WithKubernetes().Evaluated()))+" evaluated") {
		t.Errorf("controls: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "controls", "--format", "json")
	var cat struct{ Controls []struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &cat); code != 0 || err != nil || len(cat.Controls) != 50 {
		t.Errorf("controls --format json: exit %d, %v, %d controls", code, err, len(cat.Controls))
	}
	for _, id := range []string{"5.4.1", "eks-secrets-encryption", "EKS-Audit-Logging"} {
		if code, out, errOut := run(t, "explain", id); code != 0 || !strings.Contains(out, "What eksguard reads") {
			t.Errorf("explain %s: exit %d\n%s%s", id, code, out, errOut)
		}
	}
	code, out, errOut = run(t, "explain", "5.4.9")
	if code != 2 || out != "" || !strings.Contains(errOut, `"5.4.9" is not a control`) || !strings.Contains(errOut, "eks-endpoint-private") ||
		!strings.Contains(errOut, "Run 'eksguard explain --help' for usage.") {
		t.Errorf("explain 5.4.9: exit %d\nstdout %q\nstderr %s", code, out, errOut)
	}
}

// TestUsageErrorsHint: every usage error exits 2, names the flag and points at the command's help.
func TestUsageErrorsHint(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	for _, args := range [][]string{
		{"scan", "--controls", ""},
		{"scan", "--skip-controls", "9.9"},
		{"scan", "--format", "xml"},
		{"scan", "--regoin", "us-east-1"},
		{"iac", ".", "--cidr", "", "--target", "restrict"},
		{"fix", "--cluster", "a"},
		{"controls", "--format", "csv"},
		{"explain"},
	} {
		code, out, errOut := run(t, args...)
		hint := "Run 'eksguard " + args[0] + " --help' for usage."
		if code != 2 || out != "" || !strings.Contains(errOut, hint) || strings.Count(errOut, hint) != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and the hint %q once", args, code, out, errOut, hint)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, errOut := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "eksguard ") || errOut != "" {
		t.Errorf("version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, flag, _ := run(t, "--version"); flag != out {
		t.Errorf("eksguard version says %q, --version %q", out, flag)
	}
}
