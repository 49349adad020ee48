package render

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/finding"
)

var (
	htmlTag     = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-:]+(?:="[^"]*")?)*)\s*/?>`)
	htmlAttr    = regexp.MustCompile(`([a-zA-Z-:]+)(?:="([^"]*)")?`)
	htmlStyle   = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	htmlScripts = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)
	// Attributes the page may use: none of them loads anything.
	htmlAllowedAttrs = map[string]bool{
		"lang": true, "charset": true, "http-equiv": true, "content": true, "name": true, "class": true, "id": true,
		"viewBox": true, "role": true, "xmlns": true, "x": true, "y": true, "width": true, "height": true, "title": true,
		"scope": true, "data-col": true, "aria-sort": true, "type": true,
	}
)

// checkHTMLSelfContained asserts that a page loads nothing and runs only its own script: every tag
// and attribute is one the page is known to use, the policy forbids loads, and its hashes are those
// of the inline style and script.
func checkHTMLSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, m := range htmlTag.FindAllStringSubmatch(page, -1) {
		for _, a := range htmlAttr.FindAllStringSubmatch(m[2], -1) {
			if !htmlAllowedAttrs[a[1]] {
				t.Errorf("<%s> has attribute %s", m[1], a[1])
			}
			if a[1] == "xmlns" && a[2] != "http://www.w3.org/2000/svg" {
				t.Errorf("xmlns = %q", a[2])
			}
		}
		switch strings.ToLower(m[1]) {
		case "img", "iframe", "object", "embed", "link", "base", "form", "audio", "video", "source", "image", "use", "foreignobject":
			t.Errorf("a <%s> element", m[1])
		}
	}
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindAllStringSubmatch(page, -1)
	if len(csp) != 1 {
		t.Fatalf("%d policy elements", len(csp))
	}
	policy := html.UnescapeString(csp[0][1])
	styles := htmlStyle.FindAllStringSubmatch(page, -1)
	scripts := htmlScripts.FindAllStringSubmatch(page, -1)
	if len(styles) != 1 || len(scripts) != 2 {
		t.Fatalf("%d style and %d script elements, want 1 and 2", len(styles), len(scripts))
	}
	if scripts[0][1] != ` type="application/json" id="eksguard-data"` || scripts[1][1] != "" {
		t.Errorf("script elements %q and %q", scripts[0][1], scripts[1][1])
	}
	for _, want := range []string{
		"default-src 'none'", "base-uri 'none'", "form-action 'none'",
		"style-src " + htmlCSPHash(styles[0][1]) + ";", "script-src " + htmlCSPHash(scripts[1][2]) + ";",
	} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %q", policy, want)
		}
	}
	if strings.Contains(policy, "unsafe") || strings.Contains(policy, "http") || strings.Contains(policy, "*") {
		t.Errorf("policy allows too much: %q", policy)
	}
	if css := styles[0][1]; strings.Contains(css, "url(") || strings.Contains(css, "@import") || strings.Contains(css, "@font-face") {
		t.Error("the style sheet loads something")
	}
	if js := scripts[1][2]; regexp.MustCompile(`fetch|XMLHttpRequest|import\(|eval|innerHTML|src|href|location|document\.write`).MatchString(js) {
		t.Error("the script can load, evaluate or write markup")
	}
	// The data cannot end its element: json.Marshal writes <, > and & as \u escapes.
	if data := scripts[0][2]; strings.ContainsAny(data, "<>&") {
		t.Error("the page's data holds <, > or &")
	}
}

func pageData(t *testing.T, page string) (cols []string, keys [][]any) {
	t.Helper()
	var d struct {
		Columns []string `json:"columns"`
		Keys    [][]any  `json:"keys"`
	}
	m := htmlScripts.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no data")
	}
	if err := json.Unmarshal([]byte(m[2]), &d); err != nil {
		t.Fatalf("the page's data is not JSON: %v", err)
	}
	return d.Columns, d.Keys
}

func TestHTMLSelfContained(t *testing.T) {
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
			page := string(render(t, "html", Options{Command: "scan"}, tt.report))
			checkHTMLSelfContained(t, page)
			cols, keys := pageData(t, page)
			if len(cols) != len(htmlColumns) || len(keys) != len(tt.report.Results) {
				t.Errorf("data has %d columns and %d rows, want %d and %d", len(cols), len(keys), len(htmlColumns), len(tt.report.Results))
			}
			for i, k := range keys {
				if len(k) != len(cols) {
					t.Errorf("row %d has %d keys", i, len(k))
				}
			}
			rows := strings.Count(page, "\n<tr class=")
			if rows != len(tt.report.Results) {
				t.Errorf("%d table rows for %d results", rows, len(tt.report.Results))
			}
			if len(tt.report.Results) == 0 && !strings.Contains(page, "No results: nothing was evaluated.") {
				t.Error("an empty report does not say so")
			}
		})
	}
}

// TestHTMLHostile: hostile text is escaped text everywhere it appears, and the data gives it back.
func TestHTMLHostile(t *testing.T) {
	rep := reviewReport()
	page := string(render(t, "html", Options{}, rep))
	for _, bad := range []string{"<img", "<script>alert", "</script><script>", "<b>ok", "<b>x", "<x>", "\x1b", "\x00", "\u202e", "\xff"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{
		"evil &lt;img src=x onerror=alert(1)&gt; | `tick` &#34;q&#34; &#39;a&#39;",
		`\x1b[31mred\x1b[0m \u202eevil ünïcødé 名前 &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;`,
		"SEC-42 &lt;b&gt;ok&lt;/b&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	_, keys := pageData(t, page)
	found := false
	for i, k := range keys {
		if rep.Results[i].Resource.Name == hostileName {
			found = true
			// The key is the text the cell shows, so the order matches what the reader sees.
			if k[3] != escape.Text(resourceIdentity(rep.Results[i].Resource)) {
				t.Errorf("sort key %q", k[3])
			}
		}
	}
	if !found {
		t.Error("no data row for the hostile cluster")
	}
}

// TestHTMLReadableWithoutScript: the table is in report order, with every column, before any script
// runs; the fixes list every failure that counts.
func TestHTMLReadableWithoutScript(t *testing.T) {
	rep := sampleReport()
	page := string(render(t, "html", Options{Command: "scan"}, rep))
	first := regexp.MustCompile(`\n<tr class="[a-z]+"><td>([A-Z]+)</td><td title="[^"]*">([0-9.]+)</td><td>[a-z]*</td><td>([^<]*)</td>`).FindAllStringSubmatch(page, -1)
	if len(first) != len(rep.Results) {
		t.Fatalf("%d rows parsed", len(first))
	}
	for i, m := range first {
		res := rep.Results[i]
		if m[1] != string(res.Status) || m[2] != res.Control || html.UnescapeString(m[3]) != resourceIdentity(res.Resource) {
			t.Errorf("row %d = %v, want %s %s %s", i, m[1:], res.Status, res.Control, resourceIdentity(res.Resource))
		}
	}
	if n := strings.Count(page, `<article class="fix">`); n != finding.Count(rep.Results)[finding.Fail] {
		t.Errorf("%d fixes for %d failures", n, finding.Count(rep.Results)[finding.Fail])
	}
	for _, want := range []string{
		`<li class="fail" id="count-fail"><b>7</b>FAIL</li>`, `<li class="waived" id="count-waived"><b>0</b>WAIVED</li>`,
		`<p class="verdict v-fail" id="verdict">7 failing, 5 ERROR, 2 UNKNOWN</p>`,
		"<pre>eksguard fix --cluster open --region us-east-1 --private</pre>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func TestHTMLCharts(t *testing.T) {
	page := string(render(t, "html", Options{}, sampleReport()))
	// One bar per evaluated control, one per account and region.
	if n := strings.Count(page, "<g><title>"); n != 5+2 {
		t.Errorf("%d bars, want 5 controls and 2 regions", n)
	}
	if !strings.Contains(page, "<title>111111111111 eu-west-1: 5 ERROR</title>") {
		t.Error("the region that could not be read has no bar of its own")
	}
	// Bars scale to the longest, which fills the area.
	c := htmlBars([]string{"a", "b", "c"}, []string{"a", "b", "c"},
		[]htmlTally{{finding.Pass: 10}, {finding.Fail: 1, finding.Pass: 4}, {}}, 100)
	end := func(b htmlBar) int {
		if len(b.Segs) == 0 {
			return 100
		}
		s := b.Segs[len(b.Segs)-1]
		return s.X + s.W
	}
	if end(c.Bars[0]) != 100+chartBarArea || end(c.Bars[1]) != 100+chartBarArea/2 || len(c.Bars[2].Segs) != 0 {
		t.Errorf("bars end at %d, %d, %d", end(c.Bars[0]), end(c.Bars[1]), end(c.Bars[2]))
	}
	if c.Bars[1].Segs[0].Class != "fail" || c.Bars[2].Tip != "c: no results" {
		t.Errorf("bar b = %+v, bar c = %+v", c.Bars[1], c.Bars[2])
	}
}

// TestHTMLGroupChartBounded: a fleet of accounts draws at most chartMaxBars bars, keeping those with
// the most to look at, the rest as one.
func TestHTMLGroupChartBounded(t *testing.T) {
	r := emptyReport()
	for i := 0; i < 100; i++ {
		st := finding.Pass
		if i%10 == 0 {
			st = finding.Fail
		}
		r.Results = append(r.Results, finding.Result{Control: "5.4.1", Status: st,
			Resource: finding.Resource{Type: finding.ResourceCluster, Name: "c", Account: fmt.Sprintf("%012d", i), Region: "us-east-1"}})
	}
	c := htmlGroupChart(r)
	if len(c.Bars) != chartMaxBars {
		t.Fatalf("%d bars", len(c.Bars))
	}
	last := c.Bars[len(c.Bars)-1]
	if last.Label != "61 more" || last.Total != 61 {
		t.Errorf("last bar = %+v", last)
	}
	fails := 0
	for _, b := range c.Bars[:len(c.Bars)-1] {
		for _, s := range b.Segs {
			if s.Class == "fail" {
				fails += s.N
			}
		}
	}
	if fails != 10 {
		t.Errorf("%d of the 10 accounts with a failure have a bar of their own", fails)
	}
}
