package remediate

import (
	"context"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksguard/eksguard/internal/testenv"
)

// TestNetworkReadsAgainstMoto runs the VPC DNS and security group reads of the safety checks against
// moto_server, an AWS double eksguard did not write.
func TestNetworkReadsAgainstMoto(t *testing.T) {
	url := testenv.StartMoto(t)
	ctx := context.Background()
	client := ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "s", "")})
	vpc, err := client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	// A new VPC has DNS support on and DNS hostnames off, in moto as in AWS.
	dns, err := ReadVPCDNS(ctx, client, vpcID)
	if err != nil {
		t.Fatal(err)
	}
	if !dns.EnableDNSSupport || dns.EnableDNSHostnames {
		t.Fatalf("new VPC read as %+v; want DNS support on, hostnames off", dns)
	}
	if _, err := client.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpcID), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if dns, err = ReadVPCDNS(ctx, client, vpcID); err != nil || !dns.EnableDNSHostnames || !dns.AmazonDNS() {
		t.Fatalf("after enabling hostnames: %+v, %v", dns, err)
	}

	sg, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("eks-cluster"), Description: aws.String("test"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	sgID := aws.ToString(sg.GroupId)
	perms := []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.20.0.0/16")}}},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(400), ToPort: aws.Int32(500), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("172.16.5.0/24")}}},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.30.0.0/16")}}},
	}
	if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sgID), IpPermissions: perms}); err != nil {
		t.Fatal(err)
	}
	acc, err := ReadHTTPSAccess(ctx, client, []string{sgID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cidr string
		want bool
	}{
		{"10.20.0.0/16", true}, {"10.20.3.0/24", true}, {"172.16.5.0/24", true}, {"10.30.0.0/16", false}, {"10.20.0.0/15", false},
	}
	for _, tt := range tests {
		if got := acc.Admits(netip.MustParsePrefix(tt.cidr)); got != tt.want {
			t.Errorf("Admits(%s) = %v, want %v (sources %v)", tt.cidr, got, tt.want, acc.Sources)
		}
	}
	if _, err := ReadHTTPSAccess(ctx, client, []string{"sg-doesnotexist"}); err == nil {
		t.Error("an unknown security group was not an error")
	}
}
