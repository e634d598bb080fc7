package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/postgres"
	"github.com/newsmon/newsmon/store/sqlite"
)

// migrateCounts counts what migrate-store copied and what the target held
// already.
type migrateCounts struct{ copied, present int }

func (c *migrateCounts) add(copied bool) {
	if copied {
		c.copied++
	} else {
		c.present++
	}
}

// fetchStateBatch is how many articles' addresses migrate-store looks up
// fetch states for at once.
const fetchStateBatch = 500

// cmdMigrateStore copies an SQLite store into a PostgreSQL one: articles
// with every address, mention and agreement (first sight, fetch and event
// IDs kept), the fetch states of their addresses, the run history and the
// alerts. What the target holds already is skipped, so running it again
// copies nothing twice.
func cmdMigrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate-store", "migrate-store --from FILE --to postgres://USER@HOST/DB", stderr)
	from := fs.String("from", "", "the SQLite store `file` to copy")
	to := fs.String("to", "", "the PostgreSQL store to copy into, a postgres:// `DSN`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	case *from == "":
		return newsmon.Errorf(newsmon.EINVALID, "--from is required: the SQLite store file to copy")
	case *to == "":
		return newsmon.Errorf(newsmon.EINVALID, "--to is required: the postgres:// DSN of the store to copy into")
	case !newsmon.IsPostgresDSN(*to):
		return newsmon.Errorf(newsmon.EINVALID, "--to: want a postgres:// or postgresql:// DSN")
	}
	if _, err := os.Stat(*from); errors.Is(err, os.ErrNotExist) {
		return newsmon.Errorf(newsmon.EINVALID, "--from %s: no such file", *from)
	}
	src, err := sqlite.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()

	var articles, states, runs, alerts migrateCounts
	// IDs of the source's articles in the target, for the fetch states
	// that point to them.
	ids := make(map[int64]int64)
	// The sources of the articles: their runs are copied even when the
	// newest runs of the store are all of other sources.
	articleSources := make(map[string]bool)
	var urls []string
	copyStates := func() error {
		if len(urls) == 0 {
			return nil
		}
		found, err := src.FindFetchStates(ctx, urls)
		if err != nil {
			return err
		}
		for _, u := range urls {
			st := found[u]
			if st == nil {
				continue
			}
			if st.ArticleID != 0 {
				st.ArticleID = ids[st.ArticleID] // 0 when that article was not copied
			}
			ok, err := dst.ImportFetchState(ctx, st)
			if err != nil {
				return err
			}
			states.add(ok)
		}
		urls = urls[:0]
		return nil
	}
	err = src.ExportArticles(ctx, newsmon.ExportFilter{}, func(a *newsmon.Article) error {
		id, created, err := dst.ImportArticle(ctx, a)
		if err != nil {
			return err
		}
		articles.add(created)
		ids[a.ID] = id
		articleSources[a.Source] = true
		urls = append(urls, a.URLs...)
		if !slices.Contains(a.URLs, a.CanonicalURL) {
			urls = append(urls, a.CanonicalURL)
		}
		if len(urls) >= fetchStateBatch {
			return copyStates()
		}
		return nil
	})
	if err == nil {
		err = copyStates()
	}
	if err != nil {
		return fmt.Errorf("copy articles: %w", err)
	}

	// Runs, oldest first, source by source (the store keeps at most 500
	// a source). The Store interface cannot list the sources with runs:
	// those of the newest runs and those of the articles are every source
	// but one that stored nothing and ran long ago.
	recent, err := src.FindRuns(ctx, newsmon.RunFilter{Limit: 1000})
	if err != nil {
		return fmt.Errorf("copy runs: %w", err)
	}
	var sources []string
	for _, r := range recent {
		sources = append(sources, r.Source)
	}
	for s := range articleSources {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	for _, source := range slices.Compact(sources) {
		rs, err := src.FindRuns(ctx, newsmon.RunFilter{Source: source, Limit: 1000})
		if err != nil {
			return fmt.Errorf("copy runs: %w", err)
		}
		slices.Reverse(rs)
		for _, r := range rs {
			ok, err := dst.ImportRun(ctx, r)
			if err != nil {
				return fmt.Errorf("copy runs: %w", err)
			}
			runs.add(ok)
		}
	}

	// Alerts, as sent: the deliveries still pending in the source are not
	// copied, so none goes out twice.
	const maxAlerts = 1000
	as, err := src.FindAlerts(ctx, newsmon.AlertFilter{Limit: maxAlerts})
	if err != nil {
		return fmt.Errorf("copy alerts: %w", err)
	}
	slices.Reverse(as)
	for _, a := range as {
		ok, err := dst.ImportAlert(ctx, a)
		if err != nil {
			return fmt.Errorf("copy alerts: %w", err)
		}
		alerts.add(ok)
	}
	if err := dst.FinishImport(ctx); err != nil {
		return err
	}

	for _, c := range []struct {
		name string
		n    migrateCounts
	}{{"articles", articles}, {"fetch states", states}, {"runs", runs}, {"alerts", alerts}} {
		fmt.Fprintf(stdout, "%-13s %d copied, %d already there\n", c.name+":", c.n.copied, c.n.present)
	}
	if len(as) == maxAlerts {
		fmt.Fprintf(stderr, "newsmon migrate-store: only the newest %d alerts were copied\n", maxAlerts)
	}
	return nil
}
