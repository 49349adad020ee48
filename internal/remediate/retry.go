package remediate

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// DefaultReadBackoff are the waits before each further try of a read that AWS throttled, or answered
// with a server error, after the SDK's own attempts. The SDK's backoff starts at 50 ms because the
// scan spaces its requests with a pacer; its attempts are then all spent within about a second, and
// a throttle that lasts longer (EKS throttles per account and region, and nodes and controllers call
// the same API) would make fix give up on a single cluster it could have read seconds later.
var DefaultReadBackoff = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}

// retryable reports whether a read that the SDK gave up on is worth trying again later: AWS asked
// the caller to slow down, or failed on its side. A refusal (access denied, not found, a bad
// request) or no answer at all (the per-attempt timeout already had its retries) is not.
func retryable(err error) bool {
	if err == nil || awsapi.IsAccessDenied(err) {
		return false
	}
	if awsapi.IsThrottle(err) {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() >= http.StatusInternalServerError
}

// patiently calls read, and calls it again after each wait in backoff while its error is retryable
// and ctx lasts. The last error is returned as it is, so callers still see AWS's code and message.
func patiently[T any](ctx context.Context, backoff []time.Duration, read func() (T, error)) (T, error) {
	v, err := read()
	for _, d := range backoff {
		if !retryable(err) || ctx.Err() != nil {
			break
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
		v, err = read()
	}
	return v, err
}

// patientEKS retries the EKS reads remediation makes (see DefaultReadBackoff). UpdateClusterConfig
// passes through: resending it is Executor.update's job, with its client request token.
type patientEKS struct {
	EKSAPI
	backoff []time.Duration
}

func newPatientEKS(c EKSAPI, backoff []time.Duration) EKSAPI {
	if backoff == nil {
		backoff = DefaultReadBackoff
	}
	return patientEKS{EKSAPI: c, backoff: backoff}
}

func (p patientEKS) ListClusters(ctx context.Context, in *eks.ListClustersInput, opts ...func(*eks.Options)) (*eks.ListClustersOutput, error) {
	return patiently(ctx, p.backoff, func() (*eks.ListClustersOutput, error) { return p.EKSAPI.ListClusters(ctx, in, opts...) })
}

func (p patientEKS) DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, opts ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	return patiently(ctx, p.backoff, func() (*eks.DescribeClusterOutput, error) { return p.EKSAPI.DescribeCluster(ctx, in, opts...) })
}

func (p patientEKS) ListUpdates(ctx context.Context, in *eks.ListUpdatesInput, opts ...func(*eks.Options)) (*eks.ListUpdatesOutput, error) {
	return patiently(ctx, p.backoff, func() (*eks.ListUpdatesOutput, error) { return p.EKSAPI.ListUpdates(ctx, in, opts...) })
}

func (p patientEKS) DescribeUpdate(ctx context.Context, in *eks.DescribeUpdateInput, opts ...func(*eks.Options)) (*eks.DescribeUpdateOutput, error) {
	return patiently(ctx, p.backoff, func() (*eks.DescribeUpdateOutput, error) { return p.EKSAPI.DescribeUpdate(ctx, in, opts...) })
}

// patientEC2 retries the EC2 reads of the network checks (see DefaultReadBackoff).
type patientEC2 struct {
	EC2API
	backoff []time.Duration
}

func newPatientEC2(c EC2API, backoff []time.Duration) EC2API {
	if c == nil {
		return nil
	}
	if backoff == nil {
		backoff = DefaultReadBackoff
	}
	return patientEC2{EC2API: c, backoff: backoff}
}

func (p patientEC2) DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, opts ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return patiently(ctx, p.backoff, func() (*ec2.DescribeVpcsOutput, error) { return p.EC2API.DescribeVpcs(ctx, in, opts...) })
}

func (p patientEC2) DescribeVpcAttribute(ctx context.Context, in *ec2.DescribeVpcAttributeInput, opts ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error) {
	return patiently(ctx, p.backoff, func() (*ec2.DescribeVpcAttributeOutput, error) {
		return p.EC2API.DescribeVpcAttribute(ctx, in, opts...)
	})
}

func (p patientEC2) DescribeDhcpOptions(ctx context.Context, in *ec2.DescribeDhcpOptionsInput, opts ...func(*ec2.Options)) (*ec2.DescribeDhcpOptionsOutput, error) {
	return patiently(ctx, p.backoff, func() (*ec2.DescribeDhcpOptionsOutput, error) { return p.EC2API.DescribeDhcpOptions(ctx, in, opts...) })
}

func (p patientEC2) DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, opts ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return patiently(ctx, p.backoff, func() (*ec2.DescribeSecurityGroupsOutput, error) {
		return p.EC2API.DescribeSecurityGroups(ctx, in, opts...)
	})
}

// iamAction names the IAM action of the AWS call that err came from (eks:ListUpdates), or "" when
// err did not come from one.
func iamAction(err error) string {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) || oe.ServiceID == "" || oe.OperationName == "" {
		return ""
	}
	return strings.ToLower(strings.ReplaceAll(oe.ServiceID, " ", "")) + ":" + oe.OperationName
}

// isCallError reports whether err is an AWS call that failed (as opposed to an answer eksguard
// judged, such as a security group that was not returned).
func isCallError(err error) bool {
	var oe *smithy.OperationError
	return errors.As(err, &oe)
}
