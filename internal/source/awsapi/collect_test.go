package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/model"
)

// statusRecorder counts HTTP statuses the SDK saw, so tests can prove faults really happened.
type statusRecorder struct {
	mu     sync.Mutex
	counts map[int]int
	resets int
}

func (r *statusRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[int]int{}
	}
	if err != nil {
		r.resets++
		return nil, err
	}
	r.counts[resp.StatusCode]++
	return resp, nil
}

func (r *statusRecorder) count(code int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[code]
}

func startFleet(t *testing.T, yaml string) *emulator.Server {
	t.Helper()
	f, err := emulator.ParseFleet([]byte(yaml), "test-fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.New(f)
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func collector(srv *emulator.Server, rec *statusRecorder) *Collector {
	cl := &Clients{
		// The emulator does not throttle unless a test asks it to; pacing at AWS speeds would only
		// make the suite slow.
		Rate: 2000, Burst: 100,
		Base:        aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		EndpointURL: srv.URL(),
	}
	if rec != nil {
		cl.HTTPClient = rec
	}
	return &Collector{Clients: cl}
}

func clusters(n int, prefix string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "          - name: %s-%03d\n", prefix, i)
	}
	return b.String()
}

func names(inv *model.Inventory, region string) map[string]*model.Cluster {
	out := map[string]*model.Cluster{}
	for _, c := range inv.Clusters {
		if c.Region == region {
			out[c.Name] = c
		}
	}
	return out
}

func TestCollectPagesBeyondOneHundred(t *testing.T) {
	srv := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
`+clusters(257, "c"))
	inv, err := collector(srv, nil).Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(names(inv, "us-east-1")); got != 257 || len(inv.Errors) != 0 {
		t.Fatalf("collected %d clusters, %d errors; want 257, 0", got, len(inv.Errors))
	}
	if calls := srv.Calls()["eks:ListClusters"]; calls != 3 {
		t.Errorf("ListClusters called %d times, want 3 pages", calls)
	}
	c := names(inv, "us-east-1")["c-000"]
	if c.Account != "111111111111" || !c.EndpointPublicAccess.Value || c.EndpointPublicAccess.Origin != model.OriginExplicit || c.EndpointPrivateAccess.Value {
		t.Errorf("default cluster read as %+v", c)
	}
	if inv.Caller == "" {
		t.Error("caller ARN not recorded")
	}
}

func TestCollectUnderThrottling(t *testing.T) {
	srv := startFleet(t, `
behaviour:
  throttle: {rate: 20, burst: 2}
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
`+clusters(60, "t"))
	rec := &statusRecorder{}
	c := collector(srv, rec)
	// Start the pacer well above the service's rate so that throttles really happen and must be
	// absorbed.
	c.Clients.Rate, c.Clients.Burst = 400, 50
	inv, err := c.Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(inv.Clusters); got != 60 || len(inv.Errors) != 0 {
		t.Fatalf("collected %d clusters and errors %v; want all 60 and none", got, inv.Errors)
	}
	if rec.count(429) == 0 {
		t.Fatal("the emulator never throttled; the test proves nothing")
	}
	if p := c.Clients.Pacer("111111111111", "us-east-1"); p.Throttles() == 0 || p.Rate() >= 200 {
		t.Errorf("pacer did not adapt: throttles %d, rate %.1f", p.Throttles(), p.Rate())
	}
}

func TestCollectRetriesServerErrors(t *testing.T) {
	srv := startFleet(t, `
behaviour:
  serverErrorRate: 0.3
  seed: 7
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
`+clusters(40, "s"))
	rec := &statusRecorder{}
	inv, err := collector(srv, rec).Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 40 || len(inv.Errors) != 0 {
		t.Fatalf("collected %d clusters, errors %v; want 40 and none", len(inv.Clusters), inv.Errors)
	}
	if rec.count(500) == 0 {
		t.Fatal("no 500 was injected; the test proves nothing")
	}
}

func TestCollectOneRegionFailing(t *testing.T) {
	srv := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters: [{name: a}, {name: b}]
      - name: eu-west-1
        accessDenied: true
        clusters: [{name: c}]
      - name: ap-south-1
        enabled: false
        clusters: [{name: d}]
`)
	inv, err := collector(srv, nil).Collect(context.Background(), Scope{Regions: []string{"us-east-1", "eu-west-1", "ap-south-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(names(inv, "us-east-1")); got != 2 {
		t.Errorf("us-east-1 clusters = %d, want 2", got)
	}
	byRegion := map[string]model.Error{}
	for _, e := range inv.Errors {
		byRegion[e.Region] = e
	}
	if e := byRegion["eu-west-1"]; !e.AccessDenied || e.Operation != "eks:ListClusters" || e.Cluster != "" {
		t.Errorf("eu-west-1 error = %+v, want access denied on eks:ListClusters", e)
	}
	if e := byRegion["ap-south-1"]; e.AccessDenied || !strings.Contains(e.Message, "not enabled") {
		t.Errorf("ap-south-1 error = %+v, want a region-not-enabled error", e)
	}
}

func TestCollectAllRegions(t *testing.T) {
	srv := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters: [{name: a}]
      - name: eu-west-1
        clusters: [{name: b}]
      - name: me-south-1
        enabled: false
        clusters: [{name: hidden}]
`)
	inv, err := collector(srv, nil).Collect(context.Background(), Scope{AllRegions: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 2 || len(inv.Errors) != 0 {
		t.Fatalf("clusters %d errors %v; want 2 clusters from enabled regions only", len(inv.Clusters), inv.Errors)
	}
}

func TestCollectFieldFidelity(t *testing.T) {
	srv := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: missing-private
            omitFields: [resourcesVpcConfig.endpointPrivateAccess]
            resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}
          - name: missing-cidrs
            omitFields: [resourcesVpcConfig.publicAccessCidrs]
          - name: busy
            status: UPDATING
            updates: [{type: EndpointAccessUpdate, status: InProgress}]
          - name: hybrid
            remoteNetworkConfig: {remoteNodeNetworks: [{cidrs: [10.80.0.0/16]}]}
            kubernetesNetworkConfig: {ipFamily: ipv6}
            createdAt: 2025-01-01T00:00:00Z
          - name: registering
            status: PENDING
            connectorConfig: {provider: OTHER}
`)
	inv, err := collector(srv, nil).Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	got := names(inv, "us-east-1")
	if c := got["missing-private"]; c.EndpointPrivateAccess.Known() || !c.EndpointPublicAccess.Known() {
		t.Errorf("missing-private: private %+v public %+v; want private unknown, public known", c.EndpointPrivateAccess, c.EndpointPublicAccess)
	}
	if c := got["missing-cidrs"]; c.PublicAccessCIDRs.Known() {
		t.Errorf("missing-cidrs: cidrs %+v; want unknown", c.PublicAccessCIDRs)
	}
	if c := got["busy"]; c.Status != model.StatusUpdating || len(c.Updates) != 1 || c.Updates[0].Type != "EndpointAccessUpdate" {
		t.Errorf("busy: status %s updates %+v", c.Status, c.Updates)
	}
	if c := got["hybrid"]; !c.HybridNodes || c.IPFamily != "ipv6" || c.VpcID == "" || c.ClusterSecurityGroupID == "" {
		t.Errorf("hybrid: %+v", c)
	}
	if c := got["registering"]; !c.Connector || c.Status != model.StatusPending {
		t.Errorf("registering: %+v", c)
	}
}

func TestCollectNamedClusters(t *testing.T) {
	srv := startFleet(t, `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters: [{name: a}, {name: b}]
      - name: eu-west-1
        clusters: [{name: c}]
`)
	inv, err := collector(srv, nil).Collect(context.Background(), Scope{Regions: []string{"us-east-1", "eu-west-1"}, Clusters: []string{"a", "c", "ghost"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clusters) != 2 {
		t.Errorf("clusters = %d, want a and c", len(inv.Clusters))
	}
	if len(inv.Errors) != 1 || inv.Errors[0].Cluster != "ghost" || !strings.Contains(inv.Errors[0].Message, "not found") {
		t.Errorf("errors = %+v, want ghost not found", inv.Errors)
	}
	if srv.Calls()["eks:ListClusters"] != 0 {
		t.Error("named clusters should not need ListClusters")
	}
}

func TestCollectNoCredentials(t *testing.T) {
	srv := startFleet(t, "accounts: [{id: \"111111111111\"}]\n")
	c := collector(srv, nil)
	c.Clients.Base.Credentials = nil
	_, err := c.Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	fe, ok := err.(*FatalError)
	if !ok || !fe.Denied {
		t.Fatalf("err = %v, want a denied FatalError", err)
	}
}

func TestCollectUnreachable(t *testing.T) {
	c := &Collector{Clients: &Clients{
		Base:        aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		EndpointURL: "http://127.0.0.1:1", MaxAttempts: 2,
	}}
	_, err := c.Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	fe, ok := err.(*FatalError)
	if !ok || fe.Denied || !strings.Contains(err.Error(), "cannot reach AWS") {
		t.Fatalf("err = %v, want an unreachable FatalError", err)
	}
}

func TestCollectCancelled(t *testing.T) {
	srv := startFleet(t, `
behaviour: {latency: 200ms}
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
`+clusters(30, "x"))
	// Cancelled mid-scan: after the caller is known and clusters are being described.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	inv, err := collector(srv, nil).Collect(ctx, Scope{Regions: []string{"us-east-1"}})
	if err == nil || inv != nil {
		t.Fatalf("cancelled collect returned %v, %v; want no inventory and an error", inv, err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s to stop", took)
	}
	if srv.Calls()["eks:DescribeCluster"] == 0 {
		t.Error("cancelled before describing anything; the test does not exercise a scan in flight")
	}
}
