package remediate

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/cidrset"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/probe"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// EKSAPI is the part of the EKS client remediation uses.
type EKSAPI interface {
	awsapi.EKSAPI
	UpdateClusterConfig(context.Context, *eks.UpdateClusterConfigInput, ...func(*eks.Options)) (*eks.UpdateClusterConfigOutput, error)
}

// Targets.
const (
	ModePrivate  = "private"  // CIS 5.4.2: private on, public off
	ModeRestrict = "restrict" // CIS 5.4.1: private on, public on, allowlist exactly the given blocks
)

// Options say what the user asked for.
type Options struct {
	Cluster string
	Region  string
	Mode    string
	// CIDRs is the allowlist for ModeRestrict.
	CIDRs []string
	// ClientCIDRs are networks that must still reach the API after the change, through the private
	// endpoint (VPN, bastion, in-VPC CI).
	ClientCIDRs []string
	// CallerIP is the caller's public address, "auto" to ask IPEchoURL, or empty for auto.
	CallerIP  string
	IPEchoURL string
	// AllowLockout accepts that clients outside the VPC lose access (--private without
	// --client-cidr, or a caller outside the new allowlist).
	AllowLockout bool
}

// DefaultIPEchoURL answers a GET with the caller's public IP address.
const DefaultIPEchoURL = "https://checkip.amazonaws.com"

// Deps are the services a plan reads.
type Deps struct {
	EKS     EKSAPI
	EC2     EC2API
	HTTP    *http.Client
	Account string
	// ReadBackoff are the waits before each further try of a read AWS throttled or failed with a
	// server error after the SDK's own attempts; nil means DefaultReadBackoff.
	ReadBackoff []time.Duration
}

// CheckStatus is a safety check's outcome.
type CheckStatus string

const (
	CheckPass   CheckStatus = "PASS"
	CheckRefuse CheckStatus = "REFUSE"
	CheckSkip   CheckStatus = "SKIP"
	// CheckError is a check that could not be made: a read it needs failed even after retries. It
	// is not a refusal (nothing is known to be wrong), but nothing is changed on an unchecked plan.
	CheckError CheckStatus = "ERROR"
)

// Check is one safety check with its evidence.
type Check struct {
	ID     string      `json:"id"`
	Rule   string      `json:"rule"`
	Title  string      `json:"title"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail"`
	// Remedy says what to do when the check refuses or cannot be made.
	Remedy   string `json:"remedy,omitempty"`
	Evidence any    `json:"evidence,omitempty"`
	// Action is the IAM action of the read that failed, for a check in ERROR.
	Action string `json:"action,omitempty"`
	// AccessDenied is set when that read was refused for lack of permission.
	AccessDenied bool `json:"accessDenied,omitempty"`
}

// Phase is one UpdateClusterConfig and the state it must produce.
type Phase struct {
	Name    string   `json:"name"`
	Purpose string   `json:"purpose"`
	Request Request  `json:"request"`
	Expect  Settings `json:"expect"`
	Command string   `json:"command"`
}

// ClusterInfo is what the plan shows of the cluster.
type ClusterInfo struct {
	Name           string   `json:"name"`
	Region         string   `json:"region"`
	Account        string   `json:"account,omitempty"`
	ARN            string   `json:"arn,omitempty"`
	Status         string   `json:"status"`
	IPFamily       string   `json:"ipFamily,omitempty"`
	VpcID          string   `json:"vpcId,omitempty"`
	SecurityGroups []string `json:"securityGroups"`
	HybridNodes    bool     `json:"hybridNodes,omitempty"`
}

// Plan is everything eksguard intends to do, and why it may.
type Plan struct {
	Cluster ClusterInfo `json:"cluster"`
	Mode    string      `json:"mode"`
	// Control is the CIS control the target satisfies.
	Control          string    `json:"control"`
	Current          *Settings `json:"current"`
	Target           Settings  `json:"target"`
	AlreadyCompliant bool      `json:"alreadyCompliant"`
	// Compliance explains AlreadyCompliant.
	Compliance string  `json:"compliance,omitempty"`
	Checks     []Check `json:"checks"`
	Phases     []Phase `json:"phases"`
	// Rollback is the recorded state a failed change returns to (RC-10).
	Rollback *Settings `json:"rollback"`
	Refused  bool      `json:"refused"`
	// Incomplete is set when a check could not be made (status ERROR); such a plan is not applied.
	Incomplete bool `json:"incomplete"`
	// Notes are what eksguard cannot verify from where it runs.
	Notes []string `json:"notes"`
}

// Refusals lists the checks that refuse.
func (p *Plan) Refusals() []Check { return p.withStatus(CheckRefuse) }

// Unchecked lists the checks that could not be made.
func (p *Plan) Unchecked() []Check { return p.withStatus(CheckError) }

func (p *Plan) withStatus(s CheckStatus) []Check {
	var out []Check
	for _, c := range p.Checks {
		if c.Status == s {
			out = append(out, c)
		}
	}
	return out
}

func (p *Plan) add(c Check) {
	p.Checks = append(p.Checks, c)
	switch c.Status {
	case CheckRefuse:
		p.Refused = true
	case CheckError:
		p.Incomplete = true
	}
}

// unchecked is a check whose read failed after every retry: what could not be read, and the IAM
// action to grant when AWS denied it.
func unchecked(ch Check, what string, err error) Check {
	ch.Status = CheckError
	ch.Action = iamAction(err)
	ch.AccessDenied = awsapi.IsAccessDenied(err)
	call := what
	if ch.Action != "" {
		call += " (" + ch.Action + ")"
	}
	if ch.AccessDenied {
		ch.Detail = "could not check: " + call + " was denied: " + awsapi.Message(err)
		ch.Remedy = "grant " + nonEmptyOr(ch.Action, "the permission named above") + " and run eksguard fix again"
		return ch
	}
	ch.Detail = "could not check: " + call + " failed: " + awsapi.Message(err)
	ch.Remedy = "run eksguard fix again; throttling and server errors were already retried"
	return ch
}

func nonEmptyOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// BuildPlan reads the cluster and its network and decides what would happen. It never calls a
// mutating API.
func BuildPlan(ctx context.Context, d Deps, o Options) (*Plan, error) {
	p := &Plan{Mode: o.Mode, Checks: []Check{}, Phases: []Phase{}, Notes: []string{}}
	d.EKS, d.EC2 = newPatientEKS(d.EKS, d.ReadBackoff), newPatientEC2(d.EC2, d.ReadBackoff)
	cl, err := awsapi.DescribeCluster(ctx, d.EKS, d.Account, o.Region, o.Cluster)
	if err != nil {
		return nil, fmt.Errorf("eks:DescribeCluster %s in %s: %w", o.Cluster, o.Region, err)
	}
	p.Cluster = ClusterInfo{Name: cl.Name, Region: o.Region, Account: cl.Account, ARN: cl.ARN, Status: cl.Status, IPFamily: cl.IPFamily,
		VpcID: cl.VpcID, SecurityGroups: clusterGroups(cl), HybridNodes: cl.HybridNodes}
	target, err := targetOf(cl, o)
	if err != nil {
		return nil, err
	}
	p.Control, p.Target = target.control, target.settings

	cur, readable := currentSettings(cl)
	if !readable {
		p.add(checkState(cl))
		p.add(Check{ID: "settings-readable", Rule: "RC-3", Title: "current endpoint settings are known", Status: CheckRefuse,
			Detail: "DescribeCluster did not return every endpoint field, or reported both endpoints off (which EKS never allows), so there is no known state to change from or roll back to",
			Remedy: "describe the cluster again; if the data stays wrong, change it by hand"})
		return p, nil
	}
	p.Current, p.Rollback = &cur, &cur
	if o.Mode == ModeRestrict {
		// RC-5 comes before the compliance shortcut: an allowlist that is no restriction is refused
		// even when the cluster already has it.
		p.Target.CIDRs = canonicalCIDRs(o.CIDRs)
		allow := checkAllowlist(cl, o.CIDRs)
		if allow.Status == CheckRefuse {
			p.add(allow)
			return p, nil
		}
		defer func() { p.Checks = append([]Check{allow}, p.Checks...) }()
	}
	if ok, why := compliant(o.Mode, cur, p.Target); ok {
		p.AlreadyCompliant, p.Compliance = true, why
		return p, nil
	}
	// RC-1: only an ACTIVE, EKS-managed cluster is changed.
	p.add(checkState(cl))
	// RC-2: an ACTIVE cluster may still be running an update.
	p.add(checkUpdates(ctx, d.EKS, o.Cluster))
	if o.Mode == ModeRestrict {
		p.add(checkCaller(ctx, d, o))
	}
	p.add(checkHybrid(o.Mode, cl))
	if o.Mode == ModePrivate {
		p.add(checkLockout(o))
	}
	clients, bad := parseClients(o.ClientCIDRs)
	if bad != "" {
		p.add(Check{ID: "client-cidrs", Rule: "RC-6b", Title: "--client-cidr values are CIDR blocks", Status: CheckRefuse, Detail: bad,
			Remedy: "pass each client network as a CIDR block with no host bits, e.g. 10.20.0.0/16"})
	}
	p.add(checkVPCDNS(ctx, d.EC2, cl))
	p.add(checkClientAccess(ctx, d.EC2, cl, clients))
	p.Phases = phases(cl, cur, p.Target)
	p.Notes = append(p.Notes,
		"not verifiable from here (RC-6c): that the endpoint resolves to private addresses from inside the VPC once private access is on; after the change, dig the endpoint's host name from a node: it must answer with VPC addresses",
		"not verifiable from here (RC-7b): that the IAM principals of operators and CI are mapped in the cluster (access entries or aws-auth) and reach it from inside the VPC")
	return p, nil
}

func clusterGroups(c *model.Cluster) []string {
	var out []string
	if c.ClusterSecurityGroupID != "" {
		out = append(out, c.ClusterSecurityGroupID)
	}
	out = append(out, c.SecurityGroupIDs...)
	if out == nil {
		out = []string{}
	}
	return out
}

func currentSettings(c *model.Cluster) (Settings, bool) {
	if !c.EndpointPublicAccess.Known() || !c.EndpointPrivateAccess.Known() || !c.PublicAccessCIDRs.Known() {
		return Settings{}, false
	}
	if !c.EndpointPublicAccess.Value && !c.EndpointPrivateAccess.Value {
		// EKS never allows both off: the record is wrong, and neither a change nor a rollback can
		// be planned from it.
		return Settings{}, false
	}
	s := Settings{Public: c.EndpointPublicAccess.Value, Private: c.EndpointPrivateAccess.Value, CIDRs: append([]string{}, c.PublicAccessCIDRs.Values...)}
	return s, true
}

// target is what a mode changes a cluster to, and the control it serves.
type target struct {
	control  string
	settings Settings
}

// targetOf takes the target from the check the mode serves, the one definition of the settings that
// make it pass: --private is eks-endpoint-private's target (5.4.2), --restrict eks-endpoint-restricted's
// with the allowlist (5.4.1).
func targetOf(cl *model.Cluster, o Options) (target, error) {
	var k *check.Check
	var opts check.Options
	var control string
	switch o.Mode {
	case ModePrivate:
		k, opts, control = check.EndpointPrivate, check.Options{Endpoint: check.TargetPrivate}, "5.4.2"
	case ModeRestrict:
		k, opts, control = check.EndpointRestricted, check.Options{Endpoint: check.TargetRestrict, CIDRs: o.CIDRs}, "5.4.1"
	default:
		return target{}, fmt.Errorf("unknown mode %q", o.Mode)
	}
	s, why := k.Target(cl, opts)
	if why != "" || s.EndpointPublicAccess == nil || s.EndpointPrivateAccess == nil {
		return target{}, fmt.Errorf("%s states no endpoint target for --%s: %s", k.ID, o.Mode, why)
	}
	t := Settings{Public: *s.EndpointPublicAccess, Private: *s.EndpointPrivateAccess, CIDRs: append([]string{}, s.PublicAccessCIDRs...)}
	if !t.Public {
		t.CIDRs = []string{}
	}
	return target{control: control, settings: t}, nil
}

// compliant says whether the cluster already meets the target, or something stricter: eksguard
// never loosens an endpoint (a private-only cluster is not opened to an allowlist).
func compliant(mode string, cur, target Settings) (bool, string) {
	if cur.Equal(target) {
		return true, "the cluster already has the target settings"
	}
	if mode == ModeRestrict && cur.Private && !cur.Public {
		return true, "the cluster is private only, which satisfies 5.4.1 and is stricter than the requested allowlist; eksguard does not open a public endpoint"
	}
	return false, ""
}

func checkState(c *model.Cluster) Check {
	ch := Check{ID: "cluster-active", Rule: "RC-1", Title: "cluster is ACTIVE and managed by EKS", Evidence: map[string]any{"status": c.Status}}
	switch {
	case c.Connector:
		ch.Status, ch.Detail = CheckRefuse, "this is a registered (EKS Connector) cluster; its API endpoint is not managed by EKS"
		ch.Remedy = "restrict the endpoint where the cluster runs"
	case c.Outpost:
		ch.Status, ch.Detail = CheckRefuse, "this is a local cluster on AWS Outposts, whose control plane is private by construction"
	case c.Status != model.StatusActive:
		ch.Status, ch.Detail = CheckRefuse, fmt.Sprintf("the cluster is %s; only an ACTIVE cluster can take an endpoint update", c.Status)
		ch.Remedy = "wait until the cluster is ACTIVE and run eksguard fix again"
	default:
		ch.Status, ch.Detail = CheckPass, "the cluster is ACTIVE"
	}
	return ch
}

func checkUpdates(ctx context.Context, client EKSAPI, name string) Check {
	ch := Check{ID: "no-update-in-progress", Rule: "RC-2", Title: "no update is in progress"}
	ups, err := awsapi.UpdatesInProgress(ctx, client, name)
	if err != nil {
		return unchecked(ch, "listing the cluster's updates", err)
	}
	ch.Evidence = map[string]any{"inProgress": ups}
	if len(ups) > 0 {
		ids := make([]string, len(ups))
		for i, u := range ups {
			ids[i] = u.Type + " " + u.ID
		}
		ch.Status = CheckRefuse
		ch.Detail = "update in progress: " + strings.Join(ids, ", ") + "; EKS runs one update at a time"
		ch.Remedy = "wait for it to finish (aws eks describe-update) and run eksguard fix again"
		return ch
	}
	ch.Status, ch.Detail = CheckPass, "no update is in progress"
	return ch
}

func checkAllowlist(c *model.Cluster, cidrs []string) Check {
	ch := Check{ID: "allowlist-valid", Rule: "RC-5", Title: "the new allowlist is valid and restrictive", Evidence: map[string]any{"publicAccessCidrs": cidrs}}
	if problems := ValidateAllowlist(cidrs, c.IPFamily, c.CreatedAt); len(problems) > 0 {
		ch.Status, ch.Detail = CheckRefuse, strings.Join(problems, "; ")
		ch.Remedy = "pass publicly routable blocks that are not the whole internet, at most 40, with no host bits"
		return ch
	}
	set, _ := ParseAllowlist(cidrs)
	ch.Status = CheckPass
	ch.Detail = fmt.Sprintf("%d blocks, %d IPv4 and %s IPv6 addresses", len(cidrs), set.IPv4Count(), set.IPv6Count())
	return ch
}

func checkHybrid(mode string, c *model.Cluster) Check {
	ch := Check{ID: "hybrid-nodes", Rule: "RC-9", Title: "hybrid nodes can keep reaching the endpoint"}
	switch {
	case !c.HybridNodes:
		ch.Status, ch.Detail = CheckSkip, "the cluster has no remote node networks"
	case mode == ModeRestrict:
		ch.Status = CheckRefuse
		ch.Detail = "the cluster has hybrid nodes (remoteNetworkConfig), which cannot use public and private access together: they resolve the endpoint to public addresses"
		ch.Remedy = "use --private (private only), or keep the public endpoint without private access"
	default:
		ch.Status = CheckPass
		ch.Detail = "hybrid nodes: the change goes straight to private only in one update, never through public plus private"
	}
	return ch
}

func checkLockout(o Options) Check {
	ch := Check{ID: "client-networks", Rule: "RC-7", Title: "clients outside the VPC keep a way in"}
	switch {
	case len(o.ClientCIDRs) > 0:
		ch.Status, ch.Detail = CheckPass, "client networks that will use the private endpoint: "+strings.Join(o.ClientCIDRs, ", ")
	case o.AllowLockout:
		ch.Status, ch.Detail = CheckPass, "--allow-lockout: every client outside the VPC and its connected networks (kubectl users, CI, GitOps and SaaS tools) loses access"
	default:
		ch.Status = CheckRefuse
		ch.Detail = "with the public endpoint off, every Kubernetes API client outside the VPC and its connected networks loses access: kubectl users, CI/CD, GitOps controllers, SaaS tools"
		ch.Remedy = "name the networks that will still reach the API with --client-cidr (VPN, bastion, in-VPC CI; their TCP 443 access is checked), or accept the lock-out with --allow-lockout"
	}
	return ch
}

func parseClients(in []string) ([]netip.Prefix, string) {
	var out []netip.Prefix
	var bad []string
	for _, c := range in {
		p, err := ParseStrictPrefix(c)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		out = append(out, p)
	}
	return out, strings.Join(bad, "; ")
}

func checkVPCDNS(ctx context.Context, client EC2API, c *model.Cluster) Check {
	ch := Check{ID: "vpc-dns", Rule: "RC-6a", Title: "the VPC resolves the private endpoint"}
	if c.VpcID == "" {
		ch.Status, ch.Detail = CheckRefuse, "the cluster reports no VPC id, so its DNS settings cannot be checked"
		return ch
	}
	v, err := ReadVPCDNS(ctx, client, c.VpcID)
	ch.Evidence = v
	if isCallError(err) {
		return unchecked(ch, "reading the VPC's DNS settings", err)
	}
	if err != nil {
		ch.Status, ch.Detail = CheckRefuse, awsapi.Message(err)
		ch.Remedy = "grant ec2:DescribeVpcAttribute, ec2:DescribeVpcs and ec2:DescribeDhcpOptions"
		return ch
	}
	var missing []string
	if !v.EnableDNSSupport {
		missing = append(missing, "enableDnsSupport is off")
	}
	if !v.EnableDNSHostnames {
		missing = append(missing, "enableDnsHostnames is off")
	}
	if !v.AmazonDNS() {
		missing = append(missing, fmt.Sprintf("DHCP options %s hand out %s, not AmazonProvidedDNS", v.DhcpOptionsID, strings.Join(v.DomainNameServers, ", ")))
	}
	if len(missing) > 0 {
		ch.Status = CheckRefuse
		ch.Detail = c.VpcID + ": " + strings.Join(missing, "; ") + "; nodes and clients in the VPC would not resolve the endpoint to its private addresses"
		ch.Remedy = fmt.Sprintf("aws ec2 modify-vpc-attribute --vpc-id %s --enable-dns-support and --enable-dns-hostnames (one call each), and use DHCP options with AmazonProvidedDNS", c.VpcID)
		return ch
	}
	ch.Status, ch.Detail = CheckPass, c.VpcID+": DNS support and DNS hostnames are on, resolver AmazonProvidedDNS"
	return ch
}

func checkClientAccess(ctx context.Context, client EC2API, c *model.Cluster, clients []netip.Prefix) Check {
	ch := Check{ID: "client-https-access", Rule: "RC-6b", Title: "security groups admit TCP 443 from every client network"}
	if len(clients) == 0 {
		ch.Status, ch.Detail = CheckSkip, "no --client-cidr given"
		return ch
	}
	groups := clusterGroups(c)
	if len(groups) == 0 {
		ch.Status, ch.Detail = CheckRefuse, "the cluster reports no security groups"
		return ch
	}
	acc, err := ReadHTTPSAccess(ctx, client, groups)
	ch.Evidence = acc
	if isCallError(err) {
		return unchecked(ch, "reading the security groups", err)
	}
	if err != nil {
		ch.Status, ch.Detail = CheckRefuse, awsapi.Message(err)
		ch.Remedy = "grant ec2:DescribeSecurityGroups"
		return ch
	}
	var denied []string
	for _, p := range clients {
		if !acc.Admits(p) {
			denied = append(denied, p.String())
		}
	}
	if len(denied) > 0 {
		ch.Status = CheckRefuse
		ch.Detail = fmt.Sprintf("%s admit TCP 443 only from [%s]; not from %s", strings.Join(groups, ", "), strings.Join(acc.Sources, ", "), strings.Join(denied, ", "))
		if len(acc.Unjudged) > 0 {
			ch.Detail += " (rules referencing " + strings.Join(acc.Unjudged, ", ") + " are not counted)"
		}
		ch.Remedy = fmt.Sprintf("aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp --port 443 --cidr %s", groups[0], denied[0])
		return ch
	}
	ch.Status, ch.Detail = CheckPass, fmt.Sprintf("%s admit TCP 443 from every client network", strings.Join(groups, ", "))
	return ch
}

func checkCaller(ctx context.Context, d Deps, o Options) Check {
	ch := Check{ID: "caller-keeps-access", Rule: "RC-7", Title: "the caller's public address stays inside the allowlist"}
	ipText := o.CallerIP
	source := "--caller-ip"
	if ipText == "" || ipText == "auto" {
		echo := o.IPEchoURL
		if echo == "" {
			echo = DefaultIPEchoURL
		}
		source = echo
		got, err := probe.CallerIP(ctx, d.HTTP, echo)
		if err != nil {
			return lockoutOr(o, ch, "could not learn the caller's public address: "+err.Error(),
				"pass --caller-ip with your public address, point --ip-echo-url at a service that echoes it, or accept the risk with --allow-lockout")
		}
		ipText = got.String()
	}
	ip, err := netip.ParseAddr(ipText)
	if err != nil {
		return lockoutOr(o, ch, fmt.Sprintf("%q from %s is not an IP address", ipText, source), "pass --caller-ip with your public address")
	}
	ch.Evidence = map[string]any{"callerIp": ip.String(), "source": source}
	set, err := ParseAllowlist(o.CIDRs)
	if err != nil {
		ch.Status, ch.Detail = CheckSkip, "the allowlist does not parse (see allowlist-valid)"
		return ch
	}
	if set.Contains(ip) {
		ch.Status, ch.Detail = CheckPass, fmt.Sprintf("the caller's address %s (from %s) is inside the new allowlist", ip, source)
		return ch
	}
	return lockoutOr(o, ch, fmt.Sprintf("the caller's address %s (from %s) is outside the new allowlist: you would lose kubectl access", ip, source),
		"add a block that contains "+ip.String()+" to --restrict, or accept it with --allow-lockout")
}

func lockoutOr(o Options, ch Check, detail, remedy string) Check {
	if o.AllowLockout {
		ch.Status, ch.Detail = CheckPass, "--allow-lockout: "+detail
		return ch
	}
	ch.Status, ch.Detail, ch.Remedy = CheckRefuse, detail, remedy
	return ch
}

// ParseAllowlist is the union of a target allowlist, for membership tests.
func ParseAllowlist(cidrs []string) (*cidrset.Set, error) { return cidrset.Parse(cidrs) }

// phases orders the change (RC-11): when private access is off, first turn it on with public
// unchanged, so nodes move to the private endpoint before anything is taken away; then apply the
// target. Hybrid clusters cannot pass through public plus private (RC-9), so they go in one step.
func phases(c *model.Cluster, cur, target Settings) []Phase {
	var out []Phase
	if !cur.Private && !c.HybridNodes {
		req := Request{Private: ptr(true)}
		out = append(out, Phase{Name: "enable-private", Purpose: "turn private access on with the public endpoint unchanged, so nodes reach the API inside the VPC before anything is taken away",
			Request: req, Expect: req.Apply(cur), Command: command(c, req)})
		cur = req.Apply(cur)
	}
	if cur.Equal(target) {
		// Turning private access on was all that was missing.
		return out
	}
	req := requestTo(target)
	out = append(out, Phase{Name: "apply-target", Purpose: "apply the target settings", Request: req, Expect: req.Apply(cur), Command: command(c, req)})
	return out
}

func command(c *model.Cluster, r Request) string {
	return fmt.Sprintf("aws eks update-cluster-config --region %s --name %s --resources-vpc-config %s", c.Region, c.Name, r.CLI())
}
