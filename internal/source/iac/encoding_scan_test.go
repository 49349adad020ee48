package iac_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	cmdiac "github.com/eksguard/eksguard/internal/cmd/iac"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/iostreams"
)

// encoding is how a test saves a UTF-8 fixture, as the tool named in each case would.
type encoding struct {
	name string
	crlf bool
	save func(text []byte) []byte
}

var (
	utf8Plain = encoding{name: "UTF-8", save: func(b []byte) []byte { return b }}
	utf8BOM   = encoding{name: "UTF-8 with BOM", save: func(b []byte) []byte { return append([]byte("\xef\xbb\xbf"), b...) }}
	// PowerShell 5's > and Out-File: UTF-16LE with a byte order mark and CRLF line endings.
	powerShell = encoding{name: "UTF-16LE with BOM and CRLF (PowerShell)", crlf: true, save: func(b []byte) []byte { return utf16With(b, false) }}
	utf16BE    = encoding{name: "UTF-16BE with BOM", save: func(b []byte) []byte { return utf16With(b, true) }}
)

// utf16With encodes UTF-8 text as UTF-16 with its byte order mark.
func utf16With(text []byte, bigEndian bool) []byte {
	units := utf16.Encode([]rune(string(text)))
	out := make([]byte, 0, 2+2*len(units))
	for _, u := range append([]uint16{0xfeff}, units...) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// copyFixtures writes the fixture tree to dir, every file saved in enc, and returns dir.
func copyFixtures(t *testing.T, dir string, enc encoding) string {
	t.Helper()
	src := filepath.Join("testdata", "encoding")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if enc.crlf {
			data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		}
		out := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, enc.save(data), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanReport runs eksguard iac's scan over paths in dir, as the command does, and returns the
// results and problems as JSON lines (without the report's date), one per result.
func scanReport(t *testing.T, dir string, varFiles []string, paths ...string) (results, problems []string) {
	t.Helper()
	io, _, _, _ := iostreams.Test()
	rep, err := cmdiac.Scan(context.Background(), &cmdiac.Options{IO: io, Paths: paths, VarFiles: varFiles, Dir: dir, Format: "json", Target: "private"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, string(b))
	}
	for _, p := range rep.Problems {
		problems = append(problems, p.Code+" "+p.String())
	}
	return results, problems
}

// verdicts are the results as "control status cluster file:line".
func verdicts(t *testing.T, results []string) []string {
	t.Helper()
	var out []string
	for _, line := range results {
		var r finding.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		loc := "-"
		if r.Location != nil {
			loc = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Line)
		}
		out = append(out, strings.Join([]string{r.Control, string(r.Status), r.Resource.Name, loc}, " "))
	}
	return out
}

// TestEncodingsScanAlike: the fixture tree (a plan, Terraform with terraform.tfvars and a -var-file,
// a CloudFormation template, an eksctl config, with accented letters and an emoji) saved in each
// encoding gives exactly the results and problems of the same tree in UTF-8 with the same line
// endings, walked and with each file named.
func TestEncodingsScanAlike(t *testing.T) {
	for _, enc := range []encoding{utf8BOM, powerShell, utf16BE} {
		t.Run(enc.name, func(t *testing.T) {
			base := utf8Plain
			base.crlf = enc.crlf
			wantDir := copyFixtures(t, t.TempDir(), base)
			gotDir := copyFixtures(t, t.TempDir(), enc)
			for _, paths := range [][]string{
				{"."},
				{"plan/plan.json", "terraform", "cloudformation/cluster.yaml", "eksctl/cluster.yaml"},
			} {
				varFiles := []string{"vars/prod.tfvars"}
				want, wantProblems := scanReport(t, wantDir, varFiles, paths...)
				got, gotProblems := scanReport(t, gotDir, varFiles, paths...)
				if len(want) == 0 {
					t.Fatalf("%v: no results from the UTF-8 tree", paths)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%v: results differ from UTF-8:\n got %s\nwant %s", paths, strings.Join(verdicts(t, got), "\n     "), strings.Join(verdicts(t, want), "\n     "))
				}
				if strings.Join(gotProblems, "\n") != strings.Join(wantProblems, "\n") {
					t.Errorf("%v: problems %q, want %q", paths, gotProblems, wantProblems)
				}
			}
		})
	}
}

// TestUTF16VerdictLines: verdicts in a tree saved by PowerShell (UTF-16LE, byte order mark, CRLF)
// point at the lines a text editor shows: the mark is not a line and CRLF is one line end.
func TestUTF16VerdictLines(t *testing.T) {
	dir := copyFixtures(t, t.TempDir(), powerShell)
	results, problems := scanReport(t, dir, []string{"vars/prod.tfvars"}, ".")
	got := map[string]bool{}
	for _, v := range verdicts(t, results) {
		got[v] = true
	}
	for _, want := range []string{
		"5.4.2 FAIL aws_eks_cluster.public plan/plan.json:6",
		"5.4.2 PASS aws_eks_cluster.private plan/plan.json:30",
		"5.4.2 FAIL aws_eks_cluster.data terraform/main.tf:9",
		"5.4.2 FAIL DataCluster cloudformation/cluster.yaml:13",
		"5.4.1 FAIL eksctl-data eksctl/cluster.yaml:11",
		"5.4.2 FAIL eksctl-data eksctl/cluster.yaml:9",
	} {
		if !got[want] {
			t.Errorf("no verdict %q among\n%s", want, strings.Join(verdicts(t, results), "\n"))
		}
	}
	if len(problems) != 0 {
		t.Errorf("problems %q", problems)
	}
	// terraform.tfvars (public = true) and the -var-file (the office range) were both read.
	const fromVarFiles = `"endpointPublicAccess":true,"endpointPrivateAccess":false,"publicAccessCidrs":["203.0.113.0/24"]`
	found := false
	for _, r := range results {
		if strings.Contains(r, `"name":"aws_eks_cluster.data"`) && strings.Contains(r, `"control":"5.4.2"`) {
			found = true
			if !strings.Contains(r, fromVarFiles) {
				t.Errorf("aws_eks_cluster.data without the values of its variable files: %s", r)
			}
		}
	}
	if !found {
		t.Error("no 5.4.2 result for aws_eks_cluster.data")
	}
}

// TestUTF16ProblemLines: a problem in a UTF-16 file is at the line of the file.
func TestUTF16ProblemLines(t *testing.T) {
	dir := t.TempDir()
	broken := "resource \"aws_eks_cluster\" \"c\" {\r\n  name = \"c\"\r\n\r\n  vpc_config {\r\n    subnet_ids = [\"subnet-1\"\r\n  }\r\n}\r\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), powerShell.save([]byte(broken)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, problems := scanReport(t, dir, nil, ".")
	if len(problems) == 0 || !strings.HasPrefix(problems[0], "syntax main.tf:6:") {
		t.Errorf("problems %q, want the missing ] at main.tf:6", problems)
	}
}

// TestNotTextOneProblemEach: a git-crypt encrypted .tf, an image named .yaml, a UTF-16 plan cut at an
// odd byte and a .tf with a NUL byte are one problem each, named or walked, where a parser would
// report one per stray byte; the rest of the tree gives its results as without them.
func TestNotTextOneProblemEach(t *testing.T) {
	clean := copyFixtures(t, t.TempDir(), powerShell)
	dir := copyFixtures(t, t.TempDir(), powerShell)
	crypted := append([]byte("\x00GITCRYPT\x00\x8f\x1c\x92\x04\xa7\x3e\x55\x10\xd2\x6b\x09\xee"), bytes.Repeat([]byte{0xa3, 0x11, 0x7f, 0xc0, 0x00, '"', '{', '\n'}, 512)...)
	plan, err := os.ReadFile(filepath.Join(dir, "plan", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"terraform/secrets.tf":      crypted,
		"cloudformation/logo.yaml":  append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0x00, 0x10, 0x08, 0x06, '{', ':', '\n'}, 300)...),
		"plan/cut.json":             plan[:len(plan)-1],
		"terraform/nul/broken.tf":   []byte("resource \"aws_eks_cluster\" \"x\" {\n  name = \"x\x00\x00\x00\x00\"\n" + strings.Repeat("\x00", 200) + "}\n"),
		"terraform/nul/versions.tf": []byte("terraform {}\n"),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"binary cloudformation/logo.yaml:3:1: encrypted or binary file, not read: it contains a NUL byte",
		"syntax plan/cut.json:53:3: not valid UTF-16LE: odd number of bytes: the last one (byte offset " + strconv.Itoa(len(plan)-2) + ") is half a character; not read",
		"binary terraform/nul/broken.tf:2:12: encrypted or binary file, not read: it contains a NUL byte",
		"binary terraform/secrets.tf: encrypted by git-crypt, not read (run git-crypt unlock to scan it)",
	}
	wantResults, _ := scanReport(t, clean, []string{"vars/prod.tfvars"}, ".")
	for _, paths := range [][]string{
		{"."},
		{".", "terraform/secrets.tf", "cloudformation/logo.yaml", "plan/cut.json", "terraform/nul/broken.tf"},
	} {
		results, problems := scanReport(t, dir, []string{"vars/prod.tfvars"}, paths...)
		if strings.Join(problems, "\n") != strings.Join(want, "\n") {
			t.Errorf("%v: problems\n%s\nwant\n%s", paths, strings.Join(problems, "\n"), strings.Join(want, "\n"))
		}
		if strings.Join(results, "\n") != strings.Join(wantResults, "\n") {
			t.Errorf("%v: results\n%s\nwant those of the tree without the files:\n%s", paths, strings.Join(verdicts(t, results), "\n"), strings.Join(verdicts(t, wantResults), "\n"))
		}
	}
}
