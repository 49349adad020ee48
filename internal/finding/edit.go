package finding

import (
	"fmt"
	"sort"
	"strings"
)

// ApplyEdits applies the edits of one file to its content, bottom-up so that line numbers stay
// valid: each edit replaces Remove lines from Line with Insert. It is the meaning of an Edit,
// written once; the patch writer produces the same change as a diff. Edits outside the file or
// overlapping each other are an error.
func ApplyEdits(data []byte, edits []Edit) ([]byte, error) {
	text := string(data)
	trailing := strings.HasSuffix(text, "\n")
	var lines []string
	if body := strings.TrimSuffix(text, "\n"); body != "" || !trailing {
		lines = strings.Split(body, "\n")
	}
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Line > sorted[j].Line })
	next := len(lines) + 1 // the first line a later edit already touched
	for _, e := range sorted {
		if e.Line < 1 || e.Remove < 0 || e.Line+e.Remove > next {
			return nil, fmt.Errorf("edit at line %d removing %d lines is outside the file or overlaps another", e.Line, e.Remove)
		}
		rest := append([]string{}, lines[e.Line-1+e.Remove:]...)
		lines = append(append(lines[:e.Line-1], e.Insert...), rest...)
		next = e.Line
	}
	out := strings.Join(lines, "\n")
	if trailing {
		out += "\n"
	}
	return []byte(out), nil
}
