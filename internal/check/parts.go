package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// OfRegistry reports whether the check judges an account's ECR registry in a region rather than a
// cluster.
func (k *Check) OfRegistry() bool { return k.judgeRegistry != nil }

// Applies reports whether the check judges this cluster at all. A check of a registry never judges
// a cluster; a check of parts beyond DescribeCluster does not judge a definition in IaC whose
// format does not declare those parts (a Pulumi program's node groups), since absent there means
// unread, not absent. A live cluster is always judged: a part it lacks is UNKNOWN (partGate).
func (k *Check) Applies(c *model.Cluster) bool {
	if k.OfRegistry() {
		return false
	}
	if c.Source.KubeOnly() {
		// Read through a kubeconfig, with no AWS call: only what the Kubernetes API answers.
		return k.IsKube()
	}
	if c.Source.Live() {
		return true
	}
	for _, p := range k.Parts {
		if !c.Parts.Has(p) {
			return false
		}
	}
	return true
}

// partGate stops a check whose parts could not be read: a call that failed makes it ERROR, naming
// the call (other checks of the cluster stand), and a part never collected (a snapshot taken for
// other controls) makes it UNKNOWN.
func (k *Check) partGate(c *model.Cluster) (Outcome, bool) {
	if len(k.Parts) == 0 {
		return Outcome{}, false
	}
	if errs := k.partErrors(c.PartErrors); len(errs) > 0 {
		return errorOutcome(errs, c.Loc), true
	}
	var missing []string
	for _, p := range k.Parts {
		if !c.Parts.Has(p) {
			missing = append(missing, string(p))
		}
	}
	if len(missing) > 0 {
		what := "what this check reads (" + strings.Join(missing, ", ") + ") was not collected for this cluster"
		if len(missing) == 1 && missing[0] == string(model.PartProbe) {
			what = "the endpoint was not probed (scan --probe)"
		}
		return Outcome{Status: finding.Unknown, Location: c.Loc,
			Reason: what + " (a snapshot taken for other controls?); scan again with this control selected"}, true
	}
	return Outcome{}, false
}

// partErrors keeps the errors of calls this check makes.
func (k *Check) partErrors(errs []model.Error) []model.Error {
	var out []model.Error
	for _, e := range errs {
		if slices.ContainsFunc(k.Calls, func(a APICall) bool { return a.Action == e.Operation }) {
			out = append(out, e)
		}
	}
	return out
}

// PartErrorEvidence is the evidence of a check that could not read what it judges.
type PartErrorEvidence struct {
	Errors []model.Error `json:"errors"`
}

// errorOutcome is the ERROR a failed call gives, naming the IAM action when access was denied.
func errorOutcome(errs []model.Error, loc *model.Location) Outcome {
	var parts []string
	for _, e := range errs {
		what := e.Operation + " failed: " + e.Message
		if e.AccessDenied {
			what = "access denied: the caller needs " + e.Operation + "; " + e.Message
		}
		parts = append(parts, what)
	}
	sort.Strings(parts)
	parts = slices.Compact(parts)
	return Outcome{Status: finding.Error, Location: loc, Reason: strings.Join(parts, "; "), Evidence: PartErrorEvidence{Errors: errs}}
}

// EvaluateRegistry judges an ECR registry. A registry whose calls failed is ERROR, naming them.
func (k *Check) EvaluateRegistry(r *model.Registry) Outcome {
	if errs := k.partErrors(r.Errors); len(errs) > 0 || len(r.Errors) > 0 {
		if len(errs) == 0 {
			errs = r.Errors
		}
		return errorOutcome(errs, r.Loc)
	}
	o := k.judgeRegistry(r)
	if o.Location == nil {
		o.Location = r.Loc
	}
	if o.Status == finding.Fail && o.Remediation == "" {
		o.Remediation = k.advice(r.Source.Live())
	}
	return o
}

// advice is the fix in words for a live resource or a definition in IaC.
func (k *Check) advice(live bool) string {
	if !live && k.AdviceIaC != "" {
		return k.AdviceIaC
	}
	return k.Advice
}

// firstN returns at most n elements of a sorted copy of list, and how many there are in all.
func firstN(list []string, n int) ([]string, int) {
	s := sortedCopy(list)
	if len(s) > n {
		return s[:n], len(list)
	}
	return s, len(list)
}

// nameList words a list of names for a reason, with "and N more" past limit.
func nameList(list []string, limit int) string {
	shown, total := firstN(list, limit)
	text := strings.Join(shown, ", ")
	if total > len(shown) {
		text += fmt.Sprintf(" and %d more", total-len(shown))
	}
	return text
}

// HasTarget reports whether eksguard proposes settings (and so IaC edits and live fixes) for the
// check; the checks of node subnets, add-ons, policies and registries advise in words instead.
func (k *Check) HasTarget() bool { return k.want != nil }

// count words a number of things: "1 node group", "2 node groups".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
