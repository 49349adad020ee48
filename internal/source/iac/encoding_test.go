package iac

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// le and be spell UTF-16 text with its byte order mark; the raw bytes after it are appended as
// given, for units that are not valid.
func le(s string, raw ...byte) []byte { return append(units(s, false), raw...) }
func be(s string, raw ...byte) []byte { return append(units(s, true), raw...) }

func units(s string, bigEndian bool) []byte {
	var out []byte
	for _, u := range append([]uint16{0xfeff}, utf16.Encode([]rune(s))...) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// gitCrypted is the start of a file git-crypt encrypted: its header, a nonce, then ciphertext.
var gitCrypted = append([]byte("\x00GITCRYPT\x00\x8f\x1c\x92\x04\xa7\x3e\x55\x10\xd2\x6b\x09\xee"), bytes.Repeat([]byte{0xa3, 0x11, 0x7f, 0xc0}, 64)...)

// png is the start of a PNG image.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa")

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
		// err is the problem "code line:column message" when the file is refused.
		err string
	}{
		{name: "UTF-8 unchanged", data: []byte("a = 1\r\nb = \"é\"\n"), want: "a = 1\r\nb = \"é\"\n"},
		{name: "UTF-8 byte order mark dropped", data: []byte("\xef\xbb\xbfa = 1\n"), want: "a = 1\n"},
		{name: "UTF-8 byte order mark alone", data: []byte("\xef\xbb\xbf"), want: ""},
		{name: "empty", data: []byte{}, want: ""},
		{name: "invalid UTF-8 is the parsers' to place", data: []byte("a: caf\xe9\n"), want: "a: caf\xe9\n"},
		{name: "UTF-16LE with CRLF", data: le("{\r\n  \"a\": \"é🚀\"\r\n}\r\n"), want: "{\r\n  \"a\": \"é🚀\"\r\n}\r\n"},
		{name: "UTF-16BE", data: be("a: 1\nb: 日本\n"), want: "a: 1\nb: 日本\n"},
		{name: "UTF-16 byte order mark alone", data: []byte("\xff\xfe"), want: ""},
		{name: "UTF-16LE odd length", data: le("a: 1\nb: 2\n", 'c'),
			err: "syntax 3:1 not valid UTF-16LE: odd number of bytes: the last one (byte offset 22) is half a character; not read"},
		{name: "UTF-16LE lone low surrogate", data: le("a: 1\nb: ", 0x00, 0xdc, 'x', 0),
			err: "syntax 2:4 not valid UTF-16LE: low surrogate 0xDC00 at byte offset 18 has no high surrogate before it; not read"},
		{name: "UTF-16BE high surrogate without its pair", data: be("é: ", 0xd8, 0x3d, 0, 'x'),
			err: "syntax 1:4 not valid UTF-16BE: high surrogate 0xD83D at byte offset 8 is not followed by a low surrogate; not read"},
		{name: "UTF-16LE high surrogate at the end", data: le("a\n", 0x3d, 0xd8),
			err: "syntax 2:1 not valid UTF-16LE: high surrogate 0xD83D at byte offset 6 ends the file; not read"},
		{name: "git-crypt", data: gitCrypted,
			err: "binary 0:0 encrypted by git-crypt, not read (run git-crypt unlock to scan it)"},
		{name: "NUL in UTF-8 text", data: []byte("a = 1\nb = \x00\n"),
			err: "binary 2:5 encrypted or binary file, not read: it contains a NUL byte"},
		{name: "NUL in UTF-16 text", data: le("a = 1\nb = \x00\n"),
			err: "binary 2:5 encrypted or binary file, not read: it contains a NUL byte"},
		{name: "image", data: png,
			err: "binary 3:1 encrypted or binary file, not read: it contains a NUL byte"},
		{name: "UTF-16 without a byte order mark is not guessed", data: le("{\"format_version\": \"1.2\"}")[2:],
			err: "binary 1:2 encrypted or binary file, not read: it contains NUL bytes (UTF-16 text without a byte order mark? save it as UTF-8)"},
		{name: "UTF-32LE", data: []byte("\xff\xfe\x00\x00a\x00\x00\x00"),
			err: "unsupported 0:0 UTF-32 text, not read; save the file as UTF-8"},
		{name: "UTF-32BE", data: []byte("\x00\x00\xfe\xff\x00\x00\x00a"),
			err: "unsupported 0:0 UTF-32 text, not read; save the file as UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.data)
			if tt.err != "" {
				p := ReadProblem("f", err)
				if s := p.Code + " " + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column) + " " + p.Message; s != tt.err {
					t.Errorf("error %q\n       want %q", s, tt.err)
				}
				if got != nil {
					t.Errorf("text %q with the error", got)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("Decode = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestReadLimit: the size limit holds the text, once decoded: UTF-16 may take up to twice the limit
// on disk, and a file whose UTF-8 text is over the limit is refused whatever its encoding.
func TestReadLimit(t *testing.T) {
	const limit = 100
	ascii := strings.Repeat("a = 1\n", limit/6) // 96 bytes
	tests := []struct {
		name string
		data []byte
		want string // the text, or the problem "code message"
	}{
		{name: "UTF-8 at the limit", data: []byte(ascii + "#\n\n\n"), want: ascii + "#\n\n\n"},
		{name: "UTF-8 over the limit", data: []byte(ascii + "#\n\n\n\n"),
			want: "too-large file is 101 bytes, over the 100 bytes limit; not scanned"},
		{name: "UTF-8 byte order mark not counted", data: []byte("\xef\xbb\xbf" + ascii + "#\n\n\n"), want: ascii + "#\n\n\n"},
		{name: "UTF-16 twice the limit on disk", data: le(ascii + "#\n\n\n"), want: ascii + "#\n\n\n"},
		{name: "UTF-16 over twice the limit", data: le(ascii + "#\n\n\n\n"),
			want: "too-large file is 204 bytes, over the 100 bytes limit; not scanned"},
		{name: "UTF-16 whose accents take it over the limit", data: be(strings.Repeat("é", 51)),
			want: "too-large file is over the 100 bytes limit once converted from UTF-16BE to UTF-8; not scanned"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "f"+strconv.Itoa(i)+".tf")
			if err := os.WriteFile(p, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			data, err := ReadLimited(p, limit)
			got := string(data)
			if err != nil {
				got = ReadErrorCode(err) + " " + err.Error()
			}
			if got != tt.want {
				t.Errorf("ReadLimited = %q\n            want %q", got, tt.want)
			}
		})
	}
}

// TestWalkNotText: each file that looks like IaC and cannot be read as text is one problem, named,
// whether walked or named on the command line, and the rest of the tree is still read, decoded.
func TestWalkNotText(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"main.tf":               []byte("\xef\xbb\xbfresource \"aws_eks_cluster\" \"c\" {}\n"),
		"plan.json":             le("{\r\n  \"format_version\": \"1.2\"\r\n}\r\n"),
		"secrets.tf":            gitCrypted,
		"logo.yaml":             png,
		"stacks/odd.json":       le("{\r\n  \"a\": 1\r\n}", '\r'),
		"stacks/cluster.yml":    be("kind: ClusterConfig\n"),
		"stacks/notes.txt":      gitCrypted, // not IaC by name: not read while walking
		"terraform.tfvars.json": []byte("\x00\x00\x00\x00"),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantText := map[string]string{
		"main.tf":            "resource \"aws_eks_cluster\" \"c\" {}\n",
		"plan.json":          "{\r\n  \"format_version\": \"1.2\"\r\n}\r\n",
		"stacks/cluster.yml": "kind: ClusterConfig\n",
	}
	wantProblems := []string{
		"binary logo.yaml:3:1: encrypted or binary file, not read: it contains a NUL byte",
		"binary secrets.tf: encrypted by git-crypt, not read (run git-crypt unlock to scan it)",
		"syntax stacks/odd.json:3:2: not valid UTF-16LE: odd number of bytes: the last one (byte offset 30) is half a character; not read",
		"binary terraform.tfvars.json:1:1: encrypted or binary file, not read: it contains a NUL byte",
	}
	for _, paths := range [][]string{
		{"."},
		{"main.tf", "plan.json", "secrets.tf", "logo.yaml", "stacks/odd.json", "stacks/cluster.yml", "terraform.tfvars.json"},
	} {
		in, problems, err := Walk(context.Background(), paths, dir)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range in.Files {
			got[f.Name] = string(f.Data)
		}
		if len(got) != len(wantText) {
			t.Errorf("%v: files %v, want %d", paths, got, len(wantText))
		}
		for name, text := range wantText {
			if got[name] != text {
				t.Errorf("%v: %s = %q, want %q", paths, name, got[name], text)
			}
		}
		var ps []string
		for _, p := range SortProblems(problems) {
			ps = append(ps, p.Code+" "+p.String())
		}
		if strings.Join(ps, "\n") != strings.Join(wantProblems, "\n") {
			t.Errorf("%v: problems\n%s\nwant\n%s", paths, strings.Join(ps, "\n"), strings.Join(wantProblems, "\n"))
		}
	}
}

// FuzzDecode: Decode never panics; text it returns is valid UTF-8 when it came from UTF-16, the
// input itself (less a UTF-8 byte order mark) otherwise, never holds a NUL byte, and has as many
// lines as the input; an error is a *ReadError with a code.
func FuzzDecode(f *testing.F) {
	for _, s := range [][]byte{
		[]byte("a = 1\n"), []byte("\xef\xbb\xbfa: 1\r\n"), le("{\r\n\"a\": \"é🚀\"\r\n}\r\n"), be("a: 日本\n"),
		le("a", 0x00), le("b", 0x00, 0xdc), be("c", 0xd8, 0x00), gitCrypted, png, []byte("\xff\xfe\x00\x00"),
		[]byte("caf\xe9"), []byte("\xff\xfe\n"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text, err := Decode(data)
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) || re.Code == "" || re.Message == "" || re.Line < 0 || re.Column < 0 {
				t.Fatalf("error %#v", err)
			}
			return
		}
		if bytes.IndexByte(text, 0) >= 0 {
			t.Fatalf("text %q holds a NUL byte", text)
		}
		utf16In := bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff"))
		switch {
		case utf16In && !utf8.Valid(text):
			t.Fatalf("text %q from UTF-16 is not valid UTF-8", text)
		case utf16In:
			if n, want := bytes.Count(text, []byte("\n")), strings.Count(string(utf16.Decode(u16(data))), "\n"); n != want {
				t.Fatalf("text %q has %d line ends, the input %d", text, n, want)
			}
		case !bytes.Equal(text, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))):
			t.Fatalf("UTF-8 input %q changed to %q", data, text)
		}
	})
}

// u16 reads UTF-16 after its byte order mark into units.
func u16(data []byte) []uint16 {
	var out []uint16
	for i := 2; i+1 < len(data); i += 2 {
		if data[0] == 0xfe {
			out = append(out, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			out = append(out, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	return out
}
