package reporting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
)

// MaxBaselineSize bounds the baseline report read; a fleet of 100,000 results is well under it.
const MaxBaselineSize = 512 << 20

// LoadBaseline reads an earlier JSON report written by eksguard (--format json, schema version 2).
// name is the file as messages call it.
func LoadBaseline(path, name string) (*finding.Report, error) {
	data, err := fileio.ReadFile(path, MaxBaselineSize)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var head struct {
		SchemaVersion *string `json:"schemaVersion"`
		Tool          struct {
			Name string `json:"name"`
		} `json:"tool"`
		Results *json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("--baseline: %s: not a JSON report: %s", name, jsonError(data, err))
	}
	switch {
	case head.SchemaVersion == nil || head.Results == nil || head.Tool.Name != "eksguard":
		return nil, fmt.Errorf("--baseline: %s is not an eksguard JSON report (write one with --format json)", name)
	case *head.SchemaVersion != finding.SchemaVersion:
		return nil, fmt.Errorf("--baseline: %s has report schema version %q; this eksguard compares with version %q (run the baseline again)", name, *head.SchemaVersion, finding.SchemaVersion)
	}
	var rep finding.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("--baseline: %s: %s", name, jsonError(data, err))
	}
	for i, r := range rep.Results {
		if r.Control == "" || !known(r.Status) {
			return nil, fmt.Errorf("--baseline: %s: result %d has no control or an unknown status %q", name, i, r.Status)
		}
	}
	return &rep, nil
}

func known(s finding.Status) bool {
	for _, k := range finding.Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// jsonError says where in the file JSON decoding stopped, as line:column.
func jsonError(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	// The offset is just past the byte that stopped decoding.
	pos := max(off-1, 0)
	line := 1 + bytes.Count(data[:pos], []byte("\n"))
	col := int(pos) - bytes.LastIndexByte(data[:pos], '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// key is a result's identity across runs: the control and the resource (its type, account, region
// and name, and for IaC the root it was evaluated from and the file declaring it).
func key(control string, r finding.Resource) string {
	return strings.Join([]string{control, r.Type, r.Account, r.Region, r.Name, r.Root, r.File}, "\x00")
}

// open reports whether a status is something to act on.
func open(s finding.Status) bool {
	return s == finding.Fail || s == finding.Unknown || s == finding.Error
}

// Compare marks each FAIL, UNKNOWN and ERROR result of rep new or unchanged against the baseline
// (unchanged: the baseline has the same control on the same resource with the same status), and
// lists as fixed what the baseline had open and this run evaluated and found passing or did not find
// at all, for the controls this run evaluated.
func Compare(rep, base *finding.Report) {
	before := map[string]finding.Status{}
	for _, r := range base.Results {
		if open(r.Status) {
			before[key(r.Control, r.Resource)] = r.Status
		}
	}
	now := map[string]finding.Status{}
	for i := range rep.Results {
		r := &rep.Results[i]
		k := key(r.Control, r.Resource)
		if prev, ok := now[k]; !ok || open(r.Status) && !open(prev) {
			now[k] = r.Status
		}
		if !open(r.Status) {
			continue
		}
		if s, ok := before[k]; ok && s == r.Status {
			r.Baseline = finding.BaselineUnchanged
		} else {
			r.Baseline = finding.BaselineNew
		}
	}
	evaluated := map[string]bool{}
	for _, c := range rep.Controls {
		evaluated[c] = true
	}
	rep.Fixed = []finding.Ref{}
	seen := map[string]bool{}
	for _, r := range base.Results {
		k := key(r.Control, r.Resource)
		if !open(r.Status) || seen[k] || !evaluated[r.Control] {
			continue
		}
		seen[k] = true
		if s, ok := now[k]; !ok || s == finding.Pass {
			rep.Fixed = append(rep.Fixed, finding.Ref{Control: r.Control, Resource: r.Resource})
		}
	}
}
