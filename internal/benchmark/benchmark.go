// Package benchmark holds benchmark versions as embedded data (every control with its title, CIS
// assessment status, data source, and the permanent check ids that evaluate it), chooses the controls
// a run evaluates, and turns check outcomes into findings for those controls.
package benchmark

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

//go:embed cis-eks-1.8.0.yaml
var cis180 []byte

// Benchmark is one version of a benchmark, and the controls a run evaluates.
type Benchmark struct {
	ID       string    `yaml:"id"`
	Version  string    `yaml:"version"`
	Title    string    `yaml:"title"`
	Controls []Control `yaml:"controls"`
	// Own are eksguard's own controls, outside the benchmark: each is one eksguard check, evaluated
	// only when asked for (by name, or by --probe for the network checks).
	Own []Control `yaml:"-"`

	// selected, when set, restricts evaluation to these control ids.
	selected map[string]bool
	// kube puts the controls judged from the Kubernetes API among the default ones and the
	// sections (WithKubernetes).
	kube bool
}

// WithKubernetes is the benchmark with the Kubernetes controls evaluated like the others: by
// default and as part of the sections named (scan --kubernetes, --kubeconfig). Without it they are
// evaluated only when named by id or check id.
func (b *Benchmark) WithKubernetes() *Benchmark {
	out := *b
	out.kube = true
	return &out
}

// byDefault reports whether the run evaluates the control when no control is named.
func (b *Benchmark) byDefault(c Control) bool { return c.Evaluated() && (b.kube || !c.Kube()) }

// ownControls are the checks eksguard adds to the benchmark. Their control id is the check id, and
// their source says what they read.
func ownControls() []Control {
	return []Control{
		{ID: "anonymous-api-access", Title: "Anonymous callers get no more than public information (eksguard)", Assessment: "automated", Source: "network", Checks: []string{"anonymous-api-access"}},
		{ID: "endpoint-reachability", Title: "The endpoint answers from the network only as configured (eksguard)", Assessment: "automated", Source: "network", Checks: []string{"endpoint-reachability"}},
	}
}

// ProbeControls are the own controls --probe evaluates.
var ProbeControls = []string{"anonymous-api-access", "endpoint-reachability"}

// all lists the benchmark's controls and eksguard's own.
func (b *Benchmark) all() []Control { return append(append([]Control{}, b.Controls...), b.Own...) }

// With adds controls (eksguard's own, by id) to the selection.
func (b *Benchmark) With(ids ...string) *Benchmark {
	out := *b
	out.selected = map[string]bool{}
	if b.selected == nil {
		for _, c := range b.Controls {
			if b.byDefault(c) {
				out.selected[c.ID] = true
			}
		}
	}
	for id := range b.selected {
		out.selected[id] = true
	}
	for _, id := range ids {
		out.selected[id] = true
	}
	return &out
}

// Control is one recommendation of the benchmark.
type Control struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// Assessment is automated or manual, as CIS has it.
	Assessment string `yaml:"assessment"`
	// Source is where the control's data lives: aws, kubernetes, node, or organizational (a process
	// no API shows).
	Source string   `yaml:"source"`
	Checks []string `yaml:"checks"`
}

// Evaluated reports whether eksguard evaluates the control.
func (c Control) Evaluated() bool { return len(c.Checks) > 0 }

// Kube reports whether the control is judged from the cluster's Kubernetes API or its kubelets
// (every one of its checks reads only those).
func (c Control) Kube() bool {
	for _, id := range c.Checks {
		if k, ok := check.Lookup(id); !ok || !k.IsKube() {
			return false
		}
	}
	return len(c.Checks) > 0
}

// KubeControls lists the evaluated controls judged from the Kubernetes API or the kubelets.
func (b *Benchmark) KubeControls() []string {
	var ids []string
	for _, c := range b.Controls {
		if c.Kube() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// Severity is the worst severity of the control's checks, "" for a control eksguard does not
// evaluate.
func (c Control) Severity() check.Severity {
	rank := map[check.Severity]int{check.SeverityLow: 1, check.SeverityMedium: 2, check.SeverityHigh: 3}
	var worst check.Severity
	for _, id := range c.Checks {
		if k, ok := check.Lookup(id); ok && rank[k.Severity] > rank[worst] {
			worst = k.Severity
		}
	}
	return worst
}

// Assessments and sources a control may have.
var (
	assessments = map[string]bool{"automated": true, "manual": true}
	sources     = map[string]bool{"aws": true, "kubernetes": true, "node": true, "organizational": true, "network": true}
)

// Default is the benchmark version eksguard evaluates, with every evaluated control selected.
func Default() *Benchmark {
	b, err := parse(cis180)
	if err != nil {
		// The data is embedded and covered by tests; a failure here is a build defect.
		panic(err)
	}
	return b
}

func parse(data []byte) (*Benchmark, error) {
	var b Benchmark
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("parse benchmark data: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range b.Controls {
		if seen[c.ID] {
			return nil, fmt.Errorf("benchmark data: duplicate control %s", c.ID)
		}
		seen[c.ID] = true
		if !assessments[c.Assessment] {
			return nil, fmt.Errorf("benchmark data: control %s has assessment %q (want automated or manual)", c.ID, c.Assessment)
		}
		if !sources[c.Source] {
			return nil, fmt.Errorf("benchmark data: control %s has source %q (want aws, kubernetes, node or organizational)", c.ID, c.Source)
		}
		for _, id := range c.Checks {
			if _, ok := check.Lookup(id); !ok {
				return nil, fmt.Errorf("benchmark data: control %s names unknown check %q", c.ID, id)
			}
		}
	}
	sort.SliceStable(b.Controls, func(i, j int) bool { return finding.ControlLess(b.Controls[i].ID, b.Controls[j].ID) })
	b.Own = ownControls()
	return &b, nil
}

// Ref is the benchmark identity written into reports.
func (b *Benchmark) Ref() finding.Benchmark { return finding.Benchmark{ID: b.ID, Version: b.Version} }

// Evaluated lists the controls a run evaluates: every control eksguard evaluates, or the selected
// ones, in numeric order.
func (b *Benchmark) Evaluated() []Control {
	var out []Control
	for _, c := range b.Controls {
		if (b.selected == nil && b.byDefault(c)) || (b.selected != nil && c.Evaluated() && b.selected[c.ID]) {
			out = append(out, c)
		}
	}
	for _, c := range b.Own {
		if b.selected[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// Control finds a control by id.
func (b *Benchmark) Control(id string) (Control, bool) {
	for _, c := range b.all() {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}

// ControlsOf lists the controls a check serves.
func (b *Benchmark) ControlsOf(checkID string) []Control {
	var out []Control
	for _, c := range b.all() {
		for _, id := range c.Checks {
			if id == checkID {
				out = append(out, c)
			}
		}
	}
	return out
}

// Select restricts a run to some controls. only names the controls to evaluate (all evaluated ones
// when empty); skip names controls to leave out. Each name is a control id (5.4.1), a section, whose
// controls it stands for (5.4, 4), or a check id, standing for the controls it serves. A name that
// matches no evaluated control is an error listing what can be named; so is a selection that leaves
// nothing to evaluate.
func (b *Benchmark) Select(only, skip []string) (*Benchmark, error) {
	want := map[string]bool{}
	if len(only) == 0 {
		for _, c := range b.Controls {
			if b.byDefault(c) {
				want[c.ID] = true
			}
		}
	}
	for _, name := range only {
		ids, err := b.resolve(name, "--controls")
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			want[id] = true
		}
	}
	for _, name := range skip {
		ids, err := b.resolve(name, "--skip-controls")
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			delete(want, id)
		}
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("the selection leaves no control to evaluate (evaluated controls: %s)", strings.Join(b.evaluatedIDs(), ", "))
	}
	out := *b
	out.selected = want
	return &out, nil
}

// resolve turns a name given to a flag into the evaluated controls it stands for.
func (b *Benchmark) resolve(name, flag string) ([]string, error) {
	name = strings.TrimSpace(name)
	var ids []string
	var matched []Control
	for _, c := range b.all() {
		if c.ID == name || strings.HasPrefix(c.ID, name+".") || containsFold(c.Checks, name) {
			matched = append(matched, c)
		}
	}
	var kube []string
	for _, c := range matched {
		switch {
		case !c.Evaluated():
		case c.Kube() && !b.kube && flag == "--controls" && c.ID != name && !containsFold(c.Checks, name):
			// A section stands for its Kubernetes controls only when the Kubernetes API is read.
			kube = append(kube, c.ID)
		default:
			ids = append(ids, c.ID)
		}
	}
	switch {
	case name == "":
		return nil, fmt.Errorf("%s: an empty control id", flag)
	case len(ids) == 0 && len(kube) > 0:
		return nil, fmt.Errorf("%s: the controls of %s (%s) are judged from the Kubernetes API: add --kubernetes, or name them one by one",
			flag, name, strings.Join(kube, ", "))
	case len(matched) == 0:
		return nil, fmt.Errorf("%s: %q is not a control, a section or a check of %s %s (evaluated controls: %s; checks: %s)",
			flag, name, b.Title, b.Version, strings.Join(b.evaluatedIDs(), ", "), strings.Join(check.IDs(), ", "))
	case len(ids) == 0:
		return nil, fmt.Errorf("%s: %s is not evaluated by eksguard (its data is %s); evaluated controls: %s",
			flag, name, matched[0].Source, strings.Join(b.evaluatedIDs(), ", "))
	}
	return ids, nil
}

func (b *Benchmark) evaluatedIDs() []string {
	var ids []string
	for _, c := range b.Controls {
		if c.Evaluated() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// containsFold reports whether list holds s, ignoring case: check ids are lower case, and a user may
// type them otherwise, as eksguard explain accepts.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// ClusterResource identifies a cluster in results. A definition in IaC without a root of its own is
// evaluated from its file's folder.
func ClusterResource(c *model.Cluster) finding.Resource {
	root, file := c.Root, ""
	if c.Source != model.SourceAWS && c.Loc != nil && c.Loc.File != "" {
		file = c.Loc.File
		if root == "" {
			root = path.Dir(file)
		}
	}
	return finding.Resource{Type: finding.ResourceCluster, Name: c.Name, Region: c.Region, Account: c.Account, ARN: c.ARN, Root: root, File: file}
}

// EvaluateCluster runs every evaluated control on one cluster. A control with several checks takes the
// worst outcome, so a control never passes while one of its checks does not.
func (b *Benchmark) EvaluateCluster(c *model.Cluster) []finding.Result {
	return b.appendCluster(nil, b.Evaluated(), c)
}

// appendCluster appends the results of the controls on one cluster to out.
func (b *Benchmark) appendCluster(out []finding.Result, controls []Control, c *model.Cluster) []finding.Result {
	for _, ctl := range controls {
		var chosen check.Outcome
		var chosenID string
		judged := false
		for _, id := range ctl.Checks {
			chk, _ := check.Lookup(id)
			if !chk.Applies(c) {
				continue
			}
			o := chk.Evaluate(c)
			if !judged || rank(o.Status) > rank(chosen.Status) {
				chosen, chosenID = o, id
			}
			judged = true
		}
		if !judged {
			continue
		}
		out = append(out, finding.Result{
			Control:     ctl.ID,
			CheckID:     chosenID,
			Title:       ctl.Title,
			Severity:    string(ctl.Severity()),
			Assessment:  ctl.Assessment,
			Status:      chosen.Status,
			Resource:    ClusterResource(c),
			Reason:      chosen.Reason,
			Evidence:    chosen.Evidence,
			Remediation: chosen.Remediation,
			GuardedFix:  chosen.GuardedFix,
			Location:    chosen.Location,
		})
	}
	return out
}

// RegistryResource identifies an ECR registry in results: the account and region, or for a
// definition in IaC the root that declares the repositories.
func RegistryResource(r *model.Registry) finding.Resource {
	name := r.Account
	file := ""
	if !r.Source.Live() {
		name = r.Root
		if r.Loc != nil {
			file = r.Loc.File
		}
		if name == "" && file != "" {
			name = path.Dir(file)
		}
	}
	return finding.Resource{Type: finding.ResourceRegistry, Name: name, Region: r.Region, Account: r.Account, Root: r.Root, File: file}
}

// EvaluateRegistry runs the evaluated controls whose checks judge a registry.
func (b *Benchmark) EvaluateRegistry(r *model.Registry) []finding.Result {
	var out []finding.Result
	for _, ctl := range b.Evaluated() {
		for _, id := range ctl.Checks {
			chk, _ := check.Lookup(id)
			if !chk.OfRegistry() {
				continue
			}
			o := chk.EvaluateRegistry(r)
			out = append(out, finding.Result{
				Control:     ctl.ID,
				CheckID:     id,
				Title:       ctl.Title,
				Severity:    string(ctl.Severity()),
				Assessment:  ctl.Assessment,
				Status:      o.Status,
				Resource:    RegistryResource(r),
				Reason:      o.Reason,
				Evidence:    o.Evidence,
				Remediation: o.Remediation,
				Location:    o.Location,
			})
		}
	}
	return out
}

// uncollectedRegistries are the UNKNOWN results of registry controls on an inventory that did not
// read registries (a snapshot taken for other controls): one per account and region it holds, so
// that the control is not silently missing from the report.
func (b *Benchmark) uncollectedRegistries(inv *model.Inventory) []finding.Result {
	if inv.Parts.Has(model.PartRegistry) {
		return nil
	}
	var out []finding.Result
	seen := map[[2]string]bool{}
	for _, c := range inv.Clusters {
		if !c.Source.Live() || c.Account == "" || c.Region == "" || seen[[2]string{c.Account, c.Region}] {
			continue
		}
		seen[[2]string{c.Account, c.Region}] = true
		for _, ctl := range b.Evaluated() {
			if !ofRegistry(ctl) {
				continue
			}
			out = append(out, finding.Result{
				Control: ctl.ID, CheckID: ctl.Checks[0], Title: ctl.Title, Severity: string(ctl.Severity()), Assessment: ctl.Assessment, Status: finding.Unknown,
				Resource: finding.Resource{Type: finding.ResourceRegistry, Name: c.Account, Region: c.Region, Account: c.Account},
				Reason:   "the ECR registry was not collected (a snapshot taken for other controls); scan again with this control selected",
			})
		}
	}
	return out
}

// Parts is what the evaluated controls read beyond DescribeCluster: what a live scan must collect.
func (b *Benchmark) Parts() model.Parts {
	var ps model.Parts
	for _, ctl := range b.Evaluated() {
		for _, id := range ctl.Checks {
			if chk, ok := check.Lookup(id); ok {
				ps = ps.Add(chk.Parts...)
			}
		}
	}
	return ps
}

// ofRegistry reports whether a control is judged on registries only.
func ofRegistry(ctl Control) bool {
	for _, id := range ctl.Checks {
		if k, ok := check.Lookup(id); !ok || !k.OfRegistry() {
			return false
		}
	}
	return len(ctl.Checks) > 0
}

// rank orders statuses from best to worst for combining several checks.
func rank(s finding.Status) int {
	switch s {
	case finding.Pass:
		return 0
	case finding.Manual:
		return 1
	case finding.Unknown:
		return 2
	case finding.Fail:
		return 3
	default:
		return 4
	}
}

// ErrorEvidence is the evidence of an ERROR result: what could not be read and why.
type ErrorEvidence struct {
	Operation    string `json:"operation"`
	Code         string `json:"code,omitempty"`
	Message      string `json:"message"`
	AccessDenied bool   `json:"accessDenied,omitempty"`
}

// ErrorResults turns a collection failure into one ERROR result per evaluated control, so that
// per-control counts never hide a part of the estate that was not read.
func (b *Benchmark) ErrorResults(e model.Error) []finding.Result {
	res := finding.Resource{Type: finding.ResourceRegion, Name: e.Region, Region: e.Region, Account: e.Account}
	switch {
	case e.Cluster != "":
		res = finding.Resource{Type: finding.ResourceCluster, Name: e.Cluster, Region: e.Region, Account: e.Account, ARN: e.ARN}
	case e.Region == "":
		res = finding.Resource{Type: finding.ResourceAccount, Name: e.Account, Account: e.Account}
	}
	reason := fmt.Sprintf("%s failed: %s", e.Operation, e.Message)
	if e.AccessDenied {
		reason = fmt.Sprintf("access denied: the caller needs %s; %s", e.Operation, e.Message)
	}
	var out []finding.Result
	for _, ctl := range b.Evaluated() {
		if e.Account != "" && (e.Region != "" || e.Cluster != "") && ofRegistry(ctl) {
			// A cluster or a region's clusters that could not be read say nothing of the
			// registry, which is read and judged on its own.
			continue
		}
		out = append(out, finding.Result{
			Control:  ctl.ID,
			CheckID:  ctl.Checks[0],
			Title:    ctl.Title,
			Severity: string(ctl.Severity()), Assessment: ctl.Assessment,
			Status:   finding.Error,
			Resource: res,
			Reason:   reason,
			Evidence: ErrorEvidence{Operation: e.Operation, Code: e.Code, Message: e.Message, AccessDenied: e.AccessDenied},
		})
	}
	return out
}

// EvaluateInventory evaluates every cluster and turns every collection error into ERROR results.
// Clusters are evaluated in parallel (checks are pure functions); the order of the results follows
// the inventory.
func (b *Benchmark) EvaluateInventory(inv *model.Inventory) []finding.Result {
	controls := b.Evaluated()
	// Each cluster has a slot of one result per control in one array, filled in place and then
	// closed up: a fleet's results are never held twice (per cluster, then together).
	k := len(controls)
	out := make([]finding.Result, len(inv.Clusters)*k, len(inv.Clusters)*k+len(inv.Errors)*k+len(inv.Registries)*k)
	n := make([]int, len(inv.Clusters))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(inv.Clusters)/256))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				n[i] = len(b.appendCluster(out[i*k:i*k:i*k+k], controls, inv.Clusters[i]))
			}
		}()
	}
	for i := range inv.Clusters {
		next <- i
	}
	close(next)
	wg.Wait()
	end := 0
	for i, m := range n {
		end += copy(out[end:], out[i*k:i*k+m])
	}
	clear(out[end:])
	out = out[:end]
	for _, r := range inv.Registries {
		out = append(out, b.EvaluateRegistry(r)...)
	}
	out = append(out, b.uncollectedRegistries(inv)...)
	for _, e := range inv.Errors {
		out = append(out, b.ErrorResults(e)...)
	}
	return out
}
