// Package scan is `eksguard scan`: collect clusters from AWS (or a saved snapshot), evaluate the
// benchmark controls, and write the report.
package scan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/progress"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/reporting"
	"github.com/eksguard/eksguard/internal/securityhub"
	"github.com/eksguard/eksguard/internal/source/awsapi"
	"github.com/eksguard/eksguard/internal/source/snapshot"
	"github.com/eksguard/eksguard/internal/version"
)

// Options are the scan's flags and what it needs from its surroundings.
type Options struct {
	IO *iostreams.IOStreams
	// AWSConfig loads the SDK configuration (the factory's; the demo gives static credentials).
	AWSConfig func(ctx context.Context, profile string) (aws.Config, error)
	Now       func() time.Time

	Profile      string
	Regions      []string
	AllRegions   bool
	Clusters     []string
	EndpointURL  string
	Format       string
	Output       string
	SaveSnapshot string
	Snapshot     string
	MaxAttempts  int
	// RequestTimeout bounds each attempt of each AWS call.
	RequestTimeout time.Duration
	Rate           float64
	// FindPace lets the scan find its pace from Rate upward (docs/pacing.md); set when --rate is
	// not given.
	FindPace bool
	Org      bool
	Accounts []string
	RoleName string
	// Controls and SkipControls choose the controls evaluated (ids, sections or check ids).
	Controls, SkipControls []string
	ExternalID             string
	// Report holds the flags shared with iac: waivers, baseline, exit policy, filters, extra outputs.
	Report reporting.Options
	// SecurityHub imports the findings into AWS Security Hub; SecurityHubResolve also archives
	// earlier findings this run shows resolved (and implies SecurityHub).
	SecurityHub, SecurityHubResolve bool
	// Probe checks what each endpoint answers from here (probe.go); ProbeTimeout bounds each step,
	// CallerIP is this caller's public address ("auto" or empty: ask IPEchoURL).
	Probe        bool
	ProbeTimeout time.Duration
	CallerIP     string
	IPEchoURL    string
	// Kubernetes reads each cluster's Kubernetes API (kube.go); Kubeconfig reads one cluster's API
	// only, from a kubeconfig file and KubeContext, with no AWS call. KubeTimeout bounds each request.
	Kubernetes  bool
	Kubeconfig  string
	KubeContext string
	KubeTimeout time.Duration
}

// Formats are the output formats scan writes: every registered one but patch, which is for IaC.
func Formats() []string {
	var out []string
	for _, f := range render.Formats() {
		if f != "patch" {
			out = append(out, f)
		}
	}
	return out
}

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Audit every EKS cluster of the chosen regions and accounts against the CIS controls",
		Long: `Scan lists every EKS cluster in the chosen regions (ListClusters, all pages), describes each and
evaluates the CIS Amazon EKS Benchmark v1.8.0 controls eksguard automates: 2.1.1 (audit logging), 4.1.7
(access entries), 5.1.1 (ECR image scanning, per registry), 5.1.3 (node roles' ECR access), 5.3.1
(secrets encryption with a customer managed key), 5.4.1 and 5.4.2 (API server endpoint), 5.4.3 (private
nodes), 5.4.4 (network policy) and 5.4.5 (TLS on load balancers), reading beyond DescribeCluster only
what the selected controls need. --controls and --skip-controls choose among them by control id
(5.4.1), section (5.4) or check id (eks-endpoint-private); 'eksguard controls' lists them all. --probe
also checks from the network what each endpoint answers (endpoint-reachability, anonymous-api-access).
--kubernetes also reads each cluster's Kubernetes API with an EKS token and judges the 32 controls it
answers (3.2 kubelet settings, 4.1-4.5 RBAC, Pod Security, network policies, secrets, namespaces,
5.2.1); --kubeconfig FILE judges one cluster that way with no AWS call.

Credentials come from the standard AWS chain: environment, shared config and profiles (--profile),
SSO, instance and container roles. --endpoint-url, or the SDK's AWS_ENDPOINT_URL, sends every call to
another endpoint such as 'eksguard emulator' or moto_server.

Exit codes: 0 nothing failed, 1 a control failed, 2 usage or input error, 3 the scan is incomplete
(an ERROR, an UNKNOWN from live data, an unreachable endpoint or an interrupt), 4 no credentials or
access denied.`,
		Example: `  eksguard scan --region us-east-1,eu-west-1
  eksguard scan --all-regions --format json --output report.json
  eksguard scan --region us-east-1 --cluster prod --save-snapshot prod.json
  eksguard scan --snapshot prod.json
  eksguard scan --region eu-west-1 --kubernetes
  eksguard scan --kubeconfig ~/.kube/config --context prod --controls 4.1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.EmptyLists(cmd, "region", "accounts", "controls", "skip-controls", "fail-on", "status", "output-format"); err != nil {
				return err
			}
			if err := validateKubeFlags(cmd, opts); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			if err := opts.Validate(); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			// A pace the user chose is kept to; otherwise the scan finds its own.
			opts.FindPace = !cmd.Flags().Changed("rate")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Profile, "profile", "", "AWS shared config profile to use")
	fl.StringSliceVar(&opts.Regions, "region", nil, "regions to scan, comma-separated or repeated (default: the configured region); an unknown region is refused (EKSGUARD_EXTRA_REGIONS adds newer ones)")
	fl.BoolVar(&opts.AllRegions, "all-regions", false, "scan every region enabled for the account (ec2:DescribeRegions)")
	fl.StringArrayVar(&opts.Clusters, "cluster", nil, "scan only this cluster (repeatable)")
	fl.StringVar(&opts.EndpointURL, "endpoint-url", "", "send every AWS call to this URL (emulator, moto_server)")
	cmdutil.FormatFlag(fl, &opts.Format, "table", "output format: "+strings.Join(Formats(), ", "))
	cmdutil.OutputFlag(fl, &opts.Output, "write the report to this file instead of standard output (- is standard output)")
	fl.StringVar(&opts.SaveSnapshot, "save-snapshot", "", "also save the collected clusters as a snapshot file")
	fl.StringVar(&opts.Snapshot, "snapshot", "", "evaluate a saved snapshot offline instead of calling AWS")
	fl.IntVar(&opts.MaxAttempts, "max-attempts", awsapi.DefaultMaxAttempts, "attempts per AWS call, retries of throttles and server errors included")
	fl.DurationVar(&opts.RequestTimeout, "request-timeout", awsapi.DefaultRequestTimeout, "time each attempt of an AWS call may take, from sending the request to reading the whole answer; an attempt that runs out is retried")
	fl.BoolVar(&opts.Org, "org", false, "scan every account of the AWS Organization (organizations:ListAccounts), assuming --role-name in each")
	fl.StringSliceVar(&opts.Accounts, "accounts", nil, "only these account ids (with --org), or these accounts without listing the organization (needs --role-name)")
	fl.StringVar(&opts.RoleName, "role-name", "", "role assumed in each account other than the caller's (sts:AssumeRole), e.g. OrganizationAccountAccessRole")
	fl.StringVar(&opts.ExternalID, "external-id", "", "external id passed to sts:AssumeRole")
	fl.StringSliceVar(&opts.Controls, "controls", nil, "evaluate only these controls: ids (5.4.1), sections (5.4) or check ids, comma-separated or repeated")
	fl.StringSliceVar(&opts.SkipControls, "skip-controls", nil, "leave out these controls: ids, sections or check ids")
	reporting.AddFlags(fl, &opts.Report)
	fl.BoolVar(&opts.SecurityHub, "security-hub", false, "import the findings into AWS Security Hub (securityhub:BatchImportFindings) in each finding's account and region")
	AddProbeFlags(fl, opts)
	addKubeFlags(fl, opts)
	fl.BoolVar(&opts.Probe, "probe", false, "also probe each endpoint from here (DNS, TCP, TLS against the cluster's CA, anonymous GET /version, /healthz, /api/v1/namespaces) and judge endpoint-reachability and anonymous-api-access")
	fl.BoolVar(&opts.SecurityHubResolve, "security-hub-resolve", false, "import, and archive eksguard's earlier Security Hub findings for clusters that now pass or are gone from the accounts and regions scanned")
	fl.Float64Var(&opts.Rate, "rate", awsapi.DefaultRate, "EKS requests per second per account and region, kept to: the pace falls when throttled and rises up to twice this after long runs of successes. Without --rate every account and region starts at 9.5 and the scan finds its pace: one pair at a time probes faster and lends what it proves to the others, up to 1000 requests/s for the whole scan, until the first throttle")
	return cmd
}

// Validate checks the options in one place, without changing them; errors are usage errors.
func (o *Options) Validate() error {
	if !slices.Contains(Formats(), o.Format) {
		return fmt.Errorf("--format: unknown format %q (want one of: %s)", o.Format, strings.Join(Formats(), ", "))
	}
	if err := o.Report.Validate(Formats(), o.Output); err != nil {
		return err
	}
	if o.Snapshot != "" {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"region", len(o.Regions) > 0}, {"all-regions", o.AllRegions}, {"profile", o.Profile != ""}, {"endpoint-url", o.EndpointURL != ""},
			{"save-snapshot", o.SaveSnapshot != ""}, {"cluster", len(o.Clusters) > 0}, {"org", o.Org}, {"accounts", len(o.Accounts) > 0},
			{"role-name", o.RoleName != ""}, {"external-id", o.ExternalID != ""},
			{"security-hub", o.SecurityHub}, {"security-hub-resolve", o.SecurityHubResolve}, {"probe", o.Probe},
		} {
			if f.set {
				return fmt.Errorf("--snapshot evaluates a saved scan offline; it cannot be combined with --%s", f.name)
			}
		}
	}
	// Two outputs on one file would leave only the one written last; writing over the snapshot
	// being read would destroy it.
	switch {
	case o.SaveSnapshot != "" && o.Output != "" && fileio.SameFile(o.SaveSnapshot, o.Output):
		return fmt.Errorf("--save-snapshot and --output name the same file (%s); give each its own", o.Output)
	case o.Snapshot != "" && o.Output != "" && fileio.SameFile(o.Snapshot, o.Output):
		return fmt.Errorf("--output names the snapshot being read (%s); writing the report there would replace it", o.Output)
	}
	if _, err := o.benchmark(); err != nil {
		return err
	}
	if o.AllRegions && len(o.Regions) > 0 {
		return errors.New("--region and --all-regions cannot be used together")
	}
	for _, r := range o.Regions {
		if err := awsapi.CheckRegion(r, o.IO.Getenv); err != nil {
			return fmt.Errorf("--region: %w", err)
		}
	}
	for _, c := range o.Clusters {
		if !awsapi.ValidClusterName(c) {
			return fmt.Errorf("--cluster: %q is not a valid EKS cluster name", c)
		}
	}
	for _, a := range o.Accounts {
		if !awsapi.ValidAccountID(a) {
			return fmt.Errorf("--accounts: %q is not a 12-digit AWS account id", a)
		}
	}
	if (o.Org || len(o.Accounts) > 0) && o.RoleName == "" {
		return errors.New("--org and --accounts need --role-name, the role to assume in each account")
	}
	if o.RoleName != "" && !awsapi.ValidRoleName(o.RoleName) {
		return fmt.Errorf("--role-name: %q is not an IAM role name", o.RoleName)
	}
	if (o.RoleName != "" || o.ExternalID != "") && !o.Org && len(o.Accounts) == 0 {
		return errors.New("--role-name and --external-id apply to --org or --accounts")
	}
	if o.MaxAttempts < 1 {
		return fmt.Errorf("--max-attempts must be at least 1, not %d", o.MaxAttempts)
	}
	if !(o.Rate > 0) || math.IsInf(o.Rate, 0) {
		return fmt.Errorf("--rate must be a number above 0, not %g", o.Rate)
	}
	if o.RequestTimeout <= 0 {
		return fmt.Errorf("--request-timeout must be positive, not %s", o.RequestTimeout)
	}
	if o.EndpointURL != "" && !strings.HasPrefix(o.EndpointURL, "http://") && !strings.HasPrefix(o.EndpointURL, "https://") {
		return fmt.Errorf("--endpoint-url: %q must start with http:// or https://", o.EndpointURL)
	}
	return o.validateProbe()
}

// Run performs the scan and writes the report; the returned error carries the exit code.
func Run(ctx context.Context, o *Options) error {
	b, err := o.benchmark()
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	var inv *model.Inventory
	var live *liveRun
	if o.Kubeconfig != "" {
		inv, err = kubeconfigInventory(ctx, o, b.Parts())
	} else {
		inv, live, err = collect(ctx, o, b.Parts())
	}
	if err != nil {
		return err
	}
	if len(kubeParts(b.Parts())) > 0 && o.Snapshot == "" && o.Kubeconfig == "" {
		if err := readKubernetes(ctx, o, inv, live, b.Parts()); err != nil {
			return err
		}
	}
	if b.Parts().Has(model.PartProbe) && o.Snapshot == "" {
		if err := probeClusters(ctx, o, inv); err != nil {
			return err
		}
	}
	if o.SaveSnapshot != "" {
		if err := snapshot.Save(ctx, o.SaveSnapshot, Tool(), inv); err != nil {
			return exit.New(exit.Usage, err)
		}
	}
	rep := Evaluate(inv, b, o.Now)
	inv.DropParts() // judged, and saved in the snapshot already: only the report is written from here
	if err := o.Report.Prepare(rep, nil, rep.GeneratedAt); err != nil {
		return exit.New(exit.Usage, err)
	}
	shown := o.Report.Shown(rep)
	ropts := render.Options{Command: "scan", Quiet: o.Report.Quiet, Compact: o.Report.Compact}
	if err := Write(ctx, o.IO, shown, o.Format, o.Output, ropts); err != nil {
		return err
	}
	err = o.Report.WriteOutputs(ctx, Formats(), func(ctx context.Context, format, file string) error {
		return Write(ctx, o.IO, shown, format, file, ropts)
	})
	if err != nil {
		return err
	}
	verdict := o.Report.Exit(rep, func(r *finding.Report) error { return ExitFor(r, inv) })
	if !o.SecurityHub && !o.SecurityHubResolve {
		return verdict
	}
	// Security Hub gets every result, whatever --status shows.
	if err := importFindings(ctx, o, rep, inv, live); err != nil {
		if exit.Code(verdict) == exit.Denied {
			fmt.Fprintf(o.IO.ErrOut, "eksguard: %s\n", escape.Lines(err.Error()))
			return verdict
		}
		if verdict != nil && verdict.Error() != "" {
			fmt.Fprintf(o.IO.ErrOut, "eksguard: %s\n", escape.Lines(verdict.Error()))
		}
		return err
	}
	return verdict
}

// importFindings sends the report to Security Hub and says what became of it on standard error. A
// finding Security Hub did not take is exit code 3: the run did not deliver what it was asked to.
func importFindings(ctx context.Context, o *Options, rep *finding.Report, inv *model.Inventory, live *liveRun) error {
	hub := securityhub.New(securityhub.Config{
		Clients:     &awsapi.Clients{Base: live.cfg, EndpointURL: o.EndpointURL, MaxAttempts: o.MaxAttempts, RequestTimeout: o.RequestTimeout},
		Credentials: live.creds,
		Now:         o.Now,
	})
	var res *securityhub.Result
	var err error
	if o.SecurityHubResolve {
		res, err = hub.ImportAndResolve(ctx, rep, resolveScope(o, rep, inv, live))
	} else {
		res, err = hub.Import(ctx, rep)
	}
	if res != nil {
		fmt.Fprintln(o.IO.ErrOut, escape.Text(res.Summary()))
		for _, f := range res.Failed {
			fmt.Fprintf(o.IO.ErrOut, "security hub: %s\n", escape.Text(f.String()))
		}
		for _, u := range res.Unresolved {
			fmt.Fprintf(o.IO.ErrOut, "security hub: earlier findings of %s %s left as they are: %s\n", escape.Text(u.Account), escape.Text(u.Region), escape.Text(u.Reason))
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return exit.New(exit.Incomplete, fmt.Errorf("interrupted while sending findings to Security Hub: %w", err))
	case err != nil:
		return exit.New(exit.Incomplete, fmt.Errorf("security hub: %w", err))
	case !res.OK():
		return exit.New(exit.Incomplete, fmt.Errorf("security hub: %d findings or listings failed (listed above); the report was written", len(res.Failed)))
	}
	return nil
}

// resolveScope is where --security-hub-resolve may archive: the accounts the run entered (the
// caller's, and those of --org or --accounts it could enter) and the regions it listed (the
// --region list, or for --all-regions those the report has results in).
func resolveScope(o *Options, rep *finding.Report, inv *model.Inventory, live *liveRun) securityhub.Scope {
	scope := securityhub.ReportScope(rep, unique(o.Clusters))
	accounts := map[string]bool{}
	for _, a := range scope.Accounts {
		accounts[a] = true
	}
	for _, a := range live.accounts {
		accounts[a] = true
	}
	if parts := strings.Split(inv.Caller, ":"); len(parts) > 4 && awsapi.ValidAccountID(parts[4]) && len(live.accounts) == 0 {
		accounts[parts[4]] = true
	}
	scope.Accounts = scope.Accounts[:0]
	for a := range accounts {
		scope.Accounts = append(scope.Accounts, a)
	}
	sort.Strings(scope.Accounts)
	if len(live.regions) > 0 {
		scope.Regions = live.regions
	}
	return scope
}

// liveRun is what a live scan used, for Security Hub: the configuration, the credentials of each
// account other than the caller's, the accounts entered and the regions listed (nil for
// --all-regions, which lists them itself).
type liveRun struct {
	cfg      aws.Config
	creds    map[string]aws.CredentialsProvider
	accounts []string
	regions  []string
}

// Tool is eksguard's identity in reports and snapshots.
func Tool() finding.Tool { return finding.Tool{Name: "eksguard", Version: version.String()} }

// Evaluate turns an inventory into a finished report on the benchmark's selected controls, dated
// by now.
func Evaluate(inv *model.Inventory, b *benchmark.Benchmark, now func() time.Time) *finding.Report {
	if now == nil {
		now = time.Now
	}
	rep := &finding.Report{SchemaVersion: finding.SchemaVersion, Tool: Tool(), Benchmark: b.Ref(), GeneratedAt: now().UTC(), Skipped: inv.Skipped}
	for _, c := range b.Evaluated() {
		rep.Controls = append(rep.Controls, c.ID)
	}
	rep.Results = b.EvaluateInventory(inv)
	rep.Finish()
	return rep
}

// collect reads the inventory from a snapshot or from AWS; parts are what the selected controls
// read beyond DescribeCluster, and only those are collected.
func collect(ctx context.Context, o *Options, parts model.Parts) (*model.Inventory, *liveRun, error) {
	if o.Snapshot != "" {
		inv, err := snapshot.Load(o.Snapshot)
		if err != nil {
			return nil, nil, exit.New(exit.Usage, err)
		}
		return inv, nil, nil
	}
	cfg, err := o.AWSConfig(ctx, o.Profile)
	if err != nil {
		return nil, nil, exit.New(exit.Denied, err)
	}
	// A value given twice would scan, report and count the same thing twice.
	scope := awsapi.Scope{Regions: unique(o.Regions), AllRegions: o.AllRegions, Clusters: unique(o.Clusters)}
	if !o.AllRegions && len(o.Regions) == 0 {
		if cfg.Region == "" {
			return nil, nil, &cmdutil.UsageError{Err: errors.New("no region: pass --region or --all-regions, or set AWS_REGION or a region in your profile"), Command: "scan"}
		}
		scope.Regions = []string{cfg.Region}
	}
	c := &awsapi.Collector{Clients: &awsapi.Clients{Base: cfg, EndpointURL: o.EndpointURL, MaxAttempts: o.MaxAttempts, Rate: o.Rate, FindPace: o.FindPace, RequestTimeout: o.RequestTimeout}, Now: o.Now, Parts: parts}
	var bar *progress.Bar
	if o.IO.IsStderrTTY() {
		bar = progress.New(o.IO.ErrOut)
		c.Progress = bar
	}
	live := &liveRun{cfg: cfg, creds: map[string]aws.CredentialsProvider{}, regions: scope.Regions}
	inv, err := collectWith(ctx, c, o, scope, live)
	if bar != nil {
		if err != nil {
			bar.Clear()
		} else {
			bar.Finish()
		}
	}
	if err != nil {
		return nil, nil, fatal(ctx, err)
	}
	return inv, live, nil
}

// collectWith resolves the accounts (the caller's, or an organization's) and collects them.
func collectWith(ctx context.Context, c *awsapi.Collector, o *Options, scope awsapi.Scope, live *liveRun) (*model.Inventory, error) {
	if !o.Org && len(o.Accounts) == 0 {
		return c.Collect(ctx, scope)
	}
	id, err := c.Caller(ctx)
	if err != nil {
		return nil, err
	}
	accounts, skipped, err := c.ResolveAccounts(ctx, id, awsapi.AccountOptions{Org: o.Org, Only: unique(o.Accounts), RoleName: o.RoleName, ExternalID: o.ExternalID})
	if err != nil {
		return nil, err
	}
	scope.Accounts, scope.Caller, scope.Skipped = accounts, id.ARN, skipped
	for _, a := range accounts {
		if a.Err != nil {
			continue
		}
		live.accounts = append(live.accounts, a.ID)
		if a.Creds != nil {
			live.creds[a.ID] = a.Creds
		}
	}
	if len(accounts) == 0 {
		scope.Accounts = []awsapi.Account{}
	}
	return c.Collect(ctx, scope)
}

func fatal(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return exit.New(exit.Incomplete, errors.New("scan interrupted: no report written"))
	}
	var fe *awsapi.FatalError
	if errors.As(err, &fe) && fe.Denied {
		return exit.New(exit.Denied, err)
	}
	return exit.New(exit.Incomplete, err)
}

// Write renders the report to standard output or, atomically, to a file. A report that cannot be
// written is exit code 2, whatever the verdicts: the run produced nothing a caller can rely on.
func Write(ctx context.Context, streams *iostreams.IOStreams, rep *finding.Report, format, output string, opts render.Options) error {
	toStdout := output == "" || output == "-"
	opts.Color = toStdout && streams.ColorEnabled()
	w, err := render.New(format, opts)
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	if output != "" {
		if err := fileio.WriteFile(ctx, output, func(out io.Writer) error { return w.Write(out, rep) }); err != nil {
			if ctx.Err() != nil {
				return exit.New(exit.Incomplete, errors.New("interrupted while writing the report"))
			}
			return exit.New(exit.Usage, err)
		}
		return nil
	}
	// Streamed: a fleet-wide report is never held in memory as a whole.
	bw := bufio.NewWriterSize(streams.Out, 64<<10)
	err = w.Write(bw, rep)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return exit.New(exit.Usage, fmt.Errorf("write report: %w", err))
	}
	return nil
}

// ExitFor computes the exit code of a finished scan from the results that count (reporting.Exit
// leaves out waived ones and those --fail-on does not name): access denied (4) before incomplete (3)
// before failed (1). Denials and incompleteness are explained on standard error.
func ExitFor(rep *finding.Report, inv *model.Inventory) error {
	if !rep.Has(finding.Error) {
		inv = &model.Inventory{} // denials show as ERROR results; none of them counts
	}
	var denied []string
	seen := map[string]bool{}
	for _, e := range inv.Errors {
		if !e.AccessDenied {
			continue
		}
		where := strings.TrimSpace(strings.Join(nonEmpty(e.Account, e.Region, e.Cluster), " "))
		line := fmt.Sprintf("%s (%s)", e.Operation, where)
		if !seen[line] {
			seen[line] = true
			denied = append(denied, line)
		}
	}
	if len(denied) > 0 {
		sort.Strings(denied)
		return exit.New(exit.Denied, fmt.Errorf("access denied: grant %s; the report marks what could not be read as ERROR", strings.Join(denied, ", ")))
	}
	var errs, unknown int
	for _, r := range rep.Results {
		if !r.Counted() {
			continue
		}
		switch r.Status {
		case finding.Error:
			errs++
		case finding.Unknown:
			unknown++
		}
	}
	if errs > 0 || unknown > 0 {
		return exit.New(exit.Incomplete, fmt.Errorf("scan incomplete: %d ERROR and %d UNKNOWN results; see the report for why", errs, unknown))
	}
	if rep.Has(finding.Fail) {
		return exit.New(exit.Fail, nil)
	}
	return nil
}

func unique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
