package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/testenv"
)

// writeTree writes the shared benchmark tree and reads it back as the adapter's input.
func writeTree(tb testing.TB, dir string, modules int) *iac.Input {
	tb.Helper()
	in := &iac.Input{Roots: []string{dir}}
	for _, p := range testenv.WriteTerraformTree(tb, dir, modules) {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		in.Files = append(in.Files, &iac.File{Path: p, Name: filepath.ToSlash(rel), Data: data})
	}
	return in
}

// BenchmarkScanTree scans 1,000 .tf files: 100 root modules of 10 files each.
func BenchmarkScanTree(b *testing.B) {
	in := writeTree(b, b.TempDir(), 100)
	if len(in.Files) != 1000 {
		b.Fatalf("files = %d", len(in.Files))
	}
	res := New().Scan(in, iac.Options{})
	if len(res.Problems) > 0 || len(res.Resources) != 140 {
		b.Fatalf("clusters = %d, problems:\n%s", len(res.Resources), problemStrings(res.Problems))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		New().Scan(in, iac.Options{})
	}
}
