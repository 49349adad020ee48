package iac

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/model"
)

// tree writes files (slash paths relative to dir) with small contents.
func tree(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("# "+f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func names(in *Input) []string {
	out := []string{}
	for _, f := range in.Files {
		n := f.Name
		if f.Explicit {
			n += " (explicit)"
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func problemStrings(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestWalk(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	base := t.TempDir()
	cwd := filepath.Join(base, "repo")
	outside := filepath.Join(base, "outside")
	tree(t, cwd,
		"main.tf", "vars.tfvars", "plan.tf.json", "README.md", "logo.png",
		"stacks/eks.yaml", "stacks/eks.YML", "stacks/cfn.template", "stacks/notes.txt",
		".git/hooks/x.yaml", "node_modules/pkg/package.json", ".terraform/modules/eks/main.tf",
		"vendor/mod/main.tf", ".terragrunt-cache/abc/main.tf", ".aws-sam/build/template.yaml",
		"cdk.out/Stack.template.json", ".github/workflows/ci.yml",
		"plan-without-extension",
	)
	tree(t, outside, "shared.tf", "other/main.tf")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(cwd, "main.tf"), filepath.Join(cwd, "stacks", "linked.tf")))
	must(os.Symlink(filepath.Join(outside, "shared.tf"), filepath.Join(cwd, "stacks", "escape.tf")))
	must(os.Symlink(cwd, filepath.Join(cwd, "stacks", "loop.yaml")))
	must(os.Symlink(filepath.Join(cwd, "nowhere.tf"), filepath.Join(cwd, "dangling.tf")))
	must(os.Symlink(filepath.Join(cwd, "stacks"), filepath.Join(base, "stacks-link")))
	must(os.WriteFile(filepath.Join(cwd, "huge.json"), make([]byte, MaxFileSize+1), 0o644))

	walked := []string{
		".github/workflows/ci.yml", "cdk.out/Stack.template.json", "main.tf", "plan.tf.json",
		"stacks/cfn.template", "stacks/eks.YML", "stacks/eks.yaml", "stacks/linked.tf", "vars.tfvars",
	}
	tests := []struct {
		name     string
		paths    []string
		files    []string
		problems []string
		err      string
	}{
		{name: "folder skips caches, dependencies and other file types", paths: []string{"."}, files: walked,
			problems: []string{
				"huge.json: file is 10485761 bytes, over the 10485760-byte limit; not scanned",
				"stacks/escape.tf: symbolic link to " + filepath.ToSlash(filepath.Join(outside, "shared.tf")) + ", outside the folder being scanned; not followed (scan a folder that contains both)",
			}},
		{name: "named files are read whatever their name or folder", paths: []string{"plan-without-extension", ".terraform/modules/eks/main.tf", "README.md"},
			files: []string{".terraform/modules/eks/main.tf (explicit)", "README.md (explicit)", "plan-without-extension (explicit)"}},
		{name: "named skipped folder is walked", paths: []string{"vendor"}, files: []string{"vendor/mod/main.tf"}},
		{name: "file reached twice is read once and counts as named", paths: []string{"stacks", "stacks/eks.yaml", "./stacks/eks.yaml"},
			files: []string{"stacks/cfn.template", "stacks/eks.YML", "stacks/eks.yaml (explicit)"},
			problems: []string{
				"stacks/escape.tf: symbolic link to " + filepath.ToSlash(filepath.Join(outside, "shared.tf")) + ", outside the folder being scanned; not followed (scan a folder that contains both)",
				"stacks/linked.tf: symbolic link to " + filepath.ToSlash(filepath.Join(cwd, "main.tf")) + ", outside the folder being scanned; not followed (scan a folder that contains both)",
			}},
		{name: "files outside the working directory are named absolutely", paths: []string{"../outside"},
			files: []string{filepath.ToSlash(filepath.Join(outside, "other/main.tf")), filepath.ToSlash(filepath.Join(outside, "shared.tf"))}},
		{name: "absolute path under the working directory is named relatively", paths: []string{filepath.Join(cwd, "stacks", "eks.yaml")},
			files: []string{"stacks/eks.yaml (explicit)"}},
		{name: "a linked folder named on the command line is walked", paths: []string{"../stacks-link"},
			files: []string{
				filepath.ToSlash(filepath.Join(base, "stacks-link/cfn.template")), filepath.ToSlash(filepath.Join(base, "stacks-link/eks.YML")),
				filepath.ToSlash(filepath.Join(base, "stacks-link/eks.yaml")),
			},
			problems: []string{
				filepath.ToSlash(filepath.Join(base, "stacks-link/escape.tf")) + ": symbolic link to " + filepath.ToSlash(filepath.Join(outside, "shared.tf")) + ", outside the folder being scanned; not followed (scan a folder that contains both)",
				filepath.ToSlash(filepath.Join(base, "stacks-link/linked.tf")) + ": symbolic link to " + filepath.ToSlash(filepath.Join(cwd, "main.tf")) + ", outside the folder being scanned; not followed (scan a folder that contains both)",
			}},
		{name: "named big file is a problem", paths: []string{"huge.json"}, files: []string{},
			problems: []string{"huge.json: file is 10485761 bytes, over the 10485760-byte limit; not scanned"}},
		{name: "missing paths are an error naming each", paths: []string{"main.tf", "nope", "gone/x.tf"}, err: "no such file or directory: nope, gone/x.tf"},
		{name: "no paths", paths: nil, files: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, problems, err := Walk(context.Background(), tt.paths, cwd)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(in); !reflect.DeepEqual(got, tt.files) {
				t.Errorf("files =\n%q\nwant\n%q", got, tt.files)
			}
			want := tt.problems
			if want == nil {
				want = []string{}
			}
			if got := problemStrings(SortProblems(problems)); !reflect.DeepEqual(got, want) {
				t.Errorf("problems =\n%q\nwant\n%q", got, want)
			}
			if !reflect.DeepEqual(in.Roots, tt.paths) && !(len(in.Roots) == 0 && len(tt.paths) == 0) {
				t.Errorf("roots = %q", in.Roots)
			}
			for _, f := range in.Files {
				if !filepath.IsAbs(f.Path) {
					t.Errorf("%s: path %q is not absolute", f.Name, f.Path)
				}
				if data, err := os.ReadFile(f.Path); err != nil || string(data) != string(f.Data) {
					t.Errorf("%s: data differs from the file at %s (%v)", f.Name, f.Path, err)
				}
			}
		})
	}
}

func TestWalkUnreadable(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("permissions are not enforced for root or on Windows")
	}
	cwd := t.TempDir()
	tree(t, cwd, "ok.tf", "locked/main.tf", "secret.yaml")
	if err := os.Chmod(filepath.Join(cwd, "locked"), 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(cwd, "locked"), 0o755) })
	if err := os.Chmod(filepath.Join(cwd, "secret.yaml"), 0o000); err != nil {
		t.Fatal(err)
	}
	in, problems, err := Walk(context.Background(), []string{"."}, cwd)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(in); !reflect.DeepEqual(got, []string{"ok.tf"}) {
		t.Errorf("files = %q", got)
	}
	want := []string{"locked: cannot read: permission denied", "secret.yaml: cannot read: permission denied"}
	if got := problemStrings(SortProblems(problems)); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

// TestWalkSpecialFiles: a pipe or a device named like IaC is never opened (a pipe would block the
// walk, and Ctrl-C with it) and never passed over in silence; a link inside the tree to a pipe is
// refused the same way; a cancelled walk stops.
func TestWalkSpecialFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes")
	}
	cwd := t.TempDir()
	tree(t, cwd, "ok.tf")
	for _, p := range []string{"pipe.tf", "stacks/pipe.yaml"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(cwd, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(cwd, p), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("pipe.tf", filepath.Join(cwd, "to-pipe.tf")); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var in *Input
	var problems []Problem
	var err error
	go func() {
		in, problems, err = Walk(context.Background(), []string{".", "pipe.tf"}, cwd)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the walk blocked on a named pipe")
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := names(in); !reflect.DeepEqual(got, []string{"ok.tf"}) {
		t.Errorf("files = %q", got)
	}
	want := []string{
		"pipe.tf: a named pipe (FIFO), not a regular file; not read",
		"stacks/pipe.yaml: a named pipe (FIFO), not a regular file; not read",
		"to-pipe.tf: a named pipe (FIFO), not a regular file; not read",
	}
	if got := problemStrings(SortProblems(problems)); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Walk(ctx, []string{"."}, cwd); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: err = %v", err)
	}
}

// fake is an adapter that claims the files whose names have its suffix.
type fake struct {
	name, suffix string
	problems     []Problem
	panic        bool
}

func (f fake) Name() string { return f.name }

func (f fake) Scan(in *Input, _ Options) Result {
	if f.panic {
		panic("boom")
	}
	var r Result
	if in == nil {
		return r
	}
	for _, file := range in.Files {
		if strings.HasSuffix(file.Name, f.suffix) {
			r.Claimed = append(r.Claimed, file.Name)
			r.Resources = append(r.Resources, Resource{Cluster: &model.Cluster{Name: f.name + ":" + file.Name}})
		}
	}
	r.Resources = append(r.Resources, Resource{}) // a resource without a cluster is dropped
	r.Problems = append(r.Problems, f.problems...)
	return r
}

func TestScan(t *testing.T) {
	in := &Input{Files: []*File{
		{Name: "b/main.tf", Explicit: true},
		{Name: "a.yaml", Explicit: true},
		{Name: "notes.txt", Explicit: true},
		{Name: "walked.txt"},
		{Name: "z.yaml"},
	}}
	tf := fake{name: "tf", suffix: ".tf", problems: []Problem{{File: "b/main.tf", Line: 9, Message: "later"}, {File: "b/main.tf", Line: 2, Message: "earlier"}}}
	yml := fake{name: "yml", suffix: ".yaml", problems: []Problem{{File: "b/main.tf", Line: 2, Message: "earlier"}}}
	tests := []struct {
		name      string
		adapters  []Adapter
		clusters  []string
		problems  []string
		claimedBy int
	}{
		{name: "merged in adapter order, unclaimed named files reported, problems sorted and deduplicated",
			adapters: []Adapter{tf, yml},
			clusters: []string{"tf:b/main.tf", "yml:a.yaml", "yml:z.yaml"},
			problems: []string{"b/main.tf:2: earlier", "b/main.tf:9: later", "notes.txt: " + NotIaC}},
		{name: "a panicking adapter becomes a problem and the others still report",
			adapters: []Adapter{fake{name: "bad", panic: true}, yml},
			clusters: []string{"yml:a.yaml", "yml:z.yaml"},
			problems: []string{"b/main.tf: " + NotIaC, "b/main.tf:2: earlier", "bad: internal error, please report it: boom", "notes.txt: " + NotIaC}},
		{name: "no adapters", adapters: nil, clusters: []string{},
			problems: []string{"a.yaml: " + NotIaC, "b/main.tf: " + NotIaC, "notes.txt: " + NotIaC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Scan(context.Background(), in, Options{}, tt.adapters...)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, r := range res.Resources {
				got = append(got, r.Cluster.Name)
			}
			if !reflect.DeepEqual(got, tt.clusters) {
				t.Errorf("clusters = %q, want %q", got, tt.clusters)
			}
			ps := problemStrings(res.Problems)
			for i, p := range ps {
				// The panic's stack trace is for the bug report, not for this comparison.
				ps[i], _, _ = strings.Cut(p, "\n")
			}
			if !reflect.DeepEqual(ps, tt.problems) {
				t.Errorf("problems =\n%q\nwant\n%q", ps, tt.problems)
			}
		})
	}
	if res, err := Scan(context.Background(), nil, Options{}, tf); err != nil || len(res.Resources) != 0 || len(res.Problems) != 0 {
		t.Errorf("nil input: %+v, %v", res, err)
	}
}
