package controls

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/iostreams"
)

// run runs the command below a root, as eksguard does.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	io, _, out, _ := iostreams.Test()
	err := cmdutil.ExecuteUnder(NewCmd(app.New(io), nil), args...)
	return out.String(), err
}

func TestJSON(t *testing.T) {
	out, err := run(t, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var cat struct {
		Benchmark struct{ ID, Version string }
		Controls  []map[string]any
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := json.Unmarshal([]byte(out), &cat); err != nil {
		t.Fatal(err)
	}
	if cat.Benchmark.ID != "cis-eks" || cat.Benchmark.Version != "1.8.0" {
		t.Errorf("benchmark = %+v", cat.Benchmark)
	}
	if len(cat.Controls) != 50 {
		t.Fatalf("%d controls, want 50", len(cat.Controls))
	}
	keys := []string{"id", "title", "assessment", "source", "evaluated", "kubernetes", "checks", "severity"}
	evaluated := map[string]string{}
	var ids []string
	for _, c := range cat.Controls {
		if len(c) != len(keys) {
			t.Errorf("%v: keys %v, want %v", c["id"], c, keys)
		}
		for _, k := range keys {
			if _, ok := c[k]; !ok {
				t.Errorf("%v has no %s", c["id"], k)
			}
		}
		id := c["id"].(string)
		ids = append(ids, id)
		checks := c["checks"].([]any)
		if c["evaluated"] == true {
			if len(checks) == 0 || c["severity"] == nil {
				t.Errorf("%s is evaluated without checks or severity: %v", id, c)
			}
			evaluated[id] = c["severity"].(string)
			if want := c["source"] == "kubernetes" || c["source"] == "node"; c["kubernetes"] != want {
				t.Errorf("%s (source %v): kubernetes %v", id, c["source"], c["kubernetes"])
			}
		} else if len(checks) != 0 || c["severity"] != nil {
			t.Errorf("%s is not evaluated yet has checks or a severity: %v", id, c)
		}
	}
	for i := 1; i < len(ids); i++ {
		if !finding.ControlLess(ids[i-1], ids[i]) {
			t.Errorf("%s before %s: not in numeric order", ids[i-1], ids[i])
		}
	}
	if ids[0] != "2.1.1" || ids[len(ids)-1] != "5.5.1" || strings.Join(ids[22:25], " ") != "4.1.8 4.1.9 4.1.10" {
		t.Errorf("order: first %s, last %s, 4.1.x %v", ids[0], ids[len(ids)-1], ids[22:25])
	}
	want := map[string]string{"2.1.1": "medium", "4.1.7": "medium", "5.3.1": "medium", "5.4.1": "high", "5.4.2": "medium", "5.1.1": "medium", "5.1.3": "medium", "5.4.3": "high", "5.4.4": "medium", "5.4.5": "medium",
		"3.2.1": "high", "4.1.1": "high", "4.2.1": "high", "4.4.1": "low", "5.2.1": "medium"}
	if len(evaluated) != 42 {
		t.Errorf("evaluated = %v, want %v", evaluated, want)
	}
	for id, sev := range want {
		if evaluated[id] != sev {
			t.Errorf("%s severity %q, want %q", id, evaluated[id], sev)
		}
	}
}

func TestTable(t *testing.T) {
	out, err := run(t)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "CONTROL ") || !strings.Contains(lines[0], "TITLE") {
		t.Errorf("header: %q", lines[0])
	}
	// header, 50 controls, eksguard's own two, a blank line and the total
	if len(lines) != 55 || !strings.HasPrefix(lines[51], "anonymous-api-access ") || !strings.HasPrefix(lines[52], "endpoint-reachability ") {
		t.Errorf("%d lines, want 55:\n%s", len(lines), out)
	}
	if !strings.HasSuffix(lines[len(lines)-1], "50 controls, 42 evaluated by eksguard (32 of them from the Kubernetes API, with --kubernetes), and 2 of eksguard's own (outside the benchmark, with --probe). Run 'eksguard explain ID' for one of them.") {
		t.Errorf("total: %q", lines[len(lines)-1])
	}
	var row541 string
	for _, l := range lines {
		if strings.HasPrefix(l, "5.4.1 ") {
			row541 = l
		}
	}
	if f := strings.Fields(row541); len(f) < 7 || f[1] != "automated" || f[2] != "aws" || f[3] != "yes" || f[4] != "high" || f[5] != "eks-endpoint-restricted" {
		t.Errorf("5.4.1 row: %q", row541)
	}
}

func TestFlags(t *testing.T) {
	if out, err := run(t, "-f", "JSON"); err != nil || !strings.HasPrefix(out, "{") {
		t.Errorf("-f JSON: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"--format", "sarif"}, {"--format", ""}, {"-f", "yaml"}} {
		_, err := run(t, args...)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || u.Command != "controls" || !strings.Contains(err.Error(), "--format") {
			t.Errorf("%v: %v, want a usage error naming --format", args, err)
		}
	}
	// The options a command line produces, without running.
	io, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmd(app.New(io), func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--format", "json"})
	if err := cmd.Execute(); err != nil || got == nil || got.Format != "json" || got.Out == nil || got.Benchmark == nil {
		t.Errorf("options = %+v, %v", got, err)
	}
	if _, err := run(t, "extra"); err == nil {
		t.Errorf("an argument was accepted")
	}
	var buf bytes.Buffer
	if err := Run(&Options{Out: &buf, Format: "table", Benchmark: got.Benchmark}); err != nil || buf.Len() == 0 {
		t.Errorf("Run: %v", err)
	}
}
