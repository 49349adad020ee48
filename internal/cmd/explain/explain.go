// Package explain is `eksguard explain ID`: what a control or a check protects against, what
// eksguard reads to judge it (API calls with their IAM actions, the settings of each IaC format),
// when it passes, the defaults that decide it, and how to fix it on a live cluster and in each IaC
// format. Everything comes from the check's own description; the IaC fixes are the edits the
// adapters write for the check's failing examples.
package explain

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/examples"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// Options are the command's argument, flags and what it needs.
type Options struct {
	Out       io.Writer
	Benchmark func() *benchmark.Benchmark
	ID        string
	Format    string
}

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IO.Out, Benchmark: benchmark.Default}
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "Explain a control or a check: what it reads, when it passes, how to fix it",
		Long: `Explain tells, for a control of the benchmark (5.4.1) or an eksguard check (eks-endpoint-restricted),
what it protects against, what eksguard reads to judge it (AWS API calls with the IAM action each
needs, and where each IaC format writes the setting), the rule that makes it pass, the defaults that
decide it, and the fix: aws CLI commands for a live cluster and, for each IaC format, the edit
'eksguard iac' writes, shown on a failing example.

'eksguard controls' lists every id.`,
		Example: `  eksguard explain 5.4.1
  eksguard explain eks-audit-logging
  eksguard explain 5.3.1 --format json`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return ids(opts.Benchmark()), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := opts.Validate(); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmdutil.FormatFlag(cmd.Flags(), &opts.Format, "text", "output format: text or json")
	return cmd
}

// Validate checks the options: the id must name a control or a check.
func (o *Options) Validate() error {
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("--format: unknown format %q (want text or json)", o.Format)
	}
	_, err := lookup(o.Benchmark(), o.ID)
	return err
}

// Explanation is what explain says about one id.
type Explanation struct {
	ID string `json:"id"`
	// Kind is control or check.
	Kind    string            `json:"kind"`
	Control *ControlDoc       `json:"control,omitempty"`
	Checks  []CheckDoc        `json:"checks"`
	Bench   finding.Benchmark `json:"benchmark"`
}

// ControlDoc is a control of the catalogue.
type ControlDoc struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Assessment string   `json:"assessment"`
	Source     string   `json:"source"`
	Evaluated  bool     `json:"evaluated"`
	Checks     []string `json:"checks"`
}

// CheckDoc is a check's description.
type CheckDoc struct {
	ID          string           `json:"id"`
	Title       string           `json:"title"`
	Summary     string           `json:"summary"`
	Severity    string           `json:"severity"`
	Controls    []string         `json:"controls"`
	Rationale   string           `json:"rationale"`
	Reads       []model.Field    `json:"reads"`
	Calls       []check.APICall  `json:"calls"`
	IaC         []check.IaCField `json:"iac"`
	PassRule    string           `json:"passRule"`
	Defaults    string           `json:"defaults"`
	Caution     string           `json:"caution,omitempty"`
	Remediation Remediation      `json:"remediation"`
	Links       []check.Link     `json:"links"`
}

// Remediation is how to fix a failure.
type Remediation struct {
	// Live are aws CLI commands for a cluster at EKS's defaults; CLUSTER, REGION (and KEY_ARN) stand
	// for its values.
	Live []string `json:"live"`
	// Restrict is the alternative for checks that accept a public endpoint restricted to an allowlist.
	Restrict []string `json:"restrict,omitempty"`
	// GuardedFix is the eksguard fix command that makes the change with safety checks.
	GuardedFix string `json:"guardedFix,omitempty"`
	// Note says what the commands need or cannot do.
	Note string   `json:"note,omitempty"`
	IaC  []IaCFix `json:"iac"`
}

// IaCFix is the edit eksguard iac writes in one format, shown on a failing example.
type IaCFix struct {
	Format  check.Format `json:"format"`
	Example string       `json:"example"`
	// Patch is the edit as a unified diff; empty for formats that are generated (a plan), with Note
	// saying what to change instead.
	Patch string `json:"patch,omitempty"`
	Note  string `json:"note,omitempty"`
}

// lookup finds what an id names. Check ids match whatever their case.
func lookup(b *benchmark.Benchmark, id string) (*Explanation, error) {
	id = strings.TrimSpace(id)
	if c, ok := b.Control(id); ok {
		return &Explanation{ID: c.ID, Kind: "control", Control: controlDoc(c), Bench: b.Ref()}, nil
	}
	for _, k := range check.All() {
		if strings.EqualFold(k.ID, id) {
			return &Explanation{ID: k.ID, Kind: "check", Bench: b.Ref()}, nil
		}
	}
	var ids, section []string
	for _, c := range b.Controls {
		ids = append(ids, c.ID)
		if strings.HasPrefix(c.ID, id+".") {
			section = append(section, c.ID)
		}
	}
	msg := fmt.Sprintf("%q is not a control of %s %s or an eksguard check", id, b.Title, b.Version)
	if len(section) > 0 {
		msg = fmt.Sprintf("%q is a section of %s %s; explain one of its controls: %s", id, b.Title, b.Version, strings.Join(section, ", "))
	}
	if id == "" {
		msg = "the id is empty"
	}
	return nil, fmt.Errorf("%s\ncontrols: %s\nchecks: %s", msg, strings.Join(ids, ", "), strings.Join(check.IDs(), ", "))
}

func controlDoc(c benchmark.Control) *ControlDoc {
	return &ControlDoc{ID: c.ID, Title: c.Title, Assessment: c.Assessment, Source: c.Source, Evaluated: c.Evaluated(), Checks: append([]string{}, c.Checks...)}
}

// Explain builds the explanation of an id.
func Explain(ctx context.Context, b *benchmark.Benchmark, id string) (*Explanation, error) {
	e, err := lookup(b, id)
	if err != nil {
		return nil, err
	}
	ids := []string{e.ID}
	if e.Control != nil {
		ids = e.Control.Checks
	}
	e.Checks = []CheckDoc{}
	for _, cid := range ids {
		k, _ := check.Lookup(cid)
		d, err := describe(ctx, b, k)
		if err != nil {
			return nil, err
		}
		e.Checks = append(e.Checks, d)
	}
	return e, nil
}

// placeholderKey stands for the customer managed key a secrets encryption fix needs.
const placeholderKey = "KEY_ARN"

func describe(ctx context.Context, b *benchmark.Benchmark, k *check.Check) (CheckDoc, error) {
	d := CheckDoc{ID: k.ID, Title: k.Title, Summary: k.Summary, Severity: string(k.Severity), Controls: []string{},
		Rationale: k.Rationale, Reads: k.Reads, Calls: k.Calls, IaC: k.IaC, PassRule: k.PassRule, Defaults: k.Defaults,
		Caution: k.Caution, Links: k.Links}
	for _, c := range b.ControlsOf(k.ID) {
		d.Controls = append(d.Controls, c.ID)
	}
	live, guarded, why := k.Remedy(check.Options{Endpoint: check.TargetPrivate})
	switch {
	case !k.HasTarget():
		// eksguard proposes no settings: the fix is advice in words.
		live = []string{k.Advice}
	case why != "":
		// The fix needs a value only the user can choose: show it with a placeholder.
		live, guarded, _ = k.Remedy(check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: placeholderKey})
		d.Remediation.Note = placeholderKey + " is a symmetric customer managed KMS key in the cluster's region; eksguard iac --kms-key-arn ARN writes the IaC edit"
	}
	d.Remediation.Live, d.Remediation.GuardedFix = live, guarded
	if restrict, _, why := k.Remedy(check.Options{Endpoint: check.TargetRestrict, CIDRs: []string{"203.0.113.0/24"}}); why == "" && !equal(restrict, live) {
		d.Remediation.Restrict = restrict
	}
	fixes, err := iacFixes(ctx, k)
	if err != nil {
		return CheckDoc{}, err
	}
	d.Remediation.IaC = fixes
	return d, nil
}

// iacFixes runs the first failing example of each format through the adapters and keeps the edit.
func iacFixes(ctx context.Context, k *check.Check) ([]IaCFix, error) {
	seen := map[check.Format]bool{}
	out := []IaCFix{}
	for _, ex := range k.Examples {
		if ex.Want != finding.Fail || seen[ex.Format] {
			continue
		}
		seen[ex.Format] = true
		if ex.Format == check.FormatTerraformPlan {
			out = append(out, IaCFix{Format: ex.Format, Example: ex.Name,
				Note: "a plan is generated: change the configuration it was planned from, then plan again"})
			continue
		}
		if !k.HasTarget() {
			// Node subnets, add-on settings and registry rules are the user's to choose:
			// eksguard writes no edit, and says what to change.
			out = append(out, IaCFix{Format: ex.Format, Example: ex.Name, Note: k.AdviceIaC})
			continue
		}
		run, err := examples.Execute(ctx, k, ex)
		if err != nil {
			return nil, fmt.Errorf("%s: example %q (%s): %w", k.ID, ex.Name, ex.Format, err)
		}
		if run.Fix == nil {
			return nil, fmt.Errorf("%s: example %q (%s) gets no edit", k.ID, ex.Name, ex.Format)
		}
		out = append(out, IaCFix{Format: ex.Format, Example: ex.Name, Patch: run.Patch})
	}
	return out, nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Run writes the explanation.
func Run(ctx context.Context, o *Options) error {
	b := o.Benchmark()
	e, err := Explain(ctx, b, o.ID)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	w := &textWriter{w: o.Out}
	writeText(w, b, e)
	return w.err
}

// textWriter remembers the first write error.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// para writes text wrapped at 100 columns with an indent.
func (t *textWriter) para(indent, text string) {
	for _, line := range wrap(text, 100-len(indent)) {
		t.printf("%s%s\n", indent, line)
	}
}

func writeText(w *textWriter, b *benchmark.Benchmark, e *Explanation) {
	if c := e.Control; c != nil {
		w.printf("%s %s\n", c.ID, c.Title)
		if c.Source == "network" {
			w.printf("eksguard's own check, outside %s %s; data: %s\n", b.Title, b.Version, sourceWords[c.Source])
		} else {
			w.printf("%s %s, %s; data: %s\n", b.Title, b.Version, c.Assessment, sourceWords[c.Source])
		}
		if !c.Evaluated {
			w.printf("\neksguard does not evaluate this control: %s.\n", notEvaluated[c.Source])
			return
		}
		w.printf("Evaluated by: %s\n", strings.Join(c.Checks, ", "))
	}
	for _, d := range e.Checks {
		w.printf("\n%s: %s\n", d.ID, d.Title)
		w.printf("Severity: %s. Controls: %s.\n", d.Severity, strings.Join(d.Controls, ", "))
		w.printf("\nWhat it protects against\n")
		w.para("  ", d.Rationale)
		w.printf("\nWhat eksguard reads\n  Live clusters (IAM action: what it gives):\n")
		for _, c := range d.Calls {
			w.para("    ", c.Action+": "+c.What)
		}
		if len(d.IaC) == 0 {
			w.printf("  Infrastructure as code: not judged; what it reads exists only once deployed.\n")
		} else {
			w.printf("  Infrastructure as code (format: setting; default when left out):\n")
		}
		for _, f := range d.IaC {
			w.para("    ", string(f.Format)+": "+f.Path+"; default: "+f.Default)
		}
		w.printf("\nPasses when\n")
		w.para("  ", d.PassRule)
		w.printf("\nDefaults\n")
		w.para("  ", d.Defaults)
		w.printf("\nRemediation\n  Live cluster (CLUSTER and REGION stand for its name and region):\n")
		for _, c := range d.Remediation.Live {
			w.printf("    %s\n", c)
		}
		if len(d.Remediation.Restrict) > 0 {
			w.printf("  or keep a public endpoint for an allowlist (203.0.113.0/24 stands for yours):\n")
			for _, c := range d.Remediation.Restrict {
				w.printf("    %s\n", c)
			}
		}
		if d.Remediation.GuardedFix != "" {
			w.printf("  With safety checks (plans first; add --apply to change the cluster):\n    %s\n", d.Remediation.GuardedFix)
		}
		if d.Remediation.Note != "" {
			w.para("  ", d.Remediation.Note+".")
		}
		if d.Caution != "" {
			w.para("  ", "Caution: "+d.Caution+".")
		}
		for _, f := range d.Remediation.IaC {
			w.printf("  %s (example: %s):\n", f.Format, f.Example)
			if f.Note != "" {
				w.para("    ", f.Note+".")
				continue
			}
			for _, line := range strings.Split(strings.TrimRight(f.Patch, "\n"), "\n") {
				if strings.HasPrefix(line, "diff --git ") {
					continue
				}
				w.printf("    %s\n", line)
			}
		}
		w.printf("\nDocumentation\n")
		for _, l := range d.Links {
			w.printf("  %s: %s\n", l.Title, l.URL)
		}
	}
}

// Where each source's data lives, and why eksguard does not read it.
var (
	sourceWords = map[string]string{
		"aws":            "the AWS API",
		"kubernetes":     "the cluster's Kubernetes objects (scan --kubernetes reads them)",
		"node":           "files and processes on the worker nodes; the kubelet's settings are read through the API server (scan --kubernetes)",
		"organizational": "a process of the organization that no API shows",
		"network":        "what the endpoint answers on the network, from where eksguard runs (scan --probe)",
	}
	notEvaluated = map[string]string{
		"aws":            "its data is in the AWS API, but no eksguard check judges it",
		"kubernetes":     "its evidence is in the cluster's Kubernetes objects, but no eksguard check judges it",
		"node":           "its evidence is on the worker nodes (file permissions and owners), which no API shows",
		"organizational": "it asks for a process (a review, a policy, a practice) that no API shows; assess it by hand",
	}
)

// wrap breaks text into lines of at most width columns at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// ids lists every id explain accepts, for shell completion.
func ids(b *benchmark.Benchmark) []string {
	var out []string
	for _, c := range b.Controls {
		out = append(out, c.ID)
	}
	out = append(out, check.IDs()...)
	sort.Strings(out)
	return out
}
