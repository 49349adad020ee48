package emulator

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Generated node roles: every account gets all four, and node groups pick
// one from the seeded stream. Only the first keeps the nodes read-only on
// ECR; the push role attaches a customer policy, the inline role carries
// the same rights inline.
const (
	genRoleReadOnly = "eks-node-readonly"
	genRolePullOnly = "eks-node-pullonly"
	genRolePush     = "eks-node-push"
	genRoleInline   = "eks-node-inline"
	genPushPolicy   = "ecr-push"
)

const pushDocument = `{"Version":"2012-10-17","Statement":[{"Sid":"EcrPush","Effect":"Allow","Action":["ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage","ecr:BatchCheckLayerAvailability"],"Resource":"*"}]}`

func managedArn(name string) string { return "arn:aws:iam::aws:policy/" + name }

// generatedIAM is the node roles, the push policy and an instance profile
// per role.
func generatedIAM(acct string) *IAM {
	worker := []string{managedArn("AmazonEKSWorkerNodePolicy"), managedArn("AmazonEKS_CNI_Policy")}
	f := &IAM{Policies: []IAMPolicy{{PolicyName: genPushPolicy, PolicyDocument: pushDocument}}}
	f.Roles = []IAMRole{
		{RoleName: genRoleReadOnly, AttachedPolicies: append(append([]string{}, worker...), managedArn("AmazonEC2ContainerRegistryReadOnly"))},
		{RoleName: genRolePullOnly, AttachedPolicies: append(append([]string{}, worker...), managedArn("AmazonEC2ContainerRegistryPullOnly"), managedArn("AmazonSSMManagedInstanceCore"))},
		{RoleName: genRolePush, AttachedPolicies: append(append([]string{}, worker...), managedArn("AmazonEC2ContainerRegistryReadOnly"), "arn:aws:iam::"+acct+":policy/"+genPushPolicy)},
		{RoleName: genRoleInline, AttachedPolicies: append(append([]string{}, worker...), managedArn("AmazonEC2ContainerRegistryReadOnly")),
			RolePolicies: []RolePolicy{{PolicyName: "ecr-push-inline", PolicyDocument: pushDocument}}},
	}
	for _, r := range f.Roles {
		f.InstanceProfiles = append(f.InstanceProfiles, InstanceProfile{InstanceProfileName: r.RoleName, Roles: []string{r.RoleName}})
	}
	return f
}

func pickNodeRole(rng *rand.Rand) string {
	switch x := rng.IntN(100); {
	case x < 55:
		return genRoleReadOnly
	case x < 70:
		return genRolePullOnly
	case x < 85:
		return genRolePush
	}
	return genRoleInline
}

// withNodes gives every cluster of a generated region node groups, their
// instances and the subnets they run in: private subnets routed through a
// NAT gateway, and for a seeded fifth of the clusters a public subnet routed
// to an internet gateway, where the first node group runs with public IPs.
// Clusters also get vpc-cni (a seeded mix with and without network policy),
// coredns and kube-proxy, and access entries for their node roles when the
// authentication mode allows them.
func withNodes(rng *rand.Rand, perCluster int, acct string, r *Region) {
	if perCluster == 0 {
		return
	}
	hex := func(parts ...string) string {
		return shortHex(digest(append([]string{"generate", acct, r.Name}, parts...)...), 17)
	}
	private := RouteTable{RouteTableID: "rtb-" + hex("private"), Tags: map[string]string{"Name": "private"},
		Routes: []Route{{DestinationCidrBlock: "0.0.0.0/0", NatGatewayID: "nat-" + hex("nat")},
			{DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayID: "eigw-" + hex("eigw")}}}
	igw := "igw-" + hex("igw")
	public := RouteTable{RouteTableID: "rtb-" + hex("public"), Tags: map[string]string{"Name": "public"},
		Routes: []Route{{DestinationCidrBlock: "0.0.0.0/0", GatewayID: igw}, {DestinationIpv6CidrBlock: "::/0", GatewayID: igw}}}
	for ci := range r.Clusters {
		c := &r.Clusters[ci]
		v6 := c.KubernetesNetworkConfig != nil && c.KubernetesNetworkConfig.IPFamily == "ipv6"
		v6prefix := map[string]string{} // subnet -> its /64, without the "::/64"
		site := digest(acct, r.Name)
		subnet := func(id, name string, public bool) Subnet {
			s := Subnet{SubnetID: id, MapPublicIPOnLaunch: public, Tags: map[string]string{"Name": c.Name + "-" + name}}
			if public {
				s.Tags["kubernetes.io/role/elb"] = "1"
			} else {
				s.Tags["kubernetes.io/role/internal-elb"] = "1"
			}
			if v6 {
				v6prefix[id] = fmt.Sprintf("2600:1f18:%x:%x", binary.BigEndian.Uint16(site[:2]), len(r.Subnets)%0x10000)
				s.Ipv6CidrBlock = v6prefix[id] + "::/64"
			}
			return s
		}
		own := defaultClusterSubnets(acct, r.Name, c.Name)
		for i, id := range own {
			r.Subnets = append(r.Subnets, subnet(id, "private-"+string(rune('a'+i)), false))
			private.Associations = append(private.Associations, RouteTableAssociation{SubnetID: id})
		}
		publicSubnet := ""
		if rng.IntN(100) < 20 {
			publicSubnet = "subnet-" + hex("public", c.Name)
			r.Subnets = append(r.Subnets, subnet(publicSubnet, "public", true))
			public.Associations = append(public.Associations, RouteTableAssociation{SubnetID: publicSubnet})
		}
		roles := map[string]bool{}
		var roleOrder []string
		for k := 1; k <= perCluster; k++ {
			ngName := fmt.Sprintf("ng-%d", k)
			role := pickNodeRole(rng)
			if !roles[role] {
				roles[role] = true
				roleOrder = append(roleOrder, role)
			}
			ng := Nodegroup{NodegroupName: ngName, NodeRole: "arn:aws:iam::" + acct + ":role/" + role,
				Tags: map[string]string{"team": fmt.Sprintf("team-%d", k)}}
			inPublic := k == 1 && publicSubnet != ""
			if inPublic {
				ng.Subnets = []string{publicSubnet}
			}
			if rng.IntN(100) < 10 {
				ng.RemoteAccess = &RemoteAccess{Ec2SSHKey: "ops"}
			}
			c.Nodegroups = append(c.Nodegroups, ng)
			for j := 0; j < 2; j++ {
				d := digest("generate-instance", acct, r.Name, c.Name, ngName, fmt.Sprint(j))
				in := Instance{InstanceID: "i-" + shortHex(d, 17), SubnetID: own[j%2], State: "running",
					IamInstanceProfile: &IamInstanceProfile{Arn: "arn:aws:iam::" + acct + ":instance-profile/" + role},
					Tags:               map[string]string{"eks:cluster-name": c.Name, "eks:nodegroup-name": ngName, "kubernetes.io/cluster/" + c.Name: "owned"}}
				if inPublic {
					in.SubnetID = publicSubnet
					in.PublicIPAddress = fmt.Sprintf("203.0.113.%d", 1+int(d[20])%254)
				}
				if v6 {
					in.Ipv6Addresses = []string{fmt.Sprintf("%s::%x", v6prefix[in.SubnetID], 1+binary.BigEndian.Uint16(d[21:23])%0xfffe)}
				}
				r.Instances = append(r.Instances, in)
			}
		}
		cni := Addon{AddonName: "vpc-cni"}
		switch x := rng.IntN(100); {
		case x < 40:
			cni.ConfigurationValues = `{"enableNetworkPolicy":"true"}`
		case x < 55:
			cni.ConfigurationValues = `{"enableNetworkPolicy":"false"}`
		}
		c.Addons = append(c.Addons, cni, Addon{AddonName: "coredns"}, Addon{AddonName: "kube-proxy"})
		if ac := c.AccessConfig; ac != nil && strings.HasPrefix(ac.AuthenticationMode, "API") {
			for _, role := range roleOrder {
				c.AccessEntries = append(c.AccessEntries, AccessEntry{PrincipalArn: "arn:aws:iam::" + acct + ":role/" + role, Type: "EC2_LINUX"})
			}
		}
	}
	r.RouteTables = append(r.RouteTables, private)
	if len(public.Associations) > 0 {
		r.RouteTables = append(r.RouteTables, public)
	}
}

// withRegistry gives a generated region ECR repositories (a seeded mix of
// scan on push, tag immutability and KMS encryption) and, for a seeded share
// of regions, a registry scanning configuration.
func withRegistry(rng *rand.Rand, n int, acct string, r *Region) {
	if n == 0 {
		return
	}
	for k := 0; k < n; k++ {
		repo := Repository{RepositoryName: fmt.Sprintf("team-%02d/service-%04d", k%8+1, k+1),
			ImageScanningConfiguration: &ImageScanningConfiguration{ScanOnPush: rng.IntN(2) == 0}}
		if rng.IntN(100) < 30 {
			repo.ImageTagMutability = "IMMUTABLE"
		}
		if rng.IntN(100) < 20 {
			repo.EncryptionConfiguration = &RepositoryEncryption{EncryptionType: "KMS",
				KmsKey: fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", r.Name, acct, uuidFrom("ecr-key", acct, r.Name))}
		}
		r.Repositories = append(r.Repositories, repo)
	}
	switch x := rng.IntN(100); {
	case x < 40: // ECR's default: basic scanning, no rules
	case x < 70:
		r.RegistryScanningConfiguration = &RegistryScanningConfiguration{ScanType: "BASIC",
			Rules: []ScanningRule{{ScanFrequency: "SCAN_ON_PUSH", RepositoryFilters: []RepositoryFilter{{Filter: "*", FilterType: "WILDCARD"}}}}}
	default:
		r.RegistryScanningConfiguration = &RegistryScanningConfiguration{ScanType: "ENHANCED",
			Rules: []ScanningRule{
				{ScanFrequency: "CONTINUOUS_SCAN", RepositoryFilters: []RepositoryFilter{{Filter: "team-01/*", FilterType: "WILDCARD"}}},
				{ScanFrequency: "SCAN_ON_PUSH", RepositoryFilters: []RepositoryFilter{{Filter: "*", FilterType: "WILDCARD"}}}}}
	}
}

// withLoadBalancers gives every cluster of a generated region load
// balancers, tagged as the AWS Load Balancer Controller and the in-tree
// service controller tag them: a seeded mix of TLS-terminating and
// plain-text application, network and classic load balancers.
func withLoadBalancers(rng *rand.Rand, perCluster int, acct string, r *Region) {
	if perCluster == 0 {
		return
	}
	for _, c := range r.Clusters {
		for j := 1; j <= perCluster; j++ {
			name := fmt.Sprintf("k8s-%s-%d", c.Name, j)
			if len(name) > 32 {
				name = fmt.Sprintf("k8s-%s-%d", shortHex(digest(c.Name), 12), j)
			}
			cert := fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", r.Name, acct, uuidFrom("certificate", acct, r.Name, name))
			stack := fmt.Sprintf("default/web-%d", j)
			v2Tags := func(kind string) map[string]string {
				return map[string]string{"elbv2.k8s.aws/cluster": c.Name, kind + ".k8s.aws/stack": stack, kind + ".k8s.aws/resource": "LoadBalancer"}
			}
			classicTags := map[string]string{"kubernetes.io/cluster/" + c.Name: "owned", "kubernetes.io/service-name": stack}
			httpForward := Listener{Port: 80, Protocol: "HTTP", DefaultActions: []ListenerAction{{Type: "forward"}}}
			var lb LoadBalancer
			switch x := rng.IntN(100); {
			case x < 30:
				lb = LoadBalancer{Type: "application", Tags: v2Tags("ingress"), Listeners: []Listener{
					{Port: 443, Protocol: "HTTPS", Certificates: []ListenerCertificate{{CertificateArn: cert}}, DefaultActions: []ListenerAction{{Type: "forward"}}},
					{Port: 80, Protocol: "HTTP", DefaultActions: []ListenerAction{{Type: "redirect", RedirectConfig: &RedirectConfig{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}}}},
				}}
			case x < 45:
				lb = LoadBalancer{Type: "application", Tags: v2Tags("ingress"), Listeners: []Listener{httpForward}}
			case x < 55:
				lb = LoadBalancer{Type: "application", Scheme: "internal", Tags: v2Tags("ingress"), Listeners: []Listener{httpForward}}
			case x < 70:
				lb = LoadBalancer{Type: "network", Tags: v2Tags("service"), Listeners: []Listener{
					{Port: 443, Protocol: "TLS", Certificates: []ListenerCertificate{{CertificateArn: cert}}}}}
			case x < 80:
				lb = LoadBalancer{Type: "network", Tags: v2Tags("service"), Listeners: []Listener{{Port: 80, Protocol: "TCP"}}}
			case x < 90:
				lb = LoadBalancer{Type: "classic", Tags: classicTags, Listeners: []Listener{
					{Protocol: "HTTPS", LoadBalancerPort: 443, InstanceProtocol: "HTTP", InstancePort: 30443, SSLCertificateID: cert}}}
			default:
				lb = LoadBalancer{Type: "classic", Tags: classicTags, Listeners: []Listener{
					{Protocol: "HTTP", LoadBalancerPort: 80, InstanceProtocol: "HTTP", InstancePort: 30080}}}
			}
			lb.LoadBalancerName = name
			r.LoadBalancers = append(r.LoadBalancers, lb)
		}
	}
}
