package render

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
)

func init() {
	register("table", func(o Options) Writer { return tableWriter{color: o.Color, quiet: o.Quiet, compact: o.Compact} })
}

type tableWriter struct{ color, quiet, compact bool }

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
	if !t.quiet {
		ew.printf("%s %s · %s\n", t.paint(ansiBold, escape.Text(r.Tool.Name)), escape.Text(r.Tool.Version), escape.Text(benchmarkTitle(r.Benchmark)))
	}
	if t.compact {
		t.compactRows(ew, r)
	} else {
		t.rows(ew, r)
	}
	if len(r.Results) == 0 && !t.quiet {
		ew.printf("\n  no clusters found\n")
	}
	if !t.quiet {
		t.skipped(ew, r)
	}
	for _, p := range r.Problems {
		ew.printf("\n%s %s", t.paint(ansiYellow, "problem"), escape.Text(p.String()))
	}
	if len(r.Problems) > 0 {
		ew.printf("\n")
	}
	t.waivers(ew, r)
	if r.Fixed != nil && !t.quiet {
		for _, f := range r.Fixed {
			ew.printf("\n%s %s %s", t.paint(ansiGreen, "fixed since baseline"), escape.Text(f.Control), escape.Text(refTitle(f.Resource)))
		}
		if len(r.Fixed) > 0 {
			ew.printf("\n")
		}
	}
	parts := make([]string, 0, len(finding.Statuses)+1)
	for _, s := range finding.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", r.Summary[s], s))
	}
	if n := r.Summary[finding.WaivedKey]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, finding.WaivedKey))
	}
	if r.Fixed != nil {
		parts = append(parts, fmt.Sprintf("%d fixed since baseline", len(r.Fixed)))
	}
	if t.quiet {
		ew.printf("Summary: %s\n", strings.Join(parts, ", "))
	} else {
		ew.printf("\nSummary: %s\n", strings.Join(parts, ", "))
	}
	return ew.err
}

// rows prints one line per result under its account and resource, with reason and fix.
func (t tableWriter) rows(ew *errWriter, r *finding.Report) {
	account, group := "\x00", "\x00"
	for _, res := range r.Results {
		if t.quiet && res.Status == finding.Pass {
			continue
		}
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
		ew.printf("    %s %-6s %s%s\n", t.status(res.Status), escape.Text(res.Control), escape.Text(res.Title), t.marks(res))
		if l := res.Location; l != nil && l.Line > 0 {
			// Compiler style, so editors and terminals can jump to the deciding line.
			ew.printf("            %s:%d: %s\n", escape.Text(l.File), l.Line, escape.Text(res.Reason))
		} else {
			ew.printf("            %s\n", escape.Text(res.Reason))
		}
		if res.Waived != nil {
			ew.printf("            %s %s (until %s, %s)\n", t.paint(ansiDim, "waived:"), escape.Text(res.Waived.Reason), escape.Text(res.Waived.Expires), escape.Text(entryTitle(res.Waived.Entry)))
			continue
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
}

// marks are the tags after a result's title: waived, new since the baseline.
func (t tableWriter) marks(res finding.Result) string {
	var m []string
	if res.Waived != nil {
		m = append(m, "WAIVED")
	}
	if res.Baseline == finding.BaselineNew {
		m = append(m, "NEW")
	}
	if len(m) == 0 {
		return ""
	}
	return "  " + t.paint(ansiDim, "["+strings.Join(m, ", ")+"]")
}

// compactRows prints one line per resource: its worst status, its name, and each control's status.
func (t tableWriter) compactRows(ew *errWriter, r *finding.Report) {
	type row struct {
		title string
		worst finding.Status
		cells []string
	}
	var rows []*row
	byKey := map[string]*row{}
	width := 0
	for _, res := range r.Results {
		key := groupKey(res)
		rw, ok := byKey[key]
		if !ok {
			rw = &row{title: groupTitle(res), worst: finding.Pass}
			if res.Resource.Account != "" {
				rw.title = res.Resource.Account + "  " + rw.title
			}
			byKey[key] = rw
			rows = append(rows, rw)
		}
		st := string(res.Status)
		if res.Waived != nil {
			st += "(waived)"
		} else if worse(res.Status, rw.worst) {
			rw.worst = res.Status
		}
		rw.cells = append(rw.cells, res.Control+" "+st)
	}
	for _, rw := range rows {
		if n := len([]rune(escape.Text(rw.title))); n > width {
			width = n
		}
	}
	if len(rows) > 0 && !t.quiet {
		ew.printf("\n")
	}
	for _, rw := range rows {
		if t.quiet && rw.worst == finding.Pass {
			continue
		}
		title := escape.Text(rw.title)
		pad := strings.Repeat(" ", width-len([]rune(title)))
		ew.printf("%s %s%s  %s\n", t.status(rw.worst), title, pad, escape.Text(strings.Join(rw.cells, "  ")))
	}
}

// worse orders statuses by how much they need attention: FAIL, ERROR, UNKNOWN, MANUAL, PASS.
func worse(a, b finding.Status) bool { return severityRank(a) > severityRank(b) }

func severityRank(s finding.Status) int {
	switch s {
	case finding.Fail:
		return 4
	case finding.Error:
		return 3
	case finding.Unknown:
		return 2
	case finding.Manual:
		return 1
	}
	return 0
}

// waivers lists the waivers that matched nothing or have expired.
func (t tableWriter) waivers(ew *errWriter, r *finding.Report) {
	if r.Waivers == nil {
		return
	}
	for _, w := range r.Waivers.Expired {
		ew.printf("\n%s %s, %s: %s (expired %s)", t.paint(ansiYellow, "waiver expired"), escape.Text(entryTitle(w.Entry)), escape.Text(w.Control+w.CheckID), escape.Text(w.Reason), escape.Text(w.Expires))
	}
	for _, w := range r.Waivers.Stale {
		ew.printf("\n%s %s, %s: %s (matches no result; remove it)", t.paint(ansiYellow, "waiver unused"), escape.Text(entryTitle(w.Entry)), escape.Text(w.Control+w.CheckID), escape.Text(w.Reason))
	}
	if len(r.Waivers.Expired)+len(r.Waivers.Stale) > 0 {
		ew.printf("\n")
	}
}

// entryTitle names a waiver: a waivers file entry by its index, an inline one by file:line.
func entryTitle(entry string) string {
	if strings.Contains(entry, ":") {
		return entry
	}
	return "waivers file entry " + entry
}

func refTitle(r finding.Resource) string {
	if r.ARN != "" {
		return r.ARN
	}
	if r.File != "" {
		return fmt.Sprintf("%s (%s)", r.Name, r.File)
	}
	return strings.TrimSpace(r.Region + " " + r.Name)
}

// skipped lists the parts of the estate left out on purpose.
func (t tableWriter) skipped(ew *errWriter, r *finding.Report) {
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
	case finding.ResourceRegistry:
		if r.Resource.Region == "" {
			return fmt.Sprintf("ECR repositories (%s)", r.Resource.Name)
		}
		return fmt.Sprintf("%s  ECR registry", r.Resource.Region)
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
