package terraform

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksguard/eksguard/internal/finding"
)

// TestFmtAligned: an edit is realigned as terraform fmt would within its own top-level block, and a
// block fmt would change anyway is left as written.
func TestFmtAligned(t *testing.T) {
	src := `resource "aws_eks_cluster" "messy" {
  name = "messy"
  role_arn    = "arn:aws:iam::111111111111:role/eks"
}

resource "aws_eks_cluster" "tidy" {
  name     = "tidy"
  role_arn = "arn:aws:iam::111111111111:role/eks"
}
`
	file, diags := hclsyntax.ParseConfig([]byte(src), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	f := &srcFile{name: "main.tf", data: []byte(src), body: file.Body}
	line := `  enabled_cluster_log_types = ["api"]`
	tests := []struct {
		name  string
		edits []finding.Edit
		want  string
	}{
		{name: "tidy block realigned", edits: []finding.Edit{{Line: 8, Insert: []string{line}}},
			want: "resource \"aws_eks_cluster\" \"tidy\" {\n  name                      = \"tidy\"\n  enabled_cluster_log_types = [\"api\"]\n  role_arn                  = "},
		{name: "messy block left as written", edits: []finding.Edit{{Line: 3, Insert: []string{line}}},
			want: "  name = \"messy\"\n" + line + "\n  role_arn    = "},
		{name: "both at once", edits: []finding.Edit{{Line: 3, Insert: []string{line}}, {Line: 8, Insert: []string{line}}},
			want: "  name = \"messy\"\n" + line + "\n  role_arn    = "},
		{name: "an edit outside every block", edits: []finding.Edit{{Line: 5, Remove: 1, Insert: []string{"# note"}}}, want: "}\n# note\nresource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := finding.ApplyEdits(f.data, fmtAligned(f, tt.edits))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, tt.want)
			}
			// The tidy block is always as fmt writes it.
			tidy := out[bytes.Index(out, []byte(`resource "aws_eks_cluster" "tidy"`)):]
			if !bytes.Equal(hclwrite.Format(tidy), tidy) {
				t.Errorf("the tidy block is not as terraform fmt writes it:\n%s", tidy)
			}
		})
	}
}

// TestFmtAlignedAgreesWithFmt inserts an argument before every line inside a block of every
// fmt-clean fixture and compares eksguard's edit with what terraform fmt's formatter makes of the
// naive insertion: they must be the same file.
func TestFmtAlignedAgreesWithFmt(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "hcl", "*", "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	files, checked := 0, 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(hclwrite.Format(data), data) {
			continue
		}
		files++
		f := &srcFile{name: p, data: data}
		lines := fileLines(data)
		for i, l := range lines {
			// The new argument is indented like its neighbour in the same body: the line it goes
			// before, or the one after which it goes when that line closes the body.
			indent := func(l string) string { return l[:len(l)-len(strings.TrimLeft(l, " "))] }
			ind, text := indent(l), strings.TrimSpace(l)
			prev := ""
			if i > 0 {
				prev = strings.TrimSpace(lines[i-1])
			}
			if strings.HasPrefix(text, "}") || strings.HasPrefix(text, "]") {
				if i == 0 || strings.HasSuffix(prev, "{") || strings.HasSuffix(prev, "[") || prev == "" {
					continue
				}
				ind = indent(lines[i-1])
			}
			if ind == "" || text == "" || strings.HasSuffix(prev, "[") || strings.HasSuffix(prev, ",") || strings.HasPrefix(text, "<<") || strings.HasPrefix(text, "\"") {
				continue
			}
			for _, arg := range []string{"x = true", "a_much_longer_argument_name = [\"api\", \"audit\"]"} {
				edit := finding.Edit{Line: i + 1, Insert: []string{ind + arg}}
				naive, _ := finding.ApplyEdits(data, []finding.Edit{edit})
				want := hclwrite.Format(naive)
				got, err := finding.ApplyEdits(data, fmtAligned(f, []finding.Edit{edit}))
				if err != nil {
					t.Fatal(err)
				}
				checked++
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: %q before line %d:\ngot:\n%s\nterraform fmt:\n%s", p, arg, i+1, got, want)
				}
			}
		}
	}
	if files < 5 || checked < 100 {
		t.Fatalf("only %d fmt-clean fixtures and %d insertions checked", files, checked)
	}
}
