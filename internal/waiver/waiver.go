// Package waiver accepts results a team has judged and decided to live with, for a while. A waiver
// names a control (or check), the resources it covers, why, and until when; a result it covers keeps
// its verdict but no longer fails the run. Waivers come from a YAML file (--waivers, or
// .eksguard-waivers.yaml) or from comments on an IaC resource (inline.go). Expired waivers stop
// applying and waivers that cover nothing are reported, so the list cannot quietly rot.
// docs/waivers.md is the user's description.
package waiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
)

// catalogue is the benchmark waivers name controls of, parsed once.
var catalogue = sync.OnceValue(benchmark.Default)

// DefaultFile is read from the current folder when --waivers is not given and it exists.
const DefaultFile = ".eksguard-waivers.yaml"

// MaxFileSize bounds a waivers file; a real one is a few kilobytes.
const MaxFileSize = 4 << 20

// Waiver is one accepted exception.
type Waiver struct {
	// Entry names the waiver in reports: its index in the file ("0"), or file:line when inline.
	Entry string
	// File and Line are where the waiver is written.
	File string
	Line int

	// Control or CheckID says what is waived; exactly one is set.
	Control, CheckID string
	// Selectors, all globs (see Match); every one given must match. At least one is given for a
	// file waiver; an inline waiver covers its own resource instead.
	Resource, Account, Region, Cluster, FilePattern, Address string

	Reason string
	// Expires is the last day (UTC) the waiver applies.
	Expires time.Time

	// scope, for inline waivers, is the resource the comment is on.
	scope *finding.Resource
}

// ExpiresText is the expiry date as written, YYYY-MM-DD.
func (w *Waiver) ExpiresText() string { return w.Expires.Format(time.DateOnly) }

// Expired reports whether the waiver no longer applies on the day of now (UTC): it applies through
// the whole of its expiry day.
func (w *Waiver) Expired(now time.Time) bool {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return today.After(w.Expires)
}

// Ref is the waiver as reports name it.
func (w *Waiver) Ref() finding.WaiverRef {
	return finding.WaiverRef{Entry: w.Entry, Control: w.Control, CheckID: w.CheckID, Reason: w.Reason, Expires: w.ExpiresText()}
}

// Error is a problem in a waiver: file, line and what is wrong.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// selectorKeys are the keys that choose resources, in the order messages list them.
var selectorKeys = []string{"resource", "account", "region", "cluster", "file", "address"}

// Parse reads a waivers file's content; name is the file as messages call it. The file is a
// mapping with one key, waivers, holding a list of entries; every problem names its line.
func Parse(name string, data []byte) ([]Waiver, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: name, Msg: "empty; a waivers file holds `waivers:` and a list of entries"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Msg: "empty; a waivers file holds `waivers:` and a list of entries"}
	} else if err != nil {
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: name, Line: extra.Line, Msg: "a second YAML document; a waivers file is one document"}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "empty; a waivers file holds `waivers:` and a list of entries"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Msg: "expected a mapping with the key waivers"}
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "waivers":
			if list != nil {
				return nil, &Error{File: name, Line: k.Line, Msg: "waivers is given twice"}
			}
			list = v
		default:
			return nil, &Error{File: name, Line: k.Line, Msg: fmt.Sprintf("unknown key %q (a waivers file has only waivers)", k.Value)}
		}
	}
	if list == nil {
		return nil, &Error{File: name, Line: root.Line, Msg: "no waivers key"}
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return []Waiver{}, nil // `waivers:` with nothing under it: none yet
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &Error{File: name, Line: list.Line, Msg: "waivers must be a list of entries"}
	}
	out := make([]Waiver, 0, len(list.Content))
	for i, e := range list.Content {
		w, err := parseEntry(name, e)
		if err != nil {
			return nil, err
		}
		w.Entry = strconv.Itoa(i)
		out = append(out, w)
	}
	return out, nil
}

func parseEntry(name string, e *yaml.Node) (Waiver, error) {
	w := Waiver{File: name, Line: e.Line}
	fail := func(line int, format string, a ...any) (Waiver, error) {
		return Waiver{}, &Error{File: name, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	if e.Kind != yaml.MappingNode {
		return fail(e.Line, "a waiver is a mapping with control (or check), a resource selector, reason and expires")
	}
	seen := map[string]bool{}
	var expiresLine int
	var expires string
	for i := 0; i+1 < len(e.Content); i += 2 {
		k, v := e.Content[i], e.Content[i+1]
		if seen[k.Value] {
			return fail(k.Line, "%s is given twice in one waiver", k.Value)
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return fail(v.Line, "%s must be a single value, not a list, a mapping or nothing", k.Value)
		}
		val := strings.TrimSpace(v.Value)
		if val == "" {
			return fail(v.Line, "%s is empty", k.Value)
		}
		switch k.Value {
		case "control":
			if _, ok := catalogue().Control(val); !ok {
				return fail(v.Line, "control %q is not a control of the benchmark ('eksguard controls' lists them)", val)
			}
			w.Control = val
		case "check":
			c, ok := check.Lookup(strings.ToLower(val))
			if !ok {
				return fail(v.Line, "check %q is not an eksguard check (known: %s)", val, strings.Join(check.IDs(), ", "))
			}
			w.CheckID = c.ID
		case "resource":
			w.Resource = val
		case "account":
			w.Account = val
		case "region":
			w.Region = val
		case "cluster":
			w.Cluster = val
		case "file":
			w.FilePattern = filepath.ToSlash(val)
		case "address":
			w.Address = val
		case "reason":
			w.Reason = val
		case "expires":
			expires, expiresLine = val, v.Line
		default:
			return fail(k.Line, "unknown key %q (a waiver has control or check, %s, reason and expires)", k.Value, strings.Join(selectorKeys, ", "))
		}
	}
	switch {
	case w.Control == "" && w.CheckID == "":
		return fail(e.Line, "a waiver needs control (like 5.4.2) or check (like eks-endpoint-private)")
	case w.Control != "" && w.CheckID != "":
		return fail(e.Line, "a waiver names control or check, not both")
	case w.Resource == "" && w.Account == "" && w.Region == "" && w.Cluster == "" && w.FilePattern == "" && w.Address == "":
		return fail(e.Line, "a waiver needs at least one of %s (resource: \"*\" waives it everywhere)", strings.Join(selectorKeys, ", "))
	case w.Reason == "":
		return fail(e.Line, "a waiver needs a reason")
	case expires == "":
		return fail(e.Line, "a waiver needs expires (YYYY-MM-DD), the last day it applies")
	}
	t, err := parseDate(expires)
	if err != nil {
		return fail(expiresLine, "expires: %v", err)
	}
	w.Expires = t
	return w, nil
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
	}
	return t, nil
}

func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return &Error{File: name, Msg: te.Errors[0]}
	}
	// yaml.v3 messages start with "yaml: line N: ..."; keep the line as ours.
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				return &Error{File: name, Line: line, Msg: tail}
			}
		}
	}
	return &Error{File: name, Msg: msg}
}

// Match reports whether the waiver covers a result: the same control or check, every selector
// given matching, and for an inline waiver, its own resource.
func (w *Waiver) Match(r *finding.Result) bool {
	if w.Control != "" && r.Control != w.Control {
		return false
	}
	if w.CheckID != "" && r.CheckID != w.CheckID {
		return false
	}
	res := r.Resource
	if w.scope != nil {
		s := w.scope
		if res.Name != s.Name || res.File != s.File || res.Root != s.Root || res.Type != s.Type {
			return false
		}
	}
	iac := res.File != "" || (res.ARN == "" && r.Location != nil)
	file := res.File
	if file == "" && r.Location != nil {
		file = r.Location.File
	}
	id := res.ARN
	if id == "" {
		id = res.Name
	}
	return matchOpt(w.Resource, id) &&
		matchOpt(w.Account, res.Account) &&
		matchOpt(w.Region, res.Region) &&
		(w.Cluster == "" || (res.Type == finding.ResourceCluster && Glob(w.Cluster, res.Name))) &&
		(w.FilePattern == "" || (file != "" && Glob(w.FilePattern, file))) &&
		(w.Address == "" || (iac && Glob(w.Address, res.Name)))
}

func matchOpt(pattern, s string) bool { return pattern == "" || Glob(pattern, s) }

// Glob matches s against pattern, where * stands for any run of characters (slashes and colons
// included, so arn:aws:eks:*:111111111111:cluster/* and infra/* work as written) and ? for one
// character. Everything else matches itself; matching is case-sensitive, as ARNs and paths are.
func Glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Iterative matching with one backtrack point: linear in practice, never exponential.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// Apply marks the results the waivers cover and records on the report what became of the waivers.
// Only results that are not PASS can be waived; a waiver that covers none is stale, one past its
// expiry applies to nothing and is listed as expired. The first waiver that covers a result, in the
// order given, is the one recorded; every waiver that covers one is in use. The report's summary is recomputed.
func Apply(rep *finding.Report, waivers []Waiver, now time.Time) {
	if len(waivers) == 0 {
		return
	}
	wr := &finding.WaiverReport{Stale: []finding.WaiverRef{}, Expired: []finding.WaiverRef{}}
	used := make([]bool, len(waivers))
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Status == finding.Pass {
			continue
		}
		for j := range waivers {
			w := &waivers[j]
			if w.Expired(now) || !w.Match(r) {
				continue
			}
			// Every waiver that covers something is in use, even when an earlier one was recorded.
			used[j] = true
			if r.Waived == nil {
				r.Waived = &finding.Waived{Reason: w.Reason, Expires: w.ExpiresText(), Entry: w.Entry}
				wr.Applied++
			}
		}
	}
	for j := range waivers {
		w := &waivers[j]
		switch {
		case w.Expired(now):
			wr.Expired = append(wr.Expired, w.Ref())
		case !used[j]:
			wr.Stale = append(wr.Stale, w.Ref())
		}
	}
	rep.Waivers = wr
	rep.Summary = finding.Count(rep.Results)
}
