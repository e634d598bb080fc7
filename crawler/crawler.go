// Package crawler fetches the articles of configured sources.
//
// Discovery (RSS/Atom feeds, XML sitemaps and sitemap indexes, paginated
// listing pages), the choice of what to fetch again, URL canonicalisation
// and the guard against traps are written here by hand: they are the heart
// of the product. Fetching uses Colly (github.com/gocolly/colly/v2), a fresh
// collector per run, for its redirect handling and visited set; every
// request, redirect hops included, goes through Transport, our own
// http.RoundTripper, which obeys robots.txt as RFC 9309 reads it, spaces
// requests per host (Crawl-delay honoured), retries with backoff, refuses
// oversized and non-HTML bodies, and decodes every page to UTF-8. Feeds are
// parsed with gofeed; sitemaps, which are small XML, with encoding/xml.
//
// The crawler hands each page to a newsmon.Extractor and each article to a
// newsmon.Store; it imports neither implementation.
//
// Several processes crawl together when given a Shared frontier, host gate
// and locker (see shared.go): the run that did discovery queues its
// article jobs on the frontier, and every process's workers lease them,
// fetch, extract and store them, then take them off.
package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	newsmon "github.com/newsmon/newsmon"
)

// Crawler runs crawls of sources. One Crawler, and so one Transport, serves
// every source of a process, so that per-host limits hold across sources
// that share a host. It is safe for concurrent use.
type Crawler struct {
	cfg       newsmon.CrawlerConfig
	store     newsmon.Store
	extractor newsmon.Extractor
	log       *slog.Logger
	transport *Transport
	shared    Shared

	// Progress, when set, is called from the run's goroutines after each
	// article; it must be quick.
	Progress func(Summary)
}

// New returns a crawler with its own polite transport, for a process that
// crawls alone.
func New(cfg newsmon.CrawlerConfig, st newsmon.Store, ex newsmon.Extractor, log *slog.Logger) *Crawler {
	return NewShared(cfg, st, ex, log, Shared{})
}

// NewShared returns a crawler that shares what sh holds with other
// processes; zero fields of sh are this process's own.
func NewShared(cfg newsmon.CrawlerConfig, st newsmon.Store, ex newsmon.Extractor, log *slog.Logger, sh Shared) *Crawler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := NewTransport(TransportOptions{
		UserAgent:    cfg.UserAgent,
		Delay:        time.Duration(cfg.Delay),
		Parallelism:  cfg.Parallelism,
		Timeout:      time.Duration(cfg.Timeout),
		MaxBody:      int64(cfg.MaxBody),
		Retries:      cfg.Retries,
		IgnoreRobots: cfg.IgnoreRobots,
		Logger:       log,
		Gate:         sh.Gate,
	})
	if sh.Lease <= 0 {
		sh.Lease = defaultLease
	}
	return &Crawler{cfg: cfg, store: st, extractor: ex, log: log, transport: t, shared: sh}
}

// Summary counts what one run of one source did.
type Summary struct {
	Source     string         `json:"source"`
	Started    time.Time      `json:"started"`
	Finished   time.Time      `json:"finished"`
	Discovered int            `json:"discovered"` // article URLs found by discovery
	Queued     int            `json:"queued"`     // of those, to be fetched in this run
	Requests   int            `json:"requests"`   // pages asked for, discovery included
	New        int            `json:"new"`
	Updated    int            `json:"updated"`
	Unchanged  int            `json:"unchanged"` // fetched again, same content
	Aliases    int            `json:"aliases"`   // another URL of a stored article
	Skipped    int            `json:"skipped"`   // known and not announced as changed
	NotArticle int            `json:"not_article"`
	Errors     int            `json:"errors"`
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	Done       int            `json:"done"`                 // queued URLs handled so far
	Cut        string         `json:"cut,omitempty"`        // why the run stopped early
	Elapsed    string         `json:"elapsed,omitempty"`    // for display
	LastError  string         `json:"last_error,omitempty"` // the last error seen, for display
	// Helper is true when another process ran the source and this one
	// only helped with its queued articles: the counts are of the
	// articles this process handled.
	Helper bool `json:"helper,omitempty"`
}

// Run crawls one source once: discovery, then every article that is new or
// announced as changed, each extracted and stored as it arrives. It returns
// an error only when the run could not start or was cancelled; failures of
// single pages are counted in the summary.
func (c *Crawler) Run(ctx context.Context, src *newsmon.Source) (Summary, error) {
	r := &run{
		c:      c,
		src:    src,
		ctx:    ctx,
		budget: int64(c.cfg.MaxPagesPerRun),
		sum:    Summary{Source: src.Name, Started: time.Now().UTC(), ErrorKinds: map[string]int{}},
	}
	base, err := url.Parse(src.URL)
	if err != nil {
		return r.sum, fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	r.base = base
	// The run is recorded even when the caller cancels it (then as cut);
	// a store that cannot record it does not stop the crawl.
	rec := &newsmon.Run{Source: src.Name, Started: r.sum.Started}
	if err := c.store.StartRun(context.WithoutCancel(ctx), rec); err != nil {
		r.countError("store", fmt.Errorf("record run start: %w", err))
		c.log.Error("record run start", "source", src.Name, "err", err)
		rec = nil
	}
	var storage newsmon.CollectorStorage
	if c.shared.Frontier != nil {
		// The run's visited set and cookies are shared with the processes
		// that help with its articles, under a name of its own, so the
		// next run fetches feeds and front pages again.
		r.token = newRunToken()
		storage = c.shared.Frontier.Storage(r.token)
	}
	r.collector = c.newCollector(ctx, storage)

	cands, docStates := r.discover()
	r.progress()
	if c.shared.Frontier != nil {
		r.queueArticles(cands)
	} else {
		r.fetchArticles(cands)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	// Validators of feeds, sitemaps and listings are kept only after a
	// complete run: a run cut short must see them as changed next time, or
	// the articles it did not reach would wait for the next change.
	if r.sum.Cut == "" && r.transient == 0 && ctx.Err() == nil {
		for _, st := range docStates {
			if err := c.store.SaveFetchState(context.WithoutCancel(ctx), st); err != nil {
				r.countError("store", err)
			}
		}
	}
	r.sum.Finished = time.Now().UTC()
	r.sum.Elapsed = r.sum.Finished.Sub(r.sum.Started).Round(time.Millisecond).String()
	var runErr error
	if err := ctx.Err(); err != nil {
		if r.sum.Cut == "" {
			r.sum.Cut = "cancelled"
		}
		runErr = fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	if rec != nil {
		finishedRun(rec, r.sum)
		if err := c.store.FinishRun(context.WithoutCancel(ctx), rec); err != nil {
			r.countError("store", fmt.Errorf("record run end: %w", err))
			c.log.Error("record run end", "source", src.Name, "err", err)
		}
	}
	return r.sum, runErr
}

// finishedRun fills the run record rec from the summary of the run.
func finishedRun(rec *newsmon.Run, sum Summary) {
	rec.Finished, rec.Status, rec.Cut = sum.Finished, newsmon.RunDone, sum.Cut
	if sum.Cut != "" {
		rec.Status = newsmon.RunCut
	}
	rec.Requests, rec.Discovered, rec.Queued = sum.Requests, sum.Discovered, sum.Queued
	rec.New, rec.Updated, rec.Unchanged, rec.Aliases = sum.New, sum.Updated, sum.Unchanged, sum.Aliases
	rec.Skipped, rec.NotArticle, rec.Errors = sum.Skipped, sum.NotArticle, sum.Errors
	rec.ErrorKinds = make(map[string]int, len(sum.ErrorKinds))
	for k, n := range sum.ErrorKinds {
		rec.ErrorKinds[k] = n
	}
	rec.LastError = sum.LastError
}

// newCollector returns a fresh collector for one run: Colly's visited set
// then lasts one run, so front pages and feeds are fetched again next time.
// storage, when not nil, replaces Colly's in-memory visited set and cookie
// jar (a run's, shared by the processes that work on it).
func (c *Crawler) newCollector(ctx context.Context, storage newsmon.CollectorStorage) *colly.Collector {
	col := colly.NewCollector(
		colly.UserAgent(c.cfg.UserAgent),
		colly.StdlibContext(ctx),
		colly.MaxBodySize(0), // the transport refuses oversized bodies instead of truncating them
	)
	col.IgnoreRobotsTxt = true // the transport obeys robots.txt, for every redirect hop too
	if storage != nil {
		// Colly's SetStorage only calls Init, which ours cannot fail.
		if err := col.SetStorage(storage); err != nil {
			c.log.Error("collector storage", "err", err)
		}
	}
	col.WithTransport(c.transport)
	col.SetRequestTimeout(0) // the transport times each attempt, not the wait for a host's turn
	max := c.cfg.MaxRedirects
	col.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) > max {
			return fmt.Errorf("%w: more than %d redirects", errRedirect, max)
		}
		for _, v := range via {
			if v.URL.String() == req.URL.String() {
				return fmt.Errorf("%w: loop back to %s", errRedirect, req.URL)
			}
		}
		return nil
	})
	col.OnResponse(func(resp *colly.Response) {
		if res, ok := resp.Ctx.GetAny(resultKey).(*fetchResult); ok {
			res.status = resp.StatusCode
			res.body = resp.Body
			res.header = *resp.Headers
			res.finalURL = resp.Request.URL.String()
		}
	})
	col.OnError(func(resp *colly.Response, err error) {
		if res, ok := resp.Ctx.GetAny(resultKey).(*fetchResult); ok {
			res.status = resp.StatusCode
			res.err = err
			if resp.Headers != nil {
				res.header = *resp.Headers
			}
			if resp.Request != nil && resp.Request.URL != nil {
				res.finalURL = resp.Request.URL.String()
			}
		}
	})
	return col
}

var errRedirect = errors.New("redirect refused")

const resultKey = "newsmon.result"

type fetchResult struct {
	status   int
	finalURL string
	body     []byte
	header   http.Header
	err      error
}

// run is the state of one crawl of one source.
type run struct {
	c         *Crawler
	src       *newsmon.Source
	ctx       context.Context
	base      *url.URL
	collector *colly.Collector
	budget    int64 // requests left; atomic
	writes    chan articleWrite
	// token names the run on a shared frontier ("" without one).
	token string
	// parent is the run whose queue a worker run helps with; progress
	// shows the parent's discovery figures.
	parent *run

	mu  sync.Mutex
	sum Summary
	// transient counts failures that may pass (timeouts, 5xx, unreadable
	// documents): after such a run the validators of feeds and sitemaps
	// are not kept, so that what they listed is tried again next run.
	transient int
}

// fetch asks for one URL through Colly, conditionally when st has
// validators. It returns nil when the page budget of the run is spent.
func (r *run) fetch(u string, st *newsmon.FetchState) *fetchResult {
	return r.fetchWith(r.collector, u, st)
}

// fetchWith is fetch through the collector col.
func (r *run) fetchWith(col *colly.Collector, u string, st *newsmon.FetchState) *fetchResult {
	if atomic.AddInt64(&r.budget, -1) < 0 {
		r.mu.Lock()
		if r.sum.Cut == "" {
			r.sum.Cut = fmt.Sprintf("page budget of %d spent (crawler.max_pages_per_run)", r.c.cfg.MaxPagesPerRun)
		}
		r.mu.Unlock()
		return nil
	}
	r.mu.Lock()
	r.sum.Requests++
	r.mu.Unlock()
	hdr := http.Header{}
	hdr.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if st != nil {
		if st.ETag != "" {
			hdr.Set("If-None-Match", st.ETag)
		}
		if st.LastModified != "" {
			hdr.Set("If-Modified-Since", st.LastModified)
		}
	}
	res := &fetchResult{}
	cctx := colly.NewContext()
	cctx.Put(resultKey, res)
	err := col.Request(http.MethodGet, u, nil, cctx, hdr)
	if res.err == nil && err != nil {
		res.err = err
	}
	if res.finalURL == "" {
		res.finalURL = u
	}
	return res
}

// errorKind names the kind of a failed fetch for the summary.
func errorKind(res *fetchResult) string {
	var already *colly.AlreadyVisitedError
	switch {
	case errors.Is(res.err, ErrRobotsUnavailable):
		return "unreachable"
	case errors.Is(res.err, ErrHostBackoff):
		return "backoff"
	case errors.Is(res.err, ErrDisallowed):
		return "robots"
	case errors.Is(res.err, ErrTooLarge):
		return "too_large"
	case errors.Is(res.err, ErrUnwantedType):
		return "not_html"
	case errors.As(res.err, &already), errors.Is(res.err, newsmon.ErrAlreadyVisited):
		return kindDuplicate
	case errors.Is(res.err, errRedirect):
		return "redirect"
	case errors.Is(res.err, context.DeadlineExceeded), isTimeout(res.err):
		return "timeout"
	case res.status >= 500:
		return "http_5xx"
	case res.status >= 400:
		return "http_4xx"
	case res.status >= 300:
		return "http_3xx"
	}
	return "network"
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// kindDuplicate is the "error" of a URL that led to a page this run
// already fetched, through a redirect or twice in discovery: not a failure.
const kindDuplicate = "duplicate"

// permanent reports whether a failure will not go away by asking again
// soon, so that the URL is remembered and not fetched every run.
func permanent(kind string, status int) bool {
	switch kind {
	case "robots", "too_large", "not_html", "redirect", kindDuplicate:
		return true
	}
	return status == http.StatusNotFound || status == http.StatusGone
}

func (r *run) countError(kind string, err error) {
	r.sum.Errors++
	r.sum.ErrorKinds[kind]++
	if err != nil {
		r.sum.LastError = err.Error()
	}
}

// discover reads every feed, sitemap and listing of the source and
// returns the article candidates, newest first, and the fetch states of the
// discovery documents to save once the run completes.
func (r *run) discover() ([]*candidate, []*newsmon.FetchState) {
	// Ten times the page budget leaves room for the known URLs that will be
	// skipped without a request.
	cs := candidates{wanted: r.wantedURL, max: 10 * r.c.cfg.MaxPagesPerRun}
	var docStates []*newsmon.FetchState
	known := r.knownStates(append(append([]string{}, r.src.Feeds...), r.src.Sitemaps...))

	for _, feed := range r.src.Feeds {
		st := known[feed]
		res, changed := r.fetchDoc(feed, st, &docStates)
		if !changed {
			continue
		}
		found, err := feedCandidates(res.body, r.base)
		if err != nil {
			r.docUnreadable("feed", feed, err)
			continue
		}
		for _, c := range found {
			cs.add(c)
		}
	}

	for _, sm := range r.src.Sitemaps {
		r.readSitemap(sm, known[sm], nil, 0, &cs, &docStates)
	}

	for i := range r.src.Listings {
		r.readListing(&r.src.Listings[i], &cs, &docStates)
	}

	if cs.dropped > 0 {
		r.c.log.Warn("discovery listed more article URLs than one run handles; the rest wait for later runs",
			"source", r.src.Name, "kept", len(cs.order), "dropped", cs.dropped)
	}
	out := make([]*candidate, 0, len(cs.order))
	for _, u := range cs.order {
		out = append(out, cs.byURL[u])
	}
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := newest(out[i]), newest(out[j])
		if ti == nil || tj == nil {
			return ti != nil && tj == nil
		}
		return ti.After(*tj)
	})
	r.mu.Lock()
	r.sum.Discovered = len(out)
	r.mu.Unlock()
	return out, docStates
}

// wantedURL reports whether a discovered URL may be an article of the
// source: it matches the article pattern (or, without one, stays on the
// source's site) and does not look like a trap.
func (r *run) wantedURL(u string) bool {
	if !r.src.IsArticleURL(u) {
		return false
	}
	if r.src.ArticlePattern == "" && !sameSite(hostOf(u), r.base.Host) {
		return false
	}
	if reason := trapReason(u); reason != "" {
		r.c.log.Debug("skip URL", "source", r.src.Name, "url", u, "reason", reason)
		return false
	}
	return true
}

func newest(c *candidate) *time.Time {
	if c.lastmod != nil && (c.published == nil || c.lastmod.After(*c.published)) {
		return c.lastmod
	}
	return c.published
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}

// fetchDoc fetches a discovery document conditionally. changed is false
// when it failed or has not changed since the last complete run. The new
// validators are appended to docStates.
func (r *run) fetchDoc(u string, st *newsmon.FetchState, docStates *[]*newsmon.FetchState) (*fetchResult, bool) {
	res := r.fetch(u, st)
	if res == nil {
		return nil, false
	}
	if res.status == http.StatusNotModified {
		next := *st
		next.FetchedAt = time.Now().UTC()
		*docStates = append(*docStates, &next)
		return res, false
	}
	if res.err != nil || res.status != http.StatusOK {
		r.docFetchFailed(u, res)
		return res, false
	}
	*docStates = append(*docStates, &newsmon.FetchState{
		URL:          u,
		ETag:         res.header.Get("ETag"),
		LastModified: res.header.Get("Last-Modified"),
		Status:       res.status,
		FetchedAt:    time.Now().UTC(),
	})
	return res, true
}

// docFetchFailed counts a discovery document that could not be fetched.
func (r *run) docFetchFailed(u string, res *fetchResult) {
	kind := errorKind(res)
	r.mu.Lock()
	if !permanent(kind, res.status) {
		r.transient++
	}
	r.countError(kind, res.err)
	r.mu.Unlock()
	r.c.log.Warn("discovery fetch failed", "source", r.src.Name, "url", u, "status", res.status, "kind", kind, "err", res.err)
}

// docUnreadable counts a discovery document that could not be parsed.
func (r *run) docUnreadable(what, u string, err error) {
	r.mu.Lock()
	r.transient++
	r.countError("parse", err)
	r.mu.Unlock()
	r.c.log.Warn("discovery document unreadable", "source", r.src.Name, "what", what, "url", u, "err", err)
}

// maxSitemapDepth bounds nested sitemap indexes; maxSitemapEntries bounds
// the URLs read from one file (the protocol allows 50,000).
const (
	maxSitemapDepth   = 3
	maxSitemapEntries = 50000
)

func (r *run) readSitemap(u string, st *newsmon.FetchState, lastmod *time.Time, depth int, cs *candidates, docStates *[]*newsmon.FetchState) {
	if depth > maxSitemapDepth || r.ctx.Err() != nil {
		return
	}
	res, changed := r.fetchDoc(u, st, docStates)
	if !changed {
		return
	}
	if lastmod != nil && len(*docStates) > 0 {
		(*docStates)[len(*docStates)-1].Lastmod = lastmod
	}
	index, entries, err := parseSitemap(res.body, maxSitemapEntries)
	if err != nil {
		r.docUnreadable("sitemap", u, err)
		if len(entries) == 0 {
			return
		}
	}
	if !index {
		for _, e := range entries {
			cu, ok := canonicalURL(r.base, e.Loc)
			if !ok {
				continue
			}
			c := candidate{url: cu, lastmod: parseW3CDate(e.Lastmod), published: parseW3CDate(e.NewsPublished), title: e.NewsTitle, via: "sitemap"}
			cs.add(c)
		}
		return
	}
	// A sitemap index: read the children that changed since the last
	// complete run, newest first.
	var children []string
	mods := map[string]*time.Time{}
	for _, e := range entries {
		cu, ok := canonicalURL(r.base, e.Loc)
		if !ok {
			continue
		}
		children = append(children, cu)
		mods[cu] = parseW3CDate(e.Lastmod)
	}
	known := r.knownStates(children)
	for _, child := range children {
		kst := known[child]
		if kst != nil && kst.Lastmod != nil && mods[child] != nil && !mods[child].After(*kst.Lastmod) {
			// Unchanged since it was last read in full.
			next := *kst
			*docStates = append(*docStates, &next)
			continue
		}
		r.readSitemap(child, kst, mods[child], depth+1, cs, docStates)
	}
}

func (r *run) readListing(l *newsmon.Listing, cs *candidates, docStates *[]*newsmon.FetchState) {
	u, ok := canonicalURL(nil, l.URL)
	if !ok {
		return
	}
	seen := map[string]bool{}
	for page := 0; page < l.MaxPages && u != "" && !seen[u] && r.ctx.Err() == nil; page++ {
		seen[u] = true
		var st *newsmon.FetchState
		if page == 0 {
			st = r.knownStates([]string{u})[u]
		}
		res, changed := r.fetchDoc(u, st, docStates)
		if !changed {
			// The first page unchanged since the last complete run: nothing
			// new was published.
			return
		}
		pageURL, _ := url.Parse(res.finalURL)
		found, next, err := listingPage(res.body, pageURL, l.LinksSelector(), l.NextSelector())
		if err != nil {
			r.docUnreadable("listing", u, err)
			return
		}
		for _, c := range found {
			cs.add(c)
		}
		if page > 0 && len(*docStates) > 0 {
			// Only the first page's validators mean anything next time.
			*docStates = (*docStates)[:len(*docStates)-1]
		}
		u = next
	}
}

func (r *run) knownStates(urls []string) map[string]*newsmon.FetchState {
	if len(urls) == 0 {
		return nil
	}
	known, err := r.c.store.FindFetchStates(r.ctx, urls)
	if err != nil {
		r.mu.Lock()
		r.countError("store", err)
		r.mu.Unlock()
		return nil
	}
	return known
}

// articleJobs decides which candidates to fetch: those not known, and
// those known and announced as changed; the rest are counted as skipped.
func (r *run) articleJobs(cands []*candidate) []*articleJob {
	urls := make([]string, len(cands))
	for i, c := range cands {
		urls[i] = c.url
	}
	known := map[string]*newsmon.FetchState{}
	for start := 0; start < len(urls); start += 500 {
		end := min(start+500, len(urls))
		for k, v := range r.knownStates(urls[start:end]) {
			known[k] = v
		}
	}
	var jobs []*articleJob
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cands {
		st := known[c.url]
		if st != nil && !announcedChange(c, st) {
			r.sum.Skipped++
			continue
		}
		jobs = append(jobs, &articleJob{c: c, st: st, col: r.collector})
	}
	return jobs
}

// articleJob is one article to fetch: its candidate, its known state and
// the collector to fetch it with. A job of a shared frontier also has a
// tally, what became of it, and ack, which takes it off the frontier once
// that is settled (after the store write, for an article).
type articleJob struct {
	c   *candidate
	st  *newsmon.FetchState
	col *colly.Collector
	t   tally
	ack func(tally)
}

// articleWrite is an article on its way to the store, with its job's
// tally and ack.
type articleWrite struct {
	w   newsmon.ArticleWrite
	t   tally
	ack func(tally)
}

// budgetSpentLocked notes that the page budget stopped the run; r.mu
// must be held.
func (r *run) budgetSpentLocked() {
	if r.sum.Cut == "" {
		r.sum.Cut = fmt.Sprintf("page budget of %d spent (crawler.max_pages_per_run)", r.c.cfg.MaxPagesPerRun)
	}
}

// fetchArticles fetches the candidates to fetch with as many workers as a
// host allows requests in flight.
func (r *run) fetchArticles(cands []*candidate) {
	jobs := r.articleJobs(cands)
	r.mu.Lock()
	r.sum.Queued = len(jobs)
	r.mu.Unlock()
	r.fetchJobs(jobs)
}

// fetchJobs fetches, extracts and stores jobs in this process.
func (r *run) fetchJobs(jobs []*articleJob) {
	stopWriter := r.startWriter()
	defer stopWriter()

	ch := make(chan *articleJob)
	var wg sync.WaitGroup
	for range max(r.c.cfg.Parallelism, 1) {
		wg.Go(func() {
			for j := range ch {
				r.fetchArticle(j)
			}
		})
	}
	for _, j := range jobs {
		if r.ctx.Err() != nil || atomic.LoadInt64(&r.budget) <= 0 {
			if atomic.LoadInt64(&r.budget) <= 0 {
				r.mu.Lock()
				r.budgetSpentLocked()
				r.mu.Unlock()
			}
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// startWriter starts the goroutine that stores what the workers extract;
// the returned func stops it once every article handed to it is written.
func (r *run) startWriter() func() {
	r.writes = make(chan articleWrite, 2*maxBatch)
	written := make(chan struct{})
	go r.writeArticles(written)
	return func() {
		close(r.writes)
		<-written
	}
}

// announcedChange reports whether discovery announced a change of a known
// URL since it was last fetched.
func announcedChange(c *candidate, st *newsmon.FetchState) bool {
	return c.lastmod != nil && (st.Lastmod == nil || c.lastmod.After(*st.Lastmod))
}

// tally counts what became of article jobs, by key: the Summary fields
// below, "error:KIND" for errors and "transient" for failures that may
// pass. A shared frontier adds up the tallies of a run's jobs, whichever
// process handled them.
type tally map[string]int

const (
	tallyRequests   = "requests"
	tallyNew        = "new"
	tallyUpdated    = "updated"
	tallyUnchanged  = "unchanged"
	tallyAliases    = "aliases"
	tallyNotArticle = "not_article"
	tallyDone       = "done"
	tallyTransient  = "transient"
	tallyError      = "error:"
)

// count adds one of key to the run's summary and, when t is not nil, to
// t; err, if not nil, becomes the last error.
func (r *run) count(t tally, key string, err error) {
	r.mu.Lock()
	r.addLocked(key, 1)
	if err != nil {
		r.sum.LastError = err.Error()
	}
	r.mu.Unlock()
	if t != nil {
		t[key]++
	}
}

// addLocked adds n of the tally key to the run's summary; r.mu must be
// held. Unknown keys are ignored, so that an older process reading a newer
// one's tally does not fail.
func (r *run) addLocked(key string, n int) {
	s := &r.sum
	switch key {
	case tallyRequests:
		s.Requests += n
	case tallyNew:
		s.New += n
	case tallyUpdated:
		s.Updated += n
	case tallyUnchanged:
		s.Unchanged += n
	case tallyAliases:
		s.Aliases += n
	case tallyNotArticle:
		s.NotArticle += n
	case tallyDone:
		s.Done += n
	case tallyTransient:
		r.transient += n
	default:
		if kind, ok := strings.CutPrefix(key, tallyError); ok {
			s.Errors += n
			s.ErrorKinds[kind] += n
		}
	}
}

// progress reports the run's summary to the Progress hook, if any.
func (r *run) progress() {
	if r.c.Progress == nil {
		return
	}
	r.mu.Lock()
	sum := r.sum
	r.mu.Unlock()
	if p := r.parent; p != nil {
		p.mu.Lock()
		sum.Discovered, sum.Queued = p.sum.Discovered, p.sum.Queued
		p.mu.Unlock()
	}
	r.c.Progress(sum)
}

// fetchArticle fetches, extracts and stores one article. A panic in
// extraction is caught and counted: one hostile page never stops a run.
func (r *run) fetchArticle(j *articleJob) {
	c, st := j.c, j.st
	// handed is set once the article goes to the writer, which then owns
	// the job's tally and acks it after the store write.
	handed := false
	defer func() {
		if p := recover(); p != nil {
			r.count(j.t, tallyError+"panic", fmt.Errorf("%s: %v", c.url, p))
			r.c.log.Error("panic while handling a page", "source", r.src.Name, "url", c.url, "panic", p)
		}
		if handed {
			return
		}
		r.count(j.t, tallyDone, nil)
		r.progress()
		if j.ack != nil {
			j.ack(j.t)
		}
	}()

	res := r.fetchWith(j.col, c.url, st)
	if res == nil {
		return
	}
	if j.t != nil {
		j.t[tallyRequests]++
	}
	now := time.Now().UTC()
	next := &newsmon.FetchState{URL: c.url, Lastmod: c.lastmod, Status: res.status, FetchedAt: now}
	if st != nil {
		next.ArticleID, next.ContentHash = st.ArticleID, st.ContentHash
		if next.Lastmod == nil {
			next.Lastmod = st.Lastmod
		}
	}
	if res.status == http.StatusNotModified && st != nil {
		next.ETag, next.LastModified, next.Status = st.ETag, st.LastModified, st.Status
		r.saveState(next, j.t)
		r.count(j.t, tallyUnchanged, nil)
		return
	}
	if res.err != nil || res.status != http.StatusOK {
		kind := errorKind(res)
		if kind == kindDuplicate {
			r.count(j.t, tallyAliases, nil)
		} else {
			r.count(j.t, tallyError+kind, fmt.Errorf("%s: %v", c.url, res.err))
		}
		if !permanent(kind, res.status) {
			r.count(j.t, tallyTransient, nil)
		}
		if kind != kindDuplicate {
			r.c.log.Warn("fetch failed", "source", r.src.Name, "url", c.url, "status", res.status, "kind", kind, "err", res.err)
		}
		if permanent(kind, res.status) {
			r.saveState(next, j.t)
		}
		return
	}
	next.ETag = res.header.Get("ETag")
	next.LastModified = res.header.Get("Last-Modified")

	page := &newsmon.Page{URL: res.finalURL, Body: res.body, Source: r.src, FeedPublished: c.published, FeedTitle: c.title}
	a, err := r.c.extractor.Extract(page)
	if err != nil {
		r.count(j.t, tallyError+"extract", fmt.Errorf("%s: %w", c.url, err))
		r.saveState(next, j.t)
		return
	}
	if !a.IsArticle {
		r.c.log.Debug("not an article", "source", r.src.Name, "url", c.url, "reason", a.NotArticleReason)
		next.ArticleID = 0
		r.saveState(next, j.t)
		r.count(j.t, tallyNotArticle, nil)
		return
	}
	a.Source = r.src.Name
	r.settleURLs(a, res.finalURL)
	r.count(j.t, tallyDone, nil)
	r.progress()
	handed = true
	r.writes <- articleWrite{w: newsmon.ArticleWrite{Article: a, State: next}, t: j.t, ack: j.ack}
}

// maxBatch bounds the articles written in one transaction; batchWait is
// how long the writer waits for a batch to fill. Measured with bench/crawl:
// CPU per page 2.5 ms writing what had queued (1.9 articles a batch), 2.05
// ms waiting up to 100 ms (31.7).
const (
	maxBatch  = 32
	batchWait = 100 * time.Millisecond
)

// writeArticles saves the articles the workers extract, up to maxBatch at
// a time, waiting at most batchWait for a batch to fill (a group commit:
// one transaction and one full-text index flush per batch instead of per
// article). An article waiting here when the process dies is simply
// fetched again (next run, or at once by another process when its job was
// leased from a shared frontier): its fetch state is written with it, and
// its job is acknowledged only after.
func (r *run) writeArticles(done chan<- struct{}) {
	defer close(done)
	batch := make([]articleWrite, 0, maxBatch)
	ws := make([]newsmon.ArticleWrite, 0, maxBatch)
	for w := range r.writes {
		batch = append(batch[:0], w)
		// Wait a moment for more: a full-text index flush per batch costs
		// about the same for 1 article as for 32.
		wait := time.NewTimer(batchWait)
	fill:
		for len(batch) < maxBatch {
			select {
			case w, ok := <-r.writes:
				if !ok {
					break fill
				}
				batch = append(batch, w)
			case <-wait.C:
				break fill
			}
		}
		wait.Stop()
		ws = ws[:0]
		for _, b := range batch {
			ws = append(ws, b.w)
		}
		results := r.c.store.SaveArticles(context.WithoutCancel(r.ctx), ws)
		for i, saved := range results {
			b := batch[i]
			switch {
			case saved.Err != nil:
				r.count(b.t, tallyTransient, nil)
				r.count(b.t, tallyError+"store", fmt.Errorf("%s: %w", b.w.State.URL, saved.Err))
				r.c.log.Error("store article", "source", r.src.Name, "url", b.w.State.URL, "err", saved.Err)
			case saved.Created:
				r.count(b.t, tallyNew, nil)
			case saved.Updated:
				r.count(b.t, tallyUpdated, nil)
			case saved.Alias:
				r.count(b.t, tallyAliases, nil)
			default:
				r.count(b.t, tallyUnchanged, nil)
			}
			if b.ack != nil {
				b.ack(b.t)
			}
		}
	}
}

// settleURLs sets the article's URL to the canonical form of the address
// it was fetched from, and its CanonicalURL to what the page declares when
// that stays on the same site and looks like an article address (a
// canonical pointing elsewhere is more often a template error than a true
// syndication).
func (r *run) settleURLs(a *newsmon.Article, fetched string) {
	fu, _ := url.Parse(fetched)
	if cu, ok := canonicalURL(nil, fetched); ok {
		a.URL = cu
	}
	decl := a.CanonicalURL
	a.CanonicalURL = a.URL
	if decl == "" || fu == nil {
		return
	}
	// A canonical that points to the home page or to a section (a common
	// template error) would fold different stories into one: only an
	// address that may itself hold an article of the source is taken.
	cu, ok := canonicalURL(fu, decl)
	if !ok || !sameSite(hostOf(cu), fu.Host) || trapReason(cu) != "" || !r.src.IsArticleURL(cu) {
		return
	}
	if p, err := url.Parse(cu); err != nil || p.Path == "/" && p.RawQuery == "" {
		return
	}
	a.CanonicalURL = cu
}

func (r *run) saveState(st *newsmon.FetchState, t tally) {
	if err := r.c.store.SaveFetchState(context.WithoutCancel(r.ctx), st); err != nil {
		r.count(t, tallyError+"store", err)
	}
}

// DecodeHTML returns an HTML document read from a file as UTF-8, deciding
// its encoding as the transport does for a response without a charset: a
// byte-order mark, then <meta charset>, then UTF-8 when the bytes are valid
// UTF-8, else windows-1252.
func DecodeHTML(body []byte) []byte { return decodeHTML(body, "") }
