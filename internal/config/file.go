package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/fileio"
	iacsrc "github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/textdist"
)

// file is a parsed config file: the top level and the sections of commands, by flag name.
type file struct {
	name     string
	top      map[string]*value
	sections map[string]map[string]*value
	errs     []error
}

// value is one setting as written: no items for null or an empty list.
type value struct {
	line    int // of the key
	list    bool
	section bool // written in a command's section
	items   []item
}

type item struct {
	text string
	line int
}

// value is what the file gives flag for the command at path: the command's section first, then the
// top level. A null or empty list in the section hides the top level's value.
func (f *file) value(path, flag string) *value {
	if v, ok := f.sections[path][flag]; ok {
		return v
	}
	return f.top[flag]
}

func (f *file) errorf(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		return fmt.Errorf("%s:%d: %s", f.name, line, msg)
	}
	return fmt.Errorf("%s: %s", f.name, msg)
}

func (f *file) fail(line int, format string, args ...any) {
	f.errs = append(f.errs, f.errorf(line, format, args...))
}

// load reads and checks the config file against every command of t.
func load(loc location, t *tree) (*file, []error) {
	f := &file{name: loc.name, top: map[string]*value{}, sections: map[string]map[string]*value{}}
	data, err := fileio.ReadFile(loc.path, MaxFileSize)
	if err != nil {
		var nr *fileio.NotRegularError
		var tl *fileio.TooLargeError
		var msg string
		switch {
		case errors.As(err, &nr):
			msg = fmt.Sprintf("%s is %s, not a config file", loc.name, fileio.Kind(nr.Mode))
		case errors.As(err, &tl):
			msg = fmt.Sprintf("%s is over the %s limit of a config file", loc.name, fileio.Size(MaxFileSize))
		default:
			msg = fmt.Sprintf("%s: %v", loc.name, unwrapPath(err))
		}
		if loc.origin != "" {
			msg = loc.origin + ": " + msg
		}
		return nil, []error{errors.New(msg)}
	}
	text, err := iacsrc.Decode(data)
	if err != nil {
		var re *iacsrc.ReadError
		line := 0
		if errors.As(err, &re) {
			line = re.Line
		}
		return nil, []error{f.errorf(line, "%s", err.Error())}
	}
	f.parse(text, t)
	if len(f.errs) > 0 {
		return nil, f.errs
	}
	return f, nil
}

// parse reads one YAML document: a mapping of flag names to values, and of command names to
// mappings of their own flags.
func (f *file) parse(data []byte, t *tree) {
	if line, msg := badText(data); line > 0 {
		f.fail(line, "%s", msg)
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err != io.EOF { // io.EOF: empty, or comments only
			f.errs = append(f.errs, f.yamlError(data, err))
		}
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		f.fail(extra.Line, "a second YAML document; a config file is one mapping")
		return
	case err != io.EOF:
		f.errs = append(f.errs, f.yamlError(data, err))
		return
	}
	if len(doc.Content) == 0 {
		return
	}
	root := resolve(doc.Content[0])
	switch {
	case isNull(root):
		return
	case root.Kind != yaml.MappingNode:
		f.fail(root.Line, "the file is %s; a config file is a mapping of flag names (and command sections) to values", kindName(root))
		return
	}
	f.pairs(root, "", func(k, v *yaml.Node) { f.topLevel(t, k, v) })
}

// topLevel checks one key of the top level: a command's section, or a flag of at least one command.
func (f *file) topLevel(t *tree, k, v *yaml.Node) {
	name := k.Value
	holders := t.holders(name)
	if c, ok := t.commands[name]; ok && (v.Kind == yaml.MappingNode || isNull(v) && len(holders) == 0) {
		f.section(c, v)
		return
	}
	if len(holders) == 0 {
		switch why, ok := notSettings[name]; {
		case ok:
			f.fail(k.Line, "%s: %s", name, why)
		case t.commands[name] != nil:
			f.fail(v.Line, "%s: a command section is a mapping of flag names to values, not %s", name, kindName(v))
		default:
			f.fail(k.Line, "unknown key %q%s", name, suggest(name, t.keys()))
		}
		return
	}
	var refused []string
	for _, p := range holders {
		if t.commands[p].flags[name].policy != anywhere {
			refused = append(refused, p)
		}
	}
	if len(refused) > 0 {
		p := refused[0]
		info := t.commands[p].flags[name]
		if len(refused) > 1 {
			p = "" // refused by several commands: name the flag alone
		}
		f.fail(k.Line, "%s: %s", name, refusal(p, info))
		return
	}
	if val := f.parseValue(name, k, v); val != nil {
		f.top[name] = val
	}
}

// section checks the section of command c: every key a flag of c.
func (f *file) section(c *command, m *yaml.Node) {
	s := map[string]*value{}
	f.sections[c.path] = s
	if isNull(m) {
		return // a section with every line commented out
	}
	f.pairs(m, c.path+": ", func(k, v *yaml.Node) {
		name := k.Value
		info := c.flags[name]
		if info == nil || info.policy == notSetting {
			if why, ok := notSettings[name]; ok {
				f.fail(k.Line, "%s: %s: %s", c.path, name, why)
			} else {
				f.fail(k.Line, "%s: unknown key %q: %s has no --%s flag%s", c.path, name, c.path, name, suggest(name, c.names()))
			}
			return
		}
		if info.policy != anywhere {
			f.fail(k.Line, "%s: %s: %s", c.path, name, refusal(c.path, info))
			return
		}
		val := f.parseValue(c.path+": "+name, k, v)
		if val == nil {
			return
		}
		if val.list && !isList(info.flag) {
			f.fail(k.Line, "%s: %s: a list, but %s --%s takes one value", c.path, name, c.path, name)
			return
		}
		val.section = true
		s[name] = val
	})
}

// parseValue checks the shape of one flag's value: null, a value, or a list of values.
func (f *file) parseValue(what string, k, v *yaml.Node) *value {
	val := &value{line: k.Line}
	switch {
	case isNull(v):
	case v.Kind == yaml.ScalarNode:
		val.items = []item{{v.Value, v.Line}}
	case v.Kind == yaml.SequenceNode:
		val.list = true
		for i, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode || isNull(e) {
				f.fail(e.Line, "%s: item %d is %s; a list holds values", what, i+1, kindName(e))
				return nil
			}
			val.items = append(val.items, item{e.Value, e.Line})
		}
	default:
		f.fail(k.Line, "%s: %s; a flag takes a value or a list of values", what, kindName(v))
		return nil
	}
	return val
}

// pairs calls fn on each key and value of mapping m, refusing keys that are not names, merge keys
// and keys given twice.
func (f *file) pairs(m *yaml.Node, where string, fn func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode || isNull(k):
			f.fail(k.Line, "%sa key is %s; keys are flag or command names", where, kindName(k))
			continue
		case k.Value == "<<" && k.Tag == "!!merge":
			f.fail(k.Line, "%smerge keys (<<) are not supported; write each setting", where)
			continue
		}
		if line, ok := seen[k.Value]; ok {
			f.fail(k.Line, "%s%s is given twice (first at line %d)", where, k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, v)
	}
}

// resolve follows aliases (*name) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// kindName is what a node is, for messages.
func kindName(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "empty"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		return "a single value"
	}
	return "not a value"
}

// parserProblems are the messages of go.yaml.in/yaml/v3's parser (as opposed to its scanner). The
// parser's errors give the line counting from 0 (TestFileErrors keeps watch over this), and no line
// at all on the first.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// scannerProblem reports whether msg is a syntax error of the scanner, which gives no line when the
// problem is on the first.
func scannerProblem(msg string) bool {
	for _, p := range []string{"found ", "did not find ", "could not find ", "mapping ", "block ", "invalid "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// yamlError turns a parser's error into file:line: what is wrong.
func (f *file) yamlError(data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, tail
			}
		}
	}
	switch {
	case slices.Contains(parserProblems, msg):
		line++
	case line == 0 && scannerProblem(msg):
		line = 1
	}
	// A problem found at the end of the file is on its last line, not the one after it.
	if last := bytes.Count(bytes.TrimRight(data, "\r\n"), []byte("\n")) + 1; line > last {
		line = last
	}
	return f.errorf(line, "%s", msg)
}

// badText is the line and description of the first character YAML does not allow in a file: invalid
// UTF-8, or a control character other than tab, line feed and carriage return. The parser would
// refuse it without a line.
func badText(data []byte) (int, string) {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return line, "not UTF-8 text; save the file as UTF-8"
		case r == '\n':
			line++
		case r < 0x20 && r != '\t' && r != '\r', r == 0x7f:
			return line, fmt.Sprintf("a control character (%U); YAML does not allow it", r)
		}
		i += size
	}
	return 0, ""
}

// suggest is "; did you mean "x"?" for the candidate nearest to key, or "" when none is near. It
// forgives what people carry over from the command line: leading dashes, underscores, capitals.
func suggest(key string, candidates []string) string {
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimLeft(key, "-"), "_", "-"))
	best, bestD := "", 3
	for _, c := range candidates {
		d := textdist.Distance(norm, c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	if strings.HasPrefix(key, "-") && norm == best {
		return fmt.Sprintf("; write the flag's name without dashes: %q", best)
	}
	return fmt.Sprintf("; did you mean %q?", best)
}
