package terraform

import (
	"bytes"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksguard/eksguard/internal/finding"
)

// fmtAligned keeps a file that terraform fmt leaves alone that way after a fix: it formats the edited
// text, puts the formatting of new lines into the edits, and adds an edit for each untouched line
// that fmt realigns because a new or shortened argument joined its group (fmt aligns the equals
// signs of consecutive one-line arguments). Text fmt would change already is edited as it is.
//
// Only the lines around each edit are formatted: the run of non-blank lines indented at least as
// deep as the edit, which holds every argument fmt could align with it (a group ends at a blank
// line, and at a line without an argument such as a block's closing brace). Formatting a whole file,
// or even a whole block, for each fix would cost more than the rest of the fix.
func fmtAligned(f *srcFile, edits []finding.Edit) []finding.Edit {
	if f.json || len(edits) == 0 {
		return edits
	}
	lines := fileLines(f.data)
	sorted := append([]finding.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Line < sorted[j].Line })
	// Each edit's run of lines, [first, last] in the original, merged where runs meet.
	type run struct {
		first, last int
		indent      string
		edits       []finding.Edit
	}
	var runs []*run
	for _, e := range sorted {
		ind, ok := editIndent(e, lines)
		if !ok {
			return edits
		}
		first, last := e.Line, e.Line+e.Remove-1 // an insertion has last = first-1
		for first > 1 && deepEnough(lines[first-2], ind) {
			first--
		}
		for last < len(lines) && deepEnough(lines[last], ind) {
			last++
		}
		if n := len(runs); n > 0 && first <= runs[n-1].last+1 {
			r := runs[n-1]
			r.last = max(r.last, last)
			if len(ind) < len(r.indent) {
				r.indent = ind
			}
			r.edits = append(r.edits, e)
			continue
		}
		runs = append(runs, &run{first: first, last: last, indent: ind, edits: []finding.Edit{e}})
	}
	var out []finding.Edit
	for _, r := range runs {
		text, ok := dedent(lines[r.first-1:r.last], r.indent)
		if !ok {
			out = append(out, r.edits...)
			continue
		}
		var in []finding.Edit
		for _, e := range r.edits {
			ins, ok := dedent(e.Insert, r.indent)
			if !ok {
				in = nil
				break
			}
			in = append(in, finding.Edit{Line: e.Line - r.first + 1, Remove: e.Remove, Insert: ins})
		}
		if in == nil {
			out = append(out, r.edits...)
			continue
		}
		for _, e := range fmtAlignedText([]byte(strings.Join(text, "\n")+"\n"), in) {
			e.Line += r.first - 1
			for i, l := range e.Insert {
				if l != "" {
					e.Insert[i] = r.indent + l
				}
			}
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// editIndent is the indentation of the arguments an edit writes: that of its first non-blank new
// line, or, for an edit that only removes lines, of the first line removed.
func editIndent(e finding.Edit, lines []string) (string, bool) {
	for _, l := range e.Insert {
		if strings.TrimSpace(l) != "" {
			return l[:len(l)-len(strings.TrimLeft(l, " \t"))], true
		}
	}
	if e.Remove > 0 && e.Line >= 1 && e.Line <= len(lines) {
		l := lines[e.Line-1]
		return l[:len(l)-len(strings.TrimLeft(l, " \t"))], true
	}
	return "", false
}

// deepEnough reports whether a line belongs to the run of an edit indented by ind: not blank, and
// indented at least as deep.
func deepEnough(line, ind string) bool {
	return strings.TrimSpace(line) != "" && strings.HasPrefix(line, ind)
}

// dedent removes ind from the start of every non-blank line; false when a line lacks it.
func dedent(lines []string, ind string) ([]string, bool) {
	out := make([]string, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			out[i] = ""
			continue
		}
		rest, ok := strings.CutPrefix(l, ind)
		if !ok {
			return nil, false
		}
		out[i] = rest
	}
	return out, true
}

// fmtAlignedText is fmtAligned for a text formatted as a whole: a run of lines at the top level.
//
// Most fixes add or replace plain one-line arguments among others: alignArguments aligns those
// itself. Anything else (comments, interpolations, nested edits) goes through hclwrite.Format, which
// is exact but allocates a few kilobytes per token.
func fmtAlignedText(data []byte, edits []finding.Edit) []finding.Edit {
	orig := fileLines(data)
	sorted := append([]finding.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Line < sorted[j].Line })
	// origin[j] is the original line (1-based) of edited line j, or -(k+1) for line of edit k.
	var edited []string
	var origin []int
	next := 1
	for k, e := range sorted {
		sorted[k].Insert = append([]string(nil), e.Insert...)
		for ; next < e.Line && next <= len(orig); next++ {
			edited, origin = append(edited, orig[next-1]), append(origin, next)
		}
		for range e.Insert {
			origin = append(origin, -(k + 1))
		}
		edited = append(edited, e.Insert...)
		next = e.Line + e.Remove
	}
	for ; next <= len(orig); next++ {
		edited, origin = append(edited, orig[next-1]), append(origin, next)
	}
	formatted, clean, ok := alignArguments(orig, edited, sorted)
	if !ok {
		if !bytes.Equal(hclwrite.Format(data), data) {
			return edits
		}
		text := strings.Join(edited, "\n")
		if bytes.HasSuffix(data, []byte("\n")) {
			text += "\n"
		}
		formatted, clean = fileLines(hclwrite.Format([]byte(text))), true
	}
	if !clean || len(formatted) != len(edited) {
		return edits
	}
	pos := map[int]int{} // the next line of each edit's Insert to compare
	out := sorted
	for j, line := range formatted {
		o := origin[j]
		if o < 0 {
			k := -o - 1
			out[k].Insert[pos[k]] = line
			pos[k]++
			continue
		}
		if line != edited[j] {
			out = append(out, finding.Edit{Line: o, Remove: 1, Insert: []string{line}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Remove < out[j].Remove // an insertion before a line goes before its replacement
	})
	// Edits that meet become one hunk (and no two edits start at the same line).
	merged := out[:1]
	for _, e := range out[1:] {
		p := &merged[len(merged)-1]
		if e.Line == p.Line+p.Remove {
			p.Remove += e.Remove
			p.Insert = append(p.Insert, e.Insert...)
			continue
		}
		merged = append(merged, e)
	}
	return merged
}

// fileLines splits a file into lines as finding.ApplyEdits does: no line for the final newline.
func fileLines(data []byte) []string {
	body := strings.TrimSuffix(string(data), "\n")
	if body == "" && len(data) > 0 {
		return nil
	}
	return strings.Split(body, "\n")
}

// argLine is a line of a run as alignArguments sees it.
type argLine struct {
	name, value string
	arg         bool // a one-line argument at the run's top level, which fmt aligns with its neighbours
	pad         int  // spaces between the name and the equals sign
	unsure      bool // something alignArguments does not judge: leave the line to hclwrite
}

// parseArgLine classifies a line of a run whose top level has no indentation.
func parseArgLine(l string) argLine {
	t := strings.TrimSpace(l)
	switch {
	case t == "":
		return argLine{}
	case l[0] == ' ' || l[0] == '\t':
		return argLine{} // inside a nested block or a multi-line value
	case strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*"):
		return argLine{unsure: true}
	}
	i := 0
	for i < len(l) && (l[i] == '_' || l[i] == '-' || l[i] >= 'a' && l[i] <= 'z' || l[i] >= 'A' && l[i] <= 'Z' || i > 0 && l[i] >= '0' && l[i] <= '9') {
		i++
	}
	name := l[:i]
	j := i
	for j < len(l) && l[j] == ' ' {
		j++
	}
	if name == "" || j >= len(l) || l[j] != '=' || j+1 < len(l) && l[j+1] == '=' {
		// A block header, a closing bracket: no argument, and the end of any group.
		if strings.ContainsAny(t, "=#") || strings.Contains(t, "//") {
			return argLine{unsure: true}
		}
		return argLine{}
	}
	value, ok := strings.CutPrefix(l[j+1:], " ")
	if !ok || value == "" || value[0] == ' ' {
		return argLine{unsure: true}
	}
	// The value must be whole on the line, with no comment or heredoc. open holds what is open: '"'
	// a string, 'T' an interpolation in one, or a bracket.
	var open []byte
	for k := 0; k < len(value); k++ {
		c, next := value[k], byte(0)
		if k+1 < len(value) {
			next = value[k+1]
		}
		if n := len(open); n > 0 && open[n-1] == '"' {
			switch {
			case c == '\\' || (c == '$' || c == '%') && next == c:
				k++ // an escape, or $${ and %%{, which are literal
			case c == '"':
				open = open[:n-1]
			case (c == '$' || c == '%') && next == '{':
				open = append(open, 'T')
				k++
			}
			continue
		}
		switch {
		case c == '#' || c == '/' && (next == '/' || next == '*') || c == '<' && next == '<':
			return argLine{unsure: true}
		case c == '"' || c == '[' || c == '{' || c == '(':
			open = append(open, c)
		case c == ']' || c == '}' || c == ')':
			if len(open) == 0 || open[len(open)-1] == '"' {
				return argLine{unsure: true}
			}
			open = open[:len(open)-1]
		}
	}
	for _, o := range open {
		if o == '"' || o == 'T' {
			return argLine{unsure: true}
		}
	}
	if len(open) > 0 {
		return argLine{} // the first line of a multi-line value, which fmt does not align
	}
	return argLine{name: name, value: value, arg: true, pad: j - i}
}

// alignArguments aligns the equals signs of the groups of one-line arguments in an edited run as
// terraform fmt does, for edits that write such arguments at the run's top level. clean is false when
// the original run was not aligned (fmt would change it anyway); ok is false when the run holds
// something it does not judge.
func alignArguments(orig, edited []string, edits []finding.Edit) (formatted []string, clean, ok bool) {
	for _, e := range edits {
		for _, l := range e.Insert {
			if strings.TrimSpace(l) != "" {
				if l[0] == ' ' || l[0] == '\t' {
					return nil, false, false
				}
				break
			}
		}
	}
	parse := func(lines []string) ([]argLine, bool) {
		out := make([]argLine, len(lines))
		for i, l := range lines {
			if out[i] = parseArgLine(l); out[i].unsure {
				return nil, false
			}
		}
		return out, true
	}
	// groups calls f with each run of consecutive arguments and the width of its longest name.
	groups := func(args []argLine, f func(from, to, width int)) {
		for i := 0; i < len(args); {
			if !args[i].arg {
				i++
				continue
			}
			j, width := i, 0
			for ; j < len(args) && args[j].arg; j++ {
				width = max(width, len(args[j].name))
			}
			f(i, j, width)
			i = j
		}
	}
	before, ok := parse(orig)
	if !ok {
		return nil, false, false
	}
	clean = true
	groups(before, func(from, to, width int) {
		for _, a := range before[from:to] {
			if len(a.name)+a.pad != width+1 {
				clean = false
			}
		}
	})
	after, ok := parse(edited)
	if !ok {
		return nil, false, false
	}
	formatted = append([]string(nil), edited...)
	groups(after, func(from, to, width int) {
		for i := from; i < to; i++ {
			a := after[i]
			formatted[i] = a.name + strings.Repeat(" ", width+1-len(a.name)) + "= " + a.value
		}
	})
	return formatted, clean, true
}
