package emulator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
)

func parse(args ...string) (*Options, error) {
	streams, _, _, _ := iostreams.Test()
	var got *Options
	err := cmdutil.ExecuteUnder(NewCmd(app.New(streams), func(_ context.Context, o *Options) error { got = o; return nil }), args...)
	return got, err
}

func TestOptions(t *testing.T) {
	o, err := parse("--fleet", "f.yaml", "--addr", "127.0.0.1:4566", "--log")
	if err != nil || o.Fleet != "f.yaml" || o.Addr != "127.0.0.1:4566" || !o.Log || o.IO == nil {
		t.Fatalf("options = %+v, %v", o, err)
	}
	for _, tt := range []struct {
		args []string
		has  string
	}{
		{nil, "--fleet is required"},
		{[]string{"--fleet", "f.yaml", "--addr", "4566"}, "--addr"},
		{[]string{"--fleet", "f.yaml", "--addr", ""}, "--addr"},
		{[]string{"--fleet", "f.yaml", "stray"}, "unknown command"},
	} {
		_, err := parse(tt.args...)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || u.Command != "emulator" || !strings.Contains(err.Error(), tt.has) {
			t.Errorf("%q: %v, want a usage error of emulator containing %q", tt.args, err, tt.has)
		}
	}
}

// TestRun: the emulator prints its URL first and serves until the context ends; a bad fleet is an
// input error (exit 2) naming the file.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(good, []byte("accounts:\n  - id: \"111111111111\"\n    regions:\n      - name: us-east-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	streams, _, out, _ := iostreams.Test()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := Run(ctx, &Options{IO: streams, Fleet: good, Addr: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "http://127.0.0.1:") {
		t.Errorf("first line %q", out.String())
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("accounts: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), &Options{IO: streams, Fleet: bad, Addr: "127.0.0.1:0"})
	if exit.Code(err) != exit.Usage || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("bad fleet: %v", err)
	}
}
