package emulator

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestCallerIdentity(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	out, err := stsClient(u).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "111111111111" || aws.ToString(out.Arn) != "arn:aws:iam::111111111111:user/eksguard-emulator" || !strings.HasPrefix(aws.ToString(out.UserId), "AIDA") {
		t.Errorf("identity %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

// TestAssumeRoleSwitchesAccount follows a multi-account scanner: assume a
// role, then every call with those credentials lands in the other account.
func TestAssumeRoleSwitchesAccount(t *testing.T) {
	s, u := startFleet(t, "fleet.yaml")
	base := awsConfig(u, "us-east-1", "AKIDCALLER", 1)
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "eksguard" })
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(provider)

	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// stscreds asks for DurationSeconds=900 by default.
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || len(creds.AccessKeyID) != 20 || creds.SessionToken == "" ||
		creds.Expires.Before(time.Now().Add(14*time.Minute)) || creds.Expires.After(time.Now().Add(16*time.Minute)) {
		t.Errorf("credentials %+v", creds)
	}
	direct, err := stsClient(u).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("direct")})
	if err != nil {
		t.Fatal(err)
	}
	if exp := aws.ToTime(direct.Credentials.Expiration); exp.Before(time.Now().Add(59*time.Minute)) || exp.After(time.Now().Add(61*time.Minute)) {
		t.Errorf("default expiration %v, want an hour ahead", exp)
	}
	if aws.ToString(direct.AssumedRoleUser.Arn) != "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/direct" {
		t.Errorf("assumed role user %+v", direct.AssumedRoleUser)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "222222222222" || aws.ToString(id.Arn) != "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/eksguard" ||
		!strings.HasSuffix(aws.ToString(id.UserId), ":eksguard") {
		t.Errorf("assumed identity %s %s %s", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	for region, want := range map[string][]string{"us-east-1": {"payments"}, "eu-west-1": {"ledger"}} {
		cfg := cfg.Copy()
		cfg.Region = region
		out, err := eks.NewFromConfig(cfg).ListClusters(ctx, &eks.ListClustersInput{})
		if err != nil || !slices.Equal(out.Clusters, want) {
			t.Errorf("%s: %v %v", region, out, err)
		}
	}
	// The caller's own view is unchanged.
	out, err := eksClient(u, "us-east-1").ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || !slices.Contains(out.Clusters, "prod") {
		t.Errorf("caller: %v %v", out, err)
	}
	if s.Calls()["sts:AssumeRole"] != 2 {
		t.Errorf("calls %v", s.Calls())
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	client := stsClient(u)
	tests := []struct {
		name, role, externalID string
		code                   string
	}{
		{"unknown account", "arn:aws:iam::999999999999:role/Any", "", "AccessDenied"},
		{"role not allowed", "arn:aws:iam::222222222222:role/Admin", "", "AccessDenied"},
		{"deny all", "arn:aws:iam::444444444444:role/Any", "", "AccessDenied"},
		{"suspended account", "arn:aws:iam::333333333333:role/Any", "", "AccessDenied"},
		{"external id missing", "arn:aws:iam::555555555555:role/Partner", "", "AccessDenied"},
		{"external id wrong", "arn:aws:iam::555555555555:role/Partner", "nope", "AccessDenied"},
		{"malformed role ARN", "arn:aws:iam::55:role/x", "", "ValidationError"},
		{"external id right", "arn:aws:iam::555555555555:role/Partner", "ext-123", ""},
		{"any role when roles are not listed", "arn:aws:iam::555555555555:role/path/to/Other", "ext-123", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tt.role), RoleSessionName: aws.String("scan")}
			if tt.externalID != "" {
				in.ExternalId = aws.String(tt.externalID)
			}
			_, err := client.AssumeRole(ctx, in)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			msg := ""
			if tt.code == "AccessDenied" {
				msg = "User: arn:aws:iam::111111111111:user/eksguard-emulator is not authorized to perform: sts:AssumeRole on resource: " + tt.role
			}
			wantAPIError(t, err, tt.code, msg)
		})
	}
	resp, body := raw(t, u, "POST", "/", "sts", "us-east-1", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::444444444444:role/x"}, "RoleSessionName": {"scan"}}.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Type>Sender</Type><Code>AccessDenied</Code>") || !strings.Contains(string(body), "<ErrorResponse") {
		t.Errorf("raw denial: %d %s", resp.StatusCode, body)
	}
}

func TestUnsignedRouting(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	for name, tc := range map[string]struct {
		method, path, body, ctype, target, want string
	}{
		"sts by Action":       {"POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", "application/x-www-form-urlencoded", "", "<Account>111111111111</Account>"},
		"ec2 by Action":       {"POST", "/", "Action=DescribeVpcs&Version=2016-11-15", "application/x-www-form-urlencoded", "", "<vpcId>vpc-0a1</vpcId>"},
		"eks by path":         {"GET", "/clusters", "", "", "", `"clusters":["prod"`},
		"organizations":       {"POST", "/", "{}", "application/x-amz-json-1.1", "AWSOrganizationsV20161128.ListAccounts", `"Id":"111111111111"`},
		"eks unknown route":   {"GET", "/clusters/prod/fargate-profiles", "", "", "", "does not implement eks:Unknown"},
		"eks node groups":     {"GET", "/clusters/prod/node-groups", "", "", "", `"nodegroups":[]`},
		"iam by Version":      {"POST", "/", "Action=GetRole&Version=2010-05-08&RoleName=nope", "application/x-www-form-urlencoded", "", "<Code>NoSuchEntity</Code>"},
		"elbv2 by Version":    {"POST", "/", "Action=DescribeLoadBalancers&Version=2015-12-01", "application/x-www-form-urlencoded", "", "<DescribeLoadBalancersResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"},
		"elb by Version":      {"POST", "/", "Action=DescribeLoadBalancers&Version=2012-06-01", "application/x-www-form-urlencoded", "", "<LoadBalancerDescriptions></LoadBalancerDescriptions>"},
		"ecr by target":       {"POST", "/", "{}", "application/x-amz-json-1.1", "AmazonEC2ContainerRegistry_V20150921.GetRegistryScanningConfiguration", `"scanType":"BASIC"`},
		"ec2 unknown action":  {"POST", "/", "Action=RunInstances", "application/x-www-form-urlencoded", "", "<Code>InvalidAction</Code>"},
		"org unknown":         {"POST", "/", "{}", "application/x-amz-json-1.1", "AWSOrganizationsV20161128.CreateAccount", "UnsupportedAPIEndpointException"},
		"eks create refused":  {"POST", "/clusters", "{}", "application/json", "", "does not implement eks:CreateCluster"},
		"eks delete refused":  {"DELETE", "/clusters/prod", "", "", "", "does not implement eks:DeleteCluster"},
		"sts unknown action":  {"POST", "/", "Action=GetSessionToken", "application/x-www-form-urlencoded", "", ""},
		"sts query on a GET?": {"GET", "/?Action=GetCallerIdentity", "", "", "", "<Account>111111111111</Account>"},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := newRequest(tc.method, u+tc.path, tc.body)
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
			}
			body := do(t, req)
			if !strings.Contains(body, tc.want) {
				t.Errorf("want %q in %s", tc.want, body)
			}
		})
	}
}

// TestEndpointFromEnvironment is how users point an unmodified program at
// the emulator: AWS_ENDPOINT_URL and the default config chain.
func TestEndpointFromEnvironment(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": u, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_SESSION_TOKEN": "", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "111111111111" {
		t.Errorf("sts: %v %v", id, err)
	}
	out, err := eks.NewFromConfig(cfg).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")})
	if err != nil || !out.Cluster.ResourcesVpcConfig.EndpointPublicAccess {
		t.Errorf("eks: %v %v", out, err)
	}
}
