package terraform

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// load reads a fixture folder the way the walker would: every file except those under .terraform,
// named relative to the folder.
func load(t testing.TB, dir string) *iac.Input {
	t.Helper()
	in := &iac.Input{Roots: []string{dir}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		in.Files = append(in.Files, &iac.File{Path: p, Name: filepath.ToSlash(rel), Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// verdicts evaluates CIS 5.4.1 and 5.4.2 on a cluster.
func verdicts(r iac.Resource) (r541, r542 finding.Result) {
	for _, res := range benchmark.Default().EvaluateCluster(r.Cluster) {
		switch res.Control {
		case "5.4.1":
			r541 = res
		case "5.4.2":
			r542 = res
		}
	}
	return r541, r542
}

func problemStrings(ps []iac.Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return strings.Join(out, "\n")
}
