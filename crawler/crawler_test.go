package crawler_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/sqlite"
)

// harness is a crawler over the simulated outlets into a real SQLite file,
// with the shipped topic dictionaries.
type harness struct {
	site  *testsite.Site
	cfg   *newsmon.Config
	store newsmon.Store
	cr    *crawler.Crawler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	shipped, err := newsmon.Load("../config.toml")
	if err != nil {
		t.Fatalf("load shipped config: %v", err)
	}
	site := testsite.Start()
	t.Cleanup(site.Close)
	cfg := newsmon.DefaultConfig()
	cfg.Topics = shipped.Topics
	cfg.Parties = shipped.Parties
	cfg.Sources = site.Sources()
	cfg.Crawler.Delay = newsmon.Duration(10 * time.Millisecond)
	cfg.Crawler.Timeout = newsmon.Duration(5 * time.Second)
	cfg.Crawler.Retries = 2
	cfg.Crawler.MaxBody = 2 << 20
	if err := cfg.Validate(); err != nil {
		t.Fatalf("testsite sources do not validate: %v", err)
	}
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "newsmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{site: site, cfg: &cfg, store: st, cr: crawler.New(cfg.Crawler, st, ex, nil)}
}

func (h *harness) crawlAll(t *testing.T) map[string]crawler.Summary {
	t.Helper()
	sums := map[string]crawler.Summary{}
	for i := range h.cfg.Sources {
		src := &h.cfg.Sources[i]
		sum, err := h.cr.Run(context.Background(), src)
		if err != nil {
			t.Fatalf("crawl %s: %v", src.Name, err)
		}
		t.Logf("%s: %+v", src.Name, sum)
		sums[src.Name] = sum
	}
	return sums
}

func (h *harness) stored(t *testing.T) []*newsmon.Article {
	t.Helper()
	var all []*newsmon.Article
	err := h.store.ExportArticles(context.Background(), newsmon.ExportFilter{}, func(a *newsmon.Article) error {
		all = append(all, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestCrawlStoresEveryArticleOnceAndRight(t *testing.T) {
	h := newHarness(t)
	h.crawlAll(t)
	ctx := context.Background()

	want := h.site.Expected()
	if len(want) < 30 {
		t.Fatalf("testsite has only %d articles", len(want))
	}
	got := h.stored(t)
	if len(got) != len(want) {
		var urls []string
		for _, a := range got {
			urls = append(urls, a.CanonicalURL)
		}
		sort.Strings(urls)
		t.Errorf("stored %d articles, want %d; stored:\n%s", len(got), len(want), strings.Join(urls, "\n"))
	}
	for _, w := range want {
		a, err := h.store.FindArticleByURL(ctx, w.URL)
		if err != nil {
			t.Errorf("%s: not stored: %v", w.URL, err)
			continue
		}
		if a.CanonicalURL != w.URL {
			t.Errorf("%s: stored under %s", w.URL, a.CanonicalURL)
		}
		if a.Source != w.Source {
			t.Errorf("%s: source %q, want %q", w.URL, a.Source, w.Source)
		}
		if a.Title != w.Title {
			t.Errorf("%s: title %q, want %q", w.URL, a.Title, w.Title)
		}
		if a.Author != w.Author {
			t.Errorf("%s: author %q, want %q", w.URL, a.Author, w.Author)
		}
		if !samePublished(a, w, h.cfg.FindSource(w.Source)) {
			t.Errorf("%s: published %v (%s), want %v", w.URL, a.Published, a.PublishedSource, w.Published)
		}
		if !slices.Equal(a.Topics, w.Topics) {
			t.Errorf("%s: topics %v, want %v", w.URL, a.Topics, w.Topics)
		}
		if w.Language != "" && a.Language != w.Language {
			t.Errorf("%s: language %q, want %q", w.URL, a.Language, w.Language)
		}
		if strings.ContainsRune(a.Text, '\uFFFD') || strings.Contains(a.Text, "Ð") {
			t.Errorf("%s: text badly decoded: %.120q", w.URL, a.Text)
		}
	}
}

func TestCrawlIsPolite(t *testing.T) {
	h := newHarness(t)
	h.crawlAll(t)
	reqs := h.site.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request logged")
	}
	byHost := map[string][]testsite.Request{}
	robots := map[string]bool{}
	for _, r := range reqs {
		if h.site.Forbidden(r.Host, r.Path) {
			t.Errorf("requested %s%s, which robots.txt disallows", r.Host, r.Path)
		}
		if !strings.HasPrefix(r.UserAgent, "newsmon/") {
			t.Errorf("request %s%s with User-Agent %q", r.Host, r.Path, r.UserAgent)
		}
		if r.Path == "/robots.txt" {
			robots[r.Host] = true
		}
		if strings.HasPrefix(r.Path, "/calendar/") {
			t.Errorf("followed the calendar trap: %s", r.Path)
		}
		byHost[r.Host] = append(byHost[r.Host], r)
	}
	for host, rs := range byHost {
		if !robots[host] {
			t.Errorf("%s: robots.txt never requested", host)
		}
		delay := max(h.site.CrawlDelay(host), time.Duration(h.cfg.Crawler.Delay))
		// Arrival times are taken by the server: the first request on a
		// connection arrives later by the TCP handshake, and a loaded
		// machine adds scheduling noise. The slack stays far below the
		// delay: without Crawl-delay the gaps would be 10 ms.
		const slack = 40 * time.Millisecond
		for i := 1; i < len(rs); i++ {
			if gap := rs[i].Time.Sub(rs[i-1].Time); gap < delay-slack {
				t.Errorf("%s: requests %s and %s only %v apart, delay %v", host, rs[i-1].Path, rs[i].Path, gap, delay)
			}
		}
	}
	// The junk is requested at most once a run (nothing retries a PDF, a
	// 20 MB page or a loop), or not at all, and stored as nothing.
	junk := map[string]int{}
	for _, r := range reqs {
		switch p := r.Path; {
		case strings.HasSuffix(p, ".pdf"):
			junk["pdf"]++
		case strings.Contains(p, "full-transcript"), strings.Contains(p, "loop-"), strings.Contains(p, "deleted-story"):
			junk[p]++
		}
	}
	if junk["pdf"] > 0 {
		t.Errorf("requested a PDF %d times", junk["pdf"])
	}
	for p, n := range junk {
		if p != "pdf" && n > 1 {
			t.Errorf("%s requested %d times in one run", p, n)
		}
	}
	if len(junk) < 3 {
		t.Errorf("the junk links were not tried at all (%v): is the testsite still linking them?", junk)
	}
	for _, a := range h.stored(t) {
		u, _ := url.Parse(a.CanonicalURL)
		if strings.HasSuffix(u.Path, ".pdf") || strings.Contains(u.Path, "calendar") || strings.Contains(u.Path, "private") {
			t.Errorf("junk stored as an article: %s", a.CanonicalURL)
		}
	}
}

func TestCrawlIsIncremental(t *testing.T) {
	h := newHarness(t)
	h.crawlAll(t)
	ctx := context.Background()
	before := map[string]bool{}
	for _, a := range h.stored(t) {
		before[a.CanonicalURL] = true
	}
	articlePath := func(r testsite.Request) string {
		for _, w := range h.site.Expected() {
			u, _ := url.Parse(w.URL)
			if u.Host == r.Host && u.RequestURI() == r.Path {
				return w.URL
			}
		}
		return ""
	}

	// Nothing changed: no article is fetched again, discovery is
	// conditional.
	h.site.ResetLog()
	sums := h.crawlAll(t)
	for _, r := range h.site.Requests() {
		if u := articlePath(r); u != "" {
			t.Errorf("second crawl fetched unchanged article %s", u)
		}
	}
	for name, s := range sums {
		if s.New != 0 || s.Updated != 0 {
			t.Errorf("%s: second crawl found %d new, %d updated; nothing changed", name, s.New, s.Updated)
		}
	}
	conditional := 0
	for _, r := range h.site.Requests() {
		if r.IfNoneMatch != "" || r.IfModifiedSince != "" {
			conditional++
			if r.Status != 304 {
				t.Errorf("conditional GET of unchanged %s%s answered %d", r.Host, r.Path, r.Status)
			}
		}
	}
	if conditional == 0 {
		t.Error("second crawl sent no conditional GET")
	}

	// New articles and a changed one.
	oldWant := map[string]testsite.Article{}
	textBefore, idBefore := map[string]string{}, map[string]int64{}
	for _, w := range h.site.Expected() {
		oldWant[w.URL] = w
		if a, err := h.store.FindArticleByURL(ctx, w.URL); err == nil {
			textBefore[w.URL], idBefore[w.URL] = a.Text, a.ID
		}
	}
	h.site.Update()
	h.site.ResetLog()
	h.crawlAll(t)
	var added []string
	for _, w := range h.site.Expected() {
		if _, ok := oldWant[w.URL]; !ok {
			added = append(added, w.URL)
			if _, err := h.store.FindArticleByURL(ctx, w.URL); err != nil {
				t.Errorf("new article %s not stored: %v", w.URL, err)
			}
		}
	}
	if len(added) < 3 {
		t.Errorf("Update added %d articles, want 3", len(added))
	}
	fetched := map[string]bool{}
	for _, r := range h.site.Requests() {
		if u := articlePath(r); u != "" {
			fetched[u] = true
		}
	}
	changed := 0
	for u := range fetched {
		if _, isNew := oldWant[u]; !isNew {
			continue
		}
		a, err := h.store.FindArticleByURL(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if a.Modified == nil {
			t.Errorf("refetched %s but it has no modified time", u)
		}
		if a.Text == textBefore[u] {
			t.Errorf("refetched %s but its stored text did not change", u)
		}
		if a.ID != idBefore[u] {
			t.Errorf("changed article %s stored as a new article (id %d, was %d)", u, a.ID, idBefore[u])
		}
		changed++
	}
	if changed != 1 {
		t.Errorf("third crawl refetched %d known articles, want exactly the changed one", changed)
	}
	if got, want := len(h.stored(t)), len(h.site.Expected()); got != want {
		t.Errorf("after update: %d articles stored, want %d", got, want)
	}
}

func TestSearchFindsSeedArticle(t *testing.T) {
	h := newHarness(t)
	h.crawlAll(t)
	ctx := context.Background()
	var seed string
	for _, w := range h.site.Expected() {
		if w.Author == "Fuad Shahbazov" {
			seed = w.URL
		}
	}
	if seed == "" {
		t.Fatal("testsite has no seed article")
	}
	for _, q := range []string{"Middle Corridor", "BTC", "investment fund"} {
		res, err := h.store.SearchArticles(ctx, newsmon.SearchFilter{Query: q, Limit: 50})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		found := false
		for _, r := range res.Results {
			if r.URL == seed || strings.TrimSuffix(r.URL, "/") == strings.TrimSuffix(seed, "/") {
				found = true
				if !strings.Contains(r.Snippet, "<mark>") {
					t.Errorf("search %q: snippet without marks: %q", q, r.Snippet)
				}
			}
		}
		if !found {
			t.Errorf("search %q: seed article not among the %d results", q, res.Total)
		}
	}
	a, err := h.store.FindArticleByURL(ctx, seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"agreement", "corridor", "pipeline"} {
		if !slices.Contains(a.Topics, topic) {
			t.Errorf("seed article topics %v lack %s", a.Topics, topic)
		}
	}
}

// samePublished reports whether the stored publication time is the true
// one, or, for a page that shows only the day, that day in the outlet's
// time zone.
func samePublished(a *newsmon.Article, w testsite.Article, src *newsmon.Source) bool {
	if a.Published == nil {
		return false
	}
	if a.Published.Equal(w.Published) {
		return true
	}
	if !w.DayOnly || src == nil {
		return false
	}
	loc, err := time.LoadLocation(src.Timezone)
	if err != nil {
		return false
	}
	return a.Published.In(loc).Format("2006-01-02") == w.Published.In(loc).Format("2006-01-02")
}

func TestCrawlUnreachableHostIsReportedAsSuch(t *testing.T) {
	h := newHarness(t)
	// A port nothing listens on: take one and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	src := newsmon.Source{Name: "gone", URL: "http://" + addr + "/", Feeds: []string{"http://" + addr + "/feed/"}}
	cfg := newsmon.DefaultConfig()
	cfg.Sources = []newsmon.Source{src}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	sum, err := h.cr.Run(context.Background(), &cfg.Sources[0])
	if err != nil {
		t.Fatal(err)
	}
	if sum.ErrorKinds["unreachable"] != 1 || sum.Errors != 1 {
		t.Errorf("summary %+v: want one unreachable error", sum)
	}
}

// TestCrawlResumesAfterInterruption cuts a crawl short at several points
// and checks that the next run stores everything exactly once, and that a
// run cut short keeps no validators of feeds or sitemaps (or the next run
// would take them as unchanged and skip what they list).
func TestCrawlResumesAfterInterruption(t *testing.T) {
	for _, after := range []int{1, 7} {
		t.Run(fmt.Sprintf("after %d articles", after), func(t *testing.T) {
			h := newHarness(t)
			src := &h.cfg.Sources[0] // the newsroom: feed, sitemaps, listings
			ctx, cancel := context.WithCancel(context.Background())
			h.cr.Progress = func(s crawler.Summary) {
				if s.Done >= after {
					cancel()
				}
			}
			sum, err := h.cr.Run(ctx, src)
			if err == nil || sum.Cut == "" {
				t.Fatalf("interrupted run: err %v, cut %q", err, sum.Cut)
			}
			h.cr.Progress = nil
			h.site.ResetLog()
			if _, err := h.cr.Run(context.Background(), src); err != nil {
				t.Fatal(err)
			}
			for _, r := range h.site.Requests() {
				if (r.Path == "/feed/" || strings.Contains(r.Path, "sitemap")) && (r.IfNoneMatch != "" || r.IfModifiedSince != "") {
					t.Errorf("after an interrupted run, %s was asked conditionally", r.Path)
				}
			}
			stored := map[string]int{}
			for _, a := range h.stored(t) {
				stored[a.CanonicalURL]++
			}
			for _, w := range h.site.Expected() {
				if w.Source != src.Name {
					continue
				}
				if stored[w.URL] != 1 {
					t.Errorf("%s stored %d times", w.URL, stored[w.URL])
				}
			}
		})
	}
}

// TestPolitenessHoldsAcrossSourcesOfOneHost runs two sources of one host
// at once, as the daemon may: together they still keep the host's delay.
func TestPolitenessHoldsAcrossSourcesOfOneHost(t *testing.T) {
	h := newHarness(t)
	news := h.cfg.Sources[0]
	twin := news
	twin.Name = "newsroom-twin"
	twin.Feeds, twin.Sitemaps = nil, nil // the twin reads only the listing pages
	cfg := newsmon.DefaultConfig()
	cfg.Sources = []newsmon.Source{news, twin}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	host := ""
	if u, err := url.Parse(news.URL); err == nil {
		host = u.Host
	}
	if _, err := h.cr.RunAll(context.Background(), []*newsmon.Source{&cfg.Sources[0], &cfg.Sources[1]}, 2); err != nil {
		t.Fatal(err)
	}
	delay := h.site.CrawlDelay(host)
	var times []time.Time
	for _, r := range h.site.Requests() {
		if r.Host == host {
			times = append(times, r.Time)
		}
	}
	if len(times) < 10 {
		t.Fatalf("only %d requests to %s", len(times), host)
	}
	const slack = 40 * time.Millisecond
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < delay-slack {
			t.Errorf("requests %d and %d to %s only %v apart, Crawl-delay %v", i-1, i, host, gap, delay)
		}
	}
}

// heldLocker is a Locker whose locks another process holds while held is
// true; it counts the locks it gives out.
type heldLocker struct {
	held  bool
	given int
}

func (l *heldLocker) TryLock(ctx context.Context, name string, ttl time.Duration) (func(), bool, error) {
	if l.held {
		return nil, false, nil
	}
	l.given++
	return func() {}, true, nil
}

// With a lock and no queue (PostgreSQL's advisory locks without Redis), a
// source another process is running is left to it entirely; once the lock
// is free it is run here.
func TestRunAllWithLockOnlyLeavesATakenSourceAlone(t *testing.T) {
	h := newHarness(t)
	lk := &heldLocker{held: true}
	ex, err := extract.New(h.cfg.Topics, h.cfg.Parties...)
	if err != nil {
		t.Fatal(err)
	}
	cr := crawler.NewShared(h.cfg.Crawler, h.store, ex, nil, crawler.Shared{Locker: lk})
	src := &h.cfg.Sources[0]
	sums, err := cr.RunAll(context.Background(), []*newsmon.Source{src}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s := sums[0]; !s.Helper || s.Requests != 0 || s.New != 0 || s.Cut == "" {
		t.Fatalf("summary of a source another process runs = %+v, want helper, no requests, a cut reason", s)
	}
	if n := len(h.stored(t)); n != 0 {
		t.Fatalf("%d articles stored while another process held the source", n)
	}
	lk.held = false
	sums, err = cr.RunAll(context.Background(), []*newsmon.Source{src}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s := sums[0]; s.Helper || s.New == 0 || lk.given != 1 {
		t.Fatalf("after the lock was freed: summary %+v, locks given %d; want a run of its own with new articles", s, lk.given)
	}
}
