package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
)

// Markdown for a pull-request comment (GitHub Flavored Markdown, as GitHub and GitLab render it): a
// title line with the verdict, a table of counts by status (WAIVED included), then what needs
// attention, worst first: FAIL, ERROR, then UNKNOWN results, grouped by control, each with its
// reason, location and fix (the remediation, the guarded fix, and the suggested edits of IaC
// failures). Input problems, expired and stale waivers, and what was fixed since the baseline follow.
// PASS, MANUAL and waived results are only counted.
//
// The comment stays under GitHub's limit of 65,536 characters: at most 200 result rows and about
// 60,000 bytes, then "… and N more"; one value never takes more than 300 characters.
//
// Everything that comes from the input (names, files, reasons, messages, waiver reasons) is escaped
// so that it reads as the text it is: control characters are written as Go escapes (escape.Text),
// every character that can start Markdown or HTML within a line is backslash-escaped (no emphasis,
// links, autolinks, HTML, table pipes or code spans can start; see mdSpecial), and "@" and "#" are
// followed by a zero-width space so that a name cannot mention a user or link an issue. Monospace
// text is an HTML <code> element around such escaped text. Suggested edits are fenced code blocks
// whose fence is longer than any run of backticks inside.

func init() {
	register("markdown", func(o Options) Writer { return markdownWriter{command: o.Command} })
}

type markdownWriter struct{ command string }

const (
	mdMaxBytes = 60000
	mdMaxRows  = 200
	mdMaxField = 300
	mdMaxList  = 50
	// mdTailRoom is kept free while rows are added, for the sections after them and the footer.
	mdTailRoom = 12000
	// mdDetailsRoom is the size of the element that holds a table's edits, without them.
	mdDetailsRoom = 200
)

// mdDoc is a comment being built within a byte budget.
type mdDoc struct {
	b     strings.Builder
	limit int
}

func (d *mdDoc) add(s string)                 { d.b.WriteString(s) }
func (d *mdDoc) fits(s string, room int) bool { return d.b.Len()+len(s)+room <= d.limit }

func (m markdownWriter) Write(w io.Writer, r *finding.Report) error {
	d := &mdDoc{limit: mdMaxBytes}
	counts := finding.Count(r.Results)
	icon, verdict := mdVerdict(r, counts, m.command)
	d.add(fmt.Sprintf("## %s %s: %s · %s\n\n", icon, mdText(orDefault(r.Tool.Name, "eksguard")), verdict, mdText(benchmarkTitle(r.Benchmark))))
	meta := []string{mdText(strings.TrimSpace(orDefault(r.Tool.Name, "eksguard") + " " + r.Tool.Version))}
	if m.command != "" {
		meta = append(meta, mdCode("eksguard "+m.command))
	}
	if !r.GeneratedAt.IsZero() {
		meta = append(meta, "generated "+r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	meta = append(meta, fmt.Sprintf("%d results", len(r.Results)))
	d.add(strings.Join(meta, " · ") + "\n\n")

	// Counts by status, WAIVED last.
	var head, rule, vals []string
	for _, s := range append(append([]finding.Status{}, finding.Statuses...), finding.WaivedKey) {
		head = append(head, string(s))
		rule = append(rule, "---:")
		vals = append(vals, fmt.Sprint(counts[s]))
	}
	d.add("| " + strings.Join(head, " | ") + " |\n| " + strings.Join(rule, " | ") + " |\n| " + strings.Join(vals, " | ") + " |\n\n")
	if n := counts[finding.WaivedKey]; n > 0 {
		d.add(fmt.Sprintf("%s waived: a waiver accepts a result until the waiver expires, and a waived result does not fail the run.\n\n", mdPlural(n, "result is", "results are")))
	}
	if n, u := baselineCounts(r); n+u > 0 {
		d.add(fmt.Sprintf("Since the baseline: %d new, %d unchanged.\n\n", n, u))
	}

	m.attention(d, r)
	mdProblems(d, r)
	mdWaivers(d, r)
	mdFixed(d, r)
	if n := len(r.Skipped); n > 0 {
		d.add(fmt.Sprintf("%s skipped on purpose; the full report says which and why.\n\n", mdPlural(n, "part of the estate was", "parts of the estate were")))
	}
	d.add("<sub>The JSON, SARIF and HTML reports (`--format json`, `sarif`, `html`) have every result.</sub>\n")
	_, err := io.WriteString(w, d.b.String())
	return err
}

// mdVerdict sums the run up in an icon and a few words: failures first, then why the scan may be
// incomplete.
func mdVerdict(r *finding.Report, counts finding.Summary, command string) (string, string) {
	var parts []string
	if n := counts[finding.Fail]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d failing", n))
	}
	if n := counts[finding.Error]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d ERROR", n))
	}
	if n := counts[finding.Unknown]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d UNKNOWN", n))
	}
	if n := len(r.Problems); n > 0 {
		parts = append(parts, mdPlural(n, "input problem", "input problems"))
	}
	switch {
	case counts[finding.Fail] > 0:
		return "❌", strings.Join(parts, ", ")
	case counts[finding.Error] > 0 || len(r.Problems) > 0 || (counts[finding.Unknown] > 0 && command == "scan"):
		return "⚠️", "incomplete, " + strings.Join(parts, ", ")
	case counts[finding.Unknown] > 0:
		return "❔", strings.Join(parts, ", ")
	case len(r.Results) == 0:
		return "➖", "nothing was evaluated"
	case counts[finding.WaivedKey] > 0:
		return "✅", fmt.Sprintf("nothing fails that is not waived (%d waived)", counts[finding.WaivedKey])
	}
	return "✅", "every evaluated control passes"
}

func baselineCounts(r *finding.Report) (newer, unchanged int) {
	for i := range r.Results {
		switch r.Results[i].Baseline {
		case finding.BaselineNew:
			newer++
		case finding.BaselineUnchanged:
			unchanged++
		}
	}
	return newer, unchanged
}

var mdSections = []struct {
	status  finding.Status
	heading string
}{
	{finding.Fail, "❌ FAIL"},
	{finding.Error, "⚠️ ERROR: could not be read"},
	{finding.Unknown, "❔ UNKNOWN: cannot be judged"},
}

// attention lists the results that need a person, per status and control, within the row and byte
// budgets; what does not fit is counted at the end.
func (m markdownWriter) attention(d *mdDoc, r *finding.Report) {
	groups := groupByControl(r)
	shown, omitted := 0, 0
	full := false
	for _, sec := range mdSections {
		total := 0
		for i := range r.Results {
			if r.Results[i].Status == sec.status && r.Results[i].Counted() {
				total++
			}
		}
		if total == 0 {
			continue
		}
		headed := false
		for _, g := range groups {
			var rows []*finding.Result
			for _, i := range g.results {
				if res := &r.Results[i]; res.Status == sec.status && res.Counted() {
					rows = append(rows, res)
				}
			}
			if len(rows) == 0 {
				continue
			}
			if full {
				omitted += len(rows)
				continue
			}
			var table strings.Builder
			if !headed {
				fmt.Fprintf(&table, "### %s (%d)\n\n", sec.heading, total)
			}
			fmt.Fprintf(&table, "#### %s %s", mdCode(g.id), mdText(g.title))
			if sev := rows[0].Severity; sev != "" {
				fmt.Fprintf(&table, " · %s", mdText(sev))
			}
			table.WriteString("\n\n| Resource | Where | Reason | Fix |\n| --- | --- | --- | --- |\n")
			started := false
			var edits []string
			editBytes := 0
			seen := map[*finding.Fix]bool{}
			for k, res := range rows {
				row := mdRow(res)
				var fix string
				if res.Fix != nil && len(res.Fix.Edits) > 0 && !seen[res.Fix] {
					seen[res.Fix] = true
					fix = mdEdits(res)
				}
				// The edits go after the table, so they count as well.
				if shown >= mdMaxRows || !d.fits(table.String()+row+fix, mdTailRoom+editBytes+mdDetailsRoom) {
					full = true
					omitted += len(rows) - k
					break
				}
				table.WriteString(row)
				if fix != "" {
					edits = append(edits, fix)
					editBytes += len(fix)
				}
				started = true
				shown++
			}
			if !started {
				continue
			}
			table.WriteString("\n")
			if len(edits) > 0 {
				// The summary line is an HTML block, where Markdown escapes do not apply: it holds no
				// input text.
				fmt.Fprintf(&table, "<details><summary>Suggested edits (%d): <code>eksguard iac --format patch</code> writes them as one diff</summary>\n\n%s</details>\n\n", len(edits), strings.Join(edits, ""))
			}
			d.add(table.String())
			headed = true
		}
	}
	if omitted > 0 {
		d.add(fmt.Sprintf("… and %d more FAIL, ERROR or UNKNOWN %s not shown, to keep this comment within GitHub's size limit.\n\n", omitted, mdPluralWord(omitted, "result", "results")))
	}
}

// mdRow is one table row: the resource, where it is, why, and how to fix it.
func mdRow(res *finding.Result) string {
	name := mdCode(orDefault(res.Resource.Name, res.Resource.Type))
	if res.Baseline == finding.BaselineNew {
		name = "🆕 " + name
	}
	where := fileLine(res.Location)
	if where == "" {
		where = strings.Join(nonEmptyParts(res.Resource.Account, res.Resource.Region), " ")
	}
	var fix []string
	live := res.Resource.File == "" && res.Location == nil
	switch {
	case res.Remediation != "" && live:
		fix = append(fix, mdCode(res.Remediation))
	case res.Remediation != "":
		fix = append(fix, mdText(res.Remediation))
	case res.Fix != nil && res.Fix.Description != "":
		fix = append(fix, mdText(res.Fix.Description))
	}
	if res.GuardedFix != "" {
		fix = append(fix, "guarded: "+mdCode(res.GuardedFix))
	}
	if res.Fix != nil && len(res.Fix.Edits) > 0 {
		fix = append(fix, "edit below")
	}
	return fmt.Sprintf("| %s | %s | %s | %s |\n", name, mdCode(where), mdText(res.Reason), strings.Join(fix, "<br>"))
}

// mdEdits shows a fix's edits as a fenced diff-like block: the place, then the lines that go in.
func mdEdits(res *finding.Result) string {
	var lines []string
	for _, e := range res.Fix.Edits {
		for _, l := range strings.Split(strings.TrimSuffix(editNote(e), "\n"), "\n") {
			lines = append(lines, clipRunes(escape.Text(l), mdMaxField))
		}
	}
	body := strings.Join(lines, "\n")
	fence := strings.Repeat("`", max(3, mdLongestRun(body, '`')+1))
	return fmt.Sprintf("%s: %s\n\n%sdiff\n%s\n%s\n\n", mdCode(orDefault(res.Resource.Name, res.Resource.Type)), mdText(res.Fix.Description), fence, body, fence)
}

func mdProblems(d *mdDoc, r *finding.Report) {
	if len(r.Problems) == 0 {
		return
	}
	var items []string
	for _, p := range r.Problems {
		where := p.File
		switch {
		case p.Line > 0 && p.Column > 0:
			where = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
		case p.Line > 0:
			where = fmt.Sprintf("%s:%d", p.File, p.Line)
		}
		item := "- " + mdCode(where) + ": " + mdText(p.Message)
		if p.Code != "" {
			item += " (" + mdText(p.Code) + ")"
		}
		items = append(items, item+"\n")
	}
	mdList(d, "⚠️ Input problems", "These could not be read, so what they declare was not checked.", items)
}

func mdWaivers(d *mdDoc, r *finding.Report) {
	if r.Waivers == nil || len(r.Waivers.Stale)+len(r.Waivers.Expired) == 0 {
		return
	}
	var items []string
	ref := func(kind string, w finding.WaiverRef) string {
		what := strings.Join(nonEmptyParts(w.Control, w.CheckID), " ")
		s := "- **" + kind + "** " + mdCode(w.Entry)
		if what != "" {
			s += " " + mdCode(what)
		}
		if w.Reason != "" {
			s += ": " + mdText(w.Reason)
		}
		if w.Expires != "" {
			s += " (expires " + mdText(w.Expires) + ")"
		}
		return s + "\n"
	}
	for _, w := range r.Waivers.Expired {
		items = append(items, ref("expired", w))
	}
	for _, w := range r.Waivers.Stale {
		items = append(items, ref("stale", w))
	}
	mdList(d, "Waivers to review", "An expired waiver no longer applies; a stale one matched no result of this run.", items)
}

func mdFixed(d *mdDoc, r *finding.Report) {
	if len(r.Fixed) == 0 {
		return
	}
	var items []string
	for _, f := range r.Fixed {
		items = append(items, "- "+mdCode(f.Control)+" "+mdCode(resourceIdentity(f.Resource))+"\n")
	}
	mdList(d, "✅ Fixed since the baseline", "", items)
}

// mdList adds a section: a heading, an introduction, and as many items as the list and byte
// budgets allow, then how many were left out. When not even the heading fits, one line says the
// section is in the full report.
func mdList(d *mdDoc, title, intro string, items []string) {
	const room = 600 // for the "and N more" line and the footer
	heading := fmt.Sprintf("### %s (%d)\n\n", title, len(items))
	if intro != "" {
		heading += intro + "\n\n"
	}
	if !d.fits(heading, room) {
		d.add(fmt.Sprintf("%s (%d): not shown, to keep this comment within GitHub's size limit.\n\n", title, len(items)))
		return
	}
	d.add(heading)
	for i, item := range items {
		if i >= mdMaxList || !d.fits(item, room) {
			d.add(fmt.Sprintf("- … and %d more\n", len(items)-i))
			break
		}
		d.add(item)
	}
	d.add("\n")
}

// mdSpecial are the characters that can start Markdown or HTML syntax inside a line (code spans,
// emphasis, strikethrough, links and images, autolinks after ":" or "www.", entities, tags, table
// cells, math), each escaped with a backslash. Characters that matter only at the start of a line
// (-, +, =, digits) are left alone: escaped text never starts a line.
const mdSpecial = "\\`*_[]()<>|~&!:.$^"

// mdText escapes a string for Markdown text, tables included: see the comment at the top.
func mdText(s string) string {
	s = clipRunes(escape.Text(s), mdMaxField)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for _, r := range s {
		switch {
		case r == '@' || r == '#':
			b.WriteByte('\\')
			b.WriteRune(r)
			b.WriteString("&#8203;")
		case r < 0x80 && strings.ContainsRune(mdSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode shows a string in monospace. It is an HTML code element around escaped text rather than a
// code span: a backslash cannot be escaped inside a code span, so "\|" there would end a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "<code>" + mdText(s) + "</code>"
}

// clipRunes cuts s to at most n runes, marking the cut with an ellipsis.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n-1 {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

func mdLongestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// mdPlural picks the singular or mdPlural phrase and puts the count before it.
func mdPlural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, mdPluralWord(n, one, many))
}

func mdPluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
