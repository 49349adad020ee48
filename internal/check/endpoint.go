package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/cidrset"
	"github.com/eksguard/eksguard/internal/model"
)

// EndpointEvidence is what the endpoint checks saw. Booleans are null when unknown.
type EndpointEvidence struct {
	Status                string   `json:"status,omitempty"`
	EndpointPublicAccess  *bool    `json:"endpointPublicAccess"`
	EndpointPrivateAccess *bool    `json:"endpointPrivateAccess"`
	PublicAccessCidrs     []string `json:"publicAccessCidrs"`
	// Origins says for each field whether it was explicit, a default or unknown.
	Origins EndpointOrigins `json:"origins"`
	// PublicEndpoint is disabled, open, restricted or unknown.
	PublicEndpoint string `json:"publicEndpoint"`
	// EffectivePublicAccessCidrs is what EKS enforces: the list as read, or EKS's default when it is
	// empty; empty when the public endpoint is disabled (a stale list is ignored).
	EffectivePublicAccessCidrs []string `json:"effectivePublicAccessCidrs"`
	// AdmittedIPv4Addresses and AdmittedIPv6Addresses count the addresses the public endpoint answers,
	// after merging overlapping blocks. IPv6 is a decimal string because it can reach 2^128.
	AdmittedIPv4Addresses *uint64        `json:"admittedIPv4Addresses,omitempty"`
	AdmittedIPv6Addresses *string        `json:"admittedIPv6Addresses,omitempty"`
	UpdatesInProgress     []model.Update `json:"updatesInProgress,omitempty"`
	UpdatesError          string         `json:"updatesError,omitempty"`
	Context
}

// EndpointOrigins says where each endpoint field came from.
type EndpointOrigins struct {
	EndpointPrivateAccess model.Origin `json:"endpointPrivateAccess"`
	EndpointPublicAccess  model.Origin `json:"endpointPublicAccess"`
	PublicAccessCidrs     model.Origin `json:"publicAccessCidrs"`
}

// Public endpoint classifications.
const (
	PublicDisabled   = "disabled"
	PublicOpen       = "open"
	PublicRestricted = "restricted"
	PublicUnknown    = "unknown"
)

// endpoint is the shared, three-valued reading of a cluster's endpoint settings that both endpoint
// checks judge.
type endpoint struct {
	ev *EndpointEvidence
	// public and private are the two switches. EKS never has both off, so when one is unknown and
	// the other known to be off, the unknown one is on (derived says so).
	public, private Tri
	derived         string
	// open says whether the public allowlist admits the whole internet; Maybe when the allowlist is
	// unknown. It matters only when the public endpoint may be on.
	open    Tri
	openWhy string
	set     *cidrset.Set
	// invalid is set for data EKS cannot return (both endpoints off, an entry that is not a CIDR
	// block): no verdict can be given on it.
	invalid    string
	invalidLoc *model.Location
	// rejected is set for a definition EKS would refuse (both endpoints off in IaC): it fails.
	rejected    string
	rejectedLoc *model.Location
	// unknown names the unknown fields that matter, with why each is unknown.
	unknownPublic, unknownPrivate, unknownCIDRs string
}

func boolPtr(b model.Bool) *bool {
	if !b.Known() {
		return nil
	}
	v := b.Value
	return &v
}

func origin(o model.Origin) model.Origin {
	if o == "" {
		return model.OriginUnknown
	}
	return o
}

func readEndpoint(c *model.Cluster) endpoint {
	cidrs := c.PublicAccessCIDRs.Values
	if cidrs == nil {
		cidrs = []string{}
	}
	ev := &EndpointEvidence{
		Status:                c.Status,
		EndpointPublicAccess:  boolPtr(c.EndpointPublicAccess),
		EndpointPrivateAccess: boolPtr(c.EndpointPrivateAccess),
		PublicAccessCidrs:     cidrs,
		Origins: EndpointOrigins{
			EndpointPrivateAccess: origin(c.EndpointPrivateAccess.Origin),
			EndpointPublicAccess:  origin(c.EndpointPublicAccess.Origin),
			PublicAccessCidrs:     origin(c.PublicAccessCIDRs.Origin),
		},
		PublicEndpoint:             PublicUnknown,
		EffectivePublicAccessCidrs: []string{},
		UpdatesInProgress:          c.Updates,
		UpdatesError:               c.UpdatesError,
		Context:                    contextOf(c),
	}
	e := endpoint{ev: ev, public: boolTri(c.EndpointPublicAccess), private: boolTri(c.EndpointPrivateAccess), open: Maybe}
	if e.public == Maybe {
		e.unknownPublic = unknownField(model.FieldEndpointPublicAccess, c.EndpointPublicAccess.Detail)
	}
	if e.private == Maybe {
		e.unknownPrivate = unknownField(model.FieldEndpointPrivateAccess, c.EndpointPrivateAccess.Detail)
	}
	switch {
	case e.public == False && e.private == False && c.Source != model.SourceAWS:
		// A definition, not a cluster: EKS refuses to create it, which is a failure to fix, not
		// data to doubt.
		e.rejected = "both endpoints are off, which EKS rejects when the cluster is created or updated (at least one endpoint must be on): turn private access on"
		e.rejectedLoc = firstLoc(c, c.EndpointPublicAccess.Loc, c.EndpointPrivateAccess.Loc)
		return e
	case e.public == False && e.private == False:
		e.invalid = "both endpoints are reported disabled, which EKS never allows; the data is wrong or incomplete, so re-read the cluster"
		e.invalidLoc = c.EndpointPublicAccess.Loc
		return e
	case e.public == Maybe && e.private == False:
		e.public, e.derived = True, fmt.Sprintf("%s, but EKS keeps at least one endpoint on and private access is off, so the public endpoint is on", e.unknownPublic)
		e.unknownPublic = ""
	case e.private == Maybe && e.public == False:
		e.private, e.derived = True, fmt.Sprintf("%s, but EKS keeps at least one endpoint on and the public endpoint is off, so private access is on", e.unknownPrivate)
		e.unknownPrivate = ""
	}
	zero, zero4 := "0", uint64(0)
	if e.public == False {
		ev.PublicEndpoint = PublicDisabled
		ev.AdmittedIPv4Addresses, ev.AdmittedIPv6Addresses = &zero4, &zero
		return e
	}
	if !c.PublicAccessCIDRs.Known() {
		e.unknownCIDRs = unknownField(model.FieldPublicAccessCIDRs, c.PublicAccessCIDRs.Detail)
		return e
	}
	effective := cidrs
	if len(cidrs) == 0 {
		effective = model.DefaultPublicAccessCIDRs(c.IPFamily)
	}
	set, err := cidrset.Parse(effective)
	if err != nil {
		var pe *cidrset.ParseError
		// An entry that is not a CIDR block is data EKS could not have accepted: the whole record is
		// suspect, so neither control is judged on it.
		if errors.As(err, &pe) {
			e.invalid = fmt.Sprintf("publicAccessCidrs has entries that are not CIDR blocks (%s), so what the public endpoint admits cannot be judged", strings.Join(quote(pe.Invalid), ", "))
		} else {
			e.invalid = "publicAccessCidrs cannot be read: " + err.Error()
		}
		e.invalidLoc = c.PublicAccessCIDRs.Loc
		return e
	}
	e.set = set
	ev.EffectivePublicAccessCidrs = effective
	n4, n6 := set.IPv4Count(), set.IPv6Count().String()
	ev.AdmittedIPv4Addresses, ev.AdmittedIPv6Addresses = &n4, &n6
	open, why := openness(cidrs, effective, set)
	e.open, e.openWhy = Of(open), why
	if e.public == True {
		ev.PublicEndpoint = PublicRestricted
		if open {
			ev.PublicEndpoint = PublicOpen
		}
	}
	return e
}

// exposed is whether the public endpoint answers the whole internet.
func (e endpoint) exposed() Tri { return e.public.And(e.open) }

// unknowns lists, for an UNKNOWN reason, the unknown fields that could change the verdict.
func (e endpoint) unknowns(withCIDRs bool) string {
	var parts []string
	for _, u := range []string{e.unknownPublic, e.unknownPrivate} {
		if u != "" {
			parts = append(parts, u)
		}
	}
	if withCIDRs && e.unknownCIDRs != "" && e.public != False {
		parts = append(parts, e.unknownCIDRs)
	}
	return strings.Join(parts, "; ")
}

// whatever is a clause for a verdict that holds whatever the unknown fields are, naming them.
func whatever(parts ...string) string {
	var names []string
	for _, p := range parts {
		if p != "" {
			names = append(names, p)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "; this holds whatever the unknown settings are: " + strings.Join(names, "; ")
}

// openness says whether an allowlist admits the whole internet, and in words why.
func openness(cidrs, effective []string, set *cidrset.Set) (bool, string) {
	listed := "publicAccessCidrs (" + strings.Join(cidrs, ", ") + ")"
	for _, world := range []string{"0.0.0.0/0", "::/0"} {
		for _, c := range cidrs {
			if c == world {
				return true, "publicAccessCidrs includes " + world
			}
		}
	}
	switch {
	case len(cidrs) == 0:
		return true, "publicAccessCidrs is empty, and EKS then admits the whole internet (" + strings.Join(effective, ", ") + ")"
	case set.CoversAllIPv4() && set.CoversAllIPv6():
		return true, listed + " together cover every IPv4 and IPv6 address"
	case set.CoversAllIPv4():
		return true, listed + " together cover every IPv4 address, the same as 0.0.0.0/0"
	case set.CoversAllIPv6():
		return true, listed + " together cover every IPv6 address, the same as ::/0"
	}
	return false, ""
}

func quote(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// describeAllowlist says in a few words what a restricted allowlist admits.
func (e endpoint) describeAllowlist() string {
	n := len(e.ev.PublicAccessCidrs)
	blocks := "blocks"
	if n == 1 {
		blocks = "block"
	}
	parts := []string{}
	if v4 := *e.ev.AdmittedIPv4Addresses; v4 > 0 {
		parts = append(parts, plural(thousands(v4), "IPv4 address"))
	}
	if v6 := *e.ev.AdmittedIPv6Addresses; v6 != "0" {
		parts = append(parts, plural(v6, "IPv6 address"))
	}
	return fmt.Sprintf("%d %s (%s)", n, blocks, strings.Join(parts, " and "))
}

func plural(n, noun string) string {
	if n == "1" {
		return n + " " + noun
	}
	return n + " " + noun + "es"
}

func thousands(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// endpointLinks document the endpoint checks.
var endpointLinks = []Link{
	{Title: "Amazon EKS cluster endpoint access control", URL: "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"},
	{Title: "EKS Best Practices: make the cluster endpoint private", URL: "https://docs.aws.amazon.com/eks/latest/best-practices/protecting-the-infrastructure.html"},
	{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
}

// endpointCalls are what the endpoint checks read on a live cluster.
var endpointCalls = []APICall{
	{Action: "eks:ListClusters", What: "every cluster of the region (not needed with --cluster)"},
	{Action: "eks:DescribeCluster", What: "resourcesVpcConfig.endpointPublicAccess, endpointPrivateAccess and publicAccessCidrs"},
	{Action: "eks:ListUpdates", What: "the updates in progress of an UPDATING cluster, for the evidence"},
	{Action: "eks:DescribeUpdate", What: "each of those updates"},
}

// endpointIaC says where each format writes the endpoint settings.
var endpointIaC = []IaCField{
	{FormatTerraform, "aws_eks_cluster.vpc_config.endpoint_public_access, endpoint_private_access, public_access_cidrs", "public true, private false, allowlist 0.0.0.0/0 (the AWS provider's and EKS's defaults)"},
	{FormatTerraformModule, "cluster_endpoint_public_access, cluster_endpoint_private_access, cluster_endpoint_public_access_cidrs (v17-v20); endpoint_public_access, endpoint_private_access, endpoint_public_access_cidrs (v21)", "v17-v18 public on and private off; v19 and later private on and public off"},
	{FormatTerraformPlan, "resource_changes[].change.after.vpc_config[0].endpoint_public_access, endpoint_private_access, public_access_cidrs", "as for aws_eks_cluster"},
	{FormatCloudFormationYAML, "AWS::EKS::Cluster Properties.ResourcesVpcConfig.EndpointPublicAccess, EndpointPrivateAccess, PublicAccessCidrs", "public true, private false, allowlist 0.0.0.0/0"},
	{FormatEksctl, "vpc.clusterEndpoints.publicAccess, privateAccess; vpc.publicAccessCIDRs; privateCluster.enabled", "public on, private off, allowlist 0.0.0.0/0"},
	{FormatClusterAPI, "AWSManagedControlPlane spec.endpointAccess.public, private, publicCIDRs", "public on, private off, allowlist 0.0.0.0/0 (CAPA sends none of them when left out, so EKS's defaults apply)"},
	{FormatACK, "Cluster (eks.services.k8s.aws) spec.resourcesVPCConfig.endpointPublicAccess, endpointPrivateAccess, publicAccessCIDRs", "public on, private off, allowlist 0.0.0.0/0 (EKS's defaults)"},
	{FormatPulumiAWS, "aws:eks:Cluster properties.vpcConfig.endpointPublicAccess, endpointPrivateAccess, publicAccessCidrs", "public true, private false (the provider's defaults), allowlist 0.0.0.0/0 (EKS's)"},
	{FormatPulumiEKS, "eks:Cluster properties.endpointPublicAccess, endpointPrivateAccess, publicAccessCidrs", "public on, private off, allowlist 0.0.0.0/0 (pulumi-eks passes none of them, so the AWS provider's and EKS's defaults apply)"},
	{FormatCrossplaneUpbound, "Cluster (eks.aws.upbound.io) spec.forProvider.vpcConfig.endpointPublicAccess, endpointPrivateAccess, publicAccessCidrs (v1beta1: vpcConfig[0]; spec.initProvider when forProvider leaves them out)", "public true, private false (Terraform's aws_eks_cluster defaults), allowlist 0.0.0.0/0 (EKS's)"},
	{FormatCrossplaneClassic, "Cluster (eks.aws.crossplane.io) spec.forProvider.resourcesVpcConfig.endpointPublicAccess, endpointPrivateAccess, publicAccessCidrs", "public on, private off, allowlist 0.0.0.0/0 (the provider sends none of them, so EKS's defaults apply)"},
	{FormatCrossplaneComposition, "a Composition resource's base, spelt as its Cluster kind spells it (a patch writing it makes it unknown)", "as for the Cluster kind"},
	{FormatKro, "a ResourceGraphDefinition resource's template, spelt as its cluster kind spells it (a ${...} CEL expression in it makes it unknown)", "as for the cluster kind"},
}
