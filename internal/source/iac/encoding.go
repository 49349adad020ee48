package iac

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
)

// Byte order marks. Windows tools write them: PowerShell 5 redirects output (terraform show -json >
// plan.json) as UTF-16LE with a mark, and Notepad and Visual Studio save UTF-8 with one.
var (
	bomUTF8    = []byte("\xef\xbb\xbf")
	bomUTF16LE = []byte("\xff\xfe")
	bomUTF16BE = []byte("\xfe\xff")
	bomUTF32LE = []byte("\xff\xfe\x00\x00")
	bomUTF32BE = []byte("\x00\x00\xfe\xff")
)

// gitCryptHeader starts every file git-crypt encrypts; such a file is read by git-crypt unlock, never
// by eksguard.
var gitCryptHeader = []byte("\x00GITCRYPT")

// Decode returns a file's bytes as the UTF-8 text every adapter reads. UTF-16LE and UTF-16BE with a
// byte order mark are converted; a UTF-8 byte order mark is dropped; anything else is returned as it
// is. Line endings (\r\n included) are kept and the mark is not a line, so lines and columns found in
// the text are those of the file. UTF-16 without a mark is not guessed at.
//
// Text from UTF-16 is always valid UTF-8; UTF-8 input is passed through byte for byte, because each
// adapter already reports its first invalid byte at its line and column, worded for its format.
//
// The error, a *ReadError, says why the file is not text eksguard reads: encrypted by git-crypt or
// binary (a NUL byte, which no IaC format allows; code finding.ProblemBinary), not valid UTF-16 (odd
// length, unpaired surrogate; finding.ProblemSyntax, at the line and column of the bad character),
// or UTF-32 (finding.ProblemUnsupported). One problem per file, where a parser would report one per
// stray byte.
func Decode(data []byte) ([]byte, error) { return decode(data, -1) }

// decode is Decode that stops converting UTF-16 once the text passes limit bytes (-1: no limit), so
// a file twice the limit on disk never costs three times the limit in memory.
func decode(data []byte, limit int64) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, gitCryptHeader):
		return nil, &ReadError{Code: finding.ProblemBinary, Message: "encrypted by git-crypt, not read (run git-crypt unlock to scan it)"}
	case bytes.HasPrefix(data, bomUTF32LE), bytes.HasPrefix(data, bomUTF32BE):
		return nil, &ReadError{Code: finding.ProblemUnsupported, Message: "UTF-32 text, not read; save the file as UTF-8"}
	case bytes.HasPrefix(data, bomUTF16LE):
		return decodeUTF16(data, false, limit)
	case bytes.HasPrefix(data, bomUTF16BE):
		return decodeUTF16(data, true, limit)
	}
	text := bytes.TrimPrefix(data, bomUTF8)
	if err := binary(text, data); err != nil {
		return nil, err
	}
	return text, nil
}

// binary refuses text with a NUL byte; raw is the file as stored, for the hint about UTF-16 without
// a byte order mark.
func binary(text, raw []byte) error {
	i := bytes.IndexByte(text, 0)
	if i < 0 {
		return nil
	}
	line, col := position(text, i)
	msg := "encrypted or binary file, not read: it contains a NUL byte"
	if looksUTF16(raw) {
		msg = "encrypted or binary file, not read: it contains NUL bytes (UTF-16 text without a byte order mark? save it as UTF-8)"
	}
	return &ReadError{Code: finding.ProblemBinary, Message: msg, Line: line, Column: col}
}

// looksUTF16 reports whether data starts like ASCII text in UTF-16 without a byte order mark: every
// other byte NUL, the ones between not. It only words a message; such a file is never decoded.
func looksUTF16(data []byte) bool {
	n := min(len(data), 64) &^ 1
	if n < 4 {
		return false
	}
	for _, zero := range []int{0, 1} {
		ok := true
		for i := 0; i < n && ok; i++ {
			ok = (data[i] == 0) == (i%2 == zero) && (i%2 == zero || data[i] < utf8.RuneSelf)
		}
		if ok {
			return true
		}
	}
	return false
}

// decodeUTF16 converts UTF-16 after its byte order mark to UTF-8.
func decodeUTF16(data []byte, bigEndian bool, limit int64) ([]byte, error) {
	body := data[2:]
	unit := func(i int) uint16 {
		if bigEndian {
			return uint16(body[i])<<8 | uint16(body[i+1])
		}
		return uint16(body[i+1])<<8 | uint16(body[i])
	}
	name := "UTF-16LE"
	if bigEndian {
		name = "UTF-16BE"
	}
	// ASCII, most IaC, takes one byte in UTF-8 for two in UTF-16.
	out := make([]byte, 0, len(body)/2+8)
	// bad places an invalid unit at the character it would have been, and at its offset in the
	// file (the mark included), for a hex editor.
	bad := func(format string, a ...any) error {
		line, col := position(out, len(out))
		return &ReadError{Code: finding.ProblemSyntax, Line: line, Column: col,
			Message: fmt.Sprintf("not valid %s: %s; not read", name, fmt.Sprintf(format, a...))}
	}
	i := 0
	for ; i+1 < len(body); i += 2 {
		u := unit(i)
		r := rune(u)
		switch {
		case utf16.IsSurrogate(r) && u >= 0xdc00:
			return nil, bad("low surrogate 0x%04X at byte offset %d has no high surrogate before it", u, i+2)
		case utf16.IsSurrogate(r):
			if i+3 >= len(body) {
				return nil, bad("high surrogate 0x%04X at byte offset %d ends the file", u, i+2)
			}
			u2 := unit(i + 2)
			if u2 < 0xdc00 || u2 > 0xdfff {
				return nil, bad("high surrogate 0x%04X at byte offset %d is not followed by a low surrogate", u, i+2)
			}
			r = utf16.DecodeRune(r, rune(u2))
			i += 2
		}
		out = utf8.AppendRune(out, r)
		if limit >= 0 && int64(len(out)) > limit {
			return nil, &ReadError{Code: finding.ProblemTooLarge, Message: fmt.Sprintf("file is over the %s limit once converted from %s to UTF-8; not scanned", fileio.Size(limit), name)}
		}
	}
	if i < len(body) {
		return nil, bad("odd number of bytes: the last one (byte offset %d) is half a character", i+2)
	}
	if err := binary(out, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// position is the 1-based line and column (in characters) of byte offset i of text.
func position(text []byte, i int) (line, col int) {
	before := text[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	if nl := bytes.LastIndexByte(before, '\n'); nl >= 0 {
		before = before[nl+1:]
	}
	return line, utf8.RuneCount(before) + 1
}
