// Package cli is eksguard's root command and the one place where errors become exit codes. Main
// never calls os.Exit, so the whole CLI runs in-process in tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmd/demo"
	emulatorcmd "github.com/eksguard/eksguard/internal/cmd/emulator"
	"github.com/eksguard/eksguard/internal/cmd/fix"
	iaccmd "github.com/eksguard/eksguard/internal/cmd/iac"
	"github.com/eksguard/eksguard/internal/cmd/scan"
	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/version"
)

// Main runs eksguard with args (without the program name) and returns the exit code.
func Main(args []string, f *app.Factory) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, f)
}

// Run is Main with a caller-provided context.
func Run(ctx context.Context, args []string, f *app.Factory) int {
	root := NewRoot(f)
	root.SetArgs(args)
	root.SetContext(ctx)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exit.OK
	}
	code := exit.Code(err)
	var usage *usageError
	if errors.As(err, &usage) {
		code = exit.Usage
	}
	if msg := err.Error(); msg != "" {
		// Messages carry file names, values from scanned files and what servers answered: escaped,
		// they cannot drive the terminal.
		fmt.Fprintf(f.IO.ErrOut, "eksguard: %s\n", escape.Lines(msg))
		if code == exit.Usage && usage != nil {
			fmt.Fprintf(f.IO.ErrOut, "Run 'eksguard %s--help' for usage.\n", usage.cmdPath)
		}
	}
	return code
}

// usageError marks errors in how eksguard was called (exit code 2).
type usageError struct {
	err     error
	cmdPath string
}

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// NewRoot builds the command tree.
func NewRoot(f *app.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "eksguard",
		Short: "Find and safely fix exposed Amazon EKS API server endpoints",
		Long: `eksguard audits Amazon EKS clusters against the CIS Amazon EKS Benchmark endpoint controls
(5.4.1 restrict access to the control plane endpoint, 5.4.2 private endpoint on and public off),
checks the same settings in infrastructure-as-code before deploy, and fixes live clusters with
guard rails.

Run 'eksguard demo' to see a scan of a built-in fleet without an AWS account.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "eksguard" prints help; an unknown subcommand is a usage error.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetVersionTemplate("eksguard {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err: err, cmdPath: commandPath(cmd)}
	})
	root.AddCommand(demo.NewCmd(f), scan.NewCmd(f), fix.NewCmd(f), emulatorcmd.NewCmd(f))
	root.AddCommand(iaccmd.NewCmd(f))
	for _, c := range root.Commands() {
		wrapArgs(c)
	}
	wrapArgs(root)
	return root
}

// wrapArgs makes argument-count errors usage errors too.
func wrapArgs(c *cobra.Command) {
	if c.Args == nil {
		return
	}
	orig := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := orig(cmd, args); err != nil {
			return &usageError{err: err, cmdPath: commandPath(cmd)}
		}
		return nil
	}
}

func commandPath(cmd *cobra.Command) string {
	p := strings.TrimPrefix(cmd.CommandPath(), "eksguard")
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	return p + " "
}

// System is the factory for the real process.
func System() *app.Factory { return app.New(iostreams.System()) }
