package escape

import "testing"

func TestText(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain text is unchanged", "main.tf:12: public endpoint is open", "main.tf:12: public endpoint is open"},
		{"empty", "", ""},
		{"unicode letters stay", "clusters/prod-é/main.tf ✓", "clusters/prod-é/main.tf ✓"},
		{"newline cannot fake a summary line", "a.tf\nSummary: 0 FAIL", `a.tf\nSummary: 0 FAIL`},
		{"escape sequence cannot clear the screen", "x\x1b[2J\x1b[H.tf", `x\x1b[2J\x1b[H.tf`},
		{"carriage return and tab", "a\rb\tc", `a\rb\tc`},
		{"DEL and C1 CSI", "a\x7fb\u009bc", `a\x7fb\x9bc`},
		{"invalid UTF-8 byte", "a\xffb", `a\xffb`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"first, middle and last", "\x00a\x01b\x02", `\x00a\x01b\x02`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLines(t *testing.T) {
	if got, want := Lines("a\x1b\nb"), "a\\x1b\nb"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

func FuzzText(f *testing.F) {
	f.Add("a\nb\x1b[2J\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		for i, r := range out {
			if unsafe(r) || (r == 0xfffd && out[i:i+3] != "\uFFFD") {
				t.Fatalf("Text(%q) = %q keeps %U at %d", s, out, r, i)
			}
		}
	})
}
