// Package web is newsmon's HTTP server: health, Prometheus metrics and the
// Atom feed of alerts now; the analysts' JSON API and pages come next.
//
// It uses the standard library only: net/http's ServeMux with method
// patterns, and a small hand-written metrics registry that writes the
// Prometheus text format (a handful of counters does not need a client
// library and its dependencies). Errors are JSON {"error": "..."} with the
// status that newsmon.ErrorCode maps to.
package web

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// Options configure a Server.
type Options struct {
	// Token, when not empty, is required as "Authorization: Bearer TOKEN"
	// on every path but /healthz.
	Token string
	// Atom writes the alerts feed (package alert's WriteAtom); nil serves
	// no feed.
	Atom    func(w io.Writer, alerts []newsmon.Alert, selfURL string, updated time.Time) error
	Metrics *Metrics
	Log     *slog.Logger
}

// Server serves newsmon over HTTP.
type Server struct {
	store newsmon.Store
	opts  Options
	mux   *http.ServeMux
}

// New returns a server over the store.
func New(st newsmon.Store, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	s := &Server{store: st, opts: opts, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.metrics)
	s.mux.HandleFunc("GET /feeds/alerts.atom", s.alertsFeed)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newsmon.Errorf(newsmon.ENOTFOUND, "no such page: %s", r.URL.Path))
	})
	return s
}

// ServeHTTP checks the token, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if s.opts.Token != "" && r.URL.Path != "/healthz" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="newsmon"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a token is required: Authorization: Bearer TOKEN"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		got = r.URL.Query().Get("token") // feed readers cannot set headers
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.opts.Metrics.WriteText(w)
}

// feedAlerts is how many alerts the Atom feed lists.
const feedAlerts = 100

func (s *Server) alertsFeed(w http.ResponseWriter, r *http.Request) {
	ob, ok := s.store.(newsmon.Outbox)
	if !ok || s.opts.Atom == nil {
		writeError(w, newsmon.Errorf(newsmon.ENOTFOUND, "no alert feed in this setup"))
		return
	}
	alerts, err := ob.FindAlerts(r.Context(), newsmon.AlertFilter{Limit: feedAlerts})
	if err != nil {
		s.opts.Log.Error("alerts feed", "err", err)
		writeError(w, err)
		return
	}
	updated := time.Unix(0, 0).UTC()
	for _, a := range alerts {
		if a.Updated.After(updated) {
			updated = a.Updated
		}
	}
	self := "http://" + r.Host + r.URL.Path
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	if err := s.opts.Atom(w, alerts, self, updated); err != nil {
		s.opts.Log.Error("write alerts feed", "err", err)
	}
}

// statusOf maps a user error code to an HTTP status.
func statusOf(err error) int {
	switch newsmon.ErrorCode(err) {
	case newsmon.EINVALID:
		return http.StatusBadRequest
	case newsmon.ENOTFOUND:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, statusOf(err), map[string]string{"error": newsmon.ErrorMessage(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
