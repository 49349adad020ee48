// Package awsapi collects EKS clusters from live AWS accounts into the model. It talks to AWS only
// through the real aws-sdk-go-v2 clients, built one per (account, region) pair with their own retryer
// and an adaptive rate limiter, so that one throttled pair can neither drain the retry budget of the
// others nor turn a throttle into a missing cluster.
package awsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// EKSAPI is the part of the EKS client the collector and remediation use.
type EKSAPI interface {
	ListClusters(context.Context, *eks.ListClustersInput, ...func(*eks.Options)) (*eks.ListClustersOutput, error)
	DescribeCluster(context.Context, *eks.DescribeClusterInput, ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
	ListUpdates(context.Context, *eks.ListUpdatesInput, ...func(*eks.Options)) (*eks.ListUpdatesOutput, error)
	DescribeUpdate(context.Context, *eks.DescribeUpdateInput, ...func(*eks.Options)) (*eks.DescribeUpdateOutput, error)
}

// Clients builds SDK clients that share one base configuration. Every client it returns has its own
// retryer (never the shared token bucket the SDK warns about) and EKS clients of one (account,
// region) pair share one adaptive pacer.
type Clients struct {
	Base aws.Config
	// EndpointURL, when set, sends every call there (an emulator, moto_server). The SDK's own
	// AWS_ENDPOINT_URL is honoured through Base.
	EndpointURL string
	// MaxAttempts per call including the first; throttles and 5xx are retried with backoff.
	MaxAttempts int
	// Rate is the pace, in EKS requests per second, each pair starts at (DefaultRate when zero); it
	// falls when the pair is throttled and rises, up to twice Rate, after long runs of successes.
	// Burst is the pacer's bucket.
	Rate  float64
	Burst int
	// FindPace lets the scan find a faster pace than Rate: one pair at a time probes for more and
	// lends what it proves to the others, up to MaxRate for the whole scan, until the first
	// throttle (pace.go).
	FindPace bool
	// HTTPClient overrides the transport (tests).
	HTTPClient aws.HTTPClient
	// RequestTimeout bounds each attempt of every call, from sending the request to reading the
	// whole response (default DefaultRequestTimeout). An attempt that runs out of time is retried
	// like any other transient failure, so an endpoint that accepts connections and never answers
	// costs at most MaxAttempts timeouts, never a hang.
	RequestTimeout time.Duration

	// MaxInFlight caps EKS requests in flight across every pair (default DefaultMaxInFlight): enough to keep
	// hundreds of pairs at their pace, few enough that a fleet scan holds a bounded number of
	// connections and buffers.
	MaxInFlight int

	mu         sync.Mutex
	pacers     map[string]*Pacer
	probe      *probe
	sharedHTTP aws.HTTPClient
	inflight   chan struct{}
}

// DefaultMaxInFlight is the default of Clients.MaxInFlight.
const DefaultMaxInFlight = 1024

func (c *Clients) slots() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight == nil {
		n := c.MaxInFlight
		if n <= 0 {
			n = DefaultMaxInFlight
		}
		c.inflight = make(chan struct{}, n)
	}
	return c.inflight
}

// httpClient is one transport for every client: connections to a regional endpoint are reused
// across accounts, and enough of them are kept idle for hundreds of pairs in flight. Whatever the
// transport, it is guarded: no redirects, and no response body beyond MaxResponseBody.
func (c *Clients) httpClient() aws.HTTPClient {
	if c.HTTPClient != nil {
		return guard(noFollow(c.HTTPClient))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sharedHTTP == nil {
		// Start from the configured client so settings such as AWS_CA_BUNDLE (kept in the
		// transport) survive; a client of another kind is the caller's choice and is used as it
		// is, except that it must not follow redirects either.
		base, isBuildable := c.Base.HTTPClient.(*awshttp.BuildableClient)
		if c.Base.HTTPClient != nil && !isBuildable {
			c.sharedHTTP = noFollow(c.Base.HTTPClient)
		} else {
			if base == nil {
				base = awshttp.NewBuildableClient()
			}
			tr := base.GetTransport()
			tr.MaxIdleConns = 2048
			tr.MaxIdleConnsPerHost = 512
			// The SDK's own client follows 307 and 308 redirects, to any host; AWS API
			// endpoints never send them, so one is reported instead (RedirectError).
			c.sharedHTTP = &http.Client{Transport: tr, Timeout: base.GetTimeout(), CheckRedirect: refuseRedirect}
		}
		c.sharedHTTP = guard(c.sharedHTTP)
	}
	return c.sharedHTTP
}

// Defaults for a scan: generous retries for reads, a pace close to what EKS tolerates per pair.
const (
	DefaultMaxAttempts = 10
	// DefaultRequestTimeout is far above what any of the calls eksguard makes takes (EKS answers
	// DescribeCluster in well under a second), and short enough that ten attempts at a silent
	// endpoint end within minutes.
	DefaultRequestTimeout = 20 * time.Second
	// DefaultRate is where every pair starts: a little under the 10 requests/s judged safe per
	// account and region (docs/eks-api-behaviour.md, A9: EKS publishes no rate quota), so that a
	// limit of exactly 10/s is never reached in steady state; a bucket of 4 leaves slack for jitter
	// against a service bucket of 5. With FindPace, only the scout goes above it unproven.
	DefaultRate  = 9.5
	DefaultBurst = 4
)

func (c *Clients) maxAttempts() int {
	if c.MaxAttempts > 0 {
		return c.MaxAttempts
	}
	return DefaultMaxAttempts
}

// newRetryer returns a fresh standard retryer. The retry quota is disabled because the pacer already
// keeps each pair under its throttle; with a quota, a burst of throttles would make the SDK give up
// with a client-side "retry quota exceeded" that says nothing about AWS.
func (c *Clients) newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = c.maxAttempts()
		o.MaxBackoff = maxBackoff
		o.Backoff = jitterBackoff{}
		o.RateLimiter = ratelimit.None
	})
}

const (
	baseBackoff = 50 * time.Millisecond
	maxBackoff  = 20 * time.Second
)

// jitterBackoff is exponential backoff with full jitter from a 50 ms base. The SDK's default starts
// near one second, which is right for a lone client but wastes most of a scan's time here: spacing
// requests is the pacer's job, so a retry only has to step out of the way of a transient fault.
type jitterBackoff struct{}

func (jitterBackoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	if attempt < 1 {
		attempt = 1
	}
	d := baseBackoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	if d > maxBackoff {
		d = maxBackoff
	}
	return time.Duration(rand.Int64N(int64(d) + 1)), nil
}

func (c *Clients) endpoint() *string {
	if c.EndpointURL == "" {
		return nil
	}
	return aws.String(c.EndpointURL)
}

// Pacer returns the pacer of an (account, region) pair, creating it on first use.
func (c *Clients) Pacer(account, region string) *Pacer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pacers == nil {
		c.pacers = map[string]*Pacer{}
	}
	key := account + "/" + region
	p, ok := c.pacers[key]
	if !ok {
		r, b := c.Rate, c.Burst
		if r <= 0 {
			r = DefaultRate
		}
		if b <= 0 {
			b = DefaultBurst
		}
		if c.FindPace {
			if c.probe == nil {
				c.probe = newProbe(r, MaxRate)
			}
			p = newPacer(r, MaxRate, b, c.probe, time.Now)
		} else {
			p = NewPacer(r, 2*r, b)
		}
		c.pacers[key] = p
	}
	return p
}

// EKS returns an EKS client for one pair, calling with creds.
func (c *Clients) EKS(creds aws.CredentialsProvider, account, region string) *eks.Client {
	pacer := c.Pacer(account, region)
	mw := pacerMiddleware{p: pacer, slots: c.slots()}
	return eks.NewFromConfig(c.Base, func(o *eks.Options) {
		o.Region = region
		if creds != nil {
			o.Credentials = creds
		}
		o.Retryer = c.newRetryer()
		o.RetryMaxAttempts = 0
		if ep := c.endpoint(); ep != nil {
			o.BaseEndpoint = ep
		}
		o.HTTPClient = c.httpClient()
		// Both go right after Retry, the later one first: Retry, then the pacer, then the
		// attempt's timeout, so waiting for the pacer is not counted against the attempt. The
		// response check wraps the deserializer, inside both.
		o.APIOptions = append(append([]func(*middleware.Stack) error{}, o.APIOptions...), responseCheck{}.add, c.timeout().add, mw.add)
	})
}

// common holds the settings every client of a service shares, so each constructor states only what
// differs.
type common struct {
	region  string
	creds   aws.CredentialsProvider
	retryer aws.Retryer
	base    *string
	http    aws.HTTPClient
	api     []func(*middleware.Stack) error
}

func (c *Clients) common(creds aws.CredentialsProvider, region string) common {
	return common{region: region, creds: creds, retryer: c.newRetryer(), base: c.endpoint(), http: c.httpClient(),
		api: []func(*middleware.Stack) error{responseCheck{}.add, c.timeout().add}}
}

// apply sets a service client's options, given as pointers to its fields: every SDK service has
// its own Options type (and HTTPClient interface) with the same fields.
func apply[H any](cm common, region *string, retryer *aws.Retryer, http *H, api *[]func(*middleware.Stack) error,
	base **string, creds *aws.CredentialsProvider) {
	*region, *retryer, *http = cm.region, cm.retryer, cm.http.(H)
	*api = append(append([]func(*middleware.Stack) error{}, *api...), cm.api...)
	if cm.base != nil {
		*base = cm.base
	}
	if cm.creds != nil {
		*creds = cm.creds
	}
}

// EC2 returns an EC2 client for one pair.
func (c *Clients) EC2(creds aws.CredentialsProvider, region string) *ec2.Client {
	cm := c.common(creds, region)
	return ec2.NewFromConfig(c.Base, func(o *ec2.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}

// STS returns an STS client.
func (c *Clients) STS(creds aws.CredentialsProvider, region string) *sts.Client {
	cm := c.common(creds, region)
	return sts.NewFromConfig(c.Base, func(o *sts.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}

// Organizations returns an Organizations client.
func (c *Clients) Organizations(region string) *organizations.Client {
	cm := c.common(nil, region)
	return organizations.NewFromConfig(c.Base, func(o *organizations.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}

var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestThrottledException": true,
	"TooManyRequestsException": true, "RequestLimitExceeded": true, "SlowDown": true, "RequestThrottled": true,
	"EC2ThrottledException": true, "PriorRequestNotComplete": true, "LimitExceededException": true,
}

// IsThrottle reports whether an error is the service asking the caller to slow down.
func IsThrottle(err error) bool {
	if err == nil {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && throttleCodes[ae.ErrorCode()] {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests
}

// rawBodyKey stores the raw DescribeCluster body in result metadata.
type rawBodyKey struct{}

type rawBodyMiddleware struct{}

func (rawBodyMiddleware) ID() string { return "eksguard.RawBody" }

// HandleDeserialize sits between the transport and the SDK's deserializer and keeps a copy of the
// body. The SDK reads endpointPublicAccess and endpointPrivateAccess into plain bools, so a response
// that omits them would look like "both disabled"; only the raw body tells absent from false.
func (rawBodyMiddleware) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp.Body == nil || resp.StatusCode/100 != 2 {
		return out, md, err
	}
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= MaxResponseBody {
		buf.Grow(int(n) + 1) // one allocation instead of ReadAll's doubling
	}
	// One byte past the limit means the body was cut short: an error, never a truncated copy
	// read as if it were the whole answer.
	_, rerr := buf.ReadFrom(io.LimitReader(resp.Body, MaxResponseBody+1))
	body := buf.Bytes()
	_ = resp.Body.Close()
	if rerr == nil && int64(len(body)) > MaxResponseBody {
		rerr = &BodyTooLargeError{Limit: MaxResponseBody}
	}
	if rerr != nil {
		return out, md, rerr
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	md.Set(rawBodyKey{}, body)
	return out, md, nil
}

func withRawBody(o *eks.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Deserialize.Insert(rawBodyMiddleware{}, "OperationDeserializer", middleware.After)
	})
}

func (c *Clients) timeout() attemptTimeout {
	d := c.RequestTimeout
	if d <= 0 {
		d = DefaultRequestTimeout
	}
	return attemptTimeout{d: d}
}

// attemptTimeout gives each attempt of a call its own deadline. It sits inside the retry loop, so
// every attempt gets the whole of it, and the deserializer runs inside it, so a response whose body
// never ends is cut off too.
type attemptTimeout struct{ d time.Duration }

func (attemptTimeout) ID() string { return "eksguard.AttemptTimeout" }

func (m attemptTimeout) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	actx, cancel := context.WithTimeout(ctx, m.d)
	defer cancel()
	out, md, err := next.HandleFinalize(actx, in)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		// The SDK reports the attempt's own deadline as a cancellation, which it never retries;
		// the caller did not cancel anything, so it is a timeout, retried like a lost connection.
		err = &TimeoutError{After: m.d}
	}
	return out, md, err
}

func (m attemptTimeout) add(s *middleware.Stack) error {
	return s.Finalize.Insert(m, "Retry", middleware.After)
}

// TimeoutError is an attempt that got no complete answer within the request timeout. It does not
// wrap the SDK's error, which would read as a cancellation and stop the retries.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within %s (the per-attempt --request-timeout)", e.After)
}

// Timeout marks the error as a timeout for net-style checks.
func (e *TimeoutError) Timeout() bool { return true }

// RetryableError tells the SDK's retryer to try again.
func (e *TimeoutError) RetryableError() bool { return true }

// ECR returns an ECR client for one pair.
func (c *Clients) ECR(creds aws.CredentialsProvider, region string) *ecr.Client {
	cm := c.common(creds, region)
	return ecr.NewFromConfig(c.Base, func(o *ecr.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}

// IAM returns an IAM client; IAM is global, its calls go to the base region's endpoint.
func (c *Clients) IAM(creds aws.CredentialsProvider, region string) *iam.Client {
	cm := c.common(creds, region)
	return iam.NewFromConfig(c.Base, func(o *iam.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}

// ELBv2 returns an Elastic Load Balancing (application, network and gateway) client for one pair.
func (c *Clients) ELBv2(creds aws.CredentialsProvider, region string) *elasticloadbalancingv2.Client {
	cm := c.common(creds, region)
	return elasticloadbalancingv2.NewFromConfig(c.Base, func(o *elasticloadbalancingv2.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}

// ELB returns a classic Elastic Load Balancing client for one pair.
func (c *Clients) ELB(creds aws.CredentialsProvider, region string) *elasticloadbalancing.Client {
	cm := c.common(creds, region)
	return elasticloadbalancing.NewFromConfig(c.Base, func(o *elasticloadbalancing.Options) {
		apply(cm, &o.Region, &o.Retryer, &o.HTTPClient, &o.APIOptions, &o.BaseEndpoint, &o.Credentials)
	})
}
