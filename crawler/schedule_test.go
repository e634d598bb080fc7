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
