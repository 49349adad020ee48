package emulator

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eksguard/eksguard/internal/fileio"
)

// Fleet is the whole emulated estate: accounts, their regions and what lives
// there, plus the knobs that make the double misbehave on purpose. A Fleet
// built in Go starts from the zero Behaviour (instant updates, no lag, no
// faults); ParseFleet starts from DefaultBehaviour. New never modifies a Fleet,
// so one Fleet may back many servers.
type Fleet struct {
	// Organization says whether the first account manages an AWS
	// Organization. Nil means true; false makes ListAccounts fail with
	// AWSOrganizationsNotInUseException (TD-30).
	Organization *bool     `yaml:"organization"`
	Behaviour    Behaviour `yaml:"behaviour"`
	// Generate appends a synthetic fleet to Accounts (ParseFleet expands it).
	Generate *Generate `yaml:"generate"`
	// Accounts in order. The first one is the caller for any access key the
	// emulator did not issue itself, and the organization's management account.
	Accounts []Account `yaml:"accounts"`
}

// Behaviour holds the run-time knobs. Every field can be changed on a live
// server with Server.SetBehaviour.
type Behaviour struct {
	// Latency is added to every response of every service.
	Latency time.Duration `yaml:"latency"`
	// Throttle is one token bucket per account+region shared by all EKS
	// operations (TD-27). A zero Rate disables it.
	Throttle Throttle `yaml:"throttle"`
	// ServerErrorRate, ServiceUnavailableRate and ConnectionResetRate are the
	// fractions (0..1) of EKS calls answered with 500 ServerException, 503
	// ServiceUnavailableException, or a TCP reset without any response (TD-28).
	// A faulted call is not performed.
	ServerErrorRate        float64 `yaml:"serverErrorRate"`
	ServiceUnavailableRate float64 `yaml:"serviceUnavailableRate"`
	ConnectionResetRate    float64 `yaml:"connectionResetRate"`
	// Seed makes fault injection reproducible.
	Seed uint64 `yaml:"seed"`
	// UpdateDuration is how long an UpdateClusterConfig update stays
	// InProgress (TD-23), measured on the server's Clock.
	UpdateDuration time.Duration `yaml:"updateDuration"`
	// FailUpdates names clusters (in any account or region) whose updates all
	// end Failed with errors[] and the configuration unchanged.
	FailUpdates []string `yaml:"failUpdates"`
	// StatusLag is the number of DescribeCluster polls after an update starts
	// that still read the old status before UPDATING shows (TD-21).
	StatusLag int `yaml:"statusLag"`
	// ApplyImmediately makes new settings visible as soon as the update is
	// accepted instead of when it succeeds (a testing option of TD-22).
	ApplyImmediately bool `yaml:"applyImmediately"`
	// StoreCidrsWhenPrivate stores publicAccessCidrs sent with a resolved
	// endpointPublicAccess=false instead of ignoring them (TD-16).
	StoreCidrsWhenPrivate bool `yaml:"storeCidrsWhenPrivate"`
	// TokenMismatch decides what a reused clientRequestToken with a different
	// body does (TD-19): "error" (InvalidParameterException) or "new" (a new
	// update). Empty means "error".
	TokenMismatch string `yaml:"tokenMismatch"`
	// ListUpdatesOrder is "newest-first" (default) or "oldest-first" (TD-24).
	ListUpdatesOrder string `yaml:"listUpdatesOrder"`
	// OrganizationEmptyPages inserts this many empty ListAccounts pages that
	// still carry a NextToken before the real ones (TD-30).
	OrganizationEmptyPages int `yaml:"organizationEmptyPages"`
	// OrgPageSize, when above zero, caps ListAccounts pages below MaxResults.
	OrgPageSize int `yaml:"orgPageSize"`
	// ReservedCidrs replaces the ranges that publicAccessCidrs may not fall in
	// (TD-15). Nil means DefaultReservedCidrs.
	ReservedCidrs []string `yaml:"reservedCidrs"`
}

// Throttle configures the per account+region EKS token bucket (TD-27).
type Throttle struct {
	// Rate is the refill rate in requests per second; zero disables throttling.
	Rate float64 `yaml:"rate"`
	// Burst is the bucket size; below 1 means 1.
	Burst int `yaml:"burst"`
	// Code is ThrottlingException (default) or TooManyRequestsException. The
	// latter is only used for read operations, as observed on DescribeCluster;
	// mutating calls always get the modelled ThrottlingException.
	Code string `yaml:"code"`
	// RetryAfter, when set, is sent as the x-amz-retry-after header (ms).
	RetryAfter time.Duration `yaml:"retryAfter"`
}

// DefaultReservedCidrs are the ranges refused in publicAccessCidrs (TD-15).
// Exactly which ranges AWS refuses is unverified; these are the likely ones.
var DefaultReservedCidrs = []string{
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
	"169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "100.64.0.0/10",
	"::1/128", "fe80::/10", "fc00::/7", "ff00::/8",
}

// DefaultBehaviour is what a fleet file gets for keys it leaves out.
func DefaultBehaviour() Behaviour {
	return Behaviour{
		UpdateDuration:   2 * time.Second,
		StatusLag:        1,
		TokenMismatch:    "error",
		ListUpdatesOrder: "newest-first",
		Seed:             1,
	}
}

// Generate describes a synthetic fleet for benchmarks.
type Generate struct {
	Accounts          int       `yaml:"accounts"`
	Regions           RegionSet `yaml:"regions"`
	ClustersPerRegion int       `yaml:"clustersPerRegion"`
	Seed              uint64    `yaml:"seed"`
	// NodegroupsPerCluster, when above zero, also gives every cluster node
	// groups with their instances, subnets, route tables, node roles, add-ons
	// and access entries; RepositoriesPerRegion adds ECR repositories and a
	// registry scanning configuration; LoadBalancersPerCluster adds load
	// balancers with listeners. Each draws from a stream of its own, so a seed
	// serves what it served before these keys existed.
	NodegroupsPerCluster    int `yaml:"nodegroupsPerCluster"`
	RepositoriesPerRegion   int `yaml:"repositoriesPerRegion"`
	LoadBalancersPerCluster int `yaml:"loadBalancersPerCluster"`
}

// RegionSet is a list of region names. In a fleet file it may also be written
// as a count, which takes that many names from DefaultRegions.
type RegionSet []string

// Account is one AWS account.
type Account struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	// Status is ACTIVE (default), SUSPENDED or PENDING_CLOSURE. AssumeRole into
	// a SUSPENDED account is denied.
	Status string `yaml:"status"`
	// Roles lists the role names AssumeRole accepts; nil accepts any name.
	Roles []string `yaml:"roles"`
	// DenyAssumeRole refuses every AssumeRole into this account.
	DenyAssumeRole bool `yaml:"denyAssumeRole"`
	// ExternalID, when set, must be passed to AssumeRole.
	ExternalID string   `yaml:"externalId"`
	Regions    []Region `yaml:"regions"`
	// IAM holds the account's roles, customer policies and instance profiles.
	IAM *IAM `yaml:"iam"`
	// DenyActions answers these IAM actions with the service's AccessDenied
	// in every region of the account.
	DenyActions []string `yaml:"denyActions"`
}

// Region is one region of an account. Regions an account does not declare
// behave as enabled and empty.
type Region struct {
	Name string `yaml:"name"`
	// Enabled defaults to true. A disabled (not opted-in) region is left out of
	// DescribeRegions and refuses EKS calls with UnrecognizedClientException.
	Enabled *bool `yaml:"enabled"`
	// AccessDenied makes every EKS call here fail with AccessDeniedException.
	AccessDenied   bool            `yaml:"accessDenied"`
	Vpcs           []Vpc           `yaml:"vpcs"`
	SecurityGroups []SecurityGroup `yaml:"securityGroups"`
	DhcpOptions    []DhcpOptions   `yaml:"dhcpOptions"`
	Clusters       []Cluster       `yaml:"clusters"`
	Subnets        []Subnet        `yaml:"subnets"`
	RouteTables    []RouteTable    `yaml:"routeTables"`
	Instances      []Instance      `yaml:"instances"`
	Repositories   []Repository    `yaml:"repositories"`
	// RegistryScanningConfiguration nil is ECR's default: BASIC, no rules.
	RegistryScanningConfiguration *RegistryScanningConfiguration `yaml:"registryScanningConfiguration"`
	LoadBalancers                 []LoadBalancer                 `yaml:"loadBalancers"`
	// DenyActions answers these IAM actions (eks:ListNodegroups,
	// ecr:DescribeRepositories, ...) with the service's AccessDenied here.
	DenyActions []string `yaml:"denyActions"`
}

// Vpc is an EC2 VPC.
type Vpc struct {
	VpcID     string `yaml:"vpcId"`
	CidrBlock string `yaml:"cidrBlock"`
	// EnableDNSSupport defaults to true; EnableDNSHostnames defaults to
	// IsDefault (TD-29).
	EnableDNSSupport                 *bool             `yaml:"enableDnsSupport"`
	EnableDNSHostnames               *bool             `yaml:"enableDnsHostnames"`
	EnableNetworkAddressUsageMetrics bool              `yaml:"enableNetworkAddressUsageMetrics"`
	IsDefault                        bool              `yaml:"isDefault"`
	DhcpOptionsID                    string            `yaml:"dhcpOptionsId"`
	Tags                             map[string]string `yaml:"tags"`
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	GroupID       string         `yaml:"groupId"`
	GroupName     string         `yaml:"groupName"`
	Description   string         `yaml:"description"`
	VpcID         string         `yaml:"vpcId"`
	IPPermissions []IPPermission `yaml:"ipPermissions"`
	// IPPermissionsEgress nil means the AWS default: all traffic to 0.0.0.0/0.
	IPPermissionsEgress []IPPermission    `yaml:"ipPermissionsEgress"`
	Tags                map[string]string `yaml:"tags"`
}

// IPPermission is one security group rule.
type IPPermission struct {
	// IPProtocol is tcp, udp, icmp, icmpv6, a protocol number, or -1 (all).
	IPProtocol       string            `yaml:"ipProtocol"`
	FromPort         *int32            `yaml:"fromPort"`
	ToPort           *int32            `yaml:"toPort"`
	IPRanges         []IPRange         `yaml:"ipRanges"`
	IPv6Ranges       []IPv6Range       `yaml:"ipv6Ranges"`
	UserIDGroupPairs []UserIDGroupPair `yaml:"userIdGroupPairs"`
	PrefixListIDs    []PrefixListID    `yaml:"prefixListIds"`
}

// IPRange is an IPv4 source or destination of a rule.
type IPRange struct {
	CidrIP      string `yaml:"cidrIp"`
	Description string `yaml:"description"`
}

// IPv6Range is an IPv6 source or destination of a rule.
type IPv6Range struct {
	CidrIPv6    string `yaml:"cidrIpv6"`
	Description string `yaml:"description"`
}

// UserIDGroupPair is a security group source or destination of a rule.
type UserIDGroupPair struct {
	GroupID     string `yaml:"groupId"`
	UserID      string `yaml:"userId"`
	Description string `yaml:"description"`
}

// PrefixListID is a managed prefix list source or destination of a rule.
type PrefixListID struct {
	PrefixListID string `yaml:"prefixListId"`
	Description  string `yaml:"description"`
}

// DhcpOptions is an EC2 DHCP option set. DomainNameServers defaults to
// AmazonProvidedDNS.
type DhcpOptions struct {
	DhcpOptionsID     string            `yaml:"dhcpOptionsId"`
	DomainName        string            `yaml:"domainName"`
	DomainNameServers []string          `yaml:"domainNameServers"`
	Tags              map[string]string `yaml:"tags"`
}

// Cluster is an EKS cluster, spelled exactly like the `cluster` object of the
// DescribeCluster response, plus two emulator-only members (OmitFields,
// Updates). Members left out take AWS defaults (TD-5..TD-7).
type Cluster struct {
	Name                      string                     `yaml:"name" json:"name"`
	Arn                       string                     `yaml:"arn" json:"arn,omitempty"`
	CreatedAt                 *time.Time                 `yaml:"createdAt" json:"-"`
	Version                   string                     `yaml:"version" json:"version,omitempty"`
	Endpoint                  string                     `yaml:"endpoint" json:"endpoint,omitempty"`
	RoleArn                   string                     `yaml:"roleArn" json:"roleArn,omitempty"`
	ResourcesVpcConfig        *VpcConfig                 `yaml:"resourcesVpcConfig" json:"resourcesVpcConfig,omitempty"`
	KubernetesNetworkConfig   *KubernetesNetworkConfig   `yaml:"kubernetesNetworkConfig" json:"kubernetesNetworkConfig,omitempty"`
	Logging                   *Logging                   `yaml:"logging" json:"logging,omitempty"`
	Identity                  *Identity                  `yaml:"identity" json:"identity,omitempty"`
	Status                    string                     `yaml:"status" json:"status,omitempty"`
	CertificateAuthority      *Certificate               `yaml:"certificateAuthority" json:"certificateAuthority,omitempty"`
	ClientRequestToken        string                     `yaml:"clientRequestToken" json:"clientRequestToken,omitempty"`
	PlatformVersion           string                     `yaml:"platformVersion" json:"platformVersion,omitempty"`
	Tags                      map[string]string          `yaml:"tags" json:"tags"`
	EncryptionConfig          []EncryptionConfig         `yaml:"encryptionConfig" json:"encryptionConfig,omitempty"`
	ConnectorConfig           *ConnectorConfig           `yaml:"connectorConfig" json:"connectorConfig,omitempty"`
	ID                        string                     `yaml:"id" json:"id,omitempty"`
	Health                    *ClusterHealth             `yaml:"health" json:"health,omitempty"`
	OutpostConfig             *OutpostConfig             `yaml:"outpostConfig" json:"outpostConfig,omitempty"`
	AccessConfig              *AccessConfig              `yaml:"accessConfig" json:"accessConfig,omitempty"`
	UpgradePolicy             *UpgradePolicy             `yaml:"upgradePolicy" json:"upgradePolicy,omitempty"`
	ZonalShiftConfig          *ZonalShiftConfig          `yaml:"zonalShiftConfig" json:"zonalShiftConfig,omitempty"`
	RemoteNetworkConfig       *RemoteNetworkConfig       `yaml:"remoteNetworkConfig" json:"remoteNetworkConfig,omitempty"`
	ComputeConfig             *ComputeConfig             `yaml:"computeConfig" json:"computeConfig,omitempty"`
	StorageConfig             *StorageConfig             `yaml:"storageConfig" json:"storageConfig,omitempty"`
	DeletionProtection        *bool                      `yaml:"deletionProtection" json:"deletionProtection,omitempty"`
	ControlPlaneScalingConfig *ControlPlaneScalingConfig `yaml:"controlPlaneScalingConfig" json:"controlPlaneScalingConfig,omitempty"`
	KubeAPIServerConfig       map[string]any             `yaml:"kubeApiServerConfig" json:"kubeApiServerConfig,omitempty"`
	KubeSchedulerConfig       map[string]any             `yaml:"kubeSchedulerConfig" json:"kubeSchedulerConfig,omitempty"`
	KubeControllerManager     map[string]any             `yaml:"kubeControllerManagerConfig" json:"kubeControllerManagerConfig,omitempty"`

	// OmitFields lists JSON members (dotted paths such as
	// "resourcesVpcConfig.endpointPrivateAccess") left out of DescribeCluster,
	// to test clients against data real AWS never returns.
	OmitFields []string `yaml:"omitFields" json:"-"`
	// Updates are pre-existing updates, for example a busy cluster.
	Updates []Update `yaml:"updates" json:"-"`
	// InvisibleFor keeps the cluster out of every call but ListClusters for
	// this long after the server starts: a just-created cluster that is
	// listed but not yet describable (TD-26).
	InvisibleFor time.Duration `yaml:"invisibleFor" json:"-"`

	// Nodegroups, Addons and AccessEntries are the cluster's managed node
	// groups, add-ons and access entries (ListNodegroups, ListAddons,
	// ListAccessEntries and their Describe calls), not DescribeCluster members.
	Nodegroups    []Nodegroup   `yaml:"nodegroups" json:"-"`
	Addons        []Addon       `yaml:"addons" json:"-"`
	AccessEntries []AccessEntry `yaml:"accessEntries" json:"-"`
}

// VpcConfig is VpcConfigResponse. The endpoint booleans are pointers only so
// that a fleet can leave them out; the emulator always reports both (TD-4).
type VpcConfig struct {
	SubnetIDs              []string `yaml:"subnetIds" json:"subnetIds"`
	SecurityGroupIDs       []string `yaml:"securityGroupIds" json:"securityGroupIds"`
	ClusterSecurityGroupID string   `yaml:"clusterSecurityGroupId" json:"clusterSecurityGroupId,omitempty"`
	VpcID                  string   `yaml:"vpcId" json:"vpcId,omitempty"`
	EndpointPublicAccess   *bool    `yaml:"endpointPublicAccess" json:"endpointPublicAccess"`
	EndpointPrivateAccess  *bool    `yaml:"endpointPrivateAccess" json:"endpointPrivateAccess"`
	PublicAccessCidrs      []string `yaml:"publicAccessCidrs" json:"publicAccessCidrs"`
	ControlPlaneEgressMode string   `yaml:"controlPlaneEgressMode" json:"controlPlaneEgressMode,omitempty"`
}

// KubernetesNetworkConfig is KubernetesNetworkConfigResponse.
type KubernetesNetworkConfig struct {
	ServiceIpv4Cidr      string                `yaml:"serviceIpv4Cidr" json:"serviceIpv4Cidr,omitempty"`
	ServiceIpv6Cidr      string                `yaml:"serviceIpv6Cidr" json:"serviceIpv6Cidr,omitempty"`
	IPFamily             string                `yaml:"ipFamily" json:"ipFamily,omitempty"`
	ElasticLoadBalancing *ElasticLoadBalancing `yaml:"elasticLoadBalancing" json:"elasticLoadBalancing,omitempty"`
}

// ElasticLoadBalancing is the Auto Mode load balancing capability.
type ElasticLoadBalancing struct {
	Enabled    *bool          `yaml:"enabled" json:"enabled,omitempty"`
	GatewayAPI map[string]any `yaml:"gatewayApi" json:"gatewayApi,omitempty"`
}

// Logging is the control plane logging configuration. A fleet may list the
// log types in any entries; DescribeCluster shows them as EKS does, one entry
// with the enabled types and one with all the others.
type Logging struct {
	ClusterLogging []LogSetup `yaml:"clusterLogging" json:"clusterLogging"`
}

// LogSetup enables or disables a group of log types. In a fleet, Enabled is
// required and a type may not be both enabled and disabled.
type LogSetup struct {
	Types   []string `yaml:"types" json:"types" fleet:"text"`
	Enabled *bool    `yaml:"enabled" json:"enabled,omitempty"`
}

// Identity holds the OIDC issuer.
type Identity struct {
	OIDC *OIDC `yaml:"oidc" json:"oidc,omitempty"`
}

// OIDC is the cluster's OpenID Connect issuer.
type OIDC struct {
	Issuer string `yaml:"issuer" json:"issuer,omitempty"`
}

// Certificate is the cluster CA.
type Certificate struct {
	Data string `yaml:"data" json:"data,omitempty"`
}

// EncryptionConfig is envelope encryption of Kubernetes secrets with a KMS
// key. A cluster without one has no encryptionConfig at all, as on EKS.
type EncryptionConfig struct {
	Resources []string  `yaml:"resources" json:"resources,omitempty" fleet:"text"`
	Provider  *Provider `yaml:"provider" json:"provider,omitempty"`
}

// Provider is the KMS key used for envelope encryption.
type Provider struct {
	KeyArn string `yaml:"keyArn" json:"keyArn,omitempty" fleet:"text"`
}

// ConnectorConfig marks a registered (EKS Connector) cluster. Registered
// clusters are only listed with include=all (TD-25).
type ConnectorConfig struct {
	ActivationID     string     `yaml:"activationId" json:"activationId,omitempty"`
	ActivationCode   string     `yaml:"activationCode" json:"activationCode,omitempty"`
	ActivationExpiry *time.Time `yaml:"activationExpiry" json:"-"`
	Provider         string     `yaml:"provider" json:"provider,omitempty"`
	RoleArn          string     `yaml:"roleArn" json:"roleArn,omitempty"`
}

// ClusterHealth lists health issues.
type ClusterHealth struct {
	Issues []ClusterIssue `yaml:"issues" json:"issues"`
}

// ClusterIssue is one health issue.
type ClusterIssue struct {
	Code        string   `yaml:"code" json:"code,omitempty"`
	Message     string   `yaml:"message" json:"message,omitempty"`
	ResourceIDs []string `yaml:"resourceIds" json:"resourceIds,omitempty"`
}

// OutpostConfig marks an Outposts local cluster.
type OutpostConfig struct {
	OutpostArns              []string       `yaml:"outpostArns" json:"outpostArns,omitempty"`
	ControlPlaneInstanceType string         `yaml:"controlPlaneInstanceType" json:"controlPlaneInstanceType,omitempty"`
	ControlPlanePlacement    map[string]any `yaml:"controlPlanePlacement" json:"controlPlanePlacement,omitempty"`
}

// AccessConfig is the cluster authentication configuration.
type AccessConfig struct {
	BootstrapClusterCreatorAdminPermissions *bool  `yaml:"bootstrapClusterCreatorAdminPermissions" json:"bootstrapClusterCreatorAdminPermissions,omitempty"`
	AuthenticationMode                      string `yaml:"authenticationMode" json:"authenticationMode,omitempty" fleet:"text"`
}

// UpgradePolicy is STANDARD or EXTENDED support.
type UpgradePolicy struct {
	SupportType string `yaml:"supportType" json:"supportType,omitempty"`
}

// ZonalShiftConfig is ARC zonal shift.
type ZonalShiftConfig struct {
	Enabled *bool `yaml:"enabled" json:"enabled,omitempty"`
}

// RemoteNetworkConfig is the hybrid nodes configuration.
type RemoteNetworkConfig struct {
	RemoteNodeNetworks []RemoteNetwork `yaml:"remoteNodeNetworks" json:"remoteNodeNetworks"`
	RemotePodNetworks  []RemoteNetwork `yaml:"remotePodNetworks" json:"remotePodNetworks"`
}

// RemoteNetwork is a list of on-premises CIDRs.
type RemoteNetwork struct {
	Cidrs []string `yaml:"cidrs" json:"cidrs"`
}

// ComputeConfig is the Auto Mode compute capability.
type ComputeConfig struct {
	Enabled     *bool    `yaml:"enabled" json:"enabled,omitempty"`
	NodePools   []string `yaml:"nodePools" json:"nodePools,omitempty"`
	NodeRoleArn string   `yaml:"nodeRoleArn" json:"nodeRoleArn,omitempty"`
}

// StorageConfig is the Auto Mode block storage capability.
type StorageConfig struct {
	BlockStorage *BlockStorage `yaml:"blockStorage" json:"blockStorage,omitempty"`
}

// BlockStorage toggles Auto Mode block storage.
type BlockStorage struct {
	Enabled *bool `yaml:"enabled" json:"enabled,omitempty"`
}

// ControlPlaneScalingConfig is the provisioned control plane tier.
type ControlPlaneScalingConfig struct {
	Tier string `yaml:"tier" json:"tier,omitempty"`
}

// Update is an EKS update. In a fleet it describes a pre-existing update.
type Update struct {
	ID        string        `yaml:"id"`
	Type      string        `yaml:"type"`
	Status    string        `yaml:"status"`
	Params    []UpdateParam `yaml:"params"`
	CreatedAt *time.Time    `yaml:"createdAt"`
	Errors    []ErrorDetail `yaml:"errors"`
	// EndsAfter (emulator only) makes an InProgress update succeed this long
	// after the server starts; zero keeps it running forever.
	EndsAfter time.Duration `yaml:"endsAfter"`
}

// UpdateParam is one parameter of an update.
type UpdateParam struct {
	Type  string `yaml:"type" json:"type"`
	Value string `yaml:"value" json:"value"`
}

// ErrorDetail explains why an update failed.
type ErrorDetail struct {
	ErrorCode    string   `yaml:"errorCode" json:"errorCode,omitempty"`
	ErrorMessage string   `yaml:"errorMessage" json:"errorMessage,omitempty"`
	ResourceIDs  []string `yaml:"resourceIds" json:"resourceIds,omitempty"`
}

// Problem is one thing wrong in a fleet file.
type Problem struct {
	File    string
	Line    int // 0 when unknown
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// FleetError lists every problem found in a fleet, in file order.
type FleetError struct {
	Problems []Problem
}

func (e *FleetError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (e *FleetError) add(file string, line int, format string, args ...any) {
	e.Problems = append(e.Problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (e *FleetError) errOrNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	sort.SliceStable(e.Problems, func(i, j int) bool { return e.Problems[i].Line < e.Problems[j].Line })
	// A runaway file (say a bad generate block) should not drown the terminal.
	const max = 50
	if len(e.Problems) > max {
		rest := len(e.Problems) - max
		e.Problems = append(e.Problems[:max], Problem{File: e.Problems[0].File, Message: fmt.Sprintf("... and %d more problems", rest)})
	}
	return e
}

// MaxFleetSize is the largest fleet file read; synthetic fleets are generated, not written out.
const MaxFleetSize = 64 << 20

// LoadFleet reads and validates a fleet file (only a regular file is read). Problems in the file are
// reported as a *FleetError whose lines read "FILE:LINE: what is wrong".
func LoadFleet(path string) (*Fleet, error) {
	data, err := fileio.ReadFile(path, MaxFleetSize)
	if err != nil {
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	return ParseFleet(data, path)
}

// Validate checks a Fleet built in Go; problems name the offending member by
// its path (accounts[0].regions[1]...) because there is no file to point at.
func (f *Fleet) Validate() error {
	e := &FleetError{}
	validateFleet(f, pathLocator{}, e)
	return e.errOrNil()
}
