package check

import (
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// EndpointRestricted passes when the API server cannot be reached from the whole internet and node
// traffic stays in the VPC: private access on, and the public endpoint either off or restricted to an
// allowlist that covers neither the whole IPv4 nor the whole IPv6 space.
var EndpointRestricted = register(Check{
	ID:       "eks-endpoint-restricted",
	Summary:  "private endpoint on, and the public endpoint off or restricted to an allowlist",
	Evaluate: evaluateRestricted,
})

const (
	settingsPrivateOnly = "endpointPrivateAccess=true,endpointPublicAccess=false"
	settingsPrivateOn   = "endpointPrivateAccess=true"
)

func evaluateRestricted(c *model.Cluster) Outcome {
	st := readEndpoint(c)
	if o, done := unknownOutcome(c, st); done {
		return o
	}
	o := evaluateRestrictedSettings(c, st)
	o.Reason += statusNote(c)
	return o
}

func evaluateRestrictedSettings(c *model.Cluster, st endpointState) Outcome {
	pub, priv, cidrs := c.EndpointPublicAccess, c.EndpointPrivateAccess, c.PublicAccessCIDRs
	switch {
	case st.public && st.cidrUnknown != "":
		return Outcome{Status: finding.Unknown, Reason: st.cidrUnknown, Evidence: st.ev, Location: firstLoc(c, st.cidrUnknownLoc, pub.Loc)}
	case !st.public:
		return Outcome{Status: finding.Pass, Evidence: st.ev, Location: firstLoc(c, pub.Loc),
			Reason: "public endpoint is disabled and private access is on: the API server is reachable only from the VPC and connected networks"}
	case st.open && !st.private:
		return Outcome{Status: finding.Fail, Evidence: st.ev, Location: firstLoc(c, cidrs.Loc, pub.Loc),
			Reason:      "public endpoint is open to the internet: " + st.openWhy + "; and private access is off, so node traffic to the API server leaves the VPC",
			Remediation: remediation(c, settingsPrivateOnly), GuardedFix: guardedFix(c, "--private")}
	case st.open:
		return Outcome{Status: finding.Fail, Evidence: st.ev, Location: firstLoc(c, cidrs.Loc, pub.Loc),
			Reason:      "public endpoint is open to the internet: " + st.openWhy + "; restrict it to the networks that need it or disable it",
			Remediation: remediation(c, settingsPrivateOnly), GuardedFix: guardedFix(c, "--private")}
	case !st.private:
		return Outcome{Status: finding.Fail, Evidence: st.ev, Location: firstLoc(c, priv.Loc),
			Reason:      "public endpoint is restricted to " + describeAllowlist(st) + ", but private access is off, so node traffic to the API server leaves the VPC over the internet; turn private access on",
			Remediation: remediation(c, settingsPrivateOn), GuardedFix: guardedFix(c, "--restrict "+strings.Join(cidrs.Values, ","))}
	default:
		return Outcome{Status: finding.Pass, Evidence: st.ev, Location: firstLoc(c, cidrs.Loc, pub.Loc),
			Reason: "public endpoint is restricted to " + describeAllowlist(st) + " and private access is on, so node traffic stays in the VPC"}
	}
}
