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
// daemon lives on. Share makes the schedule hold across processes.
type Scheduler struct {
	cron    *cron.Cron
	entries []scheduleEntry
	run     func(ctx context.Context, src *newsmon.Source)
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup // the first runs, which Start begins outside cron

	locker  newsmon.Locker
	lockTTL time.Duration
	runs    RunFinder

	mu      sync.Mutex
	running map[string]bool
}

type scheduleEntry struct {
	src   *newsmon.Source
	sched cron.Schedule
}

// RunFinder finds the recorded runs of a source (newsmon.Store does).
type RunFinder interface {
	FindRuns(ctx context.Context, f newsmon.RunFilter) ([]newsmon.Run, error)
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
		s.entries = append(s.entries, scheduleEntry{src, sched})
	}
	return s, nil
}

// Share makes each scheduled run happen once among every process that
// shares locker: a tick first takes the lock of its source (held, and
// renewed, for the run; ttl is how long it outlives a process that died)
// and is skipped when another process holds it. It is skipped too when
// runs says the source's latest run started less than half an interval
// ago, so that a process whose tick comes just after another's run ended
// does not run the source again. "@every" schedules are aligned to the
// clock (multiples of the interval), so that processes started at
// different times tick together instead of each on its own clock. Call
// Share before Start.
func (s *Scheduler) Share(locker newsmon.Locker, ttl time.Duration, runs RunFinder) {
	s.locker, s.lockTTL, s.runs = locker, ttl, runs
}

// alignedEvery is an "@every" schedule whose ticks fall on multiples of
// its interval since the zero time, the same instants in every process.
type alignedEvery struct{ every time.Duration }

func (a alignedEvery) Next(t time.Time) time.Time { return t.Truncate(a.every).Add(a.every) }

// interval is the time between two ticks of sched from now.
func interval(sched cron.Schedule) time.Duration {
	first := sched.Next(time.Now())
	return sched.Next(first).Sub(first)
}

// jitter returns the source's fixed offset: up to a tenth of the interval
// between two ticks, at most maxJitter.
func jitter(name string, sched cron.Schedule) time.Duration {
	span := min(interval(sched)/10, maxJitter)
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
	for _, e := range s.entries {
		src, sched := e.src, e.sched
		if every, ok := sched.(cron.ConstantDelaySchedule); ok && s.locker != nil {
			sched = alignedEvery{every.Delay}
		}
		s.cron.Schedule(sched, cron.FuncJob(func() { s.tick(src, sched, jitter(src.Name, sched)) }))
	}
	for _, e := range s.cron.Entries() {
		job := e.Job
		s.wg.Go(job.Run)
	}
	s.cron.Start()
}

// tick is one scheduled run of a source: wait the jitter, skip when the
// previous run still goes (or, shared, runs or just ran elsewhere),
// recover a panic.
func (s *Scheduler) tick(src *newsmon.Source, sched cron.Schedule, wait time.Duration) {
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
	if s.locker != nil {
		unlock, ok := s.takeRun(src, sched)
		if !ok {
			return
		}
		defer unlock()
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

// takeRun takes the run of src for this process when no other process
// runs it or has just run it. An unreachable locker skips the tick: with
// no way to tell, crawling twice is worse for the site than a late run.
func (s *Scheduler) takeRun(src *newsmon.Source, sched cron.Schedule) (func(), bool) {
	unlock, ok, err := s.locker.TryLock(s.ctx, RunLockName(src.Name), s.lockTTL)
	if err != nil {
		s.log.Error("scheduled run skipped: lock unavailable", "source", src.Name, "err", err)
		return nil, false
	}
	if !ok {
		s.log.Info("another process runs this source: tick skipped", "source", src.Name)
		return nil, false
	}
	if s.runs == nil {
		return unlock, true
	}
	runs, err := s.runs.FindRuns(s.ctx, newsmon.RunFilter{Source: src.Name, Limit: 1})
	if err != nil {
		s.log.Warn("latest run unknown: running anyway", "source", src.Name, "err", err)
		return unlock, true
	}
	if len(runs) > 0 {
		if ago := time.Since(runs[0].Started); ago < interval(sched)/2 && runs[0].Status != newsmon.RunRunning {
			s.log.Info("source ran recently, maybe by another process: tick skipped", "source", src.Name, "ago", ago.Round(time.Second))
			unlock()
			return nil, false
		}
	}
	return unlock, true
}
