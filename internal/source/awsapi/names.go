package awsapi

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/eksguard/eksguard/internal/textdist"
)

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
	clusterRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	roleRE    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// Partition is an AWS partition and its regions.
type Partition struct {
	ID      string
	Regions []string
}

// partitions are the regions of every AWS partition, as the partition metadata of
// aws-sdk-go-v2 v1.48.0 (internal/endpoints/awsrulesfn/partitions.json) lists them, without the
// "-global" pseudo-regions. TestRegionsMatchSDK fails when the SDK in go.mod lists others, so an
// SDK upgrade brings the new regions here. A region launched after this list is accepted when
// EKSGUARD_EXTRA_REGIONS names it (see CheckRegion).
var partitions = []Partition{
	{ID: "aws", Regions: []string{
		"af-south-1",
		"ap-east-1", "ap-east-2",
		"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2",
		"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
		"ca-central-1", "ca-west-1",
		"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1",
		"me-central-1", "me-south-1", "me-west-1",
		"mx-central-1",
		"sa-east-1", "sa-west-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	}},
	{ID: "aws-cn", Regions: []string{"cn-north-1", "cn-northwest-1"}},
	{ID: "aws-us-gov", Regions: []string{"us-gov-east-1", "us-gov-west-1"}},
	{ID: "aws-eusc", Regions: []string{"eusc-de-east-1"}},
	{ID: "aws-iso", Regions: []string{"us-iso-east-1", "us-iso-west-1"}},
	{ID: "aws-iso-b", Regions: []string{"us-isob-east-1", "us-isob-west-1"}},
	{ID: "aws-iso-e", Regions: []string{"eu-isoe-west-1"}},
	{ID: "aws-iso-f", Regions: []string{"us-isof-east-1", "us-isof-south-1"}},
}

// EnvExtraRegions names the environment variable that lists regions, comma-separated, to accept
// besides the built-in ones: a region AWS launched after this eksguard was built.
const EnvExtraRegions = "EKSGUARD_EXTRA_REGIONS"

// Partitions returns the built-in regions by partition.
func Partitions() []Partition {
	out := make([]Partition, len(partitions))
	for i, p := range partitions {
		out[i] = Partition{ID: p.ID, Regions: slices.Clone(p.Regions)}
	}
	return out
}

// Regions returns every built-in region name, sorted.
func Regions() []string {
	var out []string
	for _, p := range partitions {
		out = append(out, p.Regions...)
	}
	slices.Sort(out)
	return out
}

// KnownRegion reports whether s is a built-in region name.
func KnownRegion(s string) bool {
	for _, p := range partitions {
		if slices.Contains(p.Regions, s) {
			return true
		}
	}
	return false
}

// ValidRegion reports whether s is spelled like an AWS region name (us-east-1, us-gov-west-1,
// eusc-de-east-1), whether or not AWS has such a region; CheckRegion is the check for a region a
// user typed.
func ValidRegion(s string) bool { return regionRE.MatchString(s) }

// CheckRegion returns nil when name is a built-in region, or a region spelled like one that the
// value of EKSGUARD_EXTRA_REGIONS names (getenv reads the environment; nil reads none). Otherwise
// the error names the nearest regions, lists every built-in one and, for a well-spelled name,
// says how to allow a region launched after this list. A malformed EKSGUARD_EXTRA_REGIONS is an
// error too: a typo there would otherwise let the typo it was meant to allow go unnoticed.
//
// Checking names against a list rather than a pattern catches a typo (us-eats-1) before any call
// is made; otherwise it surfaces only as a connection error for a host that does not exist, or,
// with --endpoint-url, as a region that silently has no clusters.
func CheckRegion(name string, getenv func(string) string) error {
	if KnownRegion(name) {
		return nil
	}
	extra := ""
	if getenv != nil {
		extra = getenv(EnvExtraRegions)
	}
	for _, e := range strings.Split(extra, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if !ValidRegion(e) {
			return fmt.Errorf("%s: %q is not spelled like an AWS region name (like us-east-1)", EnvExtraRegions, e)
		}
		if e == name {
			return nil
		}
	}
	var b strings.Builder
	if ValidRegion(name) {
		fmt.Fprintf(&b, "%q is not an AWS region", name)
	} else {
		fmt.Fprintf(&b, "%q is not an AWS region name", name)
	}
	if near := NearestRegions(name); len(near) > 0 {
		fmt.Fprintf(&b, "; did you mean %s?", orList(near))
	}
	b.WriteString("\nregions:")
	for _, p := range partitions {
		writeWrapped(&b, "  "+p.ID+": ", p.Regions)
	}
	if ValidRegion(name) {
		fmt.Fprintf(&b, "\nif %s is a region AWS launched after this version of eksguard, allow it with %s=%s", name, EnvExtraRegions, name)
	}
	return fmt.Errorf("%s", b.String())
}

// NearestRegions returns the built-in regions closest to s, at most three, when they are at most
// two edits away (a swap of neighbouring letters counts as one: us-eats-1 is one from us-east-1).
// Case is ignored, so US-EAST-1 finds us-east-1.
func NearestRegions(s string) []string {
	s = strings.ToLower(strings.TrimSpace(s))
	best, bestD := []string(nil), 3
	for _, r := range Regions() {
		d := textdist.Distance(s, r)
		switch {
		case d < bestD:
			best, bestD = []string{r}, d
		case d == bestD:
			best = append(best, r)
		}
	}
	if len(best) > 3 {
		best = best[:3]
	}
	return best
}

// writeWrapped writes a new line of prefix and names, comma-separated, continued on further lines
// indented like the first name so that no line is much over 100 characters.
func writeWrapped(b *strings.Builder, prefix string, names []string) {
	indent := strings.Repeat(" ", len(prefix))
	line := prefix
	for i, n := range names {
		if i > 0 {
			line += ","
			if len(line)+1+len(n) > 100 {
				b.WriteString("\n" + line)
				line = indent + n
				continue
			}
			line += " "
		}
		line += n
	}
	b.WriteString("\n" + line)
}

// orList quotes names and joins them: "a", "a" or "b", "a", "b" or "c".
func orList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// ValidClusterName reports whether s is a name EKS accepts for a cluster.
func ValidClusterName(s string) bool { return clusterRE.MatchString(s) }

// ValidAccountID reports whether s is a 12-digit account id.
func ValidAccountID(s string) bool { return accountRE.MatchString(s) }

// ValidRoleName reports whether s is an IAM role name.
func ValidRoleName(s string) bool { return roleRE.MatchString(s) }
