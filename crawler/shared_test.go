package crawler_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/frontier"
	"github.com/newsmon/newsmon/internal/testsite"
)

// sharedFrontier opens the Redis of NEWSMON_TEST_REDIS under a key prefix
// of the test's own, or skips the test.
func sharedFrontier(t *testing.T) *frontier.Redis {
	t.Helper()
	u := os.Getenv("NEWSMON_TEST_REDIS")
	if u == "" {
		t.Skip("NEWSMON_TEST_REDIS not set (e.g. redis://127.0.0.1:6379/0): shared-frontier tests skipped")
	}
	r, err := frontier.Open(context.Background(), u, fmt.Sprintf("newsmon-test-%x:", rand.Uint64()), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.DeleteAll(context.Background())
		r.Close()
	})
	return r
}

// checkSpacing fails the test for two requests to one host, by any
// crawler, closer than the host's delay, as the server's own log saw them.
func checkSpacing(t *testing.T, site *testsite.Site, delay time.Duration) {
	t.Helper()
	bad, summary := testsite.SpacingViolations(site.Requests(), func(host string) time.Duration {
		return max(site.CrawlDelay(host), delay)
	})
	for _, v := range bad {
		t.Error(v)
	}
	for _, l := range summary {
		t.Log(l)
	}
}

func TestSharedFrontierCrawlsEachArticleOnceAcrossCrawlers(t *testing.T) {
	fr := sharedFrontier(t)
	h := newHarness(t)
	h.cfg.Crawler.Delay = newsmon.Duration(60 * time.Millisecond)
	sources := make([]*newsmon.Source, len(h.cfg.Sources))
	for i := range h.cfg.Sources {
		sources[i] = &h.cfg.Sources[i]
	}
	ex, err := extract.New(h.cfg.Topics, h.cfg.Parties...)
	if err != nil {
		t.Fatal(err)
	}
	// Three crawlers, each with its own transport and user agent, one
	// store: as three processes would be, but in one for speed.
	const crawlers = 3
	sums := make([][]crawler.Summary, crawlers)
	var wg sync.WaitGroup
	for i := range crawlers {
		cfg := h.cfg.Crawler
		cfg.UserAgent = fmt.Sprintf("newsmon/1.0 (test crawler %d)", i)
		cr := crawler.NewShared(cfg, h.store, ex, nil, crawler.Shared{Frontier: fr, Gate: fr, Locker: fr, Lease: 2 * time.Second})
		wg.Go(func() {
			s, err := cr.RunAll(context.Background(), sources, len(sources))
			if err != nil {
				t.Errorf("crawler %d: %v", i, err)
			}
			sums[i] = s
		})
	}
	wg.Wait()

	// Each source was run by one crawler and helped by the others.
	for j, src := range sources {
		runners := 0
		for i := range crawlers {
			s := sums[i][j]
			if !s.Helper {
				runners++
				t.Logf("%s run by crawler %d: %+v", src.Name, i, s)
			}
		}
		if runners != 1 {
			t.Errorf("%s: run by %d crawlers, want 1", src.Name, runners)
		}
	}

	want := h.site.Expected()
	got := h.stored(t)
	if len(got) != len(want) {
		t.Errorf("stored %d articles, want %d", len(got), len(want))
	}
	for _, w := range want {
		if _, err := h.store.FindArticleByURL(context.Background(), w.URL); err != nil {
			t.Errorf("%s: not stored: %v", w.URL, err)
		}
	}
	// Every article page was fetched once, by whichever crawler (the
	// article that answers 500 once is asked again by the same crawler's
	// transport, which is a retry, not a second fetch).
	fetched := map[string][]string{}
	for _, r := range h.site.Requests() {
		if r.Status < 500 {
			fetched[r.Host+r.Path] = append(fetched[r.Host+r.Path], r.UserAgent)
		}
	}
	for _, w := range want {
		key := strings.TrimPrefix(w.URL, "http://")
		if n := len(fetched[key]); n != 1 {
			t.Errorf("%s fetched %d times: %v", w.URL, n, fetched[key])
		}
	}
	checkSpacing(t, h.site, time.Duration(h.cfg.Crawler.Delay))

	// The run records count what every crawler did for the run.
	ctx := context.Background()
	newArticles := 0
	for _, src := range sources {
		runs, err := h.store.FindRuns(ctx, newsmon.RunFilter{Source: src.Name})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Status != newsmon.RunDone {
			t.Errorf("%s: runs %+v, want one done", src.Name, runs)
			continue
		}
		newArticles += runs[0].New
	}
	if newArticles != len(want) {
		t.Errorf("run records count %d new articles, want %d", newArticles, len(want))
	}
	// The work was shared: more than one user agent fetched articles.
	agents := map[string]bool{}
	for _, w := range want {
		for _, ua := range fetched[strings.TrimPrefix(w.URL, "http://")] {
			agents[ua] = true
		}
	}
	if len(agents) < 2 {
		t.Errorf("articles fetched by %d crawler(s) only: %v", len(agents), agents)
	}
}

func TestSharedFrontierQueueSurvivesAWorkerThatVanishes(t *testing.T) {
	fr := sharedFrontier(t)
	h := newHarness(t)
	src := &h.cfg.Sources[0]
	ex, err := extract.New(h.cfg.Topics, h.cfg.Parties...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A run's jobs, and a worker that leased two of them and vanished.
	urls := []string{}
	for _, w := range h.site.Expected() {
		if w.Source == src.Name {
			urls = append(urls, w.URL)
		}
	}
	sort.Strings(urls)
	urls = urls[:5]
	var jobs []newsmon.CrawlJob
	for _, u := range urls {
		jobs = append(jobs, newsmon.CrawlJob{Run: "dead-run", Source: src.Name, URL: u})
	}
	if n, err := fr.Push(ctx, jobs); err != nil || n != len(jobs) {
		t.Fatalf("push: %d %v", n, err)
	}
	for range 2 {
		if l, err := fr.Pop(ctx, []string{src.Name}, 300*time.Millisecond); err != nil || l == nil {
			t.Fatalf("pop: %v %v", l, err)
		}
	}
	// A daemon's workers take over: every job is done once the dead
	// worker's leases expire.
	cr := crawler.NewShared(h.cfg.Crawler, h.store, ex, nil, crawler.Shared{Frontier: fr, Gate: fr, Locker: fr, Lease: time.Second})
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		cr.Work(wctx, []*newsmon.Source{src})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := fr.Pending(ctx, src.Name)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still pending", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	for _, u := range urls {
		if _, err := h.store.FindArticleByURL(ctx, u); err != nil {
			t.Errorf("%s: not stored: %v", u, err)
		}
	}
	tally, err := fr.Tally(ctx, "dead-run")
	if err != nil || tally["new"] != len(urls) {
		t.Errorf("tally of the dead run %v %v, want new=%d", tally, err, len(urls))
	}
}

func TestTransportsSharingAGateKeepTheDelayTogether(t *testing.T) {
	fr := sharedFrontier(t)
	var mu sync.Mutex
	var arrivals []time.Time
	retryAfterSent := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		first503 := r.URL.Path == "/busy" && !retryAfterSent
		if first503 {
			retryAfterSent = true
		}
		mu.Unlock()
		if first503 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>ok</body></html>")
	}))
	defer srv.Close()
	const delay = 50 * time.Millisecond
	var ts []*crawler.Transport
	for i := range 3 {
		ts = append(ts, crawler.NewTransport(crawler.TransportOptions{
			UserAgent: fmt.Sprintf("newsmon/1.0 (transport %d)", i), Delay: delay, Parallelism: 2,
			IgnoreRobots: true, Gate: fr,
		}))
	}
	get := func(tr *crawler.Transport, path string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
	}
	var wg sync.WaitGroup
	for _, tr := range ts {
		wg.Go(func() {
			for i := range 4 {
				get(tr, fmt.Sprintf("/page/%d", i))
			}
		})
	}
	wg.Wait()
	mu.Lock()
	if len(arrivals) != 12 {
		t.Errorf("%d requests, want 12", len(arrivals))
	}
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	for i := 1; i < len(arrivals); i++ {
		// Far below the delay: without the gate the three transports
		// would send at once.
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < delay-15*time.Millisecond {
			t.Errorf("requests %d and %d of three transports %v apart, delay %v", i-1, i, gap, delay)
		}
	}
	// A Retry-After one transport receives keeps the others off the host.
	arrivals = nil
	mu.Unlock()
	get(ts[0], "/busy") // answers 503, Retry-After: 1 (no retries configured)
	start := time.Now()
	get(ts[1], "/page/after")
	if waited := time.Since(start); waited < 800*time.Millisecond {
		t.Errorf("another transport asked the host again after %v, within its Retry-After of 1s", waited)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 2 {
		t.Errorf("%d requests after the reset, want 2", len(arrivals))
	}
	for _, tr := range ts {
		if s := tr.Stats(); s.GateErrors != 0 {
			t.Errorf("gate errors: %+v", s)
		}
	}
}
