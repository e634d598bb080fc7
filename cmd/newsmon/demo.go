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
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/web"
)

const demoDB = "newsmon-demo.db"

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo [--db FILE] [--addr HOST:PORT] [--serve=false]", stderr)
	var cf commonFlags
	cf.register(fs)
	addr := fs.String("addr", "", "serve the web UI on `HOST:PORT` (default [web] addr, 127.0.0.1:8080)")
	serve := fs.Bool("serve", true, "serve the web UI after the crawl, until interrupted")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if cf.db == "" {
		cf.db = demoDB
	}
	cfg, err := cf.loadConfig(fs)
	if err != nil {
		return err
	}
	if err := freshDemoStore(cf.db); err != nil {
		return err
	}

	site := testsite.Start()
	defer site.Close()
	cfg.Sources = site.Sources()
	// The simulated outlets are ours: no need to wait a second per page.
	cfg.Crawler.Delay = newsmon.Duration(20 * time.Millisecond)
	if *addr != "" {
		cfg.Web.Addr = *addr
	}
	if err := cfg.Validate(); err != nil { // a public address needs a token
		return err
	}
	token := ""
	if *serve && cfg.Web.TokenEnv != "" {
		if token = os.Getenv(cfg.Web.TokenEnv); token == "" {
			return newsmon.Errorf(newsmon.EINVALID, "web.token_env: the environment variable %s is empty", cfg.Web.TokenEnv)
		}
	}
	fmt.Fprintf(stdout, "Simulated outlets are up on loopback:\n")
	for _, s := range cfg.Sources {
		fmt.Fprintf(stdout, "  %-9s %s (%s)\n", s.Name, s.URL, s.Title)
	}
	fmt.Fprintf(stdout, "Crawling them into %s ...\n\n", cf.db)

	st, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return err
	}
	sources := make([]*newsmon.Source, len(cfg.Sources))
	for i := range cfg.Sources {
		sources[i] = &cfg.Sources[i]
	}
	sums, err := crawlSources(ctx, cfg, sources, st, ex, stderr, true)
	for _, s := range sums {
		fmt.Fprintln(stdout, summaryLine(s))
	}
	if err != nil {
		return err
	}

	fmt.Fprintln(stdout, "\nArticles by topic:")
	for _, t := range cfg.Topics {
		res, err := st.SearchArticles(ctx, newsmon.SearchFilter{Topic: t.Name, Limit: 1})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-10s %d\n", t.Name, res.Total)
	}
	for _, q := range []string{`"Middle Corridor"`, `"investment fund"`} {
		res, err := st.SearchArticles(ctx, newsmon.SearchFilter{Query: q, Limit: 3})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nTop results for %s:\n", q)
		if err := writeResults(stdout, "table", res); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, `
Search it yourself:
  newsmon search --db %[1]s "Middle Corridor"
  newsmon search --db %[1]s --topic pipeline BTC
  newsmon search --db %[1]s "investment fund" --format json
  newsmon export --db %[1]s > articles.jsonl
`, cf.db)
	if !*serve {
		return nil
	}
	return serveDemo(ctx, cfg, st, token, stdout, newLogger(stderr, cf.quiet))
}

// serveDemo serves the web UI over the demo store until ctx ends; the
// simulated outlets stay up meanwhile, so that links to the originals work.
func serveDemo(ctx context.Context, cfg *newsmon.Config, st newsmon.Store, token string, stdout io.Writer, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Web.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (web.addr, --addr): %w", cfg.Web.Addr, err)
	}
	srv := newWebServer(web.New(st, webOptions(cfg, token, nil, log)))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "\nThe analysts' desk: newsmon demo serving on http://%s (Ctrl-C stops)\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return fmt.Errorf("web server: %w", err)
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return srv.Shutdown(shutCtx)
}

// freshDemoStore removes an earlier demo store; it refuses to remove any
// other file, so that --db can never wipe a real store.
func freshDemoStore(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if path != demoDB {
		return newsmon.Errorf(newsmon.EINVALID, "--db %s: the file exists; demo wants a fresh store (remove it or name another file)", path)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
