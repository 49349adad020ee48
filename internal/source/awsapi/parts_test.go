package awsapi

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// partsFleet has what every control beyond the cluster reads, in one account and region: an API
// cluster with a private node group, an EC2 access entry and network policy on; a CONFIG_MAP cluster
// with a public node group, a self-managed node with a public IP whose instance profile's role may
// push images, a self-managed VPC CNI and load balancers (ALB and classic) serving plain HTTP; 1,500
// repositories (two pages), one of them not scanned.
func partsFleet(extra string) string {
	var repos strings.Builder
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&repos, "          - {repositoryName: svc-%04d, imageScanningConfiguration: {scanOnPush: %v}}\n", i, i != 1499)
	}
	return `
accounts:
  - id: "111111111111"
    iam:
      roles:
        - roleName: node
          attachedPolicies: [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy, arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]
        - roleName: builder
          attachedPolicies: [arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]
          rolePolicies:
            - policyName: push
              policyDocument: {Version: "2012-10-17", Statement: [{Sid: Push, Effect: Allow, Action: "ecr:Put*", Resource: "*"}]}
      instanceProfiles:
        - {instanceProfileName: builder, roles: [builder]}
    regions:
      - name: us-east-1
` + extra + `
        subnets:
          - {subnetId: subnet-private, mapPublicIpOnLaunch: false}
          - {subnetId: subnet-public, mapPublicIpOnLaunch: true}
        routeTables:
          - {routeTableId: rtb-private, associations: [{subnetId: subnet-private}], routes: [{destinationCidrBlock: 0.0.0.0/0, natGatewayId: nat-1}]}
          - {routeTableId: rtb-public, associations: [{subnetId: subnet-public}], routes: [{destinationCidrBlock: 0.0.0.0/0, gatewayId: igw-1}]}
        instances:
          - {instanceId: i-0builder, subnetId: subnet-public, publicIpAddress: 54.1.2.3, iamInstanceProfile: {arn: "arn:aws:iam::111111111111:instance-profile/builder"}, tags: {kubernetes.io/cluster/legacy: owned}}
          - {instanceId: i-0other, subnetId: subnet-public, publicIpAddress: 54.1.2.4, tags: {kubernetes.io/cluster/elsewhere: owned}}
          - {instanceId: i-0karpenter, subnetId: subnet-private, iamInstanceProfile: {arn: "arn:aws:iam::111111111111:instance-profile/builder"}, tags: {eks:eks-cluster-name: modern, karpenter.sh/nodepool: default}}
        loadBalancers:
          - {loadBalancerName: k8s-legacy-web, tags: {elbv2.k8s.aws/cluster: legacy}, listeners: [{port: 8080, protocol: HTTP}]}
          - {loadBalancerName: a1b2c3legacy, type: classic, tags: {kubernetes.io/cluster/legacy: owned}, listeners: [{protocol: HTTP, loadBalancerPort: 80, instancePort: 30080}]}
          - {loadBalancerName: k8s-modern-web, tags: {elbv2.k8s.aws/cluster: modern}, listeners: [{port: 443, protocol: HTTPS, certificates: [{certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/1"}]}]}
        repositories:
` + repos.String() + `
        clusters:
          - name: modern
            accessConfig: {authenticationMode: API}
            nodegroups: [{nodegroupName: apps, nodeRole: "arn:aws:iam::111111111111:role/node", subnets: [subnet-private]}]
            accessEntries: [{principalArn: "arn:aws:iam::111111111111:role/node", type: EC2_LINUX}, {principalArn: "arn:aws:iam::111111111111:role/admin"}]
            addons: [{addonName: vpc-cni, configurationValues: '{"enableNetworkPolicy":"true"}'}]
          - name: legacy
            nodegroups: [{nodegroupName: web, nodeRole: "arn:aws:iam::111111111111:role/node", subnets: [subnet-public], remoteAccess: {ec2SshKey: ops}}]
`
}

// collectFor collects the fleet for the selected controls and evaluates it.
func collectFor(t *testing.T, yaml string, controls ...string) (map[string]int, map[string]finding.Result, *model.Inventory) {
	t.Helper()
	srv := startFleet(t, yaml)
	b, err := benchmark.Default().Select(controls, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := collector(srv, nil)
	c.Parts = b.Parts()
	inv, err := c.Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]finding.Result{}
	for _, r := range b.EvaluateInventory(inv) {
		results[r.Resource.Name+" "+r.Control] = r
	}
	return srv.Calls(), results, inv
}

// TestPartsCallsOnlyWhatControlsNeed: each control makes its own calls and no other; the endpoint
// controls make exactly the calls they always made.
func TestPartsCallsOnlyWhatControlsNeed(t *testing.T) {
	base := []string{"eks:DescribeCluster", "eks:ListClusters", "sts:GetCallerIdentity"}
	tests := []struct {
		controls []string
		calls    []string
	}{
		{[]string{"5.4.1", "5.4.2", "2.1.1", "4.1.7", "5.3.1"}, nil},
		{[]string{"5.1.1"}, []string{"ecr:DescribeRepositories", "ecr:GetRegistryScanningConfiguration"}},
		{[]string{"5.4.4"}, []string{"eks:DescribeAddon"}},
		{[]string{"5.4.3"}, []string{"ec2:DescribeInstances", "ec2:DescribeRouteTables", "ec2:DescribeSubnets", "eks:DescribeNodegroup", "eks:ListNodegroups"}},
		{[]string{"5.4.5"}, []string{"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags", "elb:DescribeLoadBalancers", "elb:DescribeTags"}},
		{[]string{"5.1.3"}, []string{"ec2:DescribeInstances", "eks:DescribeAccessEntry", "eks:DescribeNodegroup", "eks:ListAccessEntries", "eks:ListNodegroups",
			"iam:GetInstanceProfile", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.controls, ","), func(t *testing.T) {
			calls, _, _ := collectFor(t, partsFleet(""), tt.controls...)
			var got []string
			for k, n := range calls {
				if n > 0 {
					got = append(got, k)
				}
			}
			want := append(append([]string{}, base...), tt.calls...)
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("calls %v\nwant  %v", got, want)
			}
			// A CONFIG_MAP cluster has no access entries to list; a role's policies are read
			// once however many clusters and node groups share it.
			if n := calls["eks:ListAccessEntries"]; slices.Contains(tt.calls, "eks:ListAccessEntries") && n != 1 {
				t.Errorf("ListAccessEntries called %d times, want once (the API cluster only)", n)
			}
			if n := calls["iam:ListAttachedRolePolicies"]; slices.Contains(tt.calls, "iam:ListAttachedRolePolicies") && n != 2 {
				t.Errorf("ListAttachedRolePolicies called %d times, want twice (two roles)", n)
			}
		})
	}
}

// TestPartsVerdicts reads every part through the real SDK and judges it.
func TestPartsVerdicts(t *testing.T) {
	calls, res, inv := collectFor(t, partsFleet(""))
	for _, tt := range []struct {
		key, status, reason string
	}{
		{"111111111111 5.1.1", "FAIL", "1 of the 1500 repositories in the registry of account 111111111111 in us-east-1 is not scanned"},
		{"modern 5.1.3", "FAIL", "ecr:PutImage (role builder, policy push)"},
		{"legacy 5.1.3", "FAIL", "ecr:PutImage (role builder, policy push)"},
		{"modern 5.4.3", "PASS", "1 node group and 1 instance run in 1 private subnet"},
		{"legacy 5.4.3", "FAIL", "subnet subnet-public (route 0.0.0.0/0 -> igw-1; used by node group web, instance i-0builder)"},
		{"legacy 5.4.3", "FAIL", "instance i-0builder (public address 54.1.2.3)"},
		{"legacy 5.4.3", "FAIL", "SSH is open to 0.0.0.0/0 on node groups web"},
		{"modern 5.4.4", "PASS", `enableNetworkPolicy "true"`},
		{"legacy 5.4.4", "MANUAL", "not installed as an EKS add-on"},
		{"modern 5.4.5", "PASS", "1 load balancer uses TLS"},
		{"legacy 5.4.5", "FAIL", "a1b2c3legacy listener HTTP:80 does not redirect to HTTPS, k8s-legacy-web listener HTTP:8080"},
	} {
		r, ok := res[tt.key]
		if !ok || string(r.Status) != tt.status || !strings.Contains(r.Reason, tt.reason) {
			t.Errorf("%s = %s (%s), want %s containing %q", tt.key, r.Status, r.Reason, tt.status, tt.reason)
		}
	}
	if n := calls["ecr:DescribeRepositories"]; n != 2 {
		t.Errorf("DescribeRepositories called %d times, want 2 pages of 1,000", n)
	}
	for _, cl := range inv.Clusters {
		for _, in := range cl.Instances {
			if in.ID == "i-0other" {
				t.Errorf("%s took the instance of another cluster", cl.Name)
			}
		}
	}
}

// TestPartsDeniedCallErrorsItsControlsOnly: an optional call the caller may not make is ERROR,
// naming the IAM action, for the controls that make it; every other control stands. The denied
// action is the first, a middle and the last of the list.
func TestPartsDeniedCallErrorsItsControlsOnly(t *testing.T) {
	tests := []struct {
		deny    string
		errored []string // keys that must be ERROR naming deny
	}{
		{"ec2:DescribeRouteTables", []string{"modern 5.4.3", "legacy 5.4.3"}},
		{"ecr:DescribeRepositories", []string{"111111111111 5.1.1"}},
		{"eks:DescribeAddon", []string{"modern 5.4.4", "legacy 5.4.4"}},
		{"elasticloadbalancing:DescribeListeners", []string{"legacy 5.4.5", "modern 5.4.5"}},
		{"ec2:DescribeInstances", []string{"modern 5.1.3", "legacy 5.1.3", "modern 5.4.3", "legacy 5.4.3"}},
	}
	for i, tt := range tests {
		t.Run(tt.deny, func(t *testing.T) {
			// The denied action sits first, in the middle or last of the list in turn.
			list := []string{"eks:UpdateClusterConfig", "ec2:DescribeVpcs"}
			list = slices.Insert(list, i%3, tt.deny)
			_, res, _ := collectFor(t, partsFleet("        denyActions: ["+strings.Join(list, ", ")+"]"))
			for key, r := range res {
				wantErr := slices.Contains(tt.errored, key)
				switch {
				case wantErr && (r.Status != finding.Error || !strings.Contains(r.Reason, "access denied: the caller needs "+tt.deny)):
					t.Errorf("%s = %s (%s), want ERROR naming %s", key, r.Status, r.Reason, tt.deny)
				case !wantErr && r.Status == finding.Error:
					t.Errorf("%s = ERROR (%s): only %v should be", key, r.Reason, tt.errored)
				}
			}
			if len(res) != 2*9+1 {
				t.Errorf("%d results, want every control of both clusters and the registry", len(res))
			}
		})
	}
}

// TestPartsNotCollectedAreUnknown: an inventory collected for other controls (a snapshot) holds
// none of the parts: the controls that need them are UNKNOWN, never judged on empty lists.
func TestPartsNotCollectedAreUnknown(t *testing.T) {
	srv := startFleet(t, partsFleet(""))
	inv, err := collector(srv, nil).Collect(context.Background(), Scope{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range benchmark.Default().EvaluateInventory(inv) {
		beyond := r.Control == "5.1.1" || r.Control == "5.1.3" || strings.HasPrefix(r.Control, "5.4.") && r.Control != "5.4.1" && r.Control != "5.4.2"
		if beyond && (r.Status != finding.Unknown || !strings.Contains(r.Reason, "not collected")) {
			t.Errorf("%s %s = %s (%s), want UNKNOWN: not collected", r.Resource.Name, r.Control, r.Status, r.Reason)
		}
	}
}
