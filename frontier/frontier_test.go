package frontier

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// openTest connects to the Redis of NEWSMON_TEST_REDIS under a prefix of
// its own, and deletes the prefix's keys at the end.
func openTest(t *testing.T) *Redis {
	t.Helper()
	u := os.Getenv("NEWSMON_TEST_REDIS")
	if u == "" {
		t.Skip("NEWSMON_TEST_REDIS not set (e.g. redis://127.0.0.1:6379/0): Redis tests skipped")
	}
	prefix := fmt.Sprintf("newsmon-test-%x:", rand.Uint64())
	r, err := Open(context.Background(), u, prefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.DeleteAll(context.Background()); err != nil {
			t.Error(err)
		}
		if n, _ := r.rdb.Keys(context.Background(), prefix+"*").Result(); len(n) != 0 {
			t.Errorf("keys left under the test's prefix: %v", n)
		}
		r.Close()
	})
	return r
}

func job(src, u string) newsmon.CrawlJob {
	return newsmon.CrawlJob{Run: "run-1", Source: src, URL: u}
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOpenErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"not a redis URL", "http://127.0.0.1:6379/0", "crawler.redis"},
		{"nobody listens", "redis://:secret@127.0.0.1:1/0", "crawler.redis: cannot reach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(context.Background(), tt.url, "", nil)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestPushQueuesEachURLOnce(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	n, err := r.Push(ctx, []newsmon.CrawlJob{job("a", "http://x/1"), job("a", "http://x/2"), job("a", "http://x/1"), job("b", "http://y/1")})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("first push queued %d, want 3 (one duplicate)", n)
	}
	// Concurrent pushes of the same URLs: each is queued by exactly one.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 8 {
		wg.Go(func() {
			n, err := r.Push(ctx, []newsmon.CrawlJob{job("a", "http://x/1"), job("a", "http://x/3")})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != 1 {
		t.Errorf("8 concurrent pushes of one new and one queued URL queued %d, want 1", total)
	}
	if p, _ := r.Pending(ctx, "a"); p != 3 {
		t.Errorf("pending of a = %d, want 3", p)
	}
	// Done takes a URL off: a later run may queue it again.
	var got []string
	for {
		l, err := r.Pop(ctx, []string{"a"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if l == nil {
			break
		}
		got = append(got, l.URL)
		if l.Attempt != 1 || l.Run != "run-1" || l.Source != "a" {
			t.Errorf("lease %+v", l)
		}
		if ok, err := r.Done(ctx, l, map[string]int{"new": 1}); !ok || err != nil {
			t.Errorf("done %s: %v %v", l.URL, ok, err)
		}
	}
	if want := []string{"http://x/1", "http://x/2", "http://x/3"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("popped %v, want %v in order", got, want)
	}
	if p, _ := r.Pending(ctx, "a"); p != 0 {
		t.Errorf("pending of a after done = %d", p)
	}
	if n, _ := r.Push(ctx, []newsmon.CrawlJob{job("a", "http://x/1")}); n != 1 {
		t.Errorf("a done URL was not queued again (%d)", n)
	}
	tally, err := r.Tally(ctx, "run-1")
	if err != nil || tally["new"] != 3 {
		t.Errorf("tally %v %v, want new=3", tally, err)
	}
}

func TestExpiredLeaseGoesBackToTheQueue(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	if _, err := r.Push(ctx, []newsmon.CrawlJob{job("s", "http://x/1"), job("s", "http://x/2")}); err != nil {
		t.Fatal(err)
	}
	dead, err := r.Pop(ctx, []string{"s"}, 150*time.Millisecond) // its worker "dies"
	if err != nil || dead == nil {
		t.Fatalf("pop: %v %v", dead, err)
	}
	alive, err := r.Pop(ctx, []string{"s"}, time.Minute)
	if err != nil || alive == nil || alive.URL != "http://x/2" {
		t.Fatalf("second pop: %+v %v", alive, err)
	}
	if l, _ := r.Pop(ctx, []string{"s"}, time.Minute); l != nil {
		t.Fatalf("a leased job was handed out again before its lease ran out: %+v", l)
	}
	if p, _ := r.Pending(ctx, "s"); p != 2 {
		t.Errorf("pending counts leases: %d, want 2", p)
	}
	var again *newsmon.CrawlLease
	waitFor(t, "the expired lease to be handed out again", 5*time.Second, func() bool {
		again, err = r.Pop(ctx, []string{"s"}, time.Minute)
		return err != nil || again != nil
	})
	if err != nil || again.URL != dead.URL || again.Attempt != 2 {
		t.Fatalf("requeued job: %+v %v, want %s attempt 2", again, err, dead.URL)
	}
	// The first holder comes back too late: it may neither finish, extend
	// nor release the new holder's job.
	if ok, err := r.Done(ctx, dead, map[string]int{"new": 1}); ok || err != nil {
		t.Errorf("stale done accepted: %v %v", ok, err)
	}
	if ok, _ := r.Extend(ctx, dead, time.Hour); ok {
		t.Error("stale extend accepted")
	}
	r.Release(ctx, dead)
	if l, _ := r.Pop(ctx, []string{"s"}, time.Minute); l != nil {
		t.Errorf("stale release requeued the job: %+v", l)
	}
	for _, l := range []*newsmon.CrawlLease{again, alive} {
		if ok, err := r.Done(ctx, l, map[string]int{"new": 1}); !ok || err != nil {
			t.Errorf("done %s: %v %v", l.URL, ok, err)
		}
	}
	if tally, _ := r.Tally(ctx, "run-1"); tally["new"] != 2 {
		t.Errorf("tally %v, want new=2 (the stale done not counted)", tally)
	}
	if p, _ := r.Pending(ctx, "s"); p != 0 {
		t.Errorf("pending %d after all done", p)
	}
}

func TestExtendAndRelease(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	r.Push(ctx, []newsmon.CrawlJob{job("s", "http://x/1"), job("s", "http://x/2")})
	l, err := r.Pop(ctx, []string{"s"}, 100*time.Millisecond)
	if err != nil || l == nil {
		t.Fatal(l, err)
	}
	if ok, err := r.Extend(ctx, l, time.Hour); !ok || err != nil {
		t.Fatalf("extend: %v %v", ok, err)
	}
	deadline, err := r.rdb.ZScore(ctx, r.key("leased", "s"), l.ID).Result()
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(time.UnixMilli(int64(deadline))); left < 50*time.Minute {
		t.Errorf("extended lease ends in %v, want about an hour", left)
	}
	if err := r.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	back, err := r.Pop(ctx, []string{"s"}, time.Minute)
	if err != nil || back == nil || back.URL != l.URL || back.Attempt != 2 {
		t.Errorf("after release the head of the queue is %+v %v, want %s attempt 2", back, err, l.URL)
	}
}

func TestPopServesEverySource(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	var jobs []newsmon.CrawlJob
	for i := range 20 {
		jobs = append(jobs, job("a", fmt.Sprintf("http://a/%d", i)), job("b", fmt.Sprintf("http://b/%d", i)))
	}
	r.Push(ctx, jobs)
	seen := map[string]int{}
	for range 20 {
		l, err := r.Pop(ctx, []string{"a", "b"}, time.Minute)
		if err != nil || l == nil {
			t.Fatal(l, err)
		}
		seen[l.Source]++
	}
	if seen["a"] == 0 || seen["b"] == 0 {
		t.Errorf("20 pops over two sources served %v: one source starved", seen)
	}
}

func TestVisitedIsAtomicAcrossCallers(t *testing.T) {
	r := openTest(t)
	s := r.Storage("run-1")
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for range 16 {
		wg.Go(func() {
			err := s.Visited(42)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, newsmon.ErrAlreadyVisited):
				lost++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != 15 {
		t.Errorf("16 callers marking one request: %d won, %d already visited; want 1 and 15", won, lost)
	}
	if ok, err := s.IsVisited(42); !ok || err != nil {
		t.Errorf("IsVisited(42) = %v %v", ok, err)
	}
	if ok, _ := r.Storage("run-2").IsVisited(42); ok {
		t.Error("another run's storage sees run-1's visits")
	}
	ttl, err := r.rdb.PTTL(context.Background(), r.key("visited", "run-1")).Result()
	if err != nil || ttl <= 0 {
		t.Errorf("visited set does not expire: ttl %v %v", ttl, err)
	}
	u, _ := url.Parse("http://example.org/a")
	s.SetCookies(u, "a=1")
	if got := s.Cookies(u); got != "a=1" {
		t.Errorf("cookies %q", got)
	}
	if got := r.Storage("run-2").Cookies(u); got != "" {
		t.Errorf("cookies leak across runs: %q", got)
	}
}

func TestGateSpacesClaimsAcrossCallers(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	const delay = 40 * time.Millisecond
	// Many callers at once: exactly one claims the host.
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 10 {
		wg.Go(func() {
			wait, err := r.Acquire(ctx, "http://h:80", delay)
			if err != nil {
				t.Error(err)
			}
			if wait == 0 {
				mu.Lock()
				granted++
				mu.Unlock()
			} else if wait > delay {
				t.Errorf("told to wait %v, more than the delay", wait)
			}
		})
	}
	wg.Wait()
	if granted != 1 {
		t.Fatalf("%d of 10 simultaneous callers claimed the host, want 1", granted)
	}
	// Callers that wait as told: claims, by Redis' clock, delay apart.
	var claims []time.Time
	for range 4 {
		wg.Go(func() {
			for range 3 {
				for {
					wait, err := r.Acquire(ctx, "http://h2:80", delay)
					if err != nil {
						t.Error(err)
						return
					}
					if wait == 0 {
						break
					}
					time.Sleep(wait)
				}
				now, err := r.rdb.Time(ctx).Result()
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				claims = append(claims, now)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	sort.Slice(claims, func(i, j int) bool { return claims[i].Before(claims[j]) })
	for i := 1; i < len(claims); i++ {
		// The claim is read back one round trip later; a round trip on
		// loopback is far below 10 ms.
		if gap := claims[i].Sub(claims[i-1]); gap < delay-10*time.Millisecond {
			t.Errorf("claims %d and %d only %v apart, delay %v", i-1, i, gap, delay)
		}
	}
	if len(claims) != 12 {
		t.Errorf("%d claims, want 12", len(claims))
	}
	// A Retry-After keeps every caller off the host.
	if err := r.Defer(ctx, "http://h3:80", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if wait, _ := r.Acquire(ctx, "http://h3:80", delay); wait < 9*time.Second {
		t.Errorf("after Defer(10s) told to wait only %v", wait)
	}
	// A larger delay one caller asked for (a Crawl-delay it read) holds
	// for callers that ask with a smaller one.
	if wait, _ := r.Acquire(ctx, "http://h5:80", time.Millisecond); wait != 0 {
		t.Fatalf("a fresh host must wait %v", wait)
	}
	if wait, _ := r.Acquire(ctx, "http://h5:80", 10*time.Second); wait < 9*time.Second {
		t.Errorf("asking with a 10s delay: wait %v", wait)
	}
	if wait, _ := r.Acquire(ctx, "http://h5:80", time.Millisecond); wait < 9*time.Second {
		t.Errorf("asking with 1ms after another asked with 10s: wait %v, want the 10s to hold", wait)
	}
	// Different hosts do not wait for each other.
	if wait, _ := r.Acquire(ctx, "http://h4:80", time.Hour); wait != 0 {
		t.Errorf("a fresh host must wait %v", wait)
	}
}

func TestLockIsExclusiveRenewedAndExpires(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	unlock, ok, err := r.TryLock(ctx, "source:x", 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	holder, _ := r.LockHolder(ctx, "source:x")
	if !strings.Contains(holder, fmt.Sprintf("/%d/", os.Getpid())) {
		t.Errorf("holder %q does not name this process", holder)
	}
	// Held well past its ttl: the holder renews it.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if _, ok, _ := r.TryLock(ctx, "source:x", time.Second); ok {
			t.Fatal("a second holder took a held lock")
		}
		time.Sleep(50 * time.Millisecond)
	}
	unlock()
	unlock() // twice is harmless
	unlock2, ok, err := r.TryLock(ctx, "source:x", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock after unlock: %v %v", ok, err)
	}
	defer unlock2()

	// A holder that died: its lock frees itself when the ttl runs out.
	if err := r.rdb.Set(ctx, r.key("lock", "source:y"), "dead/1/0", 200*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := r.TryLock(ctx, "source:y", time.Minute); ok {
		t.Fatal("took a lock a dead holder still has")
	}
	waitFor(t, "the dead holder's lock to expire", 5*time.Second, func() bool {
		u, ok, err := r.TryLock(ctx, "source:y", time.Minute)
		if ok {
			defer u()
		}
		return ok && err == nil
	})

	// An unlock after the lock was lost leaves the new holder's lock.
	u3, ok, _ := r.TryLock(ctx, "source:z", time.Minute)
	if !ok {
		t.Fatal("lock z")
	}
	r.rdb.Set(ctx, r.key("lock", "source:z"), "other/2/0", time.Minute)
	u3()
	if v, _ := r.LockHolder(ctx, "source:z"); v != "other/2/0" {
		t.Errorf("unlock removed another holder's lock: holder now %q", v)
	}
}

// A host's gate state must outlive the delay it enforces: were it to
// expire first (a Crawl-delay of hours), another process would find no
// claim and hit the host early.
func TestGateStateOutlivesALongDelay(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	const long = 3 * time.Hour
	if wait, err := r.Acquire(ctx, "http://slow:80", long); err != nil || wait != 0 {
		t.Fatalf("claim a fresh host: wait %v, err %v", wait, err)
	}
	if ttl, _ := r.rdb.PTTL(ctx, r.key("host", "http://slow:80")).Result(); ttl < long {
		t.Errorf("gate state of a host claimed with a %v delay expires in %v", long, ttl)
	}
	// Claimed with a short delay, then a longer one learned (another
	// process read the Crawl-delay) while waiting.
	if wait, err := r.Acquire(ctx, "http://slow2:80", time.Millisecond); err != nil || wait != 0 {
		t.Fatalf("claim a fresh host: wait %v, err %v", wait, err)
	}
	if wait, _ := r.Acquire(ctx, "http://slow2:80", long); wait < long-time.Minute {
		t.Fatalf("asking with %v: wait %v", long, wait)
	}
	if ttl, _ := r.rdb.PTTL(ctx, r.key("host", "http://slow2:80")).Result(); ttl < long-time.Minute {
		t.Errorf("gate state after learning a %v delay expires in %v", long, ttl)
	}
}

// A lock that vanished while its holder still runs (it expired while
// Redis was out of reach, or a restarted Redis lost it) is taken back by
// the holder's renewal, so that no other process starts the same work.
func TestLockVanishedIsTakenBackByItsHolder(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	unlock, ok, err := r.TryLock(ctx, "source:v", 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer unlock()
	holder, _ := r.LockHolder(ctx, "source:v")
	if err := r.rdb.Del(ctx, r.key("lock", "source:v")).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the holder to take its vanished lock back", 2*time.Second, func() bool {
		h, _ := r.LockHolder(ctx, "source:v")
		return h == holder
	})
	if u, ok, _ := r.TryLock(ctx, "source:v", time.Minute); ok {
		u()
		t.Fatal("another process took a lock whose holder still runs")
	}
	unlock()
	if h, _ := r.LockHolder(ctx, "source:v"); h != "" {
		t.Errorf("lock still held after unlock by %q", h)
	}
}

// A Retry-After given as a far-off date is kept for a day at most: the
// host's hash must not live, and keep every process off it, for ever.
func TestGateDeferIsBounded(t *testing.T) {
	r := openTest(t)
	ctx := context.Background()
	const far = time.Duration(1<<63 - 1) // a date in the year 2318
	if err := r.Defer(ctx, "http://far:80", far); err != nil {
		t.Fatal(err)
	}
	wait, err := r.Acquire(ctx, "http://far:80", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if wait > maxDefer || wait < maxDefer-time.Minute {
		t.Errorf("after Defer(%v) told to wait %v, want about %v", far, wait, maxDefer)
	}
	if ttl, _ := r.rdb.PTTL(ctx, r.key("host", "http://far:80")).Result(); ttl > maxDefer+time.Hour {
		t.Errorf("gate state of a deferred host expires in %v", ttl)
	}
}
