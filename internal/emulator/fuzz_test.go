package emulator

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParseFleet: no fleet file may panic the parser or the server built
// from what it accepts.
func FuzzParseFleet(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input it finds, and a
	// multi-kilobyte seed makes that take most of a short CI fuzz run.
	data, err := os.ReadFile("../cmd/demo/fleet.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("behaviour: {latency: 1ms, throttle: {rate: 1}, failUpdates: [a]}\naccounts:\n  - id: \"111111111111\"\n    regions:\n      - name: us-east-1\n        vpcs: [{vpcId: vpc-1, cidrBlock: 10.0.0.0/16}]\n        securityGroups: [{groupId: sg-1, ipPermissions: [{ipProtocol: tcp, fromPort: 443, toPort: 443, ipRanges: [{cidrIp: 1.2.3.0/24}]}]}]\n        clusters: [{name: a, status: PENDING, updates: [{type: VersionUpdate}]}]\n"))
	f.Add([]byte("accounts:\n  - id: \"111111111111\"\n    regions:\n      - name: us-east-1\n        clusters:\n          - {name: a, createdAt: \"2024\", omitFields: [x.y]}\n"))
	f.Add([]byte("a: &a [1, 2]\nb: &b [*a, *a]\naccounts: [*b]\n"))
	f.Add([]byte("accounts: [{id: \"111111111111\", regions: [{name: us-east-1, clusters: [{name: a, resourcesVpcConfig: {publicAccessCidrs: []}}]}]}]\n"))
	f.Add([]byte("accounts:\n  - id: \"111111111111\"\n    denyActions: [ecr:*]\n    iam: {roles: [{roleName: n, rolePolicies: [{policyName: p, policyDocument: {Statement: [1]}}]}], instanceProfiles: [{instanceProfileName: n, roles: [n]}]}\n    regions:\n      - name: us-east-1\n        subnets: [{subnetId: subnet-a}]\n        routeTables: [{routeTableId: rtb-1, associations: [{subnetId: subnet-a}], routes: [{destinationCidrBlock: 0.0.0.0/0, gatewayId: igw-1}]}]\n        instances: [{instanceId: i-1}]\n        repositories: [{repositoryName: app}]\n        loadBalancers: [{loadBalancerName: web, listeners: [{port: 80, protocol: HTTP}]}]\n        clusters: [{name: a, nodegroups: [{nodegroupName: ng, remoteAccess: {ec2SshKey: k}}], addons: [{addonName: vpc-cni}], accessEntries: [{principalArn: \"arn:aws:iam::111111111111:role/n\"}]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("generate")) {
			t.Skip("generated fleets are sized by the input, not worth fuzzing")
		}
		fleet, err := ParseFleet(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if err := fleet.Validate(); err != nil {
			t.Fatalf("ParseFleet accepted what Validate refuses: %v", err)
		}
		s := New(fleet)
		for _, a := range s.world.order {
			for _, r := range a.regionOrder {
				for _, c := range r.clusterOrder {
					if _, ok := s.Cluster(a.id, r.name, c.name); !ok {
						t.Fatalf("cluster %s does not render", c.arn)
					}
				}
			}
		}
	})
}
