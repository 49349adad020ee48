package emulator

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestDescribeRegions(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	client := ec2Client(u, "us-east-1")
	tests := []struct {
		name string
		in   ec2.DescribeRegionsInput
		want []string // region=optInStatus
	}{
		{"enabled only", ec2.DescribeRegionsInput{}, []string{"us-east-1=opt-in-not-required", "us-west-2=opt-in-not-required", "ap-east-1=opted-in"}},
		{"all regions", ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)}, []string{"us-east-1=opt-in-not-required", "us-west-2=opt-in-not-required", "af-south-1=not-opted-in", "ap-east-1=opted-in"}},
		{"by name", ec2.DescribeRegionsInput{RegionNames: []string{"us-west-2"}}, []string{"us-west-2=opt-in-not-required"}},
		{"by filter", ec2.DescribeRegionsInput{AllRegions: aws.Bool(true), Filters: []ec2types.Filter{{Name: aws.String("opt-in-status"), Values: []string{"not-opted-in"}}}}, []string{"af-south-1=not-opted-in"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeRegions(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range out.Regions {
				got = append(got, aws.ToString(r.RegionName)+"="+aws.ToString(r.OptInStatus))
				if aws.ToString(r.Endpoint) != "ec2."+aws.ToString(r.RegionName)+".amazonaws.com" {
					t.Errorf("endpoint %s", aws.ToString(r.Endpoint))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// An account without declared regions has the default ones.
	base := awsConfig(u, "us-east-1", "AKIDCALLER", 1)
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::666666666666:role/Audit"))
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil || len(out.Regions) != len(DefaultRegions) {
		t.Errorf("account without regions: %v %v", out, err)
	}
	_, err = ec2Client(u, "af-south-1").DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	wantAPIError(t, err, "AuthFailure", "")
}

func TestDescribeVpcsAndAttributes(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	client := ec2Client(u, "us-east-1")
	all, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range all.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	// Declared VPCs first, then the one clusters without a vpcId live in.
	if len(ids) != 3 || ids[0] != "vpc-0a1" || !slices.Contains(ids, "vpc-nodns") {
		t.Errorf("vpcs %q", ids)
	}
	byID, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-default"}})
	if err != nil || len(byID.Vpcs) != 1 || !aws.ToBool(byID.Vpcs[0].IsDefault) || aws.ToString(byID.Vpcs[0].CidrBlock) != "172.31.0.0/16" {
		t.Errorf("by id: %+v %v", byID, err)
	}
	byFilter, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-0a*"}}}})
	if err != nil || len(byFilter.Vpcs) != 1 || aws.ToString(byFilter.Vpcs[0].DhcpOptionsId) != "dopt-1" || aws.ToString(byFilter.Vpcs[0].OwnerId) != "111111111111" {
		t.Errorf("by filter: %+v %v", byFilter, err)
	}
	_, err = client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-nope"}})
	wantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-nope' does not exist")

	tests := []struct {
		vpc  string
		attr ec2types.VpcAttributeName
		want bool
	}{
		{"vpc-0a1", "enableDnsSupport", true},
		{"vpc-0a1", "enableDnsHostnames", true},
		{"vpc-default", "enableDnsHostnames", true},
		{"vpc-nodns", "enableDnsSupport", false},
		{"vpc-nodns", "enableDnsHostnames", false}, // non-default VPC default (TD-29)
		{"vpc-0a1", "enableNetworkAddressUsageMetrics", false},
	}
	for _, tt := range tests {
		t.Run(tt.vpc+" "+string(tt.attr), func(t *testing.T) {
			out, err := client.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(tt.vpc), Attribute: tt.attr})
			if err != nil {
				t.Fatal(err)
			}
			var got *ec2types.AttributeBooleanValue
			switch tt.attr {
			case "enableDnsSupport":
				got = out.EnableDnsSupport
			case "enableDnsHostnames":
				got = out.EnableDnsHostnames
			default:
				got = out.EnableNetworkAddressUsageMetrics
			}
			// Exactly one attribute comes back (TD-29).
			n := 0
			for _, a := range []*ec2types.AttributeBooleanValue{out.EnableDnsSupport, out.EnableDnsHostnames, out.EnableNetworkAddressUsageMetrics} {
				if a != nil {
					n++
				}
			}
			if got == nil || aws.ToBool(got.Value) != tt.want || n != 1 || aws.ToString(out.VpcId) != tt.vpc {
				t.Errorf("got %+v (%d attributes)", out, n)
			}
		})
	}
	_, err = client.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String("vpc-nope"), Attribute: "enableDnsSupport"})
	wantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-nope' does not exist")
	_, err = client.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String("vpc-0a1"), Attribute: "enableEverything"})
	wantAPIError(t, err, "InvalidParameterValue", "")
	resp, body := raw(t, u, "POST", "/", "ec2", "us-east-1", "Action=DescribeVpcAttribute&VpcId=vpc-0a1&Attribute=enableDnsSupport&Attribute=enableDnsHostnames", "Content-Type", "application/x-www-form-urlencoded")
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Response><Errors><Error><Code>InvalidParameterCombination</Code>") {
		t.Errorf("two attributes: %d %s", resp.StatusCode, body)
	}
}

func TestDescribeSecurityGroups(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	client := ec2Client(u, "us-east-1")
	declared, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0c1"}})
	if err != nil {
		t.Fatal(err)
	}
	g := declared.SecurityGroups[0]
	in := g.IpPermissions
	if len(in) != 2 || aws.ToString(in[0].IpProtocol) != "tcp" || aws.ToInt32(in[0].FromPort) != 443 || aws.ToInt32(in[0].ToPort) != 443 ||
		aws.ToString(in[0].IpRanges[0].CidrIp) != "10.20.0.0/16" || aws.ToString(in[0].UserIdGroupPairs[0].GroupId) != "sg-bastion" ||
		aws.ToString(in[1].Ipv6Ranges[0].CidrIpv6) != "2001:db8::/32" {
		t.Errorf("declared rules %+v", in)
	}
	if len(g.IpPermissionsEgress) != 1 || aws.ToString(g.IpPermissionsEgress[0].IpProtocol) != "-1" || aws.ToString(g.IpPermissionsEgress[0].IpRanges[0].CidrIp) != "0.0.0.0/0" {
		t.Errorf("default egress %+v", g.IpPermissionsEgress)
	}
	if len(g.Tags) != 1 || aws.ToString(g.Tags[0].Key) != "team" {
		t.Errorf("tags %+v", g.Tags)
	}

	// The cluster SG EKS makes for a cluster without one (TD-29).
	desc, err := eksClient(u, "us-east-1").DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("defaults")})
	if err != nil {
		t.Fatal(err)
	}
	sgID := aws.ToString(desc.Cluster.ResourcesVpcConfig.ClusterSecurityGroupId)
	out, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sgID}}}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("cluster SG: %v %v", out, err)
	}
	sg := out.SecurityGroups[0]
	if !strings.HasPrefix(aws.ToString(sg.GroupName), "eks-cluster-sg-defaults-") || len(aws.ToString(sg.GroupName)) != len("eks-cluster-sg-defaults-")+10 ||
		aws.ToString(sg.VpcId) != aws.ToString(desc.Cluster.ResourcesVpcConfig.VpcId) {
		t.Errorf("cluster SG %s in %s", aws.ToString(sg.GroupName), aws.ToString(sg.VpcId))
	}
	if len(sg.IpPermissions) != 1 || aws.ToString(sg.IpPermissions[0].IpProtocol) != "-1" || len(sg.IpPermissions[0].UserIdGroupPairs) != 1 ||
		aws.ToString(sg.IpPermissions[0].UserIdGroupPairs[0].GroupId) != sgID || sg.IpPermissions[0].FromPort != nil {
		t.Errorf("inbound all from self: %+v", sg.IpPermissions)
	}
	if len(sg.IpPermissionsEgress) != 1 || aws.ToString(sg.IpPermissionsEgress[0].IpRanges[0].CidrIp) != "0.0.0.0/0" {
		t.Errorf("outbound all: %+v", sg.IpPermissionsEgress)
	}
	// Only the cluster "nodns" lives in vpc-nodns.
	vpcFilter, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-nodns"}}}})
	if err != nil || len(vpcFilter.SecurityGroups) != 1 || !strings.HasPrefix(aws.ToString(vpcFilter.SecurityGroups[0].GroupName), "eks-cluster-sg-nodns-") {
		t.Errorf("vpc-id filter: %d groups, %v", len(vpcFilter.SecurityGroups), err)
	}
	_, err = client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-nope"}})
	wantAPIError(t, err, "InvalidGroup.NotFound", "The security group 'sg-nope' does not exist")
}

func TestDescribeDhcpOptions(t *testing.T) {
	_, u := startFleet(t, "fleet.yaml")
	client := ec2Client(u, "us-east-1")
	tests := []struct {
		id      string
		servers []string
		domain  string
	}{
		{"dopt-1", []string{"AmazonProvidedDNS"}, "ec2.internal"},
		{"dopt-custom", []string{"10.9.0.2"}, "corp.example"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			out, err := client.DescribeDhcpOptions(ctx, &ec2.DescribeDhcpOptionsInput{DhcpOptionsIds: []string{tt.id}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, c := range out.DhcpOptions[0].DhcpConfigurations {
				for _, v := range c.Values {
					got[aws.ToString(c.Key)] = append(got[aws.ToString(c.Key)], aws.ToString(v.Value))
				}
			}
			if !slices.Equal(got["domain-name-servers"], tt.servers) || !slices.Equal(got["domain-name"], []string{tt.domain}) {
				t.Errorf("config %v", got)
			}
		})
	}
	_, err := client.DescribeDhcpOptions(ctx, &ec2.DescribeDhcpOptionsInput{DhcpOptionsIds: []string{"dopt-nope"}})
	wantAPIError(t, err, "InvalidDhcpOptionID.NotFound", "")
	filtered, err := client.DescribeDhcpOptions(ctx, &ec2.DescribeDhcpOptionsInput{Filters: []ec2types.Filter{{Name: aws.String("value"), Values: []string{"AmazonProvidedDNS"}}}})
	if err != nil || len(filtered.DhcpOptions) != 2 {
		t.Errorf("value filter: %d %v", len(filtered.DhcpOptions), err)
	}
}
