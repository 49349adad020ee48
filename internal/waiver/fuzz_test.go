package waiver

import (
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
)

// FuzzParse holds the waivers file reader to never panicking on any input.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Add([]byte("waivers:\n  - control: [\n"))
	f.Add([]byte("\ufeffwaivers: []\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := Parse("f.yaml", data)
		if err == nil {
			for _, w := range ws {
				if w.Reason == "" || (w.Control == "") == (w.CheckID == "") {
					t.Fatalf("accepted an incomplete waiver: %+v", w)
				}
			}
		}
	})
}

// FuzzInline holds the inline reader to never panicking, whatever the file and line: HCL when
// hcl is set, YAML or JSON otherwise.
func FuzzInline(f *testing.F) {
	f.Add([]byte(tf), true, uint16(6))
	f.Add([]byte(cfn), false, uint16(4))
	f.Add([]byte("# eksguard:ignore 5.4.2 reason=\"\\"), true, uint16(2))
	f.Fuzz(func(t *testing.T, data []byte, hcl bool, line uint16) {
		name := "t.yaml"
		if hcl {
			name = "main.tf"
		}
		ws, _ := Inline(name, data, int(line), finding.Resource{})
		for _, w := range ws {
			if w.Reason == "" || w.Expires.IsZero() {
				t.Fatalf("accepted an incomplete inline waiver: %+v", w)
			}
		}
	})
}
