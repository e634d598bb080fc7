package newsmon

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Run statuses.
const (
	RunRunning = "running" // started and not finished yet
	RunDone    = "done"    // finished after handling everything it found
	RunCut     = "cut"     // stopped early: page budget spent, cancelled (Cut says why)
	// RunInterrupted is a run found still running when the next run of its
	// source started: the process that ran it died without finishing it.
	RunInterrupted = "interrupted"
)

// Run is the record of one crawl of one source: when it ran, how it ended
// and what it found. The counts are those of the crawler's summary.
type Run struct {
	ID       int64     `json:"id"`
	Source   string    `json:"source"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"` // zero while running or when interrupted
	Status   string    `json:"status"`            // RunRunning, RunDone, RunCut or RunInterrupted
	Cut      string    `json:"cut,omitempty"`     // why a cut run stopped early

	Requests   int `json:"requests"`   // pages asked for, discovery included
	Discovered int `json:"discovered"` // article URLs found by discovery
	Queued     int `json:"queued"`     // of those, to be fetched in the run
	New        int `json:"new"`
	Updated    int `json:"updated"`
	Unchanged  int `json:"unchanged"`
	Aliases    int `json:"aliases"`
	Skipped    int `json:"skipped"`
	NotArticle int `json:"not_article"`
	Errors     int `json:"errors"`
	// ErrorKinds counts errors by kind: http_4xx, http_5xx, robots,
	// unreachable, timeout, network, extract, store, ...
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	LastError  string         `json:"last_error,omitempty"`
}

// RunFilter selects runs. An empty Source means every source; Limit 0
// means the store's default.
type RunFilter struct {
	Source string
	Limit  int
}

// HealthRuns is how many of a source's most recent runs Health wants to see:
// enough history to tell a change from the source's habit.
const HealthRuns = 20

// Kinds of source health problems, stable for alert rules to key on (the
// Problem text changes with the counts).
const (
	HealthUnreachable = "unreachable"
	HealthRobots      = "robots"
	HealthExtraction  = "extraction"
	HealthErrors      = "errors"
	HealthNoArticles  = "no-articles"
)

// SourceHealth is the verdict on a source: OK, or a Problem of a Kind.
type SourceHealth struct {
	OK      bool   `json:"ok"`
	Kind    string `json:"kind,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// Thresholds of the health rules. Each rule compares the latest finished
// runs with the source's own earlier runs, so a quiet source is judged by
// its own habit, not by a busy one's.
const (
	// healthStreak is how many runs in a row must be empty, or unreachable,
	// before it is a problem: one empty run is normal.
	healthStreak = 3
	// usedToYield is the share of earlier runs that found something for
	// a source to count as one that yields. With it, three empty runs in a
	// row happen by chance at most 0.25³ ≈ 1.6% of the time.
	usedToYield = 0.75
	// minJump is the fewest errors of a kind in the last run that can be a
	// jump; jumpFactor how many times the earlier average they must reach.
	minJump    = 3
	jumpFactor = 3
	// minPages is the fewest fetched pages of a run whose extraction is
	// judged; failingShare the share of them not articles that is a
	// failure, when earlier runs had less than normalShare.
	minPages     = 5
	failingShare = 0.5
	normalShare  = 0.2
)

// reachabilityKinds are the error kinds of a host that could not be reached.
var reachabilityKinds = []string{"unreachable", "network", "timeout", "backoff"}

// Health judges a source from its recent runs, newest first (as FindRuns
// returns them; HealthRuns of them are enough): OK, or the problem a user
// can act on. Runs still running or interrupted are left out: they say
// nothing about the source. A source is unhealthy when
//
//   - its host could not be reached in the last 3 runs;
//   - robots.txt refused requests in the last run and never before;
//   - extraction fails: most pages of the last run were not articles,
//     where earlier runs had few such pages (a template change);
//   - errors of one kind jumped: at least 3 in the last run and 3 times the
//     earlier average (403s, 404s, 5xx);
//   - the last 3 runs found no new or updated article where at least 3 in 4
//     earlier runs did.
//
// A source with too little history for a rule passes that rule.
func Health(runs []Run) (ok bool, problem string) {
	h := JudgeHealth(runs)
	return h.OK, h.Problem
}

// JudgeHealth is Health with the kind of the problem, for alert rules.
func JudgeHealth(runs []Run) SourceHealth {
	var done []Run
	for _, r := range runs {
		if r.Status == RunDone || r.Status == RunCut {
			done = append(done, r)
		}
	}
	if len(done) == 0 {
		return SourceHealth{OK: true}
	}
	for _, rule := range []func([]Run) SourceHealth{unreachable, robotsChanged, extractionFailing, errorsJumped, stoppedYielding} {
		if h := rule(done); !h.OK {
			return h
		}
	}
	return SourceHealth{OK: true}
}

func problem(kind, format string, args ...any) SourceHealth {
	return SourceHealth{Kind: kind, Problem: fmt.Sprintf(format, args...)}
}

// fetchedNothing reports whether a run got no page at all from its host
// because the host could not be reached.
func fetchedNothing(r Run) bool {
	failed := 0
	for _, k := range reachabilityKinds {
		failed += r.ErrorKinds[k]
	}
	return failed > 0 && r.Discovered == 0 && r.New+r.Updated+r.Unchanged+r.Aliases+r.NotArticle == 0
}

func unreachable(runs []Run) SourceHealth {
	if len(runs) < healthStreak {
		return SourceHealth{OK: true}
	}
	for _, r := range runs[:healthStreak] {
		if !fetchedNothing(r) {
			return SourceHealth{OK: true}
		}
	}
	return problem(HealthUnreachable, "unreachable for %d runs%s", healthStreak, lastError(runs[0]))
}

func robotsChanged(runs []Run) SourceHealth {
	last := runs[0]
	n := last.ErrorKinds["robots"]
	if n == 0 || len(runs) < 2 || !(n >= minJump || 2*n >= last.Requests) {
		return SourceHealth{OK: true}
	}
	for _, r := range runs[1:] {
		if r.ErrorKinds["robots"] > 0 {
			return SourceHealth{OK: true}
		}
	}
	return problem(HealthRobots, "robots.txt now disallows what we fetch: %d of %d requests refused in the last run, none before", n, last.Requests)
}

// extracted counts the pages of a run that went through extraction and
// those that failed it (not an article, or an extraction error).
func extracted(r Run) (pages, failed int) {
	failed = r.NotArticle + r.ErrorKinds["extract"]
	return r.New + r.Updated + failed, failed
}

func extractionFailing(runs []Run) SourceHealth {
	pages, failed := extracted(runs[0])
	if pages < minPages || float64(failed) < failingShare*float64(pages) {
		return SourceHealth{OK: true}
	}
	var before, beforeFailed int
	for _, r := range runs[1:] {
		p, f := extracted(r)
		before += p
		beforeFailed += f
	}
	if before < minPages || float64(beforeFailed) >= normalShare*float64(before) {
		return SourceHealth{OK: true}
	}
	return problem(HealthExtraction, "extraction failing: %d of %d pages not articles in the last run, used to be %d of %d (did the site change its template?)",
		failed, pages, beforeFailed, before)
}

func errorsJumped(runs []Run) SourceHealth {
	if len(runs) < 2 {
		return SourceHealth{OK: true}
	}
	last, earlier := runs[0], runs[1:]
	kinds := make([]string, 0, len(last.ErrorKinds))
	for k := range last.ErrorKinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		ni, nj := last.ErrorKinds[kinds[i]], last.ErrorKinds[kinds[j]]
		if ni != nj {
			return ni > nj
		}
		return kinds[i] < kinds[j]
	})
	for _, k := range kinds {
		if k == "robots" || k == "extract" {
			continue // their own rules say it better
		}
		n := last.ErrorKinds[k]
		total := 0
		for _, r := range earlier {
			total += r.ErrorKinds[k]
		}
		avg := float64(total) / float64(len(earlier))
		if n < minJump || float64(n) < jumpFactor*avg {
			continue
		}
		before := "none before"
		if total > 0 {
			before = fmt.Sprintf("%.1f a run before", avg)
		}
		return problem(HealthErrors, "errors jumped: %d %s in the last run, %s%s", n, k, before, lastError(last))
	}
	return SourceHealth{OK: true}
}

func stoppedYielding(runs []Run) SourceHealth {
	if len(runs) <= healthStreak {
		return SourceHealth{OK: true}
	}
	for _, r := range runs[:healthStreak] {
		if r.New+r.Updated > 0 {
			return SourceHealth{OK: true}
		}
	}
	earlier := runs[healthStreak:]
	if len(earlier) < healthStreak {
		return SourceHealth{OK: true}
	}
	yielded, found := 0, 0
	for _, r := range earlier {
		if r.New+r.Updated > 0 {
			yielded++
			found += r.New + r.Updated
		}
	}
	if float64(yielded) < usedToYield*float64(len(earlier)) {
		return SourceHealth{OK: true}
	}
	return problem(HealthNoArticles, "no new articles in the last %d runs; it used to find %d a run",
		healthStreak, int(math.Round(float64(found)/float64(yielded))))
}

// lastError returns ": last error: …" for a problem message, shortened.
func lastError(r Run) string {
	e := strings.TrimSpace(r.LastError)
	if e == "" {
		return ""
	}
	if len(e) > 160 {
		e = strings.ToValidUTF8(e[:160], "") + "…"
	}
	return " (last error: " + e + ")"
}
