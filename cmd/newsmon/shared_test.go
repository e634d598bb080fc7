package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/frontier"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/postgres"
	"github.com/newsmon/newsmon/store/sqlite"
)

// writeSharedConfig writes the config of one crawler process of a shared
// crawl: the simulated outlets, a Redis frontier under prefix, and a User-
// Agent naming the process so that the outlets' log tells who asked.
func writeSharedConfig(t *testing.T, site *testsite.Site, redisURL, prefix string, proc int, dsn string) string {
	t.Helper()
	shipped, err := newsmon.Load("../../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := struct {
		Store   map[string]any   `toml:"store,omitempty"`
		Crawler map[string]any   `toml:"crawler"`
		Sources []newsmon.Source `toml:"source"`
		Topics  []newsmon.Topic  `toml:"topic"`
		Parties []newsmon.Party  `toml:"party"`
	}{
		Crawler: map[string]any{
			"delay": "100ms", "timeout": "5s", "retries": 2, "max_body": "2MB",
			"user_agent": fmt.Sprintf("newsmon/1.0 (+test process %d)", proc),
			"redis":      redisURL, "redis_prefix": prefix, "lease": "2s",
		},
		Sources: site.Sources(),
		Topics:  shipped.Topics,
		Parties: shipped.Parties,
	}
	if dsn != "" {
		cfg.Store = map[string]any{"dsn": dsn}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("config-%d.toml", proc))
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCrawlProcessesShareOneFrontier runs three `newsmon crawl` processes
// of the built binary against the simulated outlets, with one Redis
// frontier and one store (an SQLite file; PostgreSQL when
// NEWSMON_TEST_POSTGRES is set), and kills (SIGKILL) the process running
// the newsroom in the middle of its articles. The two others finish its
// work: every article stored once, none fetched twice but for what the
// killed process had in hand, and no host asked more often than its delay
// allows, by the outlets' own request log.
func TestCrawlProcessesShareOneFrontier(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testCrawlProcessesShare(t, false) })
	t.Run("postgres", func(t *testing.T) { testCrawlProcessesShare(t, true) })
}

func testCrawlProcessesShare(t *testing.T, pg bool) {
	redisURL := os.Getenv("NEWSMON_TEST_REDIS")
	if redisURL == "" {
		t.Skip("NEWSMON_TEST_REDIS not set (e.g. redis://127.0.0.1:6379/0): shared crawl test skipped")
	}
	prefix := fmt.Sprintf("newsmon-test-%x:", rand.Uint64())
	fr, err := frontier.Open(context.Background(), redisURL, prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	defer fr.DeleteAll(context.Background())
	bin := buildNewsmon(t)
	site := testsite.Start()
	defer site.Close()
	db, dsn := filepath.Join(t.TempDir(), "newsmon.db"), ""
	if pg {
		dsn = postgresSchema(t)
	}
	// The schema first (both stores would cope with three processes racing
	// to create it; this test is about crawling), and the store the test
	// reads what the processes stored from.
	var st newsmon.Store
	if pg {
		st, err = postgres.Open(context.Background(), dsn)
	} else {
		st, err = sqlite.Open(db)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	countStored := func(source string) int {
		n := 0
		st.ExportArticles(context.Background(), newsmon.ExportFilter{}, func(a *newsmon.Article) error {
			if source == "" || a.Source == source {
				n++
			}
			return nil
		})
		return n
	}

	const procs = 3
	type proc struct {
		cmd            *exec.Cmd
		stdout, stderr syncBuffer
		exited         chan struct{}
		err            error
	}
	ps := make([]*proc, procs)
	for i := range procs {
		cfg := writeSharedConfig(t, site, redisURL, prefix, i, dsn)
		args := []string{"crawl", "--config", cfg}
		if !pg {
			args = append(args, "--db", db)
		}
		p := &proc{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			p.err = p.cmd.Wait()
			close(p.exited)
		}()
		t.Cleanup(func() {
			select {
			case <-p.exited:
			default:
				p.cmd.Process.Kill()
				<-p.exited
			}
		})
		ps[i] = p
	}

	// Kill the newsroom's runner once some of its articles are stored.
	newsroomStored := func() int { return countStored("newsroom") }
	killed := -1
	waitFor(t, "newsroom articles to be stored", 60*time.Second, func() bool { return newsroomStored() >= 6 })
	holder, err := fr.LockHolder(context.Background(), "source:newsroom")
	if err != nil || holder == "" {
		t.Fatalf("no holder of the newsroom's lock (%q, %v): the run ended before the kill", holder, err)
	}
	parts := strings.Split(holder, "/")
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	for i, p := range ps {
		if p.cmd.Process.Pid == pid {
			killed = i
		}
	}
	if killed < 0 {
		t.Fatalf("the newsroom's lock is held by %q, none of the crawl processes", holder)
	}
	if err := ps[killed].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-ps[killed].exited
	t.Logf("killed process %d (pid %d) with %d newsroom articles stored", killed, pid, newsroomStored())

	for i, p := range ps {
		if i == killed {
			continue
		}
		select {
		case <-p.exited:
		case <-time.After(90 * time.Second):
			t.Fatalf("process %d did not finish: %s", i, p.stderr.String())
		}
		if p.err != nil {
			t.Errorf("process %d: %v\n%s", i, p.err, p.stderr.String())
		}
		t.Logf("process %d:\n%s", i, p.stdout.String())
	}

	ctx := context.Background()
	want := site.Expected()
	if n := countStored(""); n != len(want) {
		t.Errorf("%d articles stored, want %d", n, len(want))
	}
	for _, w := range want {
		if _, err := st.FindArticleByURL(ctx, w.URL); err != nil {
			t.Errorf("%s: not stored: %v", w.URL, err)
		}
	}

	// Fetched once, but for pages the killed process had in hand: those
	// it fetched and had not stored are fetched again by another. (The
	// article that answers 500 once is retried by one transport; 5xx
	// answers are not counted.)
	killedUA := fmt.Sprintf("test process %d)", killed)
	byURL := map[string][]string{}
	for _, r := range site.Requests() {
		if r.Method == "GET" && r.Status != 0 && r.Status < 500 {
			byURL["http://"+r.Host+r.Path] = append(byURL["http://"+r.Host+r.Path], r.UserAgent)
		}
	}
	again := 0
	for _, w := range want {
		uas := byURL[w.URL]
		survivors := 0
		for _, ua := range uas {
			if !strings.HasSuffix(ua, killedUA) {
				survivors++
			}
		}
		if survivors > 1 || len(uas) == 0 {
			t.Errorf("%s fetched by %v", w.URL, uas)
		}
		if len(uas) > 1 {
			again++
		}
	}
	t.Logf("%d articles fetched again after the kill", again)

	// Politeness across processes, from the outlets' own log.
	bad, summary := testsite.SpacingViolations(site.Requests(), func(host string) time.Duration {
		return max(site.CrawlDelay(host), 100*time.Millisecond)
	})
	for _, v := range bad {
		t.Error(v)
	}
	for _, l := range summary {
		t.Log(l)
	}

	// The killed run is recorded as interrupted and a survivor ran the
	// newsroom again to the end.
	runs, err := st.FindRuns(ctx, newsmon.RunFilter{Source: "newsroom"})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range runs {
		statuses = append(statuses, r.Status)
	}
	if len(runs) != 2 || runs[0].Status != newsmon.RunDone || runs[1].Status != newsmon.RunInterrupted {
		t.Errorf("newsroom runs, newest first: %v; want done, interrupted", statuses)
	}
	if n, err := fr.Pending(ctx, "newsroom"); err != nil || n != 0 {
		t.Errorf("newsroom jobs left on the frontier: %d %v", n, err)
	}
}

func TestCrawlWithRedisAwayFailsAtStartNamingTheKey(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	cfg := writeSharedConfig(t, site, "redis://:hunter2@127.0.0.1:1/0", "newsmon-test:", 0, "")
	db := filepath.Join(t.TempDir(), "newsmon.db")
	code, _, stderr := newsmonRun(t, "crawl", "--config", cfg, "--db", db, "--quiet")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "crawler.redis") || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("stderr %q does not name crawler.redis and its address", stderr)
	}
	if strings.Contains(stderr, "hunter2") {
		t.Errorf("stderr shows the Redis password: %q", stderr)
	}
	if len(site.Requests()) != 0 {
		t.Errorf("%d requests sent although the shared frontier was away", len(site.Requests()))
	}
}

// TestServeProcessesRunEachScheduledRunOnce starts two `newsmon serve`
// daemons, a second apart, on one Redis frontier and one store: each
// source's scheduled runs happen once among them (never overlapping, never
// twice within half an interval), and the daemon that did not run a source
// still helps with its articles.
func TestServeProcessesRunEachScheduledRunOnce(t *testing.T) {
	redisURL := os.Getenv("NEWSMON_TEST_REDIS")
	if redisURL == "" {
		t.Skip("NEWSMON_TEST_REDIS not set (e.g. redis://127.0.0.1:6379/0): shared serve test skipped")
	}
	prefix := fmt.Sprintf("newsmon-test-%x:", rand.Uint64())
	fr, err := frontier.Open(context.Background(), redisURL, prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	defer fr.DeleteAll(context.Background())
	bin := buildNewsmon(t)
	site := testsite.Start()
	defer site.Close()
	db := filepath.Join(t.TempDir(), "newsmon.db")
	if st, err := sqlite.Open(db); err != nil {
		t.Fatal(err)
	} else {
		st.Close()
	}
	const every = 20 * time.Second
	var daemons []*daemon
	for i := range 2 {
		cfg := writeSharedConfig(t, site, redisURL, prefix, i, "")
		text := regexp.MustCompile(`schedule = "[^"]*"`).ReplaceAllString(mustRead(t, cfg), `schedule = "@every 20s"`)
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		daemons = append(daemons, startDaemon(t, bin, "serve", "--config", cfg, "--db", db, "--addr", "127.0.0.1:0"))
		time.Sleep(time.Second) // started at different moments, as daemons are
	}
	want := site.Expected()
	waitFor(t, "every article stored", 60*time.Second, func() bool { return storedArticles(db) >= len(want) })
	// Past the first aligned tick, which both daemons must skip (a run
	// holds the lock, or started less than half an interval ago).
	time.Sleep(every / 2)
	for i, d := range daemons {
		if err := d.signal(t, syscall.SIGTERM, 40*time.Second); err != nil {
			t.Errorf("daemon %d: %v\n%s", i, err, d.stderr.String())
		}
	}

	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := storedArticles(db); n != len(want) {
		t.Errorf("%d articles stored, want %d", n, len(want))
	}
	ctx := context.Background()
	for _, src := range site.Sources() {
		runs, err := st.FindRuns(ctx, newsmon.RunFilter{Source: src.Name})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 0 {
			t.Errorf("%s never ran", src.Name)
		}
		for i := 1; i < len(runs); i++ { // newest first
			newer, older := runs[i-1], runs[i]
			if gap := newer.Started.Sub(older.Started); gap < every/2 {
				t.Errorf("%s: runs started %v apart on a %v schedule: a scheduled run happened twice", src.Name, gap, every)
			}
			if older.Finished.IsZero() || older.Finished.After(newer.Started) {
				t.Errorf("%s: run %d (%s) still going when run %d started", src.Name, older.ID, older.Status, newer.ID)
			}
		}
		t.Logf("%s: %d runs", src.Name, len(runs))
	}
	// Both daemons fetched articles: the one that did not run a source
	// worked on its queue.
	agents := map[string]int{}
	articles := map[string]bool{}
	for _, w := range want {
		articles[w.URL] = true
	}
	for _, r := range site.Requests() {
		if articles["http://"+r.Host+r.Path] {
			agents[r.UserAgent]++
		}
	}
	if len(agents) != 2 {
		t.Errorf("articles fetched by %v: want both daemons", agents)
	}
}
