package yamledit

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// readerProblems are the messages of yaml.v3's reader, which decodes the byte stream before any YAML
// is scanned: it reports them without a position.
var readerProblems = map[string]bool{
	"invalid leading UTF-8 octet":        true,
	"incomplete UTF-8 octet sequence":    true,
	"invalid trailing UTF-8 octet":       true,
	"invalid length of a UTF-8 sequence": true,
	"invalid Unicode character":          true,
	"control characters are not allowed": true,
	"incomplete UTF-16 character":        true,
	"unexpected low surrogate area":      true,
	"incomplete UTF-16 surrogate pair":   true,
	"expected low surrogate area":        true,
}

// encodingError places an error of yaml.v3's reader at the first character it cannot accept, found by
// decoding the stream as the reader does (UTF-8, or UTF-16 after its byte order mark). It returns nil
// for any other error, or when no such character is found.
func encodingError(data []byte, se *SyntaxError) *SyntaxError {
	if se == nil || se.Line > 0 || !readerProblems[se.Msg] {
		return nil
	}
	var line, col int
	var what string
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		line, col, what = badUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		line, col, what = badUTF16(data[2:], true)
	default:
		line, col, what = badUTF8(bytes.TrimPrefix(data, bom))
	}
	if line == 0 {
		return nil
	}
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf("%s (%s at column %d)", se.Msg, what, col)}
}

// yamlChar reports whether YAML allows character r in a stream (YAML 1.2 §5.1, as yaml.v3 checks).
func yamlChar(r rune) bool {
	switch {
	case r == 0x09, r == 0x0A, r == 0x0D, r >= 0x20 && r <= 0x7E, r == 0x85:
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
	default:
		return false
	}
	return true
}

// badUTF8 returns the 1-based line and column (in characters, as yaml.v3 counts columns) of the first
// byte that is not valid UTF-8 or that starts a character YAML refuses, and names it; 0 when there is
// none. utf8.DecodeRune refuses exactly what yaml.v3's reader refuses: bad leading and trailing bytes,
// truncated and overlong sequences, surrogates and values above U+10FFFF.
func badUTF8(data []byte) (line, col int, what string) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			return line, col, fmt.Sprintf("byte 0x%02X", data[i])
		case !yamlChar(r):
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

// badUTF16 is badUTF8 for a UTF-16 stream after its byte order mark.
func badUTF16(data []byte, bigEndian bool) (line, col int, what string) {
	unit := func(i int) rune {
		if bigEndian {
			return rune(data[i])<<8 | rune(data[i+1])
		}
		return rune(data[i+1])<<8 | rune(data[i])
	}
	line, col = 1, 1
	for i := 0; i < len(data); {
		if i+2 > len(data) {
			return line, col, "a lone byte"
		}
		r, w := unit(i), 2
		switch {
		case r&0xFC00 == 0xDC00:
			return line, col, fmt.Sprintf("low surrogate U+%04X", r)
		case r&0xFC00 == 0xD800:
			if i+4 > len(data) || unit(i+2)&0xFC00 != 0xDC00 {
				return line, col, fmt.Sprintf("high surrogate U+%04X", r)
			}
			r, w = 0x10000+(r&0x3FF)<<10+(unit(i+2)&0x3FF), 4
		}
		switch {
		case !yamlChar(r):
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
