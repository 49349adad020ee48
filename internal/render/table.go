package render

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
)

func init() { register("table", func(o Options) Writer { return tableWriter{color: o.Color} }) }

type tableWriter struct{ color bool }

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
)

func (t tableWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t tableWriter) status(s finding.Status) string {
	padded := fmt.Sprintf("%-7s", s)
	switch s {
	case finding.Pass:
		return t.paint(ansiGreen, padded)
	case finding.Fail:
		return t.paint(ansiRed+ansiBold, padded)
	case finding.Unknown, finding.Error:
		return t.paint(ansiYellow, padded)
	default:
		return t.paint(ansiBlue, padded)
	}
}

// Write prints results grouped by account, then by resource, one line per control with the reason
// and the remediation under it. Every string from the input (names, file names, reasons, messages a
// server sent) is escaped, so a terminal shows it as it is instead of obeying control characters in
// it.
func (t tableWriter) Write(w io.Writer, r *finding.Report) error {
	ew := &errWriter{w: w}
	ew.printf("%s %s · %s\n", t.paint(ansiBold, escape.Text(r.Tool.Name)), escape.Text(r.Tool.Version), escape.Text(benchmarkTitle(r.Benchmark)))
	account, group := "\x00", "\x00"
	for _, res := range r.Results {
		if res.Resource.Account != account {
			account = res.Resource.Account
			if account != "" {
				ew.printf("\n%s\n", t.paint(ansiBold, "Account "+escape.Text(account)))
			}
		}
		key := groupKey(res)
		if key != group {
			group = key
			ew.printf("\n  %s\n", t.paint(ansiBold, escape.Text(groupTitle(res))))
		}
		ew.printf("    %s %-6s %s\n", t.status(res.Status), escape.Text(res.Control), escape.Text(res.Title))
		if l := res.Location; l != nil && l.Line > 0 {
			// Compiler style, so editors and terminals can jump to the deciding line.
			ew.printf("            %s:%d: %s\n", escape.Text(l.File), l.Line, escape.Text(res.Reason))
		} else {
			ew.printf("            %s\n", escape.Text(res.Reason))
		}
		if res.Remediation != "" {
			ew.printf("            %s %s\n", t.paint(ansiDim, "fix:"), escape.Text(res.Remediation))
		}
		if res.Fix != nil && res.Fix.Description != "" && res.Fix.Description != res.Remediation {
			ew.printf("            %s %s\n", t.paint(ansiDim, "edit:"), escape.Text(res.Fix.Description))
		}
		if res.GuardedFix != "" {
			ew.printf("            %s %s\n", t.paint(ansiDim, "guarded:"), escape.Text(res.GuardedFix))
		}
	}
	if len(r.Results) == 0 {
		ew.printf("\n  no clusters found\n")
	}
	for _, s := range r.Skipped {
		where := strings.TrimSpace(s.Account + " " + s.Region)
		if s.Resource != "" {
			// A definition in IaC: module.vpc (main.tf:20, terraform-aws-modules/vpc/aws ~> 5.0).
			what := strings.TrimSpace(s.Source + " " + s.Version)
			if s.File != "" {
				what = fmt.Sprintf("%s:%d, %s", s.File, s.Line, what)
			}
			where = fmt.Sprintf("%s (%s)", s.Resource, what)
		}
		ew.printf("\n%s %s: %s", t.paint(ansiDim, "skipped"), escape.Text(where), escape.Text(s.Reason))
	}
	if len(r.Skipped) > 0 {
		ew.printf("\n")
	}
	for _, p := range r.Problems {
		ew.printf("\n%s %s", t.paint(ansiYellow, "problem"), escape.Text(p.String()))
	}
	if len(r.Problems) > 0 {
		ew.printf("\n")
	}
	parts := make([]string, 0, len(finding.Statuses))
	for _, s := range finding.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", r.Summary[s], s))
	}
	if n := r.Summary[finding.WaivedKey]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, finding.WaivedKey))
	}
	ew.printf("\nSummary: %s\n", strings.Join(parts, ", "))
	return ew.err
}

func benchmarkTitle(b finding.Benchmark) string {
	if b.ID == "cis-eks" {
		return "CIS Amazon EKS Benchmark v" + b.Version
	}
	return b.ID + " " + b.Version
}

func groupKey(r finding.Result) string {
	loc := ""
	if r.Location != nil {
		loc = r.Location.File
	}
	if r.Resource.File != "" {
		loc = r.Resource.File
	}
	return strings.Join([]string{r.Resource.Account, r.Resource.Region, r.Resource.Type, r.Resource.Name, r.Resource.Root, loc}, "\x00")
}

func groupTitle(r finding.Result) string {
	switch r.Resource.Type {
	case finding.ResourceCluster:
		if f := r.Resource.File; f != "" {
			// A module evaluated from another root says from which.
			if root := r.Resource.Root; root != "" && root != path.Dir(f) {
				return fmt.Sprintf("%s (%s, root %s)", r.Resource.Name, f, root)
			}
			return fmt.Sprintf("%s (%s)", r.Resource.Name, f)
		}
		if r.Location != nil {
			return fmt.Sprintf("%s (%s)", r.Resource.Name, r.Location.File)
		}
		if r.Resource.Region != "" {
			return fmt.Sprintf("%s  %s", r.Resource.Region, r.Resource.Name)
		}
		return r.Resource.Name
	case finding.ResourceRegion:
		return fmt.Sprintf("%s  (whole region)", r.Resource.Region)
	case finding.ResourceAccount:
		return "(whole account)"
	default:
		return r.Resource.Type + " " + r.Resource.Name
	}
}

// errWriter keeps the first write error so the writer can print freely and check once.
type errWriter struct {
	w   io.Writer
	err error
	enc map[string]*encoder
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, a...)
}
