package newsmon

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// CrawlJob is one article URL a run of a source queued on a shared
// Frontier, with what discovery said about it.
type CrawlJob struct {
	Run       string     `json:"run"` // token of the run that queued it
	Source    string     `json:"source"`
	URL       string     `json:"url"`
	Title     string     `json:"title,omitempty"`
	Published *time.Time `json:"published,omitempty"`
	Lastmod   *time.Time `json:"lastmod,omitempty"`
}

// CrawlLease is a CrawlJob taken from the queue by one worker until its
// deadline. Attempt counts the leases of the job, this one included: a
// job leased again after its first holder vanished has Attempt 2.
type CrawlLease struct {
	CrawlJob
	ID      string
	Attempt int
}

// Frontier is the crawl queue that several newsmon processes share, so
// that each article of a run is fetched and stored by one of them. A job
// stays on the frontier from Push until Done: first queued, then leased to
// one worker; a lease that is neither renewed nor done by its deadline (its
// process died) goes back to the queue. Every method is safe for concurrent
// use; errors are those of the frontier's server.
type Frontier interface {
	// Push queues the jobs whose URL is not on the frontier yet, with an
	// atomic check per URL, so that a URL is never queued twice at once.
	// It returns how many it queued.
	Push(ctx context.Context, jobs []CrawlJob) (int, error)
	// Pop leases the oldest queued job of one of sources for lease. It
	// returns nil, and no error, when none is queued. Expired leases are
	// put back in the queue first.
	Pop(ctx context.Context, sources []string, lease time.Duration) (*CrawlLease, error)
	// Extend moves the deadline of a lease still held to lease from now;
	// ok is false when the lease was lost (expired and taken again).
	Extend(ctx context.Context, l *CrawlLease, lease time.Duration) (ok bool, err error)
	// Done takes the leased job off the frontier and adds counts (what
	// became of it, for the run's record) to its run's tally. ok is false,
	// and nothing is counted, when the lease was lost.
	Done(ctx context.Context, l *CrawlLease, counts map[string]int) (ok bool, err error)
	// Release puts a leased job back at the head of the queue at once (its
	// worker is stopping).
	Release(ctx context.Context, l *CrawlLease) error
	// Pending counts the jobs of source queued or leased.
	Pending(ctx context.Context, source string) (int, error)
	// Tally returns the counts Done added for the run.
	Tally(ctx context.Context, run string) (map[string]int, error)
	// Storage returns the visited set and cookie jar named ns, shared by
	// every process, for the collectors of one run.
	Storage(ns string) CollectorStorage
}

// CollectorStorage is the visited set and cookie jar of a collector. It has
// the method set of Colly's storage.Storage, so that an implementation
// need not import Colly. Visited is atomic: it returns an error wrapping
// ErrAlreadyVisited when the request was marked visited before, by any
// process, so that two processes never both fetch it.
type CollectorStorage interface {
	Init() error
	Visited(requestID uint64) error
	IsVisited(requestID uint64) (bool, error)
	Cookies(u *url.URL) string
	SetCookies(u *url.URL, cookies string)
}

// ErrAlreadyVisited is the error of CollectorStorage.Visited for a request
// another worker claimed first.
var ErrAlreadyVisited = errors.New("already visited")

// HostGate spaces the requests that several processes send to one host: it
// keeps, per host, the earliest time the next request may start.
type HostGate interface {
	// Acquire claims the host (scheme://host:port) now when delay has
	// passed since the previous claim by any process, and then returns 0;
	// otherwise it claims nothing and returns how long to wait before
	// asking again.
	Acquire(ctx context.Context, host string, delay time.Duration) (time.Duration, error)
	// Defer keeps every process off host for d from now (a Retry-After).
	Defer(ctx context.Context, host string, d time.Duration) error
}
