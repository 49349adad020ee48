package check

import (
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// EndpointPrivate passes only when the private endpoint is on and the public endpoint is off. An
// allowlist does not count: the public endpoint still answers the internet.
var EndpointPrivate = register(Check{
	ID:       "eks-endpoint-private",
	Summary:  "private endpoint on and public endpoint off",
	Evaluate: evaluatePrivate,
})

func evaluatePrivate(c *model.Cluster) Outcome {
	st := readEndpoint(c)
	if o, done := unknownOutcome(c, st); done {
		return o
	}
	o := evaluatePrivateSettings(c, st)
	o.Reason += statusNote(c)
	return o
}

func evaluatePrivateSettings(c *model.Cluster, st endpointState) Outcome {
	pub, priv := c.EndpointPublicAccess, c.EndpointPrivateAccess
	switch {
	case !st.public:
		return Outcome{Status: finding.Pass, Evidence: st.ev, Location: firstLoc(c, pub.Loc),
			Reason: "private endpoint is on and public endpoint is disabled"}
	case !st.private:
		return Outcome{Status: finding.Fail, Evidence: st.ev, Location: firstLoc(c, pub.Loc, priv.Loc),
			Reason:      "public endpoint is enabled, " + publicWords(st) + ", and private access is off; turn private access on, then disable public access",
			Remediation: remediation(c, settingsPrivateOnly), GuardedFix: guardedFix(c, "--private")}
	default:
		return Outcome{Status: finding.Fail, Evidence: st.ev, Location: firstLoc(c, pub.Loc),
			Reason:      "public endpoint is enabled, " + publicWords(st) + "; disable it so the API server is reachable only through the private endpoint",
			Remediation: remediation(c, settingsPrivateOnly), GuardedFix: guardedFix(c, "--private")}
	}
}

func publicWords(st endpointState) string {
	if st.cidrUnknown != "" {
		return "with an allowlist that cannot be resolved"
	}
	if st.open {
		return "open to the internet"
	}
	return "restricted to " + describeAllowlist(st)
}
