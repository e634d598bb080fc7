package crawler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

func TestSchedulerRunsSkipsOverlapsAndSurvivesPanics(t *testing.T) {
	sources := []*newsmon.Source{
		{Name: "slow", Schedule: "@every 1s"},
		{Name: "panicky", Schedule: "@every 1s"},
	}
	var mu sync.Mutex
	runs := map[string]int{}
	inFlight := map[string]int{}
	overlap := false
	s, err := NewScheduler(sources, func(ctx context.Context, src *newsmon.Source) {
		mu.Lock()
		runs[src.Name]++
		inFlight[src.Name]++
		if inFlight[src.Name] > 1 {
			overlap = true
		}
		n := runs[src.Name]
		mu.Unlock()
		defer func() {
			mu.Lock()
			inFlight[src.Name]--
			mu.Unlock()
		}()
		switch src.Name {
		case "slow":
			select { // longer than two ticks, until stopped
			case <-time.After(2500 * time.Millisecond):
			case <-ctx.Done():
			}
		case "panicky":
			if n == 1 {
				panic("a hostile page")
			}
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		done := runs["panicky"] >= 3 && runs["slow"] >= 2
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Stop took %v: running crawls were not cancelled", took)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs["panicky"] < 3 {
		t.Errorf("panicky ran %d times: a panic stopped its schedule", runs["panicky"])
	}
	if runs["slow"] < 2 {
		t.Errorf("slow ran %d times", runs["slow"])
	}
	if overlap {
		t.Error("two runs of one source at once")
	}
	// Slow runs take 2.5 s on a 1 s schedule: ticks were skipped, not queued.
	if runs["slow"] > runs["panicky"] {
		t.Errorf("slow ran %d times, as often as the quick source (%d): overlapping ticks not skipped", runs["slow"], runs["panicky"])
	}
}

func TestSchedulerJitterSpreadsSources(t *testing.T) {
	sched, err := newsmon.CronParser.Parse("@every 30m")
	if err != nil {
		t.Fatal(err)
	}
	seconds := map[int64]bool{}
	for i := range 100 {
		name := fmt.Sprintf("source-%d", i)
		j := jitter(name, sched)
		if j != jitter(name, sched) {
			t.Fatalf("jitter of %s not stable", name)
		}
		if j < 0 || j >= 3*time.Minute {
			t.Errorf("jitter %v outside a tenth of the interval", j)
		}
		seconds[int64(j/time.Second)] = true
	}
	if len(seconds) < 60 {
		t.Errorf("100 sources start in only %d distinct seconds", len(seconds))
	}
	daily, _ := newsmon.CronParser.Parse("CRON_TZ=Asia/Almaty 0 9 * * *")
	if j := jitter("x", daily); j > maxJitter {
		t.Errorf("daily jitter %v above the cap", j)
	}
}

func TestNewSchedulerRejectsBadSchedule(t *testing.T) {
	if _, err := NewScheduler([]*newsmon.Source{{Name: "x", Schedule: "every so often"}}, func(context.Context, *newsmon.Source) {}, nil); err == nil {
		t.Error("bad schedule accepted")
	}
}

// memLocker is a newsmon.Locker within one process, standing in for Redis
// (whose locks the frontier package tests).
type memLocker struct {
	mu   sync.Mutex
	held map[string]bool
}

func (l *memLocker) TryLock(_ context.Context, name string, _ time.Duration) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return nil, false, nil
	}
	l.held[name] = true
	return func() {
		l.mu.Lock()
		delete(l.held, name)
		l.mu.Unlock()
	}, true, nil
}

// memRuns records run starts, as the store would.
type memRuns struct {
	mu     sync.Mutex
	starts []time.Time
	by     []int
}

func (m *memRuns) FindRuns(_ context.Context, f newsmon.RunFilter) ([]newsmon.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.starts) == 0 {
		return nil, nil
	}
	return []newsmon.Run{{Source: f.Source, Started: m.starts[len(m.starts)-1], Status: newsmon.RunDone}}, nil
}

func TestSharedSchedulersRunEachTickOnce(t *testing.T) {
	src := &newsmon.Source{Name: "shared", Schedule: "@every 1s"}
	lk := &memLocker{held: map[string]bool{}}
	runs := &memRuns{}
	var scheds []*Scheduler
	for i := range 3 {
		s, err := NewScheduler([]*newsmon.Source{src}, func(ctx context.Context, src *newsmon.Source) {
			runs.mu.Lock()
			runs.starts = append(runs.starts, time.Now())
			runs.by = append(runs.by, i)
			runs.mu.Unlock()
			select { // a run that lasts a while
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
			}
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Share(lk, time.Minute, runs)
		scheds = append(scheds, s)
	}
	// Started at different moments, as processes are.
	for _, s := range scheds {
		s.Start()
		time.Sleep(130 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs.mu.Lock()
		n := len(runs.starts)
		runs.mu.Unlock()
		if n >= 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range scheds {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
		cancel()
	}
	runs.mu.Lock()
	defer runs.mu.Unlock()
	if len(runs.starts) < 4 {
		t.Fatalf("only %d runs in 10 s of a 1 s schedule", len(runs.starts))
	}
	for i := 1; i < len(runs.starts); i++ {
		if gap := runs.starts[i].Sub(runs.starts[i-1]); gap < 500*time.Millisecond {
			t.Errorf("runs %d (scheduler %d) and %d (scheduler %d) only %v apart on a 1 s schedule: a tick ran twice",
				i-1, runs.by[i-1], i, runs.by[i], gap)
		}
	}
}

func TestAlignedEveryTicksTogether(t *testing.T) {
	a := alignedEvery{30 * time.Minute}
	t1 := time.Date(2026, 11, 27, 10, 7, 13, 0, time.UTC)
	t2 := time.Date(2026, 11, 27, 10, 29, 59, 0, time.UTC)
	want := time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)
	if got := a.Next(t1); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", t1, got, want)
	}
	if got := a.Next(t2); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", t2, got, want)
	}
	if got := a.Next(want); !got.Equal(want.Add(30 * time.Minute)) {
		t.Errorf("Next on a tick = %v, want the next tick", got)
	}
}
