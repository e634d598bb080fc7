package testsite

import (
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsmon/newsmon"
)

// Request is one request an outlet received, as logged on arrival.
type Request struct {
	Outlet          string // "newsroom", "ministry" or "agency"
	Host            string // host:port the request was sent to
	Method          string
	Path            string // the RequestURI, with its query
	UserAgent       string
	Time            time.Time // arrival
	Status          int       // the status it was answered with (0 while unanswered)
	IfNoneMatch     string
	IfModifiedSince string
}

// Article is the ground truth about one real article an outlet publishes.
type Article struct {
	Source    string // "newsroom", "ministry" or "agency"
	URL       string // the canonical URL
	Title     string
	Author    string // "" when the page names no author
	Published time.Time
	// DayOnly is true when the article page itself shows only the day of
	// publication (a byline date); the instant is then known only from the
	// feed or the sitemap, if at all.
	DayOnly bool
	// Modified is the last change the page announces; zero when never changed.
	Modified time.Time
	Topics   []string // sorted subset of "agreement", "corridor", "pipeline"
	Language string
}

// Site is a set of simulated outlets, each served by its own loopback
// httptest.Server. Its methods are safe for concurrent use.
type Site struct {
	mu       sync.Mutex
	log      []Request
	logEpoch int
	updated  bool
	slow     time.Duration
	attempts map[string]int // per outlet and path, for the flaky article
	done     chan struct{}  // closed by Close, ends slow handlers
	closed   bool

	newsroom *newsroom
	ministry *ministry
	agency   *agency

	servers []*httptest.Server
	addr    string // where listen serves, when not 127.0.0.1:0 (GeneratedAt)
}

// outlet is one simulated site: a name, a handler and robots rules.
type outlet interface {
	name() string
	base() string
	serve(w http.ResponseWriter, r *http.Request)
	forbidden(requestURI string) bool
	crawlDelay() time.Duration
	source() newsmon.Source
	expected() []Article
}

// Start serves every outlet (newsroom, ministry, agency) on loopback; Close
// stops them.
func Start() *Site {
	s := newSite()
	s.newsroom = newNewsroom(s, handwrittenNewsroom())
	s.ministry = newMinistry(s)
	s.agency = newAgency(s)
	s.listen(s.newsroom, s.ministry, s.agency)
	return s
}

func newSite() *Site {
	return &Site{
		slow:     1500 * time.Millisecond,
		attempts: map[string]int{},
		done:     make(chan struct{}),
	}
}

// listen creates one loopback server per outlet, tells each outlet its
// base URL before it serves anything, and starts them.
func (s *Site) listen(outs ...interface {
	setBase(string)
	outlet
}) {
	if err := s.listenErr(outs...); err != nil {
		panic(err) // 127.0.0.1:0 is always there
	}
}

func (s *Site) listenErr(outs ...interface {
	setBase(string)
	outlet
}) error {
	for _, o := range outs {
		o := o
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.logged(o, w, r)
		}))
		if s.addr != "" {
			ln, err := net.Listen("tcp", s.addr)
			if err != nil {
				srv.Listener.Close()
				return fmt.Errorf("testsite: listen on %s: %w", s.addr, err)
			}
			srv.Listener.Close()
			srv.Listener = ln
		}
		o.setBase("http://" + srv.Listener.Addr().String())
		s.servers = append(s.servers, srv)
	}
	for _, srv := range s.servers {
		srv.Start()
	}
	return nil
}

func (s *Site) outlets() []outlet {
	var outs []outlet
	if s.newsroom != nil {
		outs = append(outs, s.newsroom)
	}
	if s.ministry != nil {
		outs = append(outs, s.ministry)
	}
	if s.agency != nil {
		outs = append(outs, s.agency)
	}
	return outs
}

// Close stops every outlet, ending slow and huge responses still running.
func (s *Site) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	for _, srv := range s.servers {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// statusWriter records the status a handler answers with in the log the
// moment the header is written, before the client can see the response.
type statusWriter struct {
	http.ResponseWriter
	status int
	record func(status int)
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.record(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// logged records the request on arrival and its status when answered, and
// serves it.
func (s *Site) logged(o outlet, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := len(s.log)
	s.log = append(s.log, Request{
		Outlet:          o.name(),
		Host:            r.Host,
		Method:          r.Method,
		Path:            r.RequestURI,
		UserAgent:       r.UserAgent(),
		Time:            time.Now(),
		IfNoneMatch:     r.Header.Get("If-None-Match"),
		IfModifiedSince: r.Header.Get("If-Modified-Since"),
	})
	epoch := s.logEpoch
	s.mu.Unlock()

	sw := &statusWriter{ResponseWriter: w, record: func(status int) {
		s.mu.Lock()
		// A request still running across ResetLog must not set a status
		// in the new log.
		if s.logEpoch == epoch && i < len(s.log) {
			s.log[i].Status = status
		}
		s.mu.Unlock()
	}}
	defer func() {
		// A handler that wrote nothing answers 200, unless it gave up
		// because the client went away or the site closed (status 0).
		if sw.status == 0 && r.Context().Err() == nil && !s.isClosed() {
			sw.WriteHeader(http.StatusOK)
		}
	}()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(sw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	o.serve(sw, r)
}

func (s *Site) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Requests returns a copy of the request log of all outlets, in order of
// arrival.
func (s *Site) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog empties the request log.
func (s *Site) ResetLog() {
	s.mu.Lock()
	s.log = nil
	s.logEpoch++ // a request still running must not set a status in the new log
	s.mu.Unlock()
}

// Sources returns a newsmon.Source for each outlet, configured as a user
// would configure the real outlet it imitates. The caller validates them.
func (s *Site) Sources() []newsmon.Source {
	var srcs []newsmon.Source
	for _, o := range s.outlets() {
		srcs = append(srcs, o.source())
	}
	return srcs
}

func (s *Site) outletByHost(host string) outlet {
	for _, o := range s.outlets() {
		if strings.TrimPrefix(o.base(), "http://") == host {
			return o
		}
	}
	return nil
}

// Forbidden reports whether robots.txt of the outlet at host (host:port)
// disallows requestURI for a crawler named "newsmon". The rules are written
// out by hand from the robots.txt files the outlets serve.
func (s *Site) Forbidden(host, requestURI string) bool {
	o := s.outletByHost(host)
	if o == nil {
		return false
	}
	return o.forbidden(requestURI)
}

// CrawlDelay returns the Crawl-delay robots.txt of the outlet at host sets
// for "newsmon" (0 when none).
func (s *Site) CrawlDelay(host string) time.Duration {
	o := s.outletByHost(host)
	if o == nil {
		return 0
	}
	return o.crawlDelay()
}

// Expected returns the ground truth of every real article currently
// published, ordered by source and then publication time.
func (s *Site) Expected() []Article {
	var all []Article
	for _, o := range s.outlets() {
		all = append(all, o.expected()...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Source != all[j].Source {
			return all[i].Source < all[j].Source
		}
		if !all[i].Published.Equal(all[j].Published) {
			return all[i].Published.Before(all[j].Published)
		}
		return all[i].URL < all[j].URL
	})
	return all
}

// Update publishes two new newsroom articles and one new ministry statement
// and adds a correction to one newsroom article. A second call does nothing.
// A generated site has nothing to update.
func (s *Site) Update() {
	s.mu.Lock()
	s.updated = true
	s.mu.Unlock()
}

func (s *Site) isUpdated() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updated
}

// SetSlow sets how long the slow article sleeps before answering (default
// 1.5s).
func (s *Site) SetSlow(d time.Duration) {
	s.mu.Lock()
	s.slow = d
	s.mu.Unlock()
}

func (s *Site) slowDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slow
}

// attempt counts requests to key and returns the count including this one.
func (s *Site) attempt(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[key]++
	return s.attempts[key]
}

// sleep waits d or until the request is abandoned or the site closes; it
// reports whether the full time passed.
func (s *Site) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// serveBody answers r with body, its ETag (a hash of the body) and
// Last-Modified, or with 304 Not Modified when r's validators match.
// If-None-Match takes precedence over If-Modified-Since (RFC 9110).
func serveBody(w http.ResponseWriter, r *http.Request, contentType string, body []byte, modified time.Time) {
	h := fnv.New64a()
	h.Write(body)
	etag := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	serveTagged(w, r, contentType, body, etag, modified)
}

func serveTagged(w http.ResponseWriter, r *http.Request, contentType string, body []byte, etag string, modified time.Time) {
	hdr := w.Header()
	hdr.Set("ETag", etag)
	if !modified.IsZero() {
		hdr.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", contentType)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified evaluates the conditional request headers against the
// resource's validators.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		if err == nil && !modified.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}

// redirect answers with a redirect that carries no body worth reading.
func redirect(w http.ResponseWriter, to string, code int) {
	w.Header().Set("Location", to)
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(code)
	w.Write([]byte("<html><body>Moved: <a href=\"" + to + "\">here</a></body></html>"))
}

func sortedTopics(ts []string) []string {
	out := append([]string{}, ts...)
	sort.Strings(out)
	return out
}
