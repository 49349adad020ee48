package cmdutil

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestUsage(t *testing.T) {
	var got error
	root := &cobra.Command{Use: "eksguard", SilenceErrors: true, SilenceUsage: true, Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return nil }}
	sub := &cobra.Command{Use: "scan", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		got = Usagef(cmd, "--region: %q is wrong", "x")
		return got
	}}
	sub.Flags().Int("n", 0, "")
	root.AddCommand(sub)
	Install(root)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	for _, tt := range []struct {
		args    []string
		command string
		has     string
	}{
		{[]string{"scan"}, "scan", `--region: "x" is wrong`},
		{[]string{"scan", "--n", "x"}, "scan", "invalid argument"},
		{[]string{"scan", "--nope"}, "scan", "unknown flag"},
		{[]string{"scan", "extra"}, "scan", "unknown command"},
		{[]string{"bogus"}, "", "unknown command"},
	} {
		root.SetArgs(tt.args)
		_, err := root.ExecuteC()
		var u *UsageError
		if !errors.As(err, &u) || u.Command != tt.command || !strings.Contains(err.Error(), tt.has) {
			t.Errorf("%v: %#v, want a usage error of %q containing %q", tt.args, err, tt.command, tt.has)
			continue
		}
		want := "Run 'eksguard " + tt.command + " --help' for usage."
		if tt.command == "" {
			want = "Run 'eksguard --help' for usage."
		}
		if u.Hint() != want {
			t.Errorf("hint %q, want %q", u.Hint(), want)
		}
	}
	if Usage(sub, nil) != nil {
		t.Error("Usage(nil) is not nil")
	}
	// An error that already is a usage error keeps its command.
	inner := &UsageError{Err: errors.New("x"), Command: "fix"}
	if u := Usage(sub, inner); u != inner {
		t.Errorf("rewrapped: %v", u)
	}
}
