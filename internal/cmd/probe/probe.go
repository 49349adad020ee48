// Package probe is the eksguard probe command: the network probe of one cluster's endpoint, as
// scan --probe makes it, with nothing else judged.
package probe

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/cmd/scan"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// NewCmd builds the command; runF, when not nil, replaces scan.Run.
func NewCmd(f *app.Factory, runF func(context.Context, *scan.Options) error) *cobra.Command {
	opts := &scan.Options{IO: f.IO, AWSConfig: f.AWSConfig, Now: f.Now, Probe: true, MaxAttempts: awsapi.DefaultMaxAttempts,
		RequestTimeout: awsapi.DefaultRequestTimeout, Rate: awsapi.DefaultRate, FindPace: true, Format: "table"}
	var cluster, region string
	cmd := &cobra.Command{
		Use:   "probe --cluster NAME [--region REGION]",
		Short: "Probe one cluster's endpoint from here: DNS, TCP, TLS against the cluster's CA, anonymous access",
		Long: `Probe reads one cluster (eks:DescribeCluster) and checks what its API server endpoint answers from
where eksguard runs: the addresses its name resolves to (public or private), whether port 443 answers,
whether the TLS certificate chains to the cluster's own certificate authority and names the endpoint, and
what an anonymous caller gets from GET /version, /healthz and /api/v1/namespaces (asked only over a
verified connection, never with credentials). It judges endpoint-reachability and anonymous-api-access,
as 'eksguard scan --probe' does for every cluster.

Exit codes as scan: 0 nothing failed, 1 a check failed, 2 usage error, 3 UNKNOWN or ERROR, 4 access denied.`,
		Example: `  eksguard probe --cluster prod --region eu-west-1
  eksguard probe --cluster prod --region eu-west-1 --caller-ip 203.0.113.5 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cluster == "" {
				return cmdutil.Usage(cmd, errors.New("--cluster: the cluster to probe is required"))
			}
			opts.Clusters = []string{cluster}
			if region != "" {
				opts.Regions = []string{region}
			}
			opts.Controls = benchmark.ProbeControls
			if err := opts.Validate(); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return scan.Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cluster, "cluster", "", "the cluster to probe (required)")
	fl.StringVar(&region, "region", "", "its region (default: the configured region)")
	fl.StringVar(&opts.Profile, "profile", "", "AWS shared config profile to use")
	fl.StringVar(&opts.EndpointURL, "endpoint-url", "", "send the AWS call to this URL (emulator, moto_server)")
	fl.StringVarP(&opts.Format, "format", "f", "table", "output format: table, json or sarif (and the other scan formats)")
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of standard output")
	scan.AddProbeFlags(fl, opts)
	return cmd
}
