// Package model is the typed description of an EKS cluster that every source adapter fills and every
// check reads. Each setting carries where its value came from (explicit, a default applied by the
// adapter, or unknown), so that a check can refuse to pass or fail what nobody actually knows.
package model

import "time"

// Origin says where a value came from.
type Origin string

const (
	// OriginExplicit means the API returned it or the user wrote it.
	OriginExplicit Origin = "explicit"
	// OriginDefault means the adapter filled in the AWS (or module) default because nothing was set.
	OriginDefault Origin = "default"
	// OriginUnknown means the value cannot be known: an unresolved expression, or a field the API omitted.
	OriginUnknown Origin = "unknown"
)

// Location points into a user's file.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
}

// Bool is a boolean setting with its origin.
type Bool struct {
	Value  bool      `json:"value"`
	Origin Origin    `json:"origin"`
	Loc    *Location `json:"location,omitempty"`
	// Detail says which default applied or why the value is unknown ("var.public has no value").
	Detail string `json:"detail,omitempty"`
}

// Known reports whether the value can be relied on.
func (b Bool) Known() bool { return b.Origin == OriginExplicit || b.Origin == OriginDefault }

// Strings is a list setting with its origin.
type Strings struct {
	Values []string  `json:"values"`
	Origin Origin    `json:"origin"`
	Loc    *Location `json:"location,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Known reports whether the list can be relied on.
func (s Strings) Known() bool { return s.Origin == OriginExplicit || s.Origin == OriginDefault }

// String is a text setting with its origin (an authentication mode, a key ARN).
type String struct {
	Value  string    `json:"value"`
	Origin Origin    `json:"origin"`
	Loc    *Location `json:"location,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Known reports whether the text can be relied on.
func (s String) Known() bool { return s.Origin == OriginExplicit || s.Origin == OriginDefault }

// Explicit, Default and Unknown build values tersely in adapters and tests.
func Explicit(v bool) Bool { return Bool{Value: v, Origin: OriginExplicit} }

// Default builds a value filled in by an adapter; detail names the default.
func Default(v bool, detail string) Bool {
	return Bool{Value: v, Origin: OriginDefault, Detail: detail}
}

// Unknown builds a value that cannot be resolved; detail says why.
func Unknown(detail string) Bool { return Bool{Origin: OriginUnknown, Detail: detail} }

// ExplicitString builds an explicit text value.
func ExplicitString(v string) String { return String{Value: v, Origin: OriginExplicit} }

// DefaultString builds a text value filled in by an adapter; detail names the default.
func DefaultString(v, detail string) String {
	return String{Value: v, Origin: OriginDefault, Detail: detail}
}

// UnknownString builds a text value that cannot be resolved; detail says why.
func UnknownString(detail string) String { return String{Origin: OriginUnknown, Detail: detail} }

// UnknownList builds a list that cannot be resolved; detail says why.
func UnknownList(detail string) Strings {
	return Strings{Values: []string{}, Origin: OriginUnknown, Detail: detail}
}

// DefaultList builds a list filled in by an adapter; detail names the default.
func DefaultList(detail string, v ...string) Strings {
	if v == nil {
		v = []string{}
	}
	return Strings{Values: v, Origin: OriginDefault, Detail: detail}
}

// ExplicitList builds an explicit list; a nil slice becomes empty so JSON never says null.
func ExplicitList(v ...string) Strings {
	if v == nil {
		v = []string{}
	}
	return Strings{Values: v, Origin: OriginExplicit}
}

// Source names the kind of input a cluster was read from.
type Source string

const (
	SourceAWS            Source = "aws"
	SourceTerraform      Source = "terraform"
	SourceTerraformPlan  Source = "terraform-plan"
	SourceCloudFormation Source = "cloudformation"
	SourceEksctl         Source = "eksctl"
	SourceKubernetes     Source = "kubernetes"
)

// Live reports whether the cluster was read from a running AWS account (directly or via a snapshot).
func (s Source) Live() bool { return s == SourceAWS }

// Cluster statuses as EKS reports them.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
	StatusFailed   = "FAILED"
	StatusPending  = "PENDING"
)

// Cluster is one EKS cluster, live or declared in infrastructure-as-code.
type Cluster struct {
	Name    string `json:"name"`
	ARN     string `json:"arn,omitempty"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	Source  Source `json:"source"`
	// Loc is where an IaC resource is declared; nil for live clusters.
	Loc *Location `json:"location,omitempty"`
	// Kind is the IaC resource kind (aws_eks_cluster, AWS::EKS::Cluster, module call, ClusterConfig).
	Kind string `json:"kind,omitempty"`

	Status          string `json:"status,omitempty"`
	Version         string `json:"version,omitempty"`
	PlatformVersion string `json:"platformVersion,omitempty"`
	Endpoint        string `json:"endpoint,omitempty"`
	// CAData is certificateAuthority.data: the base64 PEM bundle of the CA that signs the API
	// server's certificate, which --probe verifies the endpoint against.
	CAData    string     `json:"certificateAuthority,omitempty"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
	IPFamily  string     `json:"ipFamily,omitempty"`

	EndpointPublicAccess  Bool    `json:"endpointPublicAccess"`
	EndpointPrivateAccess Bool    `json:"endpointPrivateAccess"`
	PublicAccessCIDRs     Strings `json:"publicAccessCidrs"`
	// EnabledLogTypes are the control plane log types sent to CloudWatch Logs (logging.clusterLogging
	// entries with enabled true); the others are disabled.
	EnabledLogTypes Strings `json:"enabledLogTypes"`
	// AuthenticationMode is accessConfig.authenticationMode: CONFIG_MAP, API_AND_CONFIG_MAP or API.
	AuthenticationMode String `json:"authenticationMode"`
	// SecretsKeyARN is the KMS key of the encryptionConfig entry that covers Kubernetes secrets; an
	// empty known value means secrets are not encrypted with a key of the account's (EKS's own
	// default encryption uses AWS-owned keys).
	SecretsKeyARN String `json:"secretsKeyArn"`

	VpcID                  string   `json:"vpcId,omitempty"`
	ClusterSecurityGroupID string   `json:"clusterSecurityGroupId,omitempty"`
	SecurityGroupIDs       []string `json:"securityGroupIds,omitempty"`
	SubnetIDs              []string `json:"subnetIds,omitempty"`
	// HybridNodes is true when remoteNetworkConfig declares remote node networks.
	HybridNodes bool `json:"hybridNodes,omitempty"`
	// Connector is true for registered (EKS Connector) clusters.
	Connector bool `json:"connector,omitempty"`
	// Outpost is true for local clusters on Outposts.
	Outpost bool `json:"outpost,omitempty"`

	// Updates lists updates that were in progress when the cluster was read.
	Updates []Update `json:"updatesInProgress,omitempty"`
	// UpdatesError says why updates in progress could not be listed, when that failed.
	UpdatesError string `json:"updatesError,omitempty"`

	Tags map[string]string `json:"tags,omitempty"`
	// Notes carries adapter remarks worth showing with the verdict (e.g. "endpoint is briefly public
	// during eksctl creation").
	Notes []string `json:"notes,omitempty"`
	// AlsoDeclaredIn lists other files (file:line) that declare parts of this cluster the checks do
	// not read, such as an eksctl file of node groups only.
	AlsoDeclaredIn []string `json:"alsoDeclaredIn,omitempty"`
	// Parts lists what was read beyond DescribeCluster (node groups, add-ons, ...). A check that
	// reads a part the list lacks does not judge it as absent: a live cluster is UNKNOWN (a snapshot
	// taken for other controls), a definition in IaC is not judged (its format does not declare it).
	Parts Parts `json:"parts,omitempty"`
	// PartErrors are calls for a part that failed: the checks that read it are ERROR, naming the
	// call, and the other checks stand.
	PartErrors []Error `json:"partErrors,omitempty"`
	// NodeGroups are the managed node groups (or node groups declared with the cluster in IaC).
	NodeGroups []NodeGroup `json:"nodegroups,omitempty"`
	// Instances are the EC2 instances tagged for the cluster.
	Instances []Instance `json:"instances,omitempty"`
	// Subnets are the subnets the nodes run in, with their routes.
	Subnets []Subnet `json:"nodeSubnets,omitempty"`
	// NodeRoles are the IAM roles of the nodes, with their policies.
	NodeRoles []Role `json:"nodeRoles,omitempty"`
	// Addons are the EKS add-ons read (the VPC CNI).
	Addons []Addon `json:"addons,omitempty"`
	// LoadBalancers are the load balancers tagged for the cluster.
	LoadBalancers []LoadBalancer `json:"loadBalancers,omitempty"`
	// Probe is what the endpoint answered from where eksguard ran (--probe).
	Probe *ProbeResult `json:"probe,omitempty"`
	// Kube is what the cluster's Kubernetes API answered (PartKubernetes, PartKubelet).
	Kube *Kube `json:"kubernetes,omitempty"`

	// Root is, for a definition in IaC, the folder where evaluation started (Terraform's root module,
	// or the folder of a template), relative to the working directory: a module called from several
	// roots declares a cluster in each.
	Root string `json:"root,omitempty"`
}

// Update is an EKS update (UpdateClusterConfig, version update, ...).
type Update struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	Status    string            `json:"status"`
	CreatedAt *time.Time        `json:"createdAt,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
}
