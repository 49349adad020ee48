package cloudformation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
)

// apply applies edits to data as a patch renderer would: each edit replaces Remove lines from Line
// with Insert. It refuses edits outside the file or overlapping each other.
func apply(data []byte, edits []finding.Edit) ([]byte, error) {
	text := string(data)
	trailing := strings.HasSuffix(text, "\n")
	var lines []string
	if body := strings.TrimSuffix(text, "\n"); body != "" || !trailing {
		lines = strings.Split(body, "\n")
	}
	sorted := append([]finding.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Line > sorted[j].Line })
	next := len(lines) + 1 // first line already touched by a later edit
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
