package render

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// cells splits a Markdown table row the way GFM does: on pipes that no backslash escapes.
func cells(line string) int {
	n, escaped := 0, false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '|':
			n++
		}
	}
	return n - 1
}

// checkMarkdownSafe asserts what no input may do to a comment: add or split table cells, start raw
// HTML, links, images, autolinks or code spans, mention someone, or carry a control character.
func checkMarkdownSafe(t *testing.T, md string) {
	t.Helper()
	inFence := ""
	for i, line := range strings.Split(md, "\n") {
		if inFence != "" {
			if line == inFence {
				inFence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			inFence = strings.TrimRight(line, "abcdefghijklmnopqrstuvwxyz")
			continue
		}
		if strings.HasPrefix(line, "|") {
			want := 4
			if strings.HasPrefix(line, "| PASS") || strings.HasPrefix(line, "| ---:") || regexp.MustCompile(`^\| \d+ \| \d+`).MatchString(line) {
				want = 6
			}
			if got := cells(line); got != want || !strings.HasSuffix(line, " |") {
				t.Errorf("line %d has %d cells, want %d: %s", i+1, got, want, line)
			}
		}
		// Outside code blocks, the only HTML is eksguard's own.
		stripped := regexp.MustCompile(`</?(code|sub|br|details|summary)>|<br>`).ReplaceAllString(line, "")
		if m := regexp.MustCompile(`(^|[^\\])<[a-zA-Z/!?]`).FindString(stripped); m != "" {
			t.Errorf("line %d starts raw HTML (%q): %s", i+1, m, line)
		}
		for _, re := range []string{`(^|[^\\])\]\(`, `(^|[^\\])!\[`, `https?://`, `(^|[^\\])www\.`, `@[a-zA-Z0-9]`, `(^|[^&])#[0-9]`} {
			if m := regexp.MustCompile(re).FindString(line); m != "" {
				t.Errorf("line %d has %q (%s): %s", i+1, m, re, line)
			}
		}
		code := regexp.MustCompile("(^|[^\\\\])`").FindAllString(stripped, -1)
		if len(code) > 0 && !strings.Contains(line, "`--format json`") {
			t.Errorf("line %d has an unescaped backtick: %s", i+1, line)
		}
	}
	for _, c := range []string{"\x1b", "\x00", "\x07", "\u202e", "\r", "\xff"} {
		if strings.Contains(md, c) {
			t.Errorf("comment holds the raw character %q", c)
		}
	}
	if !utf8.ValidString(md) {
		t.Error("comment is not UTF-8")
	}
}

func TestMarkdownSafe(t *testing.T) {
	for _, tt := range []struct {
		name   string
		report *finding.Report
	}{
		{"empty", emptyReport()},
		{"live", sampleReport()},
		{"iac", iacReport()},
		{"review", reviewReport()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkMarkdownSafe(t, string(render(t, "markdown", Options{Command: "scan"}, tt.report)))
		})
	}
}

func TestMarkdownReview(t *testing.T) {
	md := string(render(t, "markdown", Options{Command: "scan"}, reviewReport()))
	for _, want := range []string{
		"## ❌ eksguard: 4 failing, 1 input problem",
		"| 10 | 4 | 0 | 0 | 5 | 1 |",
		"1 result is waived",
		"Since the baseline: 3 new, 1 unchanged.",
		"### ❌ FAIL (4)",
		"🆕 <code>evil \\<img src=x onerror=alert\\(1\\)\\>",
		"guarded: <code>eksguard fix --cluster payments --region eu-central-1 --private</code>",
		"````diff\ninfra/we|ird `dir`/=cmd()\\x00\\x07\\xff <b>x</b>.tf:7: replace 1 line(s) with:\n+    endpoint_private_access = true # ``` </pre> |\n",
		"### ⚠️ Input problems (1)",
		"- **expired** <code>infra/main\\.tf\\:12</code> <code>eks-audit-logging</code>: temporary \\@&#8203;ops (expires 2026-01-31)",
		"- **stale** <code>3</code> <code>5\\.3\\.1</code>",
		"### ✅ Fixed since the baseline (2)",
		"1 part of the estate was skipped on purpose",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("comment lacks %q\n%s", want, md)
		}
	}
	// The waived failure and the MANUAL results are counted, not listed.
	if strings.Contains(md, "log pipeline") || strings.Contains(md, "onprem") {
		t.Error("a waived or MANUAL result is listed")
	}
}

// TestMarkdownOrder: failures first, then errors, then unknowns; controls in numeric order.
func TestMarkdownOrder(t *testing.T) {
	md := string(render(t, "markdown", Options{Command: "scan"}, sampleReport()))
	last := -1
	for _, h := range []string{"### ❌ FAIL (7)", "<code>2\\.1\\.1</code>", "<code>5\\.4\\.2</code>", "### ⚠️ ERROR: could not be read (5)", "### ❔ UNKNOWN: cannot be judged (2)", "<sub>"} {
		i := strings.Index(md, h)
		if i <= last {
			t.Errorf("%q at %d, after %d", h, i, last)
		}
		last = i
	}
}

func TestMarkdownVerdict(t *testing.T) {
	res := func(s finding.Status) finding.Result {
		return finding.Result{Control: "5.4.1", Status: s, Resource: finding.Resource{Type: finding.ResourceCluster, Name: "c"}}
	}
	waived := func(r finding.Result) finding.Result {
		r.Waived = &finding.Waived{Reason: "accepted", Expires: "2030-01-01", Entry: "0"}
		return r
	}
	tests := []struct {
		name     string
		results  []finding.Result
		problems int
		command  string
		want     string
	}{
		{"nothing", nil, 0, "scan", "## ➖ eksguard: nothing was evaluated"},
		{"all pass", []finding.Result{res(finding.Pass), res(finding.Manual)}, 0, "scan", "## ✅ eksguard: every evaluated control passes"},
		{"every failure waived", []finding.Result{res(finding.Pass), waived(res(finding.Fail))}, 0, "scan", "## ✅ eksguard: nothing fails that is not waived (1 waived)"},
		{"a waived error", []finding.Result{waived(res(finding.Error))}, 0, "scan", "## ✅ eksguard: nothing fails that is not waived (1 waived)"},
		{"unknown before deploy", []finding.Result{res(finding.Pass), res(finding.Unknown)}, 0, "iac", "## ❔ eksguard: 1 UNKNOWN"},
		{"unknown in a scan is incomplete", []finding.Result{res(finding.Unknown)}, 0, "scan", "## ⚠️ eksguard: incomplete, 1 UNKNOWN"},
		{"error", []finding.Result{res(finding.Pass), res(finding.Error)}, 0, "scan", "## ⚠️ eksguard: incomplete, 1 ERROR"},
		{"problems", []finding.Result{res(finding.Pass)}, 2, "iac", "## ⚠️ eksguard: incomplete, 2 input problems"},
		{"failure wins", []finding.Result{res(finding.Error), res(finding.Fail), res(finding.Fail)}, 1, "scan", "## ❌ eksguard: 2 failing, 1 ERROR, 1 input problem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := emptyReport()
			r.Results = tt.results
			for i := 0; i < tt.problems; i++ {
				r.Problems = append(r.Problems, finding.Problem{File: "x.tf", Message: "bad"})
			}
			r.Finish()
			md := string(render(t, "markdown", Options{Command: tt.command}, r))
			if !strings.HasPrefix(md, tt.want) {
				t.Errorf("title = %q, want prefix %q", strings.SplitN(md, "\n", 2)[0], tt.want)
			}
		})
	}
}

// manyFailures is a report of n failing declared clusters, with a name of the given length, and
// with a remediation and a suggested edit unless bare.
func manyFailures(n, nameLen int, bare bool) *finding.Report {
	r := emptyReport()
	long := strings.Repeat("n|`<", nameLen/4+1)[:nameLen]
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("c%05d%s", i, long)
		r.Results = append(r.Results, finding.Result{
			Control: "5.4.1", CheckID: "eks-endpoint-restricted", Title: "Restrict Access to the Control Plane Endpoint", Severity: "high",
			Status: finding.Fail, Resource: finding.Resource{Type: finding.ResourceCluster, Name: name, Root: "infra", File: "infra/main.tf"},
			Reason: "public endpoint is open to the internet", Remediation: "set endpoint_private_access = true in the cluster definition",
			Location: &model.Location{File: "infra/main.tf", Line: i + 1},
			Fix:      &finding.Fix{Description: "set endpoint_private_access = true", Edits: []finding.Edit{{File: "infra/main.tf", Line: i + 1, Insert: []string{"  endpoint_private_access = true"}}}},
		})
		if bare {
			last := &r.Results[len(r.Results)-1]
			last.Remediation, last.Fix, last.Reason = "", nil, "open"
		}
	}
	r.Controls = []string{"5.4.1"}
	r.Finish()
	return r
}

// TestMarkdownBounded: a fleet's worth of failures stays a comment GitHub accepts, says how many
// were left out, and the rows it shows are whole.
func TestMarkdownBounded(t *testing.T) {
	tests := []struct {
		name            string
		failures, width int
		bare            bool
		rows            int
	}{
		{"one", 1, 10, false, 1},
		{"10,000 bare: the row limit", 10000, 1, true, mdMaxRows},
		{"10,000 with fixes: the byte limit", 10000, 1, false, 0},
		{"10,000 long names: the byte limit", 10000, 5000, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := string(render(t, "markdown", Options{Command: "iac"}, manyFailures(tt.failures, tt.width, tt.bare)))
			if len(md) >= 65536 || utf8.RuneCountInString(md) >= 65536 {
				t.Fatalf("comment is %d bytes, %d characters", len(md), utf8.RuneCountInString(md))
			}
			rows := strings.Count(md, "\n| 🆕 ") + strings.Count(md, "\n| <code>c")
			if rows == 0 || rows > mdMaxRows || (tt.rows > 0 && rows != tt.rows) {
				t.Errorf("%d rows, want %d (0: any up to %d)", rows, tt.rows, mdMaxRows)
			}
			t.Logf("%d failures: %d rows shown, %d bytes", tt.failures, rows, len(md))
			more := regexp.MustCompile(`… and (\d+) more FAIL, ERROR or UNKNOWN results? not shown`).FindStringSubmatch(md)
			switch {
			case rows == tt.failures && more != nil:
				t.Errorf("every row shown, yet %q", more[0])
			case rows < tt.failures && (more == nil || more[1] != fmt.Sprint(tt.failures-rows)):
				t.Errorf("%d of %d rows shown; the comment says %v", rows, tt.failures, more)
			}
			checkMarkdownSafe(t, md)
			if !strings.HasSuffix(md, "have every result.</sub>\n") {
				t.Error("the footer was cut off")
			}
		})
	}
}

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words, 1-2 = 3", "plain words, 1-2 = 3"},
		{"a|b", `a\|b`},
		{"`x`", "\\`x\\`"},
		{"*em* _u_ ~s~", `\*em\* \_u\_ \~s\~`},
		{"[a](b) ![i](j)", `\[a\]\(b\) \!\[i\]\(j\)`},
		{"<b>&amp;", `\<b\>\&amp;`},
		{"http://x.test www.y.test", `http\://x\.test www\.y\.test`},
		{"@user #12", `\@&#8203;user \#&#8203;12`},
		{"a\\|b", `a\\\|b`},
		{"line\nbreak\x1b", `line\\nbreak\\x1b`},
		{"$x$", `\$x\$`},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := mdText(strings.Repeat("é", 1000)); utf8.RuneCountInString(got) != mdMaxField || !strings.HasSuffix(got, "…") {
		t.Errorf("long text is %d characters", utf8.RuneCountInString(got))
	}
}

// TestMarkdownLiveRemediationIsMonospace: commands for live clusters are code, prose for IaC is
// text; both sides of a table keep four cells.
func TestMarkdownLiveRemediationIsMonospace(t *testing.T) {
	md := string(render(t, "markdown", Options{Command: "iac"}, iacReport()))
	if !strings.Contains(md, "| set endpoint\\_private\\_access = true, endpoint\\_public\\_access = false for aws\\_eks\\_cluster\\.open<br>edit below |") {
		t.Errorf("IaC fix is not prose with an edit:\n%s", md)
	}
	live := string(render(t, "markdown", Options{Command: "scan"}, sampleReport()))
	if !strings.Contains(live, "| <code>aws eks update-cluster-config --region us-east-1 --name open --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false</code><br>guarded: ") {
		t.Errorf("live fix is not a command:\n%s", live)
	}
}

// TestMarkdownLongLists: long lists of problems, waivers and fixed results are cut too, and a full
// comment still says what it left out.
func TestMarkdownLongLists(t *testing.T) {
	for _, failures := range []int{0, 10000} {
		t.Run(fmt.Sprint(failures), func(t *testing.T) {
			r := manyFailures(failures, 1000, false)
			long := strings.Repeat("x", 400)
			for i := 0; i < 500; i++ {
				r.Problems = append(r.Problems, finding.Problem{File: fmt.Sprintf("f%d.tf", i), Line: 1, Message: long})
				r.Fixed = append(r.Fixed, finding.Ref{Control: "5.4.1", Resource: finding.Resource{Type: finding.ResourceCluster, Name: fmt.Sprintf("c%d", i), File: "main.tf"}})
			}
			r.Waivers = &finding.WaiverReport{}
			for i := 0; i < 300; i++ {
				r.Waivers.Stale = append(r.Waivers.Stale, finding.WaiverRef{Entry: fmt.Sprint(i), Control: "5.4.1", Reason: long})
			}
			md := string(render(t, "markdown", Options{Command: "iac"}, r))
			if len(md) >= 65536 {
				t.Fatalf("comment is %d bytes", len(md))
			}
			checkMarkdownSafe(t, md)
			for _, title := range []string{"Input problems (500)", "Waivers to review (300)", "Fixed since the baseline (500)"} {
				if !strings.Contains(md, title) {
					t.Errorf("comment does not mention %s", title)
				}
			}
			if n := strings.Count(md, "- … and "); n == 0 {
				t.Error("no list says how many it left out")
			}
			t.Logf("%d failures: %d bytes", failures, len(md))
		})
	}
}
