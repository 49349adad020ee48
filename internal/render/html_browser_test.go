package render

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/eksguard/eksguard/internal/escape"
	"github.com/eksguard/eksguard/internal/testenv"
)

// pageEvents records what a page did besides drawing itself: requests, failed loads, console
// messages, exceptions, log entries and dialogs.
type pageEvents struct {
	mu       sync.Mutex
	requests []string
	failed   []string
	console  []string
	logs     []string
	dialogs  []string
}

func (p *pageEvents) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.requests = append(p.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		p.failed = append(p.failed, fmt.Sprintf("%s (blocked: %s)", ev.ErrorText, ev.BlockedReason))
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value))
		}
		p.console = append(p.console, string(ev.Type)+": "+strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		p.console = append(p.console, "exception: "+ev.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		p.logs = append(p.logs, fmt.Sprintf("%s %s: %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text))
	case *page.EventJavascriptDialogOpening:
		p.dialogs = append(p.dialogs, string(ev.Type)+": "+ev.Message)
	}
}

func (p *pageEvents) snapshot() pageEvents {
	p.mu.Lock()
	defer p.mu.Unlock()
	return pageEvents{requests: append([]string{}, p.requests...), failed: append([]string{}, p.failed...),
		console: append([]string{}, p.console...), logs: append([]string{}, p.logs...), dialogs: append([]string{}, p.dialogs...)}
}

// startBrowser starts headless Chromium for the test and returns a context to open tabs from.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := testenv.RequireTool(t, "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // tests run as root in CI, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

// openPage writes html to a file and opens it in a new tab, recording its events from the start.
func openPage(t *testing.T, browser context.Context, html []byte) (context.Context, *pageEvents, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, html, 0o644); err != nil {
		t.Fatal(err)
	}
	ev := &pageEvents{}
	tab, cancel := chromedp.NewContext(browser, chromedp.WithListener(ev.listen))
	t.Cleanup(cancel)
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	if err := chromedp.Do(tab, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("#results"))); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	return tab, ev, u
}

func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// TestHTMLInBrowser opens a report with hostile names in headless Chromium: the page shows the
// summary, the charts' labels, the results and the fixes; a hostile name is text; sorting works;
// and the page makes no request, logs no error and throws nothing.
func TestHTMLInBrowser(t *testing.T) {
	browser := startBrowser(t)
	rep := reviewReport()
	tab, ev, pageURL := openPage(t, browser, render(t, "html", Options{Command: "scan"}, rep))

	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"eksguard report", "CIS Amazon EKS Benchmark v1.8.0", "4 failing, 1 input problem",
		"10\nPASS", "4\nFAIL", "5\nMANUAL", "1\nWAIVED",
		"5.4.1 Restrict Access to the Control Plane Endpoint",
		"222222222222 eu-central-1",
		"arn:aws:eks:eu-central-1:222222222222:cluster/payments",
		"aws eks update-cluster-config --region eu-central-1 --name payments --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false",
		"eksguard fix --cluster payments --region eu-central-1 --private",
		"+    endpoint_private_access = true # ``` </pre> |",
		"evil <img src=x onerror=alert(1)> | `tick`",
		`\x1b[31mred\x1b[0m \u202eevil ünïcødé 名前 </script><script>alert(2)</script>`,
		"waived: log pipeline moves in Q1, SEC-42 <b>ok</b> (expires 2027-03-31)",
		"Unclosed configuration block `resource` <x>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	// The hostile markup stayed text: no image, no second script ran, no dialog.
	if n := eval[int](t, tab, `document.images.length + document.querySelectorAll("iframe, object, embed, link, base, form").length`); n != 0 {
		t.Errorf("%d elements that load something", n)
	}
	if n := eval[int](t, tab, `document.scripts.length`); n != 2 {
		t.Errorf("%d script elements, want 2 (the data and the sorter)", n)
	}
	bars := eval[int](t, tab, `document.querySelectorAll("svg.chart rect").length`)
	if bars == 0 {
		t.Error("the charts have no bars")
	}

	// Sorting: by resource, ascending, then descending; by status, failures first.
	column := func(i int) []string {
		return eval[[]string](t, tab, fmt.Sprintf(`Array.from(document.querySelectorAll("#results tbody tr")).map(r => r.cells[%d].textContent)`, i))
	}
	before := column(3)
	if len(before) != len(rep.Results) {
		t.Fatalf("%d rows for %d results", len(before), len(rep.Results))
	}
	want := append([]string{}, before...)
	sort.SliceStable(want, func(i, j int) bool { return want[i] < want[j] })
	click := func(col string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`th[data-col="`+col+`"] button`))); err != nil {
			t.Fatal(err)
		}
	}
	click("resource")
	after := column(3)
	if strings.Join(after, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a click on Resource the rows are\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(after, "\n") == strings.Join(before, "\n") {
		t.Error("the click did not change the order")
	}
	if got := eval[string](t, tab, `document.querySelector('th[data-col="resource"]').getAttribute("aria-sort")`); got != "ascending" {
		t.Errorf("aria-sort = %q", got)
	}
	click("resource")
	desc := column(3)
	if desc[0] != want[len(want)-1] || desc[len(desc)-1] != want[0] {
		t.Errorf("second click: first %q, last %q; want the reverse order", desc[0], desc[len(desc)-1])
	}
	click("status")
	statuses := column(0)
	if statuses[0] != "FAIL" || statuses[len(statuses)-1] != "PASS" {
		t.Errorf("by status: %v", statuses)
	}

	got := ev.snapshot()
	for _, r := range got.requests {
		if r != pageURL {
			t.Errorf("the page requested %s", r)
		}
	}
	for _, list := range [][]string{got.failed, got.console, got.dialogs} {
		for _, e := range list {
			t.Errorf("the page reported %s", e)
		}
	}
	for _, l := range got.logs {
		if strings.HasPrefix(l, "error") || strings.HasPrefix(l, "warning") {
			t.Errorf("browser log: %s", l)
		}
	}
	// The listener saw the page's own load, so it is listening.
	if len(got.requests) != 1 {
		t.Errorf("requests %v, want only the page itself", got.requests)
	}
	// The hostile name is text, shown escaped as eksguard escapes it.
	if !strings.Contains(text, escape.Text(hostileName)) {
		t.Error("the hostile name is not shown as escaped text")
	}
}

// TestHTMLPolicyBlocksInjection adds what an escaping bug would let through (an inline script, an
// image, a style sheet and a script from a server) to a rendered page: the page's policy must stop
// every one of them, so the server hears nothing and the script never runs.
func TestHTMLPolicyBlocksInjection(t *testing.T) {
	browser := startBrowser(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	injected := `<script>document.title = "pwned"</script>` +
		`<img src="` + srv.URL + `/x.png"><link rel="stylesheet" href="` + srv.URL + `/x.css">` +
		`<script src="` + srv.URL + `/x.js"></script><iframe src="` + srv.URL + `/frame"></iframe>`
	html := strings.Replace(string(render(t, "html", Options{}, sampleReport())), "</main>", injected+"</main>", 1)
	tab, ev, _ := openPage(t, browser, []byte(html))
	if title := eval[string](t, tab, `document.title`); title == "pwned" {
		t.Error("an injected inline script ran")
	}
	// The page's own script still works under the policy.
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`th[data-col="status"] button`))); err != nil {
		t.Fatal(err)
	}
	if first := eval[string](t, tab, `document.querySelector("#results tbody tr").cells[0].textContent`); first != "FAIL" {
		t.Errorf("after sorting by status the first row is %s", first)
	}
	time.Sleep(200 * time.Millisecond) // let blocked loads report
	if n := hits.Load(); n != 0 {
		t.Errorf("the server was asked %d times", n)
	}
	got := ev.snapshot()
	violations := 0
	for _, l := range append(got.logs, got.console...) {
		if strings.Contains(l, "Content Security Policy") {
			violations++
		}
	}
	if violations == 0 {
		t.Errorf("no policy violation was reported; logs %v, console %v, failed %v", got.logs, got.console, got.failed)
	}
}
