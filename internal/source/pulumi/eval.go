package pulumi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// unknown is a value only a deployment knows, or nobody; why says which.
type unknown struct{ why string }

// evaluator turns YAML nodes into Go values (nil, bool, string, int64, float64, []any, map[string]any)
// or unknown, following ${...} references through variables and config. notes collect where values
// came from (a stack file, a config default), for the details of the settings they decide.
type evaluator struct {
	p        *program
	steps    int
	visiting map[string]bool
	notes    []string
}

// maxSteps bounds the nodes one lookup evaluates: aliases and variables can otherwise make a small
// file very large.
const maxSteps = 100_000

const maxDepth = 64

func (p *program) evaluator() *evaluator { return &evaluator{p: p, visiting: map[string]bool{}} }

func (e *evaluator) note(s string) {
	for _, n := range e.notes {
		if n == s {
			return
		}
	}
	e.notes = append(e.notes, s)
}

func (e *evaluator) eval(n *yaml.Node, depth int) any {
	n = yamledit.Deref(n)
	e.steps++
	switch {
	case n == nil:
		return nil
	case e.steps > maxSteps:
		return unknown{"the value is too large for eksguard to evaluate"}
	case depth > maxDepth:
		return unknown{"the value is nested too deeply for eksguard to evaluate"}
	case n.Tag != "" && !strings.HasPrefix(n.Tag, "!!"):
		return unknown{fmt.Sprintf("the value has the tag %s, which Pulumi YAML does not read", n.Tag)}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return e.scalar(n, depth)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, e.eval(c, depth+1))
			if e.steps > maxSteps {
				return unknown{"the value is too large for eksguard to evaluate"}
			}
		}
		return out
	case yaml.MappingNode:
		if fn, arg, ok := function(n); ok {
			return e.function(fn, arg, depth)
		}
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = e.eval(n.Content[i+1], depth+1)
			if e.steps > maxSteps {
				return unknown{"the value is too large for eksguard to evaluate"}
			}
		}
		return out
	}
	return unknown{"the value is not one eksguard reads"}
}

// function reports whether a mapping is a built-in function call: one key, starting with fn::.
func function(n *yaml.Node) (string, *yaml.Node, bool) {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) != 2 || !strings.HasPrefix(n.Content[0].Value, "fn::") {
		return "", nil, false
	}
	return n.Content[0].Value, n.Content[1], true
}

func (e *evaluator) scalar(n *yaml.Node, depth int) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
	case "!!int":
		if v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return v
		}
		return n.Value
	case "!!float":
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return v
		}
		return n.Value
	}
	if strings.Contains(n.Value, "${") {
		return e.interpolate(n.Value, depth)
	}
	return strings.ReplaceAll(n.Value, "$$", "$")
}

// interpolate evaluates a string with ${...} references: one reference alone is its value (of any
// type), several or with text around them are joined as text. $${ is a literal ${.
func (e *evaluator) interpolate(s string, depth int) any {
	var parts []any
	var text strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			text.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "$$"):
			text.WriteString("$")
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return unknown{fmt.Sprintf("%q has a ${ that is never closed", s)}
			}
			if text.Len() > 0 {
				parts = append(parts, text.String())
				text.Reset()
			}
			parts = append(parts, e.reference(s[i+2:i+end], depth))
			i += end + 1
		default:
			text.WriteByte(s[i])
			i++
		}
	}
	if text.Len() > 0 {
		parts = append(parts, text.String())
	}
	if len(parts) == 1 {
		return parts[0]
	}
	var out strings.Builder
	for _, p := range parts {
		switch v := p.(type) {
		case unknown:
			return v
		case string:
			out.WriteString(v)
		case bool, int64, float64:
			out.WriteString(fmt.Sprint(v))
		default:
			return unknown{fmt.Sprintf("%q interpolates a value that is not text", s)}
		}
	}
	return out.String()
}

// accessor is one step of a property access: a key or an index.
type accessor struct {
	key   string
	index int
	isIdx bool
}

// parseRef splits name.prop["key"][0] into its root and accessors.
func parseRef(ref string) (string, []accessor, bool) {
	ref = strings.TrimSpace(ref)
	end := strings.IndexAny(ref, ".[")
	if end < 0 {
		return ref, nil, ref != ""
	}
	root, rest := ref[:end], ref[end:]
	var out []accessor
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			n := strings.IndexAny(rest, ".[")
			if n < 0 {
				n = len(rest)
			}
			if n == 0 {
				return "", nil, false
			}
			out = append(out, accessor{key: rest[:n]})
			rest = rest[n:]
		case '[':
			n := strings.IndexByte(rest, ']')
			if n < 0 {
				return "", nil, false
			}
			in := rest[1:n]
			rest = rest[n+1:]
			if k, err := strconv.Unquote(in); err == nil {
				out = append(out, accessor{key: k})
			} else if i, err := strconv.Atoi(in); err == nil {
				out = append(out, accessor{index: i, isIdx: true})
			} else {
				return "", nil, false
			}
		default:
			return "", nil, false
		}
	}
	return root, out, root != ""
}

func (e *evaluator) reference(ref string, depth int) any {
	root, acc, ok := parseRef(ref)
	if !ok {
		return unknown{fmt.Sprintf("${%s} is not a reference eksguard reads", ref)}
	}
	if depth > maxDepth {
		return unknown{"references are nested too deeply for eksguard to evaluate"}
	}
	p := e.p
	var v any
	switch {
	case p.variables[root] != nil:
		if e.visiting[root] {
			return unknown{fmt.Sprintf("the variable %s refers to itself", root)}
		}
		e.visiting[root] = true
		v = e.eval(p.variables[root], depth+1)
		delete(e.visiting, root)
		if u, ok := v.(unknown); ok {
			return unknown{fmt.Sprintf("${%s}: the variable %s: %s", ref, root, u.why)}
		}
	case p.resources[root] != nil:
		return unknown{fmt.Sprintf("${%s} is an output of the resource %s, known only once it is deployed", ref, root)}
	case root == "pulumi":
		switch {
		case len(acc) == 1 && acc[0].key == "project" && p.project != "":
			return p.project
		case len(acc) == 1 && acc[0].key == "stack" && p.stack != nil:
			return p.stackName
		}
		return unknown{fmt.Sprintf("${%s} is known only when the program runs", ref)}
	default:
		v = e.config(root)
		if u, ok := v.(unknown); ok {
			return u
		}
	}
	return access(v, acc, ref)
}

func access(v any, acc []accessor, ref string) any {
	for _, a := range acc {
		switch x := v.(type) {
		case unknown:
			return x
		case map[string]any:
			if a.isIdx {
				return unknown{fmt.Sprintf("${%s} indexes a mapping", ref)}
			}
			v = x[a.key]
		case []any:
			if !a.isIdx || a.index < 0 || a.index >= len(x) {
				return unknown{fmt.Sprintf("${%s} is outside the list", ref)}
			}
			v = x[a.index]
		default:
			return unknown{fmt.Sprintf("${%s} reads a property of a value that has none", ref)}
		}
	}
	return v
}

// config is the value of a config key: the chosen stack's, else the program's default.
func (e *evaluator) config(name string) any {
	p := e.p
	d, declared := p.config[name]
	if p.stack != nil {
		keys := []string{name}
		if !strings.Contains(name, ":") {
			keys = []string{p.project + ":" + name, name}
		}
		for _, k := range keys {
			n, ok := p.stack.values[k]
			if !ok {
				continue
			}
			if sec := get(n, "secure"); sec != nil {
				return unknown{fmt.Sprintf("config %s is a secret, encrypted in %s", name, p.stack.name)}
			}
			v := e.literal(n, d.typ)
			if _, ok := v.(unknown); !ok {
				e.note(fmt.Sprintf("config %s from %s:%d", name, p.stack.name, p.stack.keys[k].Line))
			}
			return v
		}
	}
	switch {
	case declared && d.def != nil:
		v := e.literal(d.def, d.typ)
		if _, ok := v.(unknown); !ok {
			e.note(fmt.Sprintf("config %s's default (%s:%d)", name, d.file, d.key.Line))
		}
		return v
	case p.stack != nil:
		return unknown{fmt.Sprintf("config %s has no default in the program and is not set in %s", name, p.stack.name)}
	case !declared:
		return unknown{fmt.Sprintf("${%s} names no variable, resource or config the program declares; if it is config set only in a stack file, %s", name, p.noStack)}
	}
	return unknown{fmt.Sprintf("config %s has no default in the program; %s", name, p.noStack)}
}

// literal evaluates a config value, which may hold no references. A text value of a config declared
// as a boolean, number or list is read as Pulumi reads it (pulumi config set stores text).
func (e *evaluator) literal(n *yaml.Node, typ string) any {
	if hasRef(n, 0) {
		return unknown{"a config value holds ${...}, which Pulumi does not evaluate there"}
	}
	v := e.eval(n, 0)
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch {
	case strings.EqualFold(typ, "boolean"):
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case strings.HasPrefix(typ, "List<"):
		var l []any
		if err := json.Unmarshal([]byte(s), &l); err == nil {
			return l
		}
	}
	return v
}

// hasRef reports whether a value holds a ${...} reference. Aliases are not followed: what they name
// is looked at where it is written, and following them could take exponential time.
func hasRef(n *yaml.Node, depth int) bool {
	if n == nil || depth > maxDepth || n.Kind == yaml.AliasNode {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return strings.Contains(strings.ReplaceAll(n.Value, "$${", ""), "${")
	}
	for _, c := range n.Content {
		if hasRef(c, depth+1) {
			return true
		}
	}
	return false
}

// function evaluates the built-in functions that need nothing from a deployment.
func (e *evaluator) function(fn string, arg *yaml.Node, depth int) any {
	switch fn {
	case "fn::secret":
		return e.eval(arg, depth+1)
	case "fn::join":
		args, ok := e.eval(arg, depth+1).([]any)
		if !ok || len(args) != 2 {
			return unknown{"fn::join takes [separator, list]"}
		}
		sep, ok := args[0].(string)
		list, ok2 := args[1].([]any)
		if u, isU := args[1].(unknown); isU {
			return u
		}
		if !ok || !ok2 {
			return unknown{"fn::join takes [separator, list]"}
		}
		parts := make([]string, len(list))
		for i, x := range list {
			switch x := x.(type) {
			case string:
				parts[i] = x
			case unknown:
				return x
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		return strings.Join(parts, sep)
	case "fn::select":
		args, ok := e.eval(arg, depth+1).([]any)
		if !ok || len(args) != 2 {
			return unknown{"fn::select takes [index, list]"}
		}
		if u, isU := args[1].(unknown); isU {
			return u
		}
		i, ok := args[0].(int64)
		list, ok2 := args[1].([]any)
		if !ok || !ok2 || i < 0 || int(i) >= len(list) {
			return unknown{"fn::select takes [index, list] with an index inside the list"}
		}
		return list[i]
	case "fn::invoke":
		what := scalar(get(arg, "function"))
		if what == "" {
			return unknown{"computed by fn::invoke when the program runs"}
		}
		return unknown{fmt.Sprintf("computed by fn::invoke of %s when the program runs", what)}
	}
	return unknown{fmt.Sprintf("computed by %s when the program runs", fn)}
}
