package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"
	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/store/sqlite"
)

// The three ways of crawling the site.
const (
	modeBare  = "bare"  // Colly fetches each page and drops it
	modeParse = "parse" // Colly fetches, goquery parses, nothing else
	modeFull  = "full"  // crawler.Crawler with extraction into SQLite
)

// minShare is the share of the pages a crawl must handle for its figures
// to count.
const minShare = 0.99

// maxJobBytes bounds the job file a child reads.
const maxJobBytes = 256 << 20

// job is what a child process is asked to do; the parent writes it as
// JSON to a file in the job's directory.
type job struct {
	Mode         string         `json:"mode"`
	Workers      int            `json:"workers"`
	URLs         []string       `json:"urls"`   // the site's articles
	Source       newsmon.Source `json:"source"` // the site's source, not yet validated
	Config       string         `json:"config"` // whose topics and crawler settings the full mode starts from
	Dir          string         `json:"dir"`    // a fresh directory for the store
	Baseline     string         `json:"baseline"`
	IgnoreRobots bool           `json:"ignore_robots"`
	CPUProfile   string         `json:"cpu_profile,omitempty"`
}

// result is what one mode measured in one run.
type result struct {
	Mode      string  `json:"mode"`
	Pages     int     `json:"pages"` // URLs asked for
	Seconds   float64 `json:"seconds"`
	CPUMs     float64 `json:"cpu_ms"`
	SiteCPUMs float64 `json:"site_cpu_ms,omitempty"` // set by the parent: its CPU while serving the site
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Fetched   int     `json:"fetched"` // pages received (and parsed, extracted) whole
	Errors    int     `json:"errors"`
	LastError string  `json:"last_error,omitempty"`
	// Full mode only.
	Requests       int `json:"requests,omitempty"`
	Stored         int `json:"stored,omitempty"`          // articles in the store after the run
	StoredExpected int `json:"stored_expected,omitempty"` // of those, articles at one of the site's URLs
}

func (r result) pagesPerS() float64    { return safeDiv(float64(r.Pages), r.Seconds) }
func (r result) cpuMsPerPage() float64 { return safeDiv(r.CPUMs, float64(r.Pages)) }

// check returns an error when the crawl measured failed: the full mode
// stored fewer than 99% of the site's articles, or a baseline mode got
// fewer than 99% of the pages.
func (r result) check(mode string) error {
	need := int(float64(r.Pages)*minShare + 0.999999)
	if mode == modeFull {
		if r.StoredExpected < need {
			return fmt.Errorf("full mode stored %d of the %d articles (%d rows in all), want at least %d; %d errors, last: %s",
				r.StoredExpected, r.Pages, r.Stored, need, r.Errors, r.LastError)
		}
		return nil
	}
	if r.Fetched < need {
		return fmt.Errorf("%s mode fetched %d of %d pages, want at least %d; %d errors, last: %s",
			mode, r.Fetched, r.Pages, need, r.Errors, r.LastError)
	}
	return nil
}

// runChild runs the job in file and writes its result as JSON to stdout.
func runChild(file string, stdout io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxJobBytes))
	f.Close()
	if err != nil {
		return fmt.Errorf("read job %s: %w", file, err)
	}
	var j job
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("read job %s: %w", file, err)
	}
	res, err := runMode(context.Background(), j)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}

// runMode crawls the job's URLs the job's way and measures it. CPU time
// and peak RSS are the process's: run one mode per process.
func runMode(ctx context.Context, j job) (result, error) {
	switch j.Mode {
	case modeBare, modeParse:
		return runCollector(ctx, j)
	case modeFull:
		return runFull(ctx, j)
	}
	return result{}, fmt.Errorf("unknown mode %q", j.Mode)
}

// measured runs fn and fills the time, CPU and peak RSS of res.
func measured(res *result, fn func()) {
	cpu0, t0 := cpuTime(), time.Now()
	fn()
	res.Seconds = time.Since(t0).Seconds()
	res.CPUMs = float64(cpuTime()-cpu0) / float64(time.Millisecond)
	res.PeakRSSMB = peakRSSMB()
}

// baselineTransport returns the transport of the bare and parse modes and
// whether it bounds bodies itself.
func baselineTransport(j job) (http.RoundTripper, bool) {
	if j.Baseline == "polite" {
		return crawler.NewTransport(crawler.TransportOptions{
			UserAgent:    newsmon.DefaultUserAgent,
			Parallelism:  j.Workers,
			IgnoreRobots: true,
		}), true
	}
	return plainTransport(), false
}

// runCollector fetches every URL with one Colly collector driven by a pool
// of j.Workers goroutines, as the crawler drives its own, and for the parse
// mode builds a goquery document of each page.
func runCollector(ctx context.Context, j job) (result, error) {
	res := result{Mode: j.Mode, Pages: len(j.URLs)}
	rt, bounded := baselineTransport(j)
	c := colly.NewCollector(
		colly.UserAgent(newsmon.DefaultUserAgent),
		colly.StdlibContext(ctx),
	)
	c.WithTransport(rt)
	if bounded {
		c.MaxBodySize = 0 // the polite transport refuses oversized bodies itself
	}
	c.SetRequestTimeout(30 * time.Second)

	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		res.Errors++
		res.LastError = err.Error()
		mu.Unlock()
	}
	parse := j.Mode == modeParse
	c.OnResponse(func(r *colly.Response) {
		if parse {
			if _, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body)); err != nil {
				fail(fmt.Errorf("parse %s: %w", r.Request.URL, err))
				return
			}
		}
		mu.Lock()
		res.Fetched++
		mu.Unlock()
	})

	measured(&res, func() {
		ch := make(chan string)
		var wg sync.WaitGroup
		for range j.Workers {
			wg.Go(func() {
				for u := range ch {
					if err := c.Visit(u); err != nil {
						fail(fmt.Errorf("fetch %s: %w", u, err))
					}
				}
			})
		}
		for _, u := range j.URLs {
			if ctx.Err() != nil {
				break
			}
			ch <- u
		}
		close(ch)
		wg.Wait()
	})
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// runFull crawls the site's source with the whole pipeline into a fresh
// SQLite store, then counts what the store holds.
func runFull(ctx context.Context, j job) (result, error) {
	res := result{Mode: j.Mode, Pages: len(j.URLs)}
	cfg, err := newsmon.Load(j.Config)
	if err != nil {
		return res, err
	}
	cfg.Sources = []newsmon.Source{j.Source}
	cfg.Crawler.Delay = 0
	cfg.Crawler.Parallelism = j.Workers
	cfg.Crawler.IgnoreRobots = j.IgnoreRobots
	// Discovery (robots.txt, sitemaps, the feed) spends the budget too.
	cfg.Crawler.MaxPagesPerRun = 2*len(j.URLs) + 1000
	if err := cfg.Validate(); err != nil {
		return res, fmt.Errorf("configuration with the site's source: %w", err)
	}
	db, err := sqlite.Open(filepath.Join(j.Dir, "newsmon.db"))
	if err != nil {
		return res, err
	}
	defer db.Close()
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return res, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cr := crawler.New(cfg.Crawler, db, ex, log)

	if j.CPUProfile != "" {
		f, err := os.Create(j.CPUProfile)
		if err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
	}
	var sum crawler.Summary
	var runErr error
	measured(&res, func() {
		sum, runErr = cr.Run(ctx, &cfg.Sources[0])
	})
	if j.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if runErr != nil {
		return res, runErr
	}
	res.Requests = sum.Requests
	res.Fetched = sum.New + sum.Updated + sum.Unchanged + sum.Aliases + sum.NotArticle
	res.Errors = sum.Errors
	res.LastError = sum.LastError
	if sum.Cut != "" {
		res.LastError = "run cut short: " + sum.Cut
	}

	expected := make(map[string]bool, len(j.URLs))
	for _, u := range j.URLs {
		expected[u] = true
	}
	err = db.ExportArticles(ctx, newsmon.ExportFilter{}, func(a *newsmon.Article) error {
		res.Stored++
		if atExpected(a, expected) {
			res.StoredExpected++
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("count stored articles: %w", err)
	}
	return res, nil
}

// atExpected reports whether one of the article's addresses is one of the
// site's article URLs.
func atExpected(a *newsmon.Article, expected map[string]bool) bool {
	if expected[a.CanonicalURL] || expected[a.URL] {
		return true
	}
	for _, u := range a.URLs {
		if expected[u] {
			return true
		}
	}
	return false
}
