package reporting

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/render"
)

func res(control, name string, st finding.Status) finding.Result {
	return finding.Result{Control: control, CheckID: "c", Status: st, Resource: finding.Resource{Type: finding.ResourceCluster, Name: name, Account: "111111111111", Region: "us-east-1"}}
}

// scanRule stands for scan.ExitFor: ERROR or UNKNOWN 3, FAIL 1.
func scanRule(r *finding.Report) error {
	if r.Has(finding.Error) || r.Has(finding.Unknown) {
		return exit.New(exit.Incomplete, errors.New("scan incomplete"))
	}
	if r.Has(finding.Fail) {
		return exit.New(exit.Fail, nil)
	}
	return nil
}

// iacRule stands for iac.ExitFor: problems 2, ERROR 3, FAIL 1, UNKNOWN passes.
func iacRule(r *finding.Report) error {
	if len(r.Problems) > 0 {
		return exit.New(exit.Usage, errors.New("problems"))
	}
	if r.Has(finding.Error) {
		return exit.New(exit.Incomplete, errors.New("errors"))
	}
	if r.Has(finding.Fail) {
		return exit.New(exit.Fail, nil)
	}
	return nil
}

func TestExit(t *testing.T) {
	waived := res("5.4.2", "w", finding.Fail)
	waived.Waived = &finding.Waived{Reason: "r", Expires: "2027-01-01", Entry: "0"}
	newFail := res("5.4.2", "n", finding.Fail)
	newFail.Baseline = finding.BaselineNew
	oldFail := res("5.4.2", "o", finding.Fail)
	oldFail.Baseline = finding.BaselineUnchanged
	for _, tc := range []struct {
		name     string
		o        Options
		results  []finding.Result
		problems int
		rule     func(*finding.Report) error
		want     int
		msg      string
	}{
		{"all pass", Options{}, []finding.Result{res("5.4.1", "a", finding.Pass)}, 0, scanRule, 0, ""},
		{"default fail", Options{}, []finding.Result{res("5.4.1", "a", finding.Pass), res("5.4.2", "a", finding.Fail)}, 0, scanRule, 1, ""},
		{"waived fail", Options{}, []finding.Result{waived}, 0, scanRule, 0, ""},
		{"waived fail beside a real one", Options{}, []finding.Result{waived, res("5.4.1", "b", finding.Fail)}, 0, scanRule, 1, ""},
		{"scan unknown", Options{}, []finding.Result{res("5.4.2", "a", finding.Unknown)}, 0, scanRule, 3, "incomplete"},
		{"fail-on FAIL ignores a CREATING cluster", Options{FailOn: []string{"FAIL"}}, []finding.Result{res("5.4.2", "a", finding.Unknown), res("5.4.1", "b", finding.Pass)}, 0, scanRule, 0, ""},
		{"fail-on fail (any case) still fails on FAIL", Options{FailOn: []string{"fail"}}, []finding.Result{res("5.4.2", "a", finding.Unknown), res("5.4.1", "b", finding.Fail)}, 0, scanRule, 1, ""},
		{"fail-on ERROR ignores FAIL", Options{FailOn: []string{"ERROR"}}, []finding.Result{res("5.4.2", "a", finding.Fail)}, 0, scanRule, 0, ""},
		{"fail-on ERROR keeps 3", Options{FailOn: []string{"ERROR"}}, []finding.Result{res("5.4.2", "a", finding.Error)}, 0, scanRule, 3, ""},
		{"iac unknown passes by default", Options{}, []finding.Result{res("5.4.2", "a", finding.Unknown)}, 0, iacRule, 0, ""},
		{"iac fail-on UNKNOWN", Options{FailOn: []string{"UNKNOWN"}}, []finding.Result{res("5.4.2", "a", finding.Unknown)}, 0, iacRule, 1, "--fail-on"},
		{"iac fail-on UNKNOWN with exit-code", Options{FailOn: []string{"FAIL", "UNKNOWN"}, ExitCode: 9}, []finding.Result{res("5.4.2", "a", finding.Unknown)}, 0, iacRule, 9, ""},
		{"exit-code replaces 1", Options{ExitCode: 42}, []finding.Result{res("5.4.2", "a", finding.Fail)}, 0, scanRule, 42, ""},
		{"exit-code leaves 3", Options{ExitCode: 42}, []finding.Result{res("5.4.2", "a", finding.Error)}, 0, scanRule, 3, ""},
		{"exit-code leaves 2", Options{ExitCode: 42}, []finding.Result{res("5.4.2", "a", finding.Fail)}, 1, iacRule, 2, ""},
		{"soft-fail on FAIL", Options{SoftFail: true}, []finding.Result{res("5.4.2", "a", finding.Fail)}, 0, scanRule, 0, "1 FAIL results (exit 0: --soft-fail)"},
		{"soft-fail on ERROR", Options{SoftFail: true}, []finding.Result{res("5.4.2", "a", finding.Error)}, 0, scanRule, 0, "scan incomplete (exit 0: --soft-fail)"},
		{"soft-fail on problems", Options{SoftFail: true}, nil, 2, iacRule, 0, "problems"},
		{"fail-on-new: unchanged only", Options{Baseline: "b", FailOnNew: true}, []finding.Result{oldFail}, 0, scanRule, 0, ""},
		{"fail-on-new: a new one", Options{Baseline: "b", FailOnNew: true}, []finding.Result{oldFail, newFail}, 0, scanRule, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &finding.Report{Results: tc.results}
			for i := 0; i < tc.problems; i++ {
				rep.Problems = append(rep.Problems, finding.Problem{File: "x.tf", Message: "bad"})
			}
			rep.Finish()
			err := tc.o.Exit(rep, tc.rule)
			if got := exit.Code(err); got != tc.want {
				t.Fatalf("code %d (%v), want %d", got, err, tc.want)
			}
			if tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
				t.Errorf("message %v, want %q", err, tc.msg)
			}
			if len(rep.Results) != len(tc.results) {
				t.Error("Exit must not change the report")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	if err := os.WriteFile(base, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	formats := []string{"table", "json", "sarif"}
	for _, tc := range []struct {
		name string
		o    Options
		main string
		want string
	}{
		{"ok", Options{FailOn: []string{"FAIL", "error", "Unknown"}, ExitCode: 125, Status: []string{"fail", "WAIVED"}, Outputs: []string{"json=a.json", "SARIF=b.sarif"}}, "", ""},
		{"fail-on PASS", Options{FailOn: []string{"PASS"}}, "", `--fail-on: "PASS"`},
		{"fail-on last bad", Options{FailOn: []string{"FAIL", "ERROR", "BAD"}}, "", `--fail-on: "BAD"`},
		{"exit-code high", Options{ExitCode: 126}, "", "--exit-code must be between 1 and 125"},
		{"exit-code negative", Options{ExitCode: -1}, "", "--exit-code"},
		{"soft-fail and exit-code", Options{SoftFail: true, ExitCode: 3}, "", "--soft-fail always exits 0"},
		{"fail-on-new alone", Options{FailOnNew: true}, "", "--fail-on-new needs --baseline"},
		{"baseline missing", Options{Baseline: filepath.Join(dir, "nope.json")}, "", "--baseline: no such file"},
		{"baseline folder", Options{Baseline: dir}, "", "is a folder"},
		{"waivers missing", Options{Waivers: filepath.Join(dir, "w.yaml")}, "", "--waivers: no such file"},
		{"waivers and no-waivers", Options{Waivers: base, NoWaivers: true}, "", "cannot be used together"},
		{"status bad", Options{Status: []string{"FAIL", "OK"}}, "", `--status: "OK"`},
		{"output pair without =", Options{Outputs: []string{"json"}}, "", `"json" is not FORMAT=FILE`},
		{"output pair empty file", Options{Outputs: []string{"json="}}, "", "is not FORMAT=FILE"},
		{"output unknown format", Options{Outputs: []string{"json=a", "pdf=b"}}, "", `unknown format "pdf"`},
		{"output to stdout", Options{Outputs: []string{"json=-"}}, "", "standard output is --format's"},
		{"output twice", Options{Outputs: []string{"json=" + filepath.Join(dir, "r"), "sarif=" + filepath.Join(dir, "r")}}, "", "written twice"},
		{"output is main", Options{Outputs: []string{"json=" + filepath.Join(dir, "r")}}, filepath.Join(dir, "r"), "written twice"},
		{"output is the baseline", Options{Baseline: base, Outputs: []string{"json=" + base}}, "", "an input of this run"},
		{"main is the baseline", Options{Baseline: base}, base, "an input of this run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate(formats, tc.main)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestShown(t *testing.T) {
	w := res("5.4.2", "w", finding.Fail)
	w.Waived = &finding.Waived{Reason: "r"}
	rep := &finding.Report{Results: []finding.Result{res("5.4.1", "a", finding.Pass), res("5.4.2", "a", finding.Fail), w, res("5.4.2", "u", finding.Unknown)}}
	rep.Finish()
	names := func(r *finding.Report) string {
		var s []string
		for _, x := range r.Results {
			s = append(s, x.Resource.Name+x.Control)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		status []string
		want   string
	}{
		{nil, "a5.4.1,a5.4.2,u5.4.2,w5.4.2"},
		{[]string{"FAIL"}, "a5.4.2"},
		{[]string{"waived"}, "w5.4.2"},
		{[]string{"FAIL", "UNKNOWN", "WAIVED"}, "a5.4.2,u5.4.2,w5.4.2"},
		{[]string{"ERROR"}, ""},
	} {
		o := Options{Status: tc.status}
		shown := o.Shown(rep)
		if got := names(shown); got != tc.want {
			t.Errorf("--status %v: %s, want %s", tc.status, got, tc.want)
		}
		if shown.Summary[finding.Fail] != 1 || shown.Summary[finding.WaivedKey] != 1 {
			t.Errorf("the summary counts every result: %v", shown.Summary)
		}
	}
	if len(rep.Results) != 4 {
		t.Error("Shown must not change the report")
	}
}

func writeJSON(t *testing.T, rep *finding.Report) string {
	t.Helper()
	w, err := render.New("json", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "base.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := w.Write(f, rep); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBaseline(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	iacRes := func(st finding.Status, root string) finding.Result {
		return finding.Result{Control: "5.4.2", Status: st, Resource: finding.Resource{Type: finding.ResourceCluster, Name: "aws_eks_cluster.x", Root: root, File: "m/main.tf"}}
	}
	before := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: finding.Tool{Name: "eksguard"}, GeneratedAt: at, Controls: []string{"2.1.1", "5.4.1", "5.4.2"}, Results: []finding.Result{
		res("5.4.2", "stays", finding.Fail),
		res("5.4.2", "gets-fixed", finding.Fail),
		res("5.4.2", "deleted", finding.Unknown),
		res("5.4.2", "changes", finding.Fail),
		res("2.1.1", "not-evaluated-now", finding.Fail),
		res("5.4.1", "was-passing", finding.Pass),
		iacRes(finding.Fail, "envs/prod"),
	}}
	before.Finish()
	p := writeJSON(t, before)
	base, err := LoadBaseline(p, "base.json")
	if err != nil {
		t.Fatal(err)
	}
	now := &finding.Report{Controls: []string{"5.4.1", "5.4.2"}, Results: []finding.Result{
		res("5.4.2", "stays", finding.Fail),
		res("5.4.2", "gets-fixed", finding.Pass),
		res("5.4.2", "changes", finding.Error),
		res("5.4.1", "was-passing", finding.Fail),
		res("5.4.2", "brand-new", finding.Unknown),
		iacRes(finding.Fail, "envs/prod"),
		iacRes(finding.Fail, "envs/dev"), // the same module from another root is another resource
	}}
	Compare(now, base)
	want := map[string]string{"stays": "unchanged", "gets-fixed": "", "changes": "new", "was-passing": "new", "brand-new": "new"}
	for _, r := range now.Results {
		if r.Resource.File != "" {
			w := map[string]string{"envs/prod": "unchanged", "envs/dev": "new"}[r.Resource.Root]
			if r.Baseline != w {
				t.Errorf("%s from %s: baseline %q, want %q", r.Resource.Name, r.Resource.Root, r.Baseline, w)
			}
			continue
		}
		if r.Baseline != want[r.Resource.Name] {
			t.Errorf("%s: baseline %q, want %q", r.Resource.Name, r.Baseline, want[r.Resource.Name])
		}
	}
	var fixed []string
	for _, f := range now.Fixed {
		fixed = append(fixed, f.Control+" "+f.Resource.Name)
	}
	if got := strings.Join(fixed, ","); got != "5.4.2 deleted,5.4.2 gets-fixed" {
		t.Errorf("fixed = %s", got)
	}
}

func TestLoadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, data, want string }{
		{"not json", "{\n  \"schemaVersion\": \"2\",\n  oops\n}", "line 3, column 3"},
		{"sarif", `{"version": "2.1.0", "runs": []}`, "is not an eksguard JSON report"},
		{"other tool", `{"schemaVersion": "2", "tool": {"name": "other"}, "results": []}`, "is not an eksguard JSON report"},
		{"old schema", `{"schemaVersion": "1", "tool": {"name": "eksguard"}, "results": []}`, `schema version "1"`},
		{"bad status", `{"schemaVersion": "2", "tool": {"name": "eksguard"}, "results": [{"control": "5.4.2", "status": "MEH"}]}`, `unknown status "MEH"`},
		{"empty", ``, "not a JSON report"},
	} {
		p := filepath.Join(dir, tc.name+".json")
		if err := os.WriteFile(p, []byte(tc.data), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadBaseline(p, tc.name+".json"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
