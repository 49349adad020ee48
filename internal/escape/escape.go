// Package escape makes text from untrusted places (file names, values in a scanned file, messages
// from a server) safe to print where a person reads it. A terminal obeys control characters: a file
// name holding an ANSI escape can clear the screen, and one holding a newline can print a fake
// summary line. Human-readable output passes every such string through Text; machine-readable output
// (JSON, SARIF) has its own escaping and does not need it.
package escape

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text returns s with every control character, line or paragraph separator, bidirectional
// formatting character and invalid UTF-8 byte written as a Go escape (\n, \x1b, \u202e, \xff), so
// the result prints on one line as exactly what it is. Text that needs no escaping is returned as it
// is, without copying.
func Text(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafe(r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafe(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// unsafe reports whether a rune changes how a terminal shows what follows it.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1 (0x9b is a one-byte CSI)
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional formatting, which can reorder what a line appears to say
	case r == 0xfeff: // zero-width no-break space (a BOM mid-text)
		return true
	}
	return false
}

// Lines is Text for text that is meant to span lines (a stack trace): each line is escaped and the
// line breaks are kept.
func Lines(s string) string {
	if !strings.Contains(s, "\n") {
		return Text(s)
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Text(p)
	}
	return strings.Join(parts, "\n")
}
