package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/alert"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/web"
)

// Bounds of a graceful stop: running crawls get stopTimeout to record
// where they stopped, the HTTP server shutdownTimeout to finish requests.
const (
	stopTimeout     = 30 * time.Second
	shutdownTimeout = 5 * time.Second

	// crawlDeliverTimeout bounds how long `crawl` waits to deliver the
	// alerts its run raised; what is left stays in the outbox.
	crawlDeliverTimeout = 30 * time.Second
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [--config FILE] [--addr HOST:PORT]", stderr)
	var cf commonFlags
	cf.register(fs)
	addr := fs.String("addr", "", "listen on `HOST:PORT` (overrides [web] addr)")
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
	if *addr != "" {
		cfg.Web.Addr = *addr
		if err := cfg.Validate(); err != nil { // a public address needs a token
			return err
		}
	}
	log := newLogger(stderr, cf.quiet)
	st, ob, err := openWithOutbox(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return err
	}
	token := ""
	if cfg.Web.TokenEnv != "" {
		if token = os.Getenv(cfg.Web.TokenEnv); token == "" {
			return newsmon.Errorf(newsmon.EINVALID, "web.token_env: the environment variable %s is empty", cfg.Web.TokenEnv)
		}
	}

	metrics := web.NewMetrics()
	shared, closeShared, err := openShared(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	defer closeShared()
	cr := crawler.NewShared(cfg.Crawler, st, ex, log, shared)
	var sources []*newsmon.Source
	for i := range cfg.Sources {
		if !cfg.Sources[i].Disabled {
			sources = append(sources, &cfg.Sources[i])
		}
	}
	sched, err := crawler.NewScheduler(sources, func(ctx context.Context, src *newsmon.Source) {
		sum, err := cr.Run(ctx, src)
		observeRun(metrics, sum)
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Error("crawl", "source", src.Name, "err", err)
		}
		checkHealth(ctx, cfg, st, ob, src, log)
	}, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Web.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (web.addr): %w", cfg.Web.Addr, err)
	}
	srv := newWebServer(web.New(st, webOptions(cfg, token, metrics, log)))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	deliverCtx, stopDelivering := context.WithCancel(context.Background())
	delivered := make(chan struct{})
	go func() {
		defer close(delivered)
		newDeliverer(cfg, ob, log).Run(deliverCtx, deliverEvery)
	}()

	if shared.Locker != nil {
		sched.Share(shared.Locker, shared.Lease, st)
	}
	sched.Start()
	stopWorkers := startQueueWorkers(cr, sources)
	maintCtx, stopMaintaining := context.WithCancel(context.Background())
	defer stopMaintaining()
	go optimizeNightly(maintCtx, st, log)
	log.Info("newsmon serving", "addr", ln.Addr().String(), "sources", len(sources), "alert_rules", len(cfg.Alerts))
	fmt.Fprintf(stdout, "newsmon serving on http://%s (%d sources)\n", ln.Addr(), len(sources))

	select {
	case <-ctx.Done():
		log.Info("stopping: crawls record where they stopped")
	case err := <-serveErr:
		log.Error("http server", "err", err)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	stopErr := sched.Stop(stopCtx)
	stopWorkers()
	stopDelivering()
	<-delivered
	shutCtx, cancelShut := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancelShut()
	srv.Shutdown(shutCtx)
	return stopErr
}

// deliverEvery is how often the daemon looks for alerts to deliver (a
// variable so that tests need not wait).
var deliverEvery = 15 * time.Second

// openWithOutbox opens the store, tells it the alert rules, and returns it
// with its outbox.
func openWithOutbox(cfg *newsmon.Config) (newsmon.Store, newsmon.Outbox, error) {
	st, err := openStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	ob, ok := st.(newsmon.Outbox)
	if !ok {
		st.Close()
		return nil, nil, errors.New("the store keeps no alert outbox")
	}
	if err := ob.SetAlertRules(cfg.Alerts); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, ob, nil
}

func newDeliverer(cfg *newsmon.Config, ob newsmon.Outbox, log *slog.Logger) *alert.Deliverer {
	return &alert.Deliverer{
		Outbox:  ob,
		Rules:   cfg.Alerts,
		Webhook: &alert.Webhook{},
		Email:   &alert.Email{SMTP: cfg.SMTP},
		Log:     log,
	}
}

// deliverNow sends what is due, bounded by crawlDeliverTimeout; what is
// left stays in the outbox for the next crawl or the daemon.
func deliverNow(ctx context.Context, cfg *newsmon.Config, ob newsmon.Outbox, log *slog.Logger) (int, int, error) {
	ctx, cancel := context.WithTimeout(ctx, crawlDeliverTimeout)
	defer cancel()
	return newDeliverer(cfg, ob, log).DeliverDue(ctx)
}

// checkHealth judges a source after a run and raises a source-health
// alert for each rule that watches it.
func checkHealth(ctx context.Context, cfg *newsmon.Config, st newsmon.Store, ob newsmon.Outbox, src *newsmon.Source, log *slog.Logger) {
	var rules []newsmon.AlertRule
	for _, r := range cfg.Alerts {
		if r.On == newsmon.AlertSourceHealth && (r.Source == "" || r.Source == src.Name) {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	runs, err := st.FindRuns(ctx, newsmon.RunFilter{Source: src.Name, Limit: newsmon.HealthRuns})
	if err != nil {
		log.Error("source health", "source", src.Name, "err", err)
		return
	}
	h := newsmon.JudgeHealth(runs)
	if h.OK {
		return
	}
	now := time.Now().UTC()
	for _, r := range rules {
		a := &newsmon.Alert{
			// One alert per rule, source and kind of problem a day: a source
			// that stays broken is not announced every run.
			ID:      fmt.Sprintf("health:%s:%s:%s:%s", r.Name, src.Name, h.Kind, now.Format("2006-01-02")),
			Rule:    r.Name,
			Kind:    newsmon.AlertSourceHealth,
			Source:  src.Name,
			Problem: h.Problem,
			Created: now, Updated: now, Version: 1,
			Articles: []newsmon.AlertArticle{},
		}
		if err := ob.RaiseAlert(ctx, a); err != nil {
			log.Error("raise source-health alert", "source", src.Name, "err", err)
		}
	}
}

func observeRun(m *web.Metrics, s crawler.Summary) {
	m.Add("newsmon_crawl_runs_total", "Crawl runs finished.", 1, "source", s.Source)
	m.Add("newsmon_pages_requested_total", "Pages requested, discovery included.", float64(s.Requests), "source", s.Source)
	m.Add("newsmon_articles_new_total", "New articles stored.", float64(s.New), "source", s.Source)
	m.Add("newsmon_articles_updated_total", "Known articles whose content changed.", float64(s.Updated), "source", s.Source)
	for kind, n := range s.ErrorKinds {
		m.Add("newsmon_fetch_errors_total", "Failed fetches by kind.", float64(n), "source", s.Source, "kind", kind)
	}
	m.Set("newsmon_last_run_timestamp_seconds", "When the source's last run finished.", float64(s.Finished.Unix()), "source", s.Source)
}

// optimizeHour is the hour (UTC) at which the daemon compacts the search
// index of a store that can (SQLite's FTS5 optimize): quiet for most of
// the outlets watched.
const optimizeHour = 3

// optimizeNightly compacts the store's search index every night at
// optimizeHour until ctx ends; a store without OptimizeIndex is left
// alone. A search index written by crawls piles up segments that every
// query has to visit (store/sqlite: OptimizeIndex).
func optimizeNightly(ctx context.Context, st newsmon.Store, log *slog.Logger) {
	o, ok := st.(interface{ OptimizeIndex(context.Context) error })
	if !ok {
		return
	}
	for {
		now := time.Now().UTC()
		next := time.Date(now.Year(), now.Month(), now.Day(), optimizeHour, 0, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
		start := time.Now()
		if err := o.OptimizeIndex(ctx); err != nil {
			if ctx.Err() == nil {
				log.Error("optimize search index", "err", err)
			}
			continue
		}
		log.Info("search index optimized", "elapsed", time.Since(start).Round(time.Millisecond).String())
	}
}
