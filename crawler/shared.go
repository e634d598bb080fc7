package crawler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	newsmon "github.com/newsmon/newsmon"
)

// Shared is what a crawler shares with other newsmon processes, on this
// machine or others. Zero fields keep the single-process behaviour.
//
//   - Frontier: the run that did discovery queues its article jobs there
//     instead of on a local channel, and waits until every job of the
//     source is done, whichever process does it; Colly's visited set and
//     cookies of a run live there too.
//   - Gate: every request also waits for its host's turn there, so that
//     all processes together keep each host's delay (Crawl-delay
//     included) and a Retry-After.
//   - Locker: RunAll takes the lock of a source before running it; a
//     process that finds it taken helps with the queued jobs instead.
type Shared struct {
	Frontier newsmon.Frontier
	Gate     newsmon.HostGate
	Locker   newsmon.Locker
	// Lease is how long a job or a lock stays with a process that stops
	// renewing it (it died): then another takes it over. Holders renew
	// every third of it. Default 30s.
	Lease time.Duration
}

// Polling of the frontier: a run or a helper waiting for the jobs others
// hold asks again every queuePoll; the workers of a daemon, with nothing
// queued, every idlePoll; after an error of the frontier, every errorPoll.
const (
	defaultLease = 30 * time.Second
	queuePoll    = 50 * time.Millisecond
	idlePoll     = time.Second
	errorPoll    = time.Second
)

// minGiveUp bounds how long a run keeps asking a frontier that fails
// before it stops (cut), so that a lost Redis never hangs a crawl; it is
// at least four leases. A variable for tests.
var minGiveUp = 30 * time.Second

// errFrontierDown stops queue workers after the frontier failed for too
// long.
var errFrontierDown = errors.New("shared frontier unavailable")

// RunLockName is the name of the lock that gives a run of a source to one
// process; the scheduler and RunAll both take it.
func RunLockName(source string) string { return "source:" + source }

func newRunToken() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// queueArticles queues the run's article jobs on the shared frontier and
// works on them, with the other processes, until none of the source's jobs
// is left; the run's summary then counts what every process did with them.
func (r *run) queueArticles(cands []*candidate) {
	f := r.c.shared.Frontier
	jobs := r.articleJobs(cands)
	if left := atomic.LoadInt64(&r.budget); int64(len(jobs)) > left {
		jobs = jobs[:max(left, 0)]
		r.mu.Lock()
		r.budgetSpentLocked()
		r.mu.Unlock()
	}
	atomic.AddInt64(&r.budget, -int64(len(jobs)))
	crawlJobs := make([]newsmon.CrawlJob, len(jobs))
	for i, j := range jobs {
		crawlJobs[i] = newsmon.CrawlJob{Run: r.token, Source: r.src.Name, URL: j.c.url, Title: j.c.title, Published: j.c.published, Lastmod: j.c.lastmod}
	}
	queued, err := f.Push(r.ctx, crawlJobs)
	if err != nil {
		// Crawl alone rather than not at all: the jobs that did reach the
		// frontier may be fetched twice, which the store absorbs.
		r.mu.Lock()
		r.countError("frontier", fmt.Errorf("queue articles: %w", err))
		r.sum.Queued = len(jobs)
		r.mu.Unlock()
		r.c.log.Error("shared frontier: crawling this source's articles alone", "source", r.src.Name, "err", err)
		r.fetchJobs(jobs)
		return
	}
	r.mu.Lock()
	r.sum.Queued = queued
	r.mu.Unlock()
	r.c.log.Debug("articles queued", "source", r.src.Name, "run", r.token, "queued", queued, "already_queued", len(jobs)-queued)

	w := r.c.newWorkerRun(r.ctx, r.src)
	w.parent = r
	q := r.c.newQueueWork(r.ctx, []*run{w})
	err = q.work(max(r.c.cfg.Parallelism, 1), func() (bool, error) {
		n, err := f.Pending(r.ctx, r.src.Name)
		return n == 0, err
	})
	q.close()
	if err != nil && r.ctx.Err() == nil {
		r.mu.Lock()
		r.countError("frontier", err)
		if r.sum.Cut == "" {
			r.sum.Cut = err.Error()
		}
		r.mu.Unlock()
	}
	t, err := f.Tally(context.WithoutCancel(r.ctx), r.token)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.countError("frontier", err)
		return
	}
	for k, n := range t {
		r.addLocked(k, n)
	}
}

// newWorkerRun returns a run that handles jobs of src leased from the
// frontier: no page budget (the run that queued them spent it), a writer
// of its own, and a summary of what this process did.
func (c *Crawler) newWorkerRun(ctx context.Context, src *newsmon.Source) *run {
	base, err := url.Parse(src.URL)
	if err != nil {
		base = &url.URL{}
	}
	return &run{
		c: c, src: src, ctx: ctx, base: base,
		budget: math.MaxInt64,
		sum:    Summary{Source: src.Name, Started: time.Now().UTC(), ErrorKinds: map[string]int{}},
	}
}

// queueWork is a pool of workers that lease jobs of some sources from the
// frontier and handle each with the worker run of its source.
type queueWork struct {
	c     *Crawler
	ctx   context.Context
	runs  map[string]*run
	names []string
	stops []func()

	mu   sync.Mutex
	cols map[string]*colly.Collector // by visited-set name
}

// maxCollectors bounds the collectors a pool keeps, one per run (and
// attempt) whose jobs it handles.
const maxCollectors = 64

func (c *Crawler) newQueueWork(ctx context.Context, runs []*run) *queueWork {
	q := &queueWork{c: c, ctx: ctx, runs: map[string]*run{}, cols: map[string]*colly.Collector{}}
	for _, w := range runs {
		q.runs[w.src.Name] = w
		q.names = append(q.names, w.src.Name)
		q.stops = append(q.stops, w.startWriter())
	}
	return q
}

// close waits until every article handed to the writers is stored and its
// job acknowledged.
func (q *queueWork) close() {
	for _, stop := range q.stops {
		stop()
	}
}

// work runs n workers until finished reports true when nothing is queued
// (never when finished is nil), or ctx ends, or the frontier has failed for longer than its give-up time
// (then the error is errFrontierDown).
func (q *queueWork) work(n int, finished func() (bool, error)) error {
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for range n {
		wg.Go(func() {
			if err := q.loop(finished); err != nil {
				failed.CompareAndSwap(nil, &err)
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return *p
	}
	return nil
}

func (q *queueWork) loop(finished func() (bool, error)) error {
	f := q.c.shared.Frontier
	giveUp := max(4*q.c.shared.Lease, minGiveUp)
	var failingSince time.Time
	failed := func(what string, err error) error {
		if failingSince.IsZero() {
			failingSince = time.Now()
		}
		q.c.log.Warn("shared frontier: "+what, "err", err)
		if time.Since(failingSince) > giveUp {
			return fmt.Errorf("%w for %s: %v", errFrontierDown, time.Since(failingSince).Round(time.Second), err)
		}
		sleepCtx(q.ctx, errorPoll)
		return nil
	}
	for q.ctx.Err() == nil {
		l, err := f.Pop(q.ctx, q.names, q.c.shared.Lease)
		if err != nil {
			if q.ctx.Err() != nil {
				return nil
			}
			if err := failed("lease a job", err); err != nil {
				return err
			}
			continue
		}
		if l == nil && finished == nil {
			sleepCtx(q.ctx, idlePoll)
			continue
		}
		if l == nil {
			done, err := finished()
			if err != nil {
				if q.ctx.Err() != nil {
					return nil
				}
				if err := failed("count pending jobs", err); err != nil {
					return err
				}
				continue
			}
			failingSince = time.Time{}
			if done {
				return nil
			}
			sleepCtx(q.ctx, queuePoll)
			continue
		}
		failingSince = time.Time{}
		q.handle(l)
	}
	return nil
}

// collector returns the pool's collector for a visited-set name.
func (q *queueWork) collector(ns string) *colly.Collector {
	q.mu.Lock()
	defer q.mu.Unlock()
	if col, ok := q.cols[ns]; ok {
		return col
	}
	if len(q.cols) >= maxCollectors {
		clear(q.cols)
	}
	col := q.c.newCollector(q.ctx, q.c.shared.Frontier.Storage(ns))
	q.cols[ns] = col
	return col
}

// handle fetches, extracts and stores one leased job, renewing its lease
// meanwhile, and takes it off the frontier once settled. A job whose
// worker is stopping before it got anywhere is put back for another.
func (q *queueWork) handle(l *newsmon.CrawlLease) {
	f := q.c.shared.Frontier
	lease := q.c.shared.Lease
	w := q.runs[l.Source]
	if w == nil { // Pop returns only jobs of q.names
		f.Release(context.WithoutCancel(q.ctx), l)
		return
	}
	// A job leased again after its first holder vanished may have been
	// marked visited by it: its retry gets a visited set of its own.
	ns := l.Run
	if l.Attempt > 1 {
		ns += "/" + strconv.Itoa(l.Attempt)
	}
	col := q.collector(ns)
	var st *newsmon.FetchState
	if known, err := q.c.store.FindFetchStates(q.ctx, []string{l.URL}); err != nil {
		w.count(nil, tallyError+"store", err)
	} else {
		st = known[l.URL]
	}

	renewCtx, stopRenew := context.WithCancel(context.WithoutCancel(q.ctx))
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-renewCtx.Done():
				return
			case <-tick.C:
			}
			ok, err := f.Extend(renewCtx, l, lease)
			if err != nil && renewCtx.Err() == nil {
				q.c.log.Warn("shared frontier: extend lease", "url", l.URL, "err", err)
			} else if err == nil && !ok {
				q.c.log.Warn("shared frontier: lease lost, another worker may fetch the page too", "url", l.URL)
				return
			}
		}
	}()
	ack := func(t tally) {
		stopRenew()
		<-renewed
		ctx, cancel := context.WithTimeout(context.WithoutCancel(q.ctx), 10*time.Second)
		defer cancel()
		if q.ctx.Err() != nil && !settled(t) {
			if err := f.Release(ctx, l); err != nil {
				q.c.log.Warn("shared frontier: release job (its lease will expire)", "url", l.URL, "err", err)
			}
			return
		}
		ok, err := f.Done(ctx, l, t)
		if err != nil {
			w.count(nil, tallyError+"frontier", err)
			q.c.log.Warn("shared frontier: finish job (its lease will expire and another worker redo it)", "url", l.URL, "err", err)
		} else if !ok {
			q.c.log.Info("shared frontier: job finished after its lease was lost", "url", l.URL)
		}
	}
	c := &candidate{url: l.URL, lastmod: l.Lastmod, published: l.Published, title: l.Title}
	w.fetchArticle(&articleJob{c: c, st: st, col: col, t: tally{}, ack: ack})
}

// settled reports whether a job's tally says it reached an outcome: a
// job cut short by a stopping worker is not settled and goes back to the
// queue.
func settled(t tally) bool {
	return t[tallyNew]+t[tallyUpdated]+t[tallyUnchanged]+t[tallyAliases]+t[tallyNotArticle] > 0
}

// RunAll runs one crawl of each source, at most parallel sources at a
// time (each source is mostly one host; the transport keeps every host's
// limits however many run). Summaries are in the order of sources; the
// error joins those of the runs that could not complete.
//
// With a shared Locker, a source whose lock another process holds is not
// run again: this process helps with its queued jobs until every one is
// done and the lock is free (then its summary has Helper set). When the
// holder died before its run finished, this process runs the source
// itself once the lock expires.
func (c *Crawler) RunAll(ctx context.Context, sources []*newsmon.Source, parallel int) ([]Summary, error) {
	sums := make([]Summary, len(sources))
	errs := make([]error, len(sources))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c.log.Info("crawl started", "source", src.Name)
			sums[i], errs[i] = c.runOrHelp(ctx, src)
			s := sums[i]
			c.log.Info("crawl finished", "source", src.Name, "new", s.New, "updated", s.Updated, "errors", s.Errors, "elapsed", s.Elapsed, "helper", s.Helper)
		})
	}
	wg.Wait()
	return sums, errors.Join(errs...)
}

// runOrHelp runs src, or, when another process holds its lock, helps.
func (c *Crawler) runOrHelp(ctx context.Context, src *newsmon.Source) (Summary, error) {
	lk := c.shared.Locker
	if lk == nil {
		return c.Run(ctx, src)
	}
	unlock, ok, err := lk.TryLock(ctx, RunLockName(src.Name), c.shared.Lease)
	if err != nil {
		return Summary{Source: src.Name, Started: time.Now().UTC()}, fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	if ok {
		defer unlock()
		return c.Run(ctx, src)
	}
	if c.shared.Frontier == nil {
		// A lock without a queue (PostgreSQL's advisory locks, no Redis):
		// the other process does the whole run, there is nothing to help
		// with.
		now := time.Now().UTC()
		return Summary{Source: src.Name, Started: now, Finished: now, Helper: true,
			Cut: "another process is running this source"}, nil
	}
	return c.help(ctx, src)
}

// help works on the queued jobs of src while another process runs it,
// until none is left and the lock is free. A run still recorded as running
// then means its process died: this one runs the source itself, so that
// what the dead run had not queued yet is not lost.
func (c *Crawler) help(ctx context.Context, src *newsmon.Source) (Summary, error) {
	w := c.newWorkerRun(ctx, src)
	w.sum.Helper = true
	q := c.newQueueWork(ctx, []*run{w})
	f := c.shared.Frontier
	finished := func() (bool, error) {
		n, err := f.Pending(ctx, src.Name)
		return n == 0, err
	}
	var runErr error
	var lockFailing time.Time
	takeover := false
	for ctx.Err() == nil {
		if err := q.work(max(c.cfg.Parallelism, 1), finished); err != nil {
			runErr = err
			break
		}
		if ctx.Err() != nil {
			break
		}
		unlock, ok, err := c.shared.Locker.TryLock(ctx, RunLockName(src.Name), c.shared.Lease)
		if err != nil {
			c.log.Warn("shared frontier: lock", "source", src.Name, "err", err)
			if lockFailing.IsZero() {
				lockFailing = time.Now()
			}
			if time.Since(lockFailing) > max(4*c.shared.Lease, minGiveUp) {
				runErr = fmt.Errorf("%w: lock: %v", errFrontierDown, err)
				break
			}
		} else {
			lockFailing = time.Time{}
		}
		if ok {
			if runs, err := c.store.FindRuns(ctx, newsmon.RunFilter{Source: src.Name, Limit: 1}); err == nil && len(runs) > 0 && runs[0].Status == newsmon.RunRunning {
				takeover = true
				q.close()
				c.log.Warn("the process running this source stopped before it finished: running it here", "source", src.Name)
				sum, err := c.Run(ctx, src)
				unlock()
				return sum, err
			}
			unlock()
			break
		}
		sleepCtx(ctx, queuePoll)
	}
	if !takeover {
		q.close()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sum.Finished = time.Now().UTC()
	w.sum.Elapsed = w.sum.Finished.Sub(w.sum.Started).Round(time.Millisecond).String()
	if runErr != nil {
		w.countError("frontier", runErr)
		w.sum.Cut = runErr.Error()
		return w.sum, fmt.Errorf("crawl %s: %w", src.Name, runErr)
	}
	if err := ctx.Err(); err != nil {
		w.sum.Cut = "cancelled"
		return w.sum, fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	return w.sum, nil
}

// Work handles queued jobs of the sources, from whichever process's runs,
// until ctx ends: the daemon's share of runs that other processes started.
// It needs a Frontier (without one it returns at once).
func (c *Crawler) Work(ctx context.Context, sources []*newsmon.Source) {
	if c.shared.Frontier == nil || len(sources) == 0 {
		return
	}
	runs := make([]*run, len(sources))
	for i, src := range sources {
		runs[i] = c.newWorkerRun(ctx, src)
	}
	q := c.newQueueWork(ctx, runs)
	defer q.close()
	for ctx.Err() == nil {
		if err := q.work(max(c.cfg.Parallelism, 1), nil); err != nil {
			c.log.Error("shared frontier: queue workers pausing", "err", err)
			sleepCtx(ctx, minGiveUp)
		}
	}
}
