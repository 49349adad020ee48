package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const denyFleet = `
accounts:
  - id: "111111111111"
    # first, middle and last; the last in another case
    denyActions: [ecr:DescribeRepositories, iam:GetRolePolicy, elasticloadbalancing:DescribeListeners, ELASTICLOADBALANCING:describetags]
    iam:
      roles:
        - roleName: node
          rolePolicies: [{policyName: p, policyDocument: {Statement: []}}]
    regions:
      - name: us-east-1
        # first, middle and a wildcard last
        denyActions: [eks:DescribeNodegroup, ec2:DescribeInstances, ec2:Describe*Tables]
        clusters:
          - name: prod
            nodegroups: [{nodegroupName: ng-1}]
        loadBalancers:
          - {loadBalancerName: web, listeners: [{port: 80, protocol: HTTP}]}
          - {loadBalancerName: old, type: classic, listeners: [{protocol: HTTP, loadBalancerPort: 80, instancePort: 30080}]}
      - name: us-west-2
        clusters:
          - name: prod
            nodegroups: [{nodegroupName: ng-1}]
`

func TestDenyActions(t *testing.T) {
	s, u := startFleet(t, denyFleet)
	type call func(region string) error
	tests := []struct {
		name   string
		region string
		call   call
		code   string // "" when allowed
	}{
		{"account first: ecr:DescribeRepositories", "us-east-1", func(r string) error {
			_, err := ecrClient(u, r).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
			return err
		}, "AccessDeniedException"},
		{"account first, any region", "us-west-2", func(r string) error {
			_, err := ecrClient(u, r).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
			return err
		}, "AccessDeniedException"},
		{"ecr neighbour allowed", "us-east-1", func(r string) error {
			_, err := ecrClient(u, r).GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
			return err
		}, ""},
		{"account middle: iam:GetRolePolicy", "us-east-1", func(r string) error {
			_, err := iamClient(u, r).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("node"), PolicyName: aws.String("p")})
			return err
		}, "AccessDenied"},
		{"iam neighbour allowed", "us-east-1", func(r string) error {
			_, err := iamClient(u, r).ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("node")})
			return err
		}, ""},
		{"account middle: elasticloadbalancing:DescribeListeners", "us-east-1", func(r string) error {
			_, err := elbv2Client(u, r).DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String("arn:x")})
			return err
		}, "AccessDenied"},
		{"account last, any case: v2 DescribeTags", "us-west-2", func(r string) error {
			_, err := elbv2Client(u, r).DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{"arn:x"}})
			return err
		}, "AccessDenied"},
		{"the same action on the classic API", "us-east-1", func(r string) error {
			_, err := elbClient(u, r).DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{"old"}})
			return err
		}, "AccessDenied"},
		{"load balancers allowed", "us-east-1", func(r string) error {
			_, err := elbv2Client(u, r).DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
			return err
		}, ""},
		{"classic load balancers allowed", "us-east-1", func(r string) error {
			_, err := elbClient(u, r).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
			return err
		}, ""},
		{"region first: eks:DescribeNodegroup", "us-east-1", func(r string) error {
			_, err := eksClient(u, r).DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("ng-1")})
			return err
		}, "AccessDeniedException"},
		{"region deny stays in its region", "us-west-2", func(r string) error {
			_, err := eksClient(u, r).DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("ng-1")})
			return err
		}, ""},
		{"eks neighbour allowed", "us-east-1", func(r string) error {
			_, err := eksClient(u, r).ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
			return err
		}, ""},
		{"region middle: ec2:DescribeInstances", "us-east-1", func(r string) error {
			_, err := ec2Client(u, r).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}, "UnauthorizedOperation"},
		{"ec2:DescribeInstances elsewhere", "us-west-2", func(r string) error {
			_, err := ec2Client(u, r).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}, ""},
		{"region last, a wildcard: ec2:DescribeRouteTables", "us-east-1", func(r string) error {
			_, err := ec2Client(u, r).DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})
			return err
		}, "UnauthorizedOperation"},
		{"wildcard neighbour allowed", "us-east-1", func(r string) error {
			_, err := ec2Client(u, r).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(tt.region)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			code, msg := errorCode(t, err)
			if code != tt.code || !strings.Contains(msg, "arn:aws:iam::111111111111:user/eksguard-emulator is not authorized to perform: ") {
				t.Errorf("got %s %q", code, msg)
			}
		})
	}
	// A refused call is still counted.
	if n := s.Calls()["ecr:DescribeRepositories"]; n != 2 {
		t.Errorf("ecr:DescribeRepositories counted %d", n)
	}

	// Each service's own error shape, status 403.
	form := "application/x-www-form-urlencoded"
	shapes := []struct {
		name, method, path, service, body string
		header                            []string
		want                              string
	}{
		{"eks restJson1", "GET", "/clusters/prod/node-groups/ng-1", "eks", "", nil, `"message":"User: arn:aws:iam::111111111111:user/eksguard-emulator is not authorized to perform: eks:DescribeNodegroup on resource: arn:aws:eks:us-east-1:111111111111:cluster/prod`},
		{"ecr awsJson1_1", "POST", "/", "ecr", "{}", []string{"Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"}, `"__type":"AccessDeniedException"`},
		{"ec2 query", "POST", "/", "ec2", "Action=DescribeInstances&Version=2016-11-15", []string{"Content-Type", form}, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. User:"},
		{"iam query", "POST", "/", "iam", "Action=GetRolePolicy&Version=2010-05-08&RoleName=node&PolicyName=p", []string{"Content-Type", form},
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::111111111111:user/eksguard-emulator is not authorized to perform: iam:GetRolePolicy on resource: arn:aws:iam::111111111111:role/node because no identity-based policy allows the iam:GetRolePolicy action</Message>`},
		{"elb query", "POST", "/", "elasticloadbalancing", "Action=DescribeTags&Version=2012-06-01&LoadBalancerNames.member.1=old", []string{"Content-Type", form},
			`<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code>`},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			resp, body := raw(t, u, sh.method, sh.path, sh.service, "us-east-1", sh.body, sh.header...)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), sh.want) {
				t.Errorf("got %d %s", resp.StatusCode, body)
			}
			if sh.service == "eks" && resp.Header.Get("X-Amzn-ErrorType") != "AccessDeniedException" {
				t.Errorf("X-Amzn-ErrorType %q", resp.Header.Get("X-Amzn-ErrorType"))
			}
		})
	}
}

// TestCallsKeys: every new operation is counted under its own key, the
// classic load balancing API under elb.
func TestCallsKeys(t *testing.T) {
	s, u := startFleet(t, "resources.yaml")
	calls := []struct {
		key  string
		call func() error
	}{
		{"eks:ListNodegroups", func() error {
			_, err := eksClient(u, "us-east-1").ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
			return err
		}},
		{"eks:DescribeNodegroup", func() error {
			_, err := eksClient(u, "us-east-1").DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("ng-1")})
			return err
		}},
		{"eks:ListAddons", func() error {
			_, err := eksClient(u, "us-east-1").ListAddons(ctx, &eks.ListAddonsInput{ClusterName: aws.String("prod")})
			return err
		}},
		{"eks:DescribeAddon", func() error {
			_, err := eksClient(u, "us-east-1").DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String("prod"), AddonName: aws.String("vpc-cni")})
			return err
		}},
		{"eks:ListAccessEntries", func() error {
			_, err := eksClient(u, "us-east-1").ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")})
			return err
		}},
		{"eks:DescribeAccessEntry", func() error {
			_, err := eksClient(u, "us-east-1").DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String("arn:aws:iam::111111111111:user/alice")})
			return err
		}},
		{"ec2:DescribeSubnets", func() error {
			_, err := ec2Client(u, "us-east-1").DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
			return err
		}},
		{"ec2:DescribeRouteTables", func() error {
			_, err := ec2Client(u, "us-east-1").DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})
			return err
		}},
		{"ec2:DescribeInstances", func() error {
			_, err := ec2Client(u, "us-east-1").DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}},
		{"ecr:DescribeRepositories", func() error {
			_, err := ecrClient(u, "us-east-1").DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
			return err
		}},
		{"ecr:GetRegistryScanningConfiguration", func() error {
			_, err := ecrClient(u, "us-east-1").GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
			return err
		}},
		{"iam:GetInstanceProfile", func() error {
			_, err := iamClient(u, "us-east-1").GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("node")})
			return err
		}},
		{"iam:GetRole", func() error {
			_, err := iamClient(u, "us-east-1").GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("node")})
			return err
		}},
		{"iam:ListAttachedRolePolicies", func() error {
			_, err := iamClient(u, "us-east-1").ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("node")})
			return err
		}},
		{"iam:GetPolicy", func() error {
			_, err := iamClient(u, "us-east-1").GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::111111111111:policy/ecr-push")})
			return err
		}},
		{"iam:GetPolicyVersion", func() error {
			_, err := iamClient(u, "us-east-1").GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::111111111111:policy/ecr-push"), VersionId: aws.String("v1")})
			return err
		}},
		{"iam:ListRolePolicies", func() error {
			_, err := iamClient(u, "us-east-1").ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("node")})
			return err
		}},
		{"iam:GetRolePolicy", func() error {
			_, err := iamClient(u, "us-east-1").GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("node"), PolicyName: aws.String("inline-ecr")})
			return err
		}},
		{"elasticloadbalancing:DescribeLoadBalancers", func() error {
			_, err := elbv2Client(u, "us-east-1").DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
			return err
		}},
		{"elasticloadbalancing:DescribeTags", func() error {
			_, err := elbv2Client(u, "us-east-1").DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{"arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/x/1/2"}})
			if code, _ := errorCode(t, err); code != "ListenerNotFound" {
				return err
			}
			return nil
		}},
		{"elasticloadbalancing:DescribeListeners", func() error {
			_, err := elbv2Client(u, "us-east-1").DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{"arn:x"}})
			if code, _ := errorCode(t, err); code != "ListenerNotFound" {
				return err
			}
			return nil
		}},
		{"elb:DescribeLoadBalancers", func() error {
			_, err := elbClient(u, "us-east-1").DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
			return err
		}},
		{"elb:DescribeTags", func() error {
			_, err := elbClient(u, "us-east-1").DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{"legacy"}})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.key, func(t *testing.T) {
			s.ResetCalls()
			if err := c.call(); err != nil {
				t.Fatal(err)
			}
			if got := s.Calls(); len(got) != 1 || got[c.key] != 1 {
				t.Errorf("Calls %v, want {%s: 1}", got, c.key)
			}
		})
	}
}
