package waiver

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
)

// Directive starts an inline waiver in a comment:
//
//	# eksguard:ignore 5.4.2 reason="allowlisted by design" expires=2027-06-30
//
// One or more control ids or check ids (separated by spaces or commas), then reason and expires,
// both required. In CloudFormation the same can be written as the resource's Metadata:
//
//	Metadata:
//	  eksguard:
//	    ignore:
//	      - control: "5.4.2"
//	        reason: allowlisted by design
//	        expires: 2027-06-30
const Directive = "eksguard:ignore"

// Inline finds the waivers written on the resource declared at line of a file: comments inside its
// block or mapping, and the comment lines directly above it; for CloudFormation, also its
// Metadata.eksguard.ignore. res is the resource the waivers are scoped to. A directive that cannot
// be read is an error naming its line; the others still apply.
func Inline(file string, data []byte, line int, res finding.Resource) ([]Waiver, []*Error) {
	if line < 1 || !bytes.Contains(data, []byte("eksguard")) {
		return nil, nil
	}
	var comments []comment
	var meta []*yaml.Node
	if isHCL(file) {
		comments = hclComments(file, data, line)
	} else {
		comments, meta = yamlComments(data, line)
	}
	scope := res
	var out []Waiver
	var errs []*Error
	for _, c := range comments {
		text, ok := directiveText(c.text)
		if !ok {
			continue
		}
		ws, err := parseDirective(file, c.line, text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i := range ws {
			ws[i].scope = &scope
		}
		out = append(out, ws...)
	}
	for _, n := range meta {
		ws, err := metadataWaivers(file, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i := range ws {
			ws[i].scope = &scope
		}
		out = append(out, ws...)
	}
	return out, errs
}

type comment struct {
	line int
	text string
}

func isHCL(file string) bool {
	return strings.HasSuffix(file, ".tf") || strings.HasSuffix(file, ".hcl")
}

// directiveText returns what follows the directive when a comment starts with it.
func directiveText(c string) (string, bool) {
	c = strings.TrimSpace(c)
	for _, p := range []string{"#", "//", "/*"} {
		if strings.HasPrefix(c, p) {
			c = strings.TrimPrefix(c, p)
			break
		}
	}
	c = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c), "*/"))
	rest, ok := strings.CutPrefix(c, Directive)
	if !ok || (rest != "" && !unicode.IsSpace(rune(rest[0]))) {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// parseDirective reads "5.4.2[,5.4.1] reason=\"...\" expires=YYYY-MM-DD": one waiver per id.
func parseDirective(file string, line int, text string) ([]Waiver, *Error) {
	fail := func(format string, a ...any) ([]Waiver, *Error) {
		return nil, &Error{File: file, Line: line, Msg: Directive + ": " + fmt.Sprintf(format, a...)}
	}
	var ids []string
	fields := map[string]string{}
	for s := text; ; {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			break
		}
		end := strings.IndexAny(s, " \t,=")
		if end < 0 || s[end] != '=' {
			if end < 0 {
				end = len(s)
			}
			ids = append(ids, s[:end])
			s = s[end:]
			continue
		}
		key := s[:end]
		s = s[end+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			v, rest, ok := unquote(s)
			if !ok {
				return fail("the value of %s has no closing quote", key)
			}
			val, s = v, rest
		} else {
			e := strings.IndexAny(s, " \t")
			if e < 0 {
				e = len(s)
			}
			val, s = s[:e], s[e:]
		}
		if key != "reason" && key != "expires" {
			return fail("unknown key %q (write ids, then reason=\"...\" and expires=YYYY-MM-DD)", key)
		}
		if _, dup := fields[key]; dup {
			return fail("%s is given twice", key)
		}
		fields[key] = strings.TrimSpace(val)
	}
	if len(ids) == 0 {
		return fail("name the controls or checks it waives, like %s 5.4.2 reason=\"...\" expires=2027-06-30", Directive)
	}
	if fields["reason"] == "" {
		return fail("reason=\"...\" is required")
	}
	if fields["expires"] == "" {
		return fail("expires=YYYY-MM-DD is required")
	}
	t, err := parseDate(fields["expires"])
	if err != nil {
		return fail("expires: %v", err)
	}
	out := make([]Waiver, 0, len(ids))
	for _, id := range ids {
		w := Waiver{Entry: fmt.Sprintf("%s:%d", file, line), File: file, Line: line, Reason: fields["reason"], Expires: t}
		if err := w.setID(id); err != nil {
			return fail("%v", err)
		}
		out = append(out, w)
	}
	return out, nil
}

// setID sets the control or the check a waiver names.
func (w *Waiver) setID(id string) error {
	if _, ok := catalogue().Control(id); ok {
		w.Control = id
		return nil
	}
	if c, ok := check.Lookup(strings.ToLower(id)); ok {
		w.CheckID = c.ID
		return nil
	}
	return fmt.Errorf("%q is neither a control of the benchmark nor an eksguard check", id)
}

// unquote reads a double-quoted value with backslash escapes from the start of s.
func unquote(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}

// hclComments lists the comments inside the block that opens on line, and those on the lines
// directly above it.
func hclComments(file string, data []byte, line int) []comment {
	toks, _ := hclsyntax.LexConfig(data, file, hcl.InitialPos)
	var out []comment
	codeLines := map[int]bool{}
	commentAt := map[int]string{}
	start, end, depth := -1, -1, 0
	for i, t := range toks {
		switch t.Type {
		case hclsyntax.TokenComment:
			if _, ok := commentAt[t.Range.Start.Line]; !ok {
				commentAt[t.Range.Start.Line] = string(t.Bytes)
			}
			continue
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			continue
		}
		codeLines[t.Range.Start.Line] = true
		if end >= 0 || t.Range.Start.Line < line {
			continue
		}
		switch t.Type {
		case hclsyntax.TokenOBrace:
			if start < 0 {
				start = i
			}
			depth++
		case hclsyntax.TokenCBrace:
			if start >= 0 {
				depth--
				if depth == 0 {
					end = t.Range.Start.Line
				}
			}
		}
	}
	if end < 0 {
		end = line // an unterminated block: only its first line
	}
	for _, t := range toks {
		if t.Type == hclsyntax.TokenComment && t.Range.Start.Line >= line && t.Range.Start.Line <= end {
			out = append(out, comment{t.Range.Start.Line, string(t.Bytes)})
		}
	}
	for l := line - 1; l >= 1; l-- {
		c, ok := commentAt[l]
		if !ok || codeLines[l] {
			break
		}
		out = append(out, comment{l, c})
	}
	return out
}

// yamlComments lists the comment lines of the resource declared on line of a YAML or JSON file:
// the mapping whose key is on that line (a CloudFormation or Pulumi resource), else the document
// that holds the line (an eksctl or Kubernetes object), with the comment lines directly above. It
// also returns the resource's Metadata.eksguard.ignore node, when there is one.
func yamlComments(data []byte, line int) ([]comment, []*yaml.Node) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var d yaml.Node
		if err := dec.Decode(&d); err != nil {
			break
		}
		if len(d.Content) > 0 {
			docs = append(docs, d.Content[0])
		}
	}
	var key, val *yaml.Node
	for _, d := range docs {
		if key, val = findPair(d, line); key != nil {
			break
		}
	}
	var first, last int
	var meta []*yaml.Node
	switch {
	case key != nil:
		first, last = key.Line, lastLine(val)
		if n := lookup(val, "Metadata", "eksguard", "ignore"); n != nil {
			meta = append(meta, n)
		}
	default:
		for _, d := range docs {
			if f, l := d.Line, lastLine(d); f <= line && line <= l {
				first, last = f, l
				break
			}
		}
		if first == 0 {
			return nil, nil
		}
	}
	lines := strings.Split(string(data), "\n")
	indent := func(l int) int { return len(lines[l-1]) - len(strings.TrimLeft(lines[l-1], " \t")) }
	isComment := func(l int) bool {
		return l >= 1 && l <= len(lines) && strings.HasPrefix(strings.TrimSpace(lines[l-1]), "#")
	}
	// Comment lines directly above, and those after the last value that are indented under the key.
	for first > 1 && isComment(first-1) {
		first--
	}
	base := 0
	if key != nil {
		base = key.Column - 1
	}
	for last < len(lines) && isComment(last+1) && indent(last+1) > base {
		last++
	}
	var out []comment
	for l := first; l <= last && l <= len(lines); l++ {
		text := lines[l-1]
		i := strings.Index(text, "#")
		for i >= 0 {
			// A # starts a comment at the start of a line or after a space, outside quotes.
			if (i == 0 || text[i-1] == ' ' || text[i-1] == '\t') && !inQuotes(text[:i]) {
				out = append(out, comment{l, text[i:]})
				break
			}
			next := strings.Index(text[i+1:], "#")
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return out, meta
}

// inQuotes reports whether the text before a position leaves a quoted YAML scalar open.
func inQuotes(before string) bool {
	single, double := false, false
	for i := 0; i < len(before); i++ {
		switch before[i] {
		case '\'':
			if !double {
				single = !single
			}
		case '"':
			if !single && (i == 0 || before[i-1] != '\\') {
				double = !double
			}
		}
	}
	return single || double
}

// findPair finds, depth first, a mapping entry whose key is on line and whose value is a mapping.
func findPair(n *yaml.Node, line int) (*yaml.Node, *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Line == line && v.Kind == yaml.MappingNode {
				return k, v
			}
		}
	}
	for _, c := range n.Content {
		if k, v := findPair(c, line); k != nil {
			return k, v
		}
	}
	return nil, nil
}

func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		if cl := lastLine(c); cl > l {
			l = cl
		}
	}
	return l
}

func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// metadataWaivers reads CloudFormation's Metadata.eksguard.ignore: a list whose items are either
// directive text ("5.4.2 reason=... expires=...") or mappings with control or check, reason and
// expires.
func metadataWaivers(file string, n *yaml.Node) ([]Waiver, *Error) {
	if n.Kind != yaml.SequenceNode {
		return nil, &Error{File: file, Line: n.Line, Msg: "Metadata.eksguard.ignore must be a list of waivers"}
	}
	var out []Waiver
	for _, item := range n.Content {
		switch item.Kind {
		case yaml.ScalarNode:
			ws, err := parseDirective(file, item.Line, item.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, ws...)
		case yaml.MappingNode:
			w := Waiver{Entry: fmt.Sprintf("%s:%d", file, item.Line), File: file, Line: item.Line}
			var expires string
			for i := 0; i+1 < len(item.Content); i += 2 {
				k, v := item.Content[i], item.Content[i+1]
				if v.Kind != yaml.ScalarNode {
					return nil, &Error{File: file, Line: v.Line, Msg: fmt.Sprintf("Metadata.eksguard.ignore: %s must be a single value", k.Value)}
				}
				switch k.Value {
				case "control", "check":
					if err := w.setID(strings.TrimSpace(v.Value)); err != nil {
						return nil, &Error{File: file, Line: v.Line, Msg: "Metadata.eksguard.ignore: " + err.Error()}
					}
				case "reason":
					w.Reason = strings.TrimSpace(v.Value)
				case "expires":
					expires = strings.TrimSpace(v.Value)
				default:
					return nil, &Error{File: file, Line: k.Line, Msg: fmt.Sprintf("Metadata.eksguard.ignore: unknown key %q (control or check, reason, expires)", k.Value)}
				}
			}
			switch {
			case w.Control == "" && w.CheckID == "":
				return nil, &Error{File: file, Line: item.Line, Msg: "Metadata.eksguard.ignore: name a control or a check"}
			case w.Reason == "":
				return nil, &Error{File: file, Line: item.Line, Msg: "Metadata.eksguard.ignore: reason is required"}
			case expires == "":
				return nil, &Error{File: file, Line: item.Line, Msg: "Metadata.eksguard.ignore: expires (YYYY-MM-DD) is required"}
			}
			t, err := parseDate(expires)
			if err != nil {
				return nil, &Error{File: file, Line: item.Line, Msg: "Metadata.eksguard.ignore: expires: " + err.Error()}
			}
			w.Expires = t
			out = append(out, w)
		default:
			return nil, &Error{File: file, Line: item.Line, Msg: "Metadata.eksguard.ignore: each item is a directive string or a mapping"}
		}
	}
	return out, nil
}
