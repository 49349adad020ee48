package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

func (s *scanner) add(c *model.Cluster, d *declared) {
	// A value the calling module passes in is decided by the caller's argument: the verdict points
	// there, so each caller of a shared module gets its own line. A module's default stays where it is.
	for _, v := range []struct {
		f   *field
		loc **model.Location
	}{
		{&d.public, &c.EndpointPublicAccess.Loc}, {&d.private, &c.EndpointPrivateAccess.Loc}, {&d.cidrs, &c.PublicAccessCIDRs.Loc},
		{&d.logs, &c.EnabledLogTypes.Loc}, {&d.auth, &c.AuthenticationMode.Loc}, {&d.key, &c.SecretsKeyARN.Loc},
	} {
		if v.f.passed && v.f.attr != nil {
			*v.loc = attrLoc(v.f.attr)
		}
	}
	s.res.Resources = append(s.res.Resources, iac.Resource{
		Cluster: c,
		Fix:     func(want model.Settings) (*finding.Fix, error) { return planFix(d, want) },
	})
}

// name is the cluster's address as reported (a Terragrunt root renames it after evaluation).
func (d *declared) name() string {
	if d.cluster != nil && d.cluster.Name != "" {
		return d.cluster.Name
	}
	return d.addr
}

// change is one argument a fix writes, for the setting fl.
type change struct {
	f         *field
	fl        model.Field
	hcl, json string
}

// writeOrder is the order a fix writes fields in: private access is turned on before public access
// is touched, as eksguard fix does.
var writeOrder = []model.Field{
	model.FieldEndpointPrivateAccess, model.FieldEndpointPublicAccess, model.FieldPublicAccessCIDRs,
	model.FieldEnabledLogTypes, model.FieldAuthenticationMode, model.FieldSecretsKeyARN,
}

// endpointField reports whether a field is one of the endpoint settings, which are written together:
// when one of them cannot be written, no edit is proposed at all, as before the other fields existed.
func endpointField(fl model.Field) bool {
	return fl == model.FieldEndpointPublicAccess || fl == model.FieldEndpointPrivateAccess || fl == model.FieldPublicAccessCIDRs
}

// planFix writes the settings into the declared cluster, each where it is set (or in the block that
// would hold it).
func planFix(d *declared, want model.Settings) (*finding.Fix, error) {
	if d.noFix != "" {
		return nil, errors.New(d.noFix)
	}
	asked := map[model.Field]bool{}
	for _, fl := range want.Fields() {
		asked[fl] = true
	}
	var changes []change
	for _, fl := range writeOrder {
		if !asked[fl] {
			continue
		}
		delete(asked, fl)
		switch fl {
		case model.FieldEndpointPrivateAccess:
			v := strconv.FormatBool(*want.EndpointPrivateAccess)
			changes = append(changes, change{f: &d.private, fl: fl, hcl: v, json: v})
		case model.FieldEndpointPublicAccess:
			v := strconv.FormatBool(*want.EndpointPublicAccess)
			changes = append(changes, change{f: &d.public, fl: fl, hcl: v, json: v})
		case model.FieldPublicAccessCIDRs:
			changes = append(changes, change{f: &d.cidrs, fl: fl, hcl: hclList(want.PublicAccessCIDRs), json: jsonList(want.PublicAccessCIDRs)})
		case model.FieldEnabledLogTypes:
			changes = append(changes, change{f: &d.logs, fl: fl, hcl: hclList(want.EnabledLogTypes), json: jsonList(want.EnabledLogTypes)})
		case model.FieldAuthenticationMode:
			changes = append(changes, change{f: &d.auth, fl: fl, hcl: hclString(*want.AuthenticationMode), json: jsonString(*want.AuthenticationMode)})
		case model.FieldSecretsKeyARN:
			if d.key.noFix != "" {
				return nil, &iac.FieldError{Field: fl, Reason: d.key.noFix}
			}
			if d.keyChanges == nil {
				return nil, &iac.FieldError{Field: fl, Reason: fmt.Sprintf("%s: no place to write the KMS key of secrets", d.name())}
			}
			changes = append(changes, d.keyChanges(*want.SecretsKeyARN)...)
		}
	}
	for fl := range asked {
		return nil, &iac.FieldError{Field: fl, Reason: fmt.Sprintf("%s: eksguard does not write %s in Terraform", d.name(), fl)}
	}
	fix := &finding.Fix{Edits: []finding.Edit{}}
	if len(changes) == 0 {
		fix.Description = d.name() + " already has the target settings"
		return fix, nil
	}
	ed := newEditor()
	var words []string
	for _, ch := range changes {
		why := ch.f.noFix
		if why == "" && (ch.f.file == nil || (ch.f.attr == nil && ch.f.block == nil)) {
			why = fmt.Sprintf("%s: no place to write %s", d.name(), ch.f.words())
		}
		if why != "" {
			if endpointField(ch.fl) {
				return nil, errors.New(why)
			}
			return nil, &iac.FieldError{Field: ch.fl, Reason: why}
		}
		if err := ed.set(ch.f, ch.hcl, ch.json); err != nil {
			return nil, err
		}
		words = append(words, ch.f.words()+" = "+ch.hcl)
	}
	edits, err := ed.edits()
	if err != nil {
		return nil, err
	}
	fix.Edits = edits
	fix.Description = fmt.Sprintf("set %s for %s", strings.Join(words, ", "), d.name())
	return fix, nil
}

func sameCIDRs(a, b []string) bool {
	norm := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			if p, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil {
				s = p.Masked().String()
			}
			m[s] = true
		}
		return m
	}
	na, nb := norm(a), norm(b)
	if len(na) != len(nb) {
		return false
	}
	for k := range na {
		if !nb[k] {
			return false
		}
	}
	return true
}

func hclList(v []string) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = hclString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func jsonList(v []string) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = jsonString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// hclString writes a string literal that HCL reads back as the same text: no template sequences.
func hclString(v string) string {
	q := strings.ReplaceAll(strconv.Quote(v), "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// jsonString writes a string for .tf.json, where strings are templates too.
func jsonString(v string) string {
	v = strings.ReplaceAll(strings.ReplaceAll(v, "${", "$${"), "%{", "%%{")
	b, _ := json.Marshal(v)
	return string(b)
}

// rep replaces data[start:end] with text.
type rep struct {
	start, end int
	text       string
}

// insertion is an argument to add to a block, inside the nested blocks nest (opened by the edit).
type insertion struct {
	name, hcl, json string
	nest            []string
}

// insertTree is what an edit adds to one block: arguments, then nested blocks with their own.
type insertTree struct {
	name  string
	attrs []insertion
	kids  []*insertTree
}

func buildTree(ins []insertion) *insertTree {
	root := &insertTree{}
	for _, in := range ins {
		n := root
		for _, b := range in.nest {
			var next *insertTree
			for _, k := range n.kids {
				if k.name == b {
					next = k
				}
			}
			if next == nil {
				next = &insertTree{name: b}
				n.kids = append(n.kids, next)
			}
			n = next
		}
		n.attrs = append(n.attrs, in)
	}
	return root
}

// hclLines writes a tree's nested blocks in native syntax, each line indented from indent by step.
// Arguments are aligned on their equals signs, as terraform fmt aligns consecutive arguments.
func (t *insertTree) hclLines(indent, step string) []string {
	var out []string
	width := 0
	for _, a := range t.attrs {
		width = max(width, len(a.name))
	}
	for _, a := range t.attrs {
		out = append(out, indent+a.name+strings.Repeat(" ", width-len(a.name))+" = "+a.hcl)
	}
	for _, k := range t.kids {
		out = append(out, indent+k.name+" {")
		out = append(out, k.hclLines(indent+step, step)...)
		out = append(out, indent+"}")
	}
	return out
}

// jsonProps writes a tree as JSON properties, nested blocks as objects.
func (t *insertTree) jsonProps() []string {
	var out []string
	for _, a := range t.attrs {
		k, _ := json.Marshal(a.name)
		out = append(out, string(k)+": "+a.json)
	}
	for _, c := range t.kids {
		k, _ := json.Marshal(c.name)
		out = append(out, string(k)+": {"+strings.Join(c.jsonProps(), ", ")+"}")
	}
	return out
}

type blockKey struct {
	file  string
	start int
}

// editor collects the replacements of one fix, file by file, and turns them into line edits.
type editor struct {
	files   map[string]*srcFile
	reps    map[string][]rep
	inserts map[blockKey][]insertion
	blocks  map[blockKey]*field
	order   []blockKey
}

func newEditor() *editor {
	return &editor{files: map[string]*srcFile{}, reps: map[string][]rep{}, inserts: map[blockKey][]insertion{}, blocks: map[blockKey]*field{}}
}

func (e *editor) set(f *field, hclVal, jsonVal string) error {
	if f.file == nil || f.file.path == "" {
		where := "a file eksguard did not read from disk"
		if f.file != nil {
			where = f.file.name
		}
		return fmt.Errorf("%s is set inside %s; set it through the module call's arguments by hand", f.name, where)
	}
	e.files[f.file.name] = f.file
	if f.attr != nil {
		r := f.attr.Expr.Range()
		if r.Start.Byte < 0 || r.End.Byte > len(f.file.data) || r.Start.Byte > r.End.Byte {
			return fmt.Errorf("%s:%d: cannot locate %s", f.file.name, f.attr.Range.Start.Line, f.name)
		}
		text := hclVal
		if f.file.json {
			text = jsonVal
		}
		e.reps[f.file.name] = append(e.reps[f.file.name], rep{r.Start.Byte, r.End.Byte, text})
		return nil
	}
	k := blockKey{f.file.name, f.block.DefRange.Start.Byte}
	if _, ok := e.inserts[k]; !ok {
		e.order = append(e.order, k)
		e.blocks[k] = f
	}
	e.inserts[k] = append(e.inserts[k], insertion{f.name, hclVal, jsonVal, f.nest})
	return nil
}

func (e *editor) edits() ([]finding.Edit, error) {
	for _, k := range e.order {
		f := e.blocks[k]
		var r []rep
		var err error
		if f.file.json {
			r, err = jsonInsert(f.file, f.block, e.inserts[k])
		} else {
			r, err = hclInsert(f.file, f.block, e.inserts[k])
		}
		if err != nil {
			return nil, err
		}
		e.reps[f.file.name] = append(e.reps[f.file.name], r...)
	}
	names := make([]string, 0, len(e.reps))
	for n := range e.reps {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []finding.Edit
	for _, n := range names {
		f := e.files[n]
		edits, err := lineEdits(f.data, e.reps[n])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		edits = fmtAligned(f, edits)
		for i := range edits {
			edits[i].File, edits[i].Path = f.name, f.path
		}
		out = append(out, edits...)
	}
	return out, nil
}

// lineStart returns the offset of the start of the line holding offset off.
func lineStart(data []byte, off int) int {
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

// lineEnd returns the offset of the newline ending the line holding off (or len(data)).
func lineEnd(data []byte, off int) int {
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(data)
}

func indentOf(data []byte, off int) string {
	ls := lineStart(data, off)
	i := ls
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return string(data[ls:i])
}

func innerIndent(outer string) string {
	if strings.HasPrefix(outer, "\t") {
		return outer + "\t"
	}
	return outer + "  "
}

// syntaxBlock finds the native-syntax block behind a decoded block, for its brace positions.
func syntaxBlock(f *srcFile, b *hcl.Block) *hclsyntax.Block {
	body, ok := f.body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var found *hclsyntax.Block
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if sb, ok := n.(*hclsyntax.Block); ok && found == nil && sb.TypeRange.Start.Byte == b.TypeRange.Start.Byte {
			found = sb
		}
		return nil
	})
	return found
}

// hclInsert adds arguments and nested blocks to a native-syntax block. Arguments go on new lines
// after the opening brace (after source and version in a module block, after count, for_each and
// provider in a resource), indented like the block's first argument; nested blocks go last, before
// the closing brace, after a blank line. A one-line block is opened up.
func hclInsert(f *srcFile, b *hcl.Block, ins []insertion) ([]rep, error) {
	sb := syntaxBlock(f, b)
	if sb == nil || sb.Body == nil {
		return nil, fmt.Errorf("%s:%d: cannot edit this block", f.name, b.DefRange.Start.Line)
	}
	open, end := sb.OpenBraceRange.Start.Byte, sb.CloseBraceRange.Start.Byte
	if open < 0 || end >= len(f.data) || open >= end || f.data[open] != '{' || f.data[end] != '}' {
		return nil, fmt.Errorf("%s:%d: cannot locate the braces of the block", f.name, b.DefRange.Start.Line)
	}
	body := sb.Body
	outer := indentOf(f.data, sb.TypeRange.Start.Byte)
	indent := innerIndent(outer)
	first := -1
	for _, a := range body.Attributes {
		if first < 0 || a.SrcRange.Start.Byte < first {
			first = a.SrcRange.Start.Byte
		}
	}
	for _, blk := range body.Blocks {
		if first < 0 || blk.TypeRange.Start.Byte < first {
			first = blk.TypeRange.Start.Byte
		}
	}
	tree := buildTree(ins)
	if sb.OpenBraceRange.Start.Line != sb.CloseBraceRange.Start.Line {
		if first >= 0 && lineStart(f.data, first) > open {
			indent = indentOf(f.data, first)
		}
		step := indentStep(indent, outer)
		var out []rep
		if len(tree.attrs) > 0 {
			anchor := open
			var after []*hclsyntax.Attribute
			switch b.Type {
			case "module":
				// Arguments go after source and version, which Terraform style keeps first.
				for _, n := range []string{"source", "version"} {
					if a := body.Attributes[n]; a != nil {
						after = append(after, a)
					}
				}
			case "resource":
				// A resource's arguments go after those it has, before its nested blocks.
				firstBlock := end
				for _, blk := range body.Blocks {
					firstBlock = min(firstBlock, blk.TypeRange.Start.Byte)
				}
				for _, a := range body.Attributes {
					if a.SrcRange.End.Byte < firstBlock {
						after = append(after, a)
					}
				}
			}
			for _, a := range after {
				if a.SrcRange.End.Byte > anchor &&
					strings.TrimSpace(string(f.data[a.SrcRange.End.Byte:lineEnd(f.data, a.SrcRange.End.Byte)])) == "" {
					anchor = a.SrcRange.End.Byte
				}
			}
			at := lineEnd(f.data, anchor)
			if at >= len(f.data) {
				return nil, fmt.Errorf("%s:%d: cannot locate the end of the block's first line", f.name, b.DefRange.Start.Line)
			}
			attrsOnly := &insertTree{attrs: tree.attrs}
			text := joinLines(attrsOnly.hclLines(indent, step))
			// A blank line on each side that meets another argument keeps the new arguments out of
			// their neighbours' alignment group, so the file stays as terraform fmt writes it.
			if anchor != open {
				text = "\n" + text
			}
			if next := strings.TrimSpace(string(f.data[at+1 : lineEnd(f.data, at+1)])); next != "" && !strings.HasPrefix(next, "}") {
				text += "\n"
			}
			out = append(out, rep{at + 1, at + 1, text})
		}
		if len(tree.kids) > 0 {
			var lines []string
			for i, k := range tree.kids {
				if i > 0 {
					lines = append(lines, "")
				}
				lines = append(lines, (&insertTree{kids: []*insertTree{k}}).hclLines(indent, step)...)
			}
			ls := lineStart(f.data, end)
			if strings.TrimSpace(string(f.data[ls:end])) != "" {
				// Something precedes the closing brace on its line: open a line for the blocks.
				out = append(out, rep{end, end, "\n" + joinLines(lines) + outer})
			} else {
				prev := lineStart(f.data, max(ls-1, 0))
				if ls > 0 && strings.TrimSpace(string(f.data[prev:ls])) != "" && prev > lineStart(f.data, open) {
					lines = append([]string{""}, lines...)
				}
				out = append(out, rep{ls, ls, joinLines(lines)})
			}
		}
		return out, nil
	}
	// One-line block: `vpc_config { subnet_ids = [...] }` becomes a block over several lines.
	inner := strings.TrimSpace(string(f.data[open+1 : end]))
	var out strings.Builder
	out.WriteString("\n")
	if inner != "" {
		out.WriteString(indent + inner + "\n")
	}
	out.WriteString(joinLines(tree.hclLines(indent, indentStep(indent, outer))))
	out.WriteString(outer)
	return []rep{{open + 1, end, out.String()}}, nil
}

// indentStep is one level of indentation, as the file writes it.
func indentStep(inner, outer string) string {
	if step, ok := strings.CutPrefix(inner, outer); ok && step != "" {
		return step
	}
	if strings.HasPrefix(inner, "\t") {
		return "\t"
	}
	return "  "
}

// joinLines ends every line with a newline.
func joinLines(lines []string) string {
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(l + "\n")
	}
	return sb.String()
}

// jsonInsert adds properties (nested blocks as objects) to a JSON block object, after its opening
// brace.
func jsonInsert(f *srcFile, b *hcl.Block, ins []insertion) ([]rep, error) {
	data := f.data
	open := b.DefRange.Start.Byte
	if open < 0 || open >= len(data) {
		return nil, fmt.Errorf("%s:%d: cannot locate the block object", f.name, b.DefRange.Start.Line)
	}
	if data[open] == '[' {
		i := skipSpace(data, open+1)
		if i >= len(data) || data[i] != '{' {
			return nil, fmt.Errorf("%s:%d: cannot locate the block object", f.name, b.DefRange.Start.Line)
		}
		if j := skipSpace(data, closingOf(data, i)+1); j < len(data) && data[j] == ',' {
			return nil, fmt.Errorf("%s:%d: the block is given as a list of several objects; edit it by hand", f.name, b.DefRange.Start.Line)
		}
		open = i
	}
	if data[open] != '{' {
		return nil, fmt.Errorf("%s:%d: cannot locate the block object", f.name, b.DefRange.Start.Line)
	}
	next := skipSpace(data, open+1)
	if next >= len(data) {
		return nil, fmt.Errorf("%s:%d: unterminated object", f.name, b.DefRange.Start.Line)
	}
	empty := data[next] == '}'
	props := buildTree(ins).jsonProps()
	pretty := bytes.IndexByte(data[open:next], '\n') >= 0 && strings.TrimSpace(string(data[open+1:lineEnd(data, open)])) == ""
	if !pretty {
		text := strings.Join(props, ", ")
		if !empty {
			text += ", "
		}
		return []rep{{open + 1, open + 1, text}}, nil
	}
	indent := innerIndent(indentOf(data, open))
	if !empty {
		indent = indentOf(data, next)
	}
	var sb strings.Builder
	for i, p := range props {
		sb.WriteString(indent + p)
		if i < len(props)-1 || !empty {
			sb.WriteString(",")
		}
		sb.WriteString("\n")
	}
	at := lineEnd(data, open) + 1
	return []rep{{at, at, sb.String()}}, nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// closingOf returns the offset of the brace or bracket closing the one at open, skipping strings.
func closingOf(data []byte, open int) int {
	depth := 0
	inStr := false
	for i := open; i < len(data); i++ {
		c := data[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(data) - 1
}

// lineEdits turns byte replacements into whole-line edits. Replacements touching the same lines
// become one edit; a pure insertion of whole lines stays an insertion (Remove 0).
func lineEdits(data []byte, reps []rep) ([]finding.Edit, error) {
	sort.SliceStable(reps, func(i, j int) bool { return reps[i].start < reps[j].start })
	for i := 1; i < len(reps); i++ {
		if reps[i].start < reps[i-1].end {
			return nil, errors.New("overlapping edits")
		}
	}
	lineOf := func(off int) int { return bytes.Count(data[:off], []byte{'\n'}) + 1 }
	isLineInsert := func(r rep) bool {
		return r.start == r.end && lineStart(data, min(r.start, len(data))) == r.start && strings.HasSuffix(r.text, "\n")
	}
	type group struct {
		first, last int // lines, inclusive; last < first for a pure insertion
		reps        []rep
	}
	var groups []*group
	for _, r := range reps {
		var g *group
		if isLineInsert(r) {
			l := lineOf(r.start)
			g = &group{first: l, last: l - 1, reps: []rep{r}}
		} else {
			end := r.end
			if end > r.start && data[end-1] == '\n' {
				end--
			}
			g = &group{first: lineOf(r.start), last: lineOf(end), reps: []rep{r}}
		}
		if n := len(groups); n > 0 {
			p := groups[n-1]
			// Merge with the previous group when the lines meet: an insertion before a line that is
			// also replaced, or two replacements on one line.
			if g.first <= p.last || (p.last < p.first && g.first == p.first) || (g.last < g.first && g.first <= p.last) {
				p.reps = append(p.reps, g.reps...)
				if g.last > p.last {
					p.last = g.last
				}
				continue
			}
		}
		groups = append(groups, g)
	}
	lineOff := func(line int) int {
		off := 0
		for l := 1; l < line; l++ {
			i := bytes.IndexByte(data[off:], '\n')
			if i < 0 {
				return len(data)
			}
			off += i + 1
		}
		return off
	}
	var out []finding.Edit
	for _, g := range groups {
		if g.last < g.first {
			var text string
			for _, r := range g.reps {
				text += r.text
			}
			out = append(out, finding.Edit{Line: g.first, Remove: 0, Insert: splitLines(strings.TrimSuffix(text, "\n"))})
			continue
		}
		from := lineOff(g.first)
		to := lineEnd(data, lineOff(g.last))
		var sb strings.Builder
		pos := from
		for _, r := range g.reps {
			if r.start < pos || r.end > to+1 {
				return nil, errors.New("edit outside its lines")
			}
			sb.Write(data[pos:r.start])
			sb.WriteString(r.text)
			pos = r.end
		}
		if pos < to {
			sb.Write(data[pos:to])
		}
		text := sb.String()
		if pos > to {
			// A replacement ran up to the newline: keep the line structure.
			text = strings.TrimSuffix(text, "\n")
		}
		out = append(out, finding.Edit{Line: g.first, Remove: g.last - g.first + 1, Insert: splitLines(text)})
	}
	return out, nil
}

func splitLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
