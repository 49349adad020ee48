// Package iac is `eksguard iac`: find the EKS clusters declared in Terraform, plan JSON,
// CloudFormation, eksctl and Kubernetes (Cluster API, ACK) files, evaluate the selected controls on them, suggest the smallest edit
// that fixes each failure, and write the report. It reads files only: it never loads AWS
// configuration or credentials.
package iac

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/remediate"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/reporting"
	"github.com/eksguard/eksguard/internal/source/adapters"
	"github.com/eksguard/eksguard/internal/source/cloudformation"
	iacsrc "github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/version"
	"github.com/eksguard/eksguard/internal/waiver"
)

// Formats are the output formats iac writes: every registered one but asff, which needs live
// clusters' accounts and ARNs.
func Formats() []string {
	var out []string
	for _, f := range render.Formats() {
		if f != "asff" {
			out = append(out, f)
		}
	}
	return out
}

// Options are the command's flags and arguments, and what it needs from its surroundings.
type Options struct {
	IO *iostreams.IOStreams
	// Now is the clock reports are dated with; nil is the system's.
	Now func() time.Time

	Paths    []string
	VarFiles []string
	// Vars are the raw --var NAME=VALUE arguments, in order; a later one wins, as in Terraform.
	Vars   []string
	Format string
	Output string
	Target string
	CIDRs  []string
	// KMSKeyARN is the customer managed key fixes for secrets encryption write.
	KMSKeyARN string
	// Controls and SkipControls choose the controls evaluated (ids, sections or check ids).
	Controls, SkipControls []string
	// Dir is the working directory that reported file names are relative to; empty is the process's.
	Dir string
	// CFParams are CloudFormation parameter files, applied in order to every template that declares
	// the parameters; a later file wins.
	CFParams []string
	// TerragruntMocks uses the mock_outputs of Terragrunt dependencies as their outputs.
	TerragruntMocks bool
	// PulumiStack is the Pulumi stack whose Pulumi.<stack>.yaml gives the config of Pulumi YAML programs.
	PulumiStack string
	// Report holds the flags shared with scan: waivers, baseline, exit policy, filters, extra outputs.
	Report reporting.Options
}

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "iac [PATH...]",
		Short: "Check EKS clusters declared in Terraform, Terragrunt, CloudFormation, eksctl, Kubernetes and Pulumi files against the CIS controls",
		Long: `eksguard iac walks the files and folders given and evaluates the CIS Amazon EKS Benchmark v1.8.0
controls eksguard automates (2.1.1, 4.1.7, 5.3.1, 5.4.1 and 5.4.2; choose with --controls and
--skip-controls) on every EKS cluster declared in them: Terraform configurations (.tf, .tf.json,
variable files) and plans (terraform show -json), CloudFormation templates (JSON, YAML, CDK synth
output), eksctl ClusterConfig files, Terragrunt (terragrunt.hcl), Pulumi YAML programs, and
Kubernetes manifests of Cluster API Provider AWS (AWSManagedControlPlane), ACK (Cluster) and
Crossplane (Cluster, and Compositions holding one). Files may be UTF-8 (with or without a byte order mark)
or UTF-16 with a byte order mark. It never reads AWS credentials or calls AWS.

Folders are walked recursively, skipping .git, .hg, .svn, .terraform, .terragrunt-cache, .aws-sam,
node_modules and vendor. Values left unset get the AWS (or module) default, and the report says so;
values that cannot be known before deploy make the verdict UNKNOWN, naming the expression.

--cf-params gives CloudFormation parameters the values of a deployment: the JSON of create-stack
--parameters file://..., of deploy --parameter-overrides, or a CodePipeline template configuration.
Files apply in order, a later one winning; a parameter no scanned template declares, or a value the
template's AllowedValues or AllowedPattern refuses, is a problem.

Each failure in an editable file carries the smallest edit that makes it pass. For the endpoint,
--target chooses: private (the default: private endpoint on, public off, passing 5.4.1 and 5.4.2) or
restrict (private on, public restricted to --cidr, passing 5.4.1). Logging gets every log type and
the authentication mode API_AND_CONFIG_MAP; secrets encryption needs --kms-key-arn, the key to
write (eksguard never picks one). --format patch prints all edits as one unified diff for git apply.

Exit codes: 0 nothing failed (UNKNOWN results alone do not fail a run), 1 a control failed, 2 bad flags
or a path that does not exist, an input problem (a file that cannot be read or parsed; it is named with
its line on standard error and in the report's problems, and the other files are still scanned), or a
report that cannot be written, 3 a result is ERROR or the scan was interrupted. When several apply, 2
wins over 3, and 3 over 1.`,
		Example: `  eksguard iac .
  eksguard iac infra/ --var-file prod.tfvars --var env=prod --format json
  eksguard iac stacks/eks.yaml --cf-params params/prod.json
  eksguard iac . --format sarif --output eksguard.sarif
  eksguard iac . --format patch | git apply
  eksguard iac stacks/cluster.yaml --target restrict --cidr 203.0.113.0/24 --format patch`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			if len(args) == 0 {
				o.Paths = []string{"."} // the current folder, as most scanners do
			}
			if err := cmdutil.EmptyLists(cmd, "cidr", "controls", "skip-controls", "fail-on", "status", "output-format"); err != nil {
				return err
			}
			if cmd.Flags().Changed("pulumi-stack") && strings.TrimSpace(o.PulumiStack) == "" {
				return cmdutil.Usagef(cmd, "--pulumi-stack: empty; name a stack (Pulumi.NAME.yaml), or leave the flag out")
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
	fl.StringArrayVar(&o.VarFiles, "var-file", nil, "Terraform variable file applied to every root module, after terraform.tfvars and *.auto.tfvars (repeatable)")
	fl.StringArrayVar(&o.Vars, "var", nil, "Terraform variable NAME=VALUE, applied last (repeatable)")
	fl.StringArrayVar(&o.CFParams, "cf-params", nil, "CloudFormation parameter file (create-stack --parameters JSON, or a template configuration {\"Parameters\": {...}}) applied to every template declaring the parameters; repeatable, a later file wins")
	fl.BoolVar(&o.TerragruntMocks, "terragrunt-mocks", false, "use the mock_outputs of Terragrunt dependency blocks as their outputs (otherwise dependency outputs are unknown)")
	fl.StringVar(&o.PulumiStack, "pulumi-stack", "", "Pulumi stack whose Pulumi.<stack>.yaml (beside Pulumi.yaml) gives config values to Pulumi YAML programs")
	cmdutil.FormatFlag(fl, &o.Format, "table", "output format: "+strings.Join(Formats(), ", "))
	cmdutil.OutputFlag(fl, &o.Output, "write the report to this file instead of standard output (- is standard output)")
	fl.StringVar(&o.Target, "target", check.TargetPrivate, "what suggested fixes aim for: private (private on, public off) or restrict (private on, public limited to --cidr)")
	fl.StringSliceVar(&o.CIDRs, "cidr", nil, "with --target restrict: the allowlist the public endpoint gets, comma-separated or repeated")
	fl.StringVar(&o.KMSKeyARN, "kms-key-arn", "", "the customer managed KMS key (ARN) that edits for secrets encryption write")
	fl.StringSliceVar(&o.Controls, "controls", nil, "evaluate only these controls: ids (5.4.1), sections (5.4) or check ids, comma-separated or repeated")
	fl.StringSliceVar(&o.SkipControls, "skip-controls", nil, "leave out these controls: ids, sections or check ids")
	reporting.AddFlags(fl, &o.Report)
	return cmd
}

// kmsKeyARN is the ARN of a KMS key or alias, as EKS takes one for secrets encryption.
var kmsKeyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$`)

// varName is a Terraform identifier.
var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// Validate checks the options in one place, without changing them; errors are usage errors.
func (o *Options) Validate() error {
	if !contains(Formats(), o.Format) {
		if o.Format == "asff" {
			return errors.New("--format: asff needs live clusters (an account and an ARN for each finding); use it with eksguard scan")
		}
		return fmt.Errorf("--format: unknown format %q (want one of: %s)", o.Format, strings.Join(Formats(), ", "))
	}
	ro := o.Report
	ro.Dir = o.Dir
	if err := ro.Validate(Formats(), o.Output); err != nil {
		return err
	}
	if _, err := render.New(o.Format, render.Options{}); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if len(o.Paths) == 0 {
		return errors.New("name at least one file or folder to scan")
	}
	switch o.Target {
	case check.TargetPrivate:
		if len(o.CIDRs) > 0 {
			return errors.New("--cidr applies to --target restrict; --target private turns the public endpoint off")
		}
	case check.TargetRestrict:
		if len(o.CIDRs) == 0 {
			return errors.New("--target restrict needs --cidr, the networks the public endpoint admits")
		}
		// The allowlist passes the same checks as a live fix (RC-5). The cluster's IP family is not
		// known here, so IPv6 blocks are allowed; EKS rejects them on IPv4 clusters at apply time.
		if problems := remediate.ValidateAllowlist(o.CIDRs, "ipv6", nil); len(problems) > 0 {
			return fmt.Errorf("--cidr: %s", strings.Join(problems, "; "))
		}
	default:
		return fmt.Errorf("--target: unknown target %q (want private or restrict)", o.Target)
	}
	for _, p := range o.VarFiles {
		if p == "" {
			return errors.New("--var-file: empty; name a variable file, or leave the flag out")
		}
		if fi, err := os.Stat(o.path(p)); err != nil {
			return fmt.Errorf("--var-file: no such file: %s", p)
		} else if fi.IsDir() {
			return fmt.Errorf("--var-file: %s is a folder, not a variable file", p)
		}
	}
	for _, p := range o.CFParams {
		if err := o.checkParamsFile(p); err != nil {
			return err
		}
	}
	if o.Output != "" {
		for _, in := range append(append(append([]string{}, o.Paths...), o.VarFiles...), o.CFParams...) {
			if fileio.SameFile(o.path(in), o.path(o.Output)) {
				return fmt.Errorf("--output names %s, an input of this scan; writing the report there would replace it", o.Output)
			}
		}
	}
	if o.KMSKeyARN != "" && !kmsKeyARN.MatchString(o.KMSKeyARN) {
		return fmt.Errorf("--kms-key-arn: %q is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or .../alias/NAME)", o.KMSKeyARN)
	}
	if _, err := benchmark.Default().Select(o.Controls, o.SkipControls); err != nil {
		return err
	}
	_, err := parseVars(o.Vars)
	return err
}

// checkParamsFile checks that a --cf-params file exists and parses; Scan reads it again.
func (o *Options) checkParamsFile(p string) error {
	if p == "" {
		return errors.New("--cf-params: empty; name a parameter file, or leave the flag out")
	}
	fi, err := os.Stat(o.path(p))
	switch {
	case err != nil:
		return fmt.Errorf("--cf-params: no such file: %s", p)
	case fi.IsDir():
		return fmt.Errorf("--cf-params: %s is a folder, not a parameter file", p)
	}
	data, err := iacsrc.ReadFile(o.path(p))
	if err != nil {
		return fmt.Errorf("--cf-params: %s: %w", p, err)
	}
	if _, err := cloudformation.ParseParams(filepath.ToSlash(o.path(p)), data); err != nil {
		return fmt.Errorf("--cf-params: %w", err)
	}
	return nil
}

// parseVars turns --var arguments into values by name; a later one wins, as in Terraform.
func parseVars(args []string) (map[string]string, error) {
	vars := map[string]string{}
	for _, v := range args {
		name, value, ok := strings.Cut(v, "=")
		if !ok || !varName.MatchString(name) {
			return nil, fmt.Errorf("--var: %q is not NAME=VALUE with NAME a Terraform variable name", v)
		}
		vars[name] = value
	}
	return vars, nil
}

// path resolves a path from the command line against Dir.
func (o *Options) path(p string) string {
	if o.Dir == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.Dir, p)
}

// Run scans, writes the report and problems, and returns the error that carries the exit code.
func Run(ctx context.Context, o *Options) error {
	if err := o.Validate(); err != nil {
		return exit.New(exit.Usage, err)
	}
	rep, err := Scan(ctx, o)
	if ctx.Err() != nil {
		return exit.New(exit.Incomplete, errors.New("scan interrupted: no report written"))
	}
	if err != nil {
		return exit.New(exit.Usage, err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(o.IO.ErrOut, escape.Text(p.String()))
	}
	ro := o.Report
	ro.Dir = o.Dir // extra outputs are named relative to Dir, as every other path
	shown := ro.Shown(rep)
	ropts := render.Options{Command: "iac", Quiet: ro.Quiet, Compact: ro.Compact}
	if err := write(ctx, o.IO, shown, o.Format, o.Output, ropts); err != nil {
		return err
	}
	err = ro.WriteOutputs(ctx, Formats(), func(ctx context.Context, format, file string) error {
		return write(ctx, o.IO, shown, format, file, ropts)
	})
	if err != nil {
		return err
	}
	return ro.Exit(rep, ExitFor)
}

// Scan walks the paths, runs every adapter and evaluates the clusters found into a finished report.
// The error is for options Validate refuses, paths that do not exist, or ctx's when it ended first;
// problems in files are in the report.
func Scan(ctx context.Context, o *Options) (*finding.Report, error) {
	vars, err := parseVars(o.Vars)
	if err != nil {
		return nil, err
	}
	b, err := benchmark.Default().Select(o.Controls, o.SkipControls)
	if err != nil {
		return nil, err
	}
	in, walkProblems, err := iacsrc.Walk(ctx, o.Paths, o.Dir)
	if err != nil {
		return nil, err
	}
	varFiles := make([]string, len(o.VarFiles))
	for i, p := range o.VarFiles {
		varFiles[i] = o.path(p)
	}
	cfParams := make([]string, len(o.CFParams))
	for i, p := range o.CFParams {
		cfParams[i] = o.path(p)
	}
	res, err := iacsrc.Scan(ctx, in, iacsrc.Options{VarFiles: varFiles, Vars: vars, CFParamFiles: cfParams, TerragruntMocks: o.TerragruntMocks, PulumiStack: o.PulumiStack}, adapters.All()...)
	if err != nil {
		return nil, err
	}
	problems := iacsrc.SortProblems(append(walkProblems, res.Problems...))
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	rep := &finding.Report{
		SchemaVersion: finding.SchemaVersion,
		Tool:          finding.Tool{Name: "eksguard", Version: version.String()},
		Benchmark:     b.Ref(),
		GeneratedAt:   now().UTC(),
		Results:       []finding.Result{},
		Problems:      problems,
		Skipped:       res.Skipped,
	}
	for _, c := range b.Evaluated() {
		rep.Controls = append(rep.Controls, c.ID)
	}
	opts := check.Options{Endpoint: o.Target, CIDRs: o.CIDRs, KMSKeyARN: o.KMSKeyARN}
	var inline []waiver.Waiver
	sources := map[string][]byte{}
	type span struct{ from, to int }
	spans := make([]span, len(res.Resources))
	for i, r := range res.Resources {
		from := len(rep.Results)
		rep.Results = append(rep.Results, evaluate(b, r.Cluster)...)
		spans[i] = span{from, len(rep.Results)}
		if !o.Report.NoWaivers {
			ws, probs := o.inlineWaivers(r.Cluster, sources)
			inline = append(inline, ws...)
			rep.Problems = append(rep.Problems, probs...)
		}
	}
	for _, reg := range res.Registries {
		rep.Results = append(rep.Results, b.EvaluateRegistry(reg)...)
	}
	rep.Problems = iacsrc.SortProblems(rep.Problems)
	// Waivers first: a waived failure gets no edit, so a patch never changes what a team accepted.
	ro := o.Report
	ro.Dir = o.Dir
	if err := ro.Prepare(rep, inline, rep.GeneratedAt); err != nil {
		return nil, err
	}
	for i, r := range res.Resources {
		attachFix(rep.Results[spans[i].from:spans[i].to], r, opts)
	}
	rep.Finish()
	return rep, nil
}

// inlineWaivers reads the eksguard:ignore comments (and CloudFormation Metadata) on the resource
// that declares a cluster. sources caches file contents across the clusters of one file.
func (o *Options) inlineWaivers(c *model.Cluster, sources map[string][]byte) ([]waiver.Waiver, []finding.Problem) {
	if c == nil || c.Loc == nil || c.Loc.File == "" || c.Loc.Line < 1 {
		return nil, nil
	}
	data, ok := sources[c.Loc.File]
	if !ok {
		data, _ = iacsrc.ReadFile(o.path(filepath.FromSlash(c.Loc.File)))
		sources[c.Loc.File] = data // a file that cannot be read again was reported by its adapter
	}
	ws, errs := waiver.Inline(c.Loc.File, data, c.Loc.Line, benchmark.ClusterResource(c))
	var probs []finding.Problem
	for _, e := range errs {
		probs = append(probs, finding.Problem{File: e.File, Line: e.Line, Code: finding.ProblemWaiver, Message: e.Msg})
	}
	return ws, probs
}

// evaluate runs the controls on one cluster. A check that panics on what an adapter made of some
// file is a bug, but it costs that cluster's verdicts (ERROR, exit code 3), not the whole report.
func evaluate(b *benchmark.Benchmark, c *model.Cluster) (results []finding.Result) {
	defer func() {
		if r := recover(); r != nil {
			name, loc := "cluster", (*model.Location)(nil)
			if c != nil {
				name, loc = c.Name, c.Loc
			}
			results = b.ErrorResults(model.Error{Cluster: name, Operation: "evaluate", Message: fmt.Sprintf("internal error, please report it: %v", r)})
			for i := range results {
				results[i].Location = loc
			}
		}
	}()
	return b.EvaluateCluster(c)
}

// attachFix plans one edit per resource for every failing check that states a target for the
// options, and attaches it to those failures; the same *finding.Fix on several results is one edit in
// a patch. A check without a target for the options (5.4.2 under --target restrict, secrets
// encryption without --kms-key-arn) keeps its own advice. A failure whose settings cannot be written
// (the format has no place for one, the value differs per instance) says why instead.
func attachFix(results []finding.Result, r iacsrc.Resource, opts check.Options) {
	type aimed struct {
		i    int
		want model.Settings
	}
	var failing []aimed
	var merged model.Settings
	conflicts := map[model.Field]bool{}
	for i, res := range results {
		if res.Status != finding.Fail || res.Waived != nil {
			continue
		}
		chk, ok := check.Lookup(res.CheckID)
		if !ok {
			continue
		}
		want, why := chk.Want(r.Cluster, opts)
		if why != "" || want.Empty() {
			continue
		}
		var cs []model.Field
		merged, cs = merged.Merge(want)
		for _, f := range cs {
			conflicts[f] = true
		}
		failing = append(failing, aimed{i, want})
	}
	if len(failing) == 0 {
		return
	}
	if r.Fix == nil {
		// No fix function: the format is generated (a Terraform plan), and the check's advice in
		// words is all there is.
		return
	}
	fix, skipped, err := iacsrc.PlanFix(r, merged)
	for _, a := range failing {
		var why []string
		for _, f := range a.want.Fields() {
			if conflicts[f] {
				why = append(why, fmt.Sprintf("two checks want different values of %s", f))
			} else if reason, ok := skipped[f]; ok {
				why = append(why, reason)
			}
		}
		res := &results[a.i]
		switch {
		case err != nil:
			res.Remediation = "no automatic edit: " + err.Error()
		case len(why) > 0:
			res.Remediation = "no automatic edit: " + strings.Join(why, "; ")
		case fix == nil || len(fix.Edits) == 0:
			desc := "the adapter proposed no change"
			if fix != nil && fix.Description != "" {
				desc = fix.Description
			}
			res.Remediation = "no automatic edit: " + desc
		default:
			res.Fix = fix
			res.Remediation = fix.Description
		}
	}
}

// write renders the report to standard output or, atomically, to a file. A report that cannot be
// written is exit code 2, whatever the verdicts.
func write(ctx context.Context, ios *iostreams.IOStreams, rep *finding.Report, format, output string, opts render.Options) error {
	opts.Color = output == "" && ios.ColorEnabled()
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
	var buf bytes.Buffer
	if err := w.Write(&buf, rep); err != nil {
		return exit.New(exit.Usage, fmt.Errorf("write report: %w", err))
	}
	if _, err := ios.Out.Write(buf.Bytes()); err != nil {
		return exit.New(exit.Usage, fmt.Errorf("write report to standard output: %w", err))
	}
	return nil
}

// ExitFor computes the exit code of a finished report. Problems in the input (2) win, because the
// report then covers less than was asked for and the fix is to repair the input; then ERROR results
// (3); then failures (1). UNKNOWN alone is not a failure: before deploy, a value that depends on the
// world is normal, and the report says what it depends on.
func ExitFor(rep *finding.Report) error {
	if n := len(rep.Problems); n > 0 {
		return exit.New(exit.Usage, fmt.Errorf("%s in the input (listed above and in the report); the other files were scanned", plural(n, "problem")))
	}
	if n := finding.Count(rep.Results)[finding.Error]; n > 0 {
		return exit.New(exit.Incomplete, fmt.Errorf("scan incomplete: %s; see the report for why", plural(n, "ERROR result")))
	}
	if rep.Has(finding.Fail) {
		return exit.New(exit.Fail, nil)
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
