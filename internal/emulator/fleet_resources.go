package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// The resources below a cluster, a region and an account that the node,
// registry and load balancer controls read. Keys take the AWS APIs' own
// member names, so a fleet reads like the answers it produces.

// Nodegroup is an EKS managed node group (DescribeNodegroup). Members left
// out take what EKS gives a node group created without them.
type Nodegroup struct {
	NodegroupName string `yaml:"nodegroupName"`
	// NodeRole defaults to arn:aws:iam::ACCOUNT:role/CLUSTER-node.
	NodeRole string `yaml:"nodeRole"`
	// Subnets default to the cluster's subnets. A subnet the region does not
	// declare is allowed: DescribeSubnets then answers NotFound for it.
	Subnets        []string          `yaml:"subnets"`
	RemoteAccess   *RemoteAccess     `yaml:"remoteAccess"`
	Status         string            `yaml:"status"`
	CapacityType   string            `yaml:"capacityType"`
	InstanceTypes  []string          `yaml:"instanceTypes"`
	AmiType        string            `yaml:"amiType"`
	ScalingConfig  *ScalingConfig    `yaml:"scalingConfig"`
	Labels         map[string]string `yaml:"labels"`
	Tags           map[string]string `yaml:"tags"`
	Version        string            `yaml:"version"`
	ReleaseVersion string            `yaml:"releaseVersion"`
}

// RemoteAccess is SSH access to a node group's nodes.
type RemoteAccess struct {
	Ec2SSHKey            string   `yaml:"ec2SshKey" json:"ec2SshKey,omitempty"`
	SourceSecurityGroups []string `yaml:"sourceSecurityGroups" json:"sourceSecurityGroups,omitempty"`
}

// ScalingConfig sizes a node group; EKS's defaults are 1, 2 and 2.
type ScalingConfig struct {
	MinSize     *int32 `yaml:"minSize" json:"minSize"`
	MaxSize     *int32 `yaml:"maxSize" json:"maxSize"`
	DesiredSize *int32 `yaml:"desiredSize" json:"desiredSize"`
}

// Addon is an EKS add-on (DescribeAddon).
type Addon struct {
	AddonName    string `yaml:"addonName"`
	AddonVersion string `yaml:"addonVersion"`
	// ConfigurationValues is text (JSON or YAML), as the API holds it.
	ConfigurationValues   string            `yaml:"configurationValues" fleet:"text"`
	Status                string            `yaml:"status"`
	ServiceAccountRoleArn string            `yaml:"serviceAccountRoleArn"`
	Tags                  map[string]string `yaml:"tags"`
}

// AccessEntry is an EKS access entry (DescribeAccessEntry).
type AccessEntry struct {
	PrincipalArn string `yaml:"principalArn"`
	// Type is STANDARD (default), EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX or
	// HYBRID_LINUX. Only STANDARD entries take a username and groups; EKS
	// sets the username of the others.
	Type             string            `yaml:"type"`
	Username         string            `yaml:"username"`
	KubernetesGroups []string          `yaml:"kubernetesGroups"`
	Tags             map[string]string `yaml:"tags"`
}

// Subnet is an EC2 subnet.
type Subnet struct {
	SubnetID string `yaml:"subnetId"`
	// VpcID defaults to the region's default cluster VPC.
	VpcID string `yaml:"vpcId"`
	// CidrBlock defaults to the subnet's own /24 of its VPC.
	CidrBlock     string `yaml:"cidrBlock"`
	Ipv6CidrBlock string `yaml:"ipv6CidrBlock"`
	// AvailabilityZone defaults to REGIONa, REGIONb, REGIONc in turn.
	AvailabilityZone    string            `yaml:"availabilityZone"`
	MapPublicIPOnLaunch bool              `yaml:"mapPublicIpOnLaunch"`
	Tags                map[string]string `yaml:"tags"`
}

// RouteTable is an EC2 route table. Every route table also holds the VPC's
// local route, as on EC2.
type RouteTable struct {
	RouteTableID string                  `yaml:"routeTableId"`
	VpcID        string                  `yaml:"vpcId"`
	Associations []RouteTableAssociation `yaml:"associations"`
	Routes       []Route                 `yaml:"routes"`
	Tags         map[string]string       `yaml:"tags"`
}

// RouteTableAssociation ties a route table to a subnet, or makes it the
// VPC's main route table.
type RouteTableAssociation struct {
	SubnetID string `yaml:"subnetId"`
	Main     bool   `yaml:"main"`
}

// Route is one route: one destination and one target.
type Route struct {
	DestinationCidrBlock        string `yaml:"destinationCidrBlock"`
	DestinationIpv6CidrBlock    string `yaml:"destinationIpv6CidrBlock"`
	GatewayID                   string `yaml:"gatewayId"`
	NatGatewayID                string `yaml:"natGatewayId"`
	EgressOnlyInternetGatewayID string `yaml:"egressOnlyInternetGatewayId"`
	TransitGatewayID            string `yaml:"transitGatewayId"`
	VpcPeeringConnectionID      string `yaml:"vpcPeeringConnectionId"`
	NetworkInterfaceID          string `yaml:"networkInterfaceId"`
}

// Instance is an EC2 instance.
type Instance struct {
	InstanceID string `yaml:"instanceId"`
	// SubnetID defaults to the region's first declared subnet; VpcID to the
	// subnet's VPC.
	SubnetID           string              `yaml:"subnetId"`
	VpcID              string              `yaml:"vpcId"`
	PrivateIPAddress   string              `yaml:"privateIpAddress"`
	PublicIPAddress    string              `yaml:"publicIpAddress"`
	Ipv6Addresses      []string            `yaml:"ipv6Addresses"`
	IamInstanceProfile *IamInstanceProfile `yaml:"iamInstanceProfile"`
	InstanceType       string              `yaml:"instanceType"`
	State              string              `yaml:"state"`
	Tags               map[string]string   `yaml:"tags"`
}

// IamInstanceProfile names an instance's profile by ARN.
type IamInstanceProfile struct {
	Arn string `yaml:"arn"`
}

// Repository is an ECR repository (DescribeRepositories).
type Repository struct {
	RepositoryName             string                      `yaml:"repositoryName"`
	ImageScanningConfiguration *ImageScanningConfiguration `yaml:"imageScanningConfiguration"`
	ImageTagMutability         string                      `yaml:"imageTagMutability"`
	CreatedAt                  *time.Time                  `yaml:"createdAt"`
	EncryptionConfiguration    *RepositoryEncryption       `yaml:"encryptionConfiguration"`
}

// ImageScanningConfiguration is a repository's scan-on-push setting.
type ImageScanningConfiguration struct {
	ScanOnPush bool `yaml:"scanOnPush" json:"scanOnPush"`
}

// RepositoryEncryption is how a repository encrypts images at rest.
type RepositoryEncryption struct {
	EncryptionType string `yaml:"encryptionType" json:"encryptionType"`
	KmsKey         string `yaml:"kmsKey" json:"kmsKey,omitempty" fleet:"text"`
}

// RegistryScanningConfiguration is a region's registry scanning setting
// (GetRegistryScanningConfiguration).
type RegistryScanningConfiguration struct {
	ScanType string         `yaml:"scanType" json:"scanType"`
	Rules    []ScanningRule `yaml:"rules" json:"rules"`
}

// ScanningRule scans the repositories its filters match at a frequency.
type ScanningRule struct {
	ScanFrequency     string             `yaml:"scanFrequency" json:"scanFrequency"`
	RepositoryFilters []RepositoryFilter `yaml:"repositoryFilters" json:"repositoryFilters"`
}

// RepositoryFilter is a wildcard over repository names.
type RepositoryFilter struct {
	Filter     string `yaml:"filter" json:"filter" fleet:"text"`
	FilterType string `yaml:"filterType" json:"filterType"`
}

// LoadBalancer is an Elastic Load Balancing load balancer: application,
// network and gateway ones answer the v2 API (2015-12-01), classic ones the
// classic API (2012-06-01).
type LoadBalancer struct {
	LoadBalancerName string `yaml:"loadBalancerName"`
	// Type is application (default), network, gateway or classic.
	Type string `yaml:"type"`
	// Scheme is internet-facing (default) or internal.
	Scheme    string            `yaml:"scheme"`
	VpcID     string            `yaml:"vpcId"`
	Tags      map[string]string `yaml:"tags"`
	Listeners []Listener        `yaml:"listeners"`
}

// Listener is a v2 listener (port, protocol, certificates, sslPolicy,
// defaultActions) or, on a classic load balancer, a classic one (protocol,
// loadBalancerPort, instanceProtocol, instancePort, sslCertificateId).
type Listener struct {
	Port             int32                 `yaml:"port"`
	Protocol         string                `yaml:"protocol"`
	Certificates     []ListenerCertificate `yaml:"certificates"`
	SslPolicy        string                `yaml:"sslPolicy"`
	DefaultActions   []ListenerAction      `yaml:"defaultActions"`
	LoadBalancerPort int32                 `yaml:"loadBalancerPort"`
	InstanceProtocol string                `yaml:"instanceProtocol"`
	InstancePort     int32                 `yaml:"instancePort"`
	SSLCertificateID string                `yaml:"sslCertificateId" fleet:"text"`
}

// ListenerCertificate is a server certificate of a v2 listener.
type ListenerCertificate struct {
	CertificateArn string `yaml:"certificateArn" fleet:"text"`
}

// ListenerAction is a v2 listener's default action.
type ListenerAction struct {
	Type                string               `yaml:"type"`
	TargetGroupArn      string               `yaml:"targetGroupArn" fleet:"text"`
	RedirectConfig      *RedirectConfig      `yaml:"redirectConfig"`
	FixedResponseConfig *FixedResponseConfig `yaml:"fixedResponseConfig"`
}

// RedirectConfig is a redirect action; members left out keep the request's
// (#{protocol}, #{port}, #{host}, /#{path}, #{query}).
type RedirectConfig struct {
	Protocol   string `yaml:"protocol"`
	Port       string `yaml:"port"`
	Host       string `yaml:"host"`
	Path       string `yaml:"path"`
	Query      string `yaml:"query"`
	StatusCode string `yaml:"statusCode"`
}

// FixedResponseConfig is a fixed-response action.
type FixedResponseConfig struct {
	StatusCode  string `yaml:"statusCode"`
	ContentType string `yaml:"contentType"`
	MessageBody string `yaml:"messageBody"`
}

// IAM is an account's IAM: global, answered in every region.
type IAM struct {
	Roles            []IAMRole         `yaml:"roles"`
	Policies         []IAMPolicy       `yaml:"policies"`
	InstanceProfiles []InstanceProfile `yaml:"instanceProfiles"`
}

// IAMRole is an IAM role with its attached managed policies and its inline
// policies.
type IAMRole struct {
	RoleName string `yaml:"roleName"`
	// Path defaults to "/".
	Path string `yaml:"path"`
	// AssumeRolePolicyDocument defaults to a trust policy for
	// ec2.amazonaws.com, a node role's.
	AssumeRolePolicyDocument PolicyDocument `yaml:"assumeRolePolicyDocument"`
	// AttachedPolicies are policy ARNs: customer policies declared under
	// policies, or AWS managed policies the emulator knows.
	AttachedPolicies []string          `yaml:"attachedPolicies"`
	RolePolicies     []RolePolicy      `yaml:"rolePolicies"`
	Tags             map[string]string `yaml:"tags"`
}

// RolePolicy is an inline policy of a role.
type RolePolicy struct {
	PolicyName     string         `yaml:"policyName"`
	PolicyDocument PolicyDocument `yaml:"policyDocument"`
}

// IAMPolicy is a customer managed policy, served with one version, v1.
type IAMPolicy struct {
	PolicyName     string         `yaml:"policyName"`
	Path           string         `yaml:"path"`
	PolicyDocument PolicyDocument `yaml:"policyDocument"`
}

// InstanceProfile is an IAM instance profile; it holds at most one role.
type InstanceProfile struct {
	InstanceProfileName string   `yaml:"instanceProfileName"`
	Path                string   `yaml:"path"`
	Roles               []string `yaml:"roles"`
}

// PolicyDocument is the JSON text of an IAM policy document. In a fleet file
// it is written as a mapping (YAML, or JSON, which is YAML) or as a string
// holding the JSON; either way the emulator serves JSON, URL-encoded as IAM
// does.
type PolicyDocument string

// UnmarshalYAML turns a mapping into JSON in the order written. A date such as
// Version: 2012-10-17 stays the text it was, not a timestamp.
func (p *PolicyDocument) UnmarshalYAML(n *yaml.Node) error {
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() == "!!null" {
			*p = ""
			return nil
		}
		if n.ShortTag() != "!!str" {
			return lineError(n, "a policy document must be a mapping or a string holding JSON, not %s", n.Value)
		}
		*p = PolicyDocument(n.Value)
		return nil
	}
	var b bytes.Buffer
	if err := nodeJSON(&b, n, 0); err != nil {
		return err
	}
	*p = PolicyDocument(b.String())
	return nil
}

func lineError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, fmt.Sprintf(format, args...))}}
}

// nodeJSON writes a YAML node as compact JSON, keeping the mapping order.
func nodeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	n = resolveAlias(n)
	if n == nil {
		b.WriteString("null")
		return nil
	}
	if depth > 64 {
		return lineError(n, "policy document nested too deeply")
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolveAlias(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				return lineError(k, "policy document keys must be text")
			}
			if i > 0 {
				b.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			b.Write(key)
			b.WriteByte(':')
			if err := nodeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := nodeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			v, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err != nil {
				return lineError(n, "invalid boolean %q", n.Value)
			}
			b.WriteString(strconv.FormatBool(v))
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return lineError(n, "policy document numbers must be finite, not %s", n.Value)
			}
			num, _ := json.Marshal(f)
			b.Write(num)
		default: // strings, and timestamps kept as written
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		}
	default:
		return lineError(n, "unexpected YAML in a policy document")
	}
	return nil
}

// object reports whether the document is a JSON object, and it when it is.
func (p PolicyDocument) object() (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(p), &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}
