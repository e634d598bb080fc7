package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// apiExport streams every article the search selects, oldest first, as
// CSV or JSON Lines (the records of `newsmon export`), whatever the
// search's limit and offset. Once the first byte is out a failure can no
// longer change the status: it is logged and the connection is cut, so
// that the client sees a broken transfer, not a complete short file. The
// write deadline moves on with every record, so a large export to a
// client that reads runs to the end, and one to a client that has stopped
// reading ends after exportStall.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format := strings.TrimSpace(v.Get("format"))
	if format == "" {
		format = "jsonl"
	}
	if format != "csv" && format != "jsonl" {
		s.fail(w, r, newsmon.Errorf(newsmon.EINVALID, "format %q: want csv or jsonl", format))
		return
	}
	p, err := s.parseSearch(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !p.noSource && p.Filter.Query != "" {
		// A malformed query must be a 400, which it can only be before the
		// body starts: the stores' own parser checks it.
		if _, err := newsmon.ParseQuery(p.Filter.Query); err != nil {
			s.fail(w, r, queryError(err))
			return
		}
	}
	h := w.Header()
	if format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/jsonl; charset=utf-8")
	}
	h.Set("Content-Disposition", `attachment; filename="newsmon-export.`+format+`"`)
	w.WriteHeader(http.StatusOK)

	rc := http.NewResponseController(w)
	var write func(a *newsmon.Article) error
	var flush func() error
	if format == "csv" {
		cw := csv.NewWriter(w)
		cw.Write(newsmon.CSVHeader)
		write = func(a *newsmon.Article) error { return cw.Write(a.CSVRecord()) }
		flush = func() error { cw.Flush(); return cw.Error() }
	} else {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(a *newsmon.Article) error { return enc.Encode(a) }
		flush = func() error { return nil }
	}
	writeRecord := func(a *newsmon.Article) error {
		rc.SetWriteDeadline(time.Now().Add(s.exportStall))
		return write(a)
	}
	if !p.noSource {
		match := p.Filter
		err = s.store.ExportArticles(r.Context(), newsmon.ExportFilter{Match: &match}, writeRecord)
	}
	if ferr := flush(); err == nil {
		err = ferr
	}
	if err != nil {
		s.opts.Log.Error("export", "err", err)
		// The status is out: only a body that does not end properly (no
		// last chunk) tells the client that the export is incomplete,
		// rather than a short file that looks whole.
		panic(http.ErrAbortHandler)
	}
}
