// Package cmdutil holds what every command shares: the usage error, its one path to the user (exit
// code 2 and a pointer to the command's help), and the seam commands are built on.
//
// Every command package offers NewCmd(f *app.Factory, runF func(*Options) error). The options carry
// what the command needs from its surroundings (streams, clock, AWS configuration), Validate checks
// them without changing them, and runF, when not nil, replaces Run so tests can see the options a
// command line produces without running anything.
package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// UsageError is an error in how eksguard was called: a bad flag, value or argument. It always
// exits 2 and always tells the user where the command's help is.
type UsageError struct {
	Err error
	// Command is the command's path below eksguard ("scan", "" for eksguard itself).
	Command string
}

func (u *UsageError) Error() string { return u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

// Hint is the line that points to the command's help.
func (u *UsageError) Hint() string {
	if u.Command == "" {
		return "Run 'eksguard --help' for usage."
	}
	return "Run 'eksguard " + u.Command + " --help' for usage."
}

// Usage marks err as a usage error of cmd; nil stays nil, and an error that already is one keeps its
// command.
func Usage(cmd *cobra.Command, err error) error {
	if err == nil {
		return nil
	}
	var u *UsageError
	if errors.As(err, &u) {
		return err
	}
	return &UsageError{Err: err, Command: CommandPath(cmd)}
}

// Usagef is Usage with a formatted message.
func Usagef(cmd *cobra.Command, format string, args ...any) error {
	return Usage(cmd, fmt.Errorf(format, args...))
}

// CommandPath is cmd's path below the root ("scan", "" for the root).
func CommandPath(cmd *cobra.Command) string {
	if cmd == nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()))
}

// Install makes every flag error and argument-count error of root and its commands a usage error,
// so that they take the one path to the user. Call it once the command tree is built.
func Install(root *cobra.Command) {
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return Usage(cmd, err) })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if orig := c.Args; orig != nil {
			c.Args = func(cmd *cobra.Command, args []string) error { return Usage(cmd, orig(cmd, args)) }
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// EmptyLists refuses list flags given with nothing in them (--controls ""): the flag parser reads
// them as absent, and a run would then quietly do what leaving the flag out does.
func EmptyLists(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f == nil || !f.Changed {
			continue
		}
		if sv, ok := f.Value.(interface{ GetSlice() []string }); ok && len(sv.GetSlice()) == 0 {
			return Usagef(cmd, "--%s: empty; name at least one value, or leave the flag out", n)
		}
	}
	return nil
}

// ExecuteUnder runs cmd with args below a root command named eksguard, as the CLI does (flag and
// argument errors are usage errors), with cobra's own output discarded. It is how each command's
// tests run it without the rest of the CLI.
func ExecuteUnder(cmd *cobra.Command, args ...string) error {
	root := &cobra.Command{Use: "eksguard", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cmd)
	Install(root)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	_, err := root.ExecuteC()
	return err
}

// FormatFlag registers --format (-f) on fs: the value is read case-insensitively (JSON, Json and
// json are one format).
func FormatFlag(fs *pflag.FlagSet, p *string, value, usage string) {
	*p = value
	fs.VarP(lowerValue{p}, "format", "f", usage)
}

// OutputFlag registers --output (-o) on fs: "-" means standard output, as for most Unix tools.
func OutputFlag(fs *pflag.FlagSet, p *string, usage string) {
	fs.VarP(outputValue{p}, "output", "o", usage)
}

type lowerValue struct{ p *string }

func (v lowerValue) Set(s string) error { *v.p = strings.ToLower(strings.TrimSpace(s)); return nil }
func (v lowerValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v lowerValue) Type() string { return "string" }

type outputValue struct{ p *string }

func (v outputValue) Set(s string) error {
	if s == "-" {
		s = ""
	}
	*v.p = s
	return nil
}
func (v outputValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v outputValue) Type() string { return "string" }
