// Package check holds the checks: pure functions from a model.Cluster to an outcome. They never see SDK
// structs, HCL or YAML, so one check serves live clusters, snapshots and every IaC format alike.
//
// A check describes itself: its permanent id, title, severity, rationale, documentation links, what it
// reads on a live cluster and in each IaC format, the rule that makes it pass and the defaults that
// decide it, how to fix it for each source, and good and bad examples in every IaC format it
// supports. Renderers, `eksguard explain` and the IAM policy take all of this from the check; which
// benchmark control a check implements is data in package benchmark, never check code.
//
// A check also states the settings that make it pass (Want): that one value drives the remediation
// text, the edit every IaC adapter writes and eksguard fix's target.
package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// Outcome is what a check concluded about one cluster.
type Outcome struct {
	Status      finding.Status
	Reason      string
	Evidence    any
	Remediation string
	GuardedFix  string
	// Location is the file and line that decided an IaC verdict (nil for live clusters).
	Location *model.Location
}

// Severity ranks what a failure exposes.
type Severity string

const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
)

// Link is a page that documents a check.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// APICall is a call a check needs on a live cluster, named by its IAM action.
type APICall struct {
	Action string `json:"action"`
	// Kubernetes is set for a read of the cluster's Kubernetes API ("list pods", "get
	// nodes/proxy"): an RBAC verb and resource, granted by the ClusterRole in the README, not IAM.
	Kubernetes bool `json:"kubernetes,omitempty"`
	// What says what the call gives the check.
	What string `json:"what"`
}

// Format names an IaC format, as examples and the per-format documentation of a check use it.
type Format string

// The formats eksguard reads.
const (
	FormatTerraform          Format = "terraform"
	FormatTerraformJSON      Format = "terraform-json"
	FormatTerraformModule    Format = "terraform-aws-modules/eks"
	FormatTerraformPlan      Format = "terraform-plan"
	FormatCloudFormationYAML Format = "cloudformation-yaml"
	FormatCloudFormationJSON Format = "cloudformation-json"
	FormatEksctl             Format = "eksctl"
	// FormatClusterAPI is Cluster API Provider AWS's AWSManagedControlPlane; FormatACK the AWS
	// Controllers for Kubernetes EKS Cluster. Both are Kubernetes objects in YAML manifests.
	FormatClusterAPI Format = "cluster-api-aws"
	FormatACK        Format = "ack-eks"
	// FormatPulumiAWS is an aws:eks:Cluster resource in a Pulumi YAML program; FormatPulumiEKS the
	// pulumi-eks eks:Cluster component.
	FormatPulumiAWS Format = "pulumi-aws"
	FormatPulumiEKS Format = "pulumi-eks"
	// FormatCrossplaneUpbound is the Upbound AWS provider's Cluster (eks.aws.upbound.io and the
	// namespaced eks.aws.m.upbound.io), FormatCrossplaneClassic the classic Crossplane AWS provider's
	// (eks.aws.crossplane.io), FormatCrossplaneComposition either of them as a Composition's resource.
	FormatCrossplaneUpbound     Format = "crossplane-upbound"
	FormatCrossplaneClassic     Format = "crossplane-classic"
	FormatCrossplaneComposition Format = "crossplane-composition"
	// FormatKro is a kro ResourceGraphDefinition whose resource template is one of the Kubernetes
	// cluster kinds above.
	FormatKro Format = "kro"
)

// IaCField says where a format writes a setting a check reads, and what an omitted setting means.
type IaCField struct {
	Format Format `json:"format"`
	// Path is the setting as the format spells it (aws_eks_cluster.vpc_config.endpoint_public_access).
	Path string `json:"path"`
	// Default is what applies when the setting is left out.
	Default string `json:"default"`
}

// Example is a small configuration in one format on which a check gives a known verdict. Files are
// by name; the one named first in sorted order declares the cluster. Bad examples are fixed by the
// adapter's edit for the check's target and must then pass.
type Example struct {
	Format Format
	Name   string
	Files  map[string]string
	// Want is PASS for a good example, FAIL for a bad one.
	Want finding.Status
	// Options are the fix options the bad example's edit is made with (a KMS key, a restrict target).
	Options Options
}

// Options are what the user chose about fixes: what the endpoint checks aim for, and the values a
// fix cannot choose by itself.
type Options struct {
	// Endpoint is TargetPrivate (the default) or TargetRestrict with CIDRs.
	Endpoint string
	CIDRs    []string
	// KMSKeyARN is the customer managed key secrets encryption is to use.
	KMSKeyARN string
}

// Endpoint targets.
const (
	TargetPrivate  = "private"
	TargetRestrict = "restrict"
)

// Check is one permanent, benchmark-independent test of a cluster.
type Check struct {
	// ID is permanent: reports, waivers and SARIF fingerprints depend on it.
	ID    string
	Title string
	// Summary is the pass rule in one line.
	Summary   string
	Severity  Severity
	Rationale string
	Links     []Link
	// Reads are the model fields the check judges.
	Reads []model.Field
	// Calls are the AWS API calls it needs on a live cluster.
	Calls []APICall
	// IaC says where each format writes what it reads.
	IaC []IaCField
	// PassRule and Defaults say in words when it passes and which defaults decide it.
	PassRule string
	Defaults string
	// Examples are good and bad configurations in each format the check supports.
	Examples []Example
	// Caution is said with every remediation: what the change does that cannot be undone.
	Caution string

	// Parts are the data beyond DescribeCluster the check reads (node groups, add-ons, ...): a
	// live scan fetches them only for the controls that need them.
	Parts []model.Part
	// Advice is the fix in words of a check whose fix eksguard does not make (a node role's
	// policies, a load balancer's listeners), for a live cluster; AdviceIaC for a definition in IaC.
	Advice    string
	AdviceIaC string

	// judge evaluates a cluster that has passed the gate.
	judge func(c *model.Cluster) Outcome
	// judgeRegistry evaluates an ECR registry, for a check of a region's registry rather than of
	// a cluster.
	judgeRegistry func(r *model.Registry) Outcome
	// want states the settings that make the check pass for these options, or why it has none.
	want func(c *model.Cluster, o Options) (model.Settings, string)
	// remedy words the remediation of a check whose target needs what only the user can choose
	// (a KMS key), when none was given.
	remedy func(c *model.Cluster) string
}

var registry = map[string]*Check{}

func register(c *Check) *Check {
	if _, dup := registry[c.ID]; dup {
		panic("check: duplicate id " + c.ID)
	}
	registry[c.ID] = c
	return c
}

// Lookup finds a check by id.
func Lookup(id string) (*Check, bool) {
	c, ok := registry[id]
	return c, ok
}

// All lists every check, sorted by id.
func All() []*Check {
	out := make([]*Check, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Wanted merges what every check that does not pass on c still wants of it for the options, and
// names those checks. Two checks that want different values of one field are conflicts.
func Wanted(c *model.Cluster, o Options) (want model.Settings, asked []*Check, conflicts []model.Field) {
	for _, k := range All() {
		if !k.HasTarget() || k.Evaluate(c).Status == finding.Pass {
			continue
		}
		w, why := k.Want(c, o)
		if why != "" || w.Empty() {
			continue
		}
		var cs []model.Field
		want, cs = want.Merge(w)
		conflicts = append(conflicts, cs...)
		asked = append(asked, k)
	}
	return want, asked, conflicts
}

// IDs lists the registered check ids, sorted.
func IDs() []string {
	var ids []string
	for _, c := range All() {
		ids = append(ids, c.ID)
	}
	return ids
}

// Evaluate judges a cluster. Every check passes the same gate first: a cluster that cannot be judged
// yet (CREATING, or a registered cluster still PENDING) is UNKNOWN, and a connected registered
// cluster, whose control plane EKS does not run, is MANUAL. A cluster that is changing (UPDATING,
// FAILED, DELETING) is judged on what it reports now, and the reason says so.
func (k *Check) Evaluate(c *model.Cluster) Outcome {
	if k.OfRegistry() {
		return Outcome{Status: finding.Unknown, Location: c.Loc, Reason: k.ID + " judges an ECR registry, not a cluster"}
	}
	if o, stop := k.partGate(c); stop {
		if g, gated := gate(c); gated {
			return g
		}
		return o
	}
	if o, stop := k.kubeGate(c); stop {
		if g, gated := gate(c); gated {
			return g
		}
		return o
	}
	o := k.judge(c)
	if g, stop := gate(c); stop {
		// The evidence still shows what the cluster reported.
		g.Evidence = o.Evidence
		return g
	}
	if o.Status == finding.Pass || o.Status == finding.Fail || o.Status == finding.Unknown {
		o.Reason += statusNote(c)
	}
	if o.Location == nil {
		o.Location = c.Loc
	}
	if o.Status == finding.Fail && o.Remediation == "" {
		o.Remediation, o.GuardedFix = k.remediation(c)
		if o.Remediation == "" {
			o.Remediation = k.advice(c.Source.Live())
		}
	}
	return o
}

// Want returns the settings that make the check pass on c for the options, with only the fields
// the cluster does not already have, or why there are none to propose.
func (k *Check) Want(c *model.Cluster, o Options) (model.Settings, string) {
	s, why := k.Target(c, o)
	if why != "" {
		return model.Settings{}, why
	}
	return s.Pending(c), ""
}

// Target returns every setting the check's target for the options consists of, including those the
// cluster already has (eksguard fix states the whole target it changes to), or why there is none.
func (k *Check) Target(c *model.Cluster, o Options) (model.Settings, string) {
	if k.want == nil {
		return model.Settings{}, "this check proposes no settings"
	}
	return k.want(c, o)
}

// remediation is the fix of a failing cluster in words: the aws CLI commands for a live cluster,
// the settings to write for a declared one, both from the check's own target.
func (k *Check) remediation(c *model.Cluster) (text, guarded string) {
	// The whole target, not only what is pending: this is the command the benchmark gives, and
	// repeating a setting the cluster already has changes nothing.
	if k.want == nil {
		return "", ""
	}
	s, why := k.want(c, Options{Endpoint: TargetPrivate})
	switch {
	case why != "" && k.remedy != nil:
		return k.remedy(c), ""
	case why != "" || s.Empty():
		return why, ""
	}
	caution := ""
	if k.Caution != "" {
		caution = " (" + k.Caution + ")"
	}
	if c.Source.Live() {
		return strings.Join(LiveCommands(c, s), " && ") + caution, guardedFix(c, s)
	}
	return "set " + Words(s) + " in the cluster definition" + caution, ""
}

// gate is the one place that decides a cluster cannot be judged (yet) by any check.
func gate(c *model.Cluster) (Outcome, bool) {
	switch {
	case c.Connector && c.Status != model.StatusPending:
		return Outcome{Status: finding.Manual, Location: c.Loc,
			Reason: "registered (EKS Connector) cluster: its control plane is not managed by EKS; assess it where the cluster runs"}, true
	case c.Status == model.StatusCreating:
		return Outcome{Status: finding.Unknown, Location: c.Loc,
			Reason: "cluster is CREATING: its settings are not final until it is ACTIVE; scan again later"}, true
	case c.Status == model.StatusPending:
		return Outcome{Status: finding.Unknown, Location: c.Loc,
			Reason: "registered cluster is PENDING: it has not connected, so there is nothing to judge yet"}, true
	}
	return Outcome{}, false
}

// statusNote tells, for a cluster that is changing, that the verdict is on settings that may be about
// to change.
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

// Tri is a three-valued truth: a condition on a field that may be unknown. A verdict that every
// possible value of the unknown fields would give is that verdict; UNKNOWN is left for when they
// could change it.
type Tri int8

const (
	False Tri = iota
	True
	Maybe
)

// Of makes a Tri of a known condition.
func Of(b bool) Tri {
	if b {
		return True
	}
	return False
}

// Not, And and Or follow Kleene's logic: unknown only when the known parts do not decide.
func (t Tri) Not() Tri {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Maybe
}

// And is true when both are true, false when either is false.
func (t Tri) And(o Tri) Tri {
	switch {
	case t == False || o == False:
		return False
	case t == True && o == True:
		return True
	}
	return Maybe
}

// Or is true when either is true, false when both are false.
func (t Tri) Or(o Tri) Tri {
	switch {
	case t == True || o == True:
		return True
	case t == False && o == False:
		return False
	}
	return Maybe
}

// boolTri reads a boolean setting as a Tri.
func boolTri(b model.Bool) Tri {
	if !b.Known() {
		return Maybe
	}
	return Of(b.Value)
}

// unknownField is the reason text for an unknown field.
func unknownField(f model.Field, detail string) string {
	if detail == "" {
		detail = "no value"
	}
	return fmt.Sprintf("%s is unknown (%s)", f, detail)
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

// sortedCopy returns a sorted copy of a list.
func sortedCopy(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	return out
}

// Context is what every check's evidence says about where the cluster's definition came from.
type Context struct {
	// Notes are the source's remarks worth showing with the verdict.
	Notes []string `json:"notes,omitempty"`
	// AlsoDeclaredIn lists other files that declare parts of the same cluster (an eksctl file of
	// node groups only), file:line, which the verdict does not read.
	AlsoDeclaredIn []string `json:"alsoDeclaredIn,omitempty"`
}

func contextOf(c *model.Cluster) Context {
	return Context{Notes: c.Notes, AlsoDeclaredIn: c.AlsoDeclaredIn}
}
