package terraform

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// powerShell saves text as PowerShell 5's > does: UTF-16LE with a byte order mark, CRLF line ends.
func powerShell(text string) string {
	var out []byte
	for _, u := range append([]uint16{0xfeff}, utf16.Encode([]rune(strings.ReplaceAll(text, "\n", "\r\n")))...) {
		out = append(out, byte(u), byte(u>>8))
	}
	return string(out)
}

const gitCrypted = "\x00GITCRYPT\x00\x8f\x1c\x92\x04\xa7\x3e\x55\x10\xd2\x6b\x09\xee\x00\"{\n\x00}\n"

// TestEncodedReads: the files the adapter reads itself, beside those the walk hands it (module
// folders outside the walk, .terraform/modules/modules.json, -var-file), are decoded the same way, and
// each one that is not text is one problem.
func TestEncodedReads(t *testing.T) {
	dir := tree(t, map[string]string{
		"main.tf": "module \"local\" {\n  source = \"./vendor/eks\"\n}\n\n" +
			"module \"eks\" {\n  source  = \"terraform-aws-modules/eks/aws\"\n  version = \">= 18.0\"\n\n  cluster_name = \"main\"\n  subnet_ids   = [\"subnet-1\"]\n}\n\n" +
			"variable \"cidrs\" {\n  type = list(string)\n}\n\n" +
			"resource \"aws_eks_cluster\" \"root\" {\n  name     = \"root\"\n  role_arn = \"arn:aws:iam::111111111111:role/eks\"\n\n  vpc_config {\n    subnet_ids              = [\"subnet-1\"]\n    endpoint_private_access = true\n    public_access_cidrs     = var.cidrs\n  }\n}\n",
		"vendor/eks/variables.tf": powerShell("# Équipe données\nvariable \"public\" {\n  type    = bool\n  default = false\n}\n"),
		"vendor/eks/cluster.tf":   "\xef\xbb\xbf" + cluster("vendored", "var.public"),
		"vendor/eks/secrets.tf":   gitCrypted,
		".terraform/modules/modules.json": "\xef\xbb\xbf" + `{"Modules":[{"Key":"","Source":"","Dir":"."},` +
			`{"Key":"eks","Source":"registry.terraform.io/terraform-aws-modules/eks/aws","Version":"18.31.2","Dir":".terraform/modules/eks"}]}`,
		"prod.tfvars.ps1out":  powerShell("# « bureau »\ncidrs = [\"203.0.113.0/24\"]\n"),
		"crypted.tfvars.data": gitCrypted,
	})
	res := walkScan(t, dir, iac.Options{VarFiles: []string{
		filepath.Join(dir, "prod.tfvars.ps1out"), filepath.Join(dir, "crypted.tfvars.data"),
	}})

	if v := verdict(t, res, "module.local.aws_eks_cluster.vendored"); v.Status != finding.Pass {
		t.Errorf("vendored module cluster: %s (%s), want PASS from the UTF-16 variables.tf default", v.Status, v.Reason)
	}
	var root, mod *iac.Resource
	for i, r := range res.Resources {
		switch r.Cluster.Name {
		case "aws_eks_cluster.root":
			root = &res.Resources[i]
		case "module.eks.aws_eks_cluster.this[0]":
			mod = &res.Resources[i]
		}
	}
	if root == nil || mod == nil {
		t.Fatalf("clusters %v, problems:\n%s", res.Resources, problemStrings(res.Problems))
	}
	if got := root.Cluster.PublicAccessCIDRs.Values; len(got) != 1 || got[0] != "203.0.113.0/24" {
		t.Errorf("root cluster CIDRs %v, want the UTF-16 -var-file's", got)
	}
	if d := details(mod.Cluster); !strings.Contains(d, "18.31.2 installed") {
		t.Errorf("module details %q do not use modules.json with a byte order mark", d)
	}
	want := []string{
		filepath.ToSlash(filepath.Join(dir, "crypted.tfvars.data")) + ": -var-file: encrypted by git-crypt, not read (run git-crypt unlock to scan it)",
		"vendor/eks/secrets.tf: encrypted by git-crypt, not read (run git-crypt unlock to scan it)",
	}
	if got := problemStrings(iac.SortProblems(res.Problems)); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	for _, p := range res.Problems {
		if wantCode := map[bool]string{true: finding.ProblemFlag, false: finding.ProblemBinary}[strings.Contains(p.Message, "-var-file")]; p.Code != wantCode {
			t.Errorf("%s: code %s, want %s", p, p.Code, wantCode)
		}
	}
}

// TestUnreadableModulesJSON: modules.json that is not text is a problem, and versions are then
// chosen from the constraint.
func TestUnreadableModulesJSON(t *testing.T) {
	dir := tree(t, map[string]string{
		"main.tf":                         "module \"eks\" {\n  source  = \"terraform-aws-modules/eks/aws\"\n  version = \"~> 18.0\"\n\n  cluster_name = \"main\"\n  subnet_ids   = [\"subnet-1\"]\n}\n",
		".terraform/modules/modules.json": "\xff\xfe{\x00\"",
	})
	res := walkScan(t, dir, iac.Options{})
	want := ".terraform/modules/modules.json:1:2: not valid UTF-16LE: odd number of bytes: the last one (byte offset 4) is half a character; not read (installed module versions are not known)"
	if got := problemStrings(res.Problems); got != want {
		t.Errorf("problems:\n%s\nwant\n%s", got, want)
	}
	if len(res.Resources) != 1 {
		t.Errorf("%d clusters, want the module's", len(res.Resources))
	}
}
