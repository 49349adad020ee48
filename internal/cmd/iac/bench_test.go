package iac

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// BenchmarkIaCTree1000 is the whole eksguard iac pipeline over 1,000 .tf files (100 root modules of
// 10 files): walk, every adapter, evaluation, fixes and the JSON report. Set EKSGUARD_BENCH_TREE to a
// folder to write the tree there and keep it, to time the built binary on the same files.
func BenchmarkIaCTree1000(b *testing.B) {
	dir := os.Getenv("EKSGUARD_BENCH_TREE")
	if dir == "" {
		dir = b.TempDir()
	}
	testenv.WriteTerraformTree(b, dir, 100)
	ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }}
	o := &Options{IO: ios, Now: time.Now, Paths: []string{dir}, Format: "json", Target: check.TargetPrivate}
	if err := o.Validate(); err != nil {
		b.Fatal(err)
	}
	rep, err := Scan(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	if len(rep.Problems) > 0 || len(rep.Results) != 140*5 {
		b.Fatalf("results = %d (want 140 clusters × 5 controls), problems:\n%v", len(rep.Results), rep.Problems)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Run(context.Background(), o); exit.Code(err) != exit.Fail {
			b.Fatalf("exit = %v", err)
		}
	}
}

// BenchmarkIaCMonorepo walks a platform monorepo of about 5,000 files and 70 MB, most of them Helm
// charts, CRDs and dashboards (not IaC), with 20 Terraform roots: the whole eksguard iac pipeline to
// a JSON report. Set EKSGUARD_BENCH_TREE to keep the tree, to time the built binary on it.
func BenchmarkIaCMonorepo(b *testing.B) {
	dir := os.Getenv("EKSGUARD_BENCH_TREE")
	if dir == "" {
		dir = b.TempDir()
	}
	files, size := testenv.WriteMonorepo(b, dir)
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(size)/(1<<20), "MiB")
	ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }}
	o := &Options{IO: ios, Now: time.Now, Paths: []string{dir}, Format: "json", Target: check.TargetPrivate}
	rep, err := Scan(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	if len(rep.Problems) > 0 || len(rep.Results) != 28*5 {
		b.Fatalf("results = %d (want 28 clusters × 5 controls), problems:\n%v", len(rep.Results), rep.Problems)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Run(context.Background(), o); exit.Code(err) != exit.Fail {
			b.Fatalf("exit = %v", err)
		}
	}
}
