package crawler

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/robfig/cron/v3"
)

// Scheduler runs each source on its own cron schedule (robfig/cron/v3, in
// UTC unless the spec says CRON_TZ=). Each run first waits a jitter derived
// from a hash of the source's name, so that many sources on one schedule
// do not fire in the same second; a source whose run is still going when
// its next tick comes skips that tick; a panic in a run is logged and the
// daemon lives on.
type Scheduler struct {
	cron   *cron.Cron
	run    func(ctx context.Context, src *newsmon.Source)
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the first runs, which Start begins outside cron

	mu      sync.Mutex
	running map[string]bool
}

// maxJitter caps the wait before a scheduled run.
const maxJitter = 5 * time.Minute

// NewScheduler returns a scheduler that calls run for each source on its
// schedule. run gets a context that Stop cancels. Schedules must be valid
// (Config.Validate checked them).
func NewScheduler(sources []*newsmon.Source, run func(ctx context.Context, src *newsmon.Source), log *slog.Logger) (*Scheduler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{run: run, log: log, ctx: ctx, cancel: cancel, running: map[string]bool{}}
	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithParser(newsmon.CronParser))
	for _, src := range sources {
		sched, err := newsmon.CronParser.Parse(src.Schedule)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("source %s: schedule %q: %w", src.Name, src.Schedule, err)
		}
		s.cron.Schedule(sched, cron.FuncJob(func() { s.tick(src, jitter(src.Name, sched)) }))
	}
	return s, nil
}

// jitter returns the source's fixed offset: up to a tenth of the interval
// between two ticks, at most maxJitter.
func jitter(name string, sched cron.Schedule) time.Duration {
	now := time.Now()
	first := sched.Next(now)
	interval := sched.Next(first).Sub(first)
	span := min(interval/10, maxJitter)
	if span <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(h.Sum64() % uint64(span))
}

// Start starts the schedules; every source also runs once soon after
// start, after its jitter, so a restarted daemon does not wait a whole
// interval.
func (s *Scheduler) Start() {
	for _, e := range s.cron.Entries() {
		job := e.Job
		s.wg.Go(job.Run)
	}
	s.cron.Start()
}

// tick is one scheduled run of a source: wait the jitter, skip when the
// previous run still goes, recover a panic.
func (s *Scheduler) tick(src *newsmon.Source, wait time.Duration) {
	s.mu.Lock()
	if s.running[src.Name] {
		s.mu.Unlock()
		s.log.Info("previous run still going: tick skipped", "source", src.Name)
		return
	}
	s.running[src.Name] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, src.Name)
		s.mu.Unlock()
	}()

	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return
		}
	}
	if s.ctx.Err() != nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("crawl run panicked", "source", src.Name, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	s.run(s.ctx, src)
}

// Stop stops the schedules, cancels the running crawls and waits for them
// to return, at most until ctx ends. It reports ctx's error when runs were
// still going then.
func (s *Scheduler) Stop(ctx context.Context) error {
	cronDone := s.cron.Stop() // done when the jobs cron started return
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.wg.Wait() // the runs Start began itself
		<-cronDone.Done()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop scheduler: runs still going: %w", ctx.Err())
	}
}
