package check

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/eksguard/eksguard/internal/cidrset"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/probe"
)

// ProbeEvidence is what --probe saw: the evidence of both network checks.
type ProbeEvidence struct {
	EndpointPublicAccess *bool              `json:"endpointPublicAccess,omitempty"`
	PublicAccessCIDRs    []string           `json:"publicAccessCidrs,omitempty"`
	Probe                *model.ProbeResult `json:"probe"`
}

var probeLinks = []Link{
	{Title: "Cluster API server endpoint", URL: "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"},
	{Title: "Kubernetes: anonymous requests", URL: "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests"},
}

// EndpointReachability is eksguard's own check, outside the CIS benchmark: it proves from the
// network what the configuration claims. It fails when the endpoint answers, with the cluster's
// own certificate, on a public address where the configuration says it should not: public access
// is off, or this caller is outside the allowlist.
var EndpointReachability = register(&Check{
	ID:       "endpoint-reachability",
	Title:    "The endpoint answers from the network only as configured",
	Summary:  "no TLS handshake with the cluster's certificate on a public address the configuration closes to this caller",
	Severity: SeverityHigh,
	Rationale: "Every scanner judges the endpoint from its configuration. An endpoint configured private or " +
		"allowlisted that still answers from outside (a stale proxy, a load balancer someone put in front of it, " +
		"a wrong block, a shared NAT) is exposed whatever the configuration says; only a probe from the network " +
		"can show it.",
	Links: probeLinks,
	Parts: []model.Part{model.PartProbe},
	Calls: []APICall{{Action: "eks:DescribeCluster", What: "endpoint, certificateAuthority.data and the endpoint settings; the probe itself is network traffic to the endpoint only"}},
	PassRule: "With --probe: the endpoint's name resolves, and on none of its public addresses does a TLS handshake verified " +
		"against the cluster's certificate authority succeed while endpointPublicAccess is false, or while this " +
		"caller's public address (--caller-ip, or learned as fix learns it) is outside publicAccessCidrs. A " +
		"certificate that does not chain to the cluster's CA, a handshake that times out, a name that does not " +
		"resolve or an unknown caller address is UNKNOWN with the reason.",
	Defaults: "Private addresses (RFC 1918, 100.64.0.0/10, unique-local and link-local) are the VPC's and are not " +
		"public; EKSGUARD_PROBE_TREAT_AS_PUBLIC (a test-only setting) names blocks to count as public.",
	Advice: "find what answers on the public address (a proxy, a load balancer, a NAT shared with the allowlist) " +
		"and close it, or correct the endpoint settings; eksguard fix sets the settings",
	judge: judgeReachability,
})

// AnonymousAPIAccess is eksguard's own check, outside the CIS benchmark: an anonymous caller may
// read the API server's public information and nothing else.
var AnonymousAPIAccess = register(&Check{
	ID:       "anonymous-api-access",
	Title:    "Anonymous callers get no more than public information",
	Summary:  "an anonymous GET /api/v1/namespaces is refused",
	Severity: SeverityHigh,
	Rationale: "Kubernetes answers unauthenticated requests as system:anonymous. By default that user may read " +
		"/version, /healthz, /livez and /readyz; a binding that grants it more (often system:unauthenticated " +
		"bound to a role by mistake) lets anyone who reaches the endpoint read the cluster.",
	Links: probeLinks,
	Parts: []model.Part{model.PartProbe},
	Calls: []APICall{{Action: "eks:DescribeCluster", What: "endpoint and certificateAuthority.data; the probe sends GET /version, /healthz and /api/v1/namespaces without credentials"}},
	PassRule: "With --probe, over a connection verified against the cluster's certificate authority: GET " +
		"/api/v1/namespaces without credentials answers 401 or 403. A 2xx fails. Nothing is asked when no " +
		"address verifies (UNKNOWN).",
	Defaults: "EKS keeps Kubernetes' default: anonymous requests are allowed and may read only /version, /healthz, " +
		"/livez and /readyz.",
	Advice: "remove the RBAC bindings that name system:anonymous or system:unauthenticated beyond Kubernetes' own " +
		"system:public-info-viewer (kubectl get clusterrolebindings,rolebindings -A -o wide)",
	judge: judgeAnonymous,
})

func probeEvidence(c *model.Cluster) *ProbeEvidence {
	ev := &ProbeEvidence{Probe: c.Probe}
	if c.EndpointPublicAccess.Known() {
		v := c.EndpointPublicAccess.Value
		ev.EndpointPublicAccess = &v
	}
	if c.PublicAccessCIDRs.Known() {
		ev.PublicAccessCIDRs = c.PublicAccessCIDRs.Values
	}
	return ev
}

// unprobed says why a probe result cannot be judged at all, "" when it can.
func unprobed(p *model.ProbeResult) string {
	switch {
	case p == nil:
		return "the endpoint was not probed"
	case p.Error != "":
		return "the endpoint could not be probed: " + p.Error
	case p.DNSError != "":
		return fmt.Sprintf("the endpoint's name %s does not resolve from here (%s)", p.Host, p.DNSError)
	}
	return ""
}

func judgeReachability(c *model.Cluster) Outcome {
	p := c.Probe
	o := Outcome{Evidence: probeEvidence(c), Location: c.Loc}
	if why := unprobed(p); why != "" {
		o.Status, o.Reason = finding.Unknown, why
		return o
	}
	var verified, undecided, closed []string
	for _, a := range p.Resolved {
		if a.Class != probe.Public {
			continue
		}
		switch {
		case a.TCP != probe.TCPOpen:
			closed = append(closed, a.IP+" "+a.TCP)
		case a.TLS != nil && a.TLS.Outcome == probe.TLSVerified:
			verified = append(verified, a.IP)
		case a.TLS != nil && a.TLS.Outcome == probe.TLSUntrusted:
			undecided = append(undecided, fmt.Sprintf("%s answered with a certificate that does not chain to the cluster's CA (%s, issued by %s): an interceptor or another server, sent nothing", a.IP, a.TLS.Subject, a.TLS.Issuer))
		case a.TLS != nil && a.TLS.Outcome == probe.TLSWrongHost:
			undecided = append(undecided, fmt.Sprintf("%s answered with a certificate of the cluster's CA that does not name %s", a.IP, p.Host))
		case a.TLS != nil:
			undecided = append(undecided, fmt.Sprintf("%s accepted the connection but the TLS handshake did not complete (%s)", a.IP, a.TLS.Outcome))
		default:
			undecided = append(undecided, a.IP+": no handshake was made")
		}
	}
	pub := c.EndpointPublicAccess
	switch {
	case len(verified) > 0 && pub.Known() && !pub.Value:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("the endpoint answers with the cluster's certificate on public address %s although endpointPublicAccess is false: something outside the configuration exposes it", strings.Join(verified, ", "))
	case len(verified) > 0 && !pub.Known():
		o.Status = finding.Unknown
		o.Reason = fmt.Sprintf("the endpoint answers on public address %s, and whether public access is on is unknown (%s)", strings.Join(verified, ", "), pub.Detail)
	case len(verified) > 0:
		o = judgeAllowlist(c, o, verified)
	case len(undecided) > 0:
		o.Status = finding.Unknown
		o.Reason = strings.Join(undecided, "; ")
	case len(closed) > 0:
		o.Status = finding.Pass
		o.Reason = "the endpoint does not answer on its public addresses from here: " + strings.Join(closed, ", ")
	default:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("the endpoint's name resolves only to addresses that are not public (%s): reachable from the VPC and connected networks only", addrList(p))
	}
	return o
}

// judgeAllowlist decides an endpoint that answers on a public address while public access is on:
// it is expected when this caller is inside the allowlist.
func judgeAllowlist(c *model.Cluster, o Outcome, verified []string) Outcome {
	p := c.Probe
	cidrs := c.PublicAccessCIDRs
	if !cidrs.Known() {
		o.Status, o.Reason = finding.Unknown, unknownField(model.FieldPublicAccessCIDRs, cidrs.Detail)
		return o
	}
	if p.From == "" {
		o.Status = finding.Unknown
		o.Reason = fmt.Sprintf("the endpoint answers on public address %s, but this caller's public address is unknown (%s), so whether the allowlist admits it cannot be said; pass --caller-ip", strings.Join(verified, ", "), p.FromError)
		return o
	}
	from, err := netip.ParseAddr(p.From)
	if err != nil {
		o.Status, o.Reason = finding.Unknown, fmt.Sprintf("the caller address %q is not an IP address", p.From)
		return o
	}
	blocks := cidrs.Values
	if len(blocks) == 0 {
		blocks = []string{"0.0.0.0/0"} // EKS's meaning of an empty list with public access on
	}
	set, err := cidrset.Parse(blocks)
	if err != nil {
		o.Status, o.Reason = finding.Unknown, "publicAccessCidrs cannot be read: "+err.Error()
		return o
	}
	if set.Contains(from) {
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("the endpoint answers this caller (%s) on public address %s, as the allowlist %s admits it", from, strings.Join(verified, ", "), strings.Join(blocks, ", "))
		return o
	}
	o.Status = finding.Fail
	o.Reason = fmt.Sprintf("the endpoint answers this caller (%s) on public address %s although the allowlist %s does not admit it: the allowlist is not what guards it (a proxy, a NAT, another path)", from, strings.Join(verified, ", "), strings.Join(blocks, ", "))
	return o
}

func addrList(p *model.ProbeResult) string {
	var out []string
	for _, a := range p.Resolved {
		out = append(out, a.IP+" "+string(a.Class))
	}
	return strings.Join(out, ", ")
}

func judgeAnonymous(c *model.Cluster) Outcome {
	p := c.Probe
	o := Outcome{Evidence: probeEvidence(c), Location: c.Loc}
	if why := unprobed(p); why != "" {
		o.Status, o.Reason = finding.Unknown, why
		return o
	}
	if len(p.Anonymous) == 0 {
		o.Status = finding.Unknown
		o.Reason = "no address of the endpoint completed a TLS handshake verified against the cluster's CA from here, so no anonymous request was sent"
		return o
	}
	var asked []string
	for _, path := range probe.AnonymousPaths {
		if a, ok := p.Anonymous[path]; ok {
			if a.Error != "" {
				asked = append(asked, path+" "+a.Error)
			} else {
				asked = append(asked, fmt.Sprintf("%s %d", path, a.Status))
			}
		}
	}
	ns := p.Anonymous["/api/v1/namespaces"]
	switch {
	case ns.Status >= 200 && ns.Status < 300:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("an anonymous caller can list namespaces (GET /api/v1/namespaces answered %d): system:anonymous is granted more than public information (%s)", ns.Status, strings.Join(asked, ", "))
	case ns.Status == 401 || ns.Status == 403:
		o.Status = finding.Pass
		o.Reason = "anonymous callers get no more than public information: " + strings.Join(asked, ", ")
	default:
		o.Status = finding.Unknown
		o.Reason = "the anonymous request for namespaces got no clear answer: " + strings.Join(asked, ", ")
	}
	return o
}
