package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// hostile is a 127.0.0.1 server that answers every request with handle, counting requests and the
// body bytes it managed to write.
type hostile struct {
	srv      *httptest.Server
	requests atomic.Int64
	// written is the most one answer wrote; full counts answers that wrote past MaxResponseBody,
	// so the client read them to the limit.
	written atomic.Int64
	full    atomic.Int64
	// stop ends handlers that would otherwise write or wait for ever.
	stop     chan struct{}
	inFlight sync.WaitGroup
}

func startHostile(t *testing.T, handle func(h *hostile, w http.ResponseWriter, r *http.Request)) *hostile {
	t.Helper()
	h := &hostile{stop: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.inFlight.Add(1)
		defer h.inFlight.Done()
		h.requests.Add(1)
		handle(h, w, r)
	}))
	// Cleanups run last first: stop the handlers, then close the server.
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { close(h.stop) })
	return h
}

// endless writes prefix and then filler for ever, until the client hangs up or the test ends.
func (h *hostile) endless(w http.ResponseWriter, contentType, prefix, filler string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	n, err := w.Write([]byte(prefix))
	total := int64(n)
	defer func() {
		if total > MaxResponseBody {
			h.full.Add(1)
		}
		for old := h.written.Load(); total > old && !h.written.CompareAndSwap(old, total); old = h.written.Load() {
		}
	}()
	chunk := bytes.Repeat([]byte(filler), (64<<10)/len(filler))
	for err == nil {
		select {
		case <-h.stop:
			return
		default:
		}
		n, err = w.Write(chunk)
		total += int64(n)
	}
}

// waitIdle waits until every handler has returned, so that written is final.
func (h *hostile) waitIdle(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() { h.inFlight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the server is still writing 15s after the client gave up")
	}
}

func hostileClients(url string) *Clients {
	return &Clients{
		Base:        aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		EndpointURL: url, MaxAttempts: 3, Rate: 2000, Burst: 100,
		// Far longer than the tests take: what stops a call must be the guard under test.
		RequestTimeout: 2 * time.Minute,
	}
}

// within runs call and fails the test if it has not returned within a generous bound.
func within(t *testing.T, bound time.Duration, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(bound):
		t.Fatalf("the call did not return within %s", bound)
		return nil
	}
}

// ops calls one operation of each client eksguard uses.
var ops = map[string]func(ctx context.Context, c *Clients) error{
	"eks:ListClusters": func(ctx context.Context, c *Clients) error {
		_, err := ListClusterNames(ctx, c.EKS(nil, "111111111111", "us-east-1"))
		return err
	},
	"eks:DescribeCluster": func(ctx context.Context, c *Clients) error {
		_, err := DescribeCluster(ctx, c.EKS(nil, "111111111111", "us-east-1"), "111111111111", "us-east-1", "prod")
		return err
	},
	"eks:ListUpdates": func(ctx context.Context, c *Clients) error {
		_, err := UpdatesInProgress(ctx, c.EKS(nil, "111111111111", "us-east-1"), "prod")
		return err
	},
	"sts:GetCallerIdentity": func(ctx context.Context, c *Clients) error {
		_, err := (&Collector{Clients: c}).WhoAmI(ctx, nil)
		return err
	},
	"sts:AssumeRole": func(ctx context.Context, c *Clients) error {
		_, err := c.STS(nil, "us-east-1").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/R"), RoleSessionName: aws.String("eksguard")})
		return err
	},
	"ec2:DescribeRegions": func(ctx context.Context, c *Clients) error {
		_, err := (&Collector{Clients: c}).EnabledRegions(ctx, nil)
		return err
	},
	"organizations:ListAccounts": func(ctx context.Context, c *Clients) error {
		_, err := (&Collector{Clients: c}).listOrgAccounts(ctx)
		return err
	},
}

const (
	jsonType = "application/json"
	xmlType  = "text/xml"
)

func TestResponseBodyIsCapped(t *testing.T) {
	// Loopback socket buffers (a few MiB each way) hold what the server wrote but the client never
	// read; anything beyond the limit and this much would mean the client kept reading.
	const slack = 16 << 20
	tests := []struct {
		name, op, contentType, prefix, filler string
		// declared is a Content-Length the server announces (0: chunked, no length); -1 sends
		// through Clients.HTTPClient and -2 through Base.HTTPClient, both an *http.Client.
		declared int64
	}{
		{"ListClusters name that never ends", "eks:ListClusters", jsonType, `{"clusters":["`, "a", 0},
		{"DescribeCluster through the raw-body copy", "eks:DescribeCluster", jsonType, `{"cluster":{"name":"`, "a", 0},
		{"ListUpdates", "eks:ListUpdates", jsonType, `{"updateIds":["`, "u", 0},
		{"GetCallerIdentity", "sts:GetCallerIdentity", xmlType, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>`, "a", 0},
		{"DescribeRegions", "ec2:DescribeRegions", xmlType, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><regionInfo><item><regionName>`, "r", 0},
		{"ListAccounts", "organizations:ListAccounts", "application/x-amz-json-1.1", `{"Accounts":[{"Id":"`, "1", 0},
		{"a whole answer followed by endless bytes", "eks:ListClusters", jsonType, `{"clusters":[]}`, " ", 0},
		{"an announced length beyond the limit", "eks:ListClusters", jsonType, `{"clusters":["`, "a", 1 << 30},
		{"through a transport the caller chose", "eks:ListClusters", jsonType, `{"clusters":["`, "a", -1},
		{"through a configured non-SDK http.Client", "sts:GetCallerIdentity", xmlType, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>`, "a", -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHostile(t, func(h *hostile, w http.ResponseWriter, r *http.Request) {
				if tt.declared > 0 {
					w.Header().Set("Content-Length", fmt.Sprint(tt.declared))
				}
				h.endless(w, tt.contentType, tt.prefix, tt.filler)
			})
			c := hostileClients(h.srv.URL)
			switch tt.declared {
			case -1:
				c.HTTPClient = &http.Client{}
			case -2:
				c.Base.HTTPClient = &http.Client{}
			}
			err := within(t, 15*time.Second, func() error { return ops[tt.op](context.Background(), c) })
			var big *BodyTooLargeError
			if !errors.As(err, &big) {
				t.Fatalf("err = %v, want a BodyTooLargeError", err)
			}
			if msg := Message(err); !strings.Contains(msg, "limit of 32 MiB") {
				t.Errorf("message %q does not name the limit", msg)
			}
			h.waitIdle(t)
			// An attempt can also end in a lost connection, which is retried: the SDK closes a
			// POST's request body as soon as the answer's headers arrive, and Go's transport then
			// sometimes drops the connection. What must never happen is a second read to the limit.
			wantFull := int64(1)
			if tt.declared > 0 {
				wantFull = 0 // refused on its headers
			}
			if n := h.full.Load(); n != wantFull {
				t.Errorf("%d answers were read to the limit, want %d: a body too long is not retried", n, wantFull)
			}
			t.Logf("%d requests; the longest answer wrote %.1f MiB", h.requests.Load(), float64(h.written.Load())/(1<<20))
			if n := h.written.Load(); n > MaxResponseBody+slack {
				t.Errorf("server wrote %d MiB before the client hung up, want at most %d MiB", n>>20, (MaxResponseBody+slack)>>20)
			}
		})
	}
}

func TestBodyAtTheLimitIsRead(t *testing.T) {
	// A body of exactly MaxResponseBody is still an answer: the limit is the first byte past it.
	body := make([]byte, MaxResponseBody)
	copy(body, `{"clusters":["a"]}`)
	for i := len(`{"clusters":["a"]}`); i < len(body); i++ {
		body[i] = ' '
	}
	h := startHostile(t, func(h *hostile, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", jsonType)
		_, _ = w.Write(body)
	})
	names, err := ListClusterNames(context.Background(), hostileClients(h.srv.URL).EKS(nil, "111111111111", "us-east-1"))
	if err != nil || len(names) != 1 || names[0] != "a" {
		t.Fatalf("names %v err %v, want [a]", names, err)
	}
}

func TestRedirectIsReported(t *testing.T) {
	tests := []struct {
		name, op string
		status   int
		location string
		want     string
	}{
		{"EKS moved permanently", "eks:ListClusters", http.StatusMovedPermanently, "https://elsewhere.example/clusters", "unexpected HTTP 301 redirect to https://elsewhere.example/clusters: eksguard does not follow redirects from AWS endpoints; check --endpoint-url or a proxy"},
		{"STS found", "sts:GetCallerIdentity", http.StatusFound, "https://login.example/portal", "unexpected HTTP 302 redirect to https://login.example/portal"},
		{"EC2 temporary", "ec2:DescribeRegions", http.StatusTemporaryRedirect, "https://ec2.elsewhere.example/", "unexpected HTTP 307 redirect to https://ec2.elsewhere.example/"},
		{"Organizations permanent", "organizations:ListAccounts", http.StatusPermanentRedirect, "https://org.elsewhere.example/", "unexpected HTTP 308 redirect to https://org.elsewhere.example/"},
		{"no location", "eks:DescribeCluster", http.StatusMovedPermanently, "", "unexpected HTTP 301 redirect without a Location"},
		{"through a transport the caller chose", "eks:ListClusters", http.StatusTemporaryRedirect, "/elsewhere", "unexpected HTTP 307 redirect to /elsewhere"},
		{"EKS temporary, which the SDK would follow", "eks:ListClusters", http.StatusTemporaryRedirect, "https://eks.elsewhere.example/clusters", "unexpected HTTP 307 redirect to https://eks.elsewhere.example/clusters"},
		{"location that would reorder text", "eks:ListClusters", http.StatusFound, "https://x.example/\u202egnp.exe", `redirect to "https://x.example/\u202egnp.exe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHostile(t, func(h *hostile, w http.ResponseWriter, r *http.Request) {
				if tt.location != "" {
					w.Header()["Location"] = []string{tt.location}
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte("<html>moved</html>"))
			})
			c := hostileClients(h.srv.URL)
			if strings.HasPrefix(tt.name, "through") {
				c.HTTPClient = &http.Client{}
			}
			err := within(t, 15*time.Second, func() error { return ops[tt.op](context.Background(), c) })
			if err == nil {
				t.Fatal("a redirect was taken for an answer")
			}
			if msg := Message(err); !strings.Contains(msg, tt.want) || strings.Contains(msg, "UnknownError") {
				t.Errorf("message %q, want it to contain %q", msg, tt.want)
			}
			if n := h.requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1: a redirect is not retried", n)
			}
		})
	}
}

func TestErrorAnswerWithoutAWSCode(t *testing.T) {
	tests := []struct {
		name, op string
		status   int
		body     string
		want     string
	}{
		{"EC2 not found page", "ec2:DescribeRegions", http.StatusNotFound, "<html>not here</html>", "unexpected HTTP 404 answer without an AWS error code; check --endpoint-url or a proxy"},
		{"Organizations not found page", "organizations:ListAccounts", http.StatusNotFound, "<html>not here</html>", "unexpected HTTP 404 answer without an AWS error code; check --endpoint-url or a proxy"},
		{"EKS not found page", "eks:ListClusters", http.StatusNotFound, "<html>not here</html>", "unexpected HTTP 404 answer without an AWS error code"},
		{"STS forbidden by a proxy", "sts:GetCallerIdentity", http.StatusForbidden, "blocked", "unexpected HTTP 403 answer without an AWS error code"},
		{"a load balancer's bad gateway", "eks:DescribeCluster", http.StatusBadGateway, "<html>502</html>", "HTTP 502 server error without an AWS error code; gave up after 3 attempts"},
		{"a 200 that is not JSON", "eks:ListClusters", http.StatusOK, "<html>welcome</html>", "unreadable HTTP 200 answer ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHostile(t, func(h *hostile, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			err := ops[tt.op](context.Background(), hostileClients(h.srv.URL))
			if msg := Message(err); !strings.Contains(msg, tt.want) || strings.Contains(msg, "UnknownError") {
				t.Errorf("message %q, want %q", msg, tt.want)
			}
		})
	}
}

func TestRepeatedTokenMessageIsShort(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	p := newPages("ListClusters")
	if more, err := p.next(&long); !more || err != nil {
		t.Fatalf("first page: more %v err %v", more, err)
	}
	_, err := p.next(&long)
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "again after 2 pages") {
		t.Errorf("err %q (%d bytes), want a short message naming the loop", err, len(fmt.Sprint(err)))
	}
}

func TestEmptyAnswersAreErrors(t *testing.T) {
	tests := []struct {
		name, op, contentType, body string
		// wantErr is the member named in the error, or "" when the answer is a real one.
		wantErr string
	}{
		{"ListClusters empty body", "eks:ListClusters", jsonType, "", "ListClusters answered success without clusters"},
		{"ListClusters empty object", "eks:ListClusters", jsonType, "{}", "without clusters"},
		{"ListClusters null list", "eks:ListClusters", jsonType, `{"clusters":null}`, "without clusters"},
		{"ListClusters no clusters is an answer", "eks:ListClusters", jsonType, `{"clusters":[]}`, ""},
		{"ListUpdates empty body", "eks:ListUpdates", jsonType, "", "ListUpdates answered success without updateIds"},
		{"ListUpdates no updates is an answer", "eks:ListUpdates", jsonType, `{"updateIds":[]}`, ""},
		{"DescribeCluster empty body", "eks:DescribeCluster", jsonType, "", "DescribeCluster answered success without cluster"},
		{"GetCallerIdentity empty body", "sts:GetCallerIdentity", xmlType, "", "GetCallerIdentity answered success without Account and Arn"},
		{"GetCallerIdentity without Arn", "sts:GetCallerIdentity", xmlType, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`, "without Account and Arn"},
		{"AssumeRole empty body", "sts:AssumeRole", xmlType, "", "AssumeRole answered success without Credentials"},
		{"DescribeRegions empty body", "ec2:DescribeRegions", xmlType, "", "DescribeRegions answered success without a region"},
		{"DescribeRegions no regions", "ec2:DescribeRegions", xmlType, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><regionInfo/></DescribeRegionsResponse>`, "without a region"},
		{"ListAccounts empty body", "organizations:ListAccounts", "application/x-amz-json-1.1", "", "ListAccounts answered success without Accounts"},
		{"ListAccounts empty page with a token is an answer", "organizations:ListAccounts", "application/x-amz-json-1.1", `{"NextToken":"t1"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHostile(t, func(h *hostile, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				if h.requests.Load() > 1 && tt.wantErr == "" {
					// The page that carried only a token is followed by a last page.
					_, _ = w.Write([]byte(`{"Accounts":[]}`))
					return
				}
				_, _ = w.Write([]byte(tt.body))
			})
			err := within(t, 15*time.Second, func() error { return ops[tt.op](context.Background(), hostileClients(h.srv.URL)) })
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("a real answer was refused: %v", err)
				}
				return
			}
			var empty *EmptyResponseError
			if !errors.As(err, &empty) {
				t.Fatalf("err = %v, want an EmptyResponseError", err)
			}
			if msg := Message(err); !strings.Contains(msg, tt.wantErr) || !strings.Contains(msg, "gave up after 3 attempts") {
				t.Errorf("message %q, want %q after 3 attempts", msg, tt.wantErr)
			}
			if n := h.requests.Load(); n != 3 {
				t.Errorf("%d requests, want 3: an empty answer is retried up to MaxAttempts", n)
			}
		})
	}
}

// pager answers a listing with the tokens next gives: for the request's token (empty on the first
// page) the token to hand out, "" to end.
func pager(op string, next func(token string) string) func(h *hostile, w http.ResponseWriter, r *http.Request) {
	return func(h *hostile, w http.ResponseWriter, r *http.Request) {
		var token string
		switch op {
		case "organizations:ListAccounts":
			var in struct{ NextToken string }
			_ = jsonDecode(r, &in)
			token = in.NextToken
		default:
			token = r.URL.Query().Get("nextToken")
		}
		nt := next(token)
		var body string
		switch op {
		case "eks:ListClusters":
			body = fmt.Sprintf(`{"clusters":["c-%d"],"nextToken":%s}`, h.requests.Load(), jsonToken(nt))
		case "eks:ListUpdates":
			body = fmt.Sprintf(`{"updateIds":[],"nextToken":%s}`, jsonToken(nt))
		case "organizations:ListAccounts":
			body = fmt.Sprintf(`{"Accounts":[],"NextToken":%s}`, jsonToken(nt))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func jsonToken(t string) string {
	if t == "" {
		return "null"
	}
	return fmt.Sprintf("%q", t)
}

func TestPaginationLoops(t *testing.T) {
	defer func(n int) { maxPages = n }(maxPages)
	maxPages = 50
	tests := []struct {
		name, op string
		next     func(token string) string
		// pages is how many requests the listing makes; wantErr what the error says ("" none).
		pages   int
		wantErr string
	}{
		{"ListClusters ends", "eks:ListClusters", func(tok string) string {
			return map[string]string{"": "a", "a": "b", "b": ""}[tok]
		}, 3, ""},
		{"ListClusters repeats its token", "eks:ListClusters", func(string) string { return "same" }, 2,
			`ListClusters handed out next token "same" again after 2 pages; stopped, as the listing loops`},
		{"ListClusters cycles two tokens", "eks:ListClusters", func(tok string) string {
			return map[string]string{"": "a", "a": "b", "b": "a"}[tok]
		}, 3, `next token "a" again after 3 pages`},
		{"ListClusters never stops", "eks:ListClusters", counter(), 50,
			"ListClusters handed out a new next token on each of 50 pages, far more than any real account has"},
		{"ListUpdates repeats its token", "eks:ListUpdates", func(string) string { return "u" }, 2, `ListUpdates handed out next token "u" again after 2 pages`},
		{"ListUpdates never stops", "eks:ListUpdates", counter(), 50, "ListUpdates handed out a new next token on each of 50 pages"},
		{"ListAccounts repeats its token", "organizations:ListAccounts", func(string) string { return "o" }, 2, `ListAccounts handed out next token "o" again after 2 pages`},
		{"ListAccounts never stops", "organizations:ListAccounts", counter(), 50, "ListAccounts handed out a new next token on each of 50 pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHostile(t, pager(tt.op, tt.next))
			err := within(t, 15*time.Second, func() error { return ops[tt.op](context.Background(), hostileClients(h.srv.URL)) })
			if n := h.requests.Load(); n != int64(tt.pages) {
				t.Errorf("%d requests, want %d", n, tt.pages)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var pe *PaginationError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a PaginationError", err)
			}
			if msg := Message(err); !strings.Contains(msg, tt.wantErr) {
				t.Errorf("message %q, want %q", msg, tt.wantErr)
			}
			if tt.op == "organizations:ListAccounts" {
				var fe *FatalError
				if !errors.As(err, &fe) || fe.Denied {
					t.Errorf("err = %#v, want a FatalError that is not a denial", err)
				}
			}
		})
	}
}

// counter hands out a new token on every page.
func counter() func(string) string {
	var n atomic.Int64
	return func(string) string { return fmt.Sprintf("t%d", n.Add(1)) }
}

// TestPacerWaitIsNotPartOfTheAttempt paces a pair far slower than the request timeout: every call
// waits longer for the pacer than an attempt may take, and must still succeed at the first attempt.
func TestPacerWaitIsNotPartOfTheAttempt(t *testing.T) {
	srv := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
`+clusters(6, "p"))
	c := collector(srv, nil)
	c.Clients.Rate, c.Clients.Burst = 4, 1 // 250 ms between calls
	c.Clients.RequestTimeout = 100 * time.Millisecond
	c.Clients.MaxAttempts = 1
	inv, err := c.Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 6 || len(inv.Errors) != 0 {
		t.Fatalf("collected %d clusters, errors %v; want 6 and none", len(inv.Clusters), inv.Errors)
	}
	if got := srv.Calls()["eks:DescribeCluster"]; got != 6 {
		t.Errorf("DescribeCluster called %d times, want 6 (no attempt timed out)", got)
	}
}

// TestResolveAccountsOnlyNamed checks --accounts with --org against every position in the
// organization's listing, alone and together, in every order.
func TestResolveAccountsOnlyNamed(t *testing.T) {
	// management, then 1..5; 3 is suspended.
	yaml := orgFleet("behaviour: {orgPageSize: 2}\n", 5)
	yaml = strings.Replace(yaml, "- id: \"100000000003\"\n", "- id: \"100000000003\"\n    status: SUSPENDED\n", 1)
	srv := startFleet(t, yaml)
	c := collector(srv, nil)
	ctx := context.Background()
	id, err := c.Caller(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const first, middle, last = "100000000000", "100000000002", "100000000005"
	tests := []struct {
		name    string
		only    []string
		scan    []string // accounts returned, in order
		skipped []string
		missing []string
	}{
		{"first", []string{first}, []string{first}, nil, nil},
		{"middle", []string{middle}, []string{middle}, nil, nil},
		{"last", []string{last}, []string{last}, nil, nil},
		{"first and middle", []string{first, middle}, []string{first, middle}, nil, nil},
		{"middle and first", []string{middle, first}, []string{first, middle}, nil, nil},
		{"last and first", []string{last, first}, []string{first, last}, nil, nil},
		{"first, middle, last", []string{first, middle, last}, []string{first, middle, last}, nil, nil},
		{"last, middle, first", []string{last, middle, first}, []string{first, middle, last}, nil, nil},
		{"middle, last, first", []string{middle, last, first}, []string{first, middle, last}, nil, nil},
		{"a suspended one is skipped, not scanned", []string{"100000000003", last}, []string{last}, []string{"100000000003"}, nil},
		{"one not in the organization", []string{middle, "999999999999"}, []string{middle}, nil, []string{"999999999999"}},
		{"none named: all active", nil, []string{first, "100000000001", middle, "100000000004", last}, []string{"100000000003"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accounts, skipped, err := c.ResolveAccounts(ctx, id, AccountOptions{Org: true, Only: tt.only, RoleName: "OrganizationAccountAccessRole"})
			if err != nil {
				t.Fatal(err)
			}
			var scan, missing, skip []string
			for _, a := range accounts {
				switch {
				case a.Err != nil && a.Err.Operation == "organizations:ListAccounts":
					missing = append(missing, a.ID)
				case a.Err != nil:
					t.Errorf("account %s: %+v", a.ID, a.Err)
				default:
					scan = append(scan, a.ID)
				}
			}
			for _, s := range skipped {
				skip = append(skip, s.Account)
			}
			if fmt.Sprint(scan) != fmt.Sprint(tt.scan) || fmt.Sprint(skip) != fmt.Sprint(tt.skipped) || fmt.Sprint(missing) != fmt.Sprint(tt.missing) {
				t.Errorf("scan %v skipped %v missing %v; want %v, %v, %v", scan, skip, missing, tt.scan, tt.skipped, tt.missing)
			}
		})
	}
}

// A listing that names an account twice scans it once.
func TestResolveAccountsListedTwice(t *testing.T) {
	h := startHostile(t, func(h *hostile, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"Accounts":[{"Id":"111111111111","Status":"ACTIVE"},{"Id":"111111111111","Status":"ACTIVE"}]}`))
	})
	c := &Collector{Clients: hostileClients(h.srv.URL)}
	accounts, _, err := c.ResolveAccounts(context.Background(), Identity{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/x"}, AccountOptions{Org: true, RoleName: "R"})
	if err != nil || len(accounts) != 1 {
		t.Fatalf("accounts %+v err %v, want the one account once", accounts, err)
	}
}

func jsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
