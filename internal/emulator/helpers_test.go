package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// testStart is where FakeClocks start; after every createdAt in the fleets.
var testStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// startFleet parses a fleet (YAML text or a testdata file name) and serves it.
func startFleet(t testing.TB, fleet string, opts ...Option) (*Server, string) {
	t.Helper()
	data := []byte(fleet)
	name := "test.yaml"
	if !strings.Contains(fleet, "\n") {
		var err error
		if data, err = os.ReadFile("testdata/" + fleet); err != nil {
			t.Fatal(err)
		}
		name = fleet
	}
	f, err := ParseFleet(data, name)
	if err != nil {
		t.Fatalf("parse fleet: %v", err)
	}
	return startServer(t, f, opts...)
}

func startServer(t testing.TB, f *Fleet, opts ...Option) (*Server, string) {
	t.Helper()
	s := New(f, opts...)
	url, err := s.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, url
}

// awsConfig is a plain SDK config pointed at the emulator: static keys,
// a fast retryer (no client-side retry quota, 1ms backoff).
func awsConfig(url, region, akid string, maxAttempts int) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(akid, "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		},
	}
}

func eksClient(url, region string) *eks.Client {
	return eks.NewFromConfig(awsConfig(url, region, "AKIDCALLER", 1))
}

func stsClient(url string) *sts.Client {
	return sts.NewFromConfig(awsConfig(url, "us-east-1", "AKIDCALLER", 1))
}

func ec2Client(url, region string) *ec2.Client {
	return ec2.NewFromConfig(awsConfig(url, region, "AKIDCALLER", 1))
}

func orgClient(url string) *organizations.Client {
	return organizations.NewFromConfig(awsConfig(url, "us-east-1", "AKIDCALLER", 1))
}

// errorCode unpacks the code and message of an AWS error, or fails.
func errorCode(t testing.TB, err error) (code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func wantAPIError(t testing.TB, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s %q, got success", code, message)
	}
	gotCode, gotMsg := errorCode(t, err)
	if gotCode != code || (message != "" && gotMsg != message) {
		t.Fatalf("want %s %q\n got %s %q", code, message, gotCode, gotMsg)
	}
}

// raw sends an unsigned-but-scoped request, for checks the SDK hides
// (status codes, headers, exact JSON members).
func raw(t testing.TB, url, method, path, service, region, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=AKIDCALLER/20250601/%s/%s/aws4_request, SignedHeaders=host, Signature=0", region, service))
	if service == "eks" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

var ctx = context.Background()

func newRequest(method, url, body string) (*http.Request, error) {
	return http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
}

// do sends a request as is (no Authorization) and returns the body.
func do(t testing.TB, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jsonField(body []byte, key string) string {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}
