package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/iostreams"
)

// parse runs `eksguard scan ARGS` up to Run and returns the options it would run with.
func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	streams, _, _, _ := iostreams.Test()
	var got *Options
	err := cmdutil.ExecuteUnder(NewCmd(app.New(streams), func(_ context.Context, o *Options) error { got = o; return nil }), args...)
	return got, err
}

func TestOptions(t *testing.T) {
	o, err := parse(t, "--region", "us-east-1,eu-west-1", "--region", "us-east-1", "--cluster", "a", "--cluster", "b", "--controls", "5.4", "--skip-controls", "5.4.2", "--format", "sarif")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Regions, " ") != "us-east-1 eu-west-1 us-east-1" || strings.Join(o.Clusters, " ") != "a b" || o.Format != "sarif" ||
		strings.Join(o.Controls, " ") != "5.4" || strings.Join(o.SkipControls, " ") != "5.4.2" {
		t.Errorf("options = %+v", o)
	}
	if o.IO == nil || o.AWSConfig == nil || o.Now == nil {
		t.Errorf("the options do not carry their dependencies: %+v", o)
	}
	// Validate does not change the options: duplicates are dropped where they are used.
	before := strings.Join(o.Regions, " ")
	if err := o.Validate(); err != nil || strings.Join(o.Regions, " ") != before {
		t.Errorf("Validate changed the regions to %v (%v)", o.Regions, err)
	}
	if got := unique(o.Regions); strings.Join(got, " ") != "us-east-1 eu-west-1" {
		t.Errorf("unique = %v", got)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap.json")
	if err := os.WriteFile(snap, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		has  string
	}{
		{[]string{"--format", "patch"}, "--format"},
		{[]string{"--format", ""}, "--format"},
		{[]string{"--snapshot", snap, "--region", "us-east-1"}, "--region"},
		{[]string{"--snapshot", snap, "--all-regions"}, "--all-regions"},
		{[]string{"--snapshot", snap, "--cluster", "a"}, "--cluster"},
		{[]string{"--snapshot", snap, "--external-id", "x"}, "--external-id"},
		{[]string{"--snapshot", snap, "--output", snap}, "--output names the snapshot"},
		{[]string{"--save-snapshot", snap, "--output", snap}, "name the same file"},
		{[]string{"--region", "us-east-1", "--all-regions"}, "cannot be used together"},
		{[]string{"--region", "us-east-1,moon-1"}, `"moon-1"`},
		{[]string{"--region", "moon-1,us-east-1"}, `"moon-1"`},
		{[]string{"--region", ""}, "--region: empty"},
		{[]string{"--region", "us-east-1,"}, `""`},
		{[]string{"--cluster", "ok", "--cluster", "bad name"}, `"bad name"`},
		{[]string{"--accounts", "111111111111,12", "--role-name", "R"}, `"12"`},
		{[]string{"--org"}, "--role-name"},
		{[]string{"--role-name", "R"}, "apply to --org or --accounts"},
		{[]string{"--controls", "5.4.1,9.9"}, `"9.9"`},
		{[]string{"--controls", "5.1.4"}, "not evaluated"},
		{[]string{"--controls", ""}, "--controls: empty"},
		{[]string{"--skip-controls", ""}, "--skip-controls: empty"},
		{[]string{"--controls", "5.4.1,"}, "empty control id"},
		{[]string{"--accounts", "", "--role-name", "R"}, "--accounts: empty"},
		{[]string{"--skip-controls", "2.1.1,4.1.7,5.1.1,5.1.3,5.3.1,5.4.1,5.4.2,5.4.3,5.4.4,5.4.5"}, "leaves no control"},
		{[]string{"--max-attempts", "0"}, "--max-attempts"},
		{[]string{"--rate", "NaN"}, "--rate"},
		{[]string{"--rate", "0"}, "--rate"},
		{[]string{"--request-timeout", "0s"}, "--request-timeout"},
		{[]string{"--endpoint-url", "localhost:4566"}, "--endpoint-url"},
		{[]string{"stray"}, "unknown command"},
	} {
		_, err := parse(t, tt.args...)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || u.Command != "scan" || !strings.Contains(err.Error(), tt.has) {
			t.Errorf("%q: %v, want a usage error of scan containing %q", tt.args, err, tt.has)
		}
	}
}
