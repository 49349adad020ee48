package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
)

var uuidTail = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestListNodegroups(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := eksClient(u, "us-east-1")
	tests := []struct {
		name, cluster string
		maxResults    int32
		want          []string
		pages         int
	}{
		{"one page", "prod", 0, []string{"ng-1", "ng-public", "ng-ssh-sg"}, 1},
		{"pages of two", "prod", 2, []string{"ng-1", "ng-public", "ng-ssh-sg"}, 2},
		{"pages of one", "prod", 1, []string{"ng-1", "ng-public", "ng-ssh-sg"}, 3},
		{"none", "empty", 0, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &eks.ListNodegroupsInput{ClusterName: aws.String(tt.cluster)}
			if tt.maxResults > 0 {
				in.MaxResults = aws.Int32(tt.maxResults)
			}
			var got []string
			pages := 0
			for p := eks.NewListNodegroupsPaginator(client, in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				got = append(got, out.Nodegroups...)
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.pages)
			}
		})
	}
	_, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("ghost")})
	wantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: ghost.")
	_, err = client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod"), MaxResults: aws.Int32(101)})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod"), NextToken: aws.String("forged")})
	wantAPIError(t, err, "InvalidParameterException", "The nextToken provided is invalid.")
}

func TestDescribeNodegroup(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := eksClient(u, "us-east-1")
	describe := func(cluster, ng string) *types.Nodegroup {
		t.Helper()
		out, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(ng)})
		if err != nil {
			t.Fatalf("%s/%s: %v", cluster, ng, err)
		}
		return out.Nodegroup
	}
	tests := []struct {
		name, cluster, ng string
		check             func(n *types.Nodegroup) bool
	}{
		{"defaults", "prod", "ng-1", func(n *types.Nodegroup) bool {
			return n.Status == "ACTIVE" && n.CapacityType == "ON_DEMAND" && slices.Equal(n.InstanceTypes, []string{"t3.medium"}) &&
				n.AmiType == "AL2023_x86_64_STANDARD" && aws.ToString(n.Version) == defaultVersion && aws.ToString(n.ReleaseVersion) == "1.32.0-20250115" &&
				aws.ToInt32(n.ScalingConfig.MinSize) == 1 && aws.ToInt32(n.ScalingConfig.MaxSize) == 2 && aws.ToInt32(n.ScalingConfig.DesiredSize) == 2 &&
				slices.Equal(n.Subnets, []string{"subnet-a", "subnet-b"}) && n.RemoteAccess == nil && aws.ToString(n.Resources.RemoteAccessSecurityGroup) == "" &&
				aws.ToString(n.NodeRole) == "arn:aws:iam::111111111111:role/node" && aws.ToInt32(n.DiskSize) == 20 && n.Health != nil && len(n.Health.Issues) == 0 &&
				n.CreatedAt != nil && n.CreatedAt.Equal(defaultCreatedAt.Add(15*time.Minute))
		}},
		{"everything set", "prod", "ng-public", func(n *types.Nodegroup) bool {
			return n.Status == "DEGRADED" && n.CapacityType == "SPOT" && slices.Equal(n.InstanceTypes, []string{"m5.large", "m5a.large"}) &&
				n.AmiType == "BOTTLEROCKET_x86_64" && aws.ToString(n.Version) == "1.31" && aws.ToString(n.ReleaseVersion) == "1.31.2-20250101" &&
				aws.ToInt32(n.ScalingConfig.MinSize) == 0 && aws.ToInt32(n.ScalingConfig.MaxSize) == 5 && aws.ToInt32(n.ScalingConfig.DesiredSize) == 3 &&
				slices.Equal(n.Subnets, []string{"subnet-pub"}) && aws.ToString(n.RemoteAccess.Ec2SshKey) == "ops" && len(n.RemoteAccess.SourceSecurityGroups) == 0 &&
				strings.HasPrefix(aws.ToString(n.Resources.RemoteAccessSecurityGroup), "sg-") && n.Labels["role"] == "edge" && n.Tags["team"] == "edge"
		}},
		{"default role", "configmap", "ng-1", func(n *types.Nodegroup) bool {
			return aws.ToString(n.NodeRole) == "arn:aws:iam::111111111111:role/configmap-node" && len(n.Subnets) == 2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := describe(tt.cluster, tt.ng)
			arn := aws.ToString(n.NodegroupArn)
			if !tt.check(n) || aws.ToString(n.NodegroupName) != tt.ng || aws.ToString(n.ClusterName) != tt.cluster ||
				!strings.HasPrefix(arn, "arn:aws:eks:us-east-1:111111111111:nodegroup/"+tt.cluster+"/"+tt.ng+"/") || !uuidTail.MatchString(arn) ||
				len(n.Resources.AutoScalingGroups) != 1 || aws.ToString(n.Resources.AutoScalingGroups[0].Name) != "eks-"+tt.ng+"-"+arn[strings.LastIndex(arn, "/")+1:] {
				t.Errorf("%+v", n)
			}
		})
	}

	// The SSH group EKS makes is a real security group: open to the world
	// without source groups, to the source groups otherwise.
	ec2c := ec2Client(u, "us-east-1")
	for _, tc := range []struct {
		ng, want string
	}{{"ng-public", "0.0.0.0/0"}, {"ng-ssh-sg", "sg-bastion"}} {
		n := describe("prod", tc.ng)
		out, err := ec2c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(n.Resources.RemoteAccessSecurityGroup)}})
		if err != nil {
			t.Fatal(err)
		}
		p := out.SecurityGroups[0].IpPermissions[0]
		got := ""
		if len(p.IpRanges) > 0 {
			got = aws.ToString(p.IpRanges[0].CidrIp)
		} else if len(p.UserIdGroupPairs) > 0 {
			got = aws.ToString(p.UserIdGroupPairs[0].GroupId)
		}
		if aws.ToInt32(p.FromPort) != 22 || got != tc.want || aws.ToString(out.SecurityGroups[0].VpcId) != "vpc-1" {
			t.Errorf("%s SSH group: %+v", tc.ng, out.SecurityGroups[0])
		}
	}

	_, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("ng-9")})
	wantAPIError(t, err, "ResourceNotFoundException", "No node group found for name: ng-9.")
	resp, body := raw(t, u, "GET", "/clusters/prod/node-groups/ng-9", "eks", "us-east-1", "")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"nodegroupName":"ng-9"`) || !strings.Contains(string(body), `"clusterName":"prod"`) {
		t.Errorf("raw not found: %d %s", resp.StatusCode, body)
	}
	_, err = client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("ghost"), NodegroupName: aws.String("ng-1")})
	wantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: ghost.")
}

func TestAddons(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := eksClient(u, "us-east-1")
	var names []string
	pages := 0
	for p := eks.NewListAddonsPaginator(client, &eks.ListAddonsInput{ClusterName: aws.String("prod"), MaxResults: aws.Int32(2)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, out.Addons...)
	}
	if !slices.Equal(names, []string{"vpc-cni", "coredns", "kube-proxy"}) || pages != 2 {
		t.Errorf("add-ons %v in %d pages", names, pages)
	}
	tests := []struct {
		addon, version, config, role string
		status                       types.AddonStatus
	}{
		{"vpc-cni", "v1.19.2-eksbuild.1", `{"enableNetworkPolicy":"true"}`, "arn:aws:iam::111111111111:role/cni", "ACTIVE"},
		{"coredns", "v1.11.3-eksbuild.1", "", "", "ACTIVE"},
		{"kube-proxy", "v1.32.0-eksbuild.2", "", "", "DEGRADED"},
	}
	for _, tt := range tests {
		t.Run(tt.addon, func(t *testing.T) {
			out, err := client.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String("prod"), AddonName: aws.String(tt.addon)})
			if err != nil {
				t.Fatal(err)
			}
			a := out.Addon
			if aws.ToString(a.AddonVersion) != tt.version || aws.ToString(a.ConfigurationValues) != tt.config || aws.ToString(a.ServiceAccountRoleArn) != tt.role ||
				a.Status != tt.status || aws.ToString(a.ClusterName) != "prod" || !uuidTail.MatchString(aws.ToString(a.AddonArn)) ||
				!strings.HasPrefix(aws.ToString(a.AddonArn), "arn:aws:eks:us-east-1:111111111111:addon/prod/"+tt.addon+"/") || a.Health == nil {
				t.Errorf("%+v", a)
			}
		})
	}
	_, err := client.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String("prod"), AddonName: aws.String("aws-ebs-csi-driver")})
	wantAPIError(t, err, "ResourceNotFoundException", "No addon: aws-ebs-csi-driver found in cluster: prod")
	_, err = client.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String("empty"), AddonName: aws.String("vpc-cni")})
	wantAPIError(t, err, "ResourceNotFoundException", "No addon: vpc-cni found in cluster: empty")
	none, err := client.ListAddons(ctx, &eks.ListAddonsInput{ClusterName: aws.String("empty")})
	if err != nil || len(none.Addons) != 0 {
		t.Errorf("empty cluster: %v %v", none, err)
	}
	// Updates scoped to an add-on or node group the cluster has: none.
	for _, in := range []*eks.ListUpdatesInput{
		{Name: aws.String("prod"), AddonName: aws.String("vpc-cni")},
		{Name: aws.String("prod"), NodegroupName: aws.String("ng-1")},
	} {
		out, err := client.ListUpdates(ctx, in)
		if err != nil || len(out.UpdateIds) != 0 {
			t.Errorf("scoped ListUpdates: %v %v", out, err)
		}
	}
	_, err = client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String("prod"), AddonName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "No addon: nope found in cluster: prod")
}

func TestAccessEntries(t *testing.T) {
	s, u := startFleet(t, "resources.yaml", WithClock(NewFakeClock(testStart)))
	client := eksClient(u, "us-east-1")
	var principals []string
	pages := 0
	for p := eks.NewListAccessEntriesPaginator(client, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod"), MaxResults: aws.Int32(2)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		principals = append(principals, out.AccessEntries...)
	}
	want := []string{"arn:aws:iam::111111111111:role/node", "arn:aws:iam::111111111111:role/admin", "arn:aws:iam::111111111111:user/alice"}
	if !slices.Equal(principals, want) || pages != 2 {
		t.Errorf("entries %v in %d pages", principals, pages)
	}
	tests := []struct {
		principal, typ, username, arnPart string
		groups                            []string
	}{
		{want[0], "EC2_LINUX", "system:node:{{EC2PrivateDNSName}}", "/role/111111111111/node/", []string{}},
		{want[1], "STANDARD", "arn:aws:sts::111111111111:assumed-role/admin/{{SessionName}}", "/role/111111111111/admin/", []string{"platform-admins"}},
		{want[2], "STANDARD", "alice", "/user/111111111111/alice/", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.principal, func(t *testing.T) {
			out, err := client.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String(tt.principal)})
			if err != nil {
				t.Fatal(err)
			}
			e := out.AccessEntry
			if aws.ToString(e.Type) != tt.typ || aws.ToString(e.Username) != tt.username || !slices.Equal(e.KubernetesGroups, tt.groups) ||
				aws.ToString(e.PrincipalArn) != tt.principal || !strings.Contains(aws.ToString(e.AccessEntryArn), ":access-entry/prod"+tt.arnPart) ||
				!uuidTail.MatchString(aws.ToString(e.AccessEntryArn)) || e.CreatedAt == nil {
				t.Errorf("%+v", e)
			}
		})
	}
	_, err := client.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String("arn:aws:iam::111111111111:role/nobody")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.")
	filtered, err := client.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod"), AssociatedPolicyArn: aws.String("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")})
	if err != nil || len(filtered.AccessEntries) != 0 {
		t.Errorf("associatedPolicyArn: %v %v", filtered, err)
	}

	// CONFIG_MAP answers as EKS does, until the mode moves on.
	const msg = "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."
	_, err = client.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("configmap")})
	wantAPIError(t, err, "InvalidRequestException", msg)
	_, err = client.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("configmap"), PrincipalArn: aws.String(want[0])})
	wantAPIError(t, err, "InvalidRequestException", msg)
	withBehaviour(s, func(b *Behaviour) { b.UpdateDuration = time.Minute })
	if _, err := client.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("configmap"),
		AccessConfig: &types.UpdateAccessConfigRequest{AuthenticationMode: types.AuthenticationModeApiAndConfigMap}}); err != nil {
		t.Fatal(err)
	}
	_, err = client.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("configmap")})
	wantAPIError(t, err, "InvalidRequestException", msg)
	s.clock.(*FakeClock).Advance(2 * time.Minute)
	out, err := client.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("configmap")})
	if err != nil || !slices.Equal(out.AccessEntries, want[:1]) {
		t.Errorf("after the update: %v %v", out, err)
	}
	none, err := client.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("empty")})
	if err != nil || len(none.AccessEntries) != 0 {
		t.Errorf("API cluster without entries: %v %v", none, err)
	}
}

// TestPartsShareEKSFaults: the new EKS calls are faulted, throttled and
// counted like the others.
func TestPartsShareEKSFaults(t *testing.T) {
	calls := []struct {
		op   string
		path string
		call func(*eks.Client) error
	}{
		{"ListNodegroups", "/clusters/prod/node-groups", func(c *eks.Client) error {
			_, err := c.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
			return err
		}},
		{"DescribeNodegroup", "/clusters/prod/node-groups/ng-1", func(c *eks.Client) error {
			_, err := c.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("ng-1")})
			return err
		}},
		{"ListAddons", "/clusters/prod/addons", func(c *eks.Client) error {
			_, err := c.ListAddons(ctx, &eks.ListAddonsInput{ClusterName: aws.String("prod")})
			return err
		}},
		{"DescribeAddon", "/clusters/prod/addons/vpc-cni", func(c *eks.Client) error {
			_, err := c.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String("prod"), AddonName: aws.String("vpc-cni")})
			return err
		}},
		{"ListAccessEntries", "/clusters/prod/access-entries", func(c *eks.Client) error {
			_, err := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("prod")})
			return err
		}},
		{"DescribeAccessEntry", "/clusters/prod/access-entries/arn:aws:iam::111111111111:role%2Fnode", func(c *eks.Client) error {
			_, err := c.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String("prod"), PrincipalArn: aws.String("arn:aws:iam::111111111111:role/node")})
			return err
		}},
	}
	faults := []struct {
		name   string
		change func(*Behaviour)
		status int
		code   string
	}{
		{"server error", func(b *Behaviour) { b.ServerErrorRate = 1 }, 500, "ServerException"},
		{"unavailable", func(b *Behaviour) { b.ServiceUnavailableRate = 1 }, 503, "ServiceUnavailableException"},
	}
	s, u := startFleet(t, "resources.yaml", WithClock(NewFakeClock(testStart)))
	client := eksClient(u, "us-east-1")
	for _, c := range calls {
		s.SetBehaviour(Behaviour{})
		if err := c.call(client); err != nil {
			t.Fatalf("%s without faults: %v", c.op, err)
		}
		for _, f := range faults {
			t.Run(c.op+" "+f.name, func(t *testing.T) {
				b := Behaviour{}
				f.change(&b)
				s.SetBehaviour(b)
				resp, _ := raw(t, u, "GET", c.path, "eks", "us-east-1", "")
				if resp.StatusCode != f.status || resp.Header.Get("X-Amzn-ErrorType") != f.code {
					t.Errorf("got %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
				}
			})
		}
		t.Run(c.op+" reset", func(t *testing.T) {
			s.SetBehaviour(Behaviour{ConnectionResetRate: 1})
			if err := c.call(client); err == nil || !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
				t.Errorf("want a reset, got %v", err)
			}
		})
		t.Run(c.op+" throttled", func(t *testing.T) {
			// The bucket is the one all EKS calls of the account+region share.
			s.SetBehaviour(Behaviour{Throttle: Throttle{Rate: 1, Burst: 1}})
			if _, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("prod")}); err != nil {
				t.Fatal(err)
			}
			wantAPIError(t, c.call(client), "ThrottlingException", "Rate exceeded")
		})
	}
	s.SetBehaviour(Behaviour{})
	counts := s.Calls()
	for _, c := range calls {
		// net/http may send a GET again after a reset on a reused connection.
		if n := counts["eks:"+c.op]; n < 5 || n > 6 {
			t.Errorf("eks:%s counted %d, want 5 (6 with net/http's retry after the reset)", c.op, n)
		}
	}
	// Other services only get latency.
	s.SetBehaviour(Behaviour{ServerErrorRate: 1, Throttle: Throttle{Rate: 1, Burst: 1}, Latency: 30 * time.Millisecond})
	start := time.Now()
	for range 3 {
		if _, err := ec2Client(u, "us-east-1").DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-1"}}}}); err != nil {
			t.Fatalf("ec2 faulted: %v", err)
		}
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("three EC2 calls took %v: latency not applied", d)
	}
}
