package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// front is a 127.0.0.1 server in front of the emulator: the operations a test names are answered
// by its rules, in the hostile ways real endpoints, proxies and captive portals answer; everything
// else reaches the emulator.
type front struct {
	emu   *emulator.Server
	url   string
	rules map[string]rule
	// stop releases handlers that wait or write for ever, so the server can close.
	stop chan struct{}

	mu      sync.Mutex
	calls   map[string]int // by operation, e.g. "eks:ListClusters", whoever answered
	assumed map[string]int // sts:AssumeRole calls by target account
}

type rule func(f *front, w http.ResponseWriter, r *http.Request)

func startFront(t *testing.T, fleet string, rules map[string]rule) *front {
	t.Helper()
	fl, err := emulator.ParseFleet([]byte(fleet), "fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := &front{emu: emulator.New(fl), rules: rules, stop: make(chan struct{}), calls: map[string]int{}, assumed: map[string]int{}}
	srv := httptest.NewServer(f)
	f.url = srv.URL
	// Cleanups run last first: release the handlers, then close the server.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(f.stop) })
	return f
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, form := opOf(r)
	f.mu.Lock()
	f.calls[op]++
	if op == "sts:AssumeRole" {
		// arn:aws:iam::ACCOUNT:role/NAME
		if parts := strings.Split(form.Get("RoleArn"), ":"); len(parts) == 6 {
			f.assumed[parts[4]]++
		}
	}
	f.mu.Unlock()
	if rl, ok := f.rules[op]; ok {
		rl(f, w, r)
		return
	}
	f.emu.ServeHTTP(w, r)
}

func (f *front) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *front) assumedAccounts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for a := range f.assumed {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// opOf names the operation of a request as the SDK sends it, leaving the body readable.
func opOf(r *http.Request) (string, url.Values) {
	if strings.HasPrefix(r.URL.Path, "/clusters") {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		switch {
		case len(parts) == 1:
			return "eks:ListClusters", nil
		case len(parts) == 2:
			return "eks:DescribeCluster", nil
		case len(parts) == 3 && parts[2] == "updates":
			return "eks:ListUpdates", nil
		case len(parts) == 3 && parts[2] == "update-config":
			return "eks:UpdateClusterConfig", nil
		case len(parts) == 4 && parts[2] == "updates":
			return "eks:DescribeUpdate", nil
		}
		return "eks:other", nil
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return "organizations:" + t[strings.LastIndex(t, ".")+1:], nil
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	switch a := form.Get("Action"); a {
	case "GetCallerIdentity", "AssumeRole":
		return "sts:" + a, form
	default:
		return "ec2:" + a, form
	}
}

// hang never answers: it waits until the client gives up or the test ends.
func hang(f *front, w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-f.stop:
	}
}

// headersThenHang starts a 200 answer and never finishes its body.
func headersThenHang(f *front, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"clusters":["pro`))
	w.(http.Flusher).Flush()
	hang(f, w, r)
}

// endless answers 200 with prefix and then filler for ever.
func endless(contentType, prefix string) rule {
	return func(f *front, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		_, err := w.Write([]byte(prefix))
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for err == nil {
			select {
			case <-f.stop:
				return
			default:
			}
			_, err = w.Write(chunk)
		}
	}
}

func redirect(status int, location string) rule {
	return func(f *front, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", location)
		w.WriteHeader(status)
	}
}

func empty(contentType string) rule {
	return func(f *front, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
	}
}

// tokens answers a listing page with the next token next gives for the request's token; the
// listed items come from body.
func tokens(op string, next func(string) string) rule {
	return func(f *front, w http.ResponseWriter, r *http.Request) {
		var token, body string
		switch op {
		case "organizations:ListAccounts":
			b, _ := io.ReadAll(r.Body)
			if i := strings.Index(string(b), `"NextToken":"`); i >= 0 {
				token = strings.SplitN(string(b)[i+len(`"NextToken":"`):], `"`, 2)[0]
			}
		default:
			token = r.URL.Query().Get("nextToken")
		}
		nt := fmt.Sprintf("%q", next(token))
		switch op {
		case "eks:ListClusters":
			body = `{"clusters":["prod"],"nextToken":` + nt + `}`
		case "eks:ListUpdates":
			body = `{"updateIds":[],"nextToken":` + nt + `}`
		case "organizations:ListAccounts":
			body = `{"Accounts":[{"Id":"111111111111","Status":"ACTIVE","State":"ACTIVE"}],"NextToken":` + nt + `}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func same(string) string { return "again" }

func fresh() func(string) string {
	var mu sync.Mutex
	n := 0
	return func(string) string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("t%d", n)
	}
}

// runBounded runs the CLI like run, and fails the test if it takes longer than bound; a run that
// hangs is cut off at twice the bound, so the test always ends.
func runBounded(t *testing.T, bound time.Duration, args ...string) (int, string, string, time.Duration) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	io.Getenv = os.Getenv
	f := &app.Factory{IO: io, AWSConfig: app.LoadAWSConfig, Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*bound)
	defer cancel()
	start := time.Now()
	code := Run(ctx, args, f)
	took := time.Since(start)
	if took > bound {
		t.Errorf("eksguard %s took %s, want it to end within %s", strings.Join(args, " "), took.Round(time.Millisecond), bound)
	}
	return code, out.String(), errOut.String(), took
}

const hostileFleet = `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - {name: prod}
          - {name: busy, status: UPDATING, updates: [{type: VersionUpdate, status: InProgress}]}
`

const hostileOrg = `
accounts:
  - id: "111111111111"
    regions: [{name: us-east-1, clusters: [{name: mgmt}]}]
  - id: "222222222222"
    regions: [{name: us-east-1, clusters: [{name: member}]}]
`

// errorResults returns the reasons of the ERROR results on resources of type typ named name.
func (r report) errorResults(typ, name string) []string {
	var out []string
	for _, res := range r.Results {
		if res.Status == "ERROR" && res.Resource.Type == typ && res.Resource.Name == name {
			out = append(out, res.Reason)
		}
	}
	return out
}

// TestScanHostileEndpoint scans endpoints that never answer, answer without end, redirect, answer
// with nothing, or page for ever: each must end, within bounds, in ERROR results (or, where nothing
// can be scanned, exit 3 with no report) that say what happened.
func TestScanHostileEndpoint(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	const timeouts = "--request-timeout=200ms"
	tests := []struct {
		name  string
		fleet string
		rules map[string]rule
		args  []string
		// errType and errName name the resource that gets ERROR results; reasonHas is in every
		// reason. With noReport, the run writes no report and stderrHas is in its message.
		errType, errName, reasonHas string
		noReport                    bool
		stderrHas                   string
	}{
		{name: "ListClusters never answers", rules: map[string]rule{"eks:ListClusters": hang}, args: []string{timeouts},
			errType: "aws-region", errName: "us-east-1", reasonHas: "eks:ListClusters failed: no complete answer within 200ms (the per-attempt --request-timeout); gave up after 2 attempts"},
		{name: "ListClusters sends headers and never finishes the body", rules: map[string]rule{"eks:ListClusters": headersThenHang}, args: []string{timeouts},
			errType: "aws-region", errName: "us-east-1", reasonHas: "no complete answer within 200ms"},
		{name: "DescribeCluster never answers", rules: map[string]rule{"eks:DescribeCluster": hang}, args: []string{timeouts},
			errType: "eks-cluster", errName: "prod", reasonHas: "eks:DescribeCluster failed: no complete answer within 200ms"},
		{name: "GetCallerIdentity never answers", rules: map[string]rule{"sts:GetCallerIdentity": hang}, args: []string{timeouts},
			noReport: true, stderrHas: "cannot reach AWS (sts:GetCallerIdentity): no complete answer within 200ms (the per-attempt --request-timeout); gave up after 2 attempts"},

		{name: "ListClusters body never ends", rules: map[string]rule{"eks:ListClusters": endless("application/json", `{"clusters":["`)},
			errType: "aws-region", errName: "us-east-1", reasonHas: "the response body goes on past eksguard's limit of 32 MiB, far beyond any real AWS answer"},
		{name: "ListClusters answers and then goes on for ever", rules: map[string]rule{"eks:ListClusters": endless("application/json", `{"clusters":[]}`+"\n")},
			errType: "aws-region", errName: "us-east-1", reasonHas: "limit of 32 MiB"},
		{name: "DescribeCluster body never ends", rules: map[string]rule{"eks:DescribeCluster": endless("application/json", `{"cluster":{"name":"`)},
			errType: "eks-cluster", errName: "prod", reasonHas: "limit of 32 MiB"},
		{name: "GetCallerIdentity body never ends", rules: map[string]rule{"sts:GetCallerIdentity": endless("text/xml", `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>`)},
			noReport: true, stderrHas: "cannot reach AWS (sts:GetCallerIdentity): the response body goes on past eksguard's limit of 32 MiB"},

		{name: "ListClusters redirects", rules: map[string]rule{"eks:ListClusters": redirect(http.StatusMovedPermanently, "https://elsewhere.example/clusters")},
			errType: "aws-region", errName: "us-east-1", reasonHas: "unexpected HTTP 301 redirect to https://elsewhere.example/clusters: eksguard does not follow redirects from AWS endpoints; check --endpoint-url or a proxy"},
		{name: "DescribeCluster redirects the SDK's way", rules: map[string]rule{"eks:DescribeCluster": redirect(http.StatusTemporaryRedirect, "https://elsewhere.example/")},
			errType: "eks-cluster", errName: "prod", reasonHas: "unexpected HTTP 307 redirect to https://elsewhere.example/"},
		{name: "GetCallerIdentity redirects to a portal", rules: map[string]rule{"sts:GetCallerIdentity": redirect(http.StatusFound, "https://portal.example/login")},
			noReport: true, stderrHas: "cannot reach AWS (sts:GetCallerIdentity): unexpected HTTP 302 redirect to https://portal.example/login"},

		{name: "ListClusters answers an empty body", rules: map[string]rule{"eks:ListClusters": empty("application/json")},
			errType: "aws-region", errName: "us-east-1", reasonHas: "ListClusters answered success without clusters, which every real AWS answer carries (an empty or cut-short response body); gave up after 2 attempts"},
		{name: "DescribeCluster answers an empty body", rules: map[string]rule{"eks:DescribeCluster": empty("application/json")},
			errType: "eks-cluster", errName: "prod", reasonHas: "DescribeCluster answered success without cluster"},
		{name: "GetCallerIdentity answers an empty body", rules: map[string]rule{"sts:GetCallerIdentity": empty("text/xml")},
			noReport: true, stderrHas: "cannot reach AWS (sts:GetCallerIdentity): GetCallerIdentity answered success without Account and Arn"},
		{name: "DescribeRegions answers an empty body", rules: map[string]rule{"ec2:DescribeRegions": empty("text/xml")}, args: []string{"--all-regions"},
			errType: "aws-account", errName: "111111111111", reasonHas: "ec2:DescribeRegions failed: DescribeRegions answered success without a region"},
		{name: "ListAccounts answers an empty body", fleet: hostileOrg, rules: map[string]rule{"organizations:ListAccounts": empty("application/x-amz-json-1.1")}, args: []string{"--org", "--role-name", "R"},
			noReport: true, stderrHas: "organizations:ListAccounts: ListAccounts answered success without Accounts"},
		{name: "AssumeRole answers an empty body", fleet: hostileOrg, rules: map[string]rule{"sts:AssumeRole": empty("text/xml")}, args: []string{"--org", "--role-name", "R"},
			errType: "aws-account", errName: "222222222222", reasonHas: "sts:AssumeRole failed: cannot assume arn:aws:iam::222222222222:role/R: "},

		{name: "ListClusters repeats its token", rules: map[string]rule{"eks:ListClusters": tokens("eks:ListClusters", same)},
			errType: "aws-region", errName: "us-east-1", reasonHas: `eks:ListClusters failed: ListClusters handed out next token "again" again after 2 pages; stopped, as the listing loops`},
		{name: "ListClusters never stops paging", rules: map[string]rule{"eks:ListClusters": tokens("eks:ListClusters", fresh())}, args: []string{"--rate", "1000000"},
			errType: "aws-region", errName: "us-east-1", reasonHas: "ListClusters handed out a new next token on each of 10000 pages, far more than any real account has; stopped, as the listing does not end"},
		{name: "ListAccounts repeats its token", fleet: hostileOrg, rules: map[string]rule{"organizations:ListAccounts": tokens("organizations:ListAccounts", same)}, args: []string{"--org", "--role-name", "R"},
			noReport: true, stderrHas: `organizations:ListAccounts: ListAccounts handed out next token "again" again after 2 pages; stopped, as the listing loops`},
		{name: "ListAccounts never stops paging", fleet: hostileOrg, rules: map[string]rule{"organizations:ListAccounts": tokens("organizations:ListAccounts", fresh())}, args: []string{"--org", "--role-name", "R"},
			noReport: true, stderrHas: "ListAccounts handed out a new next token on each of 10000 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fleet := tt.fleet
			if fleet == "" {
				fleet = hostileFleet
			}
			f := startFront(t, fleet, tt.rules)
			args := append([]string{"scan", "--endpoint-url", f.url, "--format", "json", "--max-attempts", "2", "--rate", "1000"}, tt.args...)
			if !contains(tt.args, "--all-regions") {
				args = append(args, "--region", "us-east-1")
			}
			code, out, errOut, took := runBounded(t, 60*time.Second, args...)
			t.Logf("ended in %s", took.Round(time.Millisecond))
			if code != 3 {
				t.Errorf("exit code %d, want 3 (incomplete)\nstderr: %s", code, errOut)
			}
			if tt.noReport {
				if out != "" || !strings.Contains(errOut, tt.stderrHas) {
					t.Errorf("stdout %q\nstderr %q\nwant no report and a message containing %q", out, errOut, tt.stderrHas)
				}
				return
			}
			r := parseReport(t, out)
			reasons := r.errorResults(tt.errType, tt.errName)
			// An account that cannot be entered is ERROR for every control; a region or a
			// cluster for the cluster controls (the registry is read on its own).
			want := clusterControlCount()
			if tt.errType == "aws-account" {
				want = controlCount()
			}
			if len(reasons) != want {
				t.Fatalf("%d ERROR results for %s %s, want one per control; results: %+v", len(reasons), tt.errType, tt.errName, r.Results)
			}
			for _, reason := range reasons {
				if !strings.Contains(reason, tt.reasonHas) {
					t.Errorf("reason %q does not contain %q", reason, tt.reasonHas)
				}
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

// TestScanUpdatingClusterWhoseUpdatesLoop reads an UPDATING cluster whose ListUpdates pages in a
// loop: the scan ends and the evidence says why the updates are not listed.
func TestScanUpdatingClusterWhoseUpdatesLoop(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	tests := []struct {
		name string
		next func(string) string
		want string
	}{
		{"repeated token", same, `ListUpdates handed out next token "again" again after 2 pages`},
		{"endless tokens", fresh(), "ListUpdates handed out a new next token on each of 10000 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFront(t, hostileFleet, map[string]rule{"eks:ListUpdates": tokens("eks:ListUpdates", tt.next)})
			_, out, errOut, _ := runBounded(t, 60*time.Second, "scan", "--endpoint-url", f.url, "--region", "us-east-1", "--format", "json", "--rate", "1000000")
			r := parseReport(t, out)
			var found bool
			for _, res := range r.Results {
				// The endpoint checks are the ones that read updates in flight.
				if res.Resource.Name == "busy" && (res.Control == "5.4.1" || res.Control == "5.4.2") {
					found = true
					if msg, _ := res.Evidence["updatesError"].(string); !strings.Contains(msg, tt.want) {
						t.Errorf("%s: updatesError %q, want %q", res.Control, msg, tt.want)
					}
				}
			}
			if !found {
				t.Errorf("no result for the UPDATING cluster; stderr %s", errOut)
			}
		})
	}
}

// TestSilentListener points eksguard at a port that accepts connections and never says a word.
func TestSilentListener(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read from or written to
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	endpoint := "http://" + ln.Addr().String()
	tests := []struct {
		name      string
		args      []string
		stderrHas string
	}{
		{"scan", []string{"scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--request-timeout", "200ms", "--max-attempts", "2"},
			"cannot reach AWS (sts:GetCallerIdentity): no complete answer within 200ms (the per-attempt --request-timeout); gave up after 2 attempts"},
		{"scan an organization", []string{"scan", "--endpoint-url", endpoint, "--org", "--role-name", "R", "--request-timeout", "200ms", "--max-attempts", "2"},
			"no complete answer within 200ms"},
		{"fix", []string{"fix", "--endpoint-url", endpoint, "--region", "us-east-1", "--cluster", "prod", "--private", "--allow-lockout", "--request-timeout", "200ms", "--max-attempts", "2"},
			"cannot reach AWS (sts:GetCallerIdentity): no complete answer within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut, took := runBounded(t, 15*time.Second, tt.args...)
			t.Logf("ended in %s", took.Round(time.Millisecond))
			if code != 3 || out != "" || !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 3, nothing, and %q", code, out, errOut, tt.stderrHas)
			}
		})
	}
}

// TestFixHostileEndpoint runs fix where STS answers and EKS does not, or pages for ever: fix must
// end without changing anything, saying why.
func TestFixHostileEndpoint(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	tests := []struct {
		name      string
		rules     map[string]rule
		code      int
		outHas    string
		stderrHas string
	}{
		{"DescribeCluster never answers", map[string]rule{"eks:DescribeCluster": hang}, 3, "", "no complete answer within 200ms"},
		// A per-attempt timeout long enough for 32 MiB to arrive on a busy machine: the size limit, not
		// the clock, must end it.
		{"DescribeCluster body never ends", map[string]rule{"eks:DescribeCluster": endless("application/json", `{"cluster":{"name":"`)}, 3, "", "limit of 32 MiB"},
		{"DescribeCluster redirects", map[string]rule{"eks:DescribeCluster": redirect(http.StatusFound, "https://portal.example/")}, 3, "", "unexpected HTTP 302 redirect to https://portal.example/"},
		{"DescribeCluster answers an empty body", map[string]rule{"eks:DescribeCluster": empty("application/json")}, 3, "", "DescribeCluster answered success without cluster"},
		// The plan's no-update-in-progress check cannot be made: the plan is incomplete (exit 3).
		{"ListUpdates answers an empty body", map[string]rule{"eks:ListUpdates": empty("application/json")}, 3, "ListUpdates answered success without updateIds", "nothing was changed"},
		{"ListUpdates never answers", map[string]rule{"eks:ListUpdates": hang}, 3, "no complete answer within 200ms", "nothing was changed"},
		{"ListUpdates repeats its token", map[string]rule{"eks:ListUpdates": tokens("eks:ListUpdates", same)}, 3, `ListUpdates handed out next token "again" again after 2 pages`, "nothing was changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFront(t, hostileFleet, tt.rules)
			timeout := "200ms"
			if strings.Contains(tt.stderrHas, "limit of 32 MiB") {
				timeout = "30s"
			}
			code, out, errOut, took := runBounded(t, 60*time.Second, "fix", "--endpoint-url", f.url, "--region", "us-east-1", "--cluster", "prod", "--private", "--allow-lockout",
				"--request-timeout", timeout, "--max-attempts", "2")
			t.Logf("ended in %s", took.Round(time.Millisecond))
			if code != tt.code || !strings.Contains(out, tt.outHas) || !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s\nwant stdout to contain %q and stderr %q", code, tt.code, out, errOut, tt.outHas, tt.stderrHas)
			}
			if n := f.count("eks:UpdateClusterConfig"); n != 0 {
				t.Errorf("UpdateClusterConfig called %d times", n)
			}
		})
	}
}

// TestScanPersistentThrottle throttles every EKS call after the first: each is retried exactly
// --max-attempts times, and the ERROR says it was throttling.
func TestScanPersistentThrottle(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	// One token, refilled once in 1,000 seconds: ListClusters takes it, every DescribeCluster
	// attempt after it is throttled.
	const fleet = `
behaviour:
  throttle: {rate: 0.001, burst: 1}
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters: [{name: prod}]
`
	for _, attempts := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("%d attempts", attempts), func(t *testing.T) {
			f := startFront(t, fleet, nil)
			code, out, errOut, _ := runBounded(t, 30*time.Second, "scan", "--endpoint-url", f.url, "--region", "us-east-1", "--format", "json",
				"--max-attempts", fmt.Sprint(attempts), "--rate", "1000")
			if code != 3 {
				t.Errorf("exit %d, want 3\nstderr: %s", code, errOut)
			}
			if n := f.count("eks:DescribeCluster"); n != attempts {
				t.Errorf("DescribeCluster sent %d times, want --max-attempts = %d", n, attempts)
			}
			want := "eks:DescribeCluster failed: throttled by AWS (ThrottlingException: Rate exceeded)"
			if attempts > 1 {
				want += fmt.Sprintf("; gave up after %d attempts", attempts)
			}
			reasons := parseReport(t, out).errorResults("eks-cluster", "prod")
			if len(reasons) != clusterControlCount() {
				t.Fatalf("%d ERROR results for prod, want one per control", len(reasons))
			}
			for _, reason := range reasons {
				if reason != want {
					t.Errorf("reason %q, want %q", reason, want)
				}
			}
		})
	}
}

// TestScanOrgOnlyNamedAccounts scans an organization of five accounts with --accounts naming the
// first, a middle and the last, alone and together, in every order: exactly those are scanned.
func TestScanOrgOnlyNamedAccounts(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	var b strings.Builder
	b.WriteString("behaviour: {orgPageSize: 2}\naccounts:\n")
	ids := []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005"}
	for i, id := range ids {
		fmt.Fprintf(&b, "  - id: %q\n    regions: [{name: us-east-1, clusters: [{name: c%d}]}]\n", id, i+1)
	}
	const first, middle, last = "100000000001", "100000000003", "100000000005"
	sets := [][]string{{first}, {middle}, {last}}
	for _, perm := range permutations([]string{first, middle, last}) {
		sets = append(sets, perm[:2], perm)
	}
	for _, only := range sets {
		t.Run(strings.Join(only, ","), func(t *testing.T) {
			f := startFront(t, b.String(), nil)
			code, out, errOut, _ := runBounded(t, 30*time.Second, "scan", "--endpoint-url", f.url, "--region", "us-east-1", "--format", "json",
				"--org", "--role-name", "OrganizationAccountAccessRole", "--accounts", strings.Join(only, ","))
			if code != 1 {
				t.Errorf("exit %d, want 1 (every cluster is open)\nstderr: %s", code, errOut)
			}
			want := append([]string{}, only...)
			sort.Strings(want)
			seen := map[string]bool{}
			for _, res := range parseReport(t, out).Results {
				seen[res.Resource.Account] = true
			}
			var got []string
			for a := range seen {
				got = append(got, a)
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("accounts in the report %v, want %v", got, want)
			}
			// The caller's own account is scanned with its own credentials; every other named
			// account, and no other, is entered.
			var wantAssumed []string
			for _, a := range want {
				if a != first {
					wantAssumed = append(wantAssumed, a)
				}
			}
			if got := f.assumedAccounts(); fmt.Sprint(got) != fmt.Sprint(wantAssumed) {
				t.Errorf("AssumeRole into %v, want %v", got, wantAssumed)
			}
		})
	}
}

func permutations(s []string) [][]string {
	if len(s) <= 1 {
		return [][]string{append([]string{}, s...)}
	}
	var out [][]string
	for i := range s {
		rest := append(append([]string{}, s[:i]...), s[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{s[i]}, p...))
		}
	}
	return out
}
