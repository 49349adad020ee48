// Package benchmark holds benchmark versions as embedded data (control id, title, and the permanent
// check ids that implement it) and turns check outcomes into findings for those controls.
package benchmark

import (
	"bytes"
	_ "embed"
	"fmt"
	"runtime"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

//go:embed cis-eks-1.8.0.yaml
var cis180 []byte

// Benchmark is one version of a benchmark.
type Benchmark struct {
	ID       string    `yaml:"id"`
	Version  string    `yaml:"version"`
	Title    string    `yaml:"title"`
	Controls []Control `yaml:"controls"`
}

// Control is one recommendation of the benchmark.
type Control struct {
	ID         string   `yaml:"id"`
	Title      string   `yaml:"title"`
	Assessment string   `yaml:"assessment"`
	Data       string   `yaml:"data"`
	Checks     []string `yaml:"checks"`
}

// Default is the benchmark version eksguard evaluates.
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
		for _, id := range c.Checks {
			if _, ok := check.Lookup(id); !ok {
				return nil, fmt.Errorf("benchmark data: control %s names unknown check %q", c.ID, id)
			}
		}
	}
	return &b, nil
}

// Ref is the benchmark identity written into reports.
func (b *Benchmark) Ref() finding.Benchmark { return finding.Benchmark{ID: b.ID, Version: b.Version} }

// Evaluated lists the controls that eksguard evaluates, in benchmark order.
func (b *Benchmark) Evaluated() []Control {
	var out []Control
	for _, c := range b.Controls {
		if len(c.Checks) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Control finds a control by id.
func (b *Benchmark) Control(id string) (Control, bool) {
	for _, c := range b.Controls {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}

// ClusterResource identifies a cluster in results.
func ClusterResource(c *model.Cluster) finding.Resource {
	return finding.Resource{Type: finding.ResourceCluster, Name: c.Name, Region: c.Region, Account: c.Account, ARN: c.ARN}
}

// EvaluateCluster runs every evaluated control on one cluster. A control with several checks takes the
// worst outcome, so a control never passes while one of its checks does not.
func (b *Benchmark) EvaluateCluster(c *model.Cluster) []finding.Result {
	var out []finding.Result
	for _, ctl := range b.Evaluated() {
		var chosen check.Outcome
		var chosenID string
		for i, id := range ctl.Checks {
			chk, _ := check.Lookup(id)
			o := chk.Evaluate(c)
			if i == 0 || rank(o.Status) > rank(chosen.Status) {
				chosen, chosenID = o, id
			}
		}
		out = append(out, finding.Result{
			Control:     ctl.ID,
			CheckID:     chosenID,
			Title:       ctl.Title,
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
		out = append(out, finding.Result{
			Control:  ctl.ID,
			CheckID:  ctl.Checks[0],
			Title:    ctl.Title,
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
	per := make([][]finding.Result, len(inv.Clusters))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(inv.Clusters)/256))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				per[i] = b.EvaluateCluster(inv.Clusters[i])
			}
		}()
	}
	for i := range inv.Clusters {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make([]finding.Result, 0, len(inv.Clusters)*len(b.Evaluated())+len(inv.Errors))
	for _, r := range per {
		out = append(out, r...)
	}
	for _, e := range inv.Errors {
		out = append(out, b.ErrorResults(e)...)
	}
	return out
}
