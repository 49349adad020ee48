package awsapi

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// responseCheck refuses a successful answer that lacks what the real API always sends, or whose
// body went on past MaxResponseBody. The SDK reads an empty 200 body as an answer with every member
// absent, so without this an endpoint that answers ListClusters with nothing would read as a region
// without clusters, a pass by omission. And the SDK decodes the first JSON value of a body and
// drains the rest, ignoring a drain that fails, so a valid answer followed by endless bytes would
// otherwise pass for a valid answer.
//
// It runs for each attempt, and an incomplete answer is retryable: an empty or cut-short body is
// what a proxy or load balancer that dropped the connection mid-answer produces, and asking again is
// what a person would do. An endpoint that always answers so costs --max-attempts calls and then an
// ERROR. A body too long is not retried.
type responseCheck struct{}

func (responseCheck) ID() string { return "eksguard.ResponseCheck" }

func (responseCheck) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
		if b, ok := resp.Body.(*cappedBody); ok && b.over {
			return out, md, &BodyTooLargeError{Limit: MaxResponseBody}
		}
	}
	if err != nil {
		return out, md, err
	}
	if e := incomplete(out.Result); e != nil {
		return out, md, e
	}
	return out, md, nil
}

// add puts the check around the SDK's deserializer, inside the retry loop.
func (m responseCheck) add(s *middleware.Stack) error {
	return s.Deserialize.Insert(m, "OperationDeserializer", middleware.Before)
}

// incomplete names what a response lacks. A page that carries a next token is a real page even
// without its list: Organizations documents pages that are empty but for the token, and whether
// the list is then sent as [] or left out is not documented.
func incomplete(result any) *EmptyResponseError {
	switch o := result.(type) {
	case *eks.ListClustersOutput:
		if o.Clusters == nil && aws.ToString(o.NextToken) == "" {
			return &EmptyResponseError{Operation: "ListClusters", Missing: "clusters"}
		}
	case *eks.ListUpdatesOutput:
		if o.UpdateIds == nil && aws.ToString(o.NextToken) == "" {
			return &EmptyResponseError{Operation: "ListUpdates", Missing: "updateIds"}
		}
	case *eks.DescribeClusterOutput:
		if o.Cluster == nil {
			return &EmptyResponseError{Operation: "DescribeCluster", Missing: "cluster"}
		}
	case *organizations.ListAccountsOutput:
		if o.Accounts == nil && aws.ToString(o.NextToken) == "" {
			return &EmptyResponseError{Operation: "ListAccounts", Missing: "Accounts"}
		}
	case *sts.GetCallerIdentityOutput:
		if aws.ToString(o.Account) == "" || aws.ToString(o.Arn) == "" {
			return &EmptyResponseError{Operation: "GetCallerIdentity", Missing: "Account and Arn"}
		}
	case *sts.AssumeRoleOutput:
		// The SDK's credential provider would otherwise dereference the missing keys.
		if c := o.Credentials; c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretAccessKey) == "" {
			return &EmptyResponseError{Operation: "AssumeRole", Missing: "Credentials"}
		}
	case *ec2.DescribeRegionsOutput:
		if len(o.Regions) == 0 {
			return &EmptyResponseError{Operation: "DescribeRegions", Missing: "a region"}
		}
	}
	return nil
}

// EmptyResponseError is a successful answer without what every real answer carries.
type EmptyResponseError struct {
	Operation string
	// Missing is the member, in the API's spelling.
	Missing string
}

func (e *EmptyResponseError) Error() string {
	return fmt.Sprintf("%s answered success without %s, which every real AWS answer carries (an empty or cut-short response body)", e.Operation, e.Missing)
}

// RetryableError tells the SDK's retryer to try again.
func (e *EmptyResponseError) RetryableError() bool { return true }
