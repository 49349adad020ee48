package emulator

import (
	"regexp"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Clients of the services the node, registry and load balancer controls
// read, pointed at the emulator like the others.

func iamClient(url, region string) *iam.Client {
	return iam.NewFromConfig(awsConfig(url, region, "AKIDCALLER", 1))
}

func ecrClient(url, region string) *ecr.Client {
	return ecr.NewFromConfig(awsConfig(url, region, "AKIDCALLER", 1))
}

func elbv2Client(url, region string) *elbv2.Client {
	return elbv2.NewFromConfig(awsConfig(url, region, "AKIDCALLER", 1))
}

func elbClient(url, region string) *elb.Client {
	return elb.NewFromConfig(awsConfig(url, region, "AKIDCALLER", 1))
}

// matches reports whether s matches the regular expression pattern.
func matches(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
