// Package web is newsmon's HTTP server: the analysts' pages (search with
// facets and highlighted snippets, a timeline chart, articles with their
// mentions highlighted, agreement events, source health), the JSON API
// behind them, streaming CSV and JSON Lines export, health, Prometheus
// metrics and the Atom feed of alerts.
//
// It uses the standard library only: net/http's ServeMux with method
// patterns and CrossOriginProtection for the login form, html/template for
// the pages, embed.FS for the templates and the one stylesheet, and a small
// hand-written metrics registry that writes the Prometheus text format (a
// handful of counters does not need a client library and its
// dependencies). The timeline chart is SVG drawn in Go on the server, so
// the pages need no JavaScript at all, and the Content-Security-Policy
// allows none.
//
// Article titles and text are untrusted HTML from the web: templates
// escape them, and the two places that emit markup built here (snippets
// with <mark> from the store, article text with its mentions marked)
// escape every byte of text themselves. API errors are JSON {"error": "..."}
// with the status that newsmon.ErrorCode maps to; user input never causes a
// 500.
package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// Options configure a Server.
type Options struct {
	// Token, when not empty, is required on every path but /healthz, the
	// login page and the stylesheet: as "Authorization: Bearer TOKEN", as
	// ?token=TOKEN (feed readers and scrapers cannot set headers), or as
	// the session cookie the login form sets.
	Token string
	// Atom writes the alerts feed (package alert's WriteAtom); nil serves
	// no feed.
	Atom    func(w io.Writer, alerts []newsmon.Alert, selfURL string, updated time.Time) error
	Metrics *Metrics
	Log     *slog.Logger

	// Sources are the configured sources: the kind filter (news or
	// statement) maps to their names, and the sources page lists them.
	Sources []newsmon.Source
	// Topics and Parties name the choices of the search form's filters.
	Topics  []string
	Parties []string
}

// Server serves newsmon over HTTP.
type Server struct {
	store newsmon.Store
	opts  Options
	mux   *http.ServeMux
	pages *pages

	// writeTimeout bounds how long a response may take to write, and
	// exportStall how long an export may wait for its client to take the
	// next record (fields so that tests need not wait that long).
	writeTimeout, exportStall time.Duration
}

// Bounds on writing a response: a client that stops reading must not hold
// a goroutine and its connection for ever. An export takes as long as it
// needs so long as the client keeps reading.
const (
	writeTimeout = 2 * time.Minute
	exportStall  = 30 * time.Second
)

// New returns a server over the store.
func New(st newsmon.Store, opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	s := &Server{store: st, opts: opts, mux: http.NewServeMux(), writeTimeout: writeTimeout, exportStall: exportStall}
	s.pages = loadPages(s)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.metrics)
	s.mux.HandleFunc("GET /feeds/alerts.atom", s.alertsFeed)

	s.mux.HandleFunc("GET /api/search", s.apiSearch)
	s.mux.HandleFunc("GET /api/articles/{id}", s.apiArticle)
	s.mux.HandleFunc("GET /api/agreements", s.apiAgreements)
	s.mux.HandleFunc("GET /api/sources", s.apiSources)
	s.mux.HandleFunc("GET /api/timeline", s.apiTimeline)
	s.mux.HandleFunc("GET /api/export", s.apiExport)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newsmon.Errorf(newsmon.ENOTFOUND, "no such API endpoint: %s %s", r.Method, r.URL.Path))
	})

	s.mux.HandleFunc("GET /{$}", s.searchPage)
	s.mux.HandleFunc("GET /timeline", s.timelinePage)
	s.mux.HandleFunc("GET /articles/{id}", s.articlePage)
	s.mux.HandleFunc("GET /agreements", s.agreementsPage)
	s.mux.HandleFunc("GET /sources", s.sourcesPage)
	s.mux.HandleFunc("GET /help", s.helpPage)
	s.mux.Handle("GET /static/", staticFiles())
	s.mux.HandleFunc("GET /login", s.loginPage)
	csrf := http.NewCrossOriginProtection()
	s.mux.Handle("POST /login", csrf.Handler(http.HandlerFunc(s.login)))
	s.mux.Handle("POST /logout", csrf.Handler(http.HandlerFunc(s.logout)))

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r, newsmon.Errorf(newsmon.ENOTFOUND, "no such page: %s", r.URL.Path))
	})
	return s
}

// contentSecurityPolicy allows the page's own stylesheet and forms and
// nothing else: no script at all, no frames, no plug-ins, no base
// rewriting, and images only from the server or data: URLs. An injected
// script or event handler cannot run even if escaping ever failed.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP sets the security headers, checks the token, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	// Links lead to the outlets: they need not learn the desk's address,
	// nor a ?token= in it.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	// Not every ResponseWriter can (a test's recorder): then there is no
	// connection to hold either.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.writeTimeout))
	if s.opts.Token != "" && !openPath(r) && !s.authorized(r) {
		s.unauthorized(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// openPath reports whether r may be served without the token: the health
// check, the login form and what it needs to render.
func openPath(r *http.Request) bool {
	p := r.URL.Path
	return p == "/healthz" || p == "/login" || p == "/logout" || strings.HasPrefix(p, "/static/")
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		got = r.URL.Query().Get("token") // feed readers cannot set headers
	}
	if got != "" {
		return tokenEqual(got, s.opts.Token)
	}
	return s.hasSession(r)
}

// hasSession reports whether r carries a valid, unexpired login cookie.
func (s *Server) hasSession(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	return err == nil && validSession(s.opts.Token, c.Value, time.Now())
}

// unauthorized sends a browser asking for a page to the login form and
// anything else a 401.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && wantsHTML(r) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="newsmon"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a token is required: Authorization: Bearer TOKEN"})
}

// wantsHTML reports whether r comes from a browser navigating to a page,
// not from an API client.
func wantsHTML(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
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

// fail logs an internal error and writes err as JSON.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if statusOf(err) == http.StatusInternalServerError {
		s.opts.Log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	writeError(w, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
