package securityhub

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	shub "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// Paces per (account, region), under Security Hub's published limits (BatchImportFindings 10
// requests a second with a burst of 30, GetFindings 3 with a burst of 6), so that one eksguard run
// leaves room for whatever else the account sends. Variables so tests can lift them.
var (
	importRate  rate.Limit = 8
	importBurst            = 8
	getRate     rate.Limit = 2.5
	getBurst               = 3
)

// client is the Security Hub client of one (account, region) pair with its pacers.
type client struct {
	api           *shub.Client
	imports, gets *rate.Limiter
}

// newClient builds the client of a pair. The retryer (throttles and 5xx retried with backoff, no
// retry quota), the guarded transport (no redirects, bounded bodies), the per-attempt timeout and
// the endpoint override are those every eksguard AWS client has: they are taken from the options of
// an awsapi client built with the same settings, so Security Hub calls cannot drift from them.
func newClient(c *awsapi.Clients, creds aws.CredentialsProvider, region string) *client {
	base := c.STS(creds, region).Options()
	imports := pacer{lim: rate.NewLimiter(importRate, importBurst), op: "BatchImportFindings"}
	gets := pacer{lim: rate.NewLimiter(getRate, getBurst), op: "GetFindings"}
	api := shub.NewFromConfig(c.Base, func(o *shub.Options) {
		o.Region = region
		o.Retryer = base.Retryer
		o.RetryMaxAttempts = 0
		o.HTTPClient = base.HTTPClient
		if base.BaseEndpoint != nil {
			o.BaseEndpoint = base.BaseEndpoint
		}
		if creds != nil {
			o.Credentials = creds
		}
		o.APIOptions = append(append(append([]func(*middleware.Stack) error{}, base.APIOptions...), answerCheck{}.add), imports.add, gets.add)
	})
	return &client{api: api, imports: imports.lim, gets: gets.lim}
}

// pacer makes every attempt of one operation, retries included, wait for a token.
type pacer struct {
	lim *rate.Limiter
	op  string
}

func (p pacer) ID() string { return "eksguard.SecurityHubPacer." + p.op }

func (p pacer) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if middleware.GetOperationName(ctx) == p.op {
		if err := p.lim.Wait(ctx); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
	}
	return next.HandleFinalize(ctx, in)
}

func (p pacer) add(s *middleware.Stack) error {
	return s.Finalize.Insert(p, "Retry", middleware.After)
}

// answerCheck refuses a successful answer without the members every real one has. The SDK reads
// an empty 200 body as an answer with all of them absent: for BatchImportFindings that would be
// "nothing failed", for GetFindings "no findings". Such an answer comes from something between
// eksguard and AWS that dropped the body, so it is retried like a lost connection.
type answerCheck struct{}

func (answerCheck) ID() string { return "eksguard.SecurityHubAnswerCheck" }

func (answerCheck) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	switch o := out.Result.(type) {
	case *shub.BatchImportFindingsOutput:
		if o.FailedCount == nil || o.SuccessCount == nil {
			return out, md, &awsapi.EmptyResponseError{Operation: "BatchImportFindings", Missing: "FailedCount and SuccessCount"}
		}
	case *shub.GetFindingsOutput:
		if o.Findings == nil && aws.ToString(o.NextToken) == "" {
			return out, md, &awsapi.EmptyResponseError{Operation: "GetFindings", Missing: "Findings"}
		}
	}
	return out, md, nil
}

func (m answerCheck) add(s *middleware.Stack) error {
	return s.Deserialize.Insert(m, "OperationDeserializer", middleware.Before)
}

// denied are the codes of a caller Security Hub will not take findings from in that account and
// region: no permission, credentials it does not know, or Security Hub not enabled there.
var denied = map[string]bool{
	"AccessDeniedException": true, "AccessDenied": true, "InvalidAccessException": true,
	"UnrecognizedClientException": true, "InvalidClientTokenId": true, "ExpiredTokenException": true,
	"ExpiredToken": true, "InvalidSignatureException": true, "SignatureDoesNotMatch": true,
	"UnauthorizedOperation": true,
}

// errorCode is the AWS error code of a failed call, "" when the call got no AWS answer (the SDK
// calls an error answer without a code "UnknownError").
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "UnknownError" {
		return ae.ErrorCode()
	}
	return ""
}

// pairFatal reports whether a failed call says every later call of the pair would fail the same
// way: the caller is refused there, or the endpoint gave no usable answer even after every retry
// (unreachable, timing out, throttling or failing on its side throughout). A call refused for
// what it sent (a finding Security Hub rejects whole) is not: the next batch may be fine.
func pairFatal(err error) bool {
	if denied[errorCode(err)] || awsapi.IsThrottle(err) {
		return true
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return true // no HTTP answer at all
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil || re.Response.Response == nil {
		return true // eksguard's own account of a broken answer: a timeout, a redirect, a body too long
	}
	return re.Response.StatusCode == 0 || re.Response.StatusCode >= http.StatusInternalServerError
}
