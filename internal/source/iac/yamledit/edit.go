package yamledit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
)

// KV is one key and the value it must have: a bool, a string, a []string, a []KV for a mapping that
// must hold those keys (and keeps the others it has), a [][]KV for a list of mappings written whole,
// or an Item for one mapping of a list the document already has.
type KV struct {
	Key   string
	Value any
}

// Item makes the mapping at Index of an existing list hold KVs (and keep the other keys it has), so
// that one entry of a list can change without the list being written again
// (EncryptionConfig: [{Resources: [secrets], Provider: {KeyArn: ...}}]).
type Item struct {
	Index int
	KVs   []KV
}

// Editor collects the changes of one fix to one document.
type Editor struct {
	d       *Doc
	splices []splice
	// Opaque says whether a node is computed rather than written (a CloudFormation intrinsic in long
	// form) and names it; such a node is never edited through. Nodes with a custom YAML tag are always
	// opaque.
	Opaque func(*yaml.Node) (string, bool)
}

type splice struct {
	start, end int
	text       string
}

// Editor starts a set of changes to the document.
func (d *Doc) Editor() *Editor { return &Editor{d: d} }

// Deref follows YAML aliases to the node they name.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// Lookup finds key in mapping m and returns its key and value nodes; the last one wins when a key is
// repeated, as in encoding/json. A key the mapping does not hold itself is looked for in what it merges
// (<<: *base). It returns nils when m is not a mapping or has no such key.
func Lookup(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	k, v, _ := LookupCost(m, key)
	return k, v
}

// LookupCost is Lookup that also says how many keys it compared. Aliases let one large mapping be
// looked into from many places, so a caller that looks keys up on behalf of a document (an evaluator
// following aliases) charges the cost to its own budget.
func LookupCost(m *yaml.Node, key string) (*yaml.Node, *yaml.Node, int) {
	l := lookupState{budget: maxMerges}
	k, v := l.lookup(m, key, 0)
	return k, v, l.cost
}

// maxMerges bounds the mappings one Lookup visits through merge keys, which can otherwise fan out
// exponentially (<<: [*a, *a, ...] where a merges the same way). A mapping merged twice is searched
// once, so one Lookup compares at most as many keys as the document holds.
const maxMerges = 256

type lookupState struct {
	budget  int
	cost    int
	visited []*yaml.Node
}

func (l *lookupState) lookup(m *yaml.Node, key string, depth int) (*yaml.Node, *yaml.Node) {
	m = Deref(m)
	if m != nil && m.Kind == yaml.MappingNode {
		if slices.Contains(l.visited, m) {
			return nil, nil // searched already, without finding key
		}
		l.visited = append(l.visited, m)
		l.cost += len(m.Content) / 2
	}
	if k, v := lookupDirect(m, key); k != nil || m == nil || m.Kind != yaml.MappingNode || depth > 8 {
		return k, v
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !isMergeKey(m.Content[i]) {
			continue
		}
		sources := []*yaml.Node{m.Content[i+1]}
		if src := Deref(m.Content[i+1]); src != nil && src.Kind == yaml.SequenceNode {
			sources = src.Content
			l.cost += len(sources)
		}
		for _, s := range sources {
			if l.budget--; l.budget < 0 {
				return nil, nil
			}
			if k, v := l.lookup(s, key, depth+1); k != nil {
				return k, v
			}
		}
	}
	return nil, nil
}

func lookupDirect(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	var k, v *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := Deref(m.Content[i]); kn != nil && kn.Kind == yaml.ScalarNode && kn.Value == key && !isMergeKey(kn) {
			k, v = m.Content[i], m.Content[i+1]
		}
	}
	return k, v
}

func isMergeKey(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!merge"
}

// editLookup finds key in m for an edit: only in m itself, since changing a merged or anchored node
// would change every place that shares it. replace says the value will be replaced as a whole, so no
// anchor may be defined anywhere inside it; a value edited inside only must not be anchored itself.
func (e *Editor) editLookup(m *yaml.Node, name, key string, replace bool) (*yaml.Node, *yaml.Node, error) {
	k, v := lookupDirect(m, key)
	if k == nil {
		if mk, _ := Lookup(m, key); mk != nil {
			return nil, nil, fmt.Errorf("%s takes %s from a YAML merge key (<<); edit it by hand", name, key)
		}
		return nil, nil, nil
	}
	a := v.Anchor
	if replace {
		a = anchorIn(v, 0)
	}
	if a != "" {
		return nil, nil, fmt.Errorf("%s.%s holds the YAML anchor &%s, which other places may use; edit it by hand", name, key, a)
	}
	return k, v, nil
}

// anchorIn returns the first anchor defined in n or below it.
func anchorIn(n *yaml.Node, depth int) string {
	if n == nil || depth > 64 {
		return ""
	}
	if n.Anchor != "" {
		return n.Anchor
	}
	if n.Kind == yaml.AliasNode {
		return ""
	}
	for _, c := range n.Content {
		if a := anchorIn(c, depth+1); a != "" {
			return a
		}
	}
	return ""
}

func (e *Editor) opaque(n *yaml.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
		return n.Tag, true
	}
	if e.Opaque != nil {
		return e.Opaque(n)
	}
	return "", false
}

// Set makes the mapping reached from m through path hold every kv, creating the mappings on the way
// when they are missing. key is m's key in its parent mapping, which must be a block mapping; it is nil
// for a document's root or when the parent is in flow style, and m can then only be edited if it is a
// block mapping itself. name is how m is called in error messages.
func (e *Editor) Set(key, m *yaml.Node, name string, path []string, kvs []KV) error {
	if e.d.loneCR() {
		// YAML counts a lone CR as a line break and edits count lines by LF: they would disagree.
		return fmt.Errorf("the file breaks lines with a lone CR (classic Mac style); edit %s by hand", name)
	}
	if e.d.json {
		return e.setJSON(m, name, path, kvs)
	}
	return e.setYAML(key, m, name, path, kvs, 0)
}

func (d *Doc) loneCR() bool {
	for i, b := range d.data {
		if b == '\r' && (i+1 == len(d.data) || d.data[i+1] != '\n') {
			return true
		}
	}
	return false
}

func isBlockMapping(m *yaml.Node) bool {
	return m != nil && m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle == 0 && len(m.Content) > 0
}

func isNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// setYAML works down path; unit is the indentation step seen so far (0 when none yet).
func (e *Editor) setYAML(key, m *yaml.Node, name string, path []string, kvs []KV, unit int) error {
	if u := e.unit(key, m); u > 0 {
		unit = u
	}
	if unit == 0 {
		unit = 2
	}
	if m != nil && m.Kind == yaml.AliasNode {
		return fmt.Errorf("%s is a YAML alias; edit the anchored node by hand", name)
	}
	if what, ok := e.opaque(m); ok {
		return fmt.Errorf("%s is computed by %s; edit it by hand", name, what)
	}
	if m != nil && m.Anchor != "" {
		return fmt.Errorf("%s is the YAML anchor &%s, which other places may use; edit it by hand", name, m.Anchor)
	}
	if !isBlockMapping(m) {
		if key == nil {
			return fmt.Errorf("%s is not a block mapping; edit it by hand", name)
		}
		if m != nil && m.Kind != yaml.MappingNode && !isNull(m) {
			return fmt.Errorf("%s is not a mapping", name)
		}
		nv, err := e.withChanges(m, name, path, kvs)
		if err != nil {
			return err
		}
		return e.rewriteEntry(key, m, nv, unit)
	}
	if len(path) > 0 {
		k, v, err := e.editLookup(m, name, path[0], false)
		if err != nil {
			return err
		}
		if k == nil {
			return e.appendEntries(m, e.renderEntries(path, kvs, unit))
		}
		return e.setYAML(k, v, name+"."+path[0], path[1:], kvs, unit)
	}
	var missing []KV
	for _, kv := range kvs {
		k, v, err := e.editLookup(m, name, kv.Key, !inPlace(kv.Value))
		if err != nil {
			return err
		}
		if k == nil {
			if _, ok := kv.Value.(Item); ok {
				return fmt.Errorf("%s has no %s to change", name, kv.Key)
			}
			missing = append(missing, kv)
			continue
		}
		switch val := kv.Value.(type) {
		case []KV:
			err = e.setYAML(k, v, name+"."+kv.Key, nil, val, unit)
		case Item:
			err = e.setItemYAML(k, v, name+"."+kv.Key, val, unit)
		default:
			err = e.replaceEntry(k, v, kv, unit)
		}
		if err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return e.appendEntries(m, e.renderEntries(nil, missing, unit))
	}
	return nil
}

// inPlace reports whether a value is edited inside the node it is set on (a mapping that keeps its
// other keys, one item of a list) rather than written over it.
func inPlace(v any) bool {
	switch v.(type) {
	case []KV, Item:
		return true
	}
	return false
}

// setItemYAML edits one mapping of the list v, the value of key k: in place when both are in block
// style, else by writing the entry again.
func (e *Editor) setItemYAML(k, v *yaml.Node, name string, it Item, unit int) error {
	if what, ok := e.opaque(v); ok {
		return fmt.Errorf("%s is computed by %s; edit it by hand", name, what)
	}
	if v == nil || v.Kind != yaml.SequenceNode || it.Index < 0 || it.Index >= len(v.Content) {
		return fmt.Errorf("%s has no item %d", name, it.Index)
	}
	if item := v.Content[it.Index]; v.Style&yaml.FlowStyle == 0 && isBlockMapping(item) {
		return e.setYAML(nil, item, fmt.Sprintf("%s[%d]", name, it.Index), nil, it.KVs, unit)
	}
	if a := anchorIn(v, 0); a != "" {
		return fmt.Errorf("%s holds the YAML anchor &%s, which other places may use; edit it by hand", name, a)
	}
	nv, err := e.withItem(v, name, it)
	if err != nil {
		return err
	}
	return e.rewriteEntry(k, v, nv, unit)
}

// withItem returns a copy of list seq whose mapping at it.Index holds it.KVs.
func (e *Editor) withItem(seq *yaml.Node, name string, it Item) (*yaml.Node, error) {
	if what, ok := e.opaque(seq); ok {
		return nil, fmt.Errorf("%s is computed by %s; edit it by hand", name, what)
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || it.Index < 0 || it.Index >= len(seq.Content) {
		return nil, fmt.Errorf("%s has no item %d", name, it.Index)
	}
	item := seq.Content[it.Index]
	iname := fmt.Sprintf("%s[%d]", name, it.Index)
	switch what, computed := e.opaque(item); {
	case item.Kind == yaml.AliasNode:
		return nil, fmt.Errorf("%s is a YAML alias; edit the anchored node by hand", iname)
	case computed:
		return nil, fmt.Errorf("%s is computed by %s; edit it by hand", iname, what)
	case item.Anchor != "":
		return nil, fmt.Errorf("%s is the YAML anchor &%s, which other places may use; edit it by hand", iname, item.Anchor)
	case item.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("%s is not a mapping", iname)
	}
	nv, err := e.withChanges(item, iname, nil, it.KVs)
	if err != nil {
		return nil, err
	}
	out := *seq
	out.Content = append([]*yaml.Node(nil), seq.Content...)
	out.Content[it.Index] = nv
	return &out, nil
}

// unit is the indentation step the author used in block mapping m: the column of m's first key
// relative to key's own, or else that of the first nested block mapping; 0 when m shows none.
func (e *Editor) unit(key, m *yaml.Node) int {
	if !isBlockMapping(m) {
		return 0
	}
	if key != nil {
		if u := m.Content[0].Column - key.Column; u > 0 && u <= 8 {
			return u
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if v := m.Content[i+1]; isBlockMapping(v) {
			if u := v.Content[0].Column - m.Content[i].Column; u > 0 && u <= 8 {
				return u
			}
		}
	}
	return 0
}

// renderEntries writes YAML lines (without the mapping's indentation) for a nested path of mappings
// holding kvs.
func (e *Editor) renderEntries(path []string, kvs []KV, unit int) []string {
	ind := strings.Repeat(" ", unit)
	if len(path) > 0 {
		out := []string{path[0] + ":"}
		for _, l := range e.renderEntries(path[1:], kvs, unit) {
			out = append(out, ind+l)
		}
		return out
	}
	var out []string
	for _, kv := range kvs {
		switch v := kv.Value.(type) {
		case bool:
			out = append(out, fmt.Sprintf("%s: %t", kv.Key, v))
		case []string:
			if len(v) == 0 {
				out = append(out, kv.Key+": []")
				continue
			}
			out = append(out, kv.Key+":")
			for _, s := range v {
				out = append(out, ind+"- "+yamlScalar(s))
			}
		case string:
			out = append(out, kv.Key+": "+yamlScalar(v))
		case []KV:
			out = append(out, kv.Key+":")
			for _, l := range e.renderEntries(nil, v, unit) {
				out = append(out, ind+l)
			}
		case [][]KV:
			if len(v) == 0 {
				out = append(out, kv.Key+": []")
				continue
			}
			out = append(out, kv.Key+":")
			for _, item := range v {
				out = append(out, e.itemLines(item, ind, unit)...)
			}
		}
	}
	return out
}

// itemLines writes a mapping as an item of a block list whose dashes are at indentation ind.
func (e *Editor) itemLines(kvs []KV, ind string, unit int) []string {
	lines := e.renderEntries(nil, kvs, unit)
	if len(lines) == 0 {
		return []string{ind + "- {}"}
	}
	for i, l := range lines {
		if i == 0 {
			lines[i] = ind + "- " + l
		} else {
			lines[i] = ind + "  " + l
		}
	}
	return lines
}

// yamlScalar writes s as a YAML string for a block mapping, quoted only when it must be and always on
// one line.
func yamlScalar(s string) string {
	b, err := yaml.Marshal(s)
	if out := strings.TrimSuffix(string(b), "\n"); err == nil && !strings.Contains(out, "\n") {
		return out
	}
	return jsonString(s) // a JSON string is a YAML double-quoted scalar
}

// quoteLike returns how to write strings that replace scalar n: quoted as n was when it was quoted,
// else by plain.
func quoteLike(n *yaml.Node, plain func(string) string) func(string) string {
	switch {
	case n == nil || n.Kind != yaml.ScalarNode || n.Tag != "" && !strings.HasPrefix(n.Tag, "!!"):
		return plain
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return jsonString
	case n.Style&yaml.SingleQuotedStyle != 0:
		return func(s string) string {
			if strings.ContainsAny(s, "\n\r") {
				return jsonString(s) // a single-quoted scalar would fold the line break
			}
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	}
	return plain
}

// flowValue writes a value in flow style, for a flow collection.
func flowValue(v any) string {
	switch v := v.(type) {
	case bool:
		return fmt.Sprint(v)
	case string:
		return flowScalar(v)
	case []string:
		items := make([]string, len(v))
		for i, s := range v {
			items[i] = flowScalar(s)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case []KV:
		items := make([]string, len(v))
		for i, kv := range v {
			items[i] = flowScalar(kv.Key) + ": " + flowValue(kv.Value)
		}
		return "{" + strings.Join(items, ", ") + "}"
	case [][]KV:
		items := make([]string, len(v))
		for i, m := range v {
			items[i] = flowValue(m)
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	return "null"
}

var flowSafe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9./_-]*$`)

// flowScalar writes s for a flow sequence, where more characters need quotes than in block style
// ("::/0" is a plain scalar in a block but breaks "[a, ::/0]").
func flowScalar(s string) string {
	if flowSafe.MatchString(s) && yamlScalar(s) == s {
		return s
	}
	return jsonString(s)
}

// linePrefixOK reports whether only indentation and sequence dashes precede off on its line, so that
// rewriting from off to the end of an entry touches nothing else.
func (d *Doc) linePrefixOK(off int) bool {
	ls := d.lineStart[d.LineOf(off)-1]
	return strings.Trim(string(d.data[ls:off]), " -") == ""
}

// entryEnd returns the offset of the end of a block mapping entry: the end of its last line, found by
// indentation (every following line indented deeper belongs to it, and so do sequence items at the
// key's own indentation) and, for a flow collection, by its closing bracket.
func (d *Doc) entryEnd(k, v *yaml.Node) int {
	if d.json {
		if sp, ok := d.spans[v]; ok {
			return sp.end
		}
		return d.spans[k].end
	}
	col := k.Column - 1
	end := k.Line
	seq := v != nil && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0
	for l := k.Line + 1; l <= len(d.lineStart); l++ {
		text := d.lineText(l)
		trimmed := strings.TrimLeft(text, " ")
		if strings.TrimSpace(trimmed) == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ind := len(text) - len(trimmed)
		if ind > col || (seq && ind == col && (strings.HasPrefix(trimmed, "- ") || trimmed == "-")) {
			end = l
			continue
		}
		break
	}
	if l := d.lastLine(v, 0); l > end {
		end = min(l, d.Lines()) // yaml.v3 puts an empty value at the end on a line past it
	}
	return d.lineEnd(end)
}

// lastLine returns the last line a node's text reaches where indentation does not tell: a flow
// collection ends at its closing bracket and a quoted scalar at its closing quote, wherever the
// (lenient) parser let them fall.
func (d *Doc) lastLine(n *yaml.Node, depth int) int {
	if n == nil || n.Kind == yaml.AliasNode || depth > 64 {
		return 0
	}
	last := n.Line
	off, ok := d.offset(n)
	switch {
	case !ok:
	case (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle != 0:
		if close := d.flowEnd(off); close > 0 {
			return max(last, d.LineOf(close-1))
		}
	case n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if close := d.quoteEnd(off); close > 0 {
			return max(last, d.LineOf(close-1))
		}
	}
	for _, c := range n.Content {
		last = max(last, d.lastLine(c, depth+1))
	}
	return last
}

// quoteEnd returns the offset just past the quoted scalar that starts at or after off (skipping a
// tag or anchor), or -1.
func (d *Doc) quoteEnd(off int) int {
	i := off
	for i < len(d.data) && d.data[i] != '"' && d.data[i] != '\'' {
		i++
	}
	if i >= len(d.data) {
		return -1
	}
	return d.skipQuoted(i)
}

// startsScalar reports whether the byte at i begins a node in flow context: only white space since
// an indicator that opens or separates entries, or since a tag or an anchor that follows one
// ([! "x"], {a: &q 'y'}); a node has at most one of each. A colon counts as an indicator when a
// blank follows it, when it is where a node could start ([! :"b"], an empty key), or right after a
// key that ends at keyEnd, a quoted scalar or a collection ({"a":"b"}); anywhere else it is inside
// a plain scalar ([a:"b"], [a\n:"b"]).
func (d *Doc) startsScalar(i, keyEnd int) bool {
	return d.startsNode(i, keyEnd, true)
}

// startsNode is startsScalar; colon says whether a colon glued to i may start a token itself (one
// level only, so a run of colons costs no more than its length).
func (d *Doc) startsNode(i, keyEnd int, colon bool) bool {
	for props := 0; ; props++ {
		j := i - 1
		for j >= 0 && strings.IndexByte(" \t\r\n", d.data[j]) >= 0 {
			j--
		}
		if j < 0 || strings.IndexByte("[{,", d.data[j]) >= 0 || d.data[j] == ':' && (j < i-1 || j == keyEnd || colon && d.startsNode(j, keyEnd, false)) {
			return true
		}
		if j == i-1 || props == 2 {
			return false // part of the token before it (it's, !'), or a third property
		}
		// The token before: a tag or an anchor only if it starts with ! or &.
		k := j
		for k > 0 && strings.IndexByte(" \t\r\n[{,", d.data[k-1]) < 0 {
			k--
		}
		if d.data[k] != '!' && d.data[k] != '&' {
			return false
		}
		i = k
	}
}

// skipQuoted returns the offset just past the quoted string that opens at i, or -1.
func (d *Doc) skipQuoted(i int) int {
	q := d.data[i]
	for i++; i < len(d.data); i++ {
		switch {
		case q == '"' && d.data[i] == '\\':
			i++
		case d.data[i] == q && q == '\'' && i+1 < len(d.data) && d.data[i+1] == '\'':
			i++
		case d.data[i] == q:
			return i + 1
		}
	}
	return -1
}

// flowEnd returns the offset just past the flow collection that starts at or after off (skipping a
// tag or anchor), or -1.
func (d *Doc) flowEnd(off int) int {
	i := off
	for i < len(d.data) && d.data[i] != '[' && d.data[i] != '{' {
		if d.data[i] == '\n' {
			return -1
		}
		i++
	}
	depth := 0
	keyEnd := -1 // where the last quoted scalar or inner collection ended
	for ; i < len(d.data); i++ {
		switch c := d.data[i]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
			keyEnd = i + 1
		case '"', '\'':
			if !d.startsScalar(i, keyEnd) {
				continue // an apostrophe inside a plain scalar: [it's]
			}
			end := d.skipQuoted(i)
			if end < 0 {
				return -1
			}
			i, keyEnd = end-1, end
		case '!':
			// A tag runs to the next blank, brackets and commas included, as yaml.v3 reads it.
			if !d.startsScalar(i, keyEnd) {
				continue // inside a plain scalar: [a!b], [a\n!b]
			}
			for i+1 < len(d.data) && strings.IndexByte(" \t\r\n", d.data[i+1]) < 0 {
				i++
			}
		case '#':
			// A comment starts a token: after a blank, an indicator, a quoted scalar or the colon
			// after one ([#x] is an empty list).
			if i == 0 || i == keyEnd || strings.IndexByte(" \t\r\n[]{},", d.data[i-1]) >= 0 || d.data[i-1] == ':' && i-1 == keyEnd {
				for i < len(d.data) && d.data[i] != '\n' {
					i++
				}
			}
		}
	}
	return -1
}

// replaceEntry rewrites one "key: value" entry of a block mapping.
func (e *Editor) replaceEntry(k, v *yaml.Node, kv KV, unit int) error {
	off, ok := e.d.offset(k)
	if !ok || !e.d.linePrefixOK(off) {
		return fmt.Errorf("%s (line %d) is not laid out one key per line; edit it by hand", kv.Key, k.Line)
	}
	ind := strings.Repeat(" ", k.Column-1)
	var lines []string
	flowList := v != nil && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle != 0 && len(v.Content) > 0 && v.Tag == "!!seq"
	item := ind + strings.Repeat(" ", unit)
	if v != nil && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && v.Column > 0 && v.Tag == "!!seq" {
		item = strings.Repeat(" ", v.Column-1)
	}
	switch val := kv.Value.(type) {
	case bool:
		lines = []string{fmt.Sprintf("%s: %t", kv.Key, val)}
	case string:
		lines = []string{kv.Key + ": " + quoteLike(v, yamlScalar)(val)}
	case []string:
		var first *yaml.Node
		if v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
			first = v.Content[0]
		}
		switch {
		case flowList:
			q := quoteLike(first, flowScalar)
			items := make([]string, len(val))
			for i, s := range val {
				items[i] = q(s)
			}
			lines = []string{kv.Key + ": [" + strings.Join(items, ", ") + "]"}
		case len(val) == 0:
			lines = []string{kv.Key + ": []"}
		default:
			q := quoteLike(first, yamlScalar)
			lines = []string{kv.Key + ":"}
			for _, s := range val {
				lines = append(lines, item+"- "+q(s))
			}
		}
	case [][]KV:
		switch {
		case flowList:
			lines = []string{kv.Key + ": " + flowValue(val)}
		case len(val) == 0:
			lines = []string{kv.Key + ": []"}
		default:
			lines = []string{kv.Key + ":"}
			for _, m := range val {
				lines = append(lines, e.itemLines(m, item, unit)...)
			}
		}
	default:
		return fmt.Errorf("unsupported value for %s", kv.Key)
	}
	for i := 1; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], ind) {
			lines[i] = ind + lines[i]
		}
	}
	e.splices = append(e.splices, splice{off, e.d.entryEnd(k, v), strings.Join(lines, "\n")})
	return nil
}

// appendEntries adds lines after the last entry of block mapping m, at the indentation of its keys.
func (e *Editor) appendEntries(m *yaml.Node, lines []string) error {
	first := m.Content[0]
	if first.Column < 1 {
		return fmt.Errorf("cannot find where to add %s", strings.TrimSuffix(lines[0], ":"))
	}
	ind := strings.Repeat(" ", first.Column-1)
	k, v := m.Content[len(m.Content)-2], m.Content[len(m.Content)-1]
	if off, ok := e.d.offset(k); !ok || !e.d.linePrefixOK(off) {
		return fmt.Errorf("the mapping at line %d is not laid out one key per line; edit it by hand", first.Line)
	}
	end := e.d.entryEnd(k, v)
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\n" + ind + l)
	}
	e.splices = append(e.splices, splice{end, end, b.String()})
	return nil
}

// withChanges returns a copy of mapping m (nil or null for none) with kvs set at path, leaving m as it
// was.
func (e *Editor) withChanges(m *yaml.Node, name string, path []string, kvs []KV) (*yaml.Node, error) {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if m != nil && m.Kind == yaml.MappingNode {
		out.Content = append([]*yaml.Node(nil), m.Content...)
		out.HeadComment, out.LineComment, out.FootComment = m.HeadComment, m.LineComment, m.FootComment
	}
	set := func(key string, v *yaml.Node) {
		for i := len(out.Content) - 2; i >= 0; i -= 2 {
			if kn := Deref(out.Content[i]); kn != nil && kn.Value == key {
				out.Content[i+1] = v
				return
			}
		}
		out.Content = append(out.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	}
	if len(path) > 0 {
		_, child, err := e.editLookup(m, name, path[0], false)
		if err != nil {
			return nil, err
		}
		if child != nil {
			if what, ok := e.opaque(child); ok {
				return nil, fmt.Errorf("%s.%s is computed by %s; edit it by hand", name, path[0], what)
			}
			if child.Kind != yaml.MappingNode && !isNull(child) {
				return nil, fmt.Errorf("%s.%s is not a mapping", name, path[0])
			}
		}
		nv, err := e.withChanges(child, name+"."+path[0], path[1:], kvs)
		if err != nil {
			return nil, err
		}
		set(path[0], nv)
		return out, nil
	}
	for _, kv := range kvs {
		if _, _, err := e.editLookup(m, name, kv.Key, !inPlace(kv.Value)); err != nil {
			return nil, err
		}
		switch v := kv.Value.(type) {
		case bool:
			set(kv.Key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)})
		case string:
			set(kv.Key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
		case [][]KV:
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for _, item := range v {
				nv, err := e.withChanges(nil, name+"."+kv.Key, nil, item)
				if err != nil {
					return nil, err
				}
				seq.Content = append(seq.Content, nv)
			}
			set(kv.Key, seq)
		case Item:
			_, child, err := e.editLookup(m, name, kv.Key, false)
			if err != nil {
				return nil, err
			}
			if child == nil {
				return nil, fmt.Errorf("%s has no %s to change", name, kv.Key)
			}
			nv, err := e.withItem(child, name+"."+kv.Key, v)
			if err != nil {
				return nil, err
			}
			set(kv.Key, nv)
		case []string:
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for _, s := range v {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
			}
			set(kv.Key, seq)
		case []KV:
			_, child, err := e.editLookup(m, name, kv.Key, false)
			if err != nil {
				return nil, err
			}
			if child != nil {
				if what, ok := e.opaque(child); ok {
					return nil, fmt.Errorf("%s.%s is computed by %s; edit it by hand", name, kv.Key, what)
				}
				if child.Kind != yaml.MappingNode && !isNull(child) {
					return nil, fmt.Errorf("%s.%s is not a mapping", name, kv.Key)
				}
			}
			nv, err := e.withChanges(child, name+"."+kv.Key, nil, v)
			if err != nil {
				return nil, err
			}
			set(kv.Key, nv)
		default:
			return nil, fmt.Errorf("unsupported value for %s", kv.Key)
		}
	}
	return out, nil
}

// rewriteEntry replaces the entry "key: old" with "key: nv" written in block style; children that
// were in flow style stay so.
func (e *Editor) rewriteEntry(key, old, nv *yaml.Node, unit int) error {
	off, ok := e.d.offset(key)
	if !ok || !e.d.linePrefixOK(off) {
		return fmt.Errorf("%s (line %d) is not laid out one key per line; edit it by hand", key.Value, key.Line)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(unit)
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: key.Tag, Value: key.Value, Style: key.Style}
	if err := enc.Encode(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{k, nv}}); err != nil {
		return fmt.Errorf("render %s: %w", key.Value, err)
	}
	_ = enc.Close()
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	ind := strings.Repeat(" ", key.Column-1)
	for i := 1; i < len(lines); i++ {
		lines[i] = ind + lines[i]
	}
	end := e.d.entryEnd(key, old)
	if old == nil {
		end = e.d.lineEnd(key.Line)
	}
	e.splices = append(e.splices, splice{off, end, strings.Join(lines, "\n")})
	return nil
}

// JSON

func (e *Editor) setJSON(m *yaml.Node, name string, path []string, kvs []KV) error {
	if what, ok := e.opaque(m); ok {
		return fmt.Errorf("%s is computed by %s; edit it by hand", name, what)
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return fmt.Errorf("%s is not an object", name)
	}
	if _, ok := e.d.spans[m]; !ok {
		return fmt.Errorf("%s has no position", name)
	}
	if len(path) > 0 {
		k, v := Lookup(m, path[0])
		switch {
		case k == nil:
			return e.insertMembers(m, []member{{path[0], nested(path[1:], kvs)}})
		case isNull(v):
			ind := e.d.indentOf(e.d.spans[k].start)
			e.splices = append(e.splices, splice{e.d.spans[v].start, e.d.spans[v].end, e.d.renderJSON(nested(path[1:], kvs), ind, e.d.Lines() > 1)})
			return nil
		}
		return e.setJSON(v, name+"."+path[0], path[1:], kvs)
	}
	var missing []member
	for _, kv := range kvs {
		k, v := Lookup(m, kv.Key)
		if k == nil {
			if _, ok := kv.Value.(Item); ok {
				return fmt.Errorf("%s has no %s to change", name, kv.Key)
			}
			missing = append(missing, member{kv.Key, kv.Value})
			continue
		}
		if sub, ok := kv.Value.([]KV); ok {
			if isNull(v) {
				ind := e.d.indentOf(e.d.spans[k].start)
				e.splices = append(e.splices, splice{e.d.spans[v].start, e.d.spans[v].end, e.d.renderJSON(sub, ind, e.d.Lines() > 1)})
				continue
			}
			if err := e.setJSON(v, name+"."+kv.Key, nil, sub); err != nil {
				return err
			}
			continue
		}
		if it, ok := kv.Value.(Item); ok {
			lname := name + "." + kv.Key
			if what, ok := e.opaque(v); ok {
				return fmt.Errorf("%s is computed by %s; edit it by hand", lname, what)
			}
			if v == nil || v.Kind != yaml.SequenceNode || it.Index < 0 || it.Index >= len(v.Content) {
				return fmt.Errorf("%s has no item %d", lname, it.Index)
			}
			if err := e.setJSON(v.Content[it.Index], fmt.Sprintf("%s[%d]", lname, it.Index), nil, it.KVs); err != nil {
				return err
			}
			continue
		}
		sp := e.d.spans[v]
		ind := e.d.indentOf(e.d.spans[k].start)
		pretty := e.d.LineOf(sp.start) != e.d.LineOf(sp.end-1) || (v.Kind != yaml.SequenceNode && e.d.multiline(m))
		e.splices = append(e.splices, splice{sp.start, sp.end, e.d.renderJSON(kv.Value, ind, pretty)})
	}
	if len(missing) > 0 {
		return e.insertMembers(m, missing)
	}
	return nil
}

type member struct {
	key   string
	value any
}

// object is a JSON object to render, members in order.
type object []member

func nested(path []string, kvs []KV) any {
	if len(path) > 0 {
		return object{{path[0], nested(path[1:], kvs)}}
	}
	var o object
	for _, kv := range kvs {
		o = append(o, member{kv.Key, kv.Value})
	}
	return o
}

func (d *Doc) multiline(m *yaml.Node) bool {
	sp := d.spans[m]
	return d.LineOf(sp.start) != d.LineOf(sp.end-1)
}

// indentOf returns the leading white space of the line holding off.
func (d *Doc) indentOf(off int) string {
	ls := d.lineStart[d.LineOf(off)-1]
	i := ls
	for i < len(d.data) && (d.data[i] == ' ' || d.data[i] == '\t') {
		i++
	}
	return string(d.data[ls:i])
}

// jsonUnit is the document's indentation step: the leading white space of its first indented line.
func (d *Doc) jsonUnit() string {
	for l := 1; l <= len(d.lineStart); l++ {
		text := d.lineText(l)
		trimmed := strings.TrimLeft(text, " \t")
		if trimmed != "" && len(trimmed) < len(text) {
			return text[:len(text)-len(trimmed)]
		}
	}
	return "  "
}

// insertMembers adds members at the end of object m, keeping commas and the author's layout.
func (e *Editor) insertMembers(m *yaml.Node, ms []member) error {
	sp := e.d.spans[m]
	if len(m.Content) == 0 {
		pretty := e.d.Lines() > 1
		e.splices = append(e.splices, splice{sp.start, sp.end, e.d.renderJSON(object(ms), e.d.indentOf(sp.start), pretty)})
		return nil
	}
	firstKey := e.d.spans[m.Content[0]].start
	last := e.d.spans[m.Content[len(m.Content)-1]].end
	var b strings.Builder
	if e.d.LineOf(firstKey) > e.d.LineOf(sp.start) {
		ind := e.d.indentOf(firstKey)
		for _, mb := range ms {
			b.WriteString(",\n" + ind + jsonString(mb.key) + ": " + e.d.renderJSON(mb.value, ind, true))
		}
	} else {
		for _, mb := range ms {
			b.WriteString(", " + jsonString(mb.key) + ": " + e.d.renderJSON(mb.value, "", false))
		}
	}
	e.splices = append(e.splices, splice{last, last, b.String()})
	return nil
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// renderJSON writes v (bool, string, []string, []KV, [][]KV or object) as JSON; ind is the indentation
// of the line the value starts on, used when pretty.
func (d *Doc) renderJSON(v any, ind string, pretty bool) string {
	unit := d.jsonUnit()
	switch v := v.(type) {
	case bool:
		return fmt.Sprint(v)
	case string:
		return jsonString(v)
	case [][]KV:
		if len(v) == 0 {
			return "[]"
		}
		items := make([]string, len(v))
		for i, m := range v {
			items[i] = d.renderJSON(m, ind+unit, pretty)
		}
		if !pretty {
			return "[" + strings.Join(items, ", ") + "]"
		}
		return "[\n" + ind + unit + strings.Join(items, ",\n"+ind+unit) + "\n" + ind + "]"
	case []string:
		if len(v) == 0 {
			return "[]"
		}
		items := make([]string, len(v))
		for i, s := range v {
			items[i] = jsonString(s)
		}
		if !pretty {
			return "[" + strings.Join(items, ", ") + "]"
		}
		return "[\n" + ind + unit + strings.Join(items, ",\n"+ind+unit) + "\n" + ind + "]"
	case []KV:
		var o object
		for _, kv := range v {
			o = append(o, member{kv.Key, kv.Value})
		}
		return d.renderJSON(o, ind, pretty)
	case object:
		if len(v) == 0 {
			return "{}"
		}
		items := make([]string, len(v))
		for i, mb := range v {
			items[i] = jsonString(mb.key) + ": " + d.renderJSON(mb.value, ind+unit, pretty)
		}
		if !pretty {
			return "{" + strings.Join(items, ", ") + "}"
		}
		return "{\n" + ind + unit + strings.Join(items, ",\n"+ind+unit) + "\n" + ind + "}"
	}
	return "null"
}

// Edits turns the collected changes into whole-line edits for file (as reported) at path (on disk):
// changes on neighbouring lines merge, and lines that come out unchanged are left out.
func (e *Editor) Edits(file, path string) ([]finding.Edit, error) {
	sp := append([]splice(nil), e.splices...)
	sort.SliceStable(sp, func(i, j int) bool { return sp[i].start < sp[j].start })
	for i := 1; i < len(sp); i++ {
		if sp[i].start < sp[i-1].end {
			return nil, fmt.Errorf("overlapping changes at line %d", e.d.LineOf(sp[i].start))
		}
	}
	var edits []finding.Edit
	for i := 0; i < len(sp); {
		first := e.d.LineOf(sp[i].start)
		last := e.d.LineOf(max(sp[i].start, sp[i].end-1))
		j := i + 1
		for j < len(sp) && e.d.LineOf(sp[j].start) <= last+1 {
			last = max(last, e.d.LineOf(max(sp[j].start, sp[j].end-1)))
			j++
		}
		from, to := e.d.lineStart[first-1], e.d.lineEnd(last)
		var b strings.Builder
		pos := from
		for _, s := range sp[i:j] {
			b.Write(e.d.data[pos:s.start])
			b.WriteString(s.text)
			pos = s.end
		}
		if pos < to {
			b.Write(e.d.data[pos:to])
		}
		oldLines := splitLines(string(e.d.data[from:to]))
		newLines := splitLines(b.String())
		p := 0
		for p < len(oldLines) && p < len(newLines) && oldLines[p] == newLines[p] {
			p++
		}
		q := 0
		for q < len(oldLines)-p && q < len(newLines)-p && oldLines[len(oldLines)-1-q] == newLines[len(newLines)-1-q] {
			q++
		}
		if ins := newLines[p : len(newLines)-q]; len(ins) > 0 || len(oldLines)-p-q > 0 {
			edits = append(edits, finding.Edit{File: file, Path: path, Line: first + p, Remove: len(oldLines) - p - q, Insert: append([]string{}, ins...)})
		}
		i = j
	}
	return edits, nil
}

func splitLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
