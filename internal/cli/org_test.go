package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

const orgYAML = `
accounts:
  - id: "100000000000"
    regions: [{name: us-east-1, clusters: [{name: mgmt, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}]}]
  - id: "100000000001"
    regions: [{name: us-east-1, clusters: [{name: open}]}]
  - id: "100000000002"
    status: SUSPENDED
  - id: "100000000003"
    denyAssumeRole: true
`

func TestScanOrg(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, orgYAML)
	code, out, errOut := run(t, "scan", "--endpoint-url", url, "--org", "--role-name", "OrganizationAccountAccessRole", "--format", "json")
	if code != 4 || !strings.Contains(errOut, "sts:AssumeRole (100000000003)") {
		t.Fatalf("exit %d, want 4 naming sts:AssumeRole for the account that refused: %s", code, errOut)
	}
	r := parseReport(t, out)
	if r.status("open", "5.4.1") != "FAIL" || r.status("mgmt", "5.4.1") != "PASS" {
		t.Errorf("verdicts: %+v", r.Results)
	}
	var accountErrors int
	for _, res := range r.Results {
		if res.Resource.Account == "" {
			t.Errorf("result without an account: %+v", res)
		}
		if res.Status == "ERROR" && res.Resource.Type == "aws-account" && res.Resource.Account == "100000000003" {
			accountErrors++
		}
	}
	if accountErrors != controlCount() {
		t.Errorf("account 100000000003 has %d ERROR results, want one per control", accountErrors)
	}
	if !strings.Contains(out, `"reason": "account is SUSPENDED in the organization"`) {
		t.Errorf("the suspended account is not reported as skipped:\n%s", out)
	}
	// The table groups by account and lists the skipped account.
	_, table, _ := run(t, "scan", "--endpoint-url", url, "--org", "--role-name", "OrganizationAccountAccessRole")
	if !strings.Contains(table, "Account 100000000001") || !strings.Contains(table, "skipped 100000000002: account is SUSPENDED") {
		t.Errorf("table:\n%s", table)
	}
	// Flag errors.
	for _, args := range [][]string{{"--org"}, {"--accounts", "12345"}, {"--role-name", "x"}} {
		code, _, errOut := run(t, append([]string{"scan", "--endpoint-url", url}, args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
}

func TestScanOrgFromMemberAccountIsDenied(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, "organization: false\n"+orgYAML)
	code, out, errOut := run(t, "scan", "--endpoint-url", url, "--org", "--role-name", "R")
	if code != 3 || out != "" || !strings.Contains(errOut, "not in an AWS Organization") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}

// TestScanCancelled interrupts a slow scan: it must stop promptly and write no report, neither to
// standard output nor to --output.
func TestScanCancelled(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, "behaviour: {latency: 300ms}\ngenerate: {accounts: 1, regions: 3, clustersPerRegion: 50}\n")
	out := filepath.Join(t.TempDir(), "report.json")
	io, _, stdout, stderr := iostreams.Test()
	io.Getenv = os.Getenv
	f := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"scan", "--endpoint-url", url, "--all-regions", "--format", "json", "--output", out}, f)
	}()
	time.Sleep(700 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	var code int
	select {
	case code = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("scan did not stop within 5s of cancellation")
	}
	if took := time.Since(cancelled); took > 2*time.Second {
		t.Errorf("scan took %s to stop", took)
	}
	if code != 3 || !strings.Contains(stderr.String(), "interrupted: no report written") || stdout.Len() != 0 {
		t.Errorf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a report file was written after cancellation: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}
