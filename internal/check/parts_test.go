package check

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// liveWith is an ACTIVE live cluster that has read every part.
func liveWith(edit func(c *model.Cluster)) *model.Cluster {
	c := &model.Cluster{Name: "prod", Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: model.StatusActive,
		AuthenticationMode: model.ExplicitString(model.AuthAPIAndConfigMap),
		Parts: model.Parts{}.Add(model.PartNodeGroups, model.PartAccessEntries, model.PartInstances, model.PartSubnets,
			model.PartNodeRoles, model.PartAddons, model.PartLoadBalancers)}
	if edit != nil {
		edit(c)
	}
	return c
}

func privateSubnet(id string) model.Subnet {
	return model.Subnet{ID: id, MapPublicIPOnLaunch: model.Explicit(false), RouteTable: "rtb-private", Routed: model.Explicit(true)}
}

func publicSubnet(id string) model.Subnet {
	return model.Subnet{ID: id, MapPublicIPOnLaunch: model.Explicit(true), RouteTable: "rtb-public", InternetRoute: "0.0.0.0/0 -> igw-1", Routed: model.Explicit(true)}
}

func nodeGroup(name string, subnets ...string) model.NodeGroup {
	return model.NodeGroup{Name: name, NodeRole: "arn:aws:iam::111111111111:role/node", Subnets: model.ExplicitList(subnets...), RemoteAccess: model.Explicit(false)}
}

func TestPrivateNodes(t *testing.T) {
	tests := []struct {
		name    string
		cluster *model.Cluster
		want    finding.Status
		reason  string
	}{
		{"fargate only", liveWith(nil), finding.Pass, "no managed node groups"},
		{"private subnets", liveWith(func(c *model.Cluster) {
			c.NodeGroups = []model.NodeGroup{nodeGroup("a", "subnet-1", "subnet-2")}
			c.Subnets = []model.Subnet{privateSubnet("subnet-1"), privateSubnet("subnet-2")}
		}), finding.Pass, "1 node group and 0 instances run in 2 private subnets"},
		{"the last of three subnets is public", liveWith(func(c *model.Cluster) {
			c.NodeGroups = []model.NodeGroup{nodeGroup("a", "subnet-1", "subnet-2", "subnet-3")}
			c.Subnets = []model.Subnet{privateSubnet("subnet-1"), privateSubnet("subnet-2"), publicSubnet("subnet-3")}
		}), finding.Fail, "subnet subnet-3 (route 0.0.0.0/0 -> igw-1; used by node group a)"},
		{"a self-managed instance with a public IP", liveWith(func(c *model.Cluster) {
			c.Instances = []model.Instance{{ID: "i-1", SubnetID: "subnet-1", PublicIP: "54.1.2.3"}}
			c.Subnets = []model.Subnet{privateSubnet("subnet-1")}
		}), finding.Fail, "instance i-1 (public address 54.1.2.3)"},
		{"IPv6 in a subnet without a ::/0 internet route", liveWith(func(c *model.Cluster) {
			c.Instances = []model.Instance{{ID: "i-1", SubnetID: "subnet-1", IPv6: []string{"2600::1"}}}
			c.Subnets = []model.Subnet{privateSubnet("subnet-1")}
		}), finding.Pass, "1 instance run in 1 private subnet"},
		{"IPv6 in a subnet routed ::/0 to an internet gateway", liveWith(func(c *model.Cluster) {
			c.Instances = []model.Instance{{ID: "i-1", SubnetID: "subnet-1", IPv6: []string{"2600::1"}}}
			s := privateSubnet("subnet-1")
			s.InternetRoute = "::/0 -> igw-1"
			c.Subnets = []model.Subnet{s}
		}), finding.Fail, "public address 2600::1"},
		{"SSH open to everyone on a public node group", liveWith(func(c *model.Cluster) {
			ng := nodeGroup("a", "subnet-1")
			ng.RemoteAccess = model.Explicit(true)
			c.NodeGroups = []model.NodeGroup{ng}
			c.Subnets = []model.Subnet{publicSubnet("subnet-1")}
		}), finding.Fail, "SSH is open to 0.0.0.0/0 on node groups a"},
		{"a subnet DescribeSubnets did not return", liveWith(func(c *model.Cluster) {
			c.NodeGroups = []model.NodeGroup{nodeGroup("a", "subnet-gone")}
		}), finding.Unknown, "subnet subnet-gone (used by node group a): its routes could not be read"},
		{"IaC subnet from outside the tree", &model.Cluster{Name: "prod", Source: model.SourceTerraform, Parts: model.Parts{}.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets),
			NodeGroups: []model.NodeGroup{nodeGroup("a", "subnet-0abc")},
			Subnets:    []model.Subnet{{ID: "subnet-0abc", Routed: model.Unknown("subnet-0abc is not declared in this tree")}}},
			finding.Unknown, "subnet-0abc is not declared in this tree"},
		{"eksctl without privateNetworking", &model.Cluster{Name: "prod", Source: model.SourceEksctl, Parts: model.Parts{}.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets),
			NodeGroups: []model.NodeGroup{{Name: "ng", Subnets: model.UnknownList("eksctl chooses"), PrivateNetworking: &model.Bool{Origin: model.OriginDefault}}}},
			finding.Fail, "node group ng (privateNetworking false: public subnets)"},
		{"eksctl with privateNetworking", &model.Cluster{Name: "prod", Source: model.SourceEksctl, Parts: model.Parts{}.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets),
			NodeGroups: []model.NodeGroup{{Name: "ng", Subnets: model.UnknownList("eksctl chooses"), PrivateNetworking: &model.Bool{Value: true, Origin: model.OriginExplicit}}}},
			finding.Pass, "private subnets"},
		{"creating", liveWith(func(c *model.Cluster) { c.Status = model.StatusCreating }), finding.Unknown, "CREATING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := PrivateNodes.Evaluate(tt.cluster)
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
}

// TestPartGate: a failed call makes only the checks that make it ERROR, naming the action; a part
// never collected is UNKNOWN on a live cluster; an IaC definition that does not declare the part
// is not judged.
func TestPartGate(t *testing.T) {
	denied := liveWith(func(c *model.Cluster) {
		c.PartErrors = []model.Error{{Operation: "ec2:DescribeRouteTables", Code: "UnauthorizedOperation", Message: "not allowed", AccessDenied: true}}
	})
	if o := PrivateNodes.Evaluate(denied); o.Status != finding.Error || !strings.Contains(o.Reason, "the caller needs ec2:DescribeRouteTables") {
		t.Errorf("private nodes with a denied call: %s %s", o.Status, o.Reason)
	}
	if o := NetworkPolicy.Evaluate(denied); o.Status != finding.Manual {
		t.Errorf("network policy does not call ec2:DescribeRouteTables, yet: %s %s", o.Status, o.Reason)
	}
	snap := liveWith(func(c *model.Cluster) { c.Parts = nil })
	if o := LoadBalancerTLS.Evaluate(snap); o.Status != finding.Unknown || !strings.Contains(o.Reason, "what this check reads (load-balancers) was not collected for this cluster") {
		t.Errorf("uncollected: %s %s", o.Status, o.Reason)
	}
	if o := EndpointPrivate.Evaluate(snap); o.Status == finding.Unknown && strings.Contains(o.Reason, "not collected") {
		t.Errorf("a check without parts is gated: %s", o.Reason)
	}
	iacCluster := &model.Cluster{Name: "x", Source: model.SourceKubernetes}
	if PrivateNodes.Applies(iacCluster) || NetworkPolicy.Applies(iacCluster) || ImageScanning.Applies(iacCluster) {
		t.Error("a definition without node groups or add-ons is judged on them")
	}
	if !EndpointPrivate.Applies(iacCluster) || !PrivateNodes.Applies(snap) {
		t.Error("a check is skipped that should run")
	}
}

func TestNetworkPolicy(t *testing.T) {
	with := func(cv model.String) *model.Cluster {
		return liveWith(func(c *model.Cluster) {
			c.Addons = []model.Addon{{Name: "coredns", ConfigurationValues: model.ExplicitString("")}, {Name: "vpc-cni", ConfigurationValues: cv}}
		})
	}
	tests := []struct {
		name    string
		cluster *model.Cluster
		want    finding.Status
		reason  string
	}{
		{"JSON on", with(model.ExplicitString(`{"enableNetworkPolicy":"true"}`)), finding.Pass, `enableNetworkPolicy "true"`},
		{"YAML on", with(model.ExplicitString("env:\n  WARM_IP_TARGET: \"5\"\nenableNetworkPolicy: \"true\"\n")), finding.Pass, "enforced"},
		{"a bare boolean", with(model.ExplicitString(`{"enableNetworkPolicy":true}`)), finding.Pass, "enforced"},
		{"off", with(model.ExplicitString(`{"enableNetworkPolicy":"false"}`)), finding.Fail, `sets enableNetworkPolicy to "false"`},
		{"no configuration", with(model.ExplicitString("")), finding.Fail, "does not set enableNetworkPolicy"},
		{"other settings only", with(model.ExplicitString(`{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}`)), finding.Fail, "does not set enableNetworkPolicy"},
		{"node agent off", with(model.ExplicitString(`{"enableNetworkPolicy":"true","nodeAgent":{"enabled":"false"}}`)), finding.Fail, "node agent off"},
		{"not JSON or YAML", with(model.ExplicitString(`{"enableNetworkPolicy": [`)), finding.Unknown, "cannot be read"},
		{"unknown in IaC", with(model.UnknownString("var.cni_config has no value")), finding.Unknown, "var.cni_config has no value"},
		{"self-managed", liveWith(nil), finding.Manual, "not installed as an EKS add-on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NetworkPolicy.Evaluate(tt.cluster)
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestLoadBalancerTLS(t *testing.T) {
	lb := func(name, scheme string, ls ...model.Listener) model.LoadBalancer {
		return model.LoadBalancer{Name: name, Type: "application", Scheme: scheme, Listeners: ls}
	}
	https := model.Listener{Port: 443, Protocol: "HTTPS", Certificates: []string{"arn:aws:acm:us-east-1:1:certificate/x"}}
	redirect := model.Listener{Port: 80, Protocol: "HTTP", RedirectsToHTTPS: true, DefaultAction: "redirect"}
	plain := model.Listener{Port: 8080, Protocol: "HTTP", DefaultAction: "forward"}
	tests := []struct {
		name   string
		lbs    []model.LoadBalancer
		want   finding.Status
		reason string
	}{
		{"none", nil, finding.Pass, "no load balancer"},
		{"https and a redirect", []model.LoadBalancer{lb("web", "internet-facing", redirect, https)}, finding.Pass, "1 load balancer uses"},
		{"plain HTTP on any port", []model.LoadBalancer{lb("web", "internet-facing", https, plain)}, finding.Fail, "web listener HTTP:8080 does not redirect to HTTPS"},
		{"internal is judged and marked", []model.LoadBalancer{lb("api", "internal", plain)}, finding.Fail, "api (internal) listener HTTP:8080"},
		{"TLS without a certificate", []model.LoadBalancer{{Name: "nlb", Type: "network", Listeners: []model.Listener{{Port: 443, Protocol: "TLS"}}}}, finding.Fail, "has no certificate"},
		{"TCP is listed, not failed", []model.LoadBalancer{{Name: "nlb", Type: "network", Listeners: []model.Listener{{Port: 5432, Protocol: "TCP"}}}}, finding.Pass, "1 TCP/UDP listener is listed"},
		{"classic HTTP", []model.LoadBalancer{{Name: "a1b2", Type: "classic", Listeners: []model.Listener{{Port: 80, Protocol: "HTTP"}}}}, finding.Fail, "a1b2 listener HTTP:80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := LoadBalancerTLS.Evaluate(liveWith(func(c *model.Cluster) { c.LoadBalancers = tt.lbs }))
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestNodeECRReadOnly(t *testing.T) {
	role := func(pols ...model.Policy) model.Role {
		return model.Role{ARN: "arn:aws:iam::111111111111:role/node", Name: "node", From: []string{"nodegroup a"}, Policies: pols}
	}
	readOnly := model.Policy{Name: "AmazonEC2ContainerRegistryReadOnly", ARN: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`}
	push := model.Policy{Name: "ci-push", ARN: "arn:aws:iam::111111111111:policy/ci-push", Document: `{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow","Action":["ecr:Put*","ecr:InitiateLayerUpload"],"Resource":"*"}]}`}
	reads := model.Policy{Name: "describe", Inline: true, Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ecr:Describe*","ecr:BatchGetImage"],"Resource":"*"}}`}
	denied := model.Policy{Name: "deny-writes", Inline: true, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"},{"Effect":"Deny","NotAction":["ecr:Describe*","ecr:List*","ecr:Get*","ecr:BatchGet*","ecr:BatchCheck*"],"Resource":"*"}]}`}
	broken := model.Policy{Name: "broken", Inline: true, Document: `{"Statement": 3}`}
	tests := []struct {
		name   string
		roles  []model.Role
		want   finding.Status
		reason string
	}{
		{"no node roles", nil, finding.Pass, "no node role found"},
		{"AWS managed read-only (whatever its document says)", []model.Role{role(readOnly)}, finding.Pass, "may only read"},
		{"reads beyond pull are read-only", []model.Role{role(reads)}, finding.Pass, "may only read"},
		{"push", []model.Role{role(readOnly, push)}, finding.Fail, "ecr:InitiateLayerUpload (role node, policy ci-push)"},
		{"every write denied", []model.Role{role(denied)}, finding.Pass, "may only read"},
		{"a document that cannot be read", []model.Role{role(broken)}, finding.Unknown, "node/broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NodeECRReadOnly.Evaluate(liveWith(func(c *model.Cluster) { c.NodeRoles = tt.roles }))
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestImageScanning(t *testing.T) {
	repo := func(name string, onPush bool) model.Repository {
		return model.Repository{Name: name, ScanOnPush: model.Explicit(onPush)}
	}
	reg := func(scanType string, rules []model.ScanRule, repos ...model.Repository) *model.Registry {
		return &model.Registry{Account: "111111111111", Region: "eu-west-1", Source: model.SourceAWS, ScanType: model.ExplicitString(scanType), Rules: rules, Repositories: repos}
	}
	all := []model.ScanRule{{Frequency: "SCAN_ON_PUSH", Filters: []string{"*"}}}
	prod := []model.ScanRule{{Frequency: "CONTINUOUS_SCAN", Filters: []string{"prod*"}}}
	manual := []model.ScanRule{{Frequency: "MANUAL", Filters: []string{"*"}}}
	var many []model.Repository
	for i := 0; i < 25; i++ {
		many = append(many, repo("svc-"+string(rune('a'+i)), false))
	}
	tests := []struct {
		name   string
		reg    *model.Registry
		want   finding.Status
		reason string
	}{
		{"no repositories", reg("BASIC", nil), finding.Pass, "no repositories in the registry of account 111111111111 in eu-west-1"},
		{"basic, every repository on push", reg("BASIC", nil, repo("a", true), repo("b", true)), finding.Pass, "all 2 repositories in the registry of account 111111111111 in eu-west-1 are scanned"},
		{"basic, the last not on push", reg("BASIC", nil, repo("a", true), repo("b", true), repo("c", false)), finding.Fail, "1 of the 3 repositories in the registry of account 111111111111 in eu-west-1 is not scanned"},
		{"basic rule for every repository", reg("BASIC", all, repo("a", false)), finding.Pass, "registry rules"},
		{"basic rules replace the repository's own setting", reg("BASIC", []model.ScanRule{{Frequency: "SCAN_ON_PUSH", Filters: []string{"prod"}}}, repo("prod-api", false), repo("dev", true)), finding.Fail, ": dev"},
		{"basic manual rules scan nothing", reg("BASIC", manual, repo("a", true)), finding.Fail, ": a"},
		{"enhanced, a filter that misses one", reg("ENHANCED", prod, repo("prod-api", false), repo("dev-api", true)), finding.Fail, ": dev-api"},
		{"enhanced without rules scans nothing", reg("ENHANCED", nil, repo("a", true)), finding.Fail, "enhanced scanning"},
		{"twenty named, then how many more", reg("BASIC", nil, many...), finding.Fail, "and 5 more"},
		{"unknown scan type", &model.Registry{Source: model.SourceTerraform, ScanType: model.UnknownString("var.scan_type has no value")}, finding.Unknown, "var.scan_type has no value"},
		{"unknown repository setting", &model.Registry{Source: model.SourceTerraform, ScanType: model.DefaultString("BASIC", "no configuration"), Repositories: []model.Repository{{Name: "a", ScanOnPush: model.Unknown("var.x")}}}, finding.Unknown, "whether 1 repository scans on push is unknown"},
		{"a failed call", &model.Registry{Account: "1", Region: "r", Source: model.SourceAWS, Errors: []model.Error{{Operation: "ecr:DescribeRepositories", AccessDenied: true, Message: "no"}}}, finding.Error, "the caller needs ecr:DescribeRepositories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ImageScanning.EvaluateRegistry(tt.reg)
			if o.Status != tt.want || !strings.Contains(o.Reason, tt.reason) {
				t.Fatalf("%s: %s, want %s containing %q", o.Status, o.Reason, tt.want, tt.reason)
			}
			if o.Status == finding.Fail && tt.reg.Source.Live() && !strings.Contains(o.Remediation, "--region eu-west-1") {
				t.Errorf("remediation %q does not name the region", o.Remediation)
			}
			if ev, ok := o.Evidence.(*ScanEvidence); ok && len(ev.UnscannedRepositories) > maxNamed {
				t.Errorf("evidence names %d repositories", len(ev.UnscannedRepositories))
			}
		})
	}
}

// TestFilterMatches is the table of ECR's documentation on filter wildcards.
func TestFilterMatches(t *testing.T) {
	names := []string{"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"}
	table := map[string][]bool{
		"prod":      {true, true, true, true, true},
		"*prod":     {true, true, false, false, false},
		"prod*":     {true, false, true, false, true},
		"*prod*":    {true, true, true, true, true},
		"prod*repo": {false, false, true, false, true},
		"*":         {true, true, true, true, true},
		"**":        {true, true, true, true, true},
	}
	for filter, want := range table {
		for i, name := range names {
			if got := FilterMatches(filter, name); got != want[i] {
				t.Errorf("filter %q on %q = %v, want %v", filter, name, got, want[i])
			}
		}
	}
}
