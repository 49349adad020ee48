package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
)

func seed(f *testing.F, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// exercise scans the input without the adapter's recover, so that a panic fails the fuzzer, and asks
// every cluster for both fixes, which walk the parsed source again.
func exercise(t *testing.T, in *iac.Input) {
	res := scan(in, iac.Options{Vars: map[string]string{"env": "prod"}})
	for _, r := range res.Resources {
		if r.Cluster == nil {
			t.Fatal("resource without a cluster")
		}
		if r.Fix == nil {
			continue
		}
		for _, target := range []iac.Target{toPrivate, toRestrict} {
			fix, err := r.Fix(target)
			if err == nil && fix == nil {
				t.Fatal("no fix and no error")
			}
			if err != nil {
				continue
			}
			for _, e := range fix.Edits {
				if e.Line < 1 || e.Remove < 0 {
					t.Fatalf("edit out of range: %+v", e)
				}
			}
		}
	}
}

// FuzzParseHCL feeds arbitrary bytes as a .tf file (and as .tf.json) through the whole scan.
func FuzzParseHCL(f *testing.F) {
	seed(f, "testdata/hcl/*/*.tf")
	seed(f, "testdata/hcl/*/*.tf.json")
	seed(f, "testdata/hcl/*/*/*/*.tf")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		exercise(t, &iac.Input{Files: []*iac.File{
			{Path: filepath.Join(dir, "main.tf"), Name: "main.tf", Data: data},
			{Path: filepath.Join(dir, "terraform.tfvars"), Name: "terraform.tfvars", Data: data},
		}})
		exercise(t, &iac.Input{Files: []*iac.File{{Path: filepath.Join(dir, "main.tf.json"), Name: "main.tf.json", Data: data}}})
	})
}

// FuzzParsePlan feeds arbitrary bytes as a plan file.
func FuzzParsePlan(f *testing.F) {
	seed(f, "testdata/plan/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		exercise(t, &iac.Input{Files: []*iac.File{{Path: "plan.json", Name: "plan.json", Data: data, Explicit: true}}})
	})
}
