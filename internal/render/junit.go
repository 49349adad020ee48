package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// JUnit XML as CI test reporters read it (Jenkins, GitLab, Azure DevOps, the GitHub actions that
// publish test results): the shape of the Ant/Jenkins JUnit schema, which all of them accept.
//
// A <testsuite> per evaluated control, named "<control> <title>", in numeric order; a <testcase> per
// result, with the control id as classname and the resource's identity as name (resourceIdentity). The
// verdicts map as eksguard's exit codes treat them: FAIL is a <failure> (exit 1) and ERROR an
// <error> (the run is incomplete). UNKNOWN is <skipped message="UNKNOWN: ...">: it never makes
// `eksguard iac` fail, and `eksguard scan` reports it as an incomplete scan (exit 3), not as a
// failure, so a test reporter must not count it as one either; MANUAL is <skipped> for the same
// reason, and a waived result is <skipped message="waived: reason (expires DATE)"> whatever its
// verdict, since a waiver takes it out of the exit code. PASS is a test case without a child.
//
// Every string is escaped for XML; characters XML 1.0 cannot carry at all (NUL and the other C0
// controls but tab, newline and carriage return, U+FFFE, U+FFFF, bytes that are not UTF-8) are
// written as Go escapes (\x00, \x1b, \uffff), so the file always parses and nothing is lost in
// silence, and so are DEL, C1 controls and bidirectional formatting characters, which XML allows but
// which would change how a CI page shows the text around them. Timestamps are UTC without a zone suffix, as the schema's pattern wants; times are 0
// because a check takes no measurable time of its own.

func init() { register("junit", func(Options) Writer { return junitWriter{} }) }

type junitWriter struct{}

// controlResults is one control of a report and the indexes of its results, in report order.
type controlResults struct {
	id, title string
	results   []int
}

// counts tallies a group the way the JUnit formats count a suite.
type junitCounts struct{ tests, failures, errors, skipped int }

func (c *junitCounts) add(o junitCounts) {
	c.tests += o.tests
	c.failures += o.failures
	c.errors += o.errors
	c.skipped += o.skipped
}

func junitCount(r *finding.Report, g controlResults) junitCounts {
	c := junitCounts{tests: len(g.results)}
	for _, i := range g.results {
		res := &r.Results[i]
		switch {
		case !res.Counted():
			c.skipped++
		case res.Status == finding.Fail:
			c.failures++
		case res.Status == finding.Error:
			c.errors++
		case res.Status == finding.Unknown || res.Status == finding.Manual:
			c.skipped++
		}
	}
	return c
}

func (junitWriter) Write(w io.Writer, r *finding.Report) error {
	groups := groupByControl(r)
	var total junitCounts
	for _, g := range groups {
		total.add(junitCount(r, g))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	ew := &errWriter{w: bw}
	stamp := r.GeneratedAt.UTC().Format("2006-01-02T15:04:05")
	name := r.Tool.Name
	if name == "" {
		name = "eksguard"
	}
	ew.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	ew.printf("<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"0\" timestamp=\"%s\">\n",
		xmlAttr(strings.TrimSpace(name+" "+benchmarkTitle(r.Benchmark))), total.tests, total.failures, total.errors, total.skipped, stamp)
	for n, g := range groups {
		c := junitCount(r, g)
		ew.printf("  <testsuite name=\"%s\" id=\"%d\" package=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"0\" timestamp=\"%s\">\n",
			xmlAttr(strings.TrimSpace(g.id+" "+g.title)), n, xmlAttr(RuleID(r.Benchmark, g.id)), c.tests, c.failures, c.errors, c.skipped, stamp)
		ew.printf("    <properties>\n")
		ew.printf("      <property name=\"benchmark\" value=\"%s\"/>\n", xmlAttr(benchmarkTitle(r.Benchmark)))
		ew.printf("      <property name=\"control\" value=\"%s\"/>\n", xmlAttr(g.id))
		ew.printf("    </properties>\n")
		for _, i := range g.results {
			writeTestcase(ew, &r.Results[i])
		}
		ew.printf("  </testsuite>\n")
	}
	ew.printf("</testsuites>\n")
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

func writeTestcase(ew *errWriter, res *finding.Result) {
	ew.printf("    <testcase classname=\"%s\" name=\"%s\" time=\"0\"", xmlAttr(res.Control), xmlAttr(resourceIdentity(res.Resource)))
	var tag, msg, typ string
	switch {
	case !res.Counted():
		tag, msg = "skipped", waiverNote(res.Waived)
	case res.Status == finding.Fail:
		tag, msg, typ = "failure", res.Reason, string(finding.Fail)
	case res.Status == finding.Error:
		tag, msg, typ = "error", res.Reason, string(finding.Error)
	case res.Status == finding.Unknown, res.Status == finding.Manual:
		tag, msg = "skipped", string(res.Status)+": "+res.Reason
	default:
		ew.printf("/>\n")
		return
	}
	ew.printf(">\n      <%s message=\"%s\"", tag, xmlAttr(msg))
	if typ != "" {
		ew.printf(" type=\"%s\"", typ)
	}
	body, err := junitDetails(res)
	if err != nil && ew.err == nil {
		ew.err = fmt.Errorf("result %s on %s: %w", res.Control, resourceIdentity(res.Resource), err)
	}
	ew.printf(">%s</%s>\n    </testcase>\n", xmlText(body), tag)
}

// junitDetails is the text of a failure, error or skip: what a person needs to act on it without the
// JSON report.
func junitDetails(res *finding.Result) (string, error) {
	var b strings.Builder
	line := func(label, v string) {
		if v != "" {
			b.WriteString(label + ": " + v + "\n")
		}
	}
	line("Control", strings.TrimSpace(res.Control+" "+res.Title))
	line("Check", res.CheckID)
	line("Severity", res.Severity)
	line("Status", string(res.Status))
	line("Resource", resourceIdentity(res.Resource))
	line("Location", fileLine(res.Location))
	line("Reason", res.Reason)
	if res.Waived != nil {
		line("Waiver", strings.TrimSpace("entry "+res.Waived.Entry)+": "+waiverNote(res.Waived))
	}
	line("Baseline", res.Baseline)
	line("Remediation", res.Remediation)
	line("Guarded fix", res.GuardedFix)
	if res.Fix != nil {
		if res.Fix.Description != res.Remediation {
			line("Edit", res.Fix.Description)
		}
		for _, e := range res.Fix.Edits {
			b.WriteString(editNote(e))
		}
	}
	if res.Evidence != nil {
		ev, err := compactJSON(res.Evidence)
		if err != nil {
			return "", fmt.Errorf("encode evidence: %w", err)
		}
		line("Evidence", ev)
	}
	return b.String(), nil
}

// editNote describes one suggested edit in a few lines: where, what goes, what comes.
func editNote(e finding.Edit) string {
	var b strings.Builder
	switch {
	case e.Remove > 0:
		fmt.Fprintf(&b, "%s:%d: replace %d line(s) with:\n", e.File, e.Line, e.Remove)
	default:
		fmt.Fprintf(&b, "%s:%d: insert:\n", e.File, e.Line)
	}
	for _, l := range e.Insert {
		b.WriteString("+" + l + "\n")
	}
	return b.String()
}

func compactJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// groupByControl groups a report's results by control: the controls the run evaluated in numeric order,
// then any other control a result names. A control without results is kept, so every evaluated
// control shows up.
func groupByControl(r *finding.Report) []controlResults {
	index := map[string]int{}
	var groups []controlResults
	add := func(id string) int {
		if i, ok := index[id]; ok {
			return i
		}
		index[id] = len(groups)
		groups = append(groups, controlResults{id: id})
		return len(groups) - 1
	}
	for _, id := range r.Controls {
		add(id)
	}
	for i := range r.Results {
		g := add(r.Results[i].Control)
		groups[g].results = append(groups[g].results, i)
		if groups[g].title == "" {
			groups[g].title = r.Results[i].Title
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return finding.ControlLess(groups[i].id, groups[j].id) })
	titles := benchmarkControlTitles(r.Benchmark)
	for i := range groups {
		if groups[i].title == "" {
			groups[i].title = titles[groups[i].id]
		}
	}
	return groups
}

// benchmarkControlTitles maps the control ids of the report's benchmark to their titles, when eksguard
// carries that benchmark version.
func benchmarkControlTitles(ref finding.Benchmark) map[string]string {
	out := map[string]string{}
	b := benchmark.Default()
	if ref.ID != b.ID || ref.Version != b.Version {
		return out
	}
	for _, c := range b.Controls {
		out[c.ID] = c.Title
	}
	return out
}

// resourceIdentity names what a result is about, the same way in every report format that needs one
// string: the ARN of a live cluster; the declaring file and name of an IaC definition (with the root
// it was evaluated from when that is not the file's folder); otherwise account/region/name with what
// does not apply left out.
func resourceIdentity(res finding.Resource) string {
	switch {
	case res.ARN != "":
		return res.ARN
	case res.File != "":
		s := res.File + " " + res.Name
		if res.Root != "" && res.Root != path.Dir(res.File) {
			s += " (root " + res.Root + ")"
		}
		return s
	}
	parts := nonEmptyParts(res.Account, res.Region)
	if res.Name != "" && (len(parts) == 0 || parts[len(parts)-1] != res.Name) {
		parts = append(parts, res.Name)
	}
	if len(parts) == 0 {
		return res.Type
	}
	return strings.Join(parts, "/")
}

// fileLine is file:line, or the file alone when the line is not known.
func fileLine(l *model.Location) string {
	switch {
	case l == nil || l.File == "":
		return ""
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// waiverNote says that a waiver accepted a result, why, and until when.
func waiverNote(w *finding.Waived) string {
	if w == nil {
		return ""
	}
	s := "waived"
	if w.Reason != "" {
		s += ": " + w.Reason
	}
	if w.Expires != "" {
		s += " (expires " + w.Expires + ")"
	}
	return s
}

// xmlAttr escapes a string for a double-quoted XML attribute. Tab, newline and carriage return are
// written as character references, because a parser would otherwise normalize them to spaces.
func xmlAttr(s string) string { return xmlEscape(s, true) }

// xmlText escapes a string for element content; line breaks stay as they are, except carriage
// returns, which a parser would drop.
func xmlText(s string) string { return xmlEscape(s, false) }

func xmlEscape(s string, attr bool) string {
	if xmlPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	last := 0 // s[last:i] is copied as it is when the next replacement comes
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var rep string
		switch {
		case r == utf8.RuneError && size == 1:
			rep = fmt.Sprintf(`\x%02x`, s[i])
		case r == '&':
			rep = "&amp;"
		case r == '<':
			rep = "&lt;"
		case r == '>':
			rep = "&gt;"
		case r == '"' && attr:
			rep = "&quot;"
		case r == '\'' && attr:
			rep = "&apos;"
		case r == '\r':
			rep = "&#xD;"
		case (r == '\n' || r == '\t') && attr:
			rep = fmt.Sprintf("&#x%X;", r)
		case r == '\n' || r == '\t':
		case !xmlChar(r) && r < 0x100:
			rep = fmt.Sprintf(`\x%02x`, r)
		case !xmlChar(r):
			rep = fmt.Sprintf(`\u%04x`, r)
		case r >= 0x7f && escape.Text(s[i:i+size]) != s[i:i+size]:
			// XML allows it, but it changes how a viewer shows the text around it (DEL, C1
			// controls, bidirectional overrides): written as the table format writes it.
			rep = escape.Text(s[i : i+size])
		}
		if rep != "" {
			b.WriteString(s[last:i])
			b.WriteString(rep)
			last = i + size
		}
		i += size
	}
	b.WriteString(s[last:])
	return b.String()
}

// xmlPlain reports whether s is printable ASCII without markup, which needs no escaping: most of
// what a report holds.
func xmlPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '&', c == '<', c == '>', c == '"', c == '\'':
			return false
		}
	}
	return true
}

// xmlChar reports whether XML 1.0 allows a character at all (its Char production).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
