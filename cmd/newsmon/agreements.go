package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	newsmon "github.com/newsmon/newsmon"
)

func cmdAgreements(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("agreements", "agreements [--since DATE] [--party P] [--status S] [--format table|json|jsonl|csv]", stderr)
	var cf commonFlags
	cf.register(fs)
	var f newsmon.AgreementFilter
	since := fs.String("since", "", "first reported on or after `DATE`")
	until := fs.String("until", "", "first reported before the end of `DATE`")
	fs.StringVar(&f.Party, "party", "", "only events with `PARTY` (a gazetteer name: Kazakhstan, SOCAR)")
	fs.StringVar(&f.Instrument, "instrument", "", "only `INSTRUMENT`s (agreement, memorandum, fund, ...)")
	fs.StringVar(&f.Status, "status", "", "only events with `STATUS`: signed, planned, ratified or mentioned")
	fs.IntVar(&f.Limit, "limit", 50, "at most `N` events")
	format := fs.String("format", "table", "output `format`: table, json, jsonl or csv")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if f.Since, err = newsmon.ParseDate("--since", *since, false); err != nil {
		return err
	}
	if f.Until, err = newsmon.ParseDate("--until", *until, true); err != nil {
		return err
	}
	switch f.Status {
	case "", newsmon.StatusSigned, newsmon.StatusPlanned, newsmon.StatusRatified, newsmon.StatusMentioned:
	default:
		return newsmon.Errorf(newsmon.EINVALID, "--status %q: want signed, planned, ratified or mentioned", f.Status)
	}
	if f.Limit < 1 || f.Limit > 1000 {
		return newsmon.Errorf(newsmon.EINVALID, "--limit %d: want 1 to 1000", f.Limit)
	}
	if err := checkFormat(*format, "table", "json", "jsonl", "csv"); err != nil {
		return err
	}
	_, st, err := cf.openExisting(fs)
	if err != nil {
		return err
	}
	defer st.Close()
	events, err := st.FindAgreementEvents(ctx, f)
	if err != nil {
		return err
	}
	return writeEvents(stdout, *format, events)
}

func writeEvents(w io.Writer, format string, events []newsmon.AgreementEvent) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if events == nil {
			events = []newsmon.AgreementEvent{}
		}
		return enc.Encode(events)
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, e := range events {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"event_id", "published", "status", "instrument", "parties", "value", "reports", "first_url", "sentence"})
		for _, e := range events {
			first := ""
			if len(e.Reports) > 0 {
				first = e.Reports[0].URL
			}
			cw.Write([]string{e.EventID, dateString(e.Published), e.Status, e.Instrument, strings.Join(e.Parties, "; "), e.Value, fmt.Sprint(len(e.Reports)), first, e.Sentence})
		}
		cw.Flush()
		return cw.Error()
	}
	if len(events) == 0 {
		fmt.Fprintln(w, "No agreement events found.")
		return nil
	}
	for i, e := range events {
		fmt.Fprintf(w, "%2d. %s %s · %s", i+1, dateString(e.Published), e.Status, e.Instrument)
		if len(e.Parties) > 0 {
			fmt.Fprintf(w, " · %s", strings.Join(e.Parties, ", "))
		}
		if e.Value != "" {
			fmt.Fprintf(w, " · %s", e.Value)
		}
		fmt.Fprintf(w, "\n    %s\n", e.Sentence)
		for _, r := range e.Reports {
			fmt.Fprintf(w, "    - %s · %s · %s\n", r.Source, r.Title, r.URL)
		}
	}
	return nil
}
