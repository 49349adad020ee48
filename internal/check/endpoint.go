package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/cidrset"
	"github.com/eksguard/eksguard/internal/finding"
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
	Notes                 []string       `json:"notes,omitempty"`
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

// endpointState is the shared reading of a cluster's endpoint settings that both endpoint checks judge.
type endpointState struct {
	ev *EndpointEvidence
	// unknown is non-empty when the settings cannot be judged; manual when the control does not apply
	// to this kind of cluster.
	unknown, manual string
	unknownLoc      *model.Location
	// cidrUnknown is set when the allowlist cannot be resolved (an IaC expression); only checks that
	// read the allowlist are affected by it.
	cidrUnknown     string
	cidrUnknownLoc  *model.Location
	public, private bool
	open            bool
	openWhy         string
	set             *cidrset.Set
}

// DefaultPublicAccessCIDRs is what EKS admits when a public endpoint has no allowlist.
func DefaultPublicAccessCIDRs(ipFamily string) []string {
	if strings.EqualFold(ipFamily, "ipv6") {
		return []string{"0.0.0.0/0", "::/0"}
	}
	return []string{"0.0.0.0/0"}
}

func boolPtr(b model.Bool) *bool {
	if !b.Known() {
		return nil
	}
	v := b.Value
	return &v
}

func readEndpoint(c *model.Cluster) endpointState {
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
		Notes:                      c.Notes,
	}
	st := endpointState{ev: ev}
	switch {
	case c.Connector && c.Status != model.StatusPending:
		st.manual = "registered (EKS Connector) cluster: its API server endpoint is not managed by EKS; assess it where the cluster runs"
		return st
	case c.Status == model.StatusCreating:
		st.unknown = "cluster is CREATING: its endpoint settings are not final until it is ACTIVE; scan again later"
		return st
	case c.Status == model.StatusPending:
		st.unknown = "registered cluster is PENDING: it has not connected, so there is nothing to judge yet"
		return st
	}
	for _, f := range []struct {
		name string
		v    model.Bool
	}{{"endpointPublicAccess", c.EndpointPublicAccess}, {"endpointPrivateAccess", c.EndpointPrivateAccess}} {
		if !f.v.Known() {
			st.unknown = unknownReason(f.name, f.v.Detail)
			st.unknownLoc = f.v.Loc
			return st
		}
	}
	st.public, st.private = c.EndpointPublicAccess.Value, c.EndpointPrivateAccess.Value
	if !st.public && !st.private {
		st.unknown = "both endpoints are reported disabled, which EKS never allows; the data is wrong or incomplete, so re-read the cluster"
		st.unknownLoc = c.EndpointPublicAccess.Loc
		return st
	}
	zero := "0"
	var zero4 uint64
	if !st.public {
		ev.PublicEndpoint = PublicDisabled
		ev.AdmittedIPv4Addresses, ev.AdmittedIPv6Addresses = &zero4, &zero
		return st
	}
	if !c.PublicAccessCIDRs.Known() {
		st.cidrUnknown = unknownReason("publicAccessCidrs", c.PublicAccessCIDRs.Detail)
		st.cidrUnknownLoc = c.PublicAccessCIDRs.Loc
		return st
	}
	effective := cidrs
	if len(cidrs) == 0 {
		effective = DefaultPublicAccessCIDRs(c.IPFamily)
	}
	set, err := cidrset.Parse(effective)
	if err != nil {
		var pe *cidrset.ParseError
		// An entry that is not a CIDR block is data EKS could not have accepted: the whole record is
		// suspect, so neither control is judged on it.
		if errors.As(err, &pe) {
			st.unknown = fmt.Sprintf("publicAccessCidrs has entries that are not CIDR blocks (%s), so what the public endpoint admits cannot be judged", strings.Join(quote(pe.Invalid), ", "))
		} else {
			st.unknown = "publicAccessCidrs cannot be read: " + err.Error()
		}
		st.unknownLoc = c.PublicAccessCIDRs.Loc
		return st
	}
	st.set = set
	ev.EffectivePublicAccessCidrs = effective
	n4, n6 := set.IPv4Count(), set.IPv6Count().String()
	ev.AdmittedIPv4Addresses, ev.AdmittedIPv6Addresses = &n4, &n6
	st.open, st.openWhy = openness(cidrs, effective, set)
	if st.open {
		ev.PublicEndpoint = PublicOpen
	} else {
		ev.PublicEndpoint = PublicRestricted
	}
	return st
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

func origin(o model.Origin) model.Origin {
	if o == "" {
		return model.OriginUnknown
	}
	return o
}

func unknownReason(field, detail string) string {
	if detail == "" {
		detail = "no value"
	}
	return fmt.Sprintf("%s is unknown (%s), so the endpoint cannot be judged", field, detail)
}

func quote(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// describeAllowlist says in a few words what a restricted allowlist admits.
func describeAllowlist(st endpointState) string {
	n := len(st.ev.PublicAccessCidrs)
	blocks := "blocks"
	if n == 1 {
		blocks = "block"
	}
	parts := []string{}
	if v4 := *st.ev.AdmittedIPv4Addresses; v4 > 0 {
		parts = append(parts, plural(thousands(v4), "IPv4 address"))
	}
	if v6 := *st.ev.AdmittedIPv6Addresses; v6 != "0" {
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

// cliRemediation is the aws CLI command that applies settings to a live cluster.
func cliRemediation(c *model.Cluster, settings string) string {
	if !c.Source.Live() {
		return ""
	}
	return fmt.Sprintf("aws eks update-cluster-config --region %s --name %s --resources-vpc-config %s",
		shellQuote(c.Region), shellQuote(c.Name), settings)
}

// iacRemediation says in words what to change in a declared cluster; IaC adapters add the exact edit.
func iacRemediation(c *model.Cluster, settings string) string {
	if c.Source.Live() {
		return ""
	}
	return "set " + settings + " in the cluster definition"
}

// guardedFix is the eksguard fix command that plans the same change with safety checks; it only
// plans, so it is safe to copy and run.
func guardedFix(c *model.Cluster, target string) string {
	if !c.Source.Live() {
		return ""
	}
	return fmt.Sprintf("eksguard fix --cluster %s --region %s %s", shellQuote(c.Name), shellQuote(c.Region), target)
}

func remediation(c *model.Cluster, settings string) string {
	if c.Source.Live() {
		return cliRemediation(c, settings)
	}
	return iacRemediation(c, strings.ReplaceAll(settings, ",", " and "))
}

func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// firstLoc returns the first non-nil location, falling back to the cluster's own.
func firstLoc(c *model.Cluster, locs ...*model.Location) *model.Location {
	for _, l := range locs {
		if l != nil {
			return l
		}
	}
	return c.Loc
}

// statusNote tells, for a cluster that is not ACTIVE, that the verdict is on settings that may be
// about to change.
func statusNote(c *model.Cluster) string {
	switch c.Status {
	case "", model.StatusActive, model.StatusCreating, model.StatusPending:
		return ""
	}
	note := "; judged on the settings it reports while " + c.Status
	if len(c.Updates) > 0 {
		ids := make([]string, len(c.Updates))
		for i, u := range c.Updates {
			ids[i] = u.Type + " " + u.ID
		}
		note += " (in progress: " + strings.Join(ids, ", ") + ")"
	}
	return note
}

func unknownOutcome(c *model.Cluster, st endpointState) (Outcome, bool) {
	switch {
	case st.manual != "":
		return Outcome{Status: finding.Manual, Reason: st.manual, Evidence: st.ev, Location: c.Loc}, true
	case st.unknown != "":
		return Outcome{Status: finding.Unknown, Reason: st.unknown, Evidence: st.ev, Location: firstLoc(c, st.unknownLoc)}, true
	}
	return Outcome{}, false
}
