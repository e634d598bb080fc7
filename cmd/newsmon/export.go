package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	newsmon "github.com/newsmon/newsmon"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "export [--format jsonl|csv] [--since DATE]", stderr)
	var cf commonFlags
	cf.register(fs)
	format := fs.String("format", "jsonl", "output `format`: jsonl or csv")
	since := fs.String("since", "", "only articles first seen or published on or after `DATE`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if err := checkFormat(*format, "jsonl", "csv"); err != nil {
		return err
	}
	var f newsmon.ExportFilter
	if f.Since, err = newsmon.ParseDate("--since", *since, false); err != nil {
		return err
	}
	_, st, err := cf.openExisting(fs)
	if err != nil {
		return err
	}
	defer st.Close()

	if *format == "csv" {
		cw := csv.NewWriter(stdout)
		cw.Write(newsmon.CSVHeader)
		err = st.ExportArticles(ctx, f, func(a *newsmon.Article) error { return cw.Write(a.CSVRecord()) })
		cw.Flush()
		if err != nil {
			return err
		}
		return cw.Error()
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	return st.ExportArticles(ctx, f, func(a *newsmon.Article) error { return enc.Encode(a) })
}
