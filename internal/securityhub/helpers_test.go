package securityhub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	shub "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// acct is moto's default account: moto keeps findings under the account of the caller, which for
// credentials it did not issue is this one.
const acct = "123456789012"

var (
	t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	t1 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

func clusterResult(account, region, name, control string, status finding.Status) finding.Result {
	c, _ := benchmark.Default().Control(control)
	part := render.ASFFPartition(region)
	return finding.Result{Control: control, CheckID: c.Checks[0], Title: c.Title, Severity: "medium", Status: status,
		Resource: finding.Resource{Type: finding.ResourceCluster, Name: name, Region: region, Account: account,
			ARN: fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", part, region, account, name)},
		Reason: "verdict " + string(status), Evidence: map[string]any{}}
}

func regionError(account, region, control string) finding.Result {
	c, _ := benchmark.Default().Control(control)
	return finding.Result{Control: control, CheckID: c.Checks[0], Title: c.Title, Severity: "medium", Status: finding.Error,
		Resource: finding.Resource{Type: finding.ResourceRegion, Name: region, Region: region, Account: account},
		Reason:   "access denied: the caller needs eks:ListClusters"}
}

func report(at time.Time, controls []string, results ...finding.Result) *finding.Report {
	r := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard", Version: "test"},
		Benchmark: benchmark.Default().Ref(), GeneratedAt: at, Controls: controls, Results: results}
	r.Finish()
	return r
}

// manyClusters is n clusters of acct in us-east-1, each with a 5.4.1 result.
func manyClusters(n int, status finding.Status) []finding.Result {
	out := make([]finding.Result, n)
	for i := range out {
		out[i] = clusterResult(acct, "us-east-1", fmt.Sprintf("c%03d", i), "5.4.1", status)
	}
	return out
}

func clusterID(account, region, name, control string) string {
	return fmt.Sprintf("eksguard/cis-eks/%s/arn:aws:eks:%s:%s:cluster/%s", control, region, account, name)
}

// counter counts requests by operation path and remembers which access key signed each.
type counter struct {
	mu    sync.Mutex
	next  aws.HTTPClient
	paths map[string]int
	keys  map[string][]string
	after func(req *http.Request)
}

func newCounter() *counter {
	return &counter{next: &http.Client{}, paths: map[string]int{}, keys: map[string][]string{}}
}

func (c *counter) Do(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths[req.URL.Path]++
	_, key, _ := signature(req)
	c.keys[req.URL.Path] = append(c.keys[req.URL.Path], key)
	c.mu.Unlock()
	resp, err := c.next.Do(req)
	if c.after != nil {
		c.after(req)
	}
	return resp, err
}

func (c *counter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

// signature reads the region and access key a SigV4 request was signed for.
func signature(req *http.Request) (region, key string, ok bool) {
	auth := req.Header.Get("Authorization")
	_, cred, found := strings.Cut(auth, "Credential=")
	if !found {
		return "", "", false
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 4 {
		return "", "", false
	}
	return parts[2], parts[0], true
}

const (
	importPath = "/findings/import"
	getPath    = "/findings"
)

func staticCreds(key string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(key, "secret", "")
}

// testHub is a Hub on an endpoint, with 4 attempts a call (not the SDK's default of 3, so the
// tests see whose retryer runs) and a short per-attempt timeout.
func testHub(endpoint string, c *counter, mod ...func(*Config)) *Hub {
	cfg := Config{
		Clients: &awsapi.Clients{Base: aws.Config{Region: "us-east-1", Credentials: staticCreds("AKIDTEST")}, EndpointURL: endpoint,
			MaxAttempts: 4, RequestTimeout: 2 * time.Second, HTTPClient: c},
		Now: func() time.Time { return t1.Add(time.Hour) },
	}
	for _, m := range mod {
		m(&cfg)
	}
	return New(cfg)
}

// readBack lists every finding an endpoint holds in a region, every page, with no filter.
func readBack(t *testing.T, endpoint, region string) map[string]types.AwsSecurityFinding {
	t.Helper()
	c := shub.New(shub.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: staticCreds("AKIDTEST")})
	out := map[string]types.AwsSecurityFinding{}
	var token *string
	for page := 0; page < 100; page++ {
		o, err := c.GetFindings(context.Background(), &shub.GetFindingsInput{NextToken: token, MaxResults: aws.Int32(100)})
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		for _, f := range o.Findings {
			id := aws.ToString(f.Id)
			if _, dup := out[id]; dup {
				t.Errorf("read back %s twice", id)
			}
			out[id] = f
		}
		if aws.ToString(o.NextToken) == "" {
			return out
		}
		token = o.NextToken
	}
	t.Fatal("read back: more than 100 pages")
	return nil
}

func failureIDs(fs []Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	sort.Strings(out)
	return out
}

// fakeCall is one request the fake Security Hub received.
type fakeCall struct {
	Region, Key string
	Findings    []types.AwsSecurityFinding
	Raw         map[string]json.RawMessage
}

func (c fakeCall) ids() []string {
	var out []string
	for _, f := range c.Findings {
		out = append(out, aws.ToString(f.Id))
	}
	return out
}

// apiError is an error answer in Security Hub's restJson1 form.
type apiError struct {
	status int
	code   string
	msg    string
}

// fake is a Security Hub double on 127.0.0.1 whose answers each test chooses. By default it takes
// every finding and lists `earlier` as one page.
type fake struct {
	t       *testing.T
	mu      sync.Mutex
	imports []fakeCall
	gets    []fakeCall
	earlier []types.AwsSecurityFinding
	// onImport and onGet answer call n (0-based, every attempt counts): an apiError, a string body
	// with status 200, or a value to encode. nil means the default answer.
	onImport func(n int, c fakeCall) any
	onGet    func(n int, c fakeCall) any
	srv      *httptest.Server
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	call := fakeCall{Raw: map[string]json.RawMessage{}}
	call.Region, call.Key, _ = signature(r)
	_ = json.Unmarshal(body, &call.Raw)
	if raw, ok := call.Raw["Findings"]; ok {
		// The SDK's JSON names match the Go field names, so the request decodes into its types.
		if err := json.Unmarshal(raw, &call.Findings); err != nil {
			f.t.Errorf("fake: findings do not decode: %v", err)
		}
	}
	var answer any
	f.mu.Lock()
	switch r.URL.Path {
	case importPath:
		n := len(f.imports)
		f.imports = append(f.imports, call)
		if f.onImport != nil {
			answer = f.onImport(n, call)
		}
		if answer == nil {
			answer = map[string]any{"FailedCount": 0, "SuccessCount": len(call.Findings), "FailedFindings": []any{}}
		}
	case getPath:
		n := len(f.gets)
		f.gets = append(f.gets, call)
		if f.onGet != nil {
			answer = f.onGet(n, call)
		}
		if answer == nil {
			answer = map[string]any{"Findings": append([]types.AwsSecurityFinding{}, f.earlier...)}
		}
	default:
		answer = apiError{http.StatusNotFound, "ResourceNotFoundException", "no such path " + r.URL.Path}
	}
	f.mu.Unlock()
	switch a := answer.(type) {
	case apiError:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", a.code)
		w.WriteHeader(a.status)
		// Security Hub's error shapes carry Code and Message.
		if a.code != "" {
			fmt.Fprintf(w, `{"Code":%q,"Message":%q}`, a.code, a.msg)
		} else {
			fmt.Fprintf(w, `{"Message":%q}`, a.msg)
		}
	case string:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, a)
	case func(http.ResponseWriter, *http.Request):
		a(w, r)
	default:
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(a); err != nil {
			f.t.Errorf("fake: encode answer: %v", err)
		}
	}
}

func (f *fake) importCalls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.imports...)
}

func (f *fake) getCalls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.gets...)
}

// imported lists, in order, the findings of every import call, retries included.
func (f *fake) imported() []types.AwsSecurityFinding {
	var out []types.AwsSecurityFinding
	for _, c := range f.importCalls() {
		out = append(out, c.Findings...)
	}
	return out
}
