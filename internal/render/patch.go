package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
)

// The patch format prints every suggested fix of a report as one unified diff that git apply (and
// patch -p1) accepts: a/ and b/ prefixes on the names the report uses (relative to the working
// directory), three lines of context, hunks merged where their context would overlap.
//
// A fix attached to several results (5.4.1 and 5.4.2 of one cluster) is applied once, and an edit
// identical to one already taken (several instances of one for_each block) is taken once. Fixes are
// taken in report order, all of a fix's edits or none: a fix whose edit overlaps a different edit
// already taken, points outside its file, or whose file cannot be read is left out, and the reason is
// written as a "#" line before the diff (git apply and patch skip text before the first header), so
// running eksguard iac again after applying the patch proposes what is left. A report without fixes
// prints nothing.

func init() { register("patch", func(Options) Writer { return patchWriter{read: readSource} }) }

// readSource reads a file a fix edits, as the scan read it: a regular file within the input size
// limit, never a pipe or a device that may have replaced it since.
func readSource(p string) ([]byte, error) { return fileio.ReadFile(p, maxSourceSize) }

// maxSourceSize matches the largest input file a scan reads (iac.MaxFileSize).
const maxSourceSize = 10 << 20

type patchWriter struct {
	read func(string) ([]byte, error)
}

// patchContext is the number of unchanged lines around each change.
const patchContext = 3

// patchFile is one file's original text and the edits taken for it.
type patchFile struct {
	name  string
	lines []string
	// noEOL is set when the last line has no newline; crlf when most lines end in \r\n, so inserted
	// lines get one too.
	noEOL, crlf bool
	edits       []finding.Edit
	owners      []string
	err         error
}

func (p patchWriter) Write(w io.Writer, r *finding.Report) error {
	files := map[string]*patchFile{}
	var notes []string
	seen := map[*finding.Fix]bool{}
	for _, res := range r.Results {
		fix := res.Fix
		if fix == nil || seen[fix] || len(fix.Edits) == 0 {
			continue
		}
		seen[fix] = true
		owner := res.Resource.Name
		if note := p.take(files, fix, owner); note != "" {
			notes = append(notes, note)
		}
	}
	names := make([]string, 0, len(files))
	for name, f := range files {
		if len(f.edits) > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	ew := &errWriter{w: w}
	for _, n := range notes {
		ew.printf("# eksguard: %s\n", escape.Text(n))
	}
	for _, name := range names {
		writeFileDiff(ew, files[name])
	}
	return ew.err
}

// take adds a fix's edits if all of them can be applied alongside what was taken; else it returns
// why not.
func (p patchWriter) take(files map[string]*patchFile, fix *finding.Fix, owner string) string {
	what := "the fix for " + owner
	if owner == "" {
		what = "a fix"
	}
	type pending struct {
		f *patchFile
		e finding.Edit
	}
	var add []pending
	for _, e := range fix.Edits {
		f := p.load(files, e)
		if f.err != nil {
			return fmt.Sprintf("left out %s: cannot read %s: %v", what, e.File, f.err)
		}
		if e.Line < 1 || e.Remove < 0 || e.Line > len(f.lines)+1 || e.Remove > len(f.lines)-(e.Line-1) {
			return fmt.Sprintf("left out %s: its edit at %s:%d is outside the file, which has %d lines; was it changed after the scan?", what, e.File, e.Line, len(f.lines))
		}
		dup := false
		for i, t := range f.edits {
			switch {
			case sameEdit(t, e):
				dup = true
			case overlap(t, e):
				return fmt.Sprintf("left out %s: its edit at %s:%d overlaps the edit for %s; apply this patch and run eksguard iac again", what, e.File, e.Line, f.owners[i])
			}
		}
		for _, q := range add {
			if q.f != f {
				continue
			}
			if sameEdit(q.e, e) {
				dup = true
			} else if overlap(q.e, e) {
				return fmt.Sprintf("left out %s: two of its edits overlap at %s:%d", what, e.File, e.Line)
			}
		}
		if !dup {
			add = append(add, pending{f, e})
		}
	}
	for _, q := range add {
		q.f.edits = append(q.f.edits, q.e)
		q.f.owners = append(q.f.owners, owner)
	}
	return ""
}

func (p patchWriter) load(files map[string]*patchFile, e finding.Edit) *patchFile {
	if f, ok := files[e.File]; ok {
		return f
	}
	f := &patchFile{name: e.File}
	files[e.File] = f
	path := e.Path
	if path == "" {
		path = e.File
	}
	data, err := p.read(path)
	if err != nil {
		f.err = unwrapPathErr(err)
		return f
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		// The scan read it decoded, but git apply works on the bytes: a UTF-8 diff would not apply.
		f.err = errors.New("it is saved as UTF-16, which a patch cannot edit; save it as UTF-8 (the edit is in the JSON report)")
		return f
	}
	text := string(data)
	if text != "" {
		f.noEOL = !strings.HasSuffix(text, "\n")
		f.lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		crlf := 0
		for _, l := range f.lines {
			if strings.HasSuffix(l, "\r") {
				crlf++
			}
		}
		f.crlf = crlf*2 > len(f.lines)
	}
	return f
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func sameEdit(a, b finding.Edit) bool {
	if a.Line != b.Line || a.Remove != b.Remove || len(a.Insert) != len(b.Insert) {
		return false
	}
	for i := range a.Insert {
		if a.Insert[i] != b.Insert[i] {
			return false
		}
	}
	return true
}

// overlap reports whether two different edits of one file cannot both apply. An insertion (Remove
// 0) goes before its line: two at the same line would have no order, and one inside a replaced range
// has no place left.
func overlap(a, b finding.Edit) bool {
	aEnd, bEnd := a.Line+a.Remove, b.Line+b.Remove
	switch {
	case a.Remove == 0 && b.Remove == 0:
		return a.Line == b.Line
	case a.Remove == 0:
		return b.Line < a.Line && a.Line < bEnd
	case b.Remove == 0:
		return a.Line < b.Line && b.Line < aEnd
	}
	return a.Line < bEnd && b.Line < aEnd
}

// diffLine is one line of a hunk: ' ', '-' or '+', and whether "\ No newline at end of file"
// follows it.
type diffLine struct {
	op    byte
	text  string
	noEOL bool
}

// change is an edit in zero-based old-file terms.
type change struct {
	start, end int
	insert     []string
}

func writeFileDiff(ew *errWriter, f *patchFile) {
	sort.SliceStable(f.edits, func(i, j int) bool {
		a, b := f.edits[i], f.edits[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Remove < b.Remove // an insertion goes before a replacement starting at its line
	})
	changes := make([]change, 0, len(f.edits))
	for _, e := range f.edits {
		var ins []string
		for _, s := range e.Insert {
			for _, l := range strings.Split(s, "\n") {
				if f.crlf && !strings.HasSuffix(l, "\r") {
					l += "\r"
				}
				ins = append(ins, l)
			}
		}
		c := change{start: e.Line - 1, end: e.Line - 1 + e.Remove, insert: ins}
		if n := len(changes); n > 0 && changes[n-1].end == c.start {
			// Touching changes are one: removed lines first, then everything added, as diff shows it.
			changes[n-1].end = c.end
			changes[n-1].insert = append(changes[n-1].insert, c.insert...)
			continue
		}
		changes = append(changes, c)
	}
	oldN := len(f.lines)
	newN := oldN
	for _, c := range changes {
		newN += len(c.insert) - (c.end - c.start)
	}
	a, b := quoteName("a/"+f.name), quoteName("b/"+f.name)
	ew.printf("diff --git %s %s\n--- %s\n+++ %s\n", a, b, a+tabIfSpace(f.name), b+tabIfSpace(f.name))
	delta := 0 // new line index minus old line index before the current hunk
	for i := 0; i < len(changes); {
		// A hunk takes changes while the unchanged gap between them is at most twice the context.
		j := i + 1
		for j < len(changes) && changes[j].start-changes[j-1].end <= 2*patchContext {
			j++
		}
		oldStart := max(changes[i].start-patchContext, 0)
		oldEnd := min(changes[j-1].end+patchContext, oldN)
		var lines []diffLine
		oldIdx, newIdx := oldStart, oldStart+delta
		newStart := newIdx
		ctx := func(upTo int) {
			for ; oldIdx < upTo; oldIdx++ {
				lastOld := oldIdx == oldN-1 && f.noEOL
				lastNew := newIdx == newN-1 && f.noEOL
				if lastOld == lastNew {
					lines = append(lines, diffLine{op: ' ', text: f.lines[oldIdx], noEOL: lastOld})
				} else {
					// The line stays but its newline does not: to diff, it is removed and added.
					lines = append(lines, diffLine{op: '-', text: f.lines[oldIdx], noEOL: lastOld}, diffLine{op: '+', text: f.lines[oldIdx], noEOL: lastNew})
				}
				newIdx++
			}
		}
		for _, c := range changes[i:j] {
			ctx(c.start)
			for ; oldIdx < c.end; oldIdx++ {
				lines = append(lines, diffLine{op: '-', text: f.lines[oldIdx], noEOL: oldIdx == oldN-1 && f.noEOL})
			}
			for _, l := range c.insert {
				lines = append(lines, diffLine{op: '+', text: l, noEOL: newIdx == newN-1 && f.noEOL})
				newIdx++
			}
			delta += len(c.insert) - (c.end - c.start)
		}
		ctx(oldEnd)
		oldCount, newCount := 0, 0
		for _, l := range lines {
			if l.op != '+' {
				oldCount++
			}
			if l.op != '-' {
				newCount++
			}
		}
		ew.printf("@@ -%s +%s @@\n", hunkRange(oldStart, oldCount), hunkRange(newStart, newCount))
		for _, l := range lines {
			ew.printf("%c%s\n", l.op, l.text)
			if l.noEOL {
				ew.printf("\\ No newline at end of file\n")
			}
		}
		i = j
	}
}

// hunkRange formats a zero-based start and a count as unified diff does: an empty range names the
// line before it.
func hunkRange(start, count int) string {
	if count == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}

// quoteName quotes a name the way git does when it holds characters a diff header cannot carry
// plainly.
func quoteName(s string) string {
	if !strings.ContainsAny(s, "\"\\\t\n\r") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\%03o`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tabIfSpace ends a ---/+++ name holding a space with a tab, as git does, so the name is not read
// as a name followed by a timestamp.
func tabIfSpace(name string) string {
	if strings.Contains(name, " ") && quoteName(name) == name {
		return "\t"
	}
	return ""
}
