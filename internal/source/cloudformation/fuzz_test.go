package cloudformation

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// FuzzCloudFormation runs arbitrary bytes through the whole adapter: scan (without the recover that
// Scan adds), evaluation, and every fix, whose result must still parse and pass its target.
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
				for _, tg := range []iac.Target{targetPrivate, targetRestrict} {
					fx, err := r.Fix(tg)
					if err != nil {
						continue
					}
					patched, err := finding.ApplyEdits(data, fx.Edits)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var again iac.Result
					scanFile(&iac.File{Name: name, Path: name, Data: patched}, &again)
					if len(again.Problems) > 0 || len(again.Resources) != len(res.Resources) {
						t.Fatalf("%s: fix for %s %s broke the file (%v):\n%s\n---\n%s", name, r.Cluster.Name, tg.Mode, again.Problems, data, patched)
					}
					fixed := again.Resources[i].Cluster
					var s541, s542 finding.Status
					for _, res := range b.EvaluateCluster(fixed) {
						switch res.Control {
						case "5.4.1":
							s541 = res.Status
						case "5.4.2":
							s542 = res.Status
						}
					}
					if s541 != finding.Pass || (tg.Mode == iac.TargetPrivate && s542 != finding.Pass) {
						t.Fatalf("%s: fix for %s %s leaves 5.4.1 %s, 5.4.2 %s:\n%s\n---\n%s", name, r.Cluster.Name, tg.Mode, s541, s542, data, patched)
					}
					if bytes.Equal(patched, data) {
						t.Fatalf("%s: fix for %s %s changes nothing", name, r.Cluster.Name, tg.Mode)
					}
				}
			}
		}
	})
}
