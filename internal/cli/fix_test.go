package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	iopkg "io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

const fixFleet = `
behaviour:
  updateDuration: 100ms
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        vpcs:
          - {vpcId: vpc-0a1, cidrBlock: 10.0.0.0/16, enableDnsSupport: true, enableDnsHostnames: true}
        securityGroups:
          - groupId: sg-0c1
            vpcId: vpc-0a1
            ipPermissions:
              - {ipProtocol: tcp, fromPort: 443, toPort: 443, ipRanges: [{cidrIp: 10.20.0.0/16}]}
        clusters:
          - name: prod
            resourcesVpcConfig: {vpcId: vpc-0a1, clusterSecurityGroupId: sg-0c1, endpointPublicAccess: true}
          - name: staging
            resourcesVpcConfig: {vpcId: vpc-0a1, clusterSecurityGroupId: sg-0c1, endpointPublicAccess: true}
      - name: eu-west-1
        accessDenied: true
`

func echoServer(t *testing.T, ip string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, ip) }))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFixCommand(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, fixFleet)
	t.Setenv("EKSGUARD_IP_ECHO_URL", echoServer(t, "203.0.113.9"))
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	base := []string{"fix", "--endpoint-url", url, "--poll-interval", "50ms"}
	tests := []struct {
		name      string
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{"no target", []string{"--cluster", "prod"}, 2, "", "choose exactly one target"},
		{"both targets", []string{"--cluster", "prod", "--private", "--restrict", "203.0.113.0/24"}, 2, "", "choose exactly one target"},
		{"no cluster", []string{"--private"}, 2, "", "--cluster is required"},
		{"bad caller ip", []string{"--cluster", "prod", "--restrict", "203.0.113.0/24", "--caller-ip", "nope"}, 2, "", "--caller-ip"},
		{"unknown cluster", []string{"--cluster", "ghost", "--private", "--allow-lockout"}, 2, "", `cluster "ghost" not found in us-east-1`},
		{"access denied", []string{"--cluster", "prod", "--region", "eu-west-1", "--private", "--allow-lockout"}, 4, "", "access denied"},
		{"plan refuses lockout", []string{"--cluster", "prod", "--private"}, 1, "REFUSE client-networks", "refuse; nothing was changed"},
		{"plan passes", []string{"--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16"}, 0, "Run again with --apply", ""},
		{"restrict plan with caller outside", []string{"--cluster", "prod", "--restrict", "198.51.100.0/24"}, 1, "203.0.113.9", ""},
		{"apply off a terminal needs --yes", []string{"--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16", "--apply"}, 2, "", "needs --yes"},
		{"apply restrict", []string{"--cluster", "staging", "--restrict", "203.0.113.0/24", "--apply", "--yes", "--audit-log", audit}, 0, "Outcome: applied", "phase enable-private"},
		{"re-run is a no-op", []string{"--cluster", "staging", "--restrict", "203.0.113.0/24", "--apply", "--yes", "--audit-log", audit}, 0, "Already compliant", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, append(append([]string{}, base...), tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.stdoutHas) || !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("stdout %q\nstderr %q\nwant %q / %q", out, errOut, tt.stdoutHas, tt.stderrHas)
			}
		})
	}
	lines := readLines(t, audit)
	if len(lines) != 3 {
		t.Fatalf("audit log has %d lines, want 3: one as each of the two updates starts and one for the change (the no-op re-run writes nothing): %v", len(lines), lines)
	}
	for _, l := range lines[:2] {
		if !strings.Contains(l, `"outcome":"update-started"`) || !strings.Contains(l, `"status":"InProgress"`) {
			t.Errorf("started line: %s", l)
		}
	}
	lines = lines[2:]
	var entry struct {
		Time       time.Time
		Caller     string
		ClusterARN string `json:"clusterArn"`
		Before     struct{ EndpointPrivateAccess bool }
		After      struct {
			EndpointPrivateAccess, EndpointPublicAccess bool
			PublicAccessCidrs                           []string
		}
		UpdateIDs []string `json:"updateIds"`
		Outcome   string
	}
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry.Caller == "" || !strings.HasSuffix(entry.ClusterARN, ":cluster/staging") || entry.Outcome != "applied" || len(entry.UpdateIDs) != 2 ||
		entry.Before.EndpointPrivateAccess || !entry.After.EndpointPrivateAccess || !entry.After.EndpointPublicAccess || fmt.Sprint(entry.After.PublicAccessCidrs) != "[203.0.113.0/24]" || entry.Time.IsZero() {
		t.Errorf("audit entry = %+v", entry)
	}
	// And a scan now agrees.
	code, out, _ := run(t, "scan", "--endpoint-url", url, "--cluster", "staging", "--format", "json")
	r := parseReport(t, out)
	if code != 1 || r.status("staging", "5.4.1") != "PASS" || r.status("staging", "5.4.2") != "FAIL" {
		t.Errorf("scan after restrict: exit %d, 5.4.1 %s 5.4.2 %s", code, r.status("staging", "5.4.1"), r.status("staging", "5.4.2"))
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func TestFixJSONAndFailureExitCode(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, strings.Replace(fixFleet, "updateDuration: 100ms", "updateDuration: 100ms\n  failUpdates: [prod]", 1))
	code, out, errOut := run(t, "fix", "--endpoint-url", url, "--poll-interval", "50ms", "--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16", "--apply", "--yes", "--format", "json")
	if code != 3 {
		t.Fatalf("exit %d, want 3 for a failed change: %s", code, errOut)
	}
	var doc struct {
		Plan struct {
			Checks []struct{ ID, Status string }
			Phases []struct{ Name string }
		}
		Outcome struct {
			Result, Message string
			Updates         []struct{ Phase, Status string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc.Outcome.Result != "failed-rolled-back" || !strings.Contains(errOut, "unchanged") || len(doc.Plan.Phases) != 2 || doc.Outcome.Updates[0].Status != "Failed" {
		t.Errorf("outcome %+v; stderr %s", doc.Outcome, errOut)
	}
}

func TestFixConfirmationPrompt(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, fixFleet)
	for _, tc := range []struct {
		typed string
		code  int
		has   string
	}{
		{"wrong\n", 1, "not confirmed"},
		{"prod\n", 0, `"result": "applied"`},
	} {
		io, in, out, errOut := iostreams.Test()
		io.Getenv = os.Getenv
		io.SetTerminal(true, false, false)
		in.WriteString(tc.typed)
		f := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: time.Now}
		code := Run(context.Background(), []string{"fix", "--endpoint-url", url, "--poll-interval", "50ms", "--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16", "--apply", "--format", "json"}, f)
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.has) || !strings.Contains(errOut.String(), "Type the cluster name to confirm") {
			t.Errorf("typed %q: exit %d\nstdout %s\nstderr %s", tc.typed, code, out, errOut)
		}
		// The preview went to standard error: standard output is one JSON document or nothing.
		if out.Len() > 0 {
			var doc map[string]any
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Errorf("typed %q: stdout is not JSON: %v\n%s", tc.typed, err, out)
			}
		}
	}
}

// TestFixPromptInterrupted: Ctrl-C at the prompt means no, promptly.
func TestFixPromptInterrupted(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	url := emulate(t, fixFleet)
	io, _, out, errOut := iostreams.Test()
	io.Getenv = os.Getenv
	io.SetTerminal(true, false, false)
	blocked, w := iopkg.Pipe()
	defer w.Close()
	io.In = blocked
	f := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"fix", "--endpoint-url", url, "--cluster", "prod", "--private", "--client-cidr", "10.20.0.0/16", "--apply"}, f)
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(errOut.String(), "not confirmed") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the prompt ignored the interruption")
	}
}
