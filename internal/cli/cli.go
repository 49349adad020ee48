// Package cli is eksguard's root command and the one place where errors become exit codes. Main
// never calls os.Exit, so the whole CLI runs in-process in tests.
package cli

import (
	"context"
	"errors"
	"fmt"
	probecmd "github.com/eksguard/eksguard/internal/cmd/probe"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmd/controls"
	"github.com/eksguard/eksguard/internal/cmd/demo"
	"github.com/eksguard/eksguard/internal/cmd/emulator"
	"github.com/eksguard/eksguard/internal/cmd/explain"
	"github.com/eksguard/eksguard/internal/cmd/fix"
	iaccmd "github.com/eksguard/eksguard/internal/cmd/iac"
	"github.com/eksguard/eksguard/internal/cmd/scan"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/config"
	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/textdist"
	"github.com/eksguard/eksguard/internal/version"
)

// Main runs eksguard with args (without the program name) and returns the exit code.
func Main(args []string, f *app.Factory) int {
	if f != nil && f.IO != nil {
		softMemoryLimit(f.IO.Getenv)
	}
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
	var usage *cmdutil.UsageError
	if errors.As(err, &usage) {
		code = exit.Usage
	}
	if msg := err.Error(); msg != "" {
		// Messages carry file names, values from scanned files and what servers answered: escaped,
		// they cannot drive the terminal.
		fmt.Fprintf(f.IO.ErrOut, "eksguard: %s\n", escape.Lines(msg))
		if usage != nil {
			fmt.Fprintln(f.IO.ErrOut, usage.Hint())
		}
	}
	return code
}

// NewRoot builds the command tree.
func NewRoot(f *app.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "eksguard",
		Short: "Find and safely fix exposed Amazon EKS API server endpoints",
		Long: `eksguard audits Amazon EKS clusters against the CIS Amazon EKS Benchmark v1.8.0 controls that the
EKS API answers: 2.1.1 audit logging, 4.1.7 access entries, 5.3.1 secrets encrypted with a customer
managed KMS key, 5.4.1 restricted and 5.4.2 private API server endpoint. It checks the same settings in
infrastructure as code before deploy (Terraform and Terragrunt, plans, CloudFormation, CDK output,
eksctl, Cluster API, ACK, Crossplane, kro, Pulumi YAML) with edits that fix them, and fixes live endpoints with guard rails. 'eksguard controls' lists all 50 controls
and 'eksguard explain ID' tells what one reads, when it passes and how to fix it.

Run 'eksguard demo' to see a scan of a built-in fleet without an AWS account.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "eksguard" prints help; an unknown subcommand is a usage error naming the nearest.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := nearest(args[0], cmd.Commands()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return errors.New(msg)
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetVersionTemplate("eksguard {{.Version}}\n")
	root.AddCommand(demo.NewCmd(f, nil), scan.NewCmd(f, nil), fix.NewCmd(f, nil), emulator.NewCmd(f, nil))
	root.AddCommand(iaccmd.NewCmd(f, nil), controls.NewCmd(f, nil), explain.NewCmd(f, nil), probecmd.NewCmd(f, nil))
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print eksguard's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(f.IO.Out, "eksguard %s\n", version.String())
			return err
		},
	})
	// Flags the command line left alone come from EKSGUARD_<FLAG>, then the config file. A
	// subcommand with a PersistentPreRunE of its own would hide this one: cobra runs only the nearest.
	config.AddFlag(root.PersistentFlags())
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		_, err := config.Apply(cmd, config.Source{Getenv: f.IO.Getenv, Notes: f.IO.ErrOut})
		return err
	}
	cmdutil.Install(root)
	return root
}

// System is the factory for the real process.
func System() *app.Factory { return app.New(iostreams.System()) }

// nearest is the command whose name is closest to typed, counting a swap of two neighbouring letters
// as one edit ("sacn" is one from "scan"), when it is at most two edits away.
func nearest(typed string, cmds []*cobra.Command) string {
	best, bestD := "", 3
	for _, c := range cmds {
		if c.Hidden || !c.IsAvailableCommand() {
			continue
		}
		if d := textdist.Distance(strings.ToLower(typed), c.Name()); d < bestD {
			best, bestD = c.Name(), d
		}
	}
	return best
}

// DefaultMemoryLimit is the soft limit on the Go heap eksguard sets when GOMEMLIMIT is not set. A
// fleet scan holds the whole inventory and report (10,200 clusters with every control: about 170
// MB live), and Go's default lets the heap grow to twice what is live before collecting; with the
// limit the runtime collects sooner instead (measured: 276 MB peak instead of 380 MB, for 14% more
// CPU). It is soft: a scan whose live data outgrows it still runs, the runtime bounding the extra
// collection work.
const DefaultMemoryLimit = 240 << 20

func softMemoryLimit(getenv func(string) string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}
