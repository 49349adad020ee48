// Package fix is `eksguard fix`: close an exposed endpoint without locking anyone out. It plans by
// default, and changes the cluster only with --apply (and a typed confirmation, or --yes).
package fix

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/remediate"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// Options are the command's flags and what it needs from its surroundings.
type Options struct {
	IO        *iostreams.IOStreams
	AWSConfig func(ctx context.Context, profile string) (aws.Config, error)
	Now       func() time.Time

	Cluster      string
	Region       string
	Private      bool
	Restrict     []string
	ClientCIDRs  []string
	CallerIP     string
	IPEchoURL    string
	AllowLockout bool
	Apply        bool
	Yes          bool
	Format       string
	WaitTimeout  time.Duration
	PollInterval time.Duration
	NoRollback   bool
	AuditLog     string
	Profile      string
	EndpointURL  string
	MaxAttempts  int
	// RequestTimeout bounds each attempt of each AWS call.
	RequestTimeout time.Duration

	// readBackoff replaces remediate.DefaultReadBackoff (tests shorten it); nil means the default.
	readBackoff []time.Duration
}

// auditTimeout bounds each write to the audit log. The entry for the whole change gets a deadline of
// its own, detached from the command's context, because it must be written after an interrupt too.
const auditTimeout = 10 * time.Second

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "fix --cluster NAME --region R (--private | --restrict CIDR[,CIDR])",
		Short: "Plan, and with --apply make, a guarded change that closes an exposed endpoint",
		Long: `Fix brings one cluster to a compliant endpoint configuration:

  --private           CIS 5.4.2: private access on, public access off
  --restrict CIDRS    CIS 5.4.1: private access on, public access on, allowlist exactly CIDRS

Without --apply it only plans: the current settings, the target, every safety check with its
evidence, and the ordered API calls it would make. With --apply it records the current settings as
the rollback target, turns private access on first when it is off (phase 1), then applies the
target (phase 2); each phase is one UpdateClusterConfig with endpoint fields only and a client
request token reused on retries, followed by DescribeUpdate polling until the update ends and a
DescribeCluster that must show the result. A failed phase or a failed verification is rolled back
to the recorded settings (unless --no-rollback); a timeout or an interrupt is not, since the update
may still finish, nor is a phase that meets another update in progress (busy). In every case
eksguard says exactly what state the cluster is in.

Exit codes: 0 applied, already compliant, or a plan whose checks all pass; 1 a check refuses or the
confirmation was not given (nothing changed); 2 usage error, unknown cluster, or a plan that could
not be written; 3 a check could not be made (nothing changed), the change did not complete (the
message gives the cluster's state), or the audit log could not be written; 4 no credentials or
access denied (naming the IAM action).`,
		Example: `  eksguard fix --cluster prod --region us-east-1 --private --client-cidr 10.20.0.0/16
  eksguard fix --cluster prod --region us-east-1 --restrict 203.0.113.0/24 --apply --yes --audit-log fix.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.EmptyLists(cmd, "restrict", "client-cidr"); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return Run(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Cluster, "cluster", "", "cluster to fix (required)")
	fl.StringVar(&o.Region, "region", "", "the cluster's region (default: the configured region); an unknown region is refused (EKSGUARD_EXTRA_REGIONS adds newer ones)")
	fl.BoolVar(&o.Private, "private", false, "target CIS 5.4.2: private on, public off")
	fl.StringSliceVar(&o.Restrict, "restrict", nil, "target CIS 5.4.1: private on, public on, allowlist exactly these CIDR blocks (comma-separated or repeated)")
	fl.StringSliceVar(&o.ClientCIDRs, "client-cidr", nil, "a network that must keep reaching the API through the private endpoint (VPN, bastion, in-VPC CI); its TCP 443 access is checked (repeatable)")
	fl.StringVar(&o.CallerIP, "caller-ip", "auto", "with --restrict: your public IP address, which must stay inside the allowlist, or auto to ask --ip-echo-url")
	fl.StringVar(&o.IPEchoURL, "ip-echo-url", remediate.DefaultIPEchoURL, "service that answers a GET with the caller's public IP (for --caller-ip auto); also EKSGUARD_IP_ECHO_URL")
	fl.BoolVar(&o.AllowLockout, "allow-lockout", false, "accept that clients outside the VPC, or the caller, lose access")
	fl.BoolVar(&o.Apply, "apply", false, "make the change (default: plan only)")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation (required with --apply off a terminal)")
	cmdutil.FormatFlag(fl, &o.Format, "table", "output format: table or json")
	fl.DurationVar(&o.WaitTimeout, "wait-timeout", remediate.DefaultWaitTimeout, "how long to wait for each update to finish")
	fl.DurationVar(&o.PollInterval, "poll-interval", remediate.DefaultPollInterval, "first wait between DescribeUpdate calls; it grows by half up to 2m")
	fl.BoolVar(&o.NoRollback, "no-rollback", false, "do not roll back a failed change")
	fl.StringVar(&o.AuditLog, "audit-log", "", "append one JSON line per change to this file")
	fl.StringVar(&o.Profile, "profile", "", "AWS shared config profile to use")
	fl.StringVar(&o.EndpointURL, "endpoint-url", "", "send every AWS call to this URL (emulator, moto_server)")
	fl.IntVar(&o.MaxAttempts, "max-attempts", awsapi.DefaultMaxAttempts, "attempts per AWS call")
	fl.DurationVar(&o.RequestTimeout, "request-timeout", awsapi.DefaultRequestTimeout, "time each attempt of an AWS call may take; an attempt that runs out is retried")
	return cmd
}

// Validate checks the flags in one place.
func (o *Options) Validate() error {
	switch {
	case o.Cluster == "":
		return errors.New("--cluster is required")
	case !awsapi.ValidClusterName(o.Cluster):
		return fmt.Errorf("--cluster: %q is not a valid EKS cluster name", o.Cluster)
	case o.Private == (len(o.Restrict) > 0):
		return errors.New("choose exactly one target: --private or --restrict CIDR[,CIDR]")
	case o.Format != "table" && o.Format != "json":
		return fmt.Errorf("--format: unknown format %q (want table or json)", o.Format)
	case o.WaitTimeout <= 0:
		return errors.New("--wait-timeout must be positive")
	case o.PollInterval <= 0:
		return errors.New("--poll-interval must be positive")
	case o.MaxAttempts < 1:
		return errors.New("--max-attempts must be at least 1")
	case o.RequestTimeout <= 0:
		return errors.New("--request-timeout must be positive")
	case o.EndpointURL != "" && !strings.HasPrefix(o.EndpointURL, "http://") && !strings.HasPrefix(o.EndpointURL, "https://"):
		return fmt.Errorf("--endpoint-url: %q must start with http:// or https://", o.EndpointURL)
	}
	if o.Region != "" {
		if err := awsapi.CheckRegion(o.Region, o.IO.Getenv); err != nil {
			return fmt.Errorf("--region: %w", err)
		}
	}
	if o.CallerIP != "auto" && o.CallerIP != "" {
		if _, err := netip.ParseAddr(o.CallerIP); err != nil {
			return fmt.Errorf("--caller-ip: %q is not an IP address (or auto)", o.CallerIP)
		}
	}
	if o.Private && o.CallerIP != "auto" {
		return errors.New("--caller-ip applies to --restrict; with --private, name client networks with --client-cidr")
	}
	return nil
}

// Run plans, and applies when asked.
func Run(ctx context.Context, o *Options) error {
	streams := o.IO
	echo := o.IPEchoURL
	if echo == remediate.DefaultIPEchoURL && streams.Getenv != nil {
		if v := streams.Getenv("EKSGUARD_IP_ECHO_URL"); v != "" {
			echo = v
		}
	}
	if o.Apply && !o.Yes && !streams.IsStdinTTY() {
		return &cmdutil.UsageError{Err: errors.New("--apply off a terminal needs --yes"), Command: "fix"}
	}
	cfg, err := o.AWSConfig(ctx, o.Profile)
	if err != nil {
		return exit.New(exit.Denied, err)
	}
	region := o.Region
	if region == "" {
		region = cfg.Region
	}
	if region == "" {
		return &cmdutil.UsageError{Err: errors.New("no region: pass --region, or set AWS_REGION or a region in your profile"), Command: "fix"}
	}
	cfg.Region = region
	clients := &awsapi.Clients{Base: cfg, EndpointURL: o.EndpointURL, MaxAttempts: o.MaxAttempts, RequestTimeout: o.RequestTimeout}
	collector := &awsapi.Collector{Clients: clients}
	if err := collector.CheckCredentials(ctx); err != nil {
		return exit.New(exit.Denied, err)
	}
	id, err := collector.WhoAmI(ctx, nil)
	if err != nil && !awsapi.IsAccessDenied(err) {
		return exit.New(exit.Incomplete, fmt.Errorf("cannot reach AWS (sts:GetCallerIdentity): %s", awsapi.Message(err)))
	}
	eksClient := clients.EKS(nil, id.Account, region)
	deps := remediate.Deps{EKS: eksClient, EC2: clients.EC2(nil, region), Account: id.Account, ReadBackoff: o.readBackoff}
	ropts := remediate.Options{Cluster: o.Cluster, Region: region, ClientCIDRs: o.ClientCIDRs, CallerIP: o.CallerIP, IPEchoURL: echo, AllowLockout: o.AllowLockout}
	if o.Private {
		ropts.Mode = remediate.ModePrivate
	} else {
		ropts.Mode, ropts.CIDRs = remediate.ModeRestrict, o.Restrict
	}
	plan, err := remediate.BuildPlan(ctx, deps, ropts)
	if err != nil {
		return planError(ctx, o, region, err)
	}
	if !o.Apply || plan.AlreadyCompliant || plan.Refused || plan.Incomplete {
		if err := writePlan(streams, o.Format, plan); err != nil {
			return err
		}
		return verdict(plan)
	}
	if !o.Yes {
		// The preview goes to standard error so that standard output stays one JSON document.
		if err := render.WriteFix(streams.ErrOut, "table", render.Options{Color: streams.ColorEnabledStderr(), Command: "fix"}, plan, nil); err != nil {
			return exit.New(exit.Usage, fmt.Errorf("cannot show the plan before asking for confirmation: %w; nothing was changed", err))
		}
		if !confirm(ctx, streams, plan) {
			return exit.New(exit.Fail, errors.New("not confirmed; nothing was changed"))
		}
		// The prompt may have waited a long time: plan again, so the checks and the rollback target
		// describe the cluster as it is now.
		fresh, err := remediate.BuildPlan(ctx, deps, ropts)
		if err != nil {
			return planError(ctx, o, region, err)
		}
		if fresh.Refused || fresh.Incomplete || fresh.AlreadyCompliant || !sameSettings(fresh.Current, plan.Current) {
			if err := writePlan(streams, o.Format, fresh); err != nil {
				return err
			}
			if fresh.Incomplete {
				return verdict(fresh)
			}
			return exit.New(exit.Fail, errors.New("the cluster changed while waiting for confirmation; nothing was changed; review the new plan and run again"))
		}
		plan = fresh
	}
	var audit *remediate.AuditLog
	if o.AuditLog != "" {
		if audit, err = remediate.OpenAuditLog(ctx, o.AuditLog); err != nil {
			if ctx.Err() != nil {
				return exit.New(exit.Incomplete, fmt.Errorf("interrupted while waiting for a process to read the audit log %s; nothing was changed", o.AuditLog))
			}
			return exit.New(exit.Usage, fmt.Errorf("%w; nothing was changed", err))
		}
		defer audit.Close()
	}
	ex := &remediate.Executor{EKS: eksClient, PollInterval: o.PollInterval, WaitTimeout: o.WaitTimeout, NoRollback: o.NoRollback, Log: streams.ErrOut,
		ReadBackoff: o.readBackoff}
	var auditErr error
	if audit != nil {
		ex.Started = func(r remediate.UpdateRecord) {
			// A log reader that stops reading must not hold up the change it records: the write
			// gives up after a while (or on an interrupt), and the run then ends with exit 3.
			actx, cancel := context.WithTimeout(ctx, auditTimeout)
			defer cancel()
			if err := audit.Append(actx, remediate.StartedEntry(o.Now(), id.ARN, plan, r)); err != nil && auditErr == nil {
				auditErr = err
			}
		}
	}
	outcome := ex.Apply(ctx, plan)
	if audit != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
		if err := audit.Append(actx, remediate.Entry(o.Now(), id.ARN, plan, outcome)); err != nil && auditErr == nil {
			auditErr = err
		}
		cancel()
	}
	// The cluster may have changed: from here the exit code says what happened to it, and an
	// output that cannot be written is reported on standard error without hiding that.
	outErr := write(streams, o.Format, plan, outcome)
	if outErr != nil {
		fmt.Fprintf(streams.ErrOut, "eksguard: could not write the outcome: %s\n", outErr)
	}
	switch {
	case auditErr != nil:
		return exit.New(exit.Incomplete, fmt.Errorf("%s; but the audit log could not be written: %w", outcome.Message, auditErr))
	case !outcome.OK():
		return exit.New(exit.Incomplete, errors.New(outcome.Message))
	case outErr != nil:
		fmt.Fprintf(streams.ErrOut, "eksguard: %s: %s\n", outcome.Result, outcome.Message)
	}
	return nil
}

// writePlan writes a plan when nothing is applied. The plan is then all the command produces, so
// not being able to write it is an error of its own (exit 2), whatever the plan says.
func writePlan(streams *iostreams.IOStreams, format string, p *remediate.Plan) error {
	if err := write(streams, format, p, nil); err != nil {
		return exit.New(exit.Usage, fmt.Errorf("could not write the plan: %w; nothing was changed", err))
	}
	return nil
}

// verdict is the exit a plan that is not applied ends with: access denied (4) before a check that
// could not be made (3) before a refusal (1).
func verdict(p *remediate.Plan) error {
	var denied, unchecked []string
	for _, c := range p.Unchecked() {
		if c.AccessDenied {
			denied = append(denied, nonEmpty(c.Action, c.ID))
		}
		unchecked = append(unchecked, c.ID+": "+strings.TrimPrefix(c.Detail, "could not check: "))
	}
	switch {
	case len(denied) > 0:
		return exit.New(exit.Denied, fmt.Errorf("access denied: grant %s; nothing was changed", strings.Join(denied, ", ")))
	case len(unchecked) > 0:
		return exit.New(exit.Incomplete, fmt.Errorf("could not check %s; nothing was changed", strings.Join(unchecked, "; ")))
	case p.Refused:
		return exit.New(exit.Fail, fmt.Errorf("%d safety check(s) refuse; nothing was changed", len(p.Refusals())))
	}
	return nil
}

func planError(ctx context.Context, o *Options, region string, err error) error {
	var nf *ekstypes.ResourceNotFoundException
	switch {
	case ctx.Err() != nil:
		return exit.New(exit.Incomplete, errors.New("interrupted; nothing was changed"))
	case errors.As(err, &nf):
		return exit.New(exit.Usage, fmt.Errorf("cluster %q not found in %s", o.Cluster, region))
	case awsapi.IsAccessDenied(err):
		return exit.New(exit.Denied, fmt.Errorf("access denied: eks:DescribeCluster %s in %s: %s", o.Cluster, region, awsapi.Message(err)))
	}
	return exit.New(exit.Incomplete, fmt.Errorf("cannot read cluster %s in %s: %s", o.Cluster, region, awsapi.Message(err)))
}

// confirm asks for the cluster name; Ctrl-C while it waits means no.
func confirm(ctx context.Context, streams *iostreams.IOStreams, p *remediate.Plan) bool {
	fmt.Fprintf(streams.ErrOut, "\nApply %d update(s) to cluster %s in %s? Type the cluster name to confirm: ", len(p.Phases), p.Cluster.Name, p.Cluster.Region)
	answer := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(streams.In).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			line = ""
		}
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(streams.ErrOut)
		return false
	case line := <-answer:
		return strings.TrimSpace(line) == p.Cluster.Name
	}
}

func sameSettings(a, b *remediate.Settings) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b) && sameList(a.CIDRs, b.CIDRs)
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func write(streams *iostreams.IOStreams, format string, p *remediate.Plan, o *remediate.Outcome) error {
	return render.WriteFix(streams.Out, format, render.Options{Color: streams.ColorEnabled(), Command: "fix"}, p, o)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
