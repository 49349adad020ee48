package finding

import "testing"

func TestApplyEdits(t *testing.T) {
	tests := []struct {
		name, in, want string
		edits          []Edit
		wantErr        bool
	}{
		{"replace", "a\nb\nc\n", "a\nB\nc\n", []Edit{{Line: 2, Remove: 1, Insert: []string{"B"}}}, false},
		{"insert before", "a\nb\n", "a\nx\nb\n", []Edit{{Line: 2, Insert: []string{"x"}}}, false},
		{"append at end", "a\n", "a\nz\n", []Edit{{Line: 2, Insert: []string{"z"}}}, false},
		{"several, any order", "a\nb\nc\n", "A\nb\nC\nd\n", []Edit{{Line: 1, Remove: 1, Insert: []string{"A"}}, {Line: 3, Remove: 1, Insert: []string{"C", "d"}}}, false},
		{"no trailing newline kept", "a\nb", "a\nB", []Edit{{Line: 2, Remove: 1, Insert: []string{"B"}}}, false},
		{"empty file is one empty line", "", "x\n", []Edit{{Line: 1, Insert: []string{"x"}}}, false},
		{"outside the file", "a\n", "", []Edit{{Line: 3, Remove: 1}}, true},
		{"overlapping", "a\nb\nc\n", "", []Edit{{Line: 1, Remove: 2}, {Line: 2, Remove: 1}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyEdits([]byte(tt.in), tt.edits)
			if (err != nil) != tt.wantErr || (err == nil && string(got) != tt.want) {
				t.Errorf("got %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
