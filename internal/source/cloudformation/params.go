package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// Parameter files (eksguard iac --cf-params) give template parameters the values a deployment
// would. Three JSON shapes are read, the ones the AWS tools read:
//
//   - [{"ParameterKey": "K", "ParameterValue": "V"}]: create-stack, update-stack and
//     create-change-set --parameters file://..., and the Parameters of describe-stacks
//     (ResolvedValue is ignored). {"ParameterKey": "K", "UsePreviousValue": true} keeps the stack's
//     current value, which a scan cannot see: the parameter is unknown.
//   - ["K=V"]: aws cloudformation deploy --parameter-overrides file://...
//   - {"Parameters": {"K": "V"}, "Tags": ..., "StackPolicy": ...}: a CodePipeline template
//     configuration, which deploy also reads.
//
// A bare {"K": "V"} object is refused: no AWS tool reads it, and taking it would let a template
// configuration with a misspelt Parameters member pass silently. Values are JSON strings, as the
// CloudFormation API's ParameterValue is; a List or CommaDelimitedList value is one comma-separated
// string. Anything else is a syntax problem at its line and column, so that a file AWS would refuse
// is never half read.

// ParamFile is one parsed parameter file.
type ParamFile struct {
	// Name is how the file is reported.
	Name   string
	Values []ParamValue
}

// ParamValue is one parameter's value in a file.
type ParamValue struct {
	Key   string
	Value string
	// UsePrevious is UsePreviousValue: true, the value the stack already has.
	UsePrevious bool
	// Line and Column locate the value (the entry, for UsePreviousValue), 1-based.
	Line, Column int
}

// ParamsError is a parameter file that cannot be read as one, at a 1-based line and column.
type ParamsError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *ParamsError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Problem is the error as a problem of the scan.
func (e *ParamsError) Problem() iac.Problem {
	return iac.Problem{File: e.File, Line: e.Line, Column: e.Column, Code: finding.ProblemSyntax, Message: e.Msg}
}

var bom = []byte("\xef\xbb\xbf")

// ParseParams reads a parameter file; name is how errors name it. The error is a *ParamsError.
func ParseParams(name string, data []byte) (*ParamFile, error) {
	p := &paramParser{name: name, data: data}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return &ParamFile{Name: name, Values: p.values}, nil
}

type paramParser struct {
	name   string
	data   []byte
	values []ParamValue
	seen   map[string]int // key -> line of its first value
}

// errAt is an error at a node's position.
func (p *paramParser) errAt(n *yaml.Node, format string, a ...any) error {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, max(n.Column, 1)
	}
	return &ParamsError{File: p.name, Line: line, Column: col, Msg: fmt.Sprintf(format, a...)}
}

// errAtOffset is an error at a byte offset of the file, its column counted in characters.
func (p *paramParser) errAtOffset(off int, msg string) error {
	off = min(max(off, 0), len(p.data))
	line := 1 + bytes.Count(p.data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(p.data[:off], '\n') + 1
	col := 1 + utf8.RuneCount(p.data[start:off])
	return &ParamsError{File: p.name, Line: line, Column: col, Msg: msg}
}

func (p *paramParser) parse() error {
	body := p.data
	start := 0
	if bytes.HasPrefix(body, bom) {
		start = len(bom)
	}
	if len(bytes.TrimSpace(body[start:])) == 0 {
		return p.errAtOffset(len(body), "not valid JSON: the file is empty (want a parameter list or {\"Parameters\": {...}})")
	}
	if !json.Valid(body[start:]) {
		var v json.RawMessage
		err := json.Unmarshal(body[start:], &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return p.errAtOffset(start+int(se.Offset)-1, "not valid JSON: "+se.Error())
		}
		return p.errAtOffset(start, "not valid JSON")
	}
	doc, _, err := yamledit.ParseJSON(body)
	if err != nil {
		var se *yamledit.SyntaxError
		if errors.As(err, &se) && se.Line > 0 {
			return &ParamsError{File: p.name, Line: se.Line, Column: max(se.Column, 1), Msg: "not valid JSON: " + se.Msg}
		}
		return p.errAtOffset(start, "not valid JSON: "+err.Error())
	}
	root := doc
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	p.seen = map[string]int{}
	switch root.Kind {
	case yaml.SequenceNode:
		for i, e := range root.Content {
			if err := p.entry(i, e); err != nil {
				return err
			}
		}
		return nil
	case yaml.MappingNode:
		return p.configuration(root)
	}
	return p.errAt(root, `want a list of parameters ([{"ParameterKey": ..., "ParameterValue": ...}] or ["Key=Value"]) or a template configuration ({"Parameters": {...}})`)
}

// entry reads one item of a parameter list.
func (p *paramParser) entry(i int, e *yaml.Node) error {
	if e.Kind == yaml.ScalarNode && e.Tag == "!!str" {
		key, val, ok := strings.Cut(e.Value, "=")
		if !ok || key == "" {
			return p.errAt(e, "entry %d is %s, not \"Key=Value\"", i+1, quote(e.Value))
		}
		return p.add(e, ParamValue{Key: key, Value: val, Line: e.Line, Column: e.Column})
	}
	if e.Kind != yaml.MappingNode {
		return p.errAt(e, `entry %d is not {"ParameterKey": ..., "ParameterValue": ...} or "Key=Value"`, i+1)
	}
	var key, val, prev *yaml.Node
	for j := 0; j+1 < len(e.Content); j += 2 {
		k, v := e.Content[j], e.Content[j+1]
		var slot **yaml.Node
		switch k.Value {
		case "ParameterKey":
			slot = &key
		case "ParameterValue":
			slot = &val
		case "UsePreviousValue":
			slot = &prev
		case "ResolvedValue":
			// describe-stacks output: the SSM value resolved at the last deployment, not an input.
			if v.Tag != "!!str" {
				return p.errAt(v, "ResolvedValue must be a string")
			}
			continue
		default:
			return p.errAt(k, "unknown member %s in entry %d (want ParameterKey, ParameterValue, UsePreviousValue)", quote(k.Value), i+1)
		}
		if *slot != nil {
			return p.errAt(k, "%s is given twice in entry %d", k.Value, i+1)
		}
		*slot = v
	}
	switch {
	case key == nil:
		return p.errAt(e, "entry %d has no ParameterKey", i+1)
	case key.Tag != "!!str" || key.Value == "":
		return p.errAt(key, "ParameterKey must be a non-empty string")
	case val != nil && val.Tag != "!!str":
		return p.errAt(val, "ParameterValue of %s must be a string (write a list as one comma-separated string)", quote(key.Value))
	case prev != nil && prev.Tag != "!!bool":
		return p.errAt(prev, "UsePreviousValue of %s must be true or false", quote(key.Value))
	}
	usePrev := prev != nil && prev.Value == "true"
	switch {
	case usePrev && val != nil:
		return p.errAt(val, "parameter %s has both a ParameterValue and UsePreviousValue: true, which CloudFormation refuses", quote(key.Value))
	case !usePrev && val == nil:
		return p.errAt(e, "parameter %s has no ParameterValue", quote(key.Value))
	case usePrev:
		return p.add(key, ParamValue{Key: key.Value, UsePrevious: true, Line: e.Line, Column: e.Column})
	}
	return p.add(key, ParamValue{Key: key.Value, Value: val.Value, Line: val.Line, Column: val.Column})
}

// configuration reads a CodePipeline template configuration.
func (p *paramParser) configuration(root *yaml.Node) error {
	var params *yaml.Node
	for j := 0; j+1 < len(root.Content); j += 2 {
		k, v := root.Content[j], root.Content[j+1]
		switch k.Value {
		case "Parameters":
			if params != nil {
				return p.errAt(k, "Parameters is given twice")
			}
			params = v
		case "Tags", "StackPolicy":
		default:
			return p.errAt(k, `unknown member %s: a template configuration has Parameters, Tags and StackPolicy (put parameter values under "Parameters")`, quote(k.Value))
		}
	}
	if params == nil {
		return p.errAt(root, `no "Parameters" member: a template configuration puts parameter values under "Parameters"`)
	}
	if params.Kind != yaml.MappingNode {
		return p.errAt(params, `"Parameters" must be an object of parameter names and string values`)
	}
	for j := 0; j+1 < len(params.Content); j += 2 {
		k, v := params.Content[j], params.Content[j+1]
		if k.Value == "" {
			return p.errAt(k, "a parameter name must not be empty")
		}
		if v.Tag != "!!str" {
			return p.errAt(v, "the value of %s must be a string (write a list as one comma-separated string)", quote(k.Value))
		}
		if err := p.add(k, ParamValue{Key: k.Value, Value: v.Value, Line: v.Line, Column: v.Column}); err != nil {
			return err
		}
	}
	return nil
}

func (p *paramParser) add(at *yaml.Node, v ParamValue) error {
	if line, ok := p.seen[v.Key]; ok {
		return p.errAt(at, "parameter %s is given twice (first at line %d)", quote(v.Key), line)
	}
	p.seen[v.Key] = at.Line
	p.values = append(p.values, v)
	return nil
}

func quote(s string) string { return fmt.Sprintf("%q", clip(s)) }

// paramOverride is the value a parameter file gives a parameter: the last file naming it wins.
type paramOverride struct {
	ParamValue
	file string
}

// paramSet is what the parameter files of a scan say, and which names the scanned templates declare.
type paramSet struct {
	files    []*ParamFile
	values   map[string]paramOverride
	declared map[string]bool
	// templates counts the templates read.
	templates int
}

// loadParams reads the parameter files in order; a file that cannot be read or parsed is a problem
// and gives no values.
func loadParams(paths []string, res *iac.Result) *paramSet {
	ps := &paramSet{values: map[string]paramOverride{}, declared: map[string]bool{}}
	for _, path := range paths {
		name := filepath.ToSlash(path)
		data, err := iac.ReadFile(path)
		if err != nil {
			prob := iac.ReadProblem(name, err)
			prob.Code, prob.Message = finding.ProblemFlag, "--cf-params: "+prob.Message
			res.Problems = append(res.Problems, prob)
			continue
		}
		pf, err := ParseParams(name, data)
		if err != nil {
			var pe *ParamsError
			if errors.As(err, &pe) {
				res.Problems = append(res.Problems, pe.Problem())
			}
			continue
		}
		ps.files = append(ps.files, pf)
		for _, v := range pf.Values {
			ps.values[v.Key] = paramOverride{ParamValue: v, file: pf.Name}
		}
	}
	return ps
}

// undeclared reports every value for a parameter no scanned template declares: CloudFormation
// refuses such a parameter, and it is most often a misspelt name.
func (ps *paramSet) undeclared(res *iac.Result) {
	if ps == nil || len(ps.files) == 0 {
		return
	}
	if ps.templates == 0 {
		for _, f := range ps.files {
			res.Problems = append(res.Problems, iac.Problem{File: f.Name, Code: finding.ProblemFlag,
				Message: "--cf-params: no CloudFormation template was scanned, so these values apply to nothing"})
		}
		return
	}
	for _, f := range ps.files {
		for _, v := range f.Values {
			if !ps.declared[v.Key] {
				res.Problems = append(res.Problems, iac.Problem{File: f.Name, Line: v.Line, Column: v.Column, Code: finding.ProblemFlag,
					Message: fmt.Sprintf("parameter %s is not declared by any template scanned (CloudFormation refuses parameters a template does not declare)", quote(v.Key))})
			}
		}
	}
}

// applyParams gives the template the parameter files' values of the parameters it declares, and
// returns the problems of values the template refuses.
func (t *template) applyParams(ps *paramSet) []iac.Problem {
	if ps == nil || len(ps.values) == 0 {
		return nil
	}
	t.overrides, t.rejected = map[string]paramOverride{}, map[string]string{}
	var problems []iac.Problem
	for name, p := range t.params {
		o, ok := ps.values[name]
		if !ok {
			continue
		}
		t.overrides[name] = o
		if why, prob := t.checkAllowed(name, p, o); why != "" {
			t.rejected[name] = why
			problems = append(problems, prob)
		}
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return problems
}

// checkAllowed reports a parameter file's value that the template's AllowedValues or AllowedPattern
// refuses, as a problem at the value, and returns why the parameter is then unknown. Each item of a
// list parameter is checked on its own, as CloudFormation does.
func (t *template) checkAllowed(name string, p *yaml.Node, o paramOverride) (string, iac.Problem) {
	if o.UsePrevious {
		return "", iac.Problem{}
	}
	typ := ""
	if _, tn := yamledit.Lookup(p, "Type"); yamledit.Deref(tn) != nil {
		typ = yamledit.Deref(tn).Value
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
		return "", iac.Problem{} // the value names the SSM parameter; the constraints apply to what it holds
	}
	items := []string{o.Value}
	if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
		items = strings.Split(o.Value, ",")
		for i := range items {
			items[i] = strings.TrimSpace(items[i])
		}
	}
	var allowed []string
	if _, av := yamledit.Lookup(p, "AllowedValues"); yamledit.Deref(av) != nil && yamledit.Deref(av).Kind == yaml.SequenceNode {
		for _, c := range yamledit.Deref(av).Content {
			if c = yamledit.Deref(c); c != nil && c.Kind == yaml.ScalarNode {
				allowed = append(allowed, c.Value)
			}
		}
	}
	var pattern *regexp.Regexp
	patternText := ""
	if _, pn := yamledit.Lookup(p, "AllowedPattern"); yamledit.Deref(pn) != nil && yamledit.Deref(pn).Kind == yaml.ScalarNode {
		patternText = yamledit.Deref(pn).Value
		// CloudFormation matches the whole value, with Java's regular expressions; a pattern Go's
		// cannot compile is not checked.
		if len(patternText) <= 4096 {
			pattern, _ = regexp.Compile(`^(?:` + patternText + `)$`)
		}
	}
	for _, it := range items {
		var why string
		switch {
		case len(allowed) > 0 && !slices.Contains(allowed, it):
			why = fmt.Sprintf("%s is not one of its AllowedValues (%s)", quote(it), clip(strings.Join(allowed, ", ")))
		case pattern != nil && !pattern.MatchString(it):
			why = fmt.Sprintf("%s does not match its AllowedPattern %s", quote(it), quote(patternText))
		}
		if why != "" {
			prob := iac.Problem{File: o.file, Line: o.Line, Column: o.Column, Code: finding.ProblemInvalid,
				Message: fmt.Sprintf("parameter %s of %s: %s, so CloudFormation refuses the stack", quote(name), t.file.Name, why)}
			return fmt.Sprintf("parameter %s from %s: %s, so CloudFormation refuses the stack", clip(name), o.file, why), prob
		}
	}
	return "", iac.Problem{}
}
