// Package awsapi collects EKS clusters from live AWS accounts into the model. It talks to AWS only
// through the real aws-sdk-go-v2 clients, built one per (account, region) pair with their own retryer
// and an adaptive rate limiter, so that one throttled pair can neither drain the retry budget of the
// others nor turn a throttle into a missing cluster.
package awsapi

import (
	"bytes"
	"context"
	"errors"
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
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"
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
	// MaxRate is the most EKS requests per second a pair may send; each pair's pacer starts at half
	// of it, slows down when throttled and speeds back up on success. Burst is the pacer's bucket.
	MaxRate float64
	Burst   int
	// HTTPClient overrides the transport (tests).
	HTTPClient aws.HTTPClient

	mu         sync.Mutex
	pacers     map[string]*Pacer
	sharedHTTP aws.HTTPClient
}

// httpClient is one transport for every client: connections to a regional endpoint are reused
// across accounts, and enough of them are kept idle for hundreds of pairs in flight.
func (c *Clients) httpClient() aws.HTTPClient {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sharedHTTP == nil {
		// Start from the configured client so settings such as AWS_CA_BUNDLE survive; a client of
		// another kind is the caller's choice and is used as it is.
		base, isBuildable := c.Base.HTTPClient.(*awshttp.BuildableClient)
		switch {
		case c.Base.HTTPClient != nil && !isBuildable:
			c.sharedHTTP = c.Base.HTTPClient
		default:
			if base == nil {
				base = awshttp.NewBuildableClient()
			}
			c.sharedHTTP = base.WithTransportOptions(func(t *http.Transport) {
				t.MaxIdleConns = 2048
				t.MaxIdleConnsPerHost = 512
			})
		}
	}
	return c.sharedHTTP
}

// Defaults for a scan: generous retries for reads, a pace close to what EKS tolerates per pair.
const (
	DefaultMaxAttempts = 10
	DefaultMaxRate     = 20
	DefaultBurst       = 5
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
		r, b := c.MaxRate, c.Burst
		if r <= 0 {
			r = DefaultMaxRate
		}
		if b <= 0 {
			b = DefaultBurst
		}
		p = NewPacer(r/2, r, b)
		c.pacers[key] = p
	}
	return p
}

// EKS returns an EKS client for one pair, calling with creds.
func (c *Clients) EKS(creds aws.CredentialsProvider, account, region string) *eks.Client {
	pacer := c.Pacer(account, region)
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
		o.APIOptions = append(append([]func(*middleware.Stack) error{}, o.APIOptions...), pacer.addMiddleware)
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
}

func (c *Clients) common(creds aws.CredentialsProvider, region string) common {
	return common{region: region, creds: creds, retryer: c.newRetryer(), base: c.endpoint(), http: c.httpClient()}
}

// EC2 returns an EC2 client for one pair.
func (c *Clients) EC2(creds aws.CredentialsProvider, region string) *ec2.Client {
	cm := c.common(creds, region)
	return ec2.NewFromConfig(c.Base, func(o *ec2.Options) {
		o.Region, o.Retryer, o.HTTPClient = cm.region, cm.retryer, cm.http
		if cm.base != nil {
			o.BaseEndpoint = cm.base
		}
		if cm.creds != nil {
			o.Credentials = cm.creds
		}
	})
}

// STS returns an STS client.
func (c *Clients) STS(creds aws.CredentialsProvider, region string) *sts.Client {
	cm := c.common(creds, region)
	return sts.NewFromConfig(c.Base, func(o *sts.Options) {
		o.Region, o.Retryer, o.HTTPClient = cm.region, cm.retryer, cm.http
		if cm.base != nil {
			o.BaseEndpoint = cm.base
		}
		if cm.creds != nil {
			o.Credentials = cm.creds
		}
	})
}

// Organizations returns an Organizations client.
func (c *Clients) Organizations(region string) *organizations.Client {
	cm := c.common(nil, region)
	return organizations.NewFromConfig(c.Base, func(o *organizations.Options) {
		o.Region, o.Retryer, o.HTTPClient = cm.region, cm.retryer, cm.http
		if cm.base != nil {
			o.BaseEndpoint = cm.base
		}
	})
}

// Pacer is an adaptive client-side rate limiter for one (account, region) pair: every attempt,
// retries included, waits for a token; a throttled attempt cuts the rate, successes win it back. EKS
// publishes no rate quota, so the pace is learned rather than assumed.
type Pacer struct {
	mu      sync.Mutex
	lim     *rate.Limiter
	max     float64
	current float64
	lastCut time.Time
	// throttles counts attempts the service throttled.
	throttles int
}

// NewPacer starts a pacer at start requests per second, never above max, with a burst of b.
func NewPacer(start, max float64, b int) *Pacer {
	if start > max {
		start = max
	}
	return &Pacer{lim: rate.NewLimiter(rate.Limit(start), b), max: max, current: start}
}

const (
	minRate = 0.5
	// cutEvery is how often the pace may be cut: several requests in flight are usually throttled
	// together, and one episode should cost one cut, not one per request.
	cutEvery = 250 * time.Millisecond
	// cutFactor and stepUp make the pace hover just under what the service allows: a throttle cuts
	// it by a quarter, each success wins back a hundredth of the ceiling.
	cutFactor = 0.75
	stepUp    = 0.01
)

// Wait blocks until the pair may send, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error { return p.lim.Wait(ctx) }

// Throttled records a throttled attempt and slows down.
func (p *Pacer) Throttled() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttles++
	now := time.Now()
	if now.Sub(p.lastCut) < cutEvery {
		return
	}
	p.lastCut = now
	p.current *= cutFactor
	if p.current < minRate {
		p.current = minRate
	}
	p.lim.SetLimit(rate.Limit(p.current))
}

// Succeeded records an attempt that was not throttled and speeds up towards the starting rate.
func (p *Pacer) Succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current >= p.max {
		return
	}
	p.current += stepUp * p.max
	if p.current > p.max {
		p.current = p.max
	}
	p.lim.SetLimit(rate.Limit(p.current))
}

// Throttles is how many attempts were throttled so far.
func (p *Pacer) Throttles() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttles
}

// Rate is the current pace in requests per second.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

type pacerMiddleware struct{ p *Pacer }

func (pacerMiddleware) ID() string { return "eksguard.Pacer" }

func (m pacerMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if err := m.p.Wait(ctx); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	out, md, err := next.HandleFinalize(ctx, in)
	if IsThrottle(err) {
		m.p.Throttled()
	} else if err == nil {
		m.p.Succeeded()
	}
	return out, md, err
}

// addMiddleware puts the pacer inside the retry loop so that every attempt is paced.
func (p *Pacer) addMiddleware(s *middleware.Stack) error {
	return s.Finalize.Insert(pacerMiddleware{p: p}, "Retry", middleware.After)
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
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	_ = resp.Body.Close()
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
