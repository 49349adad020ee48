package model

import "slices"

// Part names data beyond DescribeCluster that some checks read: a cluster's node groups, instances,
// subnets, node roles, add-ons and load balancers, or a region's container registry. Each check
// declares the parts it reads, and a live collection fetches only the parts the selected controls
// need, so that a scan of the endpoint controls makes the calls it always made.
type Part string

// The parts, with the calls that read them on a live account (docs/controls-beyond-the-cluster.md).
const (
	// PartNodeGroups: eks:ListNodegroups, eks:DescribeNodegroup.
	PartNodeGroups Part = "nodegroups"
	// PartAccessEntries: eks:ListAccessEntries, eks:DescribeAccessEntry (EC2 node entries), read
	// only when the authentication mode includes API.
	PartAccessEntries Part = "access-entries"
	// PartInstances: ec2:DescribeInstances for the instances tagged for the cluster.
	PartInstances Part = "instances"
	// PartSubnets: ec2:DescribeSubnets and ec2:DescribeRouteTables for the subnets nodes run in.
	PartSubnets Part = "subnets"
	// PartNodeRoles: iam:GetInstanceProfile, iam:ListAttachedRolePolicies, iam:GetPolicy,
	// iam:GetPolicyVersion, iam:ListRolePolicies, iam:GetRolePolicy for every node role.
	PartNodeRoles Part = "node-roles"
	// PartAddons: eks:DescribeAddon for the VPC CNI.
	PartAddons Part = "addons"
	// PartLoadBalancers: elasticloadbalancing:DescribeLoadBalancers, DescribeTags and
	// DescribeListeners, for ALB/NLB and classic load balancers.
	PartLoadBalancers Part = "load-balancers"
	// PartRegistry: ecr:GetRegistryScanningConfiguration and ecr:DescribeRepositories, per region.
	PartRegistry Part = "ecr-registry"
	// PartProbe: no AWS call, but the network probe of the endpoint (--probe), which needs the
	// certificate authority DescribeCluster answers.
	PartProbe Part = "probe"
)

// Parts is a set of parts.
type Parts []Part

// Has reports whether the set holds p.
func (ps Parts) Has(p Part) bool { return slices.Contains(ps, p) }

// Add adds parts not already in the set, keeping it sorted.
func (ps Parts) Add(more ...Part) Parts {
	for _, p := range more {
		if !ps.Has(p) {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return ps
}

// NodeGroup is an EKS managed node group (DescribeNodegroup), or a node group declared in IaC.
type NodeGroup struct {
	Name   string `json:"name"`
	ARN    string `json:"arn,omitempty"`
	Status string `json:"status,omitempty"`
	// NodeRole is the ARN (or, in IaC, the name or reference) of the nodes' IAM role.
	NodeRole string `json:"nodeRole,omitempty"`
	// Subnets the node group launches nodes in.
	Subnets Strings `json:"subnets"`
	// RemoteAccess is true when the node group opens SSH (remoteAccess with an ec2SshKey); with no
	// source security groups EKS opens port 22 to 0.0.0.0/0.
	RemoteAccess        Bool     `json:"remoteAccess"`
	RemoteAccessSources []string `json:"remoteAccessSourceSecurityGroups,omitempty"`
	// PrivateNetworking is eksctl's privateNetworking: nodes in private subnets only.
	PrivateNetworking *Bool     `json:"privateNetworking,omitempty"`
	Loc               *Location `json:"location,omitempty"`
}

// Instance is an EC2 instance tagged for the cluster (a node, managed or self-managed).
type Instance struct {
	ID        string   `json:"id"`
	State     string   `json:"state,omitempty"`
	SubnetID  string   `json:"subnetId,omitempty"`
	PublicIP  string   `json:"publicIp,omitempty"`
	IPv6      []string `json:"ipv6Addresses,omitempty"`
	NodeGroup string   `json:"nodegroup,omitempty"`
	// InstanceProfile is the ARN of the instance's profile, whose role is the node role.
	InstanceProfile string `json:"instanceProfile,omitempty"`
}

// Subnet is a subnet nodes run in, with what makes it public.
type Subnet struct {
	ID string `json:"id"`
	// Name is the IaC address (aws_subnet.private[0]) when the subnet is declared in IaC.
	Name string `json:"name,omitempty"`
	// MapPublicIPOnLaunch gives instances launched in the subnet a public IPv4 address.
	MapPublicIPOnLaunch Bool `json:"mapPublicIpOnLaunch"`
	// RouteTable is the route table that applies (the explicit association, else the VPC's main
	// table).
	RouteTable string `json:"routeTable,omitempty"`
	// InternetRoute is the default route to an internet gateway ("0.0.0.0/0 -> igw-1"), empty
	// when there is none; Routed says whether that is known.
	InternetRoute string    `json:"internetRoute,omitempty"`
	Routed        Bool      `json:"routeKnown"`
	Loc           *Location `json:"location,omitempty"`
}

// Role is an IAM role the cluster's nodes run as, with its policies.
type Role struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// From says how the role was found: "nodegroup ng-1", "access entry", "instance i-0abc".
	From     []string `json:"from"`
	Policies []Policy `json:"policies"`
}

// Policy is a policy attached to or inline in a role.
type Policy struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Inline is true for a policy embedded in the role (GetRolePolicy).
	Inline bool `json:"inline,omitempty"`
	// Document is the policy's JSON (the default version of a managed policy).
	Document string `json:"document"`
}

// Addon is an EKS add-on (DescribeAddon), or one declared in IaC.
type Addon struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Status  string `json:"status,omitempty"`
	// ConfigurationValues is the add-on's configuration (JSON or YAML text).
	ConfigurationValues String    `json:"configurationValues"`
	Loc                 *Location `json:"location,omitempty"`
}

// LoadBalancer is an Elastic Load Balancing load balancer tagged for the cluster.
type LoadBalancer struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Type is application, network, gateway or classic.
	Type string `json:"type"`
	// Scheme is internet-facing or internal.
	Scheme    string     `json:"scheme,omitempty"`
	Listeners []Listener `json:"listeners"`
}

// Listener is one listener of a load balancer.
type Listener struct {
	ARN      string `json:"arn,omitempty"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol"`
	// Certificates are the listener's certificate ARNs (HTTPS, TLS, SSL).
	Certificates []string `json:"certificates,omitempty"`
	// RedirectsToHTTPS is true when the default action redirects to HTTPS (HTTP listeners of an
	// ALB).
	RedirectsToHTTPS bool `json:"redirectsToHttps,omitempty"`
	// DefaultAction is the type of the first default action (forward, redirect, fixed-response).
	DefaultAction string `json:"defaultAction,omitempty"`
}

// Registry is an account's private ECR registry in one region: its scanning configuration and
// repositories (or, in IaC, what a tree declares of them).
type Registry struct {
	Account string    `json:"account,omitempty"`
	Region  string    `json:"region,omitempty"`
	Source  Source    `json:"source"`
	Loc     *Location `json:"location,omitempty"`
	Root    string    `json:"root,omitempty"`
	// ScanType is BASIC or ENHANCED.
	ScanType     String       `json:"scanType"`
	Rules        []ScanRule   `json:"rules"`
	Repositories []Repository `json:"repositories"`
	// Errors are the calls that failed: the registry is then judged ERROR.
	Errors []Error `json:"errors,omitempty"`
}

// ScanRule is a registry scanning rule.
type ScanRule struct {
	// Frequency is SCAN_ON_PUSH, CONTINUOUS_SCAN or MANUAL.
	Frequency string `json:"scanFrequency"`
	// Filters are the repository filters (wildcards); none means no repository.
	Filters []string  `json:"repositoryFilters"`
	Loc     *Location `json:"location,omitempty"`
}

// Repository is an ECR repository and its own scan-on-push setting.
type Repository struct {
	Name       string    `json:"name"`
	ARN        string    `json:"arn,omitempty"`
	ScanOnPush Bool      `json:"scanOnPush"`
	Loc        *Location `json:"location,omitempty"`
}
