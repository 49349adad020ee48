// Package ekstoken makes the bearer token EKS accepts for its Kubernetes API, as `aws eks get-token`
// and aws-iam-authenticator make it: a presigned STS GetCallerIdentity URL, signed with the caller's
// AWS credentials and with the cluster's name in the signed header x-k8s-aws-id, base64url-encoded
// behind the prefix "k8s-aws-v1.". The API server's authenticator calls that URL to learn who the
// caller is; the signed header keeps a token made for one cluster from being replayed against
// another. No secret leaves the process: the URL carries a signature, not the credentials.
package ekstoken

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	// Prefix starts every token.
	Prefix = "k8s-aws-v1."
	// ClusterHeader is the signed header that names the cluster.
	ClusterHeader = "x-k8s-aws-id"
	// Lifetime is how long EKS accepts a token after it is signed; tokens are made fresh for each
	// scan, well inside it.
	Lifetime = 15 * time.Minute
	// presignExpiry is the X-Amz-Expires the authenticators send (60 s); EKS judges the age of a
	// token by its X-Amz-Date and Lifetime instead.
	presignExpiry = "60"
)

// Token is a bearer token and when EKS stops accepting it.
type Token struct {
	Value   string
	Expires time.Time
}

// New signs a token for the cluster with the STS client's credentials and region. now is when it
// is signed (the SDK's clock signs the URL; now only dates the expiry).
func New(ctx context.Context, client *sts.Client, cluster string, now time.Time) (Token, error) {
	if cluster == "" {
		return Token{}, errors.New("eks token: no cluster name")
	}
	presigner := sts.NewPresignClient(client, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(so *sts.Options) {
			so.APIOptions = append(so.APIOptions, smithyhttp.AddHeaderValue(ClusterHeader, cluster), addExpires)
		})
	})
	req, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Token{}, fmt.Errorf("eks token for %q: %w", cluster, err)
	}
	if !strings.Contains(strings.ToLower(req.SignedHeader.Get("X-Amz-SignedHeaders")+req.URL), ClusterHeader) {
		return Token{}, fmt.Errorf("eks token for %q: the presigned URL does not sign %s", cluster, ClusterHeader)
	}
	return Token{Value: Prefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)), Expires: now.Add(Lifetime)}, nil
}

// addExpires puts X-Amz-Expires in the query before signing, as the authenticators do.
func addExpires(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("eksguard.PresignExpires", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		if r, ok := in.Request.(*smithyhttp.Request); ok {
			q := r.URL.Query()
			q.Set("X-Amz-Expires", presignExpiry)
			r.URL.RawQuery = q.Encode()
		}
		return next.HandleBuild(ctx, in)
	}), middleware.After)
}

// Decode returns the presigned URL inside a token, and refuses anything that is not an STS
// GetCallerIdentity URL signing the cluster header, as EKS's authenticator does before calling it.
func Decode(token string) (*url.URL, error) {
	rest, ok := strings.CutPrefix(token, Prefix)
	if !ok {
		return nil, fmt.Errorf("eks token: does not start with %s", Prefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("eks token: not base64url: %w", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("eks token: not a URL: %w", err)
	}
	q := u.Query()
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("eks token: URL scheme %q", u.Scheme)
	case q.Get("Action") != "GetCallerIdentity":
		return nil, fmt.Errorf("eks token: action %q, want GetCallerIdentity", q.Get("Action"))
	case !strings.Contains(strings.ToLower(q.Get("X-Amz-SignedHeaders")), ClusterHeader):
		return nil, fmt.Errorf("eks token: %s is not a signed header", ClusterHeader)
	}
	return u, nil
}

// Verify does what the EKS authenticator does with a token: it calls the presigned URL with the
// cluster header and returns the caller's ARN that STS answers. The tests' token webhook uses it
// against the emulator's STS; client bounds the call.
func Verify(ctx context.Context, client *http.Client, token, cluster string) (string, error) {
	u, err := Decode(token)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set(ClusterHeader, cluster)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("verify eks token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("verify eks token: STS answered HTTP %d", resp.StatusCode)
	}
	return callerARN(resp)
}

// callerARN reads the ARN from STS's answer, in XML (the query protocol's) or JSON (what EKS's
// authenticator asks for with Accept: application/json).
func callerARN(resp *http.Response) (string, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("verify eks token: %w", err)
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		var v struct {
			GetCallerIdentityResponse struct {
				GetCallerIdentityResult struct{ Arn string }
			}
		}
		if err := json.Unmarshal(body, &v); err == nil && v.GetCallerIdentityResponse.GetCallerIdentityResult.Arn != "" {
			return v.GetCallerIdentityResponse.GetCallerIdentityResult.Arn, nil
		}
	}
	var x struct {
		Result struct {
			Arn string `xml:"Arn"`
		} `xml:"GetCallerIdentityResult"`
	}
	if err := xml.Unmarshal(body, &x); err != nil || x.Result.Arn == "" {
		return "", fmt.Errorf("verify eks token: STS's answer names no caller")
	}
	return x.Result.Arn, nil
}
