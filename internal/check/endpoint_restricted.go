package check

import (
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// EndpointRestricted passes when the API server cannot be reached from the whole internet and node
// traffic stays in the VPC: private access on, and the public endpoint either off or restricted to an
// allowlist that covers neither the whole IPv4 nor the whole IPv6 space.
var EndpointRestricted = register(&Check{
	ID:       "eks-endpoint-restricted",
	Title:    "Restrict access to the API server endpoint",
	Summary:  "private endpoint on, and the public endpoint off or restricted to an allowlist",
	Severity: SeverityHigh,
	Rationale: "An API server endpoint that answers the whole internet can be probed, brute-forced and attacked " +
		"with any credential or vulnerability that turns up, from anywhere. With private access on, nodes " +
		"reach the API server inside the VPC; the public endpoint, if kept, should answer only the networks " +
		"that need it.",
	Links: endpointLinks,
	Reads: []model.Field{model.FieldEndpointPublicAccess, model.FieldEndpointPrivateAccess, model.FieldPublicAccessCIDRs},
	Calls: endpointCalls,
	IaC:   endpointIaC,
	PassRule: "endpointPrivateAccess is true, and endpointPublicAccess is false or publicAccessCidrs admits neither " +
		"every IPv4 nor every IPv6 address (blocks are merged, so 0.0.0.0/1 plus 128.0.0.0/1 is the whole internet). " +
		"When public access is off, the allowlist is ignored: EKS keeps a stale one.",
	Defaults: "EKS gives a new cluster public access on, private access off and the allowlist 0.0.0.0/0 (plus ::/0 for " +
		"IPv6 clusters created after October 2024); an empty allowlist means the same. So a cluster that says " +
		"nothing about its endpoint fails.",
	judge: judgeRestricted,
	want:  wantRestricted,
	Examples: []Example{
		tfExample("private only", finding.Pass, "endpoint_private_access = true\nendpoint_public_access  = false", ""),
		tfExample("restricted allowlist with private access", finding.Pass, "endpoint_private_access = true\npublic_access_cidrs     = [\"203.0.113.0/24\"]", ""),
		tfExample("defaults: public and open", finding.Fail, "", ""),
		tfExample("the internet as two halves", finding.Fail, "endpoint_private_access = true\npublic_access_cidrs     = [\"0.0.0.0/1\", \"128.0.0.0/1\"]", ""),
		withOptions(tfExample("restricted to the chosen allowlist", finding.Fail, "", ""), Options{Endpoint: TargetRestrict, CIDRs: []string{"198.51.100.0/24"}}),
		moduleExample("defaults: private only", finding.Pass, "~> 20.0", ""),
		moduleExample("defaults: public and open", finding.Fail, "~> 18.0", ""),
		moduleExample("public with an allowlist", finding.Pass, "~> 21.0", "endpoint_public_access       = true\nendpoint_public_access_cidrs = [\"203.0.113.0/24\"]"),
		cfnYAMLExample("private only", finding.Pass, "EndpointPrivateAccess: true\nEndpointPublicAccess: false", ""),
		cfnYAMLExample("defaults: public and open", finding.Fail, "", ""),
		cfnJSONExample("restricted with private access", finding.Pass, `"EndpointPrivateAccess": true, "PublicAccessCidrs": ["203.0.113.0/24"]`, ""),
		cfnJSONExample("public without private access", finding.Fail, `"EndpointPublicAccess": true`, ""),
		eksctlExample("private only", finding.Pass, "vpc:\n  clusterEndpoints:\n    privateAccess: true\n    publicAccess: false"),
		eksctlExample("defaults: public and open", finding.Fail, ""),
		capaExample("private only", finding.Pass, "endpointAccess:\n  public: false\n  private: true"),
		capaExample("defaults: public and open", finding.Fail, ""),
		ackExample("restricted allowlist with private access", finding.Pass, "endpointPrivateAccess: true\npublicAccessCIDRs: [\"203.0.113.0/24\"]", ""),
		ackExample("defaults: public and open", finding.Fail, "", ""),
		upboundExample("restricted allowlist with private access", finding.Pass, "endpointPrivateAccess: true\npublicAccessCidrs: [\"203.0.113.0/24\"]", ""),
		upboundExample("defaults: public and open", finding.Fail, "", ""),
		withOptions(upboundExample("restricted to the chosen allowlist", finding.Fail, "endpointPublicAccess: true", ""), Options{Endpoint: TargetRestrict, CIDRs: []string{"198.51.100.0/24"}}),
		crossplaneClassicExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		crossplaneClassicExample("defaults: public and open", finding.Fail, "", ""),
		compositionExample("restricted allowlist with private access", finding.Pass, "endpointPrivateAccess: true\npublicAccessCidrs: [\"203.0.113.0/24\"]", ""),
		compositionExample("defaults: public and open", finding.Fail, "", ""),
		kroExample("restricted allowlist with private access", finding.Pass, "endpointPrivateAccess: true\npublicAccessCIDRs: [\"203.0.113.0/24\"]", ""),
		kroExample("defaults: public and open", finding.Fail, "", ""),
		pulumiAWSExample("restricted allowlist with private access", finding.Pass, "endpointPrivateAccess: true\npublicAccessCidrs: [\"203.0.113.0/24\"]", ""),
		pulumiAWSExample("defaults: public and open", finding.Fail, "", ""),
		withOptions(pulumiAWSExample("restricted to the chosen allowlist", finding.Fail, "endpointPublicAccess: true", ""), Options{Endpoint: TargetRestrict, CIDRs: []string{"198.51.100.0/24"}}),
		pulumiEKSExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false"),
		pulumiEKSExample("defaults: public and open", finding.Fail, ""),
		planExample("private only", finding.Pass, `"endpoint_private_access": true, "endpoint_public_access": false, "public_access_cidrs": ["0.0.0.0/0"]`, ""),
		planExample("public and open", finding.Fail, `"endpoint_private_access": false, "endpoint_public_access": true, "public_access_cidrs": ["0.0.0.0/0"]`, ""),
	},
})

func judgeRestricted(c *model.Cluster) Outcome {
	e := readEndpoint(c)
	pub, priv, cidrs := c.EndpointPublicAccess, c.EndpointPrivateAccess, c.PublicAccessCIDRs
	o := Outcome{Evidence: e.ev}
	switch {
	case e.rejected != "":
		o.Status, o.Reason, o.Location = finding.Fail, e.rejected, e.rejectedLoc
	case e.invalid != "":
		o.Status, o.Reason, o.Location = finding.Unknown, e.invalid, firstLoc(c, e.invalidLoc)
	case e.exposed() == True:
		o.Status, o.Location = finding.Fail, firstLoc(c, cidrs.Loc, pub.Loc)
		o.Reason = "public endpoint is open to the internet: " + e.openWhy
		switch e.private {
		case False:
			o.Reason += "; and private access is off, so node traffic to the API server leaves the VPC"
		case True:
			o.Reason += "; restrict it to the networks that need it or disable it"
		default:
			o.Reason += "; restrict it to the networks that need it or disable it" + whatever(e.unknownPrivate)
		}
		o.Reason += whatever(e.derived)
	case e.private == False:
		o.Status, o.Location = finding.Fail, firstLoc(c, priv.Loc)
		if e.open == False {
			o.Reason = "public endpoint is restricted to " + e.describeAllowlist() + ", but private access is off, so node traffic to the API server leaves the VPC over the internet; turn private access on"
		} else {
			o.Reason = "private access is off, so node traffic to the API server leaves the VPC over the internet; turn private access on" + whatever(e.unknownCIDRs)
		}
		o.Reason += whatever(e.derived)
	case e.private == True && e.public == False:
		o.Status, o.Location = finding.Pass, firstLoc(c, pub.Loc)
		o.Reason = "public endpoint is disabled and private access is on: the API server is reachable only from the VPC and connected networks" + whatever(e.derived)
	case e.private == True && e.open == False:
		o.Status, o.Location = finding.Pass, firstLoc(c, cidrs.Loc, pub.Loc)
		o.Reason = "public endpoint is restricted to " + e.describeAllowlist() + " and private access is on, so node traffic stays in the VPC"
		if e.public == Maybe {
			o.Reason = "whether or not the public endpoint is on, it is restricted to " + e.describeAllowlist() + ", and private access is on, so node traffic stays in the VPC" + whatever(e.unknownPublic)
		}
	default:
		o.Status, o.Location = finding.Unknown, firstLoc(c, unknownLoc(c, e)...)
		o.Reason = e.unknowns(true) + ", so whether the endpoint is restricted cannot be judged"
	}
	return o
}

// unknownLoc lists the locations of the unknown endpoint fields, most telling first.
func unknownLoc(c *model.Cluster, e endpoint) []*model.Location {
	var out []*model.Location
	if e.unknownPublic != "" {
		out = append(out, c.EndpointPublicAccess.Loc)
	}
	if e.unknownPrivate != "" {
		out = append(out, c.EndpointPrivateAccess.Loc)
	}
	if e.unknownCIDRs != "" {
		out = append(out, c.PublicAccessCIDRs.Loc)
	}
	return out
}

// wantRestricted is private access on, and either the public endpoint off (the default target) or
// restricted to the chosen allowlist. A cluster whose public endpoint is already restricted and that
// only lacks private access gets just that.
func wantRestricted(c *model.Cluster, o Options) (model.Settings, string) {
	if o.Endpoint == TargetRestrict {
		if len(o.CIDRs) == 0 {
			return model.Settings{}, "the restrict target needs the allowlist (--cidr)"
		}
		return model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(true), PublicAccessCIDRs: append([]string{}, o.CIDRs...)}, ""
	}
	e := readEndpoint(c)
	if e.public == True && e.open == False && e.private == False && e.invalid == "" {
		return model.Settings{EndpointPrivateAccess: model.Ptr(true)}, ""
	}
	return model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(false)}, ""
}
