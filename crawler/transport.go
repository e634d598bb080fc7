package crawler

// The polite transport is written by hand because Colly's own politeness
// does not hold up (see NOTES-dependencies.md): its robots.txt support is
// off by default, caches forever and misreads RFC 9309; its LimitRule is not
// per host and sleeps while holding the slot; it truncates large bodies
// silently and ignores <meta charset>. Every request Colly's http.Client
// sends, each redirect hop included, passes through Transport.RoundTrip, so
// the checks here cannot be bypassed. Character sets are decided and decoded
// with golang.org/x/net/html/charset and golang.org/x/text.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// Sentinel errors of Transport.RoundTrip, wrapped with the URL; test them
// with errors.Is (http.Client wraps them once more in a *url.Error).
var (
	// ErrDisallowed: robots.txt forbids the URL; no request was sent.
	ErrDisallowed = errors.New("disallowed by robots.txt")
	// ErrTooLarge: the body is larger than MaxBody; it was not kept.
	ErrTooLarge = errors.New("response body too large")
	// ErrUnwantedType: a 2xx response of a type the crawler does not read
	// (PDF, images, archives...); its body was not read.
	ErrUnwantedType = errors.New("unwanted content type")
	// ErrHostBackoff is returned at once, without a request, while a host
	// has asked (by Retry-After) to be left alone for longer than the
	// transport waits.
	ErrHostBackoff = errors.New("host asked to wait (Retry-After)")
	// ErrRobotsUnavailable is returned, with the cause, for every URL of a
	// host whose robots.txt could not be fetched (network error, 5xx): RFC
	// 9309 has the crawler keep off such a host for a while. It is also
	// ErrDisallowed.
	ErrRobotsUnavailable = errors.New("robots.txt unavailable, host skipped for now")
)

// Defaults and bounds of the transport.
const (
	defaultTimeout     = 30 * time.Second
	defaultMaxBody     = 10 << 20
	defaultRetryBase   = time.Second
	defaultRobotsTTL   = 24 * time.Hour
	unreachableTTL     = 10 * time.Minute
	maxBackoff         = time.Minute
	maxRetryAfter      = 5 * time.Minute
	maxRobotsRedirects = 5
	// maxIdleHosts is how many host records are kept before idle ones
	// are dropped.
	maxIdleHosts = 4096
)

// TransportOptions configures a Transport. Zero values take the defaults
// noted.
type TransportOptions struct {
	UserAgent    string        // sent on every request; its product token is used for robots
	Delay        time.Duration // least time between the STARTS of two requests to one host
	Parallelism  int           // requests in flight per host (default 1)
	Timeout      time.Duration // per attempt: connect, headers and the whole body (default 30s)
	MaxBody      int64         // bodies larger than this are refused (ErrTooLarge), not truncated (default 10 MiB)
	Retries      int           // extra attempts on timeouts, connection errors, 429, 500, 502, 503, 504
	RetryBase    time.Duration // first backoff (default 1s), doubled each attempt, with jitter, capped at 1 min
	IgnoreRobots bool
	RobotsTTL    time.Duration     // how long a robots.txt is cached (default 24h; unreachable: 10m)
	Base         http.RoundTripper // nil: an *http.Transport with MaxIdleConnsPerHost 32
	Logger       *slog.Logger
	// Gate, when set, spaces the requests of every process that shares it:
	// each request also waits for its host's turn there, and a Retry-After
	// keeps them all off the host. Without it spacing holds within this
	// Transport only.
	Gate newsmon.HostGate
}

// TransportStats counts what a Transport did since it was made.
type TransportStats struct {
	Requests      int64 // attempts sent, robots.txt fetches included
	RobotsFetches int64 // robots.txt requests, redirect hops included
	Retries       int64 // attempts made again after a failure
	Disallowed    int64 // URLs refused by robots.txt (nothing sent)
	TooLarge      int64 // bodies refused for their size
	UnwantedType  int64 // 2xx responses refused for their type
	Errors        int64 // attempts that ended in a network error or timeout
	GateErrors    int64 // shared host gate unreachable: spacing fell back to this process's own
	Status1xx     int64
	Status2xx     int64
	Status3xx     int64
	Status4xx     int64
	Status5xx     int64
}

// Transport is the polite http.RoundTripper every crawl request goes
// through: robots.txt first, per-host spacing and parallelism, retries with
// backoff, bounded bodies read in full, unwanted types refused, HTML decoded
// to UTF-8. It is safe for concurrent use and starts no goroutines; one
// Transport should serve the whole process so that limits hold per host.
type Transport struct {
	o     TransportOptions
	base  http.RoundTripper
	agent string // product token of o.UserAgent
	log   *slog.Logger

	mu    sync.Mutex
	hosts map[string]*politeHost

	gateDownUntil atomic.Int64 // UnixNano before which the Gate is not asked

	stats struct {
		requests, robots, retries, disallowed, tooLarge, unwanted, errors, gate atomic.Int64
		status                                                                  [6]atomic.Int64
	}
}

// politeHost is the politeness state of one scheme://host:port.
type politeHost struct {
	slots chan struct{} // one token per request in flight

	mu        sync.Mutex
	users     int       // callers holding the record (guards eviction)
	lastStart time.Time // start reserved by the latest turn
	// notBefore is set by a Retry-After: no request starts before it.
	notBefore time.Time
	robots    *Robots
	robotsExp time.Time
	fetching  *robotsCall // the robots.txt fetch in progress, if any
}

// robotsCall lets concurrent callers wait for one robots.txt fetch.
type robotsCall struct {
	done   chan struct{}
	robots *Robots // nil when the fetching caller gave up (its context ended)
}

// NewTransport returns a Transport with the options' defaults filled in.
func NewTransport(o TransportOptions) *Transport {
	if o.UserAgent == "" {
		o.UserAgent = "newsmon"
	}
	if o.Parallelism < 1 {
		o.Parallelism = 1
	}
	if o.Delay < 0 {
		o.Delay = 0
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = defaultMaxBody
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = defaultRetryBase
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = defaultRobotsTTL
	}
	base := o.Base
	if base == nil {
		ht := http.DefaultTransport.(*http.Transport).Clone()
		ht.MaxIdleConns = 256
		ht.MaxIdleConnsPerHost = 32
		base = ht
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Transport{
		o:     o,
		base:  base,
		agent: ProductToken(o.UserAgent),
		log:   log,
		hosts: map[string]*politeHost{},
	}
}

// Stats returns the counters so far.
func (t *Transport) Stats() TransportStats {
	s := &t.stats
	return TransportStats{
		Requests:      s.requests.Load(),
		RobotsFetches: s.robots.Load(),
		Retries:       s.retries.Load(),
		Disallowed:    s.disallowed.Load(),
		TooLarge:      s.tooLarge.Load(),
		UnwantedType:  s.unwanted.Load(),
		Errors:        s.errors.Load(),
		GateErrors:    s.gate.Load(),
		Status1xx:     s.status[1].Load(),
		Status2xx:     s.status[2].Load(),
		Status3xx:     s.status[3].Load(),
		Status4xx:     s.status[4].Load(),
		Status5xx:     s.status[5].Load(),
	}
}

// RoundTrip sends req politely. It returns ErrDisallowed (nothing sent)
// when robots.txt forbids the URL, ErrTooLarge or ErrUnwantedType for
// refused bodies, and the context's error when req's context ends while
// waiting. A returned response's body is already in memory; HTML comes
// decoded to UTF-8 with "charset=utf-8" in its Content-Type.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		closeRequestBody(req)
		return nil, fmt.Errorf("fetch %v: not an absolute http(s) URL", req.URL)
	}
	ctx := req.Context()
	u := req.URL
	fail := func(err error) (*http.Response, error) {
		closeRequestBody(req) // a RoundTripper closes the body, even on errors
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if !t.o.IgnoreRobots && u.EscapedPath() != "/robots.txt" {
		rb, err := t.Robots(ctx, u)
		if err != nil {
			return fail(err)
		}
		if rb.unavailable != "" {
			t.stats.disallowed.Add(1)
			return fail(fmt.Errorf("%w: %w: %s", ErrDisallowed, ErrRobotsUnavailable, rb.unavailable))
		}
		if !rb.Allowed(t.agent, u.RequestURI()) {
			t.stats.disallowed.Add(1)
			t.log.Debug("robots.txt disallows", "url", u.String())
			return fail(ErrDisallowed)
		}
	}
	h := t.host(u)
	defer t.release(h)

	idempotent := req.Method == "" || req.Method == http.MethodGet || req.Method == http.MethodHead
	for attempt := 0; ; attempt++ {
		resp, err := t.attempt(ctx, h, req, false)
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		retry := false
		var retryAfter time.Duration
		switch {
		case err != nil:
			if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnwantedType) {
				return fail(err)
			}
			retry = true
		case retryableStatus(resp.StatusCode):
			retry = true
			retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			if retryAfter > 0 {
				// The server asks the whole host to wait, not just this URL.
				h.mu.Lock()
				if until := time.Now().Add(retryAfter); until.After(h.notBefore) {
					h.notBefore = until
				}
				h.mu.Unlock()
				if t.o.Gate != nil {
					if err := t.o.Gate.Defer(ctx, hostKey(u), retryAfter); err != nil {
						t.gateFailed(err)
					}
				}
			}
		}
		if !retry || !idempotent || attempt >= t.o.Retries || retryAfter > maxRetryAfter {
			if err != nil {
				return fail(err)
			}
			return resp, nil
		}
		wait := max(t.backoff(attempt), retryAfter)
		t.stats.retries.Add(1)
		if err != nil {
			t.log.Debug("retrying", "url", u.String(), "attempt", attempt+1, "wait", wait, "err", err)
		} else {
			t.log.Debug("retrying", "url", u.String(), "attempt", attempt+1, "wait", wait, "status", resp.StatusCode)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return fail(err)
		}
	}
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After header: delay seconds or an
// HTTP-date. Anything unreadable or in the past is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) {
			return 24 * time.Hour
		}
		return time.Duration(n) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// backoff is RetryBase doubled per attempt, capped at a minute, with
// "equal jitter": between half and all of it.
func (t *Transport) backoff(attempt int) time.Duration {
	d := t.o.RetryBase
	for i := 0; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hostKey is scheme://host:port, the unit robots.txt and the limits apply
// to (RFC 9309 section 2.3: a robots.txt speaks for its scheme, host and
// port).
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// host returns the record of u's host, held until release.
func (t *Transport) host(u *url.URL) *politeHost {
	key := hostKey(u)
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.hosts[key]
	if h == nil {
		if len(t.hosts) >= maxIdleHosts {
			t.evictIdleLocked()
		}
		h = &politeHost{slots: make(chan struct{}, t.o.Parallelism)}
		t.hosts[key] = h
	}
	h.mu.Lock()
	h.users++
	h.mu.Unlock()
	return h
}

func (t *Transport) release(h *politeHost) {
	h.mu.Lock()
	h.users--
	h.mu.Unlock()
}

// evictIdleLocked drops hosts nobody uses whose spacing has passed and
// whose robots.txt has expired, so that a long crawl over many hosts does
// not grow the map without bound. t.mu must be held.
func (t *Transport) evictIdleLocked() {
	now := time.Now()
	for k, h := range t.hosts {
		h.mu.Lock()
		idle := h.users == 0 && h.fetching == nil && now.After(h.robotsExp) &&
			now.Sub(h.lastStart) > t.hostDelay(h) && now.After(h.notBefore)
		h.mu.Unlock()
		if idle {
			delete(t.hosts, k)
		}
	}
}

// hostDelay is the least time between two starts at h: Delay, or the
// robots.txt Crawl-delay when larger, however large. h.mu must be held.
func (t *Transport) hostDelay(h *politeHost) time.Duration {
	if h.robots != nil {
		return max(t.o.Delay, h.robots.CrawlDelay(t.agent))
	}
	return t.o.Delay
}

// takeTurn waits for a free slot of h, then until Delay (or Crawl-delay)
// has passed since the latest start, and claims the current moment as the
// new latest start. The claim is made on waking, not in advance, so that a
// late wake-up delays the next request instead of crowding it. The
// returned func frees the slot.
//
// With a Gate the claim is made there too, in one atomic step, so that no
// two processes start requests to one host less than the delay apart.
func (t *Transport) takeTurn(ctx context.Context, h *politeHost, key string) (func(), error) {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	free := func() { <-h.slots }
	for {
		h.mu.Lock()
		now := time.Now()
		if wait := h.notBefore.Sub(now); wait > maxRetryAfter {
			h.mu.Unlock()
			free()
			return nil, fmt.Errorf("%w until %s", ErrHostBackoff, h.notBefore.UTC().Format(time.RFC3339))
		}
		next := h.lastStart.Add(t.hostDelay(h))
		if h.notBefore.After(next) {
			next = h.notBefore
		}
		if !now.Before(next) && (t.o.Gate == nil || now.UnixNano() < t.gateDownUntil.Load()) {
			h.lastStart = now
			h.mu.Unlock()
			return free, nil
		}
		if !now.Before(next) {
			// This process may go; ask the processes sharing the gate.
			delay := t.hostDelay(h)
			h.mu.Unlock()
			wait, err := t.o.Gate.Acquire(ctx, key, delay)
			if err != nil {
				if ctx.Err() != nil {
					free()
					return nil, ctx.Err()
				}
				// Redis away: keep crawling with this process's own spacing
				// rather than stop; the error is counted and logged.
				t.gateFailed(err)
				wait = 0
			}
			if wait > maxRetryAfter {
				// Another process was told to leave the host alone.
				free()
				return nil, fmt.Errorf("%w for %s (shared host gate)", ErrHostBackoff, wait.Round(time.Second))
			}
			if wait <= 0 {
				h.mu.Lock()
				h.lastStart = time.Now()
				h.mu.Unlock()
				return free, nil
			}
			next = now.Add(wait)
		} else {
			h.mu.Unlock()
		}
		if err := sleepCtx(ctx, next.Sub(now)); err != nil {
			free()
			return nil, err
		}
	}
}

// gateRetry is how long the transport leaves a failing gate alone, so
// that each request does not wait for Redis' timeouts.
const gateRetry = 10 * time.Second

// gateFailed counts an error of the shared host gate, logging the first
// of every hundred.
func (t *Transport) gateFailed(err error) {
	t.gateDownUntil.Store(time.Now().Add(gateRetry).UnixNano())
	if t.stats.gate.Add(1)%100 == 1 {
		t.log.Warn("shared host gate unavailable: spacing requests within this process only", "err", err)
	}
}

// attempt sends one request in its own politeness turn and reads the
// response within the per-attempt timeout.
func (t *Transport) attempt(ctx context.Context, h *politeHost, req *http.Request, robots bool) (*http.Response, error) {
	free, err := t.takeTurn(ctx, h, hostKey(req.URL))
	if err != nil {
		return nil, err
	}
	defer free()
	actx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	out := req.Clone(actx)
	if out.Header == nil {
		out.Header = http.Header{}
	}
	out.Header.Set("User-Agent", t.o.UserAgent)
	t.stats.requests.Add(1)
	if robots {
		t.stats.robots.Add(1)
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		t.stats.errors.Add(1)
		return nil, err
	}
	if c := resp.StatusCode / 100; c >= 1 && c <= 5 {
		t.stats.status[c].Add(1)
	}
	resp, err = t.readResponse(req, resp, robots)
	if err != nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnwantedType) {
		t.stats.errors.Add(1)
	}
	return resp, err
}

// Robots returns the robots.txt verdict for u's scheme, host and port,
// fetching it first if it is not cached: a 2xx body is parsed, up to five
// redirects are followed, a 4xx (or too many redirects) allows all, and a
// 5xx, a 429 or a network error disallows all for ten minutes (or
// RobotsTTL if shorter). Concurrent
// callers share one fetch. The error is non-nil only when ctx ends first.
func (t *Transport) Robots(ctx context.Context, u *url.URL) (*Robots, error) {
	h := t.host(u)
	defer t.release(h)
	for {
		h.mu.Lock()
		if h.robots != nil && time.Now().Before(h.robotsExp) {
			rb := h.robots
			h.mu.Unlock()
			return rb, nil
		}
		if call := h.fetching; call != nil {
			h.mu.Unlock()
			select {
			case <-call.done:
				if call.robots != nil {
					return call.robots, nil
				}
				continue // the fetching caller gave up; try again
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		call := &robotsCall{done: make(chan struct{})}
		h.fetching = call
		h.mu.Unlock()

		rb, ttl, err := t.fetchRobots(ctx, u)
		h.mu.Lock()
		h.fetching = nil
		if err == nil {
			h.robots, h.robotsExp = rb, time.Now().Add(ttl)
			call.robots = rb
		}
		h.mu.Unlock()
		close(call.done)
		if err != nil {
			return nil, err
		}
		return rb, nil
	}
}

// fetchRobots fetches and judges the robots.txt of u's host, each hop in
// its host's politeness turn. It fails only when ctx ends.
func (t *Transport) fetchRobots(ctx context.Context, u *url.URL) (*Robots, time.Duration, error) {
	target := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	for hop := 0; hop <= maxRobotsRedirects; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
		if err != nil {
			return DisallowAllRobots(), min(unreachableTTL, t.o.RobotsTTL), nil
		}
		h := t.host(target)
		resp, err := t.attempt(ctx, h, req, true)
		t.release(h)
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		if err != nil {
			t.log.Info("robots.txt unreachable: disallowing the host for a while", "url", target.String(), "err", err)
			rb := DisallowAllRobots()
			rb.unavailable = err.Error()
			return rb, min(unreachableTTL, t.o.RobotsTTL), nil
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch code := resp.StatusCode; {
		case code >= 200 && code < 300:
			return ParseRobots(body), t.o.RobotsTTL, nil
		case code >= 300 && code < 400:
			loc, err := resp.Location()
			if err != nil || (loc.Scheme != "http" && loc.Scheme != "https") {
				return AllowAllRobots(), t.o.RobotsTTL, nil
			}
			target = loc
		case code == http.StatusTooManyRequests || code >= 500:
			t.log.Info("robots.txt unavailable: disallowing the host for a while", "url", target.String(), "status", code)
			rb := DisallowAllRobots()
			rb.unavailable = fmt.Sprintf("%s answered %d", target, code)
			return rb, min(unreachableTTL, t.o.RobotsTTL), nil
		default: // 4xx: no robots.txt, no restrictions
			return AllowAllRobots(), t.o.RobotsTTL, nil
		}
	}
	// RFC 9309 2.3.1.2: past five redirects the file may be taken as
	// unavailable, that is as missing.
	return AllowAllRobots(), t.o.RobotsTTL, nil
}

// readResponse reads resp's body within limits and returns a copy of resp
// whose body is the bytes read, decoded to UTF-8 where it is HTML (or
// declared in another charset). orig is the request RoundTrip was given.
func (t *Transport) readResponse(orig *http.Request, resp *http.Response, robots bool) (*http.Response, error) {
	defer resp.Body.Close()
	u := orig.URL
	limit := t.o.MaxBody
	if robots {
		limit = robotsMaxBytes
	}
	header := resp.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	isHead := orig.Method == http.MethodHead
	if !robots && ok2xx && !isHead && resp.ContentLength > limit {
		t.stats.tooLarge.Add(1)
		return nil, fmt.Errorf("%w: Content-Length %d exceeds %d", ErrTooLarge, resp.ContentLength, limit)
	}
	ct := header.Get("Content-Type")
	mt, params := parseMediaType(ct)
	if !robots && ok2xx && ct != "" && !acceptedType(mt, u.Path) {
		t.stats.unwanted.Add(1)
		return nil, fmt.Errorf("%w: %s", ErrUnwantedType, mt)
	}

	var body io.Reader = resp.Body
	uncompressed := resp.Uncompressed
	if !uncompressed && strings.EqualFold(strings.TrimSpace(header.Get("Content-Encoding")), "gzip") {
		// The caller asked for gzip itself, so net/http left it to us.
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		body, uncompressed = zr, true
		header.Del("Content-Encoding")
	}
	br := bufio.NewReaderSize(body, 512)
	if !robots && ok2xx && !isHead && ct == "" {
		head, _ := br.Peek(512)
		mt, params = parseMediaType(http.DetectContentType(head))
		delete(params, "charset") // sniffing guesses; it does not know
		if !acceptedType(mt, u.Path) {
			t.stats.unwanted.Add(1)
			return nil, fmt.Errorf("%w: %s (sniffed)", ErrUnwantedType, mt)
		}
		header.Set("Content-Type", mt)
	}
	if !ok2xx && resp.ContentLength > limit {
		limit = 0 // an oversized error page is not read at all
	}
	data, err := io.ReadAll(io.LimitReader(br, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(data)) > limit {
		switch {
		case robots:
			data = data[:limit] // a robots.txt is read up to its limit, not refused
		case ok2xx:
			t.stats.tooLarge.Add(1)
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
		default:
			data = nil // an oversized error page: the status is what counts
		}
	}

	if !robots && ok2xx {
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b && strings.HasSuffix(strings.ToLower(u.Path), ".gz") {
			if data, err = gunzipLimited(data, limit); err != nil {
				if errors.Is(err, ErrTooLarge) {
					t.stats.tooLarge.Add(1)
				}
				return nil, err
			}
			uncompressed = true
			if isGzipType(mt) {
				// What was inside: HTML, else (a sitemap) XML.
				mt, params = "application/xml", nil
				if sniffed, _ := parseMediaType(http.DetectContentType(data)); sniffed == "text/html" {
					mt = sniffed
				}
			}
			header.Set("Content-Type", mt)
		}
		data = normaliseCharset(header, mt, params, data)
	}

	out := *resp
	out.Header = header
	out.Body = io.NopCloser(bytes.NewReader(data))
	out.Request = orig
	out.TransferEncoding = nil
	out.Uncompressed = uncompressed
	if !isHead {
		out.ContentLength = int64(len(data))
		header.Set("Content-Length", strconv.Itoa(len(data)))
	}
	return &out, nil
}

// gunzipLimited decompresses a gzipped sitemap, refusing more than limit
// bytes of output.
func gunzipLimited(data []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes once gunzipped", ErrTooLarge, limit)
	}
	return out, nil
}

// parseMediaType returns the lower-cased media type and parameters of a
// Content-Type value; a malformed one still yields its type.
func parseMediaType(ct string) (string, map[string]string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		params = map[string]string{}
		if _, rest, ok := strings.Cut(strings.ToLower(ct), "charset="); ok {
			cs, _, _ := strings.Cut(rest, ";")
			params["charset"] = strings.Trim(strings.TrimSpace(cs), `"'`)
		}
	}
	if params == nil {
		params = map[string]string{}
	}
	return mt, params
}

// acceptedType reports whether a 2xx response of media type mt is worth
// reading: HTML, XML (feeds, sitemaps), JSON feeds, plain text, and gzip
// files when the path ends in .gz (gzipped sitemaps).
func acceptedType(mt, path string) bool {
	switch mt {
	case "text/html", "application/xhtml+xml", "text/xml", "application/xml",
		"application/rss+xml", "application/atom+xml", "application/feed+json", "text/plain":
		return true
	}
	if isGzipType(mt) {
		return strings.HasSuffix(strings.ToLower(path), ".gz")
	}
	return strings.HasSuffix(mt, "+xml") && !strings.HasPrefix(mt, "image/")
}

// isGzipType reports the media types servers give .gz files.
func isGzipType(mt string) bool {
	switch mt {
	case "application/gzip", "application/x-gzip", "application/x-gunzip", "application/octet-stream":
		return true
	}
	return false
}

func isHTMLType(mt string) bool { return mt == "text/html" || mt == "application/xhtml+xml" }

func isXMLType(mt string) bool {
	return mt == "text/xml" || mt == "application/xml" || strings.HasSuffix(mt, "+xml")
}

// normaliseCharset decodes data to UTF-8 where the crawler would otherwise
// misread it, and says so in header's Content-Type. HTML is always
// normalised: the encoding is taken from a byte-order mark, else the
// header's charset, else <meta charset> or http-equiv in the first 1024
// bytes, else UTF-8 when the bytes are valid UTF-8, else windows-1252 (the
// HTML standard's order). XML and text are decoded only when the header
// names a charset other than UTF-8; XML then has its declaration rewritten,
// so that no feed parser decodes it twice.
func normaliseCharset(header http.Header, mt string, params map[string]string, data []byte) []byte {
	cs := strings.TrimSpace(params["charset"])
	switch {
	case isHTMLType(mt):
		data = decodeHTML(data, cs)
		header.Set("Content-Type", mt+"; charset=utf-8")
	case isXMLType(mt) || mt == "text/plain":
		if cs == "" {
			return data
		}
		enc, name := charset.Lookup(cs)
		if enc == nil || name == "utf-8" {
			return data
		}
		data = decodeBytes(data, enc, name)
		if isXMLType(mt) {
			data = rewriteXMLEncoding(data)
		}
		header.Set("Content-Type", mt+"; charset=utf-8")
	}
	return data
}

// decodeHTML decodes an HTML body to UTF-8; it never fails.
func decodeHTML(data []byte, headerCharset string) []byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return validUTF8(data[3:])
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc, name, _ := charset.DetermineEncoding(data, "")
		return decodeBytes(data, enc, name)
	}
	if headerCharset != "" {
		if enc, name := charset.Lookup(headerCharset); enc != nil {
			return decodeBytes(data, enc, name)
		}
	}
	// Meta prescan: DetermineEncoding reads <meta> in the first 1024
	// bytes. Non-ASCII bytes are masked so that its own guess (UTF-8 when
	// those bytes happen to be valid) cannot be taken for a declaration;
	// a guess then always says windows-1252, which we check ourselves
	// over the whole body.
	head := data[:min(len(data), 1024)]
	masked := make([]byte, len(head))
	for i, c := range head {
		if c >= 0x80 {
			c = '?'
		}
		masked[i] = c
	}
	enc, name, _ := charset.DetermineEncoding(masked, "")
	if name == "windows-1252" && utf8.Valid(data) {
		return data // valid UTF-8 (or plain ASCII) is read as UTF-8
	}
	if name == "windows-1252" {
		// Old pages put <meta charset> after long scripts or styles, past
		// the 1024 bytes browsers prescan: look further before guessing.
		if e, n, ok := lateMetaCharset(data); ok {
			enc, name = e, n
		}
	}
	return decodeBytes(data, enc, name)
}

// lateMetaCharsetWindow is how far into a page lateMetaCharset looks.
const lateMetaCharsetWindow = 64 << 10

// lateMetaCharset finds a <meta> charset declaration beyond the first 1024
// bytes of a page, within its first 64 KiB.
func lateMetaCharset(data []byte) (encoding.Encoding, string, bool) {
	window := data[:min(len(data), lateMetaCharsetWindow)]
	lower := bytes.ToLower(window)
	for from := 0; from < len(lower); {
		i := bytes.Index(lower[from:], []byte("<meta"))
		if i < 0 {
			return nil, "", false
		}
		start := from + i
		end := bytes.IndexByte(lower[start:], '>')
		if end < 0 {
			return nil, "", false
		}
		tag := window[start : start+end+1]
		if bytes.Contains(bytes.ToLower(tag), []byte("charset")) {
			masked := make([]byte, len(tag))
			for k, c := range tag {
				if c >= 0x80 {
					c = '?'
				}
				masked[k] = c
			}
			if enc, name, _ := charset.DetermineEncoding(masked, ""); name != "windows-1252" || bytes.Contains(bytes.ToLower(tag), []byte("1252")) {
				return enc, name, true
			}
		}
		from = start + end + 1
	}
	return nil, "", false
}

// decodeBytes decodes data from enc to UTF-8, dropping a leading BOM;
// invalid input becomes U+FFFD, never an error.
func decodeBytes(data []byte, enc encoding.Encoding, name string) []byte {
	if enc == nil || name == "utf-8" || enc == encoding.Nop {
		return validUTF8(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}))
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return validUTF8(data)
	}
	return validUTF8(bytes.TrimPrefix(out, []byte{0xEF, 0xBB, 0xBF}))
}

// validUTF8 replaces invalid UTF-8 sequences with U+FFFD.
func validUTF8(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// xmlEncodingAttr finds the encoding pseudo-attribute of an XML
// declaration.
var xmlEncodingAttr = regexp.MustCompile(`encoding\s*=\s*("[^"]*"|'[^']*')`)

// rewriteXMLEncoding makes the XML declaration, if any, say UTF-8 once the
// body has been decoded to it.
func rewriteXMLEncoding(data []byte) []byte {
	start := 0
	for start < len(data) && start < 64 && isASCIISpace(data[start]) {
		start++
	}
	if !bytes.HasPrefix(data[start:], []byte("<?xml")) {
		return data
	}
	end := bytes.Index(data[start:min(len(data), start+512)], []byte("?>"))
	if end < 0 {
		return data
	}
	end += start
	decl := xmlEncodingAttr.ReplaceAll(data[start:end], []byte(`encoding="UTF-8"`))
	out := make([]byte, 0, len(data)+8)
	out = append(out, data[:start]...)
	out = append(out, decl...)
	return append(out, data[end:]...)
}
