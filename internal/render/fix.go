package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/remediate"
)

// FixFormats are the formats eksguard fix writes its plan and outcome in.
var FixFormats = []string{"table", "json"}

// WriteFix writes the plan of eksguard fix, and the outcome once it applied one (nil before): as
// JSON, one document {"plan": ..., "outcome": ...}, or as a table for people.
func WriteFix(w io.Writer, format string, opts Options, p *remediate.Plan, o *remediate.Outcome) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Plan    *remediate.Plan    `json:"plan"`
			Outcome *remediate.Outcome `json:"outcome"`
		}{p, o})
	case "table":
		return writeFixTable(w, opts.Color, p, o)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(FixFormats, " or "))
}

func writeFixTable(w io.Writer, color bool, p *remediate.Plan, o *remediate.Outcome) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	var b strings.Builder
	c := p.Cluster
	fmt.Fprintf(&b, "Cluster %s in %s (%s), status %s\n", escape.Text(c.Name), escape.Text(c.Region), escape.Text(orDefault(c.ARN, "no ARN")), escape.Text(c.Status))
	if p.Current != nil {
		fmt.Fprintf(&b, "  current  %s\n", p.Current)
	}
	fmt.Fprintf(&b, "  target   %s  (CIS %s)\n", p.Target, p.Control)
	if p.AlreadyCompliant {
		fmt.Fprintf(&b, "\nAlready compliant: %s. Nothing to do.\n", escape.Text(p.Compliance))
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("\nSafety checks\n")
	for _, ch := range p.Checks {
		st := fmt.Sprintf("%-6s", ch.Status)
		switch ch.Status {
		case remediate.CheckPass:
			st = paint("\x1b[32m", st)
		case remediate.CheckRefuse:
			st = paint("\x1b[31;1m", st)
		case remediate.CheckError:
			st = paint("\x1b[33;1m", st)
		}
		fmt.Fprintf(&b, "  %s %-22s %s\n", st, ch.ID, escape.Text(ch.Detail))
		if (ch.Status == remediate.CheckRefuse || ch.Status == remediate.CheckError) && ch.Remedy != "" {
			fmt.Fprintf(&b, "         %-22s to fix: %s\n", "", escape.Text(ch.Remedy))
		}
	}
	if len(p.Phases) > 0 {
		b.WriteString("\nPlan: each step is one UpdateClusterConfig, then DescribeUpdate until it ends, then DescribeCluster to verify\n")
		for i, ph := range p.Phases {
			fmt.Fprintf(&b, "  %d. %s: %s\n     %s\n", i+1, ph.Name, ph.Purpose, escape.Text(ph.Command))
		}
	}
	if p.Rollback != nil {
		fmt.Fprintf(&b, "  rollback target: %s\n", p.Rollback)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "  note: %s\n", escape.Text(n))
	}
	switch {
	case o != nil:
		fmt.Fprintf(&b, "\nOutcome: %s: %s\n", o.Result, escape.Text(o.Message))
		for _, u := range o.Updates {
			fmt.Fprintf(&b, "  %-15s update %s  %s\n", u.Phase, escape.Text(orDefault(u.UpdateID, "-")), escape.Text(u.Status))
			if u.Note != "" {
				fmt.Fprintf(&b, "  %-15s %s\n", "", escape.Text(u.Note))
			}
		}
	case p.Refused || p.Incomplete:
		if p.Refused {
			fmt.Fprintf(&b, "\n%s: %d check(s) refuse; nothing will be changed.\n", paint("\x1b[31;1m", "Refused"), len(p.Refusals()))
		}
		if p.Incomplete {
			fmt.Fprintf(&b, "\n%s: %d check(s) could not be made; nothing will be changed.\n", paint("\x1b[33;1m", "Incomplete"), len(p.Unchecked()))
		}
	default:
		b.WriteString("\nEvery check passes. Run again with --apply to make the change.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
