// Package finding holds the results of evaluating controls and the report that collects them. Passes
// are recorded as well as failures, so that a report shows what was checked and not only what broke.
package finding

import (
	"sort"
	"strings"

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

// Resource identifies what a result is about.
type Resource struct {
	Type string `json:"type"`
	Name string `json:"name"`
	// Region, Account and ARN are always written (empty when they do not apply, as for IaC) so the
	// JSON contract's keys are always there.
	Region  string `json:"region"`
	Account string `json:"account"`
	ARN     string `json:"arn"`
}

// Resource types.
const (
	ResourceCluster = "eks-cluster"
	ResourceRegion  = "aws-region"
	ResourceAccount = "aws-account"
	ResourceFile    = "file"
)

// Result is one control evaluated on one resource.
type Result struct {
	Control  string   `json:"control"`
	CheckID  string   `json:"checkId"`
	Title    string   `json:"title"`
	Status   Status   `json:"status"`
	Resource Resource `json:"resource"`
	Reason   string   `json:"reason"`
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
}

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
	Results       []Result  `json:"results"`
	Summary       Summary   `json:"summary"`
	// Skipped lists parts of the estate not scanned on purpose, with why.
	Skipped []model.Skip `json:"skipped"`
	// Problems lists input that could not be read (IaC parse errors), as file:line: message.
	Problems []string `json:"problems"`
}

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

// SchemaVersion is the version of the JSON report contract.
const SchemaVersion = "1"

// Finish sorts results stably and computes the summary. Call it once all results are in.
func (r *Report) Finish() {
	if r.Results == nil {
		r.Results = []Result{}
	}
	if r.Skipped == nil {
		r.Skipped = []model.Skip{}
	}
	if r.Problems == nil {
		r.Problems = []string{}
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
	for _, res := range results {
		s[res.Status]++
	}
	return s
}

func less(a, b Result) bool {
	ka := []string{a.Resource.Account, a.Resource.Region, a.Resource.Type, a.Resource.Name, locKey(a.Location), a.Control}
	kb := []string{b.Resource.Account, b.Resource.Region, b.Resource.Type, b.Resource.Name, locKey(b.Location), b.Control}
	for i := range ka {
		if c := strings.Compare(ka[i], kb[i]); c != 0 {
			if i == 5 {
				return controlLess(ka[i], kb[i])
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

// controlLess orders control ids numerically part by part, so 5.4.10 follows 5.4.9.
func controlLess(a, b string) bool {
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

// Has reports whether any result has the status.
func (r *Report) Has(s Status) bool {
	for _, res := range r.Results {
		if res.Status == s {
			return true
		}
	}
	return false
}
