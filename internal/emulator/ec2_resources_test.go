package emulator

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func filter(name string, values ...string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String(name), Values: values}
}

func TestDescribeSubnets(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := ec2Client(u, "us-east-1")
	all := []string{"subnet-a", "subnet-b", "subnet-pub", "subnet-main", "subnet-e", "subnet-f", "subnet-other"}
	tests := []struct {
		name  string
		in    ec2.DescribeSubnetsInput
		want  []string
		pages int
	}{
		{"all", ec2.DescribeSubnetsInput{}, all, 1},
		{"pages of five", ec2.DescribeSubnetsInput{MaxResults: aws.Int32(5)}, all, 2},
		{"by id", ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-pub", "subnet-a"}}, []string{"subnet-a", "subnet-pub"}, 1},
		{"subnet-id filter", ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{filter("subnet-id", "subnet-a", "subnet-b")}}, []string{"subnet-a", "subnet-b"}, 1},
		{"vpc-id filter", ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{filter("vpc-id", "vpc-2")}}, []string{"subnet-other"}, 1},
		{"public ones", ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{filter("map-public-ip-on-launch", "true")}}, []string{"subnet-pub"}, 1},
		{"tag filter", ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{filter("tag:Name", "private-*")}}, []string{"subnet-a"}, 1},
		{"filters and pages", ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{filter("vpc-id", "vpc-1")}, MaxResults: aws.Int32(5)}, all[:6], 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			pages := 0
			for p := ec2.NewDescribeSubnetsPaginator(client, &tt.in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, s := range out.Subnets {
					got = append(got, aws.ToString(s.SubnetId))
				}
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.pages)
			}
		})
	}
	out, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	shapes := []struct {
		id, vpc, cidr, az string
		public            bool
		v6                string
	}{
		{"subnet-a", "vpc-1", "10.0.1.0/24", "us-east-1a", false, ""},
		{"subnet-pub", "vpc-1", "10.0.100.0/24", "us-east-1c", true, "2600:1f18:1:1::/64"},
		// Defaults: the VPC's /24s in order, zones in turn.
		{"subnet-main", "vpc-1", "10.0.3.0/24", "us-east-1a", false, ""},
		{"subnet-other", "vpc-2", "192.168.0.0/24", "us-east-1a", false, ""},
	}
	for _, sh := range shapes {
		s := out.Subnets[slices.Index(all, sh.id)]
		v6 := ""
		if len(s.Ipv6CidrBlockAssociationSet) > 0 {
			v6 = aws.ToString(s.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock)
		}
		if aws.ToString(s.VpcId) != sh.vpc || aws.ToString(s.CidrBlock) != sh.cidr || aws.ToString(s.AvailabilityZone) != sh.az ||
			aws.ToBool(s.MapPublicIpOnLaunch) != sh.public || v6 != sh.v6 || aws.ToString(s.OwnerId) != "111111111111" || s.State != "available" ||
			aws.ToString(s.SubnetArn) != "arn:aws:ec2:us-east-1:111111111111:subnet/"+sh.id || aws.ToInt32(s.AvailableIpAddressCount) != 251 {
			t.Errorf("%s: %+v", sh.id, s)
		}
	}
	// A subnet the fleet leaves out is not made up: node groups may name one.
	_, err = client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-a", "subnet-undeclared"}})
	wantAPIError(t, err, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-undeclared' does not exist")
	_, err = client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(4)})
	wantAPIError(t, err, "InvalidParameterValue", "")
	_, err = client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{NextToken: aws.String("forged")})
	wantAPIError(t, err, "InvalidPaginationToken", "")
	// The VPC a subnet names is created, as for security groups.
	vpcs, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-2"}})
	if err != nil || len(vpcs.Vpcs) != 1 {
		t.Errorf("vpc-2: %v %v", vpcs, err)
	}
}

func TestDescribeRouteTables(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := ec2Client(u, "us-east-1")
	ids := func(out []ec2types.RouteTable) []string {
		var got []string
		for _, rt := range out {
			got = append(got, aws.ToString(rt.RouteTableId))
		}
		return got
	}
	tests := []struct {
		name string
		in   ec2.DescribeRouteTablesInput
		want []string
	}{
		{"by subnet association", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("association.subnet-id", "subnet-a")}}, []string{"rtb-private"}},
		{"public subnet", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("association.subnet-id", "subnet-pub")}}, []string{"rtb-public"}},
		// A subnet without a table of its own: none by association, the main one by VPC.
		{"no association", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("association.subnet-id", "subnet-main")}}, nil},
		{"main of the VPC", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("vpc-id", "vpc-1"), filter("association.main", "true")}}, []string{"rtb-main"}},
		{"vpc-id", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("vpc-id", "vpc-1")}}, []string{"rtb-private", "rtb-public", "rtb-main"}},
		{"route-table-id", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("route-table-id", "rtb-public")}}, []string{"rtb-public"}},
		{"by id", ec2.DescribeRouteTablesInput{RouteTableIds: []string{"rtb-main", "rtb-private"}}, []string{"rtb-private", "rtb-main"}},
		{"internet gateway routes", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("route.gateway-id", "igw-*")}}, []string{"rtb-public"}},
		{"NAT routes", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("route.nat-gateway-id", "nat-1")}}, []string{"rtb-private"}},
		{"tag", ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("tag:Name", "public")}}, []string{"rtb-public"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeRouteTables(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(out.RouteTables); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	out, err := client.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{"rtb-public"}})
	if err != nil {
		t.Fatal(err)
	}
	rt := out.RouteTables[0]
	var routes []string
	for _, r := range rt.Routes {
		dest := aws.ToString(r.DestinationCidrBlock) + aws.ToString(r.DestinationIpv6CidrBlock)
		routes = append(routes, dest+">"+aws.ToString(r.GatewayId)+aws.ToString(r.NatGatewayId)+":"+string(r.Origin))
	}
	if !slices.Equal(routes, []string{"10.0.0.0/16>local:CreateRouteTable", "0.0.0.0/0>igw-1:CreateRoute", "::/0>igw-1:CreateRoute"}) ||
		len(rt.Associations) != 1 || aws.ToString(rt.Associations[0].SubnetId) != "subnet-pub" || aws.ToBool(rt.Associations[0].Main) ||
		!strings.HasPrefix(aws.ToString(rt.Associations[0].RouteTableAssociationId), "rtbassoc-") || aws.ToString(rt.OwnerId) != "111111111111" {
		t.Errorf("rtb-public: %v %+v", routes, rt)
	}

	// Every VPC has a main table: one the fleet does not declare holds the local route only.
	all, err := client.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("association.main", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	mains := map[string][]ec2types.Route{}
	for _, rt := range all.RouteTables {
		mains[aws.ToString(rt.VpcId)] = rt.Routes
	}
	if len(mains) != 2 || len(mains["vpc-2"]) != 1 || aws.ToString(mains["vpc-2"][0].GatewayId) != "local" ||
		aws.ToString(mains["vpc-2"][0].DestinationCidrBlock) != "192.168.0.0/16" || len(mains["vpc-1"]) != 1 {
		t.Errorf("main tables %+v", mains)
	}

	var pages, n int
	for p := ec2.NewDescribeRouteTablesPaginator(client, &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n += len(out.RouteTables)
	}
	// Three declared, the main table of vpc-2, none for vpc-1 (declared main).
	if pages != 1 || n != 4 {
		t.Errorf("%d tables in %d pages", n, pages)
	}
	_, err = client.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{"rtb-nope"}})
	wantAPIError(t, err, "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-nope' does not exist")
	_, err = client.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(101)})
	wantAPIError(t, err, "InvalidParameterValue", "")
}

func TestDescribeInstances(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := ec2Client(u, "us-east-1")
	all := []string{"i-private1", "i-private2", "i-public", "i-stopped", "i-gone", "i-elsewhere", "i-untagged"}
	tests := []struct {
		name  string
		in    ec2.DescribeInstancesInput
		want  []string
		pages int
	}{
		{"all", ec2.DescribeInstancesInput{}, all, 1},
		{"pages of five", ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)}, all, 2},
		{"by id", ec2.DescribeInstancesInput{InstanceIds: []string{"i-public"}}, []string{"i-public"}, 1},
		{"cluster tag", ec2.DescribeInstancesInput{Filters: []ec2types.Filter{filter("tag:eks:cluster-name", "prod")}}, all[:5], 1},
		{"tag key", ec2.DescribeInstancesInput{Filters: []ec2types.Filter{filter("tag-key", "eks:nodegroup-name")}}, all[:3], 1},
		{"running in prod", ec2.DescribeInstancesInput{Filters: []ec2types.Filter{filter("tag:eks:cluster-name", "prod"), filter("instance-state-name", "running", "pending")}}, all[:3], 1},
		{"instance-id", ec2.DescribeInstancesInput{Filters: []ec2types.Filter{filter("instance-id", "i-private*")}}, all[:2], 1},
		{"node group, paged", ec2.DescribeInstancesInput{Filters: []ec2types.Filter{filter("tag:eks:cluster-name", "prod")}, MaxResults: aws.Int32(5)}, all[:5], 1},
		{"with a public IP", ec2.DescribeInstancesInput{Filters: []ec2types.Filter{filter("ip-address", "*")}}, []string{"i-public"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			pages := 0
			for p := ec2.NewDescribeInstancesPaginator(client, &tt.in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, r := range out.Reservations {
					if len(r.Instances) != 1 || !strings.HasPrefix(aws.ToString(r.ReservationId), "r-") || aws.ToString(r.OwnerId) != "111111111111" {
						t.Errorf("reservation %+v", r)
					}
					for _, in := range r.Instances {
						got = append(got, aws.ToString(in.InstanceId))
					}
				}
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.pages)
			}
		})
	}

	out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]ec2types.Instance{}
	for _, r := range out.Reservations {
		byID[aws.ToString(r.Instances[0].InstanceId)] = r.Instances[0]
	}
	shapes := []struct {
		id, subnet, vpc, private, public, v6, profile, state, typ string
		nics                                                      int
	}{
		{"i-private1", "subnet-a", "vpc-1", "10.0.1.5", "", "", "arn:aws:iam::111111111111:instance-profile/node", "running", "m5.large", 1},
		{"i-public", "subnet-pub", "vpc-1", "", "54.1.2.3", "2600:1f18:1:1::10", "", "running", "m5.large", 1},
		{"i-private2", "subnet-b", "vpc-1", "", "", "", "", "running", "t3.large", 1},
		{"i-stopped", "subnet-a", "vpc-1", "", "", "", "", "stopped", "m5.large", 1},
		// A terminated instance has given its addresses back.
		{"i-gone", "subnet-a", "vpc-1", "-", "", "", "", "terminated", "m5.large", 0},
		// A subnet the fleet leaves out; the region's default cluster VPC.
		{"i-elsewhere", "subnet-undeclared", "vpc-1", "", "", "", "", "running", "m5.large", 1},
		// No subnet: the region's first.
		{"i-untagged", "subnet-a", "vpc-1", "", "", "", "", "running", "m5.large", 1},
	}
	for _, sh := range shapes {
		in := byID[sh.id]
		if aws.ToString(in.SubnetId) != sh.subnet || aws.ToString(in.VpcId) != sh.vpc || aws.ToString(in.PublicIpAddress) != sh.public ||
			string(in.State.Name) != sh.state || string(in.InstanceType) != sh.typ || len(in.NetworkInterfaces) != sh.nics {
			t.Errorf("%s: %+v", sh.id, in)
			continue
		}
		switch sh.private {
		case "-":
			if in.PrivateIpAddress != nil {
				t.Errorf("%s: private IP %s", sh.id, aws.ToString(in.PrivateIpAddress))
			}
		case "":
			if !strings.HasPrefix(aws.ToString(in.PrivateIpAddress), "10.0.") {
				t.Errorf("%s: default private IP %s", sh.id, aws.ToString(in.PrivateIpAddress))
			}
		default:
			if aws.ToString(in.PrivateIpAddress) != sh.private || aws.ToString(in.PrivateDnsName) != "ip-10-0-1-5.ec2.internal" {
				t.Errorf("%s: %s %s", sh.id, aws.ToString(in.PrivateIpAddress), aws.ToString(in.PrivateDnsName))
			}
		}
		if sh.profile != "" && (in.IamInstanceProfile == nil || aws.ToString(in.IamInstanceProfile.Arn) != sh.profile ||
			aws.ToString(in.IamInstanceProfile.Id) != instanceProfileID("111111111111", "node")) {
			t.Errorf("%s: profile %+v", sh.id, in.IamInstanceProfile)
		}
		if sh.nics == 1 {
			nic := in.NetworkInterfaces[0]
			var v6 []string
			for _, a := range nic.Ipv6Addresses {
				v6 = append(v6, aws.ToString(a.Ipv6Address))
			}
			public := ""
			if nic.Association != nil {
				public = aws.ToString(nic.Association.PublicIp)
			}
			if strings.Join(v6, ",") != sh.v6 || public != sh.public || aws.ToString(nic.PrivateIpAddress) != aws.ToString(in.PrivateIpAddress) {
				t.Errorf("%s: interface %+v", sh.id, nic)
			}
		}
	}
	if in := byID["i-public"]; aws.ToString(in.PublicDnsName) != "ec2-54-1-2-3.compute-1.amazonaws.com" {
		t.Errorf("public DNS %s", aws.ToString(in.PublicDnsName))
	}
	_, err = client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-nope"}})
	wantAPIError(t, err, "InvalidInstanceID.NotFound", "The instance ID 'i-nope' does not exist")
	_, err = client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-public"}, MaxResults: aws.Int32(5)})
	wantAPIError(t, err, "InvalidParameterCombination", "")
	// Other regions have none.
	none, err := ec2Client(u, "us-west-2").DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil || len(none.Reservations) != 0 {
		t.Errorf("us-west-2: %v %v", none, err)
	}
}
