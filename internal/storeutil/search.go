package storeutil

import (
	"time"

	"github.com/newsmon/newsmon"
)

// Bounds on a page of search results.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 200
)

// SearchLimit returns the page size of a search asked for limit:
// DefaultSearchLimit when not positive, at most MaxSearchLimit.
func SearchLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultSearchLimit
	case limit > MaxSearchLimit:
		return MaxSearchLimit
	}
	return limit
}

// CheckDates returns the EINVALID error of a since after an until.
func CheckDates(since, until *time.Time) error {
	if since != nil && until != nil && since.After(*until) {
		return newsmon.Errorf(newsmon.EINVALID, "since (%s) is after until (%s)",
			since.Format("2006-01-02"), until.Format("2006-01-02"))
	}
	return nil
}

// CheckFinishRun returns the EINVALID error of a run FinishRun cannot
// record: none, without an ID, or with a status other than done or cut.
func CheckFinishRun(r *newsmon.Run) error {
	if r == nil || r.ID == 0 {
		return newsmon.Errorf(newsmon.EINVALID, "finish run: no run ID")
	}
	if r.Status != newsmon.RunDone && r.Status != newsmon.RunCut {
		return newsmon.Errorf(newsmon.EINVALID, "finish run %d: status %q, want %s or %s", r.ID, r.Status, newsmon.RunDone, newsmon.RunCut)
	}
	return nil
}
