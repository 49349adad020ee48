package emulator

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Lines 1-4 are the account and region, 5-6 a cluster.
const (
	inRegion  = goodAccount + "    regions:\n      - name: us-east-1\n"
	inCluster = inRegion + "        clusters:\n          - name: a\n"
)

func TestParseFleetResourceErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		// Node groups, add-ons, access entries.
		{"unknown node group key", inCluster + "            nodegroups:\n              - {nodegroupName: ng, instanceType: m5.large}\n",
			[]string{`bad.yaml:8: unknown field "instanceType"`}},
		{"node group without a name", inCluster + "            nodegroups:\n              - {status: ACTIVE}\n",
			[]string{`bad.yaml:8: nodegroupName needs a name`}},
		{"duplicate node group", inCluster + "            nodegroups:\n              - nodegroupName: ng\n              - nodegroupName: ng\n",
			[]string{`bad.yaml:9: duplicate nodegroupName "ng"`}},
		{"node group enums", inCluster + "            nodegroups:\n              - nodegroupName: ng\n                status: RUNNING\n                capacityType: RESERVED\n                amiType: UBUNTU\n",
			[]string{`bad.yaml:9: unknown node group status "RUNNING"`, `bad.yaml:10: unknown capacityType "RESERVED"`, `bad.yaml:11: unknown amiType "UBUNTU"`}},
		{"node group sizes", inCluster + "            nodegroups:\n              - nodegroupName: ng\n                scalingConfig: {minSize: 3, maxSize: 2}\n",
			[]string{`bad.yaml:9: scalingConfig needs minSize <= desiredSize <= maxSize (got 3, 2, 2)`}},
		{"node group role and SSH", inCluster + "            nodegroups:\n              - nodegroupName: ng\n                nodeRole: node\n                remoteAccess: {sourceSecurityGroups: [bastion]}\n",
			[]string{`bad.yaml:9: nodeRole "node" is not an IAM role ARN`, `bad.yaml:10: remoteAccess needs an ec2SshKey`, `bad.yaml:10: security group id "bastion" must start with "sg-"`}},
		{"duplicate add-on and bad status", inCluster + "            addons:\n              - {addonName: vpc-cni}\n              - {addonName: vpc-cni, status: BROKEN}\n",
			[]string{`bad.yaml:9: duplicate addonName "vpc-cni"`, `bad.yaml:9: unknown add-on status "BROKEN"`}},
		{"configurationValues must be text", inCluster + "            addons:\n              - addonName: vpc-cni\n                configurationValues: {enableNetworkPolicy: true}\n",
			[]string{`bad.yaml:9: cannot unmarshal !!map into string`}},
		{"access entries", inCluster + "            accessEntries:\n              - {principalArn: admin}\n              - {principalArn: \"arn:aws:iam::111111111111:user/bob\", type: EC2_LINUX}\n              - {principalArn: \"arn:aws:iam::111111111111:role/n\", type: EC2_LINUX, kubernetesGroups: [x]}\n              - {principalArn: \"arn:aws:iam::111111111111:role/m\", type: ROBOT}\n",
			[]string{`bad.yaml:8: principalArn "admin" is not an IAM role or user ARN`, `bad.yaml:9: a EC2_LINUX access entry needs a role`,
				`bad.yaml:10: a EC2_LINUX access entry takes no username or kubernetesGroups`, `bad.yaml:11: unknown access entry type "ROBOT"`}},

		// Subnets, route tables, instances.
		{"subnets", inRegion + "        subnets:\n          - {subnetId: subnet-a}\n          - {subnetId: subnet-a}\n          - {subnetId: net-b, cidrBlock: 10.0.0.0/33, availabilityZone: eu-west-1a}\n",
			[]string{`bad.yaml:7: duplicate subnetId "subnet-a"`, `bad.yaml:8: subnetId "net-b" must start with "subnet-"`,
				`bad.yaml:8: malformed cidrBlock "10.0.0.0/33"`, `bad.yaml:8: availabilityZone "eu-west-1a" is not in region us-east-1`}},
		{"association with an undeclared subnet", inRegion + "        subnets: [{subnetId: subnet-a}]\n        routeTables:\n          - routeTableId: rtb-1\n            associations: [{subnetId: subnet-a}, {subnetId: subnet-x}]\n",
			[]string{`bad.yaml:8: route table rtb-1 is associated with subnet "subnet-x", which the region does not declare`}},
		{"associations", inRegion + "        subnets: [{subnetId: subnet-a}, {subnetId: subnet-b, vpcId: vpc-2}]\n        routeTables:\n          - routeTableId: rtb-1\n            associations:\n              - {subnetId: subnet-a}\n              - {main: true}\n              - {subnetId: subnet-b}\n              - {}\n          - routeTableId: rtb-2\n            associations:\n              - {subnetId: subnet-a, main: true}\n              - {subnetId: subnet-a}\n              - {main: true}\n",
			[]string{`bad.yaml:11: subnet subnet-b is in vpc-2, route table rtb-1 in the default VPC`, `bad.yaml:12: an association needs a subnetId or main: true`,
				`bad.yaml:15: an association is either a subnetId or main: true, not both`, `bad.yaml:16: subnet subnet-a is already associated with route table rtb-1`,
				`bad.yaml:17: VPC (default) already has main route table rtb-1`}},
		{"routes", inRegion + "        routeTables:\n          - routeTableId: rtb-1\n            routes:\n              - {destinationCidrBlock: 0.0.0.0/0, gatewayId: igw-1, natGatewayId: nat-1}\n              - {gatewayId: igw-1}\n              - {destinationCidrBlock: 10.1.0.0/16, gatewayId: gw-1}\n              - {destinationCidrBlock: 0.0.0.0/0, natGatewayId: nat-1}\n              - {destinationCidrBlock: 1.0.0.0/8, egressOnlyInternetGatewayId: eigw-1}\n",
			[]string{`bad.yaml:8: a route needs exactly one target`, `bad.yaml:9: a route needs a destinationCidrBlock or destinationIpv6CidrBlock`,
				`bad.yaml:10: gatewayId "gw-1" must be an igw-, vgw- or local`, `bad.yaml:11: duplicate route to 0.0.0.0/0`,
				`bad.yaml:12: an egress-only internet gateway routes IPv6 only`}},
		{"instances", inRegion + "        subnets: [{subnetId: subnet-a, vpcId: vpc-1, cidrBlock: 10.0.1.0/24}]\n        instances:\n          - {instanceId: i-1, subnetId: subnet-a, vpcId: vpc-2}\n          - {instanceId: i-2, subnetId: subnet-a, privateIpAddress: 10.0.2.5}\n          - {instanceId: i-3, state: sleeping, ipv6Addresses: [10.0.0.1], iamInstanceProfile: {arn: node}}\n          - {instanceId: i-1}\n",
			[]string{`bad.yaml:7: instance i-1 is in subnet subnet-a of vpc-1, not in vpc-2`, `bad.yaml:8: privateIpAddress 10.0.2.5 is outside subnet subnet-a (10.0.1.0/24)`,
				`bad.yaml:9: unknown instance state "sleeping"`, `bad.yaml:9: ipv6Addresses entry "10.0.0.1" is not an IPv6 address`,
				`bad.yaml:9: iamInstanceProfile arn "node" is not an instance profile ARN`, `bad.yaml:10: duplicate instanceId "i-1"`}},

		// ECR.
		{"repositories", inRegion + "        repositories:\n          - {repositoryName: Team/App}\n          - {repositoryName: app, imageTagMutability: FROZEN}\n          - {repositoryName: app, encryptionConfiguration: {encryptionType: AES256, kmsKey: k}}\n          - {imageScanningConfiguration: {}}\n",
			[]string{`bad.yaml:6: invalid repositoryName "Team/App"`, `bad.yaml:7: unknown imageTagMutability "FROZEN"`, `bad.yaml:8: duplicate repositoryName "app"`,
				`bad.yaml:8: kmsKey needs encryptionType KMS or KMS_DSSE`, `bad.yaml:9: repositoryName needs a name`}},
		// A value that does not decode stops the file before the checks above.
		{"scanOnPush", inRegion + "        repositories:\n          - {repositoryName: app, imageScanningConfiguration: {scanOnPush: sometimes}}\n",
			[]string{"bad.yaml:6: cannot unmarshal !!str `sometimes` into bool"}},
		{"registry scanning", inRegion + "        registryScanningConfiguration:\n          scanType: BASIC\n          rules:\n            - {scanFrequency: CONTINUOUS_SCAN, repositoryFilters: [{filter: \"*\", filterType: REGEX}]}\n            - {repositoryFilters: []}\n",
			[]string{`bad.yaml:8: scanFrequency "CONTINUOUS_SCAN" is not one of BASIC scanning (SCAN_ON_PUSH, MANUAL)`, `bad.yaml:8: unknown filterType "REGEX"`,
				`bad.yaml:9: a scanning rule needs a scanFrequency`, `bad.yaml:9: a scanning rule needs repositoryFilters`}},
		{"scan type", inRegion + "        registryScanningConfiguration: {scanType: DEEP}\n",
			[]string{`bad.yaml:5: unknown scanType "DEEP"`}},

		// Load balancers.
		{"load balancers", inRegion + "        loadBalancers:\n          - {loadBalancerName: web, type: elastic}\n          - {loadBalancerName: web}\n          - {loadBalancerName: internal-x, scheme: private}\n",
			[]string{`bad.yaml:6: unknown load balancer type "elastic"`, `bad.yaml:7: duplicate loadBalancerName "web"`,
				`bad.yaml:8: invalid loadBalancerName "internal-x"`, `bad.yaml:8: unknown scheme "private"`}},
		{"v2 listeners", inRegion + "        loadBalancers:\n          - loadBalancerName: web\n            listeners:\n              - {port: 443, protocol: HTTPS}\n              - {port: 80, protocol: TCP, loadBalancerPort: 80}\n              - {port: 8080, protocol: HTTP, defaultActions: [{type: redirect}]}\n              - {port: 8080, protocol: HTTP, certificates: [{certificateArn: \"arn:aws:acm:x\"}]}\n              - {protocol: HTTP}\n",
			[]string{`bad.yaml:8: a HTTPS listener needs certificates`, `bad.yaml:9: protocol "TCP" is not one of a application load balancer's (HTTP, HTTPS)`,
				`bad.yaml:9: loadBalancerPort is a classic listener key`, `bad.yaml:10: redirectConfig goes with type redirect, and only with it`,
				`bad.yaml:11: duplicate listener port 8080`, `bad.yaml:11: certificates are for HTTPS and TLS listeners, not HTTP`, `bad.yaml:12: a listener needs a port in 1..65535`}},
		{"network listeners", inRegion + "        loadBalancers:\n          - loadBalancerName: nlb\n            type: network\n            listeners:\n              - {port: 443, protocol: TLS, certificates: [{certificateArn: \"arn:aws:acm:x\"}], defaultActions: [{type: redirect, redirectConfig: {statusCode: HTTP_301}}]}\n              - {port: 80, protocol: HTTP}\n",
			[]string{`bad.yaml:9: a network load balancer only forwards`, `bad.yaml:10: protocol "HTTP" is not one of a network load balancer's`}},
		{"redirects", inRegion + "        loadBalancers:\n          - loadBalancerName: web\n            listeners:\n              - port: 80\n                protocol: HTTP\n                defaultActions:\n                  - {type: redirect, redirectConfig: {protocol: HTTPS}}\n                  - {type: redirect, redirectConfig: {protocol: FTP, statusCode: HTTP_308}}\n",
			[]string{`bad.yaml:11: redirectConfig needs a statusCode (HTTP_301 or HTTP_302)`, `bad.yaml:12: unknown redirect statusCode "HTTP_308"`, `bad.yaml:12: unknown redirect protocol "FTP"`}},
		{"classic listeners", inRegion + "        loadBalancers:\n          - loadBalancerName: old\n            type: classic\n            listeners:\n              - {protocol: HTTPS, loadBalancerPort: 443, instancePort: 30443}\n              - {protocol: HTTP, port: 80, instancePort: 30080}\n              - {protocol: UDP, loadBalancerPort: 53, instancePort: 30053, sslCertificateId: \"arn:aws:acm:x\"}\n",
			[]string{`bad.yaml:9: a classic HTTPS listener needs an sslCertificateId`, `bad.yaml:10: port is a v2 listener key`, `bad.yaml:10: a classic listener needs a loadBalancerPort in 1..65535`,
				`bad.yaml:11: protocol "UDP" is not one of a classic load balancer's (HTTP, HTTPS, TCP, SSL)`, `bad.yaml:11: sslCertificateId is for HTTPS and SSL listeners, not UDP`}},

		// IAM.
		{"attached policies", goodAccount + "    iam:\n      roles:\n        - roleName: node\n          attachedPolicies:\n            - arn:aws:iam::111111111111:policy/ecr-push\n            - arn:aws:iam::aws:policy/AdministratorAccess\n            - arn:aws:iam::222222222222:policy/shared\n            - AmazonEC2ContainerRegistryReadOnly\n",
			[]string{`bad.yaml:7: customer policy "arn:aws:iam::111111111111:policy/ecr-push" is not declared under iam.policies`,
				`bad.yaml:8: AWS managed policy "arn:aws:iam::aws:policy/AdministratorAccess" is not known to the emulator (it knows arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess,`,
				`bad.yaml:9: policy "arn:aws:iam::222222222222:policy/shared" belongs to account 222222222222`,
				`bad.yaml:10: attachedPolicies entry "AmazonEC2ContainerRegistryReadOnly" is not a policy ARN`}},
		{"policy documents", goodAccount + "    iam:\n      policies:\n        - {policyName: a, policyDocument: '[1, 2]'}\n        - {policyName: b, policyDocument: 'not json'}\n        - {policyName: c, policyDocument: {Version: \"2012-10-17\"}}\n        - {policyName: d}\n",
			[]string{`bad.yaml:5: policy document is not a JSON object`, `bad.yaml:6: policy document is not a JSON object`, `bad.yaml:7: policy document has no Statement`,
				`bad.yaml:8: a policy needs a policyDocument`}},
		{"policy documents that do not decode", goodAccount + "    iam:\n      policies:\n        - {policyName: e, policyDocument: 12}\n        - {policyName: f, policyDocument: {Statement: [{Effect: Allow, Weight: .nan}]}}\n        - {policyName: g, policyDocument: {Statement: [{? [a]: b}]}}\n",
			[]string{`bad.yaml:5: a policy document must be a mapping or a string holding JSON, not 12`,
				`bad.yaml:6: policy document numbers must be finite, not .nan`, `bad.yaml:7: policy document keys must be text`}},
		{"roles and profiles", goodAccount + "    iam:\n      roles:\n        - {roleName: node, path: eks}\n        - {roleName: node, rolePolicies: [{policyName: p}, {policyName: p, policyDocument: {Statement: []}}]}\n      instanceProfiles:\n        - {instanceProfileName: node, roles: [node, other]}\n        - {instanceProfileName: ghost, roles: [ghost]}\n",
			[]string{`bad.yaml:5: path "eks" must start and end with /`, `bad.yaml:6: duplicate roleName "node"`, `bad.yaml:6: a policy needs a policyDocument`,
				`bad.yaml:6: duplicate inline policyName "p"`, `bad.yaml:8: an instance profile holds at most one role`, `bad.yaml:8: role "other" is not declared under iam.roles`,
				`bad.yaml:9: role "ghost" is not declared under iam.roles`}},
		{"unknown IAM key", goodAccount + "    iam:\n      users: []\n", []string{`bad.yaml:4: unknown field "users"`}},

		// denyActions.
		{"deny actions", goodAccount + "    denyActions: [s3:GetObject, ecr:DescribeRepository, ecr:Describe*, eks, \"iam:Get[\"]\n    regions:\n      - name: us-east-1\n        denyActions: [iam:GetRole, EC2:describeinstances]\n",
			[]string{`bad.yaml:3: denyActions entry "s3:GetObject" names a service the emulator does not serve`,
				`bad.yaml:3: denyActions entry "ecr:DescribeRepository" matches no ecr operation the emulator serves (DescribeRepositories, GetRegistryScanningConfiguration)`,
				`bad.yaml:3: denyActions entry "eks" must be SERVICE:Operation`, `bad.yaml:3: denyActions entry "iam:Get[" is not a valid pattern`,
				`bad.yaml:6: denyActions entry "iam:GetRole" is an IAM action: IAM is global, deny it in the account's denyActions`}},

		// generate.
		{"generate keys", "generate: {accounts: 1, regions: 1, clustersPerRegion: 1, nodegroupsPerCluster: 11, repositoriesPerRegion: -1, loadBalancersPerCluster: 11}\n",
			[]string{`bad.yaml:1: generate.nodegroupsPerCluster 11 out of range 0..10`, `bad.yaml:1: generate.repositoriesPerRegion -1 out of range 0..1000`,
				`bad.yaml:1: generate.loadBalancersPerCluster 11 out of range 0..10`}},
		{"generate totals", "generate: {accounts: 10000, regions: 17, clustersPerRegion: 2, nodegroupsPerCluster: 10}\n",
			[]string{`bad.yaml:1: generate would create 3400000 node groups (limit 500000)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("want an error, got a fleet with %d accounts", len(f.Accounts))
			}
			var fe *FleetError
			if !errors.As(err, &fe) {
				t.Errorf("want *FleetError, got %T", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("want %q in\n%v", w, err)
				}
			}
		})
	}
}

// What validation lets through on purpose.
func TestParseFleetResourcesAccepted(t *testing.T) {
	tests := []struct {
		name string
		yaml string
	}{
		{"node group in an undeclared subnet", inCluster + "            nodegroups: [{nodegroupName: ng, subnets: [subnet-shared]}]\n"},
		{"instance in an undeclared subnet", inRegion + "        instances: [{instanceId: i-1, subnetId: subnet-shared, vpcId: vpc-9}]\n"},
		{"access entries on a CONFIG_MAP cluster", inCluster + "            accessEntries: [{principalArn: \"arn:aws:iam::111111111111:role/n\", type: EC2_LINUX}]\n"},
		{"node role in another account", inCluster + "            nodegroups: [{nodegroupName: ng, nodeRole: \"arn:aws:iam::222222222222:role/node\"}]\n"},
		{"every known managed policy", goodAccount + "    iam:\n      roles:\n        - roleName: all\n          attachedPolicies: [" + strings.Join(ManagedPolicyArns(), ", ") + "]\n"},
		{"a gateway listener left empty", inRegion + "        loadBalancers: [{loadBalancerName: gw, type: gateway, listeners: [{}]}]\n"},
		{"a classic protocol in lower case", inRegion + "        loadBalancers: [{loadBalancerName: old, type: classic, listeners: [{protocol: https, loadBalancerPort: 443, instancePort: 1, sslCertificateId: x}]}]\n"},
		{"deny patterns", goodAccount + "    denyActions: [\"ecr:*\", EKS:Describe*, elasticloadbalancing:DescribeTags, iam:GetRole]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "ok.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Validate(); err != nil {
				t.Errorf("Validate refuses what ParseFleet accepted: %v", err)
			}
		})
	}
}

func TestValidateGoFleetResources(t *testing.T) {
	f := &Fleet{Accounts: []Account{{ID: "111111111111",
		IAM: &IAM{Roles: []IAMRole{{RoleName: "node", AttachedPolicies: []string{"arn:aws:iam::111111111111:policy/nope"},
			RolePolicies: []RolePolicy{{PolicyName: "p", PolicyDocument: `{"Statement":[]}`}}}}},
		Regions: []Region{{Name: "us-east-1", RouteTables: []RouteTable{{RouteTableID: "rtb-1", Associations: []RouteTableAssociation{{SubnetID: "subnet-x"}}}}}},
	}}}
	err := f.Validate()
	for _, w := range []string{
		`fleet accounts[0].regions[0].routeTables[0].associations[0].subnetId: route table rtb-1 is associated with subnet "subnet-x"`,
		`fleet accounts[0].iam.roles[0].attachedPolicies[0]: customer policy "arn:aws:iam::111111111111:policy/nope" is not declared`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("want %q in %v", w, err)
		}
	}
}

func TestGenerateParts(t *testing.T) {
	const base = "generate: {accounts: 2, regions: 3, clustersPerRegion: 30, seed: 1"
	f, err := ParseFleet([]byte(base+", nodegroupsPerCluster: 2, repositoriesPerRegion: 40, loadBalancersPerCluster: 2}\n"), "gen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("generated fleet does not validate: %v", err)
	}
	again, _ := ParseFleet([]byte(base+", nodegroupsPerCluster: 2, repositoriesPerRegion: 40, loadBalancersPerCluster: 2}\n"), "gen.yaml")
	if !reflect.DeepEqual(f.Accounts, again.Accounts) {
		t.Error("the same seed generated different fleets")
	}
	mix := map[string]map[string]int{}
	count := func(kind, what string) {
		if mix[kind] == nil {
			mix[kind] = map[string]int{}
		}
		mix[kind][what]++
	}
	for _, a := range f.Accounts {
		if a.IAM == nil || len(a.IAM.Roles) != 4 || len(a.IAM.InstanceProfiles) != 4 || len(a.IAM.Policies) != 1 {
			t.Fatalf("account %s IAM %+v", a.ID, a.IAM)
		}
		for _, r := range a.Regions {
			count("subnets", "")
			if len(r.Repositories) != 40 {
				t.Errorf("%s/%s: %d repositories", a.ID, r.Name, len(r.Repositories))
			}
			for _, rp := range r.Repositories {
				count("scanOnPush", map[bool]string{true: "on", false: "off"}[rp.ImageScanningConfiguration.ScanOnPush])
			}
			scan := "default"
			if sc := r.RegistryScanningConfiguration; sc != nil {
				scan = sc.ScanType
			}
			count("registry", scan)
			if len(r.LoadBalancers) != 60 {
				t.Errorf("%s/%s: %d load balancers", a.ID, r.Name, len(r.LoadBalancers))
			}
			for _, lb := range r.LoadBalancers {
				count("lb", orDefault(lb.Type, "application")+"/"+lb.Listeners[0].Protocol)
			}
			public := map[string]bool{}
			for _, s := range r.Subnets {
				public[s.SubnetID] = s.MapPublicIPOnLaunch
			}
			for _, in := range r.Instances {
				count("instances", map[bool]string{true: "public", false: "private"}[in.PublicIPAddress != ""])
				if public[in.SubnetID] != (in.PublicIPAddress != "") {
					t.Errorf("instance %s: public IP %q in subnet %s", in.InstanceID, in.PublicIPAddress, in.SubnetID)
				}
			}
			for _, c := range r.Clusters {
				if len(c.Nodegroups) != 2 || len(c.Addons) != 3 || c.Addons[0].AddonName != "vpc-cni" {
					t.Fatalf("cluster %s: %d node groups, add-ons %+v", c.Name, len(c.Nodegroups), c.Addons)
				}
				count("cni", c.Addons[0].ConfigurationValues)
				for _, ng := range c.Nodegroups {
					count("roles", ng.NodeRole[strings.LastIndex(ng.NodeRole, "/")+1:])
				}
				mode := "CONFIG_MAP"
				if c.AccessConfig != nil {
					mode = c.AccessConfig.AuthenticationMode
				}
				if (mode == "CONFIG_MAP") != (len(c.AccessEntries) == 0) {
					t.Errorf("cluster %s in %s has %d access entries", c.Name, mode, len(c.AccessEntries))
				}
			}
		}
	}
	for kind, n := range map[string]int{"roles": 4, "cni": 3, "instances": 2, "scanOnPush": 2, "registry": 2, "lb": 6} {
		if len(mix[kind]) < n {
			t.Errorf("%s mix %v: want at least %d kinds", kind, mix[kind], n)
		}
	}

	// The parts change nothing the clusters serve.
	plain, err := ParseFleet([]byte(base+"}\n"), "gen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	withParts, plainServer := New(f), New(plain)
	for _, a := range plainServer.world.order {
		for _, r := range a.regionOrder {
			for _, c := range r.clusterOrder {
				want, _ := plainServer.Cluster(a.id, r.name, c.name)
				got, _ := withParts.Cluster(a.id, r.name, c.name)
				if string(got) != string(want) {
					t.Fatalf("%s serves differently with parts:\n%s\n%s", c.arn, got, want)
				}
			}
		}
	}
}

// TestGenerateServesAsBefore pins what generated fleets without the parts
// keys serve, as digested before those keys existed: DescribeCluster (less
// the per-process CA) and the EC2 VPC, security group and DHCP answers.
func TestGenerateServesAsBefore(t *testing.T) {
	tests := []struct {
		yaml, digest string
	}{
		{"generate: {accounts: 2, regions: 3, clustersPerRegion: 30, seed: 1}\n", "18ce869b3e8d3fb248196baadd038295b0e5b2c8361e8ed7e9c9bde4b2e623dd"},
		{"generate: {accounts: 3, regions: [eu-west-1, ap-south-1], clustersPerRegion: 12, seed: 4}\n", "c2047bbd147f6c11923a2bf0693d1ca9240773c0d037589db4cc9faf2ada0be5"},
		{"generate: {accounts: 2, regions: 3, clustersPerRegion: 30, seed: 1, nodegroupsPerCluster: 0, repositoriesPerRegion: 0, loadBalancersPerCluster: 0}\n", "18ce869b3e8d3fb248196baadd038295b0e5b2c8361e8ed7e9c9bde4b2e623dd"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "gen.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got := servedDigest(t, f); got != tt.digest {
				t.Errorf("digest %s, want %s", got, tt.digest)
			}
		})
	}
}
