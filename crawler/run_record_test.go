package crawler_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
)

// failingRuns is a store that cannot record runs.
type failingRuns struct{ newsmon.Store }

var errNoRuns = errors.New("disk full")

func (failingRuns) StartRun(context.Context, *newsmon.Run) error  { return errNoRuns }
func (failingRuns) FinishRun(context.Context, *newsmon.Run) error { return errNoRuns }

// TestCrawlRecordsRun checks that each crawl leaves a run record with the
// counts of its summary, a cancelled one as cut, and that a run left
// running by a dead process is marked interrupted by the next one.
func TestCrawlRecordsRun(t *testing.T) {
	tests := []struct {
		name       string
		cancelAt   int  // cancel after this many articles; 0: run to the end
		leftover   bool // a run of the source was left running
		failStore  bool // the store cannot record runs
		wantStatus string
		wantCut    string
	}{
		{name: "complete run", wantStatus: newsmon.RunDone},
		{name: "cancelled mid-run", cancelAt: 2, wantStatus: newsmon.RunCut, wantCut: "cancelled"},
		{name: "leftover running row", leftover: true, wantStatus: newsmon.RunDone},
		{name: "store cannot record", failStore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			src := &h.cfg.Sources[0]
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelAt > 0 {
				h.cr.Progress = func(s crawler.Summary) {
					if s.Done >= tt.cancelAt {
						cancel()
					}
				}
			}
			var dead *newsmon.Run
			if tt.leftover {
				dead = &newsmon.Run{Source: src.Name, Started: time.Now().Add(-time.Hour)}
				if err := h.store.StartRun(ctx, dead); err != nil {
					t.Fatal(err)
				}
			}
			cr := h.cr
			if tt.failStore {
				ex, err := extract.New(h.cfg.Topics, h.cfg.Parties...)
				if err != nil {
					t.Fatal(err)
				}
				cr = crawler.New(h.cfg.Crawler, failingRuns{h.store}, ex, nil)
			}

			sum, err := cr.Run(ctx, src)
			if (tt.cancelAt > 0) != (err != nil) {
				t.Fatalf("run: %v", err)
			}
			runs, err := h.store.FindRuns(context.Background(), newsmon.RunFilter{Source: src.Name})
			if err != nil {
				t.Fatal(err)
			}
			if tt.failStore {
				if len(runs) != 0 || sum.ErrorKinds["store"] == 0 || sum.New == 0 {
					t.Errorf("runs %+v, summary %+v: want no record, a store error counted and the crawl done", runs, sum)
				}
				return
			}
			want := 1
			if tt.leftover {
				want = 2
			}
			if len(runs) != want {
				t.Fatalf("%d runs recorded: %+v", len(runs), runs)
			}
			got := runs[0]
			if got.Status != tt.wantStatus || got.Cut != tt.wantCut {
				t.Errorf("status %q cut %q, want %q %q", got.Status, got.Cut, tt.wantStatus, tt.wantCut)
			}
			if !got.Started.Equal(sum.Started.Truncate(time.Microsecond)) || !got.Finished.Equal(sum.Finished.Truncate(time.Microsecond)) {
				t.Errorf("recorded %v–%v, summary %v–%v", got.Started, got.Finished, sum.Started, sum.Finished)
			}
			if got.Requests != sum.Requests || got.Discovered != sum.Discovered || got.Queued != sum.Queued ||
				got.New != sum.New || got.Updated != sum.Updated || got.Unchanged != sum.Unchanged ||
				got.Aliases != sum.Aliases || got.Skipped != sum.Skipped || got.NotArticle != sum.NotArticle ||
				got.Errors != sum.Errors || !maps.Equal(got.ErrorKinds, nonZero(sum.ErrorKinds)) || got.LastError != sum.LastError {
				t.Errorf("recorded %+v\nsummary %+v", got, sum)
			}
			if sum.Requests == 0 || tt.cancelAt == 0 && sum.New == 0 {
				t.Errorf("summary %+v: the run did nothing, the test proves nothing", sum)
			}
			if tt.leftover {
				if runs[1].ID != dead.ID || runs[1].Status != newsmon.RunInterrupted || !runs[1].Finished.IsZero() {
					t.Errorf("leftover run %+v, want it interrupted without an end", runs[1])
				}
			}
		})
	}
}

// nonZero is m without its zero counts, or nil when none is left, as a
// store returns error kinds.
func nonZero(m map[string]int) map[string]int {
	var out map[string]int
	for k, n := range m {
		if n > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[k] = n
		}
	}
	return out
}
