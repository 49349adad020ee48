package terraform

import (
	"bytes"
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
