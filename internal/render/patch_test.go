package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/testenv"
)

// applyEdits applies edits to a text bottom-up, independently of the patch writer, to know what git
// apply must produce.
func applyEdits(t *testing.T, text string, edits []finding.Edit) string {
	t.Helper()
	noEOL := text != "" && !strings.HasSuffix(text, "\n")
	var lines []string
	if text != "" {
		lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	}
	crlf := strings.Contains(text, "\r\n")
	sorted := append([]finding.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Line != sorted[j].Line {
			return sorted[i].Line > sorted[j].Line
		}
		return sorted[i].Remove > sorted[j].Remove
	})
	for _, e := range sorted {
		ins := []string{}
		for _, l := range e.Insert {
			if crlf {
				l += "\r"
			}
			ins = append(ins, l)
		}
		tail := append([]string{}, lines[e.Line-1+e.Remove:]...)
		lines = append(append(lines[:e.Line-1], ins...), tail...)
	}
	out := strings.Join(lines, "\n")
	if !noEOL && len(lines) > 0 {
		out += "\n"
	}
	return out
}

const mainTF = `resource "aws_eks_cluster" "a" {
  name     = "a"
  role_arn = var.role

  vpc_config {
    subnet_ids = var.subnets
  }
}

resource "aws_eks_cluster" "b" {
  name     = "b"
  role_arn = var.role

  vpc_config {
    subnet_ids             = var.subnets
    endpoint_public_access = true
  }
}

resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = var.role
  vpc_config {
    endpoint_public_access = true
  }
}
`

func ins(line int, text ...string) finding.Edit {
	return finding.Edit{Line: line, Insert: text}
}

func rep(line, remove int, text ...string) finding.Edit {
	return finding.Edit{Line: line, Remove: remove, Insert: text}
}

type patchCase struct {
	name  string
	files map[string]string
	// fixes are attached to results in order; file is the name each fix edits.
	fixes []patchFix
	// skipped are the indexes of fixes that must be left out, with a note naming each.
	skipped []int
}

type patchFix struct {
	file  string
	edits []finding.Edit
	// results is how many results carry the same *finding.Fix (5.4.1 and 5.4.2).
	results int
}

var patchCases = []patchCase{
	{name: "insert inside a block", files: map[string]string{"main.tf": mainTF},
		fixes: []patchFix{{file: "main.tf", edits: []finding.Edit{ins(6, "    endpoint_private_access = true", "    endpoint_public_access = false")}, results: 2}}},
	{name: "two fixes in one file are separate hunks", files: map[string]string{"main.tf": mainTF},
		fixes: []patchFix{
			{file: "main.tf", edits: []finding.Edit{ins(6, "    endpoint_private_access = true", "    endpoint_public_access = false")}, results: 2},
			{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false")}, results: 1},
		}},
	{name: "nearby edits merge into one hunk", files: map[string]string{"main.tf": mainTF},
		fixes: []patchFix{
			{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false"), ins(21, "  # reviewed")}, results: 2},
			{file: "main.tf", edits: []finding.Edit{ins(24, "    endpoint_private_access = true"), rep(24, 1, "    endpoint_public_access = false")}, results: 2},
		}},
	{name: "identical edits of two fixes are taken once", files: map[string]string{"main.tf": mainTF},
		fixes: []patchFix{
			{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false")}, results: 1},
			{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false")}, results: 1},
		}},
	{name: "conflicting fix is left out", files: map[string]string{"main.tf": mainTF},
		fixes: []patchFix{
			{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false")}, results: 1},
			{file: "main.tf", edits: []finding.Edit{ins(6, "    endpoint_private_access = true"), rep(15, 2, "    subnet_ids = []")}, results: 1},
		},
		skipped: []int{1}},
	{name: "edit outside the file is left out", files: map[string]string{"main.tf": mainTF},
		fixes: []patchFix{
			{file: "main.tf", edits: []finding.Edit{rep(40, 1, "x")}, results: 1},
			{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false")}, results: 1},
		},
		skipped: []int{0}},
	{name: "several files", files: map[string]string{"b/main.tf": mainTF, "a.yaml": "a: 1\nb: 2\n"},
		fixes: []patchFix{
			{file: "b/main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false")}, results: 1},
			{file: "a.yaml", edits: []finding.Edit{rep(2, 1, "b: 3")}, results: 1},
		}},
	{name: "replace the last line without a newline", files: map[string]string{"x.yaml": "a: 1\nb: 2\nc: 3"},
		fixes: []patchFix{{file: "x.yaml", edits: []finding.Edit{rep(3, 1, "c: 4")}, results: 1}}},
	{name: "append after the last line without a newline", files: map[string]string{"x.yaml": "a: 1\nb: 2\nc: 3"},
		fixes: []patchFix{{file: "x.yaml", edits: []finding.Edit{ins(4, "d: 4", "e: 5")}, results: 1}}},
	{name: "append after the last line", files: map[string]string{"x.yaml": "a: 1\nb: 2\n"},
		fixes: []patchFix{{file: "x.yaml", edits: []finding.Edit{ins(3, "c: 3")}, results: 1}}},
	{name: "insert before the first line", files: map[string]string{"x.yaml": "a: 1\nb: 2\n"},
		fixes: []patchFix{{file: "x.yaml", edits: []finding.Edit{ins(1, "# header")}, results: 1}}},
	{name: "remove lines", files: map[string]string{"x.yaml": "a: 1\nb: 2\nc: 3\nd: 4\n"},
		fixes: []patchFix{{file: "x.yaml", edits: []finding.Edit{rep(2, 2)}, results: 1}}},
	{name: "empty file", files: map[string]string{"x.yaml": ""},
		fixes: []patchFix{{file: "x.yaml", edits: []finding.Edit{ins(1, "a: 1")}, results: 1}}},
	{name: "CRLF file keeps CRLF", files: map[string]string{"t.json": "{\r\n  \"A\": true,\r\n  \"B\": 1\r\n}\r\n"},
		fixes: []patchFix{{file: "t.json", edits: []finding.Edit{rep(2, 1, `  "A": false,`)}, results: 1}}},
	{name: "names with a space and a quote", files: map[string]string{"my stack.yaml": "a: 1\n", `say "hi".yaml`: "a: 1\n"},
		fixes: []patchFix{
			{file: "my stack.yaml", edits: []finding.Edit{rep(1, 1, "a: 2")}, results: 1},
			{file: `say "hi".yaml`, edits: []finding.Edit{rep(1, 1, "a: 3")}, results: 1},
		}},
}

// patchReport builds a report whose results carry the case's fixes; files are read from dir.
func patchReport(dir string, fixes []patchFix) *finding.Report {
	r := &finding.Report{}
	for i, pf := range fixes {
		fix := &finding.Fix{Description: fmt.Sprintf("fix %d", i)}
		for _, e := range pf.edits {
			e.File = pf.file
			if dir != "" {
				e.Path = filepath.Join(dir, filepath.FromSlash(pf.file))
			}
			fix.Edits = append(fix.Edits, e)
		}
		for n := 0; n < pf.results; n++ {
			r.Results = append(r.Results, finding.Result{Control: fmt.Sprintf("5.4.%d", n+1), Status: finding.Fail,
				Resource: finding.Resource{Type: finding.ResourceCluster, Name: fmt.Sprintf("cluster-%d", i)}, Fix: fix})
		}
	}
	r.Results = append(r.Results, finding.Result{Control: "5.4.1", Status: finding.Pass, Resource: finding.Resource{Type: finding.ResourceCluster, Name: "z"}})
	return r
}

func writePatch(t *testing.T, r *finding.Report) string {
	t.Helper()
	w, err := New("patch", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPatchGitApply renders each case, applies it with git apply in a fresh repository, and compares
// every file with the edits applied independently.
func TestPatchGitApply(t *testing.T) {
	testenv.RequireTool(t, "git")
	for _, tt := range patchCases {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			gitCmd(t, dir, "init", "-q")
			for name, text := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := writePatch(t, patchReport(dir, tt.fixes))
			skipped := map[int]bool{}
			for _, i := range tt.skipped {
				skipped[i] = true
				if !strings.Contains(out, fmt.Sprintf("# eksguard: left out the fix for cluster-%d: ", i)) {
					t.Errorf("no note for the fix left out (cluster-%d):\n%s", i, out)
				}
			}
			if n := strings.Count(out, "# eksguard: "); n != len(tt.skipped) {
				t.Errorf("%d notes, want %d:\n%s", n, len(tt.skipped), out)
			}
			patch := filepath.Join(t.TempDir(), "fix.patch")
			if err := os.WriteFile(patch, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			gitCmd(t, dir, "apply", "--check", patch)
			gitCmd(t, dir, "apply", patch)
			for name, text := range tt.files {
				var edits []finding.Edit
				for i, pf := range tt.fixes {
					if pf.file != name || skipped[i] {
						continue
					}
					for _, e := range pf.edits {
						dup := false
						for _, d := range edits {
							dup = dup || sameEdit(d, e)
						}
						if !dup {
							edits = append(edits, e)
						}
					}
				}
				want := applyEdits(t, text, edits)
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != want {
					t.Errorf("%s after git apply:\n%q\nwant\n%q\npatch:\n%s", name, got, want, out)
				}
			}
		})
	}
}

func TestPatchGolden(t *testing.T) {
	// Paths are left empty so the writer reads the files by their reported names, from testdata.
	t.Chdir(filepath.Join("testdata", "patch"))
	fixes := []patchFix{
		{file: "main.tf", edits: []finding.Edit{ins(6, "    endpoint_private_access = true", "    endpoint_public_access = false")}, results: 2},
		{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = false"), ins(21, "  # reviewed")}, results: 2},
		{file: "main.tf", edits: []finding.Edit{ins(24, "    endpoint_private_access = true"), rep(24, 1, "    endpoint_public_access = false")}, results: 2},
		{file: "main.tf", edits: []finding.Edit{rep(16, 1, "    endpoint_public_access = null")}, results: 1},
		{file: "my stack.yaml", edits: []finding.Edit{rep(3, 1, "c: 4")}, results: 1},
		{file: "gone.yaml", edits: []finding.Edit{rep(1, 1, "a: 2")}, results: 1},
	}
	out := writePatch(t, patchReport("", fixes))
	t.Chdir(filepath.Join("..", ".."))
	golden(t, "report.patch", []byte(out))
}

func TestPatchNoFixesPrintsNothing(t *testing.T) {
	tests := []struct {
		name string
		r    *finding.Report
	}{
		{"sample live report", sampleReport()},
		{"fix without edits", &finding.Report{Results: []finding.Result{{Status: finding.Fail, Fix: &finding.Fix{Description: "nothing to do"}}}}},
		{"empty", &finding.Report{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := writePatch(t, tt.r); out != "" {
				t.Errorf("output = %q", out)
			}
		})
	}
}

func TestPatchWriteError(t *testing.T) {
	w, _ := New("patch", Options{})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o644)
	r := patchReport(dir, []patchFix{{file: "main.tf", edits: []finding.Edit{rep(16, 1, "x")}, results: 1}})
	if err := w.Write(failWriter{}, r); err == nil {
		t.Error("write error not returned")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestOverlap(t *testing.T) {
	tests := []struct {
		name string
		a, b finding.Edit
		want bool
	}{
		{"disjoint replacements", rep(3, 2), rep(5, 1), false},
		{"overlapping replacements", rep(3, 2), rep(4, 2), true},
		{"insertions at one line", ins(4, "x"), ins(4, "y"), true},
		{"insertions at two lines", ins(4, "x"), ins(5, "y"), false},
		{"insertion before a replacement", ins(3, "x"), rep(3, 2), false},
		{"insertion after a replacement", ins(5, "x"), rep(3, 2), false},
		{"insertion inside a replacement", ins(4, "x"), rep(3, 2), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := overlap(tt.a, tt.b); got != tt.want {
				t.Errorf("overlap = %v", got)
			}
			if got := overlap(tt.b, tt.a); got != tt.want {
				t.Errorf("overlap reversed = %v", got)
			}
		})
	}
}

// FuzzPatch feeds the patch writer arbitrary files and edits: it must never panic, and whatever it
// takes must be a diff whose hunk headers count the lines that follow them.
func FuzzPatch(f *testing.F) {
	f.Add("a\nb\nc\n", 2, 1, "x", 3, 0, "y")
	f.Add("a\nb", 3, 0, "x\ny", 1, 2, "")
	f.Add("", 1, 0, "x", 1, 0, "x")
	f.Add("a\r\nb\r\n", 1, 1, "z", 9, 9, "q")
	f.Fuzz(func(t *testing.T, text string, l1, r1 int, i1 string, l2, r2 int, i2 string) {
		r := patchReport("", []patchFix{
			{file: "f.tf", edits: []finding.Edit{rep(l1, r1, i1)}, results: 1},
			{file: "f.tf", edits: []finding.Edit{rep(l2, r2, i2)}, results: 1},
		})
		var buf bytes.Buffer
		w := patchWriter{read: func(string) ([]byte, error) { return []byte(text), nil }}
		if err := w.Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		checkHunkCounts(t, buf.String())
	})
}

// checkHunkCounts verifies that every hunk has as many old and new lines as its header says.
func checkHunkCounts(t *testing.T, patch string) {
	t.Helper()
	lines := strings.Split(patch, "\n")
	for i := 0; i < len(lines); i++ {
		var os_, oc, ns, nc int
		if _, err := fmt.Sscanf(lines[i], "@@ -%d,%d +%d,%d @@", &os_, &oc, &ns, &nc); err != nil {
			continue
		}
		old, new := 0, 0
		for j := i + 1; j < len(lines) && (old < oc || new < nc || (j < len(lines) && strings.HasPrefix(lines[j], `\`))); j++ {
			switch {
			case strings.HasPrefix(lines[j], " "):
				old++
				new++
			case strings.HasPrefix(lines[j], "-"):
				old++
			case strings.HasPrefix(lines[j], "+"):
				new++
			case strings.HasPrefix(lines[j], `\`):
			default:
				t.Fatalf("hunk %q ends early at %q:\n%s", lines[i], lines[j], patch)
			}
		}
		if old != oc || new != nc {
			t.Fatalf("hunk %q has %d old and %d new lines:\n%s", lines[i], old, new, patch)
		}
	}
}

// TestPatchLeavesOutUTF16: a UTF-16 file (a template saved by a Windows editor) is scanned decoded,
// but a diff of its text would not apply to its bytes: the fix is left out, saying why.
func TestPatchLeavesOutUTF16(t *testing.T) {
	for _, bom := range [][]byte{{0xFF, 0xFE}, {0xFE, 0xFF}} {
		w := patchWriter{read: func(string) ([]byte, error) { return append(append([]byte{}, bom...), 'x', 0, '\n', 0), nil }}
		fix := &finding.Fix{Description: "set x", Edits: []finding.Edit{{File: "stack.yaml", Line: 1, Remove: 1, Insert: []string{"y"}}}}
		var out strings.Builder
		if err := w.Write(&out, &finding.Report{Results: []finding.Result{{Status: finding.Fail, Resource: finding.Resource{Name: "Cluster"}, Fix: fix}}}); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); !strings.HasPrefix(got, "# eksguard: left out the fix for Cluster: cannot read stack.yaml: it is saved as UTF-16") || strings.Contains(got, "diff --git") {
			t.Errorf("patch:\n%s", got)
		}
	}
}
