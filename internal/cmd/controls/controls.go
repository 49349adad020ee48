// Package controls is `eksguard controls`: the benchmark's catalogue, every control with its CIS
// assessment status, where its data lives, whether eksguard evaluates it and with which checks.
package controls

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/escape"
)

// Options are the command's flags and what it needs.
type Options struct {
	Out       io.Writer
	Benchmark func() *benchmark.Benchmark
	Format    string
}

// NewCmd builds the command; runF, when not nil, replaces Run.
func NewCmd(f *app.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Out: f.IO.Out, Benchmark: benchmark.Default}
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List every control of the CIS Amazon EKS Benchmark and what eksguard evaluates",
		Long: `Controls lists all controls of CIS Amazon EKS Benchmark v1.8.0 in numeric order: the assessment
status CIS gives each (automated or manual), where its data lives (aws: the AWS API; kubernetes: the
cluster's objects; node: files on the worker nodes; organizational: a process no API shows), whether
eksguard evaluates it and with which checks, and the severity eksguard gives a failure.

'eksguard explain ID' tells what a control or a check reads, when it passes and how to fix it.`,
		Example: `  eksguard controls
  eksguard controls --format json | jq -r '.controls[] | select(.evaluated) | .id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(); err != nil {
				return cmdutil.Usage(cmd, err)
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmdutil.FormatFlag(cmd.Flags(), &opts.Format, "table", "output format: table or json")
	return cmd
}

// Validate checks the options.
func (o *Options) Validate() error {
	if o.Format != "table" && o.Format != "json" {
		return fmt.Errorf("--format: unknown format %q (want table or json)", o.Format)
	}
	return nil
}

// Catalogue is the JSON form of the list.
type Catalogue struct {
	Benchmark Ref       `json:"benchmark"`
	Controls  []Control `json:"controls"`
	// Own are eksguard's own checks outside the benchmark, each its own control.
	Own []Control `json:"own"`
}

// Ref names the benchmark version.
type Ref struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Control is one control of the catalogue.
type Control struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Assessment string `json:"assessment"`
	Source     string `json:"source"`
	Evaluated  bool   `json:"evaluated"`
	// Kubernetes is set for a control judged from the cluster's Kubernetes API or kubelets, which
	// scan evaluates with --kubernetes (or --kubeconfig, or when named).
	Kubernetes bool     `json:"kubernetes"`
	Checks     []string `json:"checks"`
	// Severity is null for a control eksguard does not evaluate.
	Severity *string `json:"severity"`
}

// Build is the catalogue of a benchmark, in numeric order.
func Build(b *benchmark.Benchmark) Catalogue {
	cat := Catalogue{Benchmark: Ref{ID: b.ID, Version: b.Version}, Controls: []Control{}, Own: []Control{}}
	for _, c := range b.Own {
		s := string(c.Severity())
		cat.Own = append(cat.Own, Control{ID: c.ID, Title: c.Title, Assessment: c.Assessment, Source: c.Source, Evaluated: true, Checks: append([]string{}, c.Checks...), Severity: &s})
	}
	for _, c := range b.Controls {
		ctl := Control{ID: c.ID, Title: c.Title, Assessment: c.Assessment, Source: c.Source, Evaluated: c.Evaluated(), Kubernetes: c.Kube(), Checks: append([]string{}, c.Checks...)}
		if s := string(c.Severity()); s != "" {
			ctl.Severity = &s
		}
		cat.Controls = append(cat.Controls, ctl)
	}
	return cat
}

// Run writes the catalogue.
func Run(o *Options) error {
	b := o.Benchmark()
	cat := Build(b)
	if o.Format == "json" {
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(cat)
	}
	tw := tabwriter.NewWriter(o.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tASSESSMENT\tSOURCE\tEVALUATED\tSEVERITY\tCHECKS\tTITLE")
	evaluated, kube := 0, 0
	for _, c := range cat.Controls {
		ev, sev, checks := "no", "-", "-"
		if c.Evaluated {
			evaluated++
			ev, sev, checks = "yes", *c.Severity, strings.Join(c.Checks, ",")
		}
		if c.Kubernetes {
			kube++
			ev = "--kubernetes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Assessment, c.Source, ev, sev, checks, escape.Text(c.Title))
	}
	for _, c := range cat.Own {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, "eksguard", c.Source, "--probe", *c.Severity, strings.Join(c.Checks, ","), escape.Text(c.Title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(o.Out, "\n%s %s: %d controls, %d evaluated by eksguard (%d of them from the Kubernetes API, with --kubernetes), and %d of eksguard's own (outside the benchmark, with --probe). Run 'eksguard explain ID' for one of them.\n",
		b.Title, b.Version, len(cat.Controls), evaluated, kube, len(cat.Own))
	return err
}
