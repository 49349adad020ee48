// Package demo is `eksguard demo`: start the emulator in-process with a built-in fleet that holds
// every endpoint configuration and a pass and a failure of each other control, scan it through the
// real AWS SDK and print the report. No AWS account is needed and nothing leaves the machine.
package demo

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmd/scan"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/emulator"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/reporting"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

//go:embed fleet.yaml
var builtinFleet []byte

// Options are the demo's flags and what it needs from its surroundings.
type Options struct {
	IO     *iostreams.IOStreams
	Now    func() time.Time
	Format string
	Fleet  string
}

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Scan a built-in emulated fleet: see eksguard work without an AWS account",
		Long: `Demo starts the EKS API emulator on 127.0.0.1 with a built-in fleet of clusters in three regions,
covering every endpoint configuration (open, private only, allowlisted, allowlisted without private
access, the internet split in two /1 blocks, IPv6 ::/0, a stale list on a private cluster, clusters
CREATING, UPDATING and PENDING, and a response missing fields), and clusters that pass and fail
control plane logging (every log type, some, none), access entries (API, API_AND_CONFIG_MAP,
CONFIG_MAP) and secrets encryption (a KMS key or none), then runs 'eksguard scan --all-regions'
against it through the real AWS SDK and prints the report.

It exits 0 when the demo ran; the report's own verdicts are in the output.`,
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
	cmdutil.FormatFlag(cmd.Flags(), &opts.Format, "table", "output format: "+strings.Join(scan.Formats(), ", "))
	cmd.Flags().StringVar(&opts.Fleet, "fleet", "", "use this fleet file instead of the built-in one")
	return cmd
}

// Validate checks the options.
func (o *Options) Validate() error {
	if !slices.Contains(scan.Formats(), o.Format) {
		return fmt.Errorf("--format: unknown format %q (want one of: %s)", o.Format, strings.Join(scan.Formats(), ", "))
	}
	return nil
}

// Run starts the emulator, scans it and prints the report.
func Run(ctx context.Context, o *Options) error {
	var fleet *emulator.Fleet
	var err error
	if o.Fleet != "" {
		fleet, err = emulator.LoadFleet(o.Fleet)
	} else {
		fleet, err = emulator.ParseFleet(builtinFleet, "built-in demo fleet")
	}
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	srv := emulator.New(fleet)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	if o.IO.IsStderrTTY() {
		fmt.Fprintf(o.IO.ErrOut, "demo: emulator at %s; scanning every enabled region through the AWS SDK\n", url)
	}
	opts := &scan.Options{
		IO:             o.IO,
		Now:            o.Now,
		AllRegions:     true,
		EndpointURL:    url,
		Format:         o.Format,
		MaxAttempts:    5,
		RequestTimeout: awsapi.DefaultRequestTimeout,
		Rate:           1000,
		// The demo's fleet is not the caller's: a waivers file in the current folder is not for it.
		Report: reporting.Options{NoWaivers: true},
		// Static credentials and a fixed region keep the demo independent of the caller's AWS
		// configuration: it never reads profiles or environment credentials.
		AWSConfig: func(context.Context, string) (aws.Config, error) {
			return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEMO", "demo", "")}, nil
		},
	}
	err = scan.Run(ctx, opts)
	if ctx.Err() != nil {
		return err
	}
	var ee *exit.Error
	if errors.As(err, &ee) && (ee.Code == exit.Fail || ee.Code == exit.Incomplete) {
		if o.IO.IsStderrTTY() {
			fmt.Fprintf(o.IO.ErrOut, "demo: a real scan with these results would exit %d\n", ee.Code)
		}
		return nil
	}
	return err
}
