// Package emulatorcmd is `eksguard emulator`: serve the local EKS, EC2, STS and Organizations API
// double from a fleet file, for tests, rehearsals of fixes and trying eksguard without AWS.
package emulatorcmd

import (
	"context"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/exit"
)

// Options are the command's flags.
type Options struct {
	Fleet string
	Addr  string
	Log   bool
}

// NewCmd builds the command.
func NewCmd(f *app.Factory) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "emulator --fleet FILE [--addr 127.0.0.1:PORT]",
		Short: "Serve a local EKS/EC2/STS/Organizations API double from a fleet file",
		Long: `Emulator serves the AWS APIs eksguard uses (EKS restJson1, STS, EC2, Organizations) from a YAML
fleet file, following the behaviour documented for real EKS: defaults, explicit booleans, error
codes, paging, throttling, fault injection and the update lifecycle. The real aws-sdk-go-v2 and aws
CLI talk to it unchanged.

The URL is printed on the first line of standard output. Point clients at it with --endpoint-url
or AWS_ENDPOINT_URL, with any access key. It serves until interrupted.`,
		Example: `  eksguard emulator --fleet fleet.yaml --addr 127.0.0.1:4566
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
    eksguard scan --region us-east-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Fleet == "" {
				return exit.New(exit.Usage, fmt.Errorf("--fleet is required"))
			}
			if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
				return exit.New(exit.Usage, fmt.Errorf("--addr %q: %w", opts.Addr, err))
			}
			return Run(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Fleet, "fleet", "", "fleet file (YAML) describing accounts, regions, clusters and behaviour")
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	cmd.Flags().BoolVar(&opts.Log, "log", false, "log every request to standard error")
	return cmd
}

// Run serves until ctx ends.
func Run(ctx context.Context, f *app.Factory, o *Options) error {
	fleet, err := emulator.LoadFleet(o.Fleet)
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	var opts []emulator.Option
	if o.Log {
		opts = append(opts, emulator.WithLogger(f.IO.ErrOut))
	}
	srv := emulator.New(fleet, opts...)
	url, err := srv.Start(o.Addr)
	if err != nil {
		return exit.New(exit.Usage, fmt.Errorf("listen on %s: %w", o.Addr, err))
	}
	defer srv.Close()
	fmt.Fprintln(f.IO.Out, url)
	fmt.Fprintf(f.IO.ErrOut, "eksguard emulator serving %s; use --endpoint-url %s (any access key); Ctrl-C stops it\n", o.Fleet, url)
	<-ctx.Done()
	return nil
}
