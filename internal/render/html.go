package render

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
)

// HTML is one self-contained page to open in a browser or attach to a CI run: the run's summary and
// counts by status (WAIVED included), charts of results per control and per account and region
// (inline SVG drawn from the data), every result in a table that sorts when a header is clicked, and
// how to fix each failure that counts (remediation, guarded fix, suggested edits).
//
// The page loads nothing: styles and the script are inline, there are no fonts, images or links to
// fetch, and a Content-Security-Policy meta element forbids every load (default-src 'none') while
// allowing exactly the page's own style and script by their SHA-256 hashes, not 'unsafe-inline': a
// string that got past escaping still could not run. The table is plain HTML in report order, so the
// page reads the same without the script, which only reorders rows.
//
// Every string from the input is escaped by html/template, after control characters,
// bidirectional formatting characters and bytes that are not UTF-8 are written as Go escapes as the
// table format writes them (escape.Text). The sort keys the script reads are JSON in a
// <script type="application/json"> element, encoded by json.Marshal, which writes "<", ">" and "&"
// as \u escapes, so no value can end the element.

func init() { register("html", func(o Options) Writer { return htmlWriter{command: o.Command} }) }

type htmlWriter struct{ command string }

type htmlView struct {
	Title, Tool, Benchmark, Generated, Command string
	Verdict, VerdictClass                      string
	Counts                                     []htmlCount
	Total                                      int
	ControlChart, GroupChart                   htmlChart
	Columns                                    []htmlColumn
	Rows                                       []htmlRow
	Fixes                                      []htmlFixGroup
	WaivedFailures                             string
	Problems, Skipped                          []string
	Expired, Stale                             []string
	Fixed                                      []string
	Data                                       template.JS
	CSS                                        template.CSS
	Script                                     template.JS
	CSP                                        string
}

type htmlCount struct {
	Status, Class string
	N             int
}

type htmlColumn struct{ Key, Label string }

type htmlRow struct {
	Status, Class, Control, Title, Severity, Resource, Account, Region, Location, Reason, Waived, Baseline string
}

type htmlFixGroup struct {
	Control, Title string
	Fixes          []htmlFix
}

type htmlFix struct {
	Resource, Location, Reason, Remediation, GuardedFix, Edit, Baseline string
}

type htmlChart struct {
	Width, Height, LabelWidth int
	Bars                      []htmlBar
}

type htmlBar struct {
	Label, Tip     string
	Y, TextY, EndX int
	Total          int
	Segs           []htmlSeg
}

type htmlSeg struct {
	X, Y, W     int
	Class, What string
	N           int
}

// htmlStack is the order statuses are stacked in a bar: what needs attention first.
var htmlStack = []finding.Status{finding.Fail, finding.Error, finding.Unknown, finding.Manual, finding.WaivedKey, finding.Pass}

// htmlColumns are the table's columns, in order; the script sorts by the keys of the same index.
var htmlColumns = []htmlColumn{
	{"status", "Status"}, {"control", "Control"}, {"severity", "Severity"}, {"resource", "Resource"},
	{"account", "Account"}, {"region", "Region"}, {"location", "Location"}, {"reason", "Reason"},
	{"waived", "Waived"}, {"baseline", "Baseline"},
}

const (
	chartBarArea  = 520
	chartRow      = 22
	chartMaxBars  = 40
	chartTextRoom = 60
)

func (h htmlWriter) Write(w io.Writer, r *finding.Report) error {
	v, err := h.view(r)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlPage.Execute(bw, v); err != nil {
		return err
	}
	return bw.Flush()
}

func (h htmlWriter) view(r *finding.Report) (*htmlView, error) {
	counts := finding.Count(r.Results)
	icon, verdict := mdVerdict(r, counts, h.command)
	class := map[string]string{"❌": "fail", "⚠️": "error", "❔": "unknown", "➖": "manual", "✅": "pass"}[icon]
	v := &htmlView{
		Title:        "eksguard report · " + escape.Text(benchmarkTitle(r.Benchmark)),
		Tool:         escape.Text(strings.TrimSpace(orDefault(r.Tool.Name, "eksguard") + " " + r.Tool.Version)),
		Benchmark:    escape.Text(benchmarkTitle(r.Benchmark)),
		Command:      escape.Text(h.command),
		Verdict:      verdict,
		VerdictClass: class,
		Total:        len(r.Results),
		Columns:      htmlColumns,
		CSS:          template.CSS(htmlCSS),
		Script:       template.JS(htmlScript),
		CSP:          htmlCSP,
		Rows:         make([]htmlRow, 0, len(r.Results)),
	}
	if !r.GeneratedAt.IsZero() {
		v.Generated = r.GeneratedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for _, s := range append(append([]finding.Status{}, finding.Statuses...), finding.WaivedKey) {
		v.Counts = append(v.Counts, htmlCount{Status: string(s), Class: htmlStatusClass(s), N: counts[s]})
	}

	groups := groupByControl(r)
	rank := map[string]int{}
	for i, g := range groups {
		rank[g.id] = i
	}
	keys := make([][]any, 0, len(r.Results))
	for i := range r.Results {
		res := &r.Results[i]
		row := htmlRow{
			Status: string(res.Status), Class: htmlStatusClass(res.Status), Control: escape.Text(res.Control), Title: escape.Text(res.Title),
			Severity: escape.Text(res.Severity), Resource: escape.Text(resourceIdentity(res.Resource)), Account: escape.Text(res.Resource.Account),
			Region: escape.Text(res.Resource.Region), Location: escape.Text(fileLine(res.Location)), Reason: escape.Lines(res.Reason),
			Waived: escape.Lines(waiverNote(res.Waived)), Baseline: escape.Text(res.Baseline),
		}
		if !res.Counted() {
			row.Class = htmlStatusClass(finding.WaivedKey)
		}
		v.Rows = append(v.Rows, row)
		line := ""
		if res.Location != nil {
			line = fmt.Sprintf("%s\x00%012d", res.Location.File, res.Location.Line)
		}
		keys = append(keys, []any{htmlStatusRank(res.Status), rank[res.Control], htmlSeverityRank(res.Severity), row.Resource,
			row.Account, row.Region, line, row.Reason, row.Waived, row.Baseline})
	}
	cols := make([]string, len(htmlColumns))
	for i, c := range htmlColumns {
		cols[i] = c.Key
	}
	// json.Marshal writes <, > and & as \u escapes, so the data cannot end its script element; a
	// value that cannot be encoded is an error rather than a page without data.
	data, err := json.Marshal(struct {
		Columns []string `json:"columns"`
		Keys    [][]any  `json:"keys"`
	}{cols, keys})
	if err != nil {
		return nil, fmt.Errorf("encode the page's data: %w", err)
	}
	v.Data = template.JS(data)

	v.ControlChart = htmlControlChart(r, groups)
	v.GroupChart = htmlGroupChart(r)
	fixes, waived := htmlFixes(r, groups)
	v.Fixes = fixes
	if waived > 0 {
		v.WaivedFailures = mdPlural(waived, "waived failure is", "waived failures are") + " left out: a waiver accepts a failure until the waiver expires."
	}
	for _, p := range r.Problems {
		v.Problems = append(v.Problems, escape.Lines(p.String()))
	}
	for _, s := range r.Skipped {
		where := strings.Join(nonEmptyParts(s.Account, s.Region, s.Resource, s.File), " ")
		v.Skipped = append(v.Skipped, escape.Lines(strings.TrimSpace(where+": "+s.Reason)))
	}
	if r.Waivers != nil {
		for _, w := range r.Waivers.Expired {
			v.Expired = append(v.Expired, escape.Lines(htmlWaiverRef(w)))
		}
		for _, w := range r.Waivers.Stale {
			v.Stale = append(v.Stale, escape.Lines(htmlWaiverRef(w)))
		}
	}
	for _, f := range r.Fixed {
		v.Fixed = append(v.Fixed, escape.Text(f.Control+" "+resourceIdentity(f.Resource)))
	}
	return v, nil
}

func htmlWaiverRef(w finding.WaiverRef) string {
	s := strings.Join(nonEmptyParts(w.Entry, w.Control, w.CheckID), " ")
	if w.Reason != "" {
		s += ": " + w.Reason
	}
	if w.Expires != "" {
		s += " (expires " + w.Expires + ")"
	}
	return s
}

// htmlFixes lists each failure that counts with what fixes it, per control; waived failures are
// only counted.
func htmlFixes(r *finding.Report, groups []controlResults) ([]htmlFixGroup, int) {
	var out []htmlFixGroup
	waived := 0
	for _, g := range groups {
		fg := htmlFixGroup{Control: escape.Text(g.id), Title: escape.Text(g.title)}
		for _, i := range g.results {
			res := &r.Results[i]
			if res.Status != finding.Fail {
				continue
			}
			if !res.Counted() {
				waived++
				continue
			}
			f := htmlFix{Resource: escape.Text(resourceIdentity(res.Resource)), Location: escape.Text(fileLine(res.Location)),
				Reason: escape.Lines(res.Reason), Remediation: escape.Lines(res.Remediation), GuardedFix: escape.Lines(res.GuardedFix),
				Baseline: res.Baseline}
			if res.Fix != nil {
				var b strings.Builder
				if res.Fix.Description != "" && res.Fix.Description != res.Remediation {
					b.WriteString(res.Fix.Description + "\n")
				}
				for _, e := range res.Fix.Edits {
					b.WriteString(editNote(e))
				}
				f.Edit = escape.Lines(strings.TrimSuffix(b.String(), "\n"))
			}
			fg.Fixes = append(fg.Fixes, f)
		}
		if len(fg.Fixes) > 0 {
			out = append(out, fg)
		}
	}
	return out, waived
}

// htmlTally counts results by how a bar stacks them: waived results under WAIVED.
type htmlTally map[finding.Status]int

func (t htmlTally) add(res *finding.Result) {
	if res.Counted() {
		t[res.Status]++
	} else {
		t[finding.WaivedKey]++
	}
}

func (t htmlTally) total() int {
	n := 0
	for _, v := range t {
		n += v
	}
	return n
}

func htmlControlChart(r *finding.Report, groups []controlResults) htmlChart {
	var labels, tips []string
	var tallies []htmlTally
	for _, g := range groups {
		t := htmlTally{}
		for _, i := range g.results {
			t.add(&r.Results[i])
		}
		label := escape.Text(strings.TrimSpace(g.id + " " + g.title))
		labels = append(labels, clipRunes(label, 34))
		tips = append(tips, label)
		tallies = append(tallies, t)
	}
	return htmlBars(labels, tips, tallies, 260)
}

// htmlGroupChart draws results per account and region (per root for IaC, which has neither); beyond
// chartMaxBars groups, those with the least to look at are drawn as one bar.
func htmlGroupChart(r *finding.Report) htmlChart {
	index := map[string]int{}
	var labels []string
	var tallies []htmlTally
	for i := range r.Results {
		res := &r.Results[i]
		label := escape.Text(strings.Join(nonEmptyParts(res.Resource.Account, res.Resource.Region), " "))
		switch {
		case label != "":
		case res.Resource.Root != "":
			label = "root " + escape.Text(res.Resource.Root)
		default:
			label = "(no account or region)"
		}
		k, ok := index[label]
		if !ok {
			k = len(labels)
			index[label] = k
			labels = append(labels, label)
			tallies = append(tallies, htmlTally{})
		}
		tallies[k].add(res)
	}
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	if len(order) > chartMaxBars {
		sort.SliceStable(order, func(a, b int) bool {
			return tallies[order[a]].total()-tallies[order[a]][finding.Pass] > tallies[order[b]].total()-tallies[order[b]][finding.Pass]
		})
	}
	keep := order
	rest := htmlTally{}
	if len(order) > chartMaxBars {
		keep = order[:chartMaxBars-1]
		for _, k := range order[chartMaxBars-1:] {
			for s, n := range tallies[k] {
				rest[s] += n
			}
		}
	}
	sort.SliceStable(keep, func(a, b int) bool { return labels[keep[a]] < labels[keep[b]] })
	var ls, tips []string
	var ts []htmlTally
	for _, k := range keep {
		ls = append(ls, clipRunes(labels[k], 34))
		tips = append(tips, labels[k])
		ts = append(ts, tallies[k])
	}
	if n := len(order) - len(keep); n > 0 {
		ls = append(ls, fmt.Sprintf("%d more", n))
		tips = append(tips, fmt.Sprintf("%d more accounts and regions", n))
		ts = append(ts, rest)
	}
	return htmlBars(ls, tips, ts, 260)
}

// chart lays out horizontal stacked bars, one per label, scaled to the longest.
func htmlBars(labels, tips []string, tallies []htmlTally, labelWidth int) htmlChart {
	c := htmlChart{LabelWidth: labelWidth, Width: labelWidth + chartBarArea + chartTextRoom}
	most := 0
	for _, t := range tallies {
		most = max(most, t.total())
	}
	for i, t := range tallies {
		b := htmlBar{Label: labels[i], Y: 4 + i*chartRow, Total: t.total()}
		b.TextY = b.Y + 13
		x := labelWidth
		parts := []string{}
		for _, s := range htmlStack {
			n := t[s]
			if n == 0 {
				continue
			}
			w := int(math.Round(float64(n) * chartBarArea / float64(most)))
			w = max(w, 2)
			b.Segs = append(b.Segs, htmlSeg{X: x, Y: b.Y, W: w, Class: htmlStatusClass(s), What: string(s), N: n})
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
			x += w
		}
		b.EndX = x + 6
		b.Tip = tips[i] + ": " + strings.Join(parts, ", ")
		if len(parts) == 0 {
			b.Tip = tips[i] + ": no results"
		}
		c.Bars = append(c.Bars, b)
	}
	c.Height = 8 + len(tallies)*chartRow
	return c
}

func htmlStatusClass(s finding.Status) string { return strings.ToLower(string(s)) }

func htmlStatusRank(s finding.Status) int {
	switch s {
	case finding.Fail:
		return 0
	case finding.Error:
		return 1
	case finding.Unknown:
		return 2
	case finding.Manual:
		return 3
	case finding.Pass:
		return 4
	}
	return 5
}

func htmlSeverityRank(s string) int {
	switch s {
	case "high":
		return 0
	case "medium":
		return 1
	case "low":
		return 2
	}
	return 3
}

func htmlCSPHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

// htmlCSP allows the page's own style and script and nothing else: no loads of any kind, no other
// inline code, no base URL or form target.
var htmlCSP = "default-src 'none'; style-src " + htmlCSPHash(htmlCSS) + "; script-src " + htmlCSPHash(htmlScript) +
	"; img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"

const htmlCSS = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; --head: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --error: #bc4c00; --unknown: #9a6700; --manual: #0969da; --waived: #6e7781; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --head: #151b23; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 1.5rem; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.meta { color: var(--muted); margin: 0 0 1rem; } .meta span + span::before { content: " · "; }
.verdict { font-size: 1.15rem; font-weight: 600; margin: .5rem 0 1rem; }
.counts { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0; padding: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: .4rem .9rem; min-width: 7rem; }
.counts b { display: block; font-size: 1.5rem; }
li.pass, tr.pass td:first-child { border-left-color: var(--pass); } li.fail, tr.fail td:first-child { border-left-color: var(--fail); }
li.error, tr.error td:first-child { border-left-color: var(--error); } li.unknown, tr.unknown td:first-child { border-left-color: var(--unknown); }
li.manual, tr.manual td:first-child { border-left-color: var(--manual); } li.waived, tr.waived td:first-child { border-left-color: var(--waived); }
.v-fail { color: var(--fail); } .v-error, .v-unknown { color: var(--unknown); } .v-pass { color: var(--pass); } .v-manual { color: var(--muted); }
svg.chart { width: 100%; max-width: 900px; height: auto; display: block; }
svg text { fill: var(--fg); font-size: 12px; }
rect.pass { fill: var(--pass); } rect.fail { fill: var(--fail); } rect.error { fill: var(--error); }
rect.unknown { fill: var(--unknown); } rect.manual { fill: var(--manual); } rect.waived { fill: var(--waived); }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; padding: 0; list-style: none; color: var(--muted); }
.legend li::before { content: ""; display: inline-block; width: .8em; height: .8em; margin-right: .3em; vertical-align: -.05em; background: var(--c); }
.legend .pass { --c: var(--pass); } .legend .fail { --c: var(--fail); } .legend .error { --c: var(--error); }
.legend .unknown { --c: var(--unknown); } .legend .manual { --c: var(--manual); } .legend .waived { --c: var(--waived); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
td:first-child { border-left-width: 5px; font-weight: 600; white-space: nowrap; }
thead th { background: var(--head); position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 2px solid var(--manual); }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
pre { background: var(--head); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 .5rem; }
article { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; margin: .5rem 0; }
article h4 { margin: .25rem 0; font-size: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .25rem 0; } dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
`

// htmlScript sorts the results table by the keys in the page's JSON data when a header is clicked,
// and says so in aria-sort; a second click on the same header reverses the order.
const htmlScript = `
(function () {
  "use strict";
  var source = document.getElementById("eksguard-data");
  var table = document.getElementById("results");
  if (!source || !table) { return; }
  var data = JSON.parse(source.textContent);
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var sorted = -1, direction = 1;
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    a = String(a); b = String(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  headers.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      direction = sorted === col ? -direction : 1;
      sorted = col;
      var order = rows.map(function (_, i) { return i; });
      order.sort(function (x, y) {
        return direction * compare(data.keys[x][col], data.keys[y][col]) || x - y;
      });
      var fragment = document.createDocumentFragment();
      order.forEach(function (i) { fragment.appendChild(rows[i]); });
      body.appendChild(fragment);
      headers.forEach(function (h, c) {
        h.setAttribute("aria-sort", c === col ? (direction > 0 ? "ascending" : "descending") : "none");
      });
    });
  });
})();
`

var htmlPage = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header>
<h1>eksguard report</h1>
<p class="meta"><span>{{.Tool}}</span><span>{{.Benchmark}}</span>{{if .Command}}<span>eksguard {{.Command}}</span>{{end}}{{if .Generated}}<span>generated {{.Generated}}</span>{{end}}<span>{{.Total}} results</span></p>
</header>
<main>
<section id="summary">
<h2>Summary</h2>
<p class="verdict v-{{.VerdictClass}}" id="verdict">{{.Verdict}}</p>
<ul class="counts">{{range .Counts}}
<li class="{{.Class}}" id="count-{{.Class}}"><b>{{.N}}</b>{{.Status}}</li>{{end}}
</ul>
</section>
<section id="charts">
<h2>Results per control</h2>
<ul class="legend"><li class="fail">FAIL</li><li class="error">ERROR</li><li class="unknown">UNKNOWN</li><li class="manual">MANUAL</li><li class="waived">WAIVED</li><li class="pass">PASS</li></ul>
{{template "chart" .ControlChart}}
<h2>Results per account and region</h2>
{{if .GroupChart.Bars}}{{template "chart" .GroupChart}}{{else}}<p class="muted">No results.</p>{{end}}
</section>
<section id="fixes">
<h2>How to fix</h2>
{{if not .Fixes}}<p class="muted">Nothing fails{{if .WaivedFailures}} that is not waived{{end}}.</p>{{end}}
{{if .WaivedFailures}}<p class="muted">{{.WaivedFailures}}</p>{{end}}
{{range .Fixes}}<h3>{{.Control}} {{.Title}}</h3>
{{range .Fixes}}<article class="fix">
<h4>{{.Resource}}{{if eq .Baseline "new"}} <span class="v-fail">(new)</span>{{end}}</h4>
<dl>{{if .Location}}<dt>Location</dt><dd><code>{{.Location}}</code></dd>{{end}}<dt>Reason</dt><dd>{{.Reason}}</dd></dl>
{{if .Remediation}}<div>Remediation</div><pre>{{.Remediation}}</pre>{{end}}
{{if .GuardedFix}}<div>Guarded fix (checks safety first)</div><pre>{{.GuardedFix}}</pre>{{end}}
{{if .Edit}}<div>Suggested edit (<code>eksguard iac --format patch</code> writes it as a diff)</div><pre>{{.Edit}}</pre>{{end}}
</article>
{{end}}{{end}}
</section>
<section id="all">
<h2>All results</h2>
<div class="scroll">
<table id="results">
<thead><tr>{{range .Columns}}<th scope="col" data-col="{{.Key}}" aria-sort="none"><button type="button">{{.Label}}</button></th>{{end}}</tr></thead>
<tbody>{{range .Rows}}
<tr class="{{.Class}}"><td>{{.Status}}</td><td title="{{.Title}}">{{.Control}}</td><td>{{.Severity}}</td><td>{{.Resource}}</td><td>{{.Account}}</td><td>{{.Region}}</td><td>{{.Location}}</td><td>{{.Reason}}</td><td>{{.Waived}}</td><td>{{.Baseline}}</td></tr>{{end}}
</tbody>
</table>
</div>
{{if not .Rows}}<p class="muted">No results: nothing was evaluated.</p>{{end}}
</section>
{{if .Problems}}<section id="problems">
<h2>Input problems</h2>
<ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul>
</section>{{end}}
{{if .Skipped}}<section id="skipped">
<h2>Skipped on purpose</h2>
<ul>{{range .Skipped}}<li>{{.}}</li>{{end}}</ul>
</section>{{end}}
{{if or .Expired .Stale}}<section id="waivers">
<h2>Waivers to review</h2>
<ul>{{range .Expired}}<li><b>expired</b> {{.}}</li>{{end}}{{range .Stale}}<li><b>stale</b> {{.}}</li>{{end}}</ul>
</section>{{end}}
{{if .Fixed}}<section id="fixed">
<h2>Fixed since the baseline</h2>
<ul>{{range .Fixed}}<li>{{.}}</li>{{end}}</ul>
</section>{{end}}
</main>
<script type="application/json" id="eksguard-data">{{.Data}}</script>
<script>{{.Script}}</script>
</body>
</html>
{{define "chart"}}<svg class="chart" viewBox="0 0 {{.Width}} {{.Height}}" role="img" xmlns="http://www.w3.org/2000/svg">{{range .Bars}}
<g><title>{{.Tip}}</title><text x="0" y="{{.TextY}}">{{.Label}}</text>{{range .Segs}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="16"></rect>{{end}}<text x="{{.EndX}}" y="{{.TextY}}">{{.Total}}</text></g>{{end}}
</svg>{{end}}
`))
