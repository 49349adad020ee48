// Package emulator is `eksguard emulator`: serve the local EKS, EC2, STS and Organizations API
// double from a fleet file, for tests, rehearsals of fixes and trying eksguard without AWS.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	emu "github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
)

// Options are the command's flags and what it needs from its surroundings.
type Options struct {
	IO    *iostreams.IOStreams
	Fleet string
	Addr  string
	Log   bool
}

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "emulator --fleet FILE [--addr 127.0.0.1:PORT]",
		Short: "Serve a local EKS/EC2/STS/Organizations API double from a fleet file",
		Long: `Emulator serves the AWS APIs eksguard uses (EKS restJson1, STS, EC2, Organizations) from a YAML
fleet file, following the behaviour documented for real EKS: defaults, explicit booleans, error
codes, paging, throttling, fault injection and the update lifecycle. The real aws-sdk-go-v2 and aws
CLI talk to it unchanged.

The URL is printed on the first line of standard output. Point clients at it with --endpoint-url
or AWS_ENDPOINT_URL, with any access key. It serves until interrupted.`,
		Example: `  eksguard emulator --fleet examples/fleet.yaml --addr 127.0.0.1:4566
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
    eksguard scan --region us-east-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Fleet, "fleet", "", "fleet file (YAML) describing accounts, regions, clusters and behaviour")
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	cmd.Flags().BoolVar(&opts.Log, "log", false, "log every request to standard error")
	return cmd
}

// Validate checks the options.
func (o *Options) Validate() error {
	if o.Fleet == "" {
		return errors.New("--fleet is required")
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return fmt.Errorf("--addr %q: %w", o.Addr, err)
	}
	return nil
}

// Run serves until ctx ends.
func Run(ctx context.Context, o *Options) error {
	fleet, err := emu.LoadFleet(o.Fleet)
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	var opts []emu.Option
	if o.Log {
		opts = append(opts, emu.WithLogger(o.IO.ErrOut))
	}
	srv := emu.New(fleet, opts...)
	url, err := srv.Start(o.Addr)
	if err != nil {
		return exit.New(exit.Usage, fmt.Errorf("listen on %s: %w", o.Addr, err))
	}
	defer srv.Close()
	fmt.Fprintln(o.IO.Out, url)
	fmt.Fprintf(o.IO.ErrOut, "eksguard emulator serving %s; use --endpoint-url %s (any access key); Ctrl-C stops it\n", o.Fleet, url)
	<-ctx.Done()
	return nil
}
