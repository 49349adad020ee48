package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// ParseFleet decodes and validates a fleet file; name is used in messages.
// Unknown keys, bad values and inconsistent references are all reported with
// the file and line they come from, never by panicking.
func ParseFleet(data []byte, name string) (*Fleet, error) {
	e := &FleetError{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	err := dec.Decode(&root)
	if err != nil && !errors.Is(err, io.EOF) {
		addYAMLError(e, name, data, err)
		return nil, e.errOrNil()
	}
	f := &Fleet{Behaviour: DefaultBehaviour()}
	if len(root.Content) == 0 {
		e.add(name, 0, "fleet is empty")
		return nil, e.errOrNil()
	}
	// yaml.v3 reads one document at a time: a second one, holding accounts
	// meant to be served, would otherwise be dropped without a word. It does
	// not stop the first one from being checked.
	more := &FleetError{}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case errors.Is(err, io.EOF):
	case err != nil:
		addYAMLError(more, name, data, err)
	default:
		more.add(name, second.Line, "fleet files hold one YAML document; a second starts at line %d", second.Line)
	}
	w := &yamlWalker{file: name, errs: e}
	doc := root.Content[0]
	w.check(doc, reflect.TypeFor[Fleet](), "")
	if err := doc.Decode(f); err != nil {
		addYAMLError(e, name, data, err)
	}
	if len(e.Problems) > 0 {
		e.Problems = append(e.Problems, more.Problems...)
		return nil, e.errOrNil()
	}
	w.fillEmpty(doc, reflect.ValueOf(f).Elem())
	validateFleet(f, nodeLocator{file: name, root: doc}, e)
	e.Problems = append(e.Problems, more.Problems...)
	if err := e.errOrNil(); err != nil {
		return nil, err
	}
	if f.Generate != nil {
		f.Accounts = append(f.Accounts, generateAccounts(f.Generate, f.Accounts)...)
	}
	return f, nil
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// addYAMLError turns yaml.v3's "line N: ..." messages into file:line problems.
func addYAMLError(e *FleetError, file string, data []byte, err error) {
	var msgs []string
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for _, m := range msgs {
		if sub := yamlLineRE.FindStringSubmatch(m); sub != nil {
			line, _ := strconv.Atoi(sub[1])
			e.add(file, line, "%s", sub[2])
			continue
		}
		m = strings.TrimPrefix(m, "yaml: ")
		if line, col, what := badByte(data); line > 0 && readerProblem.MatchString(m) {
			e.add(file, line, "%s (%s at column %d)", m, what, col)
			continue
		}
		e.add(file, 0, "%s", m)
	}
}

// readerProblem matches the errors of yaml.v3's reader, which decodes the
// bytes before any YAML is read and names no line.
var readerProblem = regexp.MustCompile(`UTF-8|UTF-16|surrogate|Unicode character|control characters`)

// badByte finds the first character yaml.v3's reader refuses in a UTF-8
// stream: a byte that is not UTF-8, or a control character. It returns its
// line, its column in characters and a name for it; 0 when there is none.
// (A UTF-16 fleet file is not worth the code.)
func badByte(data []byte) (line, col int, what string) {
	line, col = 1, 1
	start := 0
	if bytes.HasPrefix(data, bomUTF8) {
		start = len(bomUTF8)
	}
	for i := start; i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			return line, col, fmt.Sprintf("byte 0x%02X", data[i])
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r >= 0x7F && r < 0xA0 && r != 0x85, r == 0xFFFE, r == 0xFFFF:
			return line, col, fmt.Sprintf("U+%04X", r)
		case r == '\n':
			line, col = line+1, 1
		default:
			col++
		}
		i += w
	}
	return 0, 0, ""
}

var bomUTF8 = []byte("\xef\xbb\xbf")

// yamlWalker walks a YAML tree alongside the Go type it decodes into.
type yamlWalker struct {
	file string
	errs *FleetError
	// seen stops alias bombs: check runs before yaml.v3's own aliasing
	// limit, and a node checked once against a type needs no second visit.
	seen map[walkKey]bool
}

type walkKey struct {
	n *yaml.Node
	t reflect.Type
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

// check runs before decoding: it reports unknown keys (yaml.v3 can only do
// that per Decoder, and without file names), non-finite numbers, and
// explicitly tagged scalars yaml.v3 cannot resolve, and normalises timestamps,
// which yaml.v3 refuses when quoted; those last two would abort the whole
// decode without a line. name is the key n is the value of, for messages.
func (w *yamlWalker) check(n *yaml.Node, t reflect.Type, name string) {
	n = resolveAlias(n)
	if n == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if w.seen == nil {
		w.seen = map[walkKey]bool{}
	}
	if w.seen[walkKey{n, t}] {
		return
	}
	w.seen[walkKey{n, t}] = true
	if n.Kind == yaml.ScalarNode && !w.scalar(n, t, name) {
		return
	}
	switch {
	case t == timeType:
		w.normaliseTime(n)
		return
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // yaml.v3 reports the type mismatch with its line
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" {
				w.check(v, t, name)
				continue
			}
			idx, ok := fields[k.Value]
			if !ok {
				w.errs.add(w.file, k.Line, "unknown field %q", k.Value)
				continue
			}
			if t.Field(idx).Tag.Get("fleet") == "text" {
				w.text(v, k.Value)
			}
			w.check(v, t.Field(idx).Type, k.Value)
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				w.check(c, t.Elem(), name)
			}
		}
	case reflect.Map, reflect.Interface:
		// Free-form members (kubeApiServerConfig) are walked too: a NaN
		// there would make the DescribeCluster response unencodable.
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				w.check(n.Content[i], elem(t), n.Content[i-1].Value)
			}
		}
		if n.Kind == yaml.SequenceNode && t.Kind() == reflect.Interface {
			for _, c := range n.Content {
				w.check(c, t, name)
			}
		}
	}
}

func elem(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Map {
		return t.Elem()
	}
	return t
}

// scalar checks a scalar bound for a value of type t; false when it has
// reported a problem and replaced the scalar by null, so that decoding goes
// on to find the other problems.
func (w *yamlWalker) scalar(n *yaml.Node, t reflect.Type, name string) bool {
	if name == "" {
		name = "value"
	}
	if n.Style&yaml.TaggedStyle != 0 {
		var v any
		if err := n.Decode(&v); err != nil {
			w.errs.add(w.file, n.Line, "%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
			n.Value, n.Tag, n.Style = "", "!!null", 0
			return false
		}
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Interface,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return true
	}
	if n.ShortTag() != "!!float" {
		return true
	}
	// .nan, .inf and -.inf in any spelling YAML accepts; an integer field
	// would otherwise take -.inf as its most negative value.
	var f float64
	if err := n.Decode(&f); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		w.errs.add(w.file, n.Line, "%s must be a finite number, not %s", name, n.Value)
		n.Value, n.Tag, n.Style = "", "!!null", 0
		return false
	}
	return true
}

// text checks a member the API holds as text (a log type, a key ARN): yaml.v3
// would quietly turn `keyArn: 123` or `types: [true]` into the strings "123"
// and "true". A scalar or each scalar of a list must be a string or null.
func (w *yamlWalker) text(n *yaml.Node, name string) {
	n = resolveAlias(n)
	if n == nil {
		return
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, c := range items {
		c = resolveAlias(c)
		if c == nil || c.Kind != yaml.ScalarNode {
			continue // yaml.v3 reports a list or map where text belongs
		}
		var what string
		switch c.ShortTag() {
		case "!!str", "!!null":
			continue
		case "!!int", "!!float":
			what = "a number"
		case "!!bool":
			what = "a boolean"
		case "!!timestamp":
			what = "a timestamp"
		default:
			what = "a " + strings.TrimPrefix(c.ShortTag(), "!!")
		}
		w.errs.add(w.file, c.Line, "%s must be text, not %s (%s); quote it if it is meant as text", name, what, c.Value)
		c.Value, c.Tag, c.Style = "", "!!null", 0
	}
}

// fillEmpty runs after decoding: yaml.v3 decodes `[]` as a nil slice, but an
// explicit empty list means something different from an absent one (for
// example publicAccessCidrs: [] on a private cluster, TD-9).
func (w *yamlWalker) fillEmpty(n *yaml.Node, v reflect.Value) {
	n = resolveAlias(n)
	if n == nil || !v.IsValid() {
		return
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	if t == timeType {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if idx, ok := fields[n.Content[i].Value]; ok {
				w.fillEmpty(n.Content[i+1], v.Field(idx))
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		if v.IsNil() && len(n.Content) == 0 && v.CanSet() {
			v.Set(reflect.MakeSlice(t, 0, 0))
			return
		}
		for i := 0; i < len(n.Content) && i < v.Len(); i++ {
			w.fillEmpty(n.Content[i], v.Index(i))
		}
	}
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02"}

func (w *yamlWalker) normaliseTime(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, n.Value); err == nil {
			n.Value, n.Tag, n.Style = t.UTC().Format(time.RFC3339Nano), "!!timestamp", 0
			return
		}
	}
	w.errs.add(w.file, n.Line, "invalid timestamp %q (want RFC 3339, e.g. 2024-11-02T10:00:00Z)", n.Value)
	n.Value, n.Tag, n.Style = "", "!!null", 0
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

var yamlFieldCache sync.Map // reflect.Type -> map[string]int

// yamlFields maps the yaml key of every field of struct t to its index.
func yamlFields(t reflect.Type) map[string]int {
	if m, ok := yamlFieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	yamlFieldCache.Store(t, m)
	return m
}

// UnmarshalYAML accepts a count (taken from DefaultRegions) or a list of names.
func (r *RegionSet) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		count, err := strconv.Atoi(n.Value)
		if err != nil {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: regions must be a count or a list of region names, not %q", n.Line, n.Value)}}
		}
		if count < 1 || count > len(DefaultRegions) {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: regions count %d out of range 1..%d", n.Line, count, len(DefaultRegions))}}
		}
		*r = append(RegionSet(nil), DefaultRegions[:count]...)
		return nil
	}
	var names []string
	if err := n.Decode(&names); err != nil {
		return err
	}
	*r = names
	return nil
}

// locator turns a path inside the fleet into something a user can find.
type locator interface {
	at(path []any) (file string, line int)
}

// nodeLocator finds the line of a path in the parsed YAML tree.
type nodeLocator struct {
	file string
	root *yaml.Node
}

func (l nodeLocator) at(path []any) (string, int) {
	n := l.root
	line := n.Line
	for _, p := range path {
		n = resolveAlias(n)
		var next *yaml.Node
		switch key := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == key {
						next = n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && key < len(n.Content) {
				next = n.Content[key]
			}
		}
		if next == nil {
			break
		}
		n, line = next, next.Line
	}
	return l.file, line
}

// pathLocator names members of a Fleet built in Go.
type pathLocator struct{}

func (pathLocator) at(path []any) (string, int) {
	var b strings.Builder
	for _, p := range path {
		switch key := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(key)
		case int:
			fmt.Fprintf(&b, "[%d]", key)
		}
	}
	if b.Len() == 0 {
		return "fleet", 0
	}
	return "fleet " + b.String(), 0
}
