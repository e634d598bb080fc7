package web

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// One headless Chromium serves every browser test of the binary; each test
// opens its own tab. The browser is the system's (NEWSMON_TEST_CHROMIUM,
// else chromium in PATH): nothing is downloaded.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserSkip   string
	browserErr    error
)

func closeBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
}

// tab returns a new browser tab, bounded in time; it skips the test when
// no browser is installed.
func tab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(startBrowser)
	if browserSkip != "" {
		t.Skip(browserSkip)
	}
	if browserErr != nil {
		t.Fatalf("start the browser: %v", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

func startBrowser() {
	path := os.Getenv("NEWSMON_TEST_CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			browserSkip = "no browser: set NEWSMON_TEST_CHROMIUM to a Chromium binary or put chromium in PATH"
			return
		}
	} else if _, err := os.Stat(path); err != nil {
		browserSkip = "NEWSMON_TEST_CHROMIUM=" + path + ": " + err.Error()
		return
	}
	profile, err := os.MkdirTemp("", "newsmon-chromium-")
	if err != nil {
		browserErr = err
		return
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	browserCtx = ctx
	browserCancel = func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
	}
	// The first Do starts the browser, which lives as long as its context:
	// so no timeout here. A failure is a broken install, which the tests
	// report rather than skip.
	browserErr = chromedp.Do(ctx)
}

// screenshot saves a PNG of the whole page as a test artifact, in
// NEWSMON_TEST_ARTIFACTS when set (CI uploads it), else in the test's
// temporary directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("NEWSMON_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestBrowserSearchFacetArticle(t *testing.T) {
	ctx := tab(t)
	d := theDeskFor(t)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(d.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), `"Middle Corridor"`),
		chromedp.Click(chromedp.CSS(`form.search button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.results-list .result`)),
	); err != nil {
		t.Fatalf("search: %v", err)
	}
	heading := run(t, ctx, chromedp.Text(chromedp.CSS(`#results-heading`)))
	if !strings.Contains(heading, "articles found") {
		t.Fatalf("results heading %q", heading)
	}
	if marks := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.snippet mark').length`)); marks == 0 {
		t.Error("no highlighted term in any snippet")
	}
	screenshot(t, ctx, "search")

	// The source facet narrows the results to one outlet.
	facet := run(t, ctx, chromedp.Text(chromedp.CSS(`#facet-source li:first-child .name`)))
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#facet-source li:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`#facet-source a.active`)),
	); err != nil {
		t.Fatalf("facet: %v", err)
	}
	if location := run(t, ctx, chromedp.Location()); !strings.Contains(location, "source="+facet) {
		t.Errorf("after clicking the %q facet the page is %s", facet, location)
	}
	sources := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.result .source')).map(e => e.textContent)`))
	if len(sources) == 0 {
		t.Fatal("no results after the facet")
	}
	for _, s := range sources {
		if s != facet {
			t.Errorf("result of source %q under the %q facet", s, facet)
		}
	}

	// The first result's page marks every mention with its topic.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.result h3 a`)),
		chromedp.WaitVisible(chromedp.CSS(`article.article`)),
	); err != nil {
		t.Fatalf("article: %v", err)
	}
	title := run(t, ctx, chromedp.Text(chromedp.CSS(`article.article h1`)))
	mentions := run(t, ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('.text mark.mention')).map(m => [m.dataset.topic, m.firstChild.textContent])`))
	found := false
	for _, m := range mentions {
		if len(m) == 2 && m[0] == "corridor" && strings.EqualFold(m[1], "Middle Corridor") {
			found = true
		}
	}
	if !found {
		t.Errorf("article %q: no <mark> of topic corridor on \"Middle Corridor\"; marks: %v", title, mentions)
	}
	screenshot(t, ctx, "article")

	// On a phone the page fits its width: nothing scrolls sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(d.srv.URL+"/?q=%22Middle+Corridor%22&source="+facet), chromedp.WaitVisible(chromedp.CSS(`.results-list .result`))); err != nil {
		t.Fatalf("phone: %v", err)
	}
	if overflow := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); overflow > 0 {
		t.Errorf("on a 390 px screen the search page is %d px too wide", overflow)
	}
	screenshot(t, ctx, "search-phone")
}

// run runs one browser action that returns a value, failing the test on
// error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

func TestBrowserAgreementsListSeedFund(t *testing.T) {
	ctx := tab(t)
	d := theDeskFor(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(d.srv.URL+"/agreements"),
		chromedp.WaitVisible(chromedp.CSS(`.event`)),
	); err != nil {
		t.Fatalf("agreements: %v", err)
	}
	events := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.event')).map(e => e.innerText)`))
	found := false
	for _, e := range events {
		if strings.Contains(e, "$300 million") && strings.Contains(e, "fund") &&
			strings.Contains(e, "Azerbaijan") && strings.Contains(e, "Kazakhstan") &&
			strings.Contains(e, "Strategic Partnership") {
			found = true
		}
	}
	if !found {
		t.Errorf("no event with the seed article's $300 million fund between Azerbaijan and Kazakhstan among %d:\n%s", len(events), strings.Join(events, "\n---\n"))
	}

	// The filter form narrows the list; the fund stays.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#party`), "Azerbaijan"),
		chromedp.SetValue(chromedp.CSS(`#status`), "signed"),
		chromedp.SetValue(chromedp.CSS(`#since`), "2024-04-01"),
		chromedp.SetValue(chromedp.CSS(`#until`), "2024-06-30"),
		chromedp.Click(chromedp.CSS(`form.search button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#party option[value="Azerbaijan"][selected]`)),
	); err != nil {
		t.Fatalf("agreements filter: %v", err)
	}
	filtered := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.event')).map(e => e.innerText)`))
	if len(filtered) == 0 || len(filtered) >= len(events) || !strings.Contains(strings.Join(filtered, "\n"), "$300 million") {
		t.Errorf("filtered to Azerbaijan, signed, spring 2024: %d of %d events:\n%s", len(filtered), len(events), strings.Join(filtered, "\n---\n"))
	}
	screenshot(t, ctx, "agreements")

	// The timeline and sources pages, worth a look as artifacts.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(d.srv.URL+"/timeline?q=%22Middle+Corridor%22&interval=week"),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	); err != nil {
		t.Fatalf("timeline: %v", err)
	}
	screenshot(t, ctx, "timeline")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(d.srv.URL+"/sources"),
		chromedp.WaitVisible(chromedp.CSS(`table.sources`)),
	); err != nil {
		t.Fatalf("sources: %v", err)
	}
	screenshot(t, ctx, "sources")
}

func TestBrowserHostileArticleRunsNothing(t *testing.T) {
	ctx := tab(t)
	d := theDeskFor(t)
	id := hostileArticleID(t, d)

	check := func(page, url, waitFor string) string {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(url),
			chromedp.WaitVisible(chromedp.CSS(waitFor)),
			// Give any injected handler (onerror of a broken image) the
			// chance to fire before looking.
			chromedp.Sleep(300*time.Millisecond),
		); err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if pwned := run(t, ctx, chromedp.Evaluate[string](`String(window.__pwned)`)); pwned != "undefined" {
			t.Errorf("%s: a payload ran: window.__pwned = %s", page, pwned)
		}
		// The hostile title is shown literally in the tab's title; the
		// payload would replace the whole title with "pwned".
		if title := run(t, ctx, chromedp.Title()); title == "pwned" || !strings.HasSuffix(title, "· newsmon") {
			t.Errorf("%s: a payload ran: document.title = %q", page, title)
		}
		if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('script, iframe, style, svg[onload], img, [onerror], [onmouseover], [onload]').length`)); n != 0 {
			t.Errorf("%s: %d script, iframe, style, image or handler elements in the page", page, n)
		}
		return run(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
	}

	text := check("article page", d.srv.URL+"/articles/"+id, "article.article")
	for _, literal := range []string{`<script>window.__pwned="title"</script>`, `"><svg onload="window.__pwned='svg'">`, `<script>document.title="pwned"</script>`, `{{.}}`} {
		if !strings.Contains(text, literal) {
			t.Errorf("article page does not show %q literally:\n%s", literal, text)
		}
	}
	screenshot(t, ctx, "hostile-article")
	text = check("search page", d.srv.URL+"/?q=expos%C3%A9", ".results-list .result")
	if !strings.Contains(text, `<script>window.__pwned="title"</script>`) {
		t.Errorf("search page does not show the hostile title literally:\n%s", text)
	}
	screenshot(t, ctx, "hostile-search")
	check("sources page", d.srv.URL+"/sources", "table.sources")
	check("agreements page", d.srv.URL+"/agreements?party=Azerbaijan", "main h1")
	check("timeline page", d.srv.URL+"/timeline?source=hostile", "main h1")

	resp, err := http.Get(d.srv.URL + "/articles/" + id)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}
