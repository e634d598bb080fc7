package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/frontier"
	"golang.org/x/term"
)

// sourcesAtOnce bounds how many sources one crawl runs in parallel; each
// source is mostly one host, and per-host politeness is the transport's.
const sourcesAtOnce = 4

func cmdCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("crawl", "crawl [--source NAME]... [flags]", stderr)
	var cf commonFlags
	cf.register(fs)
	var names stringsFlag
	fs.Var(&names, "source", "crawl only the source `NAME` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	cfg, err := cf.loadConfig(fs)
	if err != nil {
		return err
	}
	sources, err := selectSources(cfg, names)
	if err != nil {
		return err
	}
	st, ob, err := openWithOutbox(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return err
	}
	sums, err := crawlSources(ctx, cfg, sources, st, ex, stderr, cf.quiet)
	for _, s := range sums {
		fmt.Fprintln(stdout, summaryLine(s))
	}
	if err != nil {
		return err
	}
	// The alerts this run raised go out now, so that a system cron job
	// needs no daemon; what cannot be delivered in time stays queued.
	log := newLogger(stderr, cf.quiet)
	for _, src := range sources {
		checkHealth(ctx, cfg, st, ob, src, log)
	}
	if len(cfg.Alerts) > 0 {
		sent, failed, err := deliverNow(ctx, cfg, ob, log)
		if err != nil {
			log.Warn("alert delivery", "err", err)
		}
		if sent+failed > 0 {
			fmt.Fprintf(stdout, "alerts: %d delivered, %d to retry\n", sent, failed)
		}
	}
	var reached int
	for _, s := range sums {
		if s.Requests > s.Errors || s.Skipped > 0 || s.Helper && s.Cut == "" {
			reached++
		}
	}
	if reached == 0 && len(sums) > 0 {
		return errors.New("no source could be crawled (see the errors above)")
	}
	return nil
}

// selectSources returns the enabled sources, or the named ones (even when
// disabled: naming one is asking for it).
func selectSources(cfg *newsmon.Config, names []string) ([]*newsmon.Source, error) {
	var out []*newsmon.Source
	if len(names) == 0 {
		for i := range cfg.Sources {
			if !cfg.Sources[i].Disabled {
				out = append(out, &cfg.Sources[i])
			}
		}
		if len(out) == 0 {
			return nil, newsmon.Errorf(newsmon.EINVALID, "source: no enabled source in the configuration")
		}
		return out, nil
	}
	for _, n := range names {
		s := cfg.FindSource(n)
		if s == nil {
			var known []string
			for _, s := range cfg.Sources {
				known = append(known, s.Name)
			}
			return nil, newsmon.Errorf(newsmon.EINVALID, "--source %q: no such source (known: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

// crawlSources runs one pass over the sources, a few at a time, with a
// progress line on a terminal; log lines then clear it before they print.
func crawlSources(ctx context.Context, cfg *newsmon.Config, sources []*newsmon.Source, st newsmon.Store, ex newsmon.Extractor, stderr io.Writer, quiet bool) ([]crawler.Summary, error) {
	logOut := stderr
	var prog *progress
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		prog = newProgress(f)
		defer prog.stop()
		logOut = prog
		quiet = true // the progress line says what info lines would
	}
	log := newLogger(logOut, quiet)
	shared, closeShared, err := openShared(ctx, cfg, st, log)
	if err != nil {
		return nil, err
	}
	defer closeShared()
	cr := crawler.NewShared(cfg.Crawler, st, ex, log, shared)
	if prog != nil {
		cr.Progress = prog.update
	}
	return cr.RunAll(ctx, sources, sourcesAtOnce)
}

// openShared connects to the shared frontier when [crawler] redis is set
// (else it returns the zero Shared: this process crawls alone). The
// returned close is never nil.
func openShared(ctx context.Context, cfg *newsmon.Config, st newsmon.Store, log *slog.Logger) (crawler.Shared, func(), error) {
	if cfg.Crawler.Redis == "" {
		// A store that locks across processes (PostgreSQL) still gives
		// each scheduled run of a source to one process.
		if lk, ok := st.(newsmon.Locker); ok {
			return crawler.Shared{Locker: lk, Lease: time.Duration(cfg.Crawler.Lease)}, func() {}, nil
		}
		return crawler.Shared{}, func() {}, nil
	}
	r, err := frontier.Open(ctx, cfg.Crawler.Redis, cfg.Crawler.RedisPrefix, log)
	if err != nil {
		return crawler.Shared{}, func() {}, err
	}
	sh := crawler.Shared{Frontier: r, Gate: r, Locker: r, Lease: time.Duration(cfg.Crawler.Lease)}
	return sh, func() { r.Close() }, nil
}

// startQueueWorkers has the daemon work on the article jobs that any
// process's runs queued on the shared frontier; the returned func stops
// the workers and waits for them. Without a frontier it does nothing.
func startQueueWorkers(cr *crawler.Crawler, sources []*newsmon.Source) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		cr.Work(ctx, sources)
	}()
	return func() {
		cancel()
		<-done
	}
}

func summaryLine(s crawler.Summary) string {
	name := s.Source
	if s.Helper {
		name += " (helped another process's run)"
	}
	line := fmt.Sprintf("%s: %d found, %d fetched, %d new, %d updated, %d unchanged, %d skipped as known, %d not articles, %d errors in %s",
		name, s.Discovered, s.Requests, s.New, s.Updated, s.Unchanged+s.Aliases, s.Skipped, s.NotArticle, s.Errors, s.Elapsed)
	if len(s.ErrorKinds) > 0 {
		kinds := make([]string, 0, len(s.ErrorKinds))
		for k, n := range s.ErrorKinds {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		line += " (" + strings.Join(kinds, ", ") + ")"
	}
	if s.Cut != "" {
		line += "; stopped early: " + s.Cut
	}
	return line
}

// progress draws one status line per running source on a terminal.
type progress struct {
	out  *os.File
	mu   sync.Mutex
	sums map[string]crawler.Summary
	last time.Time
}

func newProgress(out *os.File) *progress {
	return &progress{out: out, sums: map[string]crawler.Summary{}}
}

func (p *progress) update(s crawler.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sums[s.Source] = s
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	var parts []string
	names := make([]string, 0, len(p.sums))
	for n := range p.sums {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := p.sums[n]
		if s.Helper {
			parts = append(parts, fmt.Sprintf("%s helping %d (+%d)", n, s.Done, s.New))
			continue
		}
		if s.Queued == 0 && s.Done == 0 {
			parts = append(parts, fmt.Sprintf("%s: %d found", n, s.Discovered))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d (+%d)", n, s.Done, s.Queued, s.New))
	}
	line := []rune(strings.Join(parts, " · "))
	if w, _, err := term.GetSize(int(p.out.Fd())); err == nil && w > 4 && len(line) > w-1 {
		line = append(line[:w-2], '…')
	}
	fmt.Fprintf(p.out, "\r\033[K%s", string(line))
}

// Write prints a log record on a line of its own: it clears the progress
// line first, and the next update draws it again.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.out, "\r\033[K")
	p.last = time.Time{}
	return p.out.Write(b)
}

func (p *progress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.out, "\r\033[K")
}
