// Package check holds the checks: pure functions from a model.Cluster to an outcome. They never see SDK
// structs, HCL or YAML, so one check serves live clusters, snapshots and every IaC format alike. Check
// ids are permanent; which benchmark control a check implements is data in package benchmark.
package check

import (
	"sort"

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

// Check is one permanent, benchmark-independent test of a cluster.
type Check struct {
	ID       string
	Summary  string
	Evaluate func(*model.Cluster) Outcome
}

var registry = map[string]Check{}

func register(c Check) Check {
	if _, dup := registry[c.ID]; dup {
		panic("check: duplicate id " + c.ID)
	}
	registry[c.ID] = c
	return c
}

// Lookup finds a check by id.
func Lookup(id string) (Check, bool) {
	c, ok := registry[id]
	return c, ok
}

// IDs lists the registered check ids, sorted.
func IDs() []string {
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
