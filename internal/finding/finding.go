// Package finding holds the results of evaluating controls and the report that collects them. Passes
// are recorded as well as failures, so that a report shows what was checked and not only what broke.
package finding

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eksguard/eksguard/internal/model"
)

// Status is the outcome of one control on one resource.
type Status string

const (
	Pass    Status = "PASS"
	Fail    Status = "FAIL"
	Unknown Status = "UNKNOWN"
	Error   Status = "ERROR"
	Manual  Status = "MANUAL"
)

// Statuses lists every status in the order reports show them.
var Statuses = []Status{Pass, Fail, Unknown, Error, Manual}

// Waived is the summary key under which waived results are counted (whatever their verdict).
const WaivedKey Status = "WAIVED"

// Resource identifies what a result is about.
type Resource struct {
	Type string `json:"type"`
	Name string `json:"name"`
	// Region, Account and ARN are always written (empty when they do not apply, as for IaC) so the
	// JSON contract's keys are always there.
	Region  string `json:"region"`
	Account string `json:"account"`
	ARN     string `json:"arn"`
	// Root is where an IaC definition was evaluated from (see model.Cluster.Root), and File the file
	// that declares the cluster; both absent for live clusters. With Name they tell two definitions
	// apart (one module called from two roots, one logical id in two templates).
	Root string `json:"root,omitempty"`
	File string `json:"file,omitempty"`
}

// Resource types.
const (
	ResourceCluster = "eks-cluster"
	ResourceRegion  = "aws-region"
	ResourceAccount = "aws-account"
	ResourceFile    = "file"
	// ResourceRegistry is an account's private ECR registry in one region (or, in IaC, the
	// repositories a root declares).
	ResourceRegistry = "ecr-registry"
)

// Result is one control evaluated on one resource.
type Result struct {
	Control string `json:"control"`
	CheckID string `json:"checkId"`
	Title   string `json:"title"`
	// Severity is the control's: high, medium or low.
	Severity string `json:"severity"`
	// Assessment is the control's assessment status as the benchmark gives it, automated or manual:
	// a manual control's verdict is eksguard's judgement of what a person is asked to decide.
	Assessment string   `json:"assessment,omitempty"`
	Status     Status   `json:"status"`
	Resource   Resource `json:"resource"`
	Reason     string   `json:"reason"`
	// Evidence is check specific and always a JSON object.
	Evidence any `json:"evidence"`
	// Remediation is the exact command (live clusters) or edit (IaC) that makes a FAIL pass.
	Remediation string `json:"remediation"`
	// GuardedFix is the eksguard command that applies the remediation with safety checks.
	GuardedFix string `json:"guardedFix,omitempty"`
	// Location is the file and line that decided an IaC verdict.
	Location *model.Location `json:"location,omitempty"`
	// Fix is a suggested source edit for IaC failures; renderers turn it into a patch.
	Fix *Fix `json:"fix,omitempty"`
	// Waived is set when a waiver accepts this result: the verdict stands, but it does not count
	// toward the exit code and the summary counts it under WAIVED (see docs/waivers.md).
	Waived *Waived `json:"waived,omitempty"`
	// Baseline is "new" or "unchanged" on FAIL, UNKNOWN and ERROR results of a run given --baseline.
	Baseline string `json:"baseline,omitempty"`
}

// Waived says which waiver accepted a result.
type Waived struct {
	Reason string `json:"reason"`
	// Expires is the last day the waiver applies, YYYY-MM-DD.
	Expires string `json:"expires"`
	// Entry is the waiver's index in the waivers file (0-based, "3"), or file:line for an inline one.
	Entry string `json:"entry"`
}

// Baseline values.
const (
	BaselineNew       = "new"
	BaselineUnchanged = "unchanged"
)

// Counted reports whether a result counts toward the summary's statuses and the exit code: waived
// results are counted under WAIVED instead.
func (r *Result) Counted() bool { return r.Waived == nil }

// Fix is a suggested source change for an IaC failure: the smallest edit that makes it pass for the
// target the user chose. Renderers turn the edits of a report into one unified diff.
type Fix struct {
	Description string `json:"description"`
	Edits       []Edit `json:"edits"`
}

// Edit replaces Remove lines starting at Line (1-based) with Insert; Remove 0 inserts before Line.
type Edit struct {
	File string `json:"file"`
	// Path is where the file is on disk, for renderers that must read it; File is as reported.
	Path   string   `json:"-"`
	Line   int      `json:"line"`
	Remove int      `json:"remove"`
	Insert []string `json:"insert"`
}

// Summary counts results by status; every status is always present.
type Summary map[Status]int

// Report is the whole output of a run.
type Report struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	Benchmark     Benchmark `json:"benchmark"`
	// GeneratedAt is when the report was made, in UTC.
	GeneratedAt time.Time `json:"generatedAt"`
	// Controls are the ids of the controls the run evaluated, in numeric order.
	Controls []string `json:"controls"`
	Results  []Result `json:"results"`
	Summary  Summary  `json:"summary"`
	// Skipped lists parts of the estate not scanned on purpose, with why.
	Skipped []model.Skip `json:"skipped"`
	// Problems lists input that could not be read (IaC parse errors and the like).
	Problems []Problem `json:"problems"`
	// Waivers reports waivers that matched nothing (stale) or no longer apply (expired); nil when
	// the run had no waivers.
	Waivers *WaiverReport `json:"waivers,omitempty"`
	// Fixed lists what failed in the --baseline report and passes or is gone now; nil without
	// --baseline.
	Fixed []Ref `json:"fixed,omitempty"`
}

// WaiverReport is what became of the run's waivers.
type WaiverReport struct {
	// Applied counts results a waiver accepted.
	Applied int `json:"applied"`
	// Stale lists waivers that matched no result of the run.
	Stale []WaiverRef `json:"stale"`
	// Expired lists waivers past their expiry date; they no longer apply.
	Expired []WaiverRef `json:"expired"`
}

// WaiverRef names one waiver: where it is (file and entry index, or file:line) and what it says.
type WaiverRef struct {
	Entry   string `json:"entry"`
	Control string `json:"control,omitempty"`
	CheckID string `json:"checkId,omitempty"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
}

// Ref names a control on a resource, for the baseline's fixed list.
type Ref struct {
	Control  string   `json:"control"`
	Resource Resource `json:"resource"`
}

// Problem is input that could not be read or used: a file that does not parse, a value Terraform
// would reject, a limit reached. Line and Column are 1-based, 0 when unknown.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// String is the problem as compilers write one: file:line:column: message.
func (p Problem) String() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Problem codes say what kind of problem it is, for tools that filter them.
const (
	ProblemRead        = "read"         // the file cannot be read (permissions, I/O)
	ProblemNotRegular  = "not-regular"  // a pipe, socket or device named like input
	ProblemTooLarge    = "too-large"    // over the size limit
	ProblemLink        = "link-outside" // a symbolic link out of the scanned tree
	ProblemNotIaC      = "not-iac"      // named on the command line, and no reader recognises it
	ProblemSyntax      = "syntax"       // does not parse
	ProblemNesting     = "nesting"      // nested too deeply to parse safely
	ProblemInvalid     = "invalid"      // parses, but the tool that owns the format rejects it
	ProblemUnsupported = "unsupported"  // valid, but not something eksguard reads
	ProblemLimit       = "limit"        // an evaluation or instance limit was reached
	ProblemCycle       = "cycle"        // modules or values that refer to themselves
	ProblemFlag        = "flag"         // a --var or --var-file value
	ProblemBinary      = "binary"       // encrypted (git-crypt) or binary content, not text
	ProblemWaiver      = "waiver"       // an inline eksguard:ignore that cannot be read
)

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Benchmark names the benchmark and version evaluated.
type Benchmark struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// SchemaVersion is the version of the JSON report contract. Version 2 added generatedAt, controls,
// severity on results, and problems as objects instead of strings.
const SchemaVersion = "2"

// Finish sorts results stably and computes the summary. Call it once all results are in.
func (r *Report) Finish() {
	if r.Results == nil {
		r.Results = []Result{}
	}
	if r.Skipped == nil {
		r.Skipped = []model.Skip{}
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	if r.Controls == nil {
		r.Controls = []string{}
	}
	sort.SliceStable(r.Results, func(i, j int) bool { return less(r.Results[i], r.Results[j]) })
	r.Summary = Count(r.Results)
}

// Count tallies results by status.
func Count(results []Result) Summary {
	s := Summary{}
	for _, st := range Statuses {
		s[st] = 0
	}
	s[WaivedKey] = 0
	for i := range results {
		if results[i].Counted() {
			s[results[i].Status]++
		} else {
			s[WaivedKey]++
		}
	}
	return s
}

// less orders results by resource (account, region, type, name, root, declaring file), then control,
// then the deciding line: one cluster's results stay together whichever files decide them.
func less(a, b Result) bool {
	ka := []string{a.Resource.Account, a.Resource.Region, a.Resource.Type, a.Resource.Name, a.Resource.Root, a.Resource.File, a.Control, locKey(a.Location)}
	kb := []string{b.Resource.Account, b.Resource.Region, b.Resource.Type, b.Resource.Name, b.Resource.Root, b.Resource.File, b.Control, locKey(b.Location)}
	for i := range ka {
		if c := strings.Compare(ka[i], kb[i]); c != 0 {
			if i == 6 {
				return ControlLess(ka[i], kb[i])
			}
			return c < 0
		}
	}
	return false
}

func locKey(l *model.Location) string {
	if l == nil {
		return ""
	}
	return l.File
}

// ControlLess orders control ids numerically part by part, so 4.1.10 follows 4.1.9.
func ControlLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if len(pa[i]) != len(pb[i]) {
			return len(pa[i]) < len(pb[i])
		}
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

// Has reports whether any result that counts (not waived) has the status.
func (r *Report) Has(s Status) bool {
	for _, res := range r.Results {
		if res.Status == s && res.Counted() {
			return true
		}
	}
	return false
}
