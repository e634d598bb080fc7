package newsmon

import (
	"strings"
	"testing"
)

// found is a finished run of a reachable source that found n new articles
// among pages it fetched, with the given error kinds (each error one of its
// requests, as in the crawler).
func found(n int, errs map[string]int) Run {
	r := Run{Status: RunDone, Requests: n + 3, Discovered: n + 10, Queued: n, New: n, Skipped: 10, ErrorKinds: errs}
	for _, c := range errs {
		r.Errors += c
		r.Requests += c
	}
	return r
}

// unreachableRun is a run whose host could not be reached at all.
func unreachableRun() Run {
	return Run{Status: RunDone, Requests: 1, Errors: 1, ErrorKinds: map[string]int{"unreachable": 1},
		LastError: "robots.txt of news.example: dial tcp: connection refused"}
}

// times repeats r n times.
func times(n int, r Run) []Run {
	out := make([]Run, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// history joins runs given newest first.
func history(parts ...[]Run) []Run {
	var out []Run
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(r Run) []Run { return []Run{r} }

func TestHealth(t *testing.T) {
	busy := times(10, found(12, nil))
	// A statement page: most runs find nothing, one in five finds a statement.
	var quiet []Run
	for i := range 15 {
		n := 0
		if i%5 == 0 {
			n = 1
		}
		quiet = append(quiet, found(n, nil))
	}
	forbidden := found(0, map[string]int{"http_4xx": 18})
	forbidden.LastError = "https://news.example/2026/03/14/story/: Forbidden"
	templateChanged := Run{Status: RunDone, Requests: 12, Discovered: 20, Queued: 10, New: 1, NotArticle: 9}
	listingHabit := Run{Status: RunDone, Requests: 12, Discovered: 20, Queued: 10, New: 4, NotArticle: 6}
	robotsNow := Run{Status: RunDone, Requests: 1, Errors: 1, ErrorKinds: map[string]int{"robots": 1}}
	cut := found(0, nil)
	cut.Status, cut.Cut = RunCut, "cancelled"

	tests := []struct {
		name     string
		runs     []Run // newest first
		kind     string
		contains []string // in the problem
	}{
		{name: "no runs yet", runs: nil},
		{name: "only a run in progress", runs: one(Run{Status: RunRunning})},
		{name: "busy source, steady", runs: busy},
		{name: "one empty run is not a problem", runs: history(one(found(0, nil)), busy)},
		{name: "two empty runs are not a problem", runs: history(times(2, found(0, nil)), busy)},
		{name: "quiet source that never yields much", runs: history(times(3, found(0, nil)), quiet)},
		{name: "new source with no history", runs: times(3, found(0, nil))},
		{name: "too little history to judge yielding", runs: history(times(3, found(0, nil)), times(2, found(12, nil)))},
		{name: "a few 404s every run", runs: times(10, found(5, map[string]int{"http_4xx": 2}))},
		{name: "errors up but not a jump", runs: history(one(found(5, map[string]int{"http_5xx": 5})), times(5, found(5, map[string]int{"http_5xx": 2})))},
		{name: "two errors where none were", runs: history(one(found(5, map[string]int{"http_5xx": 2})), busy)},
		{name: "unreachable once", runs: history(one(unreachableRun()), busy)},
		{name: "unreachable twice", runs: history(times(2, unreachableRun()), busy)},
		{name: "robots refused before too", runs: history(one(robotsNow), one(found(3, map[string]int{"robots": 1})), busy)},
		{name: "one refused link among many requests", runs: history(one(found(12, map[string]int{"robots": 1})), busy)},
		{name: "listing pages are its habit", runs: history(one(templateChanged), times(5, listingHabit))},
		{name: "too few pages to judge extraction", runs: history(one(Run{Status: RunDone, Requests: 4, NotArticle: 3, New: 1}), busy)},
		{name: "interrupted runs say nothing", runs: history(times(3, Run{Status: RunInterrupted}), busy)},

		{name: "unreachable three runs", runs: history(times(3, unreachableRun()), busy),
			kind: HealthUnreachable, contains: []string{"unreachable for 3 runs", "connection refused"}},
		{name: "unreachable, the current run still running", runs: history(one(Run{Status: RunRunning}), times(3, unreachableRun()), busy),
			kind: HealthUnreachable, contains: []string{"unreachable for 3 runs"}},
		{name: "robots.txt now disallows the feed", runs: history(one(robotsNow), busy),
			kind: HealthRobots, contains: []string{"robots.txt now disallows", "1 of 1 requests"}},
		{name: "robots.txt now disallows many articles", runs: history(one(found(4, map[string]int{"robots": 8})), busy),
			kind: HealthRobots, contains: []string{"8 of 15 requests"}},
		{name: "template change", runs: history(one(templateChanged), busy),
			kind: HealthExtraction, contains: []string{"9 of 10 pages not articles", "used to be 0 of 120"}},
		{name: "403s where there were none", runs: history(one(forbidden), busy),
			kind: HealthErrors, contains: []string{"18 http_4xx in the last run", "none before", "Forbidden"}},
		{name: "5xx jump over a habit", runs: history(one(found(5, map[string]int{"http_5xx": 12})), times(5, found(5, map[string]int{"http_5xx": 1}))),
			kind: HealthErrors, contains: []string{"12 http_5xx", "1.0 a run before"}},
		{name: "stopped yielding", runs: history(times(3, found(0, nil)), busy),
			kind: HealthNoArticles, contains: []string{"no new articles in the last 3 runs", "used to find 12 a run"}},
		{name: "stopped yielding, cut runs count", runs: history(one(cut), times(2, found(0, nil)), busy),
			kind: HealthNoArticles},
		{name: "stopped yielding, interrupted runs between", runs: history(one(found(0, nil)), one(Run{Status: RunInterrupted}), times(2, found(0, nil)), busy),
			kind: HealthNoArticles},
		{name: "a source that usually yields, now empty", runs: history(times(3, found(0, nil)), times(3, found(2, nil)), one(found(0, nil)), times(3, found(4, nil))),
			kind: HealthNoArticles, contains: []string{"used to find 3 a run"}},
		{name: "unreachable says more than empty", runs: history(times(3, unreachableRun()), busy),
			kind: HealthUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := JudgeHealth(tt.runs)
			ok, problem := Health(tt.runs)
			if ok != h.OK || problem != h.Problem {
				t.Errorf("Health = %v, %q; JudgeHealth = %+v", ok, problem, h)
			}
			if tt.kind == "" {
				if !h.OK || h.Problem != "" || h.Kind != "" {
					t.Errorf("verdict %+v, want healthy", h)
				}
				return
			}
			if h.OK || h.Kind != tt.kind {
				t.Fatalf("verdict %+v, want a %q problem", h, tt.kind)
			}
			for _, s := range tt.contains {
				if !strings.Contains(h.Problem, s) {
					t.Errorf("problem %q does not say %q", h.Problem, s)
				}
			}
		})
	}
}

// TestHealthHostileHistory checks that odd records neither crash Health
// nor make a healthy verdict out of nothing.
func TestHealthHostileHistory(t *testing.T) {
	tests := []struct {
		name string
		runs []Run
	}{
		{"negative counts", times(5, Run{Status: RunDone, New: -3, NotArticle: -10, Requests: -1, ErrorKinds: map[string]int{"robots": -2}})},
		{"unknown status", times(5, Run{Status: "exploded"})},
		{"huge last error", history(times(3, Run{Status: RunDone, Requests: 1, Errors: 1, ErrorKinds: map[string]int{"timeout": 1}, LastError: strings.Repeat("ü", 1<<16)}), times(4, found(3, nil)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := JudgeHealth(tt.runs)
			if len(h.Problem) > 400 {
				t.Errorf("problem of %d bytes: a message must stay short", len(h.Problem))
			}
			if h.OK == (h.Problem != "") {
				t.Errorf("verdict %+v: OK and a problem disagree", h)
			}
		})
	}
}
