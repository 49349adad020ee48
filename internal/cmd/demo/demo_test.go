package demo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/iostreams"
)

func parse(args ...string) (*Options, error) {
	streams, _, _, _ := iostreams.Test()
	var got *Options
	err := cmdutil.ExecuteUnder(NewCmd(app.New(streams), func(_ context.Context, o *Options) error { got = o; return nil }), args...)
	return got, err
}

func TestOptions(t *testing.T) {
	o, err := parse("--format", "json", "--fleet", "f.yaml")
	if err != nil || o.Format != "json" || o.Fleet != "f.yaml" || o.IO == nil || o.Now == nil {
		t.Fatalf("options = %+v, %v", o, err)
	}
	// Every format scan writes is the demo's too; patch is for IaC.
	for _, f := range []string{"table", "sarif", "html", "asff"} {
		if o, err := parse("-f", f); err != nil || o.Format != f {
			t.Errorf("--format %s: %v", f, err)
		}
	}
	for _, args := range [][]string{{"--format", "patch"}, {"--format", "xml"}, {"--format", ""}, {"extra"}, {"--bogus"}} {
		_, err := parse(args...)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || u.Command != "demo" {
			t.Errorf("%q: %v, want a usage error of demo", args, err)
		}
	}
}

// TestBuiltinFleet: the built-in fleet parses, and holds the clusters the README describes.
func TestBuiltinFleet(t *testing.T) {
	f, err := emulator.ParseFleet(builtinFleet, "built-in demo fleet")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range f.Accounts {
		for _, r := range a.Regions {
			for _, c := range r.Clusters {
				names = append(names, c.Name)
			}
		}
	}
	if len(names) != 12 {
		t.Errorf("%d clusters, want 12: %s", len(names), strings.Join(names, ", "))
	}
}
