package fix

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/remediate"
	"github.com/eksguard/eksguard/internal/source/awsapi"
	"github.com/eksguard/eksguard/internal/testenv"
)

const fleet = `
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
`

// listUpdatesProxy stands between eksguard and the emulator and answers ListUpdates itself with
// status and code (an AWS error) for the first `times` calls (-1: every call); everything else goes
// through. It counts the ListUpdates calls it sees.
func listUpdatesProxy(t *testing.T, target string, status int, code string, times int64) (string, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(u)
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/clusters/prod/updates" {
			if n := seen.Add(1); times < 0 || n <= times {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-ErrorType", code)
				w.WriteHeader(status)
				_, _ = w.Write([]byte(`{"message":"` + code + ` from the test proxy"}`))
				return
			}
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &seen
}

// TestUncheckedReads: a read a safety check needs. A throttle that outlasts the SDK's attempts is
// waited out; a throttle that never ends makes the run incomplete (exit 3, "could not check"), not a
// refusal; access denied is exit 4 naming the IAM action. Nothing is changed unless every check was
// made.
func TestUncheckedReads(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	tests := []struct {
		name     string
		status   int
		code     string
		times    int64
		exit     int
		errHas   string
		outHas   string
		minCalls int64
	}{
		{"throttled past the SDK's attempts", http.StatusTooManyRequests, "ThrottlingException", 3, exit.OK, "", "PASS   no-update-in-progress", 4},
		{"throttled for good", http.StatusTooManyRequests, "ThrottlingException", -1, exit.Incomplete,
			"could not check no-update-in-progress: listing the cluster's updates (eks:ListUpdates) failed: ", "ERROR  no-update-in-progress", 3},
		{"TooManyRequests for good", http.StatusTooManyRequests, "TooManyRequestsException", -1, exit.Incomplete, "could not check no-update-in-progress", "Incomplete: 1 check(s) could not be made", 3},
		{"server errors for good", http.StatusInternalServerError, "ServerException", -1, exit.Incomplete, "could not check no-update-in-progress", "ERROR", 3},
		{"access denied", http.StatusForbidden, "AccessDeniedException", -1, exit.Denied, "access denied: grant eks:ListUpdates; nothing was changed", "grant eks:ListUpdates", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := emulator.ParseFleet([]byte(fleet), "fleet.yaml")
			if err != nil {
				t.Fatal(err)
			}
			srv := emulator.New(f)
			if _, err := srv.Start("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			endpoint, seen := listUpdatesProxy(t, srv.URL(), tt.status, tt.code, tt.times)
			streams, _, out, errOut := iostreams.Test()
			streams.Getenv = os.Getenv
			o := &Options{IO: streams, AWSConfig: app.LoadAWSConfig, Now: time.Now, Cluster: "prod", Region: "us-east-1", Private: true, ClientCIDRs: []string{"10.20.0.0/16"}, CallerIP: "auto",
				IPEchoURL: remediate.DefaultIPEchoURL, Apply: true, Yes: true, Format: "table", WaitTimeout: time.Minute, PollInterval: 50 * time.Millisecond,
				EndpointURL: endpoint, MaxAttempts: 2, RequestTimeout: awsapi.DefaultRequestTimeout,
				readBackoff: []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err = Run(ctx, o)
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if got := exit.Code(err); got != tt.exit || !strings.Contains(msg, tt.errHas) || !strings.Contains(out.String(), tt.outHas) {
				t.Fatalf("exit %d (%v), want %d containing %q\nstdout %s\nstderr %s", got, err, tt.exit, tt.errHas, out, errOut)
			}
			if n := seen.Load(); n < tt.minCalls {
				t.Errorf("ListUpdates was sent %d times, want at least %d", n, tt.minCalls)
			}
			changed := srv.Calls()["eks:UpdateClusterConfig"] > 0
			if changed != (tt.exit == exit.OK) {
				t.Errorf("UpdateClusterConfig called: %v, for exit %d", changed, tt.exit)
			}
		})
	}
}

// TestFlags: the options a command line gives, and the usage errors it refuses, without running.
func TestFlags(t *testing.T) {
	streams, _, _, _ := iostreams.Test()
	f := &app.Factory{IO: streams, AWSConfig: app.LoadAWSConfig, Now: time.Now}
	parse := func(args ...string) (*Options, error) {
		var got *Options
		err := cmdutil.ExecuteUnder(NewCmd(f, func(_ context.Context, o *Options) error { got = o; return nil }), args...)
		return got, err
	}
	o, err := parse("--cluster", "prod", "--region", "eu-west-1", "--restrict", "203.0.113.0/24", "--restrict", "198.51.100.0/24,192.0.2.0/24")
	if err != nil || o.Cluster != "prod" || o.Region != "eu-west-1" || strings.Join(o.Restrict, " ") != "203.0.113.0/24 198.51.100.0/24 192.0.2.0/24" ||
		o.IO != streams || o.AWSConfig == nil || o.Now == nil || o.Apply {
		t.Fatalf("options = %+v, %v", o, err)
	}
	for _, tt := range []struct {
		args []string
		has  string
	}{
		{nil, "--cluster is required"},
		{[]string{"--cluster", "prod"}, "choose exactly one target"},
		{[]string{"--cluster", "prod", "--private", "--restrict", "203.0.113.0/24"}, "choose exactly one target"},
		{[]string{"--cluster", "bad name", "--private"}, "--cluster"},
		{[]string{"--cluster", "prod", "--private", "--region", "moon-1"}, "--region"},
		{[]string{"--cluster", "prod", "--private", "--format", "sarif"}, "--format"},
		{[]string{"--cluster", "prod", "--private", "--caller-ip", "1.2.3.4"}, "--caller-ip applies to --restrict"},
		{[]string{"--cluster", "prod", "--restrict", "203.0.113.0/24", "--caller-ip", "nope"}, "--caller-ip"},
		{[]string{"--cluster", "prod", "--private", "--wait-timeout", "0s"}, "--wait-timeout"},
		{[]string{"--cluster", "prod", "--private", "--endpoint-url", "ftp://x"}, "--endpoint-url"},
		{[]string{"--cluster", "prod", "--private", "--max-attempts", "0"}, "--max-attempts"},
		{[]string{"--cluster", "prod", "--private", "--bogus"}, "unknown flag"},
		{[]string{"--cluster", "prod", "--restrict", ""}, "--restrict: empty"},
		{[]string{"--cluster", "prod", "--private", "--client-cidr", ""}, "--client-cidr: empty"},
	} {
		_, err := parse(tt.args...)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || u.Command != "fix" || !strings.Contains(err.Error(), tt.has) {
			t.Errorf("%v: %v, want a usage error of fix containing %q", tt.args, err, tt.has)
		}
	}
}
