package emulator

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func withBehaviour(s *Server, change func(*Behaviour)) {
	b := s.Behaviour()
	change(&b)
	s.SetBehaviour(b)
}

func TestThrottleOnTheWire(t *testing.T) {
	tests := []struct {
		name       string
		throttle   Throttle
		method     string
		path       string
		code       string
		msg        string
		retryAfter string
	}{
		{"read, default code", Throttle{Rate: 1, Burst: 2}, "GET", "/clusters/prod", "ThrottlingException", "Rate exceeded", ""},
		{"read, TooManyRequests", Throttle{Rate: 1, Burst: 2, Code: "TooManyRequestsException"}, "GET", "/clusters", "TooManyRequestsException", "Too Many Requests", ""},
		{"write keeps the modelled code", Throttle{Rate: 1, Burst: 2, Code: "TooManyRequestsException"}, "POST", "/clusters/prod/update-config", "ThrottlingException", "Rate exceeded", ""},
		{"retry-after header", Throttle{Rate: 1, Burst: 2, RetryAfter: 1500 * time.Millisecond}, "GET", "/clusters/prod", "ThrottlingException", "Rate exceeded", "1500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A stopped clock never refills the bucket: exactly Burst calls pass.
			s, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
			withBehaviour(s, func(b *Behaviour) { b.Throttle = tt.throttle })
			// The bucket is shared by every EKS operation of the account+region.
			for _, p := range []string{"/clusters", "/clusters/defaults"} {
				if resp, body := raw(t, url, "GET", p, "eks", "us-east-1", ""); resp.StatusCode != 200 {
					t.Fatalf("%s within burst: %d %s", p, resp.StatusCode, body)
				}
			}
			resp, body := raw(t, url, tt.method, tt.path, "eks", "us-east-1", `{"deletionProtection":true}`)
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-Amzn-ErrorType") != tt.code || !strings.Contains(string(body), `"message":"`+tt.msg+`"`) {
				t.Errorf("got %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
			}
			if got := resp.Header.Get("x-amz-retry-after"); got != tt.retryAfter {
				t.Errorf("x-amz-retry-after %q, want %q", got, tt.retryAfter)
			}
			// Other regions have their own bucket; other services are not throttled.
			if resp, _ := raw(t, url, "GET", "/clusters", "eks", "eu-west-1", ""); resp.StatusCode != 200 {
				t.Errorf("eu-west-1: %d", resp.StatusCode)
			}
			if _, err := stsClient(url).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Errorf("sts: %v", err)
			}
		})
	}
}

// TestSDKRetriesThrottling shows the Go SDK treating the emulator's 429 as
// retryable: every call succeeds, some only after retries.
func TestSDKRetriesThrottling(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml")
	// One token every 200ms: back-to-back calls must be throttled however
	// slow the machine, and 30 attempts 20ms apart always outlast a refill.
	withBehaviour(s, func(b *Behaviour) { b.Throttle = Throttle{Rate: 5, Burst: 1} })
	cfg := awsConfig(url, "us-east-1", "AKIDCALLER", 30)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 30
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 20 * time.Millisecond, nil })
		})
	}
	client := eks.NewFromConfig(cfg)
	const n = 4
	for i := range n {
		if _, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if got := s.Calls()["eks:DescribeCluster"]; got <= n {
		t.Errorf("%d requests for %d calls: nothing was throttled and retried", got, n)
	}
}

func TestServerFaults(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Behaviour)
		status int
		code   string
	}{
		{"server error", func(b *Behaviour) { b.ServerErrorRate = 1 }, 500, "ServerException"},
		{"service unavailable", func(b *Behaviour) { b.ServiceUnavailableRate = 1 }, 503, "ServiceUnavailableException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, url := startFleet(t, "fleet.yaml")
			withBehaviour(s, tt.change)
			resp, _ := raw(t, url, "GET", "/clusters/prod", "eks", "us-east-1", "")
			if resp.StatusCode != tt.status || resp.Header.Get("X-Amzn-ErrorType") != tt.code {
				t.Errorf("got %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
			}
			s.ResetCalls()
			_, err := eks.NewFromConfig(awsConfig(url, "us-east-1", "AKIDCALLER", 3)).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
			wantAPIError(t, err, tt.code, "")
			if got := s.Calls()["eks:DescribeCluster"]; got != 3 {
				t.Errorf("SDK made %d attempts, want 3 (retryable status)", got)
			}
			// Only EKS is faulted.
			if _, err := stsClient(url).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Errorf("sts: %v", err)
			}
		})
	}
}

func TestFaultsAreSeeded(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml")
	run := func(seed uint64) string {
		withBehaviour(s, func(b *Behaviour) { b.ServerErrorRate, b.ServiceUnavailableRate, b.Seed = 0.3, 0.2, seed })
		var sb strings.Builder
		for range 40 {
			resp, _ := raw(t, url, "GET", "/clusters/prod", "eks", "us-east-1", "")
			sb.WriteString(map[int]string{200: ".", 500: "5", 503: "3"}[resp.StatusCode])
		}
		return sb.String()
	}
	a, b, c := run(7), run(7), run(8)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same faults: %s", a)
	}
	if ok := strings.Count(a, "."); ok < 10 || ok > 35 {
		t.Errorf("implausible mix for rates 0.3+0.2: %s", a)
	}
}

func TestConnectionReset(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml")
	withBehaviour(s, func(b *Behaviour) { b.ConnectionResetRate = 1 })
	req, _ := http.NewRequest("GET", url+"/clusters/prod", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCALLER/20250601/us-east-1/eks/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d), want a reset connection", resp.StatusCode)
	}
	s.ResetCalls()
	_, err = eks.NewFromConfig(awsConfig(url, "us-east-1", "AKIDCALLER", 2)).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
	if err == nil {
		t.Fatal("want an error")
	}
	if got := s.Calls()["eks:DescribeCluster"]; got != 2 {
		t.Errorf("SDK made %d attempts, want 2 (a reset is retryable)", got)
	}
}

// TestLostResponseRetried is the case DropNextResponse exists for: the update
// is created, the answer is lost, the SDK retries with the same token, and
// there is still only one update (TD-19, RC-12).
func TestLostResponseRetried(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml", WithClock(NewFakeClock(testStart)))
	client := eks.NewFromConfig(awsConfig(url, "us-east-1", "AKIDCALLER", 3))
	s.DropNextResponse("eks:UpdateClusterConfig")
	out, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("prod"),
		ResourcesVpcConfig: &types.VpcConfigRequest{EndpointPrivateAccess: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Calls()["eks:UpdateClusterConfig"]; got != 2 {
		t.Errorf("%d attempts, want 2", got)
	}
	list, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.UpdateIds) != 1 || list.UpdateIds[0] != aws.ToString(out.Update.Id) {
		t.Errorf("updates %q, returned %s", list.UpdateIds, aws.ToString(out.Update.Id))
	}
	// Without a token, the retry of a lost request is a second request, and
	// it meets the first one's update (TD-12).
	s.DropNextResponse("eks:UpdateClusterConfig")
	req, _ := http.NewRequest("POST", url+"/clusters/defaults/update-config", strings.NewReader(`{"deletionProtection":true}`))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCALLER/20250601/us-east-1/eks/aws4_request, SignedHeaders=host, Signature=0")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped response arrived: %d", resp.StatusCode)
	}
	resp, body := raw(t, url, "POST", "/clusters/defaults/update-config", "eks", "us-east-1", `{"deletionProtection":true}`)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("retry without token: %d %s", resp.StatusCode, body)
	}
}

func TestLatency(t *testing.T) {
	s, url := startFleet(t, "fleet.yaml")
	withBehaviour(s, func(b *Behaviour) { b.Latency = 80 * time.Millisecond })
	start := time.Now()
	if _, err := stsClient(url).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("call took %v, latency is 80ms", d)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err := eksClient(url, "us-east-1").DescribeCluster(short, &eks.DescribeClusterInput{Name: aws.String("prod")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want the client's deadline, got %v", err)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRequestLog(t *testing.T) {
	var log lockedBuffer
	_, url := startFleet(t, "fleet.yaml", WithLogger(&log))
	if _, err := eksClient(url, "us-east-1").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("nope")}); err == nil {
		t.Fatal("want not found")
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(log.String(), "eks:DescribeCluster 111111111111 us-east-1 404") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "eks:DescribeCluster 111111111111 us-east-1 404") {
		t.Errorf("log: %q", log.String())
	}
}

// TestConcurrentUse mixes reads, updates, test hooks and behaviour changes on
// the same clusters; run with -race it guards the per-cluster locking.
func TestConcurrentUse(t *testing.T) {
	clock := NewFakeClock(testStart)
	s, url := startFleet(t, "fleet.yaml", WithClock(clock))
	client := eksClient(url, "us-east-1")
	names := []string{"prod", "defaults", "both", "v6"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				name := names[(g+i)%len(names)]
				var err error
				switch i % 5 {
				case 0:
					_, err = client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
				case 1:
					_, err = client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(name), DeletionProtection: aws.Bool(i%2 == 0)})
					var busy *types.ResourceInUseException
					if errors.As(err, &busy) {
						err = nil // expected: another goroutine's update runs
					}
				case 2:
					_, err = client.ListClusters(ctx, &eks.ListClustersInput{})
				case 3:
					s.Cluster("111111111111", "us-east-1", name)
					clock.Advance(time.Minute)
				case 4:
					withBehaviour(s, func(b *Behaviour) { b.StatusLag = i % 3 })
					_, err = client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String(name)})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s.Calls()["eks:UpdateClusterConfig"] != 8*6 {
		t.Errorf("calls %v", s.Calls())
	}
}
