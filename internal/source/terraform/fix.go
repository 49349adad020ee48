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
	s.res.Resources = append(s.res.Resources, iac.Resource{
		Cluster: c,
		Fix:     func(want model.Settings) (*finding.Fix, error) { return planFix(d, want) },
	})
}

// change is one setting a fix writes.
type change struct {
	f         *field
	hcl, json string
	words     string
}

// planFix writes the settings into the declared cluster, each where it is set (or in the block that
// would hold it).
func planFix(d *declared, want model.Settings) (*finding.Fix, error) {
	if d.noFix != "" {
		return nil, errors.New(d.noFix)
	}
	var changes []change
	setBool := func(f *field, v bool) {
		s := strconv.FormatBool(v)
		changes = append(changes, change{f: f, hcl: s, json: s, words: f.name + " = " + s})
	}
	for _, fl := range want.Fields() {
		switch fl {
		case model.FieldEndpointPrivateAccess:
			setBool(&d.private, *want.EndpointPrivateAccess)
		case model.FieldEndpointPublicAccess:
			setBool(&d.public, *want.EndpointPublicAccess)
		case model.FieldPublicAccessCIDRs:
			hv, jv := hclList(want.PublicAccessCIDRs), jsonList(want.PublicAccessCIDRs)
			changes = append(changes, change{f: &d.cidrs, hcl: hv, json: jv, words: d.cidrs.name + " = " + hv})
		default:
			return nil, &iac.FieldError{Field: fl, Reason: fmt.Sprintf("%s: eksguard does not write %s in Terraform yet", d.addr, fl)}
		}
	}
	fix := &finding.Fix{Edits: []finding.Edit{}}
	if len(changes) == 0 {
		fix.Description = d.addr + " already has the target settings"
		return fix, nil
	}
	ed := newEditor()
	var words []string
	for _, ch := range changes {
		if ch.f.noFix != "" {
			return nil, errors.New(ch.f.noFix)
		}
		if ch.f.file == nil || (ch.f.attr == nil && ch.f.block == nil) {
			return nil, fmt.Errorf("%s: no place to write %s", d.addr, ch.f.name)
		}
		if err := ed.set(ch.f, ch.hcl, ch.json); err != nil {
			return nil, err
		}
		words = append(words, ch.words)
	}
	edits, err := ed.edits()
	if err != nil {
		return nil, err
	}
	fix.Edits = edits
	fix.Description = fmt.Sprintf("set %s for %s", strings.Join(words, ", "), d.addr)
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
		q := strconv.Quote(s)
		q = strings.ReplaceAll(q, "${", "$${")
		parts[i] = strings.ReplaceAll(q, "%{", "%%{")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func jsonList(v []string) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// rep replaces data[start:end] with text.
type rep struct {
	start, end int
	text       string
}

type insertion struct {
	name, hcl, json string
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
	e.inserts[k] = append(e.inserts[k], insertion{f.name, hclVal, jsonVal})
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

// hclInsert adds arguments to a native-syntax block: on new lines after the opening brace (after
// source and version in a module block), indented like the block's first argument, or by opening up
// a one-line block.
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
	var lines []string
	for _, in := range ins {
		lines = append(lines, in.name+" = "+in.hcl)
	}
	if sb.OpenBraceRange.Start.Line != sb.CloseBraceRange.Start.Line {
		if first >= 0 && lineStart(f.data, first) > open {
			indent = indentOf(f.data, first)
		}
		anchor := open
		if b.Type == "module" {
			// Arguments go after source and version, which Terraform style keeps first.
			for _, n := range []string{"source", "version"} {
				if a := body.Attributes[n]; a != nil && a.SrcRange.End.Byte > anchor &&
					strings.TrimSpace(string(f.data[a.SrcRange.End.Byte:lineEnd(f.data, a.SrcRange.End.Byte)])) == "" {
					anchor = a.SrcRange.End.Byte
				}
			}
		}
		at := lineEnd(f.data, anchor)
		if at >= len(f.data) {
			return nil, fmt.Errorf("%s:%d: cannot locate the end of the block's first line", f.name, b.DefRange.Start.Line)
		}
		var sb strings.Builder
		for _, l := range lines {
			sb.WriteString(indent + l + "\n")
		}
		return []rep{{at + 1, at + 1, sb.String()}}, nil
	}
	// One-line block: `vpc_config { subnet_ids = [...] }` becomes a block over several lines.
	inner := strings.TrimSpace(string(f.data[open+1 : end]))
	var out strings.Builder
	out.WriteString("\n")
	if inner != "" {
		out.WriteString(indent + inner + "\n")
	}
	for _, l := range lines {
		out.WriteString(indent + l + "\n")
	}
	out.WriteString(outer)
	return []rep{{open + 1, end, out.String()}}, nil
}

// jsonInsert adds properties to a JSON block object, after its opening brace.
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
	props := make([]string, len(ins))
	for i, in := range ins {
		k, _ := json.Marshal(in.name)
		props[i] = string(k) + ": " + in.json
	}
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
