package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/internal/testsite"
)

const demoDB = "newsmon-demo.db"

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo [--db FILE]", stderr)
	var cf commonFlags
	cf.register(fs)
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
	if err := cfg.Validate(); err != nil {
		return err
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
	return nil
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
