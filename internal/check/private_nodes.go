package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// NodesEvidence is what the private nodes check saw.
type NodesEvidence struct {
	NodeGroups []NodeGroupEvidence `json:"nodegroups"`
	Instances  []InstanceEvidence  `json:"instances"`
	Subnets    []SubnetEvidence    `json:"subnets"`
	Note       string              `json:"note,omitempty"`
	Context
}

// NodeGroupEvidence is a node group, its subnets and SSH access.
type NodeGroupEvidence struct {
	Name              string          `json:"name"`
	Subnets           []string        `json:"subnets"`
	RemoteAccess      *bool           `json:"remoteAccess,omitempty"`
	SSHFrom           []string        `json:"sshFrom,omitempty"`
	PrivateNetworking *bool           `json:"privateNetworking,omitempty"`
	Location          *model.Location `json:"location,omitempty"`
}

// InstanceEvidence is a node instance and its addresses.
type InstanceEvidence struct {
	ID       string   `json:"id"`
	Subnet   string   `json:"subnet,omitempty"`
	PublicIP string   `json:"publicIp,omitempty"`
	IPv6     []string `json:"ipv6Addresses,omitempty"`
	Public   bool     `json:"public"`
}

// SubnetEvidence is a node subnet and what makes it public or private.
type SubnetEvidence struct {
	ID                  string `json:"id"`
	Name                string `json:"name,omitempty"`
	MapPublicIPOnLaunch *bool  `json:"mapPublicIpOnLaunch"`
	RouteTable          string `json:"routeTable,omitempty"`
	InternetRoute       string `json:"internetRoute,omitempty"`
	// Public is true, false, or absent when unknown.
	Public *bool  `json:"public"`
	Why    string `json:"why,omitempty"`
}

// PrivateNodes passes when no node of the cluster can be reached from the internet: every node
// group and instance sits in subnets without a default route to an internet gateway, and no node
// has a public address.
var PrivateNodes = register(&Check{
	ID:       "eks-private-nodes",
	Title:    "Nodes in private subnets without public addresses",
	Summary:  "no node has a public IP and no node subnet routes to an internet gateway",
	Severity: SeverityHigh,
	Rationale: "A node with a public address, or in a subnet routed to an internet gateway, exposes the kubelet, " +
		"NodePorts, SSH and anything a pod binds on the host to the internet, guarded only by security groups. " +
		"Nodes in private subnets reach out through a NAT gateway and cannot be reached from outside.",
	Links: []Link{
		{Title: "Amazon EKS networking requirements: subnets", URL: "https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html"},
		{Title: "Subnets for your VPC: public and private", URL: "https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartNodeGroups, model.PartInstances, model.PartSubnets},
	Calls: []APICall{
		{Action: "eks:ListNodegroups", What: "the cluster's managed node groups"},
		{Action: "eks:DescribeNodegroup", What: "each node group's subnets and remoteAccess"},
		{Action: "ec2:DescribeInstances", What: "instances tagged eks:cluster-name or kubernetes.io/cluster/NAME: PublicIpAddress, IPv6 addresses, subnet"},
		{Action: "ec2:DescribeSubnets", What: "MapPublicIpOnLaunch and VPC of each node subnet"},
		{Action: "ec2:DescribeRouteTables", What: "the route table of each node subnet (the VPC's main table when none is associated): a default route to an igw-"},
	},
	IaC: []IaCField{
		{FormatTerraform, "aws_eks_node_group.subnet_ids resolved to aws_subnet.map_public_ip_on_launch and the aws_route_table (aws_route) associated with it in the same tree",
			"map_public_ip_on_launch false; a subnet without an association uses the VPC's main route table; a subnet from outside the tree is unknown"},
		{FormatTerraformModule, "eks_managed_node_groups[*].subnet_ids, else the module's subnet_ids, resolved as above", "the module's subnet_ids"},
		{FormatEksctl, "managedNodeGroups[].privateNetworking and nodeGroups[].privateNetworking", "false: nodes go in the public subnets eksctl creates"},
	},
	PassRule: "No instance tagged for the cluster has a public IPv4 address (or an IPv6 address in a subnet routed to " +
		"an internet gateway for ::/0), and no subnet of a node group or node routes 0.0.0.0/0 or ::/0 to an " +
		"internet gateway (igw-). MapPublicIpOnLaunch and node groups' SSH access are shown as evidence. A cluster " +
		"with no EC2 nodes (Fargate only) passes with a note.",
	Defaults: "A subnet without an explicit route table association uses its VPC's main route table. eksctl puts " +
		"node groups in public subnets unless privateNetworking is true.",
	Advice: "launch node groups in private subnets (a NAT gateway for egress, no route to an internet gateway) " +
		"and without public IPs; a node group's subnets cannot be changed, so create a new one and move the workloads",
	AdviceIaC: "give node groups private subnets (routed to a NAT gateway, not an internet gateway; module.vpc.private_subnets " +
		"with terraform-aws-modules/vpc) and no public IPs; eksctl: privateNetworking: true on each node group. Changing a node " +
		"group's subnets replaces it",
	judge: judgeNodes,
	Examples: []Example{
		tfNodesExample("private subnets behind a NAT gateway", finding.Pass, "", "nat_gateway_id = aws_nat_gateway.main.id"),
		tfNodesExample("subnets routed to an internet gateway", finding.Fail, "map_public_ip_on_launch = true", "gateway_id = aws_internet_gateway.main.id"),
		moduleNodesExample("node group in the private subnets", finding.Pass, ""),
		moduleNodesExample("node group in the public subnets", finding.Fail, "subnet_ids = module.vpc.public_subnets"),
		eksctlNodesExample("private networking", finding.Pass, "privateNetworking: true"),
		eksctlNodesExample("defaults: public subnets", finding.Fail, ""),
	},
})

func judgeNodes(c *model.Cluster) Outcome {
	ev := &NodesEvidence{NodeGroups: []NodeGroupEvidence{}, Instances: []InstanceEvidence{}, Subnets: []SubnetEvidence{}, Context: contextOf(c)}
	o := Outcome{Evidence: ev, Location: c.Loc}
	if len(c.NodeGroups) == 0 && len(c.Instances) == 0 {
		ev.Note = "no EC2 nodes: Fargate only, or no nodes yet"
		o.Status, o.Reason = finding.Pass, "the cluster has no managed node groups and no instances tagged for it (Fargate only, or no nodes yet): no node to expose"
		return o
	}
	subnets := map[string]model.Subnet{}
	for _, s := range c.Subnets {
		subnets[s.ID] = s
	}
	used := map[string][]string{} // subnet -> users
	var public, unknown []string
	var loc *model.Location
	for _, ng := range c.NodeGroups {
		ne := NodeGroupEvidence{Name: ng.Name, Subnets: ng.Subnets.Values, Location: ng.Loc}
		if ne.Subnets == nil {
			ne.Subnets = []string{}
		}
		if ng.RemoteAccess.Known() {
			v := ng.RemoteAccess.Value
			ne.RemoteAccess = &v
			if v {
				ne.SSHFrom = ng.RemoteAccessSources
				if len(ne.SSHFrom) == 0 {
					ne.SSHFrom = []string{"0.0.0.0/0"}
				}
			}
		}
		if ng.PrivateNetworking != nil && ng.PrivateNetworking.Known() {
			v := ng.PrivateNetworking.Value
			ne.PrivateNetworking = &v
			if !v {
				public = append(public, fmt.Sprintf("node group %s (privateNetworking false: public subnets)", ng.Name))
				loc = firstLoc(c, loc, ng.PrivateNetworking.Loc, ng.Loc)
			}
		}
		ev.NodeGroups = append(ev.NodeGroups, ne)
		if ng.PrivateNetworking != nil && ng.PrivateNetworking.Known() {
			// eksctl decides: privateNetworking places the nodes in the private subnets it
			// created or was given (it refuses public ones), whatever they are named.
			continue
		}
		if !ng.Subnets.Known() {
			unknown = append(unknown, fmt.Sprintf("node group %s: %s", ng.Name, unknownField("subnets", ng.Subnets.Detail)))
			continue
		}
		for _, s := range ng.Subnets.Values {
			used[s] = append(used[s], "node group "+ng.Name)
		}
	}
	for _, in := range c.Instances {
		ie := InstanceEvidence{ID: in.ID, Subnet: in.SubnetID, PublicIP: in.PublicIP, IPv6: in.IPv6}
		if in.SubnetID != "" {
			used[in.SubnetID] = append(used[in.SubnetID], "instance "+in.ID)
		}
		s, known := subnets[in.SubnetID]
		v6Public := len(in.IPv6) > 0 && known && strings.Contains(s.InternetRoute, "::/0")
		if in.PublicIP != "" || v6Public {
			ie.Public = true
			addr := in.PublicIP
			if addr == "" {
				addr = in.IPv6[0]
			}
			public = append(public, fmt.Sprintf("instance %s (public address %s)", in.ID, addr))
		}
		ev.Instances = append(ev.Instances, ie)
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		se := SubnetEvidence{ID: id}
		s, ok := subnets[id]
		if !ok {
			se.Why = "not found by ec2:DescribeSubnets"
			unknown = append(unknown, "subnet "+id+" (used by "+strings.Join(used[id], ", ")+"): its routes could not be read")
			ev.Subnets = append(ev.Subnets, se)
			continue
		}
		se.Name, se.RouteTable, se.InternetRoute = s.Name, s.RouteTable, s.InternetRoute
		if s.MapPublicIPOnLaunch.Known() {
			v := s.MapPublicIPOnLaunch.Value
			se.MapPublicIPOnLaunch = &v
		}
		label := id
		if s.Name != "" && s.Name != id {
			label = s.Name
		}
		switch {
		case s.Routed.Known() && s.InternetRoute != "":
			t := true
			se.Public = &t
			public = append(public, fmt.Sprintf("subnet %s (route %s; used by %s)", label, s.InternetRoute, strings.Join(used[id], ", ")))
			loc = firstLoc(c, loc, s.Loc)
		case s.Routed.Known():
			f := false
			se.Public = &f
		default:
			se.Why = s.Routed.Detail
			unknown = append(unknown, fmt.Sprintf("subnet %s (used by %s): whether it routes to an internet gateway is unknown (%s)", label, strings.Join(used[id], ", "), s.Routed.Detail))
		}
		ev.Subnets = append(ev.Subnets, se)
	}
	switch {
	case len(public) > 0:
		o.Status = finding.Fail
		o.Location = firstLoc(c, loc)
		o.Reason = "nodes can be reached from the internet: " + nameList(public, maxNamed)
		if ssh := openSSH(ev.NodeGroups); ssh != "" {
			o.Reason += "; " + ssh
		}
	case len(unknown) > 0:
		o.Status = finding.Unknown
		o.Reason = strings.Join(unknown, "; ")
	default:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("%s and %s run in %s without public addresses", count(len(c.NodeGroups), "node group", "node groups"),
			count(len(c.Instances), "instance", "instances"), count(len(ids), "private subnet", "private subnets"))
	}
	return o
}

// openSSH names node groups whose SSH port EKS opens to everyone.
func openSSH(ngs []NodeGroupEvidence) string {
	var open []string
	for _, n := range ngs {
		if n.RemoteAccess != nil && *n.RemoteAccess && len(n.SSHFrom) == 1 && n.SSHFrom[0] == "0.0.0.0/0" {
			open = append(open, n.Name)
		}
	}
	if len(open) == 0 {
		return ""
	}
	return "SSH is open to 0.0.0.0/0 on node groups " + strings.Join(open, ", ")
}
