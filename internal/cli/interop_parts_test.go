package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/eksguard/eksguard/internal/testenv"
)

// TestMotoInteropBeyondCluster builds, in moto (an independent double of AWS), what controls 5.1.1,
// 5.1.3, 5.4.3 and 5.4.5 read: ECR repositories, a VPC with a private and a public subnet, node
// groups, a self-managed node, IAM roles with an AWS managed and an inline policy, and an ALB with
// a plain HTTP listener; eksguard must read them through the real SDK and judge them.
func TestMotoInteropBeyondCluster(t *testing.T) {
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	motoURL := testenv.StartMoto(t)
	testenv.IsolateAWS(t, "us-east-1")
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")
	ep := aws.String(motoURL)
	e2 := ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds})
	ek := eks.New(eks.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds})
	im := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds})
	ec := ecr.New(ecr.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds})
	lb := elasticloadbalancingv2.New(elasticloadbalancingv2.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds})
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("moto %s: %v", what, err)
		}
	}

	vpc, err := e2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must("create vpc", err)
	vpcID := vpc.Vpc.VpcId
	subnet := func(cidr, az string) string {
		s, err := e2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
		must("create subnet", err)
		return aws.ToString(s.Subnet.SubnetId)
	}
	private, public := subnet("10.0.1.0/24", "us-east-1a"), subnet("10.0.101.0/24", "us-east-1b")
	_, err = e2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(public), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	must("map public ip", err)
	igw, err := e2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	must("create igw", err)
	_, err = e2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: vpcID})
	must("attach igw", err)
	rt, err := e2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpcID})
	must("create route table", err)
	_, err = e2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGateway.InternetGatewayId})
	must("create route", err)
	_, err = e2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(public)})
	must("associate route table", err)

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := func(name string) string {
		r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		must("create role", err)
		return aws.ToString(r.Role.Arn)
	}
	readOnly := role("node-read-only")
	role("node-pusher") // reached through the self-managed node's instance profile
	_, err = im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("node-read-only"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")})
	must("attach managed policy", err)
	_, err = im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("node-pusher"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")})
	must("attach managed policy", err)
	_, err = im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("node-pusher"), PolicyName: aws.String("ci-push"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow","Action":["ecr:PutImage","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload"],"Resource":"*"}]}`)})
	must("put role policy", err)
	_, err = im.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("self-managed")})
	must("create instance profile", err)
	_, err = im.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("self-managed"), RoleName: aws.String("node-pusher")})
	must("add role to profile", err)

	for _, c := range []struct{ name, subnet, role string }{{"nodes-private", private, readOnly}, {"nodes-public", public, readOnly}} {
		_, err := ek.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(c.name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{private, public}, EndpointPrivateAccess: aws.Bool(true), EndpointPublicAccess: aws.Bool(false)}})
		must("create cluster", err)
		_, err = ek.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(c.name), NodegroupName: aws.String("default"),
			NodeRole: aws.String(c.role), Subnets: []string{c.subnet}})
		must("create nodegroup", err)
	}
	// A self-managed node of nodes-public, in the public subnet, with the pushing role.
	_, err = e2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(public), IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("self-managed")},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("kubernetes.io/cluster/nodes-public"), Value: aws.String("owned")}}}}})
	must("run instance", err)
	// An instance of no cluster, public too: it must not count.
	_, err = e2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(public)})
	must("run instance", err)

	alb, err := lb.CreateLoadBalancer(ctx, &elasticloadbalancingv2.CreateLoadBalancerInput{Name: aws.String("k8s-web"), Subnets: []string{private, public},
		Tags: []elbv2types.Tag{{Key: aws.String("elbv2.k8s.aws/cluster"), Value: aws.String("nodes-public")}}})
	must("create load balancer", err)
	tg, err := lb.CreateTargetGroup(ctx, &elasticloadbalancingv2.CreateTargetGroupInput{Name: aws.String("web"), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), VpcId: vpcID})
	must("create target group", err)
	_, err = lb.CreateListener(ctx, &elasticloadbalancingv2.CreateListenerInput{LoadBalancerArn: alb.LoadBalancers[0].LoadBalancerArn, Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}})
	must("create listener", err)

	for _, r := range []struct {
		name   string
		onPush bool
	}{{"team/api", true}, {"team/worker", false}} {
		_, err := ec.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(r.name), ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: r.onPush}})
		must("create repository", err)
	}

	code, out, errOut := run(t, "scan", "--endpoint-url", motoURL, "--controls", "5.1.1,5.1.3,5.4.3,5.4.5", "--format", "json")
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, errOut)
	}
	r := parseReport(t, out)
	for _, tt := range []struct {
		name, control, status, reason string
	}{
		{"nodes-private", "5.1.3", "PASS", "1 node role may only read"},
		{"nodes-private", "5.4.3", "PASS", "run in 1 private subnet without public addresses"},
		{"nodes-private", "5.4.5", "PASS", "no load balancer"},
		{"nodes-public", "5.1.3", "FAIL", "ecr:PutImage (role node-pusher, policy ci-push)"},
		{"nodes-public", "5.4.3", "FAIL", "subnet " + public + " (route 0.0.0.0/0 -> " + aws.ToString(igw.InternetGateway.InternetGatewayId)},
		{"nodes-public", "5.4.5", "FAIL", "k8s-web listener HTTP:80 does not redirect to HTTPS"},
		{"123456789012", "5.1.1", "FAIL", "1 of the 2 repositories in the registry of account 123456789012 in us-east-1 is not scanned"},
	} {
		got, reason := "", ""
		for _, res := range r.Results {
			if res.Resource.Name == tt.name && res.Control == tt.control {
				got, reason = res.Status, res.Reason
			}
		}
		if got != tt.status || !strings.Contains(reason, tt.reason) {
			t.Errorf("%s %s = %s (%s), want %s containing %q", tt.name, tt.control, got, reason, tt.status, tt.reason)
		}
	}
	for _, res := range r.Results {
		if res.Resource.Name == "nodes-public" && res.Control == "5.4.3" && !strings.Contains(res.Reason, "instance i-") {
			t.Errorf("the self-managed node with a public IP is not named: %s", res.Reason)
		}
	}
}
