package yamledit

import (
	"strings"
	"testing"
)

// TestEncodingErrors: yaml.v3 refuses bytes it cannot decode without saying where; the error must
// name the line and column of the first such byte, wherever it is, in both parsing entry points.
func TestEncodingErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line, col  int
		msg        string
	}{
		{"Latin-1 on the first line", "Description: caf\xe9 team\nResources: {}\n", 1, 17,
			"invalid trailing UTF-8 octet (byte 0xE9 at column 17)"},
		{"Latin-1 on a middle line", "a: 1\nb:\n  - x\n  - caf\xe9\nc: 3\n", 4, 8,
			"invalid trailing UTF-8 octet (byte 0xE9 at column 8)"},
		{"invalid byte on the last line, without a newline", "a: 1\nb: 2\nc: \xff", 3, 4,
			"invalid leading UTF-8 octet (byte 0xFF at column 4)"},
		{"truncated character at the end", "a: 1\nb: caf\xc3", 2, 7,
			"incomplete UTF-8 octet sequence (byte 0xC3 at column 7)"},
		{"columns count characters, not bytes", "a: ééé\xff\n", 1, 7,
			"invalid leading UTF-8 octet (byte 0xFF at column 7)"},
		{"surrogate encoded in UTF-8", "a: 1\nb: \xed\xa0\x80\n", 2, 4,
			"invalid Unicode character (byte 0xED at column 4)"},
		{"overlong encoding", "a: \xc0\xaf\n", 1, 4,
			"invalid length of a UTF-8 sequence (byte 0xC0 at column 4)"},
		{"after a byte order mark", "\xef\xbb\xbfa: 1\nb: \xfe\n", 2, 4,
			"invalid leading UTF-8 octet (byte 0xFE at column 4)"},
		{"control character in a comment", "a: 1 # bell\x07\n", 1, 12,
			"control characters are not allowed (U+0007 at column 12)"},
		{"NUL byte", "a: 1\n\x00\n", 2, 1,
			"control characters are not allowed (U+0000 at column 1)"},
		{"UTF-16LE lone low surrogate", "\xff\xfea\x00:\x00 \x00\n\x00b\x00:\x00 \x00\x00\xdc\n\x00", 2, 4,
			"unexpected low surrogate area (low surrogate U+DC00 at column 4)"},
		{"UTF-16BE high surrogate without its pair", "\xfe\xff\x00a\x00:\x00 \xd8\x00\x00x", 1, 4,
			"expected low surrogate area (high surrogate U+D800 at column 4)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for parser, parse := range map[string]func([]byte) error{
				"ParseYAMLDocument": func(b []byte) error { _, err := ParseYAMLDocument(b); return err },
				"ParseYAML":         func(b []byte) error { _, err := ParseYAML(b); return err },
			} {
				err := parse([]byte(tt.data))
				se, ok := err.(*SyntaxError)
				if !ok || se.Line != tt.line || se.Column != tt.col || se.Msg != tt.msg {
					t.Errorf("%s: error %#v, want line %d column %d %q", parser, err, tt.line, tt.col, tt.msg)
				}
			}
		})
	}
}

// TestTooManyDocuments: a stream with more documents than are read is an error at the first one
// left unread, with the documents read before it.
func TestTooManyDocuments(t *testing.T) {
	data := "a: 1\n" + strings.Repeat("---\na: 1\n", MaxDocuments)
	docs, err := ParseYAML([]byte(data))
	se, ok := err.(*SyntaxError)
	if !ok || se.Line != 2*MaxDocuments || !strings.Contains(se.Msg, "more than 10000 YAML documents") {
		t.Errorf("error %v, want one at line %d", err, 2*MaxDocuments)
	}
	if len(docs) != MaxDocuments {
		t.Errorf("%d documents, want %d", len(docs), MaxDocuments)
	}
	if docs, err := ParseYAML([]byte(strings.Repeat("---\na: 1\n", MaxDocuments))); err != nil || len(docs) != MaxDocuments {
		t.Errorf("exactly %d documents: %d, %v", MaxDocuments, len(docs), err)
	}
}

// TestLookupCost: a mapping merged many times over is searched once, so the keys one lookup compares
// are bounded by the document, not multiplied by its merge keys.
func TestLookupCost(t *testing.T) {
	var b strings.Builder
	b.WriteString("base: &b {")
	for i := 0; i < 1000; i++ {
		b.WriteString("k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ": 1, ")
	}
	b.WriteString("found: yes}\nmid: &m {<<: [" + strings.Repeat("*b, ", 255) + "*b]}\n")
	b.WriteString("top: {<<: [" + strings.Repeat("*m, ", 255) + "*m], own: 1}\n")
	root, err := ParseYAMLDocument([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_, top := Lookup(root.Content[0], "top")
	tests := []struct {
		name, key string
		found     bool
		maxCost   int
	}{
		{"own key", "own", true, 2},
		// top's 2 keys and 256 merges, mid's 1 key and 256 merges, base's 1001 keys, each once: not
		// 256 times mid and 65,536 times base.
		{"merged key", "found", true, 2 + 256 + 1 + 256 + 1001},
		{"missing key", "missing", false, 2 + 256 + 1 + 256 + 1001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, v, cost := LookupCost(top, tt.key)
			if (k != nil) != tt.found || tt.found && v == nil {
				t.Errorf("found %v, want %v", k != nil, tt.found)
			}
			if cost > tt.maxCost {
				t.Errorf("cost %d, want at most %d", cost, tt.maxCost)
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {1 << 20, "1 MiB"},
		{2_000_006, "1.9 MiB"}, {20_000_019_999, "18.6 GiB"}, {1 << 62, "4 EiB"},
	}
	for _, tt := range tests {
		if got := ByteSize(tt.n); got != tt.want {
			t.Errorf("ByteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestParseJSONOneLine: minified JSON keeps every node's column, counted in characters.
func TestParseJSONOneLine(t *testing.T) {
	root, _, err := ParseJSON([]byte(`{"é": [1, "ü", {"a": 2}], "b": "\u00e9x"}`))
	if err != nil {
		t.Fatal(err)
	}
	m := root.Content[0]
	k, v := Lookup(m, "é")
	_, a := Lookup(v.Content[2], "a")
	kb, vb := Lookup(m, "b")
	got := []int{k.Column, v.Column, v.Content[0].Column, v.Content[1].Column, v.Content[2].Column, a.Column, kb.Column, vb.Column}
	want := []int{2, 7, 8, 11, 16, 22, 27, 32}
	for i := range want {
		if got[i] != want[i] || vb.Value != "éx" {
			t.Fatalf("columns %v, want %v (b = %q)", got, want, vb.Value)
		}
	}
}

// FuzzParseYAMLPosition: every error of yaml.v3's reader (a byte that is not UTF-8 or UTF-16, a
// control character) comes back with the line and column of the character it refused, and every
// error with a line names one inside the file.
func FuzzParseYAMLPosition(f *testing.F) {
	for _, seed := range []string{
		"a: caf\xe9\n", "a: 1\nb: \xff", "a: 1\n\x00\n", "\xef\xbb\xbfa: \xc3", "a: \xed\xa0\x80\n",
		"\xff\xfea\x00:\x00 \x00\x00\xdc", "\xfe\xff\x00a\x00:\x00 \xd8\x00", "a: [1,\n  2\n b: \xe9\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, parse := range []func([]byte) error{
			func(b []byte) error { _, err := ParseYAMLDocument(b); return err },
			func(b []byte) error { _, err := ParseYAML(b); return err },
		} {
			se, ok := parse(data).(*SyntaxError)
			if !ok {
				continue
			}
			msg, _, _ := strings.Cut(se.Msg, " (")
			if readerProblems[msg] && (se.Line == 0 || se.Column == 0) {
				t.Errorf("%q: %q has no position", data, se.Msg)
			}
			if se.Line > lines {
				t.Errorf("%q: line %d of %d", data, se.Line, lines)
			}
		}
	})
}

// TestLastLineTaggedQuote: a comment may follow a bracket directly, and a quoted scalar in a flow collection may follow a tag or an anchor, and
// then the collection ends where the quote does, not at a bracket inside it; a tag may hold quotes
// and brackets itself (found by FuzzCloudFormation: fixes were inserted inside the collection).
func TestLastLineTaggedQuote(t *testing.T) {
	tests := []struct {
		name, data string
		want       int
	}{
		{"tag before a quote", "k: [! \"]\n\"]\nnext: 1\n", 2},
		{"anchor and tag before a quote", "k: [&a !t \"]\n\"]\nnext: 1\n", 2},
		{"tag in a mapping", "k: {x: !t ']\n  '}\nnext: 1\n", 2},
		{"apostrophe in a plain scalar", "k: [it's, x]\nnext: 1\n", 1},
		{"quote that is part of a tag", "k: [!'\n]\nnext: 1\n", 2},
		{"bracket that is part of a tag", "k: [![\n]\nnext: 1\n", 2},
		{"bang inside a plain scalar", "k: [a!b]\nnext: 1\n", 1},
		{"bang inside a plain scalar on its next line", "k: [a\n !]\nnext: 1\n", 2},
		{"comment right after a bracket", "k: [#[\n]\nnext: 1\n", 2},
		{"comment right after a closing bracket", "k: [[]#[\n]\nnext: 1\n", 2},
		{"comment right after the colon of a key", "k: [[]:#[\n]\nnext: 1\n", 2},
		{"quote after a colon inside a plain scalar", "k: [0:\"\n]\nnext: 1\n", 2},
		{"quote after a colon of a quoted key", "k: {\"a\":\"]\n\"}\nnext: 1\n", 2},
		{"quote after a colon and a blank", "k: {a: \"]\n\"}\nnext: 1\n", 2},
		{"bang after a colon inside a plain scalar", "k: [0\n \":!]\nnext: 1\n", 2},
		{"quotes and a colon inside a plain scalar", "k: [0\n \":\"]\nnext: 1\n", 2},
		{"quote after the colon of an empty tagged key", "k: [! :\"]\n\"]\nnext: 1\n", 2},
		{"hash inside a plain scalar", "k: [a#b]\nnext: 1\n", 1},
		{"quote inside a plain scalar after a bang", "k: [a !b \"c]\nnext: 1\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := ParseYAMLDocument([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			_, v := Lookup(root.Content[0], "k")
			if got := NewDoc([]byte(tt.data)).lastLine(v, 0); got != tt.want {
				t.Errorf("last line %d, want %d", got, tt.want)
			}
		})
	}
}

// TestEntryEndInFile: yaml.v3 places the empty value of an explicit key at the end of the file on a
// line past it; an entry still ends inside the file (found by FuzzCloudFormation).
func TestEntryEndInFile(t *testing.T) {
	for _, data := range []string{"k:\n  ? 0\n", "k:\n  ? 0", "a:\n  b:\n   ? x\n"} {
		root, err := ParseYAMLDocument([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		m := root.Content[0]
		k, v := m.Content[0], m.Content[1]
		if end := NewDoc([]byte(data)).entryEnd(k, v); end > len(data) {
			t.Errorf("%q: entry ends at %d, past the end %d", data, end, len(data))
		}
	}
}
