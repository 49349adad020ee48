package waiver

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
)

func entries(ws []Waiver) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Entry+" "+w.Control+w.CheckID+" "+w.Reason+" "+w.ExpiresText())
	}
	return strings.Join(out, "; ")
}

const tf = `resource "aws_eks_cluster" "first" {
  name = "first" # eksguard:ignore 2.1.1 reason="org trail" expires=2027-01-01
}
# unrelated comment
# eksguard:ignore 5.4.2,5.4.1 reason="allowlisted by design, reviewed 2026-10" expires=2027-06-30
resource "aws_eks_cluster" "second" {
  name = "second"
  vpc_config {
    # eksguard:ignore eks-secrets-encryption reason="say \"hi\"" expires=2027-02-01
    subnet_ids = ["a"]
  }
  /* eksguard:ignore 4.1.7 reason="block comment" expires=2027-03-01 */
}

// eksguard:ignore 5.3.1 reason="third" expires=2027-04-01
resource "aws_eks_cluster" "third" {
  name = "${var.x}" # not a waiver: eksguard:ignore 5.4.2
}
`

func TestInlineTerraform(t *testing.T) {
	res := finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.second", File: "main.tf"}
	for name, data := range map[string]string{"lf": tf, "crlf": strings.ReplaceAll(tf, "\n", "\r\n")} {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				line int
				want string
			}{
				{1, "main.tf:2 2.1.1 org trail 2027-01-01"},
				{6, `main.tf:9 eks-secrets-encryption say "hi" 2027-02-01; main.tf:12 4.1.7 block comment 2027-03-01; main.tf:5 5.4.2 allowlisted by design, reviewed 2026-10 2027-06-30; main.tf:5 5.4.1 allowlisted by design, reviewed 2026-10 2027-06-30`},
				{16, "main.tf:15 5.3.1 third 2027-04-01"},
			} {
				ws, errs := Inline("main.tf", []byte(data), tc.line, res)
				if len(errs) > 0 {
					t.Fatalf("line %d: %v", tc.line, errs)
				}
				if got := entries(ws); got != tc.want {
					t.Errorf("line %d:\n got %s\nwant %s", tc.line, got, tc.want)
				}
			}
		})
	}
}

func TestInlineScope(t *testing.T) {
	res := finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.first", File: "main.tf", Root: "."}
	ws, _ := Inline("main.tf", []byte(tf), 1, res)
	if len(ws) != 1 {
		t.Fatal(ws)
	}
	mine := finding.Result{Control: "2.1.1", Status: finding.Fail, Resource: res}
	other := mine
	other.Resource.Name = "aws_eks_cluster.second"
	if !ws[0].Match(&mine) || ws[0].Match(&other) {
		t.Error("an inline waiver covers its own resource only")
	}
}

func TestInlineErrors(t *testing.T) {
	for _, tc := range []struct{ comment, want string }{
		{`# eksguard:ignore reason="x" expires=2027-01-01`, "name the controls or checks"},
		{`# eksguard:ignore 5.4.2 expires=2027-01-01`, "reason"},
		{`# eksguard:ignore 5.4.2 reason="x"`, "expires=YYYY-MM-DD is required"},
		{`# eksguard:ignore 5.4.2 reason="x" expires=tomorrow`, `"tomorrow" is not a date`},
		{`# eksguard:ignore 9.9 reason="x" expires=2027-01-01`, `"9.9" is neither a control`},
		{`# eksguard:ignore 5.4.2 reason="open expires=2027-01-01`, "no closing quote"},
		{`# eksguard:ignore 5.4.2 owner=me reason="x" expires=2027-01-01`, `unknown key "owner"`},
		{`# eksguard:ignore 5.4.2 reason=a reason=b expires=2027-01-01`, "reason is given twice"},
	} {
		data := tc.comment + "\nresource \"aws_eks_cluster\" \"x\" {\n}\n"
		ws, errs := Inline("m.tf", []byte(data), 2, finding.Resource{})
		if len(ws) != 0 || len(errs) != 1 || errs[0].Line != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%s: waivers %v, errors %v; want one error at m.tf:1 with %q", tc.comment, entries(ws), errs, tc.want)
		}
	}
	// Text that merely mentions the directive is not one.
	for _, c := range []string{"# see eksguard:ignore in the docs", "# eksguard:ignored 5.4.2", "# eksguard:ignore:5.4.2"} {
		ws, errs := Inline("m.tf", []byte(c+"\nresource \"a\" \"b\" {\n}\n"), 2, finding.Resource{})
		if len(ws)+len(errs) != 0 {
			t.Errorf("%s: %v %v", c, entries(ws), errs)
		}
	}
}

const cfn = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # eksguard:ignore 5.4.2 reason="allowlisted" expires=2027-06-30
  Cluster:
    Type: AWS::EKS::Cluster
    Metadata:
      eksguard:
        ignore:
          - control: "2.1.1"
            reason: org trail
            expires: 2027-01-01
          - 5.3.1 reason="rotation project" expires=2027-02-01
    Properties:
      Name: "a # not a comment eksguard:ignore 4.1.7"
      # eksguard:ignore 4.1.7 reason="later" expires=2027-03-01
  Other:
    Type: AWS::EKS::Cluster
    # eksguard:ignore 5.4.1 reason="other" expires=2027-04-01
`

func TestInlineCloudFormation(t *testing.T) {
	ws, errs := Inline("t.yaml", []byte(cfn), 4, finding.Resource{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := `t.yaml:3 5.4.2 allowlisted 2027-06-30; t.yaml:15 4.1.7 later 2027-03-01; t.yaml:9 2.1.1 org trail 2027-01-01; t.yaml:12 5.3.1 rotation project 2027-02-01`
	if got := entries(ws); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// JSON templates have no comments, only Metadata.
	js := `{"Resources": {
  "Cluster": {
    "Type": "AWS::EKS::Cluster",
    "Metadata": {"eksguard": {"ignore": [{"check": "eks-endpoint-private", "reason": "json", "expires": "2027-05-01"}]}}
  }
}}`
	ws, errs = Inline("t.json", []byte(js), 2, finding.Resource{})
	if len(errs) > 0 || entries(ws) != "t.json:4 eks-endpoint-private json 2027-05-01" {
		t.Errorf("json: %s %v", entries(ws), errs)
	}
	bad := strings.Replace(cfn, "            reason: org trail\n", "", 1)
	if _, errs := Inline("t.yaml", []byte(bad), 4, finding.Resource{}); len(errs) != 1 || !strings.Contains(errs[0].Error(), "t.yaml:9: Metadata.eksguard.ignore: reason is required") {
		t.Errorf("metadata without reason: %v", errs)
	}
}

func TestInlineYAMLDocuments(t *testing.T) {
	data := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x # eksguard:ignore 5.4.2 reason=\"cm\" expires=2027-01-01\n---\n# eksguard:ignore 5.4.1 reason=\"ours\" expires=2027-01-01\napiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\n"
	ws, errs := Inline("c.yaml", []byte(data), 10, finding.Resource{}) // eksctl: the line of metadata.name
	if len(errs) > 0 || entries(ws) != "c.yaml:6 5.4.1 ours 2027-01-01" {
		t.Errorf("the eksctl document only: %s %v", entries(ws), errs)
	}
}
