package terraform

import (
	"bytes"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksguard/eksguard/internal/finding"
)

// fmtAligned keeps a file that terraform fmt leaves alone that way after a fix: it formats the edited
// file, puts the formatting of new lines into the edits, and adds an edit for each untouched line
// that fmt realigns because a new or shortened argument joined its group (fmt aligns the equals
// signs of consecutive one-line arguments). A file fmt would change already is edited as it is.
//
// Only the top-level blocks the edits fall in are formatted (fmt aligns within a body, so a block
// at the start of a line formats the same alone as in its file): formatting a whole file for each
// fix would cost more than the rest of the fix. An edit outside every block leaves the edits as they
// are.
func fmtAligned(f *srcFile, edits []finding.Edit) []finding.Edit {
	body, ok := f.body.(*hclsyntax.Body)
	if f.json || !ok || len(edits) == 0 {
		return edits
	}
	// Each edit goes with the block it falls in: a replacement within the block's lines, or an
	// insertion after its first line and up to its last.
	inside := func(e finding.Edit, first, last int) bool {
		if e.Remove == 0 {
			return e.Line > first && e.Line <= last
		}
		return e.Line >= first && e.Line+e.Remove-1 <= last
	}
	lines := fileLines(f.data)
	var out []finding.Edit
	placed := 0
	for _, b := range body.Blocks {
		first, last := b.Range().Start.Line, b.Range().End.Line
		var in []finding.Edit
		for _, e := range edits {
			if inside(e, first, last) {
				e.Line -= first - 1
				in = append(in, e)
			}
		}
		if len(in) == 0 || last > len(lines) {
			continue
		}
		placed += len(in)
		block := []byte(strings.Join(lines[first-1:last], "\n") + "\n")
		for _, e := range fmtAlignedText(block, in) {
			e.Line += first - 1
			out = append(out, e)
		}
	}
	if placed != len(edits) {
		return edits
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// fmtAlignedText is fmtAligned for a text that is whole top-level blocks.
func fmtAlignedText(data []byte, edits []finding.Edit) []finding.Edit {
	if !bytes.Equal(hclwrite.Format(data), data) {
		return edits
	}
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
	text := strings.Join(edited, "\n")
	if bytes.HasSuffix(data, []byte("\n")) {
		text += "\n"
	}
	formatted := fileLines(hclwrite.Format([]byte(text)))
	if len(formatted) != len(edited) {
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
