package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

const testUA = "newsmon/1.0 (+https://github.com/newsmon/newsmon)"

// arrival is one request as the test server saw it.
type arrival struct {
	path string
	at   time.Time
	ua   string
}

// loggedSite is a loopback server that records every request's path,
// arrival time and User-Agent. Paths without a handler get 404.
type loggedSite struct {
	*httptest.Server
	mu       sync.Mutex
	arrivals []arrival
	handlers map[string]http.HandlerFunc
}

func newLoggedSite(t *testing.T, handlers map[string]http.HandlerFunc) *loggedSite {
	t.Helper()
	s := &loggedSite{handlers: handlers}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.arrivals = append(s.arrivals, arrival{path: r.URL.RequestURI(), at: time.Now(), ua: r.UserAgent()})
		s.mu.Unlock()
		if h, ok := s.handlers[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *loggedSite) log() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.arrivals)
}

func (s *loggedSite) paths() []string {
	var ps []string
	for _, a := range s.log() {
		ps = append(ps, a.path)
	}
	return ps
}

func (s *loggedSite) count(path string) int {
	n := 0
	for _, a := range s.log() {
		if a.path == path {
			n++
		}
	}
	return n
}

func text(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, body)
	}
}

func html(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

// get sends a GET through tr with a plain client (redirects followed)
// and returns the response with its body read.
func get(t *testing.T, tr http.RoundTripper, rawURL string) (*http.Response, []byte, error) {
	t.Helper()
	return getCtx(context.Background(), t, tr, rawURL)
}

func getCtx(ctx context.Context, t *testing.T, tr http.RoundTripper, rawURL string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// releaseOnCleanup returns a func that closes release once; it also runs
// before the test's servers close, so that a failing test never leaves a
// handler blocked.
func releaseOnCleanup(t *testing.T, release chan struct{}) func() {
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free)
	return free
}

// gaps returns the time between consecutive arrivals.
func gaps(as []arrival) []time.Duration {
	var ds []time.Duration
	for i := 1; i < len(as); i++ {
		ds = append(ds, as[i].at.Sub(as[i-1].at))
	}
	return ds
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestTransportRobotsVerdicts(t *testing.T) {
	tests := []struct {
		name        string
		robots      http.HandlerFunc
		extra       map[string]http.HandlerFunc
		path        string
		wantAllowed bool
		wantPaths   []string
	}{
		{
			name:        "2xx parsed: disallowed path gets no request",
			robots:      text("User-agent: *\nDisallow: /private/\n"),
			path:        "/private/report.html",
			wantAllowed: false,
			wantPaths:   []string{"/robots.txt"},
		},
		{
			name:        "2xx parsed: allowed path fetched",
			robots:      text("User-agent: *\nDisallow: /private/\n"),
			path:        "/news/1",
			wantAllowed: true,
			wantPaths:   []string{"/robots.txt", "/news/1"},
		},
		{
			name:        "group for our product token",
			robots:      text("User-agent: *\nDisallow:\n\nUser-agent: Newsmon\nDisallow: /news/\n"),
			path:        "/news/1",
			wantAllowed: false,
			wantPaths:   []string{"/robots.txt"},
		},
		{
			name:        "404 allows all",
			robots:      status(http.StatusNotFound),
			path:        "/private/report.html",
			wantAllowed: true,
			wantPaths:   []string{"/robots.txt", "/private/report.html"},
		},
		{
			name:        "403 allows all",
			robots:      status(http.StatusForbidden),
			path:        "/a",
			wantAllowed: true,
			wantPaths:   []string{"/robots.txt", "/a"},
		},
		{
			name:        "500 disallows all",
			robots:      status(http.StatusInternalServerError),
			path:        "/news/1",
			wantAllowed: false,
			wantPaths:   []string{"/robots.txt"},
		},
		{
			name:        "429 disallows all",
			robots:      status(http.StatusTooManyRequests),
			path:        "/news/1",
			wantAllowed: false,
			wantPaths:   []string{"/robots.txt"},
		},
		{
			name: "redirect followed",
			robots: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/real-robots.txt", http.StatusMovedPermanently)
			},
			extra:       map[string]http.HandlerFunc{"/real-robots.txt": text("User-agent: *\nDisallow: /news/\n")},
			path:        "/news/1",
			wantAllowed: false,
			wantPaths:   []string{"/robots.txt", "/real-robots.txt"},
		},
		{
			name: "more than five redirects: taken as missing",
			robots: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/robots.txt", http.StatusFound)
			},
			path:        "/news/1",
			wantAllowed: true,
			wantPaths:   []string{"/robots.txt", "/robots.txt", "/robots.txt", "/robots.txt", "/robots.txt", "/robots.txt", "/news/1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handlers := map[string]http.HandlerFunc{
				"/robots.txt":          tt.robots,
				"/news/1":              html("<p>news</p>"),
				"/private/report.html": html("<p>private</p>"),
				"/a":                   html("<p>a</p>"),
			}
			for p, h := range tt.extra {
				handlers[p] = h
			}
			site := newLoggedSite(t, handlers)
			tr := NewTransport(TransportOptions{UserAgent: testUA, Timeout: 5 * time.Second})
			resp, _, err := get(t, tr, site.URL+tt.path)
			if tt.wantAllowed {
				if err != nil {
					t.Fatalf("GET: %v", err)
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status = %d, want 200", resp.StatusCode)
				}
			} else if !errors.Is(err, ErrDisallowed) {
				t.Fatalf("GET error = %v, want ErrDisallowed", err)
			}
			if got := site.paths(); !slices.Equal(got, tt.wantPaths) {
				t.Errorf("server saw %q, want %q", got, tt.wantPaths)
			}
			for _, a := range site.log() {
				if a.ua != testUA {
					t.Errorf("%s sent with User-Agent %q", a.path, a.ua)
				}
			}
			if got := tr.Stats().Disallowed; (got > 0) == tt.wantAllowed {
				t.Errorf("Stats().Disallowed = %d with allowed = %v", got, tt.wantAllowed)
			}
		})
	}
}

func TestTransportRobotsCache(t *testing.T) {
	tests := []struct {
		name       string
		ttl        time.Duration
		robots     []http.HandlerFunc // one per robots.txt request; the last repeats
		wantErrs   []error            // per GET of /p
		wantRobots int
	}{
		{
			name:       "kept for RobotsTTL",
			robots:     []http.HandlerFunc{text("User-agent: *\nDisallow: /x/\n")},
			wantErrs:   []error{nil, nil, nil},
			wantRobots: 1,
		},
		{
			name:       "fetched again once expired",
			ttl:        time.Nanosecond,
			robots:     []http.HandlerFunc{text("User-agent: *\nDisallow: /x/\n")},
			wantErrs:   []error{nil, nil},
			wantRobots: 2,
		},
		{
			name:       "unreachable verdict cached, not refetched at once",
			robots:     []http.HandlerFunc{status(http.StatusServiceUnavailable), text("User-agent: *\nDisallow:\n")},
			wantErrs:   []error{ErrDisallowed, ErrDisallowed},
			wantRobots: 1,
		},
		{
			name:       "unreachable verdict never outlives RobotsTTL",
			ttl:        time.Nanosecond,
			robots:     []http.HandlerFunc{status(http.StatusServiceUnavailable), text("User-agent: *\nDisallow:\n")},
			wantErrs:   []error{ErrDisallowed, nil},
			wantRobots: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			site := newLoggedSite(t, map[string]http.HandlerFunc{
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
					i := int(n.Add(1)) - 1
					tt.robots[min(i, len(tt.robots)-1)](w, r)
				},
				"/p": html("<p>p</p>"),
			})
			tr := NewTransport(TransportOptions{UserAgent: testUA, RobotsTTL: tt.ttl})
			for i, want := range tt.wantErrs {
				_, _, err := get(t, tr, site.URL+"/p")
				if (want == nil && err != nil) || (want != nil && !errors.Is(err, want)) {
					t.Errorf("GET %d: error = %v, want %v", i, err, want)
				}
			}
			if got := site.count("/robots.txt"); got != tt.wantRobots {
				t.Errorf("robots.txt fetched %d times, want %d", got, tt.wantRobots)
			}
		})
	}
}

func TestTransportRedirectIntoDisallowed(t *testing.T) {
	site := newLoggedSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: *\nDisallow: /members/\n"),
		"/story": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/members/login?next=/story", http.StatusFound)
		},
		"/members/login": html("<p>login</p>"),
	})
	tr := NewTransport(TransportOptions{UserAgent: testUA})
	_, _, err := get(t, tr, site.URL+"/story")
	if !errors.Is(err, ErrDisallowed) {
		t.Fatalf("GET error = %v, want ErrDisallowed", err)
	}
	want := []string{"/robots.txt", "/story"}
	if got := site.paths(); !slices.Equal(got, want) {
		t.Errorf("server saw %q, want %q", got, want)
	}
}

func TestTransportRobotsFetchedOnce(t *testing.T) {
	release := make(chan struct{})
	site := newLoggedSite(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			select { // hold every caller in the shared wait
			case <-release:
			case <-r.Context().Done():
			}
			io.WriteString(w, "User-agent: *\nDisallow: /x/\n")
		},
		"/page": html("<p>page</p>"),
	})
	free := releaseOnCleanup(t, release)
	tr := NewTransport(TransportOptions{UserAgent: testUA, Parallelism: 8})
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, _, err := get(t, tr, site.URL+"/page")
			errs <- err
		}()
	}
	waitFor(t, "the robots.txt request", func() bool { return site.count("/robots.txt") >= 1 })
	free()
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("GET: %v", err)
		}
	}
	if got := site.count("/robots.txt"); got != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", got)
	}
	if got := site.count("/page"); got != n {
		t.Errorf("/page fetched %d times, want %d", got, n)
	}
}

func TestTransportSpacing(t *testing.T) {
	tests := []struct {
		name    string
		robots  string
		delay   time.Duration
		wantGap time.Duration
	}{
		{"Delay", "User-agent: *\nDisallow:\n", 120 * time.Millisecond, 120 * time.Millisecond},
		{"Crawl-delay larger than Delay", "User-agent: *\nCrawl-delay: 0.15\n", 50 * time.Millisecond, 150 * time.Millisecond},
		{"Delay larger than Crawl-delay", "User-agent: *\nCrawl-delay: 0.05\n", 150 * time.Millisecond, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newLoggedSite(t, map[string]http.HandlerFunc{
				"/robots.txt": text(tt.robots),
				"/p":          html("<p>p</p>"),
			})
			tr := NewTransport(TransportOptions{UserAgent: testUA, Delay: tt.delay, Parallelism: 4})
			// Robots first, so that every later gap is governed by
			// the known Crawl-delay.
			if _, err := tr.Robots(context.Background(), mustURL(t, site.URL)); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, _, err := get(t, tr, site.URL+"/p"); err != nil {
						t.Errorf("GET: %v", err)
					}
				}()
			}
			wg.Wait()
			log := site.log()
			if len(log) != 5 {
				t.Fatalf("server saw %d requests, want 5", len(log))
			}
			for i, g := range gaps(log[1:]) {
				// A third of the gap absorbs the difference in latency
				// between two requests on a busy machine; a transport
				// that spaced by the other, smaller delay would still
				// fall below it.
				if g < tt.wantGap-tt.wantGap/3 {
					t.Errorf("gap %d between starts = %v, want ≥ %v", i, g, tt.wantGap)
				}
			}
		})
	}
}

func TestTransportParallelism(t *testing.T) {
	tests := []struct {
		name        string
		parallelism int
	}{
		{"one at a time", 1},
		{"three at a time", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inFlight, peak atomic.Int64
			site := newLoggedSite(t, map[string]http.HandlerFunc{
				"/slow": func(w http.ResponseWriter, r *http.Request) {
					n := inFlight.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					time.Sleep(60 * time.Millisecond) // a slow server
					inFlight.Add(-1)
					io.WriteString(w, "<p>slow</p>")
				},
			})
			tr := NewTransport(TransportOptions{UserAgent: testUA, Parallelism: tt.parallelism})
			var wg sync.WaitGroup
			for range 3 * tt.parallelism {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, _, err := get(t, tr, site.URL+"/slow"); err != nil {
						t.Errorf("GET: %v", err)
					}
				}()
			}
			wg.Wait()
			if got := peak.Load(); got != int64(tt.parallelism) {
				t.Errorf("peak requests in flight = %d, want %d", got, tt.parallelism)
			}
		})
	}
}

func TestTransportHostsIndependent(t *testing.T) {
	release := make(chan struct{})
	slow := newLoggedSite(t, map[string]http.HandlerFunc{
		"/hang": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			io.WriteString(w, "late")
		},
	})
	free := releaseOnCleanup(t, release)
	fast := newLoggedSite(t, map[string]http.HandlerFunc{"/ok": html("<p>ok</p>")})
	tr := NewTransport(TransportOptions{UserAgent: testUA, Parallelism: 1, Delay: 200 * time.Millisecond})
	done := make(chan error, 2)
	for range 2 { // the second waits behind the first on the slow host
		go func() {
			_, _, err := get(t, tr, slow.URL+"/hang")
			done <- err
		}()
	}
	waitFor(t, "the slow host to be busy", func() bool { return slow.count("/hang") == 1 })
	start := time.Now()
	resp, _, err := get(t, tr, fast.URL+"/ok")
	took := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("fast host: %v", err)
	}
	// The fast host's own robots.txt and page follow each other by the
	// 200 ms Delay; the slow host must add nothing to that.
	if took > 190*time.Millisecond+200*time.Millisecond {
		t.Errorf("fast host took %v while the slow host was busy", took)
	}
	if got := slow.count("/hang"); got != 1 {
		t.Errorf("slow host saw %d /hang requests while busy, want 1", got)
	}
	free()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("slow host: %v", err)
		}
	}
}

func TestTransportRetries(t *testing.T) {
	tests := []struct {
		name       string
		responses  []func(w http.ResponseWriter, r *http.Request) // one per attempt; the last repeats
		retries    int
		timeout    time.Duration
		wantStatus int
		wantTries  int
		wantGapMin time.Duration // least time between the first two attempts
	}{
		{
			name: "503 with Retry-After then 200",
			responses: []func(http.ResponseWriter, *http.Request){
				func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusServiceUnavailable)
				},
				html("<p>ok</p>"),
			},
			retries: 3, wantStatus: 200, wantTries: 2, wantGapMin: time.Second,
		},
		{
			name: "429 then 200",
			responses: []func(http.ResponseWriter, *http.Request){
				status(http.StatusTooManyRequests),
				html("<p>ok</p>"),
			},
			retries: 3, wantStatus: 200, wantTries: 2,
		},
		{
			name: "timeout then 200",
			responses: []func(http.ResponseWriter, *http.Request){
				func(w http.ResponseWriter, r *http.Request) {
					<-r.Context().Done() // hangs until the client gives up
				},
				html("<p>ok</p>"),
			},
			retries: 2, timeout: 150 * time.Millisecond, wantStatus: 200, wantTries: 2,
		},
		{
			name: "body stalls mid-way then 200",
			responses: []func(http.ResponseWriter, *http.Request){
				func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					io.WriteString(w, "<p>first half")
					w.(http.Flusher).Flush()
					<-r.Context().Done()
				},
				html("<p>ok</p>"),
			},
			retries: 2, timeout: 150 * time.Millisecond, wantStatus: 200, wantTries: 2,
		},
		{
			name:      "gives up after Retries",
			responses: []func(http.ResponseWriter, *http.Request){status(http.StatusBadGateway)},
			retries:   2, wantStatus: http.StatusBadGateway, wantTries: 3,
		},
		{
			name: "Retry-After beyond five minutes: give up at once",
			responses: []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
				w.WriteHeader(http.StatusServiceUnavailable)
			}},
			retries: 3, wantStatus: http.StatusServiceUnavailable, wantTries: 1,
		},
		{
			name:      "404 not retried",
			responses: []func(http.ResponseWriter, *http.Request){status(http.StatusNotFound)},
			retries:   3, wantStatus: http.StatusNotFound, wantTries: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			site := newLoggedSite(t, map[string]http.HandlerFunc{
				"/p": func(w http.ResponseWriter, r *http.Request) {
					i := int(n.Add(1)) - 1
					tt.responses[min(i, len(tt.responses)-1)](w, r)
				},
			})
			tr := NewTransport(TransportOptions{
				UserAgent: testUA, Retries: tt.retries, RetryBase: 10 * time.Millisecond,
				Timeout: tt.timeout, IgnoreRobots: true,
			})
			resp, _, err := get(t, tr, site.URL+"/p")
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			log := site.log()
			if len(log) != tt.wantTries {
				t.Fatalf("server saw %d attempts, want %d", len(log), tt.wantTries)
			}
			if got := tr.Stats().Retries; got != int64(tt.wantTries-1) {
				t.Errorf("Stats().Retries = %d, want %d", got, tt.wantTries-1)
			}
			if tt.wantGapMin > 0 {
				if g := log[1].at.Sub(log[0].at); g < tt.wantGapMin {
					t.Errorf("retry came after %v, want ≥ %v", g, tt.wantGapMin)
				}
			}
		})
	}
}

func TestTransportNoRetryForPost(t *testing.T) {
	site := newLoggedSite(t, map[string]http.HandlerFunc{"/form": status(http.StatusServiceUnavailable)})
	tr := NewTransport(TransportOptions{UserAgent: testUA, Retries: 3, RetryBase: time.Millisecond, IgnoreRobots: true})
	resp, err := (&http.Client{Transport: tr}).Post(site.URL+"/form", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := site.count("/form"); got != 1 {
		t.Errorf("POST sent %d times, want 1", got)
	}
}

func TestTransportBodyLimits(t *testing.T) {
	const maxBody = 1 << 20
	const huge = 20 << 20
	var written atomic.Int64
	handlerDone := make(chan struct{}, 1)
	chunk := bytes.Repeat([]byte("<p>filler</p>\n"), 4096)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr error
	}{
		{
			name: "streamed 20 MB without Content-Length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				defer func() { handlerDone <- struct{}{} }()
				w.Header().Set("Content-Type", "text/html")
				for written.Load() < huge {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			},
			wantErr: ErrTooLarge,
		},
		{
			name: "declared 20 MB",
			handler: func(w http.ResponseWriter, r *http.Request) {
				defer func() { handlerDone <- struct{}{} }()
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Length", fmt.Sprint(huge))
				for written.Load() < huge {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
				}
			},
			wantErr: ErrTooLarge,
		},
		{
			name: "PDF refused",
			handler: func(w http.ResponseWriter, r *http.Request) {
				defer func() { handlerDone <- struct{}{} }()
				w.Header().Set("Content-Type", "application/pdf")
				for written.Load() < huge {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			},
			wantErr: ErrUnwantedType,
		},
		{
			name: "PDF without Content-Type sniffed and refused",
			handler: func(w http.ResponseWriter, r *http.Request) {
				defer func() { handlerDone <- struct{}{} }()
				w.Header()["Content-Type"] = nil // no sniffing by the server
				io.WriteString(w, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
				for written.Load() < huge {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			},
			wantErr: ErrUnwantedType,
		},
		{
			name: "image refused",
			handler: func(w http.ResponseWriter, r *http.Request) {
				defer func() { handlerDone <- struct{}{} }()
				w.Header().Set("Content-Type", "image/jpeg")
				w.Write([]byte{0xFF, 0xD8, 0xFF})
			},
			wantErr: ErrUnwantedType,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			written.Store(0)
			site := newLoggedSite(t, map[string]http.HandlerFunc{"/big": tt.handler})
			tr := NewTransport(TransportOptions{UserAgent: testUA, MaxBody: maxBody, IgnoreRobots: true, Retries: 2})
			_, _, err := get(t, tr, site.URL+"/big")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("GET error = %v, want %v", err, tt.wantErr)
			}
			select {
			case <-handlerDone:
			case <-time.After(5 * time.Second):
				t.Fatal("server still writing 5 s after the refusal")
			}
			if w := written.Load(); w >= huge {
				t.Errorf("server wrote all %d bytes: the body was read", w)
			}
			if got := site.count("/big"); got != 1 {
				t.Errorf("refused body requested %d times, want 1 (no retry)", got)
			}
		})
	}
}

func TestTransportAcceptedTypes(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		io.WriteString(zw, s)
		zw.Close()
		return b.Bytes()
	}
	sitemap := `<?xml version="1.0" encoding="UTF-8"?><urlset><url><loc>https://example.org/a</loc></url></urlset>`
	tests := []struct {
		name     string
		path     string
		ctype    string
		body     []byte
		wantErr  error
		wantBody string
	}{
		{"html", "/a", "text/html", []byte("<p>a</p>"), nil, "<p>a</p>"},
		{"xhtml", "/a", "application/xhtml+xml", []byte("<p>a</p>"), nil, "<p>a</p>"},
		{"rss", "/feed", "application/rss+xml", []byte("<rss/>"), nil, "<rss/>"},
		{"atom", "/feed", "application/atom+xml; charset=utf-8", []byte("<feed/>"), nil, "<feed/>"},
		{"other +xml", "/x", "application/vnd.example+xml", []byte("<x/>"), nil, "<x/>"},
		{"plain text", "/t", "text/plain", []byte("hello"), nil, "hello"},
		{"gzipped sitemap", "/sitemap.xml.gz", "application/x-gzip", gz(sitemap), nil, sitemap},
		{"gzipped sitemap as octet-stream", "/sitemap.xml.gz", "application/octet-stream", gz(sitemap), nil, sitemap},
		{"gzipped sitemap too large once gunzipped", "/bomb.xml.gz", "application/gzip", gz(strings.Repeat("<url/>", 2<<20)), ErrTooLarge, ""},
		{"gzip elsewhere refused", "/archive", "application/gzip", gz(sitemap), ErrUnwantedType, ""},
		{"zip refused", "/a.zip", "application/zip", []byte("PK\x03\x04"), ErrUnwantedType, ""},
		{"video refused", "/v", "video/mp4", []byte("...."), ErrUnwantedType, ""},
		{"svg refused", "/i.svg", "image/svg+xml", []byte("<svg/>"), ErrUnwantedType, ""},
		{"missing type sniffed as html", "/s", "", []byte("<!DOCTYPE html><html><p>sniffed</p></html>"), nil, "<!DOCTYPE html><html><p>sniffed</p></html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newLoggedSite(t, map[string]http.HandlerFunc{tt.path: func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype == "" {
					w.Header()["Content-Type"] = nil
				} else {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.Write(tt.body)
			}})
			tr := NewTransport(TransportOptions{UserAgent: testUA, IgnoreRobots: true})
			resp, body, err := get(t, tr, site.URL+tt.path)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("GET error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("ContentLength = %d, body has %d bytes", resp.ContentLength, len(body))
			}
		})
	}
}

func TestTransportNon2xxPassThrough(t *testing.T) {
	const maxBody = 64 << 10
	big := strings.Repeat("<p>not here</p>", 2*maxBody/15)
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantBody   string
	}{
		{"404 page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<p>gone</p>")
		}, http.StatusNotFound, "<p>gone</p>"},
		{"oversized 404 page: status kept, body dropped", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, big)
		}, http.StatusNotFound, ""},
		{"304 not modified", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		}, http.StatusNotModified, ""},
		{"410 with a PDF type is not judged", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.WriteHeader(http.StatusGone)
		}, http.StatusGone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newLoggedSite(t, map[string]http.HandlerFunc{"/p": tt.handler})
			tr := NewTransport(TransportOptions{UserAgent: testUA, MaxBody: maxBody, IgnoreRobots: true})
			resp, body, err := get(t, tr, site.URL+"/p")
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body = %.40q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestTransportGzipEncoding(t *testing.T) {
	page := "<html><body><p>" + strings.Repeat("Middle Corridor ", 100) + "</p></body></html>"
	site := newLoggedSite(t, map[string]http.HandlerFunc{"/z": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			io.WriteString(w, page)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, page)
		zw.Close()
	}})
	tests := []struct {
		name           string
		acceptEncoding string
	}{
		{"net/http asks and decodes", ""},
		{"caller asks, transport decodes", "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTransport(TransportOptions{UserAgent: testUA, IgnoreRobots: true})
			req, _ := http.NewRequest(http.MethodGet, site.URL+"/z", nil)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if string(body) != page {
				t.Errorf("body = %.60q..., want the page", body)
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding = %q after decoding", ce)
			}
			if !resp.Uncompressed {
				t.Error("Uncompressed = false: Colly would gunzip again")
			}
		})
	}
}

// cyrillic is the text the charset tests expect back.
const cyrillic = "Казахстан и Азербайджан подписали меморандум о Среднем коридоре"

func cp1251(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTransportCharsets(t *testing.T) {
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>" + cyrillic + "</title></head><body><p>" + cyrillic + "</p></body></html>"
	}
	asciiHead := "<html><head><title>x</title>" + strings.Repeat("<!-- padding -->", 80) + "</head><body>"
	tests := []struct {
		name      string
		ctype     string
		body      []byte
		wantText  string
		wantCtype string
	}{
		{"windows-1251 in the header only", "text/html; charset=windows-1251", cp1251(t, page("")), cyrillic, "text/html; charset=utf-8"},
		{"windows-1251 in <meta charset> only", "text/html", cp1251(t, page(`<meta charset="windows-1251">`)), cyrillic, "text/html; charset=utf-8"},
		{"windows-1251 in http-equiv only", "text/html", cp1251(t, page(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`)), cyrillic, "text/html; charset=utf-8"},
		{"header wins over meta", "text/html; charset=windows-1251", cp1251(t, page(`<meta charset="koi8-r">`)), cyrillic, "text/html; charset=utf-8"},
		{"BOM wins over header", "text/html; charset=windows-1251", append([]byte{0xEF, 0xBB, 0xBF}, page("")...), cyrillic, "text/html; charset=utf-8"},
		{"utf-8 undeclared after 1 KB of ASCII", "text/html", []byte(asciiHead + "<p>" + cyrillic + "</p>"), cyrillic, "text/html; charset=utf-8"},
		{"undeclared, not utf-8: windows-1252", "text/html", []byte("<p>caf\xe9 cr\xe8me</p>"), "café crème", "text/html; charset=utf-8"},
		{"declared utf-8 with a stray byte", "text/html; charset=utf-8", []byte("<p>Астана \xff Баку</p>"), "Астана \uFFFD Баку", "text/html; charset=utf-8"},
		{"unknown charset label falls through to meta", "text/html; charset=x-nonsense", cp1251(t, page(`<meta charset="windows-1251">`)), cyrillic, "text/html; charset=utf-8"},
		{"windows-1251 in a <meta> after 1 KB of script", "text/html", cp1251(t, "<html><head><script>"+strings.Repeat("var x = 1;\n", 200)+"</script>"+`<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`+"<title>"+cyrillic+"</title></head><body><p>"+cyrillic+"</p></body></html>"), cyrillic, "text/html; charset=utf-8"},
		{"plain text with header charset", "text/plain; charset=windows-1251", cp1251(t, cyrillic), cyrillic, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newLoggedSite(t, map[string]http.HandlerFunc{"/p": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Write(tt.body)
			}})
			tr := NewTransport(TransportOptions{UserAgent: testUA, IgnoreRobots: true})
			resp, body, err := get(t, tr, site.URL+"/p")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(body, []byte(tt.wantText)) {
				t.Errorf("body lacks %q:\n%.300s", tt.wantText, body)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.wantCtype {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantCtype)
			}
		})
	}
}

func FuzzDecodeHTML(f *testing.F) {
	f.Add([]byte("<meta charset=windows-1251><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>"), "")
	f.Add([]byte("\xFF\xFE<\x00p\x00>\x00"), "")
	f.Add([]byte("<p>caf\xe9</p>"), "iso-8859-1")
	f.Fuzz(func(t *testing.T, body []byte, headerCharset string) {
		if out := decodeHTML(body, headerCharset); !utf8.Valid(out) {
			t.Errorf("decodeHTML gave invalid UTF-8 for %q (%q)", body, headerCharset)
		}
	})
}

func TestTransportXMLCharsets(t *testing.T) {
	feed := func(enc string) string {
		return `<?xml version="1.0" encoding="` + enc + `"?><rss version="2.0"><channel><title>` + cyrillic + `</title></channel></rss>`
	}
	tests := []struct {
		name      string
		ctype     string
		body      []byte
		wantCtype string
		wantSame  bool // body passed through byte for byte
	}{
		{"header charset: decoded once, declaration rewritten", "application/rss+xml; charset=windows-1251", cp1251(t, feed("windows-1251")), "application/rss+xml; charset=utf-8", false},
		{"no header charset: left for the feed parser", "application/rss+xml", cp1251(t, feed("windows-1251")), "application/rss+xml", true},
		{"utf-8 header: left alone", "text/xml; charset=utf-8", []byte(feed("UTF-8")), "text/xml; charset=utf-8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newLoggedSite(t, map[string]http.HandlerFunc{"/feed": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Write(tt.body)
			}})
			tr := NewTransport(TransportOptions{UserAgent: testUA, IgnoreRobots: true})
			resp, body, err := get(t, tr, site.URL+"/feed")
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.wantCtype {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantCtype)
			}
			if same := bytes.Equal(body, tt.body); same != tt.wantSame {
				t.Errorf("body unchanged = %v, want %v", same, tt.wantSame)
			}
			// A feed parser reads the declaration: the title must come
			// out right, decoded exactly once.
			var doc struct {
				Title string `xml:"channel>title"`
			}
			dec := xml.NewDecoder(bytes.NewReader(body))
			dec.CharsetReader = charset.NewReaderLabel
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("decode feed: %v", err)
			}
			if doc.Title != cyrillic {
				t.Errorf("title = %q, want %q", doc.Title, cyrillic)
			}
		})
	}
}

func TestTransportContextCancel(t *testing.T) {
	tests := []struct {
		name       string
		holdRobots bool // robots.txt answers only at the end of the test
		setup      func(t *testing.T, tr *Transport, site *loggedSite)
	}{
		{
			name: "waiting for the host's turn",
			setup: func(t *testing.T, tr *Transport, site *loggedSite) {
				// The robots.txt fetch takes the host's turn; the next
				// request must wait the 10 s Delay.
				if _, err := tr.Robots(context.Background(), mustURL(t, site.URL)); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:       "waiting for robots.txt",
			holdRobots: true,
			setup: func(t *testing.T, tr *Transport, site *loggedSite) {
				go getCtx(t.Context(), t, tr, site.URL+"/p") // holds the robots.txt fetch
				waitFor(t, "the robots.txt request", func() bool { return site.count("/robots.txt") == 1 })
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			site := newLoggedSite(t, map[string]http.HandlerFunc{
				"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
					if tt.holdRobots {
						select {
						case <-release:
						case <-r.Context().Done():
						}
					}
					io.WriteString(w, "User-agent: *\nDisallow:\n")
				},
				"/p": html("<p>p</p>"),
			})
			defer close(release)
			tr := NewTransport(TransportOptions{UserAgent: testUA, Delay: 10 * time.Second})
			tt.setup(t, tr, site)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, _, err := getCtx(ctx, t, tr, site.URL+"/p")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want context.DeadlineExceeded", err)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("cancelled request returned after %v", took)
			}
		})
	}
}

func TestTransportStats(t *testing.T) {
	site := newLoggedSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: *\nDisallow: /no/\n"),
		"/ok":         html("<p>ok</p>"),
		"/pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
		},
	})
	tr := NewTransport(TransportOptions{UserAgent: testUA})
	for _, p := range []string{"/ok", "/no/x", "/missing", "/pdf"} {
		get(t, tr, site.URL+p)
	}
	got := tr.Stats()
	want := TransportStats{Requests: 4, RobotsFetches: 1, Disallowed: 1, UnwantedType: 1, Status2xx: 3, Status4xx: 1}
	if got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, v string
		want    time.Duration
	}{
		{"seconds", "120", 2 * time.Minute},
		{"http-date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"negative", "-5", 0},
		{"garbage", "soon", 0},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.v, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
}

func TestTransportWithColly(t *testing.T) {
	gzSitemap := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		io.WriteString(zw, `<?xml version="1.0" encoding="UTF-8"?><urlset><url><loc>https://example.org/a</loc></url></urlset>`)
		zw.Close()
		return b.Bytes()
	}()
	site := newLoggedSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: *\nDisallow: /members/\n"),
		"/ru": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(cp1251(t, `<html><head><meta charset="windows-1251"><title>`+cyrillic+`</title></head></html>`))
		},
		"/story": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/members/login", http.StatusFound)
		},
		"/members/login": html("<title>login</title>"),
		"/sitemap.xml.gz": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-gzip")
			w.Write(gzSitemap)
		},
	})
	tr := NewTransport(TransportOptions{UserAgent: testUA})
	tests := []struct {
		name      string
		path      string
		wantTitle string
		wantLoc   string
		wantErr   error
	}{
		{"meta-declared windows-1251 page", "/ru", cyrillic, "", nil},
		{"disallowed page", "/members/login", "", "", ErrDisallowed},
		{"redirect into a disallowed path", "/story", "", "", ErrDisallowed},
		{"gzipped sitemap", "/sitemap.xml.gz", "", "https://example.org/a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := colly.NewCollector(colly.MaxBodySize(0))
			c.IgnoreRobotsTxt = true
			c.WithTransport(tr)
			c.SetRequestTimeout(0)
			var title, loc string
			var gotErr error
			c.OnHTML("title", func(e *colly.HTMLElement) { title = e.Text })
			c.OnXML("//loc", func(e *colly.XMLElement) { loc = e.Text })
			c.OnError(func(_ *colly.Response, err error) { gotErr = err })
			c.Visit(site.URL + tt.path)
			c.Wait()
			if tt.wantErr != nil {
				if !errors.Is(gotErr, tt.wantErr) {
					t.Fatalf("OnError got %v, want %v", gotErr, tt.wantErr)
				}
				return
			}
			if gotErr != nil {
				t.Fatalf("OnError: %v", gotErr)
			}
			if title != tt.wantTitle {
				t.Errorf("title = %q, want %q", title, tt.wantTitle)
			}
			if loc != tt.wantLoc {
				t.Errorf("loc = %q, want %q", loc, tt.wantLoc)
			}
		})
	}
	if got := site.count("/members/login"); got != 0 {
		t.Errorf("disallowed /members/login requested %d times", got)
	}
	if got := site.count("/robots.txt"); got != 1 {
		t.Errorf("robots.txt requested %d times, want 1", got)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTransportRetryAfterHoldsTheWholeHost(t *testing.T) {
	var asked atomic.Int64
	site := newLoggedSite(t, map[string]http.HandlerFunc{
		"/robots.txt": status(http.StatusNotFound),
		"/a": func(w http.ResponseWriter, r *http.Request) {
			if asked.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte("<p>a</p>"))
		},
		"/b": html("<p>b</p>"),
	})
	tr := NewTransport(TransportOptions{UserAgent: testUA, Parallelism: 2, Retries: 2, RetryBase: 10 * time.Millisecond})
	if _, _, err := get(t, tr, site.URL+"/robots-warmup"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := get(t, tr, site.URL+"/a")
		done <- err
	}()
	waitFor(t, "the 429", func() bool { return site.count("/a") == 1 })
	if _, _, err := get(t, tr, site.URL+"/b"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var first429, b time.Time
	for _, a := range site.log() {
		switch {
		case a.path == "/a" && first429.IsZero():
			first429 = a.at
		case a.path == "/b":
			b = a.at
		}
	}
	if gap := b.Sub(first429); gap < 900*time.Millisecond {
		t.Errorf("/b asked %v after the host said Retry-After: 1", gap)
	}

	// A wait longer than the transport's patience: the host is skipped,
	// nothing is sent.
	long := newLoggedSite(t, map[string]http.HandlerFunc{
		"/robots.txt": status(http.StatusNotFound),
		"/a": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		"/b": html("<p>b</p>"),
	})
	resp, _, err := get(t, tr, long.URL+"/a")
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/a: %v %v", resp, err)
	}
	if _, _, err := get(t, tr, long.URL+"/b"); !errors.Is(err, ErrHostBackoff) {
		t.Errorf("/b: error %v, want ErrHostBackoff", err)
	}
	if n := long.count("/b"); n != 0 {
		t.Errorf("/b requested %d times while the host asked for an hour's rest", n)
	}
}
