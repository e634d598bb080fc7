package crawler

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/sqlite"
)

var errRedisDown = errors.New("redis: connection refused")

// brokenFrontier is a shared frontier whose server is away: push or pop
// fail as configured, the gate always fails.
type brokenFrontier struct {
	pushFails bool
	mem       memStorage
}

func (b *brokenFrontier) Push(_ context.Context, jobs []newsmon.CrawlJob) (int, error) {
	if b.pushFails {
		return 0, errRedisDown
	}
	return len(jobs), nil
}
func (b *brokenFrontier) Pop(context.Context, []string, time.Duration) (*newsmon.CrawlLease, error) {
	return nil, errRedisDown
}
func (b *brokenFrontier) Extend(context.Context, *newsmon.CrawlLease, time.Duration) (bool, error) {
	return false, errRedisDown
}
func (b *brokenFrontier) Done(context.Context, *newsmon.CrawlLease, map[string]int) (bool, error) {
	return false, errRedisDown
}
func (b *brokenFrontier) Release(context.Context, *newsmon.CrawlLease) error { return errRedisDown }
func (b *brokenFrontier) Pending(context.Context, string) (int, error)       { return 0, errRedisDown }
func (b *brokenFrontier) Tally(context.Context, string) (map[string]int, error) {
	return nil, errRedisDown
}
func (b *brokenFrontier) Storage(string) newsmon.CollectorStorage { return &b.mem }
func (b *brokenFrontier) Acquire(context.Context, string, time.Duration) (time.Duration, error) {
	return 0, errRedisDown
}
func (b *brokenFrontier) Defer(context.Context, string, time.Duration) error { return errRedisDown }

type memStorage struct {
	mu      sync.Mutex
	visited map[uint64]bool
}

func (m *memStorage) Init() error { return nil }
func (m *memStorage) Visited(id uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.visited == nil {
		m.visited = map[uint64]bool{}
	}
	if m.visited[id] {
		return newsmon.ErrAlreadyVisited
	}
	m.visited[id] = true
	return nil
}
func (m *memStorage) IsVisited(id uint64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.visited[id], nil
}
func (m *memStorage) Cookies(*url.URL) string     { return "" }
func (m *memStorage) SetCookies(*url.URL, string) {}

// agencyCrawler returns a crawler of the simulated agency (five articles)
// sharing b, and the source.
func agencyCrawler(t *testing.T, b *brokenFrontier) (*Crawler, *newsmon.Source, newsmon.Store) {
	t.Helper()
	shipped, err := newsmon.Load("../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	site := testsite.Start()
	t.Cleanup(site.Close)
	var src *newsmon.Source
	for _, s := range site.Sources() {
		if s.Name == "agency" {
			src = &s
		}
	}
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "newsmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex, err := extract.New(shipped.Topics, shipped.Parties...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := newsmon.DefaultConfig().Crawler
	cfg.Delay = newsmon.Duration(5 * time.Millisecond)
	return NewShared(cfg, st, ex, nil, Shared{Frontier: b, Gate: b, Lease: 100 * time.Millisecond}), src, st
}

func TestRunWithFrontierAwayCrawlsAloneAndCounts(t *testing.T) {
	cr, src, st := agencyCrawler(t, &brokenFrontier{pushFails: true})
	sum, err := cr.Run(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ErrorKinds["frontier"] != 1 {
		t.Errorf("frontier errors %v, want 1 (the failed push)", sum.ErrorKinds)
	}
	if sum.New != 5 {
		t.Errorf("%d new articles, want the agency's 5 fetched alone: %+v", sum.New, sum)
	}
	if n := cr.transport.Stats().GateErrors; n == 0 {
		t.Error("the failing gate was not counted")
	}
	runs, err := st.FindRuns(context.Background(), newsmon.RunFilter{Source: src.Name})
	if err != nil || len(runs) != 1 || runs[0].New != 5 {
		t.Errorf("run records %+v %v", runs, err)
	}
}

func TestRunStopsWhenTheFrontierStaysAway(t *testing.T) {
	old := minGiveUp
	minGiveUp = 300 * time.Millisecond
	defer func() { minGiveUp = old }()
	cr, src, _ := agencyCrawler(t, &brokenFrontier{})
	done := make(chan struct{})
	var sum Summary
	go func() {
		defer close(done)
		sum, _ = cr.Run(context.Background(), src)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run hangs while the frontier is away")
	}
	if !strings.Contains(sum.Cut, "shared frontier unavailable") {
		t.Errorf("cut %q, want it to say the frontier was unavailable", sum.Cut)
	}
	if sum.ErrorKinds["frontier"] == 0 {
		t.Errorf("frontier errors not counted: %v", sum.ErrorKinds)
	}
}
