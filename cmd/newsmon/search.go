package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"golang.org/x/term"
)

func cmdSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", "search QUERY [flags]", stderr)
	var cf commonFlags
	cf.register(fs)
	var f newsmon.SearchFilter
	fs.StringVar(&f.Topic, "topic", "", "only articles about `TOPIC`")
	fs.StringVar(&f.Source, "source", "", "only articles of source `NAME`")
	fs.StringVar(&f.Language, "lang", "", "only articles in `LANG` (en, ru, ...)")
	since := fs.String("since", "", "published on or after `DATE` (2024-03-01)")
	until := fs.String("until", "", "published before the end of `DATE`")
	fs.IntVar(&f.Limit, "limit", 20, "at most `N` results")
	fs.IntVar(&f.Offset, "offset", 0, "skip the first `N` results")
	format := fs.String("format", "table", "output `format`: table, json, jsonl or csv")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	f.Query = strings.Join(pos, " ")
	if f.Query == "" && f.Topic == "" && f.Source == "" {
		fs.Usage()
		return fmt.Errorf("%w: give a query or a filter", errUsage)
	}
	if f.Since, err = newsmon.ParseDate("--since", *since, false); err != nil {
		return err
	}
	if f.Until, err = newsmon.ParseDate("--until", *until, true); err != nil {
		return err
	}
	if f.Limit < 1 || f.Limit > 1000 {
		return newsmon.Errorf(newsmon.EINVALID, "--limit %d: want 1 to 1000", f.Limit)
	}
	if f.Offset < 0 {
		return newsmon.Errorf(newsmon.EINVALID, "--offset %d: negative", f.Offset)
	}
	if err := checkFormat(*format, "table", "json", "jsonl", "csv"); err != nil {
		return err
	}
	_, st, err := cf.openExisting(fs)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.SearchArticles(ctx, f)
	if err != nil {
		return err
	}
	return writeResults(stdout, *format, res)
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return newsmon.Errorf(newsmon.EINVALID, "--format %q: want one of %s", format, strings.Join(allowed, ", "))
}

func writeResults(w io.Writer, format string, res *newsmon.SearchResults) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range res.Results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "published", "source", "title", "url", "topics", "snippet"})
		for _, r := range res.Results {
			cw.Write([]string{fmt.Sprint(r.ID), dateString(r.Published), r.Source, r.Title, r.URL, strings.Join(r.Topics, " "), plainSnippet(r.Snippet, "", "")})
		}
		cw.Flush()
		return cw.Error()
	}
	open, close := "[", "]"
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		open, close = "\033[1m", "\033[0m"
	}
	if res.Total == 0 {
		fmt.Fprintln(w, "No articles found.")
		return nil
	}
	fmt.Fprintf(w, "%d articles found", res.Total)
	if len(res.Results) < res.Total {
		fmt.Fprintf(w, ", showing %d", len(res.Results))
	}
	fmt.Fprintln(w)
	for i, r := range res.Results {
		fmt.Fprintf(w, "\n%2d. %s\n    %s · %s · %s", i+1, r.Title, r.Source, dateString(r.Published), r.URL)
		if len(r.Topics) > 0 {
			fmt.Fprintf(w, " · %s", strings.Join(r.Topics, ", "))
		}
		fmt.Fprintln(w)
		if s := plainSnippet(r.Snippet, open, close); s != "" {
			fmt.Fprintf(w, "    %s\n", s)
		}
	}
	return nil
}

// plainSnippet turns an HTML snippet into text, the marks into open/close.
func plainSnippet(s, open, close string) string {
	s = strings.NewReplacer("<mark>", "\x01", "</mark>", "\x02").Replace(s)
	s = html.UnescapeString(s)
	s = strings.NewReplacer("\x01", open, "\x02", close, "\n", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func dateString(t *time.Time) string {
	if t == nil {
		return "undated"
	}
	return t.UTC().Format("2006-01-02")
}
