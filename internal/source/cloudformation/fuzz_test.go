package cloudformation

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// fuzzWants are the settings the fuzz targets ask of a cluster: each endpoint target, and together
// what every check that does not pass wants (the key of secrets encryption included).
func fuzzWants(c *model.Cluster) []model.Settings {
	out := []model.Settings{targetPrivate.want.Pending(c), targetRestrict.want.Pending(c)}
	var all model.Settings
	for _, k := range check.All() {
		if k.Evaluate(c).Status == finding.Pass {
			continue
		}
		if w, why := k.Want(c, check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: exampleKey}); why == "" {
			all, _ = all.Merge(w)
		}
	}
	return append(out, all)
}

// FuzzCloudFormation runs arbitrary bytes through the whole adapter: scan (without the recover that
// Scan adds), evaluation, and every fix, whose result must still parse and read back as the settings
// it wrote.
func FuzzCloudFormation(f *testing.F) {
	_ = filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".golden") {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
		return nil
	})
	b := benchmark.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"fuzz.yaml", "fuzz.json", "fuzz.template"} {
			var res iac.Result
			scanFile(&iac.File{Name: name, Path: name, Data: data, Explicit: true}, &res)
			for i, r := range res.Resources {
				b.EvaluateCluster(r.Cluster)
				for _, want := range fuzzWants(r.Cluster) {
					if want.Empty() {
						continue
					}
					fx, skipped, err := iac.PlanFix(r, want)
					if err != nil || fx == nil {
						continue
					}
					patched, err := finding.ApplyEdits(data, fx.Edits)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var again iac.Result
					scanFile(&iac.File{Name: name, Path: name, Data: patched}, &again)
					if len(again.Problems) > 0 || len(again.Resources) != len(res.Resources) {
						t.Fatalf("%s: fix %s for %s broke the file (%v):\n%s\n---\n%s", name, fx.Description, r.Cluster.Name, again.Problems, data, patched)
					}
					written := want
					for f := range skipped {
						written = written.Without(f)
					}
					if left := written.Pending(again.Resources[i].Cluster); !left.Empty() {
						t.Fatalf("%s: fix %s for %s leaves %v unwritten:\n%s\n---\n%s", name, fx.Description, r.Cluster.Name, left.Fields(), data, patched)
					}
					if bytes.Equal(patched, data) {
						t.Fatalf("%s: fix %s for %s changes nothing", name, fx.Description, r.Cluster.Name)
					}
				}
			}
		}
	})
}
