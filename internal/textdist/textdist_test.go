package textdist

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"scan", "", 4}, {"", "iac", 3}, {"scan", "scan", 0},
		{"sacn", "scan", 1},           // a transposition is one edit
		{"us-eats-1", "us-east-1", 1}, // likewise
		{"us-east1", "us-east-1", 1},  // an insertion
		{"région", "region", 1},       // runes, not bytes
		{"kitten", "sitting", 3},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}
