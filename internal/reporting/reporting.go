// Package reporting holds what `scan` and `iac` do with a finished report before and after writing
// it: waivers, the baseline comparison, the status filter, extra output files and the exit policy.
// Both commands take the same flags for these (AddFlags) and apply them in the same order (Prepare,
// then the writers, then Exit). docs/ci.md is the user's description.
package reporting

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/fileio"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/waiver"
)

// Options are the flags both commands share.
type Options struct {
	// Waivers is the waivers file; empty uses waiver.DefaultFile in Dir when it exists.
	Waivers string
	// NoWaivers ignores every waiver, the default file's and inline ones.
	NoWaivers bool
	// FailOn lists the statuses that fail the run; empty keeps each command's default.
	FailOn []string
	// ExitCode replaces exit code 1 when something fails; 0 keeps 1.
	ExitCode int
	// SoftFail makes a run that completed exit 0 whatever it found.
	SoftFail bool
	// Baseline is an earlier JSON report to compare with.
	Baseline string
	// FailOnNew counts only results the baseline did not have.
	FailOnNew bool
	// Status lists the statuses shown in outputs (WAIVED for waived results); empty shows all.
	Status []string
	// Quiet and Compact shape the table.
	Quiet, Compact bool
	// Outputs are --output-format FORMAT=FILE pairs, written besides the main output.
	Outputs []string
	// Dir resolves relative paths (tests); empty is the process's working folder.
	Dir string
}

// AddFlags declares the shared flags.
func AddFlags(fl *pflag.FlagSet, o *Options) {
	fl.StringVar(&o.Waivers, "waivers", "", "waivers file (default: "+waiver.DefaultFile+" in the current folder, when present)")
	fl.BoolVar(&o.NoWaivers, "no-waivers", false, "ignore every waiver: the waivers file and inline eksguard:ignore comments")
	fl.StringSliceVar(&o.FailOn, "fail-on", nil, "statuses that fail the run, from FAIL, ERROR, UNKNOWN (default: the command's own rule, see Exit codes)")
	fl.Var(exitCodeValue{&o.ExitCode}, "exit-code", "exit code to use instead of 1 when a result fails the run (1-125)")
	fl.BoolVar(&o.SoftFail, "soft-fail", false, "exit 0 whenever the run completed and its report was written, whatever it found")
	fl.StringVar(&o.Baseline, "baseline", "", "earlier JSON report (--format json) to compare with: results gain baseline new or unchanged, and the report lists what was fixed")
	fl.BoolVar(&o.FailOnNew, "fail-on-new", false, "with --baseline: only results that are new since the baseline fail the run")
	fl.StringSliceVar(&o.Status, "status", nil, "show only results with these statuses (PASS, FAIL, UNKNOWN, ERROR, MANUAL, WAIVED); the summary and the exit code still count every result")
	fl.BoolVarP(&o.Quiet, "quiet", "q", false, "table: leave out passing results, skipped parts and the header; end with the one-line summary")
	fl.BoolVar(&o.Compact, "compact", false, "table: one line per cluster with each control's status")
	fl.StringSliceVar(&o.Outputs, "output-format", nil, "also write these reports, FORMAT=FILE, comma-separated or repeated (json=report.json,sarif=report.sarif)")
}

// exitCodeValue is --exit-code: 1 to 125 (126 and up mean a shell's own failures); 0 is what
// --soft-fail is for.
type exitCodeValue struct{ p *int }

func (v exitCodeValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a number", s)
	case n == 0:
		return errors.New("0 would hide failures; --soft-fail is the flag for exiting 0 whatever the run found")
	case n < 1 || n > 125:
		return fmt.Errorf("--exit-code must be between 1 and 125, not %d", n)
	}
	*v.p = n
	return nil
}

func (v exitCodeValue) String() string {
	if v.p == nil || *v.p == 0 {
		return ""
	}
	return strconv.Itoa(*v.p)
}

func (v exitCodeValue) Type() string { return "int" }

// failStatuses are the statuses --fail-on takes.
var failStatuses = []finding.Status{finding.Fail, finding.Error, finding.Unknown}

// Validate checks the flags without changing them. formats are the formats the command writes; main
// is the main output (--output, "" for standard output).
func (o *Options) Validate(formats []string, main string) error {
	for _, s := range o.FailOn {
		if _, ok := statusOf(s, failStatuses); !ok {
			return fmt.Errorf("--fail-on: %q is not a status that can fail a run (want FAIL, ERROR or UNKNOWN)", s)
		}
	}
	if o.ExitCode < 0 || o.ExitCode > 125 {
		return fmt.Errorf("--exit-code must be between 1 and 125, not %d", o.ExitCode)
	}
	if o.SoftFail && (len(o.FailOn) > 0 || o.ExitCode != 0 || o.FailOnNew) {
		return errors.New("--soft-fail always exits 0; it cannot be combined with --fail-on, --exit-code or --fail-on-new")
	}
	if o.FailOnNew && o.Baseline == "" {
		return errors.New("--fail-on-new needs --baseline, the report to compare with")
	}
	if o.NoWaivers && o.Waivers != "" {
		return errors.New("--waivers and --no-waivers cannot be used together")
	}
	shown := append(append([]finding.Status{}, finding.Statuses...), finding.WaivedKey)
	for _, s := range o.Status {
		if _, ok := statusOf(s, shown); !ok {
			return fmt.Errorf("--status: %q is not a status (want PASS, FAIL, UNKNOWN, ERROR, MANUAL or WAIVED)", s)
		}
	}
	if o.Baseline != "" {
		if fi, err := os.Stat(o.path(o.Baseline)); err != nil {
			return fmt.Errorf("--baseline: no such file: %s", o.Baseline)
		} else if fi.IsDir() {
			return fmt.Errorf("--baseline: %s is a folder, not a JSON report", o.Baseline)
		}
	}
	if o.Waivers != "" {
		if fi, err := os.Stat(o.path(o.Waivers)); err != nil {
			return fmt.Errorf("--waivers: no such file: %s", o.Waivers)
		} else if fi.IsDir() {
			return fmt.Errorf("--waivers: %s is a folder, not a waivers file", o.Waivers)
		}
	}
	outs, err := o.outputs(formats)
	if err != nil {
		return err
	}
	files := []string{}
	if main != "" && main != "-" {
		files = append(files, main)
	}
	for _, out := range outs {
		for _, f := range files {
			if fileio.SameFile(o.path(f), o.path(out.File)) {
				return fmt.Errorf("--output-format: %s is written twice; give each report its own file", out.File)
			}
		}
		for _, in := range []string{o.Baseline, o.Waivers} {
			if in != "" && fileio.SameFile(o.path(in), o.path(out.File)) {
				return fmt.Errorf("--output-format: %s is an input of this run; writing a report there would replace it", out.File)
			}
		}
		files = append(files, out.File)
	}
	if main != "" && main != "-" {
		for _, in := range []string{o.Baseline, o.Waivers} {
			if in != "" && fileio.SameFile(o.path(in), o.path(main)) {
				return fmt.Errorf("--output names %s, an input of this run; writing the report there would replace it", main)
			}
		}
	}
	return nil
}

// Output is one --output-format pair.
type Output struct{ Format, File string }

// outputs parses --output-format against the formats the command writes.
func (o *Options) outputs(formats []string) ([]Output, error) {
	var out []Output
	for _, pair := range o.Outputs {
		f, file, ok := strings.Cut(pair, "=")
		f = strings.ToLower(strings.TrimSpace(f))
		if !ok || f == "" || strings.TrimSpace(file) == "" {
			return nil, fmt.Errorf("--output-format: %q is not FORMAT=FILE (like json=report.json)", pair)
		}
		if !slices.Contains(formats, f) {
			return nil, fmt.Errorf("--output-format: unknown format %q (want one of: %s)", f, strings.Join(formats, ", "))
		}
		if file == "-" {
			return nil, fmt.Errorf("--output-format: %s=-: extra reports go to files; standard output is --format's", f)
		}
		out = append(out, Output{Format: f, File: file})
	}
	return out, nil
}

// OutputList returns the parsed --output-format pairs; call after Validate.
func (o *Options) OutputList(formats []string) []Output {
	out, _ := o.outputs(formats)
	return out
}

func statusOf(s string, allowed []finding.Status) (finding.Status, bool) {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimSpace(s), string(a)) {
			return a, true
		}
	}
	return "", false
}

func (o *Options) path(p string) string {
	if o.Dir == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.Dir, p)
}

// LoadWaivers reads the waivers file: --waivers, else the default file in the folder when present,
// else none. A waivers file that cannot be read or parsed is an error naming file and line.
func (o *Options) LoadWaivers() ([]waiver.Waiver, error) {
	if o.NoWaivers {
		return nil, nil
	}
	name := o.Waivers
	if name == "" {
		name = waiver.DefaultFile
		if _, err := os.Lstat(o.path(name)); err != nil {
			return nil, nil // no default file: no waivers
		}
	}
	data, err := fileio.ReadFile(o.path(name), waiver.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("waivers: %s: %w", name, err)
	}
	ws, err := waiver.Parse(filepath.ToSlash(name), data)
	if err != nil {
		return nil, fmt.Errorf("waivers: %w", err)
	}
	return ws, nil
}

// Prepare applies waivers (the file's after any inline ones given) and the baseline to a finished
// report. The errors are the user's to fix (a bad waivers file or baseline): exit code 2.
func (o *Options) Prepare(rep *finding.Report, inline []waiver.Waiver, now time.Time) error {
	ws, err := o.LoadWaivers()
	if err != nil {
		return err
	}
	if !o.NoWaivers {
		waiver.Apply(rep, append(append([]waiver.Waiver{}, inline...), ws...), now)
	}
	if o.Baseline != "" {
		base, err := LoadBaseline(o.path(o.Baseline), o.Baseline)
		if err != nil {
			return err
		}
		Compare(rep, base)
	}
	return nil
}

// Shown returns the report as outputs show it: only results with the --status statuses. The
// summary still counts every result.
func (o *Options) Shown(rep *finding.Report) *finding.Report {
	if len(o.Status) == 0 {
		return rep
	}
	want := map[finding.Status]bool{}
	for _, s := range o.Status {
		st, _ := statusOf(s, append(append([]finding.Status{}, finding.Statuses...), finding.WaivedKey))
		want[st] = true
	}
	cp := *rep
	cp.Results = make([]finding.Result, 0, len(rep.Results))
	for _, r := range rep.Results {
		key := r.Status
		if r.Waived != nil {
			key = finding.WaivedKey
		}
		if want[key] {
			cp.Results = append(cp.Results, r)
		}
	}
	return &cp
}

// WriteOutputs writes each --output-format report atomically, with write(format, file).
func (o *Options) WriteOutputs(ctx context.Context, formats []string, write func(ctx context.Context, format, file string) error) error {
	for _, out := range o.OutputList(formats) {
		if err := write(ctx, out.Format, o.path(out.File)); err != nil {
			return err
		}
	}
	return nil
}

// Exit turns a written report into the run's exit error. def is the command's own rule
// (scan.ExitFor, iac.ExitFor) applied to the results that count: not waived, with a --fail-on
// status, and new since the baseline under --fail-on-new. A status --fail-on names that the
// command's rule would let pass (UNKNOWN in iac) fails the run with code 1. --exit-code replaces 1;
// --soft-fail turns any outcome into 0, keeping its message.
func (o *Options) Exit(rep *finding.Report, def func(*finding.Report) error) error {
	counted := *rep
	counted.Results = make([]finding.Result, 0, len(rep.Results))
	var listed []finding.Status
	for _, s := range o.FailOn {
		st, _ := statusOf(s, failStatuses)
		listed = append(listed, st)
	}
	extra := 0
	for _, r := range rep.Results {
		if !r.Counted() {
			continue
		}
		if o.FailOnNew && r.Baseline != finding.BaselineNew {
			continue
		}
		if len(listed) > 0 && r.Status != finding.Pass && r.Status != finding.Manual && !slices.Contains(listed, r.Status) {
			continue
		}
		if slices.Contains(listed, r.Status) {
			extra++
		}
		counted.Results = append(counted.Results, r)
	}
	err := def(&counted)
	if err == nil && extra > 0 {
		err = exit.New(exit.Fail, fmt.Errorf("%d results with a status --fail-on names", extra))
	}
	code := exit.Code(err)
	switch {
	case err == nil:
		return nil
	case o.SoftFail:
		msg := err.Error()
		if msg == "" {
			msg = fmt.Sprintf("%d FAIL results", finding.Count(counted.Results)[finding.Fail])
		}
		return exit.New(exit.OK, fmt.Errorf("%s (exit 0: --soft-fail)", msg))
	case code == exit.Fail && o.ExitCode != 0:
		var e *exit.Error
		if errors.As(err, &e) {
			return exit.New(o.ExitCode, e.Err)
		}
		return exit.New(o.ExitCode, err)
	}
	return err
}
