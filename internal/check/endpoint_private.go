package check

import (
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// EndpointPrivate passes only when the private endpoint is on and the public endpoint is off. An
// allowlist does not count: the public endpoint still answers the internet.
var EndpointPrivate = register(&Check{
	ID:       "eks-endpoint-private",
	Title:    "Private endpoint on and public endpoint off",
	Summary:  "private endpoint on and public endpoint off",
	Severity: SeverityMedium,
	Rationale: "A private-only API server endpoint is reachable only from the cluster's VPC and the networks " +
		"connected to it, so nothing on the internet can even attempt to use it. An allowlist narrows who can " +
		"reach a public endpoint but still leaves one answering the internet.",
	Links: endpointLinks,
	Reads: []model.Field{model.FieldEndpointPublicAccess, model.FieldEndpointPrivateAccess},
	Calls: endpointCalls,
	IaC:   endpointIaC,
	PassRule: "endpointPrivateAccess is true and endpointPublicAccess is false; the allowlist does not matter. " +
		"Make sure the people and pipelines that use the API reach the VPC first (VPN, bastion, in-VPC CI).",
	Defaults: "EKS gives a new cluster public access on and private access off, so a cluster that says nothing about " +
		"its endpoint fails; terraform-aws-modules/eks v19 and later default to private only.",
	judge: judgePrivate,
	want:  wantPrivate,
	Examples: []Example{
		tfExample("private only", finding.Pass, "endpoint_private_access = true\nendpoint_public_access  = false", ""),
		tfExample("public with an allowlist", finding.Fail, "endpoint_private_access = true\npublic_access_cidrs     = [\"203.0.113.0/24\"]", ""),
		tfExample("defaults: public and open", finding.Fail, "", ""),
		moduleExample("defaults: private only", finding.Pass, "~> 19.0", ""),
		moduleExample("defaults: public", finding.Fail, "~> 17.0", ""),
		cfnYAMLExample("private only", finding.Pass, "EndpointPrivateAccess: true\nEndpointPublicAccess: false", ""),
		cfnYAMLExample("public with private access", finding.Fail, "EndpointPrivateAccess: true", ""),
		cfnJSONExample("private only", finding.Pass, `"EndpointPrivateAccess": true, "EndpointPublicAccess": false`, ""),
		cfnJSONExample("defaults: public", finding.Fail, "", ""),
		eksctlExample("private cluster", finding.Pass, "privateCluster:\n  enabled: true"),
		capaExample("private only", finding.Pass, "endpointAccess:\n  public: false\n  private: true"),
		capaExample("public with an allowlist", finding.Fail, "endpointAccess:\n  public: true\n  private: true\n  publicCIDRs: [\"203.0.113.0/24\"]"),
		ackExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		ackExample("defaults: public", finding.Fail, "", ""),
		upboundExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		upboundExample("defaults: public", finding.Fail, "", ""),
		crossplaneClassicExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		crossplaneClassicExample("public with an allowlist", finding.Fail, "endpointPrivateAccess: true\npublicAccessCidrs: [\"203.0.113.0/24\"]", ""),
		compositionExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		compositionExample("defaults: public", finding.Fail, "", ""),
		kroExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		kroExample("defaults: public", finding.Fail, "", ""),
		pulumiAWSExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false", ""),
		pulumiAWSExample("public with an allowlist", finding.Fail, "endpointPrivateAccess: true\npublicAccessCidrs:\n  - 203.0.113.0/24", ""),
		pulumiEKSExample("private only", finding.Pass, "endpointPrivateAccess: true\nendpointPublicAccess: false"),
		pulumiEKSExample("defaults: public", finding.Fail, "endpointPrivateAccess: true"),
		eksctlExample("public with an allowlist", finding.Fail, "vpc:\n  clusterEndpoints:\n    privateAccess: true\n    publicAccess: true\n  publicAccessCIDRs: [\"203.0.113.0/24\"]"),
		planExample("private only", finding.Pass, `"endpoint_private_access": true, "endpoint_public_access": false, "public_access_cidrs": []`, ""),
		planExample("public with an allowlist", finding.Fail, `"endpoint_private_access": true, "endpoint_public_access": true, "public_access_cidrs": ["203.0.113.0/24"]`, ""),
	},
})

func judgePrivate(c *model.Cluster) Outcome {
	e := readEndpoint(c)
	pub, priv := c.EndpointPublicAccess, c.EndpointPrivateAccess
	o := Outcome{Evidence: e.ev}
	switch {
	case e.rejected != "":
		o.Status, o.Reason, o.Location = finding.Fail, e.rejected, e.rejectedLoc
	case e.invalid != "":
		// Data EKS cannot return: the whole record is suspect.
		o.Status, o.Reason, o.Location = finding.Unknown, e.invalid, firstLoc(c, e.invalidLoc)
	case e.public == True && e.private == False:
		o.Status, o.Location = finding.Fail, firstLoc(c, pub.Loc, priv.Loc)
		o.Reason = "public endpoint is enabled, " + e.publicWords() + ", and private access is off; turn private access on, then disable public access" + whatever(e.derived)
	case e.public == True:
		o.Status, o.Location = finding.Fail, firstLoc(c, pub.Loc)
		o.Reason = "public endpoint is enabled, " + e.publicWords() + "; disable it so the API server is reachable only through the private endpoint" + whatever(e.unknownPrivate, e.derived)
	case e.private == False:
		o.Status, o.Location = finding.Fail, firstLoc(c, priv.Loc)
		o.Reason = "private access is off; turn it on, then disable public access" + whatever(e.unknownPublic)
	case e.public == False && e.private == True:
		o.Status, o.Location = finding.Pass, firstLoc(c, pub.Loc)
		o.Reason = "private endpoint is on and public endpoint is disabled" + whatever(e.derived)
	default:
		o.Status, o.Location = finding.Unknown, firstLoc(c, unknownLoc(c, e)...)
		o.Reason = e.unknowns(false) + ", so whether the endpoint is private only cannot be judged"
	}
	return o
}

// publicWords says what a public endpoint admits.
func (e endpoint) publicWords() string {
	switch {
	case e.invalid != "":
		return "with an allowlist that cannot be read"
	case e.unknownCIDRs != "":
		return "with an allowlist that cannot be resolved (" + e.unknownCIDRs + ")"
	case e.open == True:
		return "open to the internet"
	}
	return "restricted to " + e.describeAllowlist()
}

// wantPrivate is private access on and public access off; a restrict target does not satisfy it.
func wantPrivate(_ *model.Cluster, o Options) (model.Settings, string) {
	if o.Endpoint == TargetRestrict {
		return model.Settings{}, "the restrict target keeps the public endpoint on, which this check does not allow; --target private (the default) satisfies it"
	}
	return model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(false)}, ""
}
