package check_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	iaccmd "github.com/eksguard/eksguard/internal/cmd/iac"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// scanExample writes an example's files into a folder and reads them with the real adapters, as
// eksguard iac does; the example must declare exactly one cluster and read without problems.
func scanExample(t *testing.T, dir string) iac.Resource {
	t.Helper()
	in, walkProblems, err := iac.Walk(context.Background(), []string{"."}, dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := iac.Scan(context.Background(), in, iac.Options{}, iaccmd.Adapters()...)
	if err != nil {
		t.Fatal(err)
	}
	if probs := append(walkProblems, res.Problems...); len(probs) > 0 {
		t.Fatalf("problems reading the example: %v", probs)
	}
	if len(res.Resources) != 1 {
		t.Fatalf("the example declares %d clusters, want 1", len(res.Resources))
	}
	return res.Resources[0]
}

// TestExamples runs every example of every check through the real IaC adapters: each gives the
// verdict it is written for, and each bad one, once the adapter's edit for the check's target is
// applied, passes. A check is therefore documented, tested and fixable in every format it names.
func TestExamples(t *testing.T) {
	for _, k := range check.All() {
		if len(k.Examples) == 0 {
			t.Errorf("%s has no examples", k.ID)
		}
		formats := map[check.Format]map[finding.Status]bool{}
		for _, ex := range k.Examples {
			if formats[ex.Format] == nil {
				formats[ex.Format] = map[finding.Status]bool{}
			}
			formats[ex.Format][ex.Want] = true
			t.Run(k.ID+"/"+string(ex.Format)+"/"+ex.Name, func(t *testing.T) {
				dir := t.TempDir()
				var names []string
				for name, src := range ex.Files {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
						t.Fatal(err)
					}
					names = append(names, name)
				}
				sort.Strings(names)
				r := scanExample(t, dir)
				o := k.Evaluate(r.Cluster)
				if o.Status != ex.Want {
					t.Fatalf("%s, want %s: %s", o.Status, ex.Want, o.Reason)
				}
				if o.Location == nil || o.Location.File == "" {
					t.Errorf("no location for the verdict")
				}
				if ex.Want != finding.Fail || ex.Format == check.FormatTerraformPlan {
					return // plans are generated, not edited
				}
				opts := ex.Options
				if opts.Endpoint == "" {
					opts.Endpoint = check.TargetPrivate
				}
				want, why := k.Want(r.Cluster, opts)
				if why != "" || want.Empty() {
					t.Fatalf("no target for a failing example: %q", why)
				}
				fix, skipped, err := iac.PlanFix(r, want)
				if err != nil || len(skipped) > 0 || fix == nil || len(fix.Edits) == 0 {
					t.Fatalf("no edit: %v %v %+v", err, skipped, fix)
				}
				byFile := map[string][]finding.Edit{}
				for _, e := range fix.Edits {
					byFile[e.File] = append(byFile[e.File], e)
				}
				for file, edits := range byFile {
					p := filepath.Join(dir, filepath.FromSlash(file))
					data, err := os.ReadFile(p)
					if err != nil {
						t.Fatal(err)
					}
					out, err := finding.ApplyEdits(data, edits)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, out, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				after := scanExample(t, dir)
				if o := k.Evaluate(after.Cluster); o.Status != finding.Pass {
					var text []string
					for _, n := range names {
						b, _ := os.ReadFile(filepath.Join(dir, n))
						text = append(text, string(b))
					}
					t.Fatalf("after the edit (%s): %s, want PASS: %s\n%s", fix.Description, o.Status, o.Reason, strings.Join(text, "\n"))
				}
			})
		}
		for f, statuses := range formats {
			if !statuses[finding.Pass] || !statuses[finding.Fail] {
				t.Errorf("%s: %s has no good or no bad example", k.ID, f)
			}
		}
	}
}
