package storetest

import (
	"context"
	"maps"
	"strconv"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// at is a time on a fixed day, minutes after midnight UTC.
func at(minutes int) time.Time {
	return time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

// startRun starts a run of src at the given minute and fails the test if
// the store refuses.
func startRun(t *testing.T, s newsmon.Store, src string, minute int) *newsmon.Run {
	t.Helper()
	r := &newsmon.Run{Source: src, Started: at(minute)}
	if err := s.StartRun(context.Background(), r); err != nil {
		t.Fatalf("start run of %s: %v", src, err)
	}
	return r
}

func findRuns(t *testing.T, s newsmon.Store, f newsmon.RunFilter) []newsmon.Run {
	t.Helper()
	runs, err := s.FindRuns(context.Background(), f)
	if err != nil {
		t.Fatalf("find runs %+v: %v", f, err)
	}
	return runs
}

func testRunRecord(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	r := startRun(t, s, "astanatimes", 0)
	if r.ID == 0 || r.Status != newsmon.RunRunning {
		t.Fatalf("started run: ID %d, status %q; want an ID and %q", r.ID, r.Status, newsmon.RunRunning)
	}
	running := findRuns(t, s, newsmon.RunFilter{Source: "astanatimes"})
	if len(running) != 1 || running[0].Status != newsmon.RunRunning || !running[0].Finished.IsZero() {
		t.Fatalf("while running: %+v; want one running run without an end", running)
	}

	r.Finished = at(3)
	r.Status = newsmon.RunCut
	r.Cut = "page budget of 40 spent (crawler.max_pages_per_run)"
	r.Requests, r.Discovered, r.Queued = 45, 60, 40
	r.New, r.Updated, r.Unchanged, r.Aliases = 12, 2, 7, 1
	r.Skipped, r.NotArticle, r.Errors = 20, 3, 5
	r.ErrorKinds = map[string]int{"http_4xx": 3, "timeout": 2}
	r.LastError = "https://astanatimes.com/2026/03/x/: Forbidden"
	if err := s.FinishRun(ctx, r); err != nil {
		t.Fatalf("finish run: %v", err)
	}
	got := findRuns(t, s, newsmon.RunFilter{Source: "astanatimes"})
	if len(got) != 1 {
		t.Fatalf("%d runs recorded, want 1", len(got))
	}
	g := got[0]
	if !g.Started.Equal(r.Started) || !g.Finished.Equal(r.Finished) {
		t.Errorf("times %v–%v, want %v–%v", g.Started, g.Finished, r.Started, r.Finished)
	}
	g.Started, g.Finished = r.Started, r.Finished
	if !maps.Equal(g.ErrorKinds, r.ErrorKinds) {
		t.Errorf("error kinds %v, want %v", g.ErrorKinds, r.ErrorKinds)
	}
	g.ErrorKinds = r.ErrorKinds
	if g.ID != r.ID || g.Source != r.Source || g.Status != r.Status || g.Cut != r.Cut || g.LastError != r.LastError ||
		g.Requests != r.Requests || g.Discovered != r.Discovered || g.Queued != r.Queued || g.New != r.New ||
		g.Updated != r.Updated || g.Unchanged != r.Unchanged || g.Aliases != r.Aliases || g.Skipped != r.Skipped ||
		g.NotArticle != r.NotArticle || g.Errors != r.Errors {
		t.Errorf("stored run\n %+v\nwant\n %+v", g, *r)
	}
}

func testRunFinishInvalid(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	r := startRun(t, s, "trend", 0)
	tests := []struct {
		name string
		run  newsmon.Run
		code string
	}{
		{"no ID", newsmon.Run{Status: newsmon.RunDone}, newsmon.EINVALID},
		{"still running", newsmon.Run{ID: r.ID, Status: newsmon.RunRunning}, newsmon.EINVALID},
		{"no status", newsmon.Run{ID: r.ID}, newsmon.EINVALID},
		{"interrupted is the store's word", newsmon.Run{ID: r.ID, Status: newsmon.RunInterrupted}, newsmon.EINVALID},
		{"unknown run", newsmon.Run{ID: r.ID + 1000, Status: newsmon.RunDone}, newsmon.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.FinishRun(ctx, &tt.run)
			if code := newsmon.ErrorCode(err); code != tt.code {
				t.Errorf("FinishRun(%+v) = %v (code %q), want code %q", tt.run, err, code, tt.code)
			}
		})
	}
	if err := s.StartRun(ctx, &newsmon.Run{}); newsmon.ErrorCode(err) != newsmon.EINVALID {
		t.Errorf("StartRun without a source = %v, want EINVALID", err)
	}
	if got := findRuns(t, s, newsmon.RunFilter{}); len(got) != 1 || got[0].Status != newsmon.RunRunning {
		t.Errorf("after refused finishes: %+v, want the one run still running", got)
	}
}

func testRunInterrupted(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	died := startRun(t, s, "apa", 0)         // the process dies during it
	other := startRun(t, s, "kazinform", 1)  // another source, still running
	finished := startRun(t, s, "apa-old", 2) // a finished run of a source with a similar name
	finished.Status = newsmon.RunDone
	if err := s.FinishRun(ctx, finished); err != nil {
		t.Fatal(err)
	}
	next := startRun(t, s, "apa", 30) // the next start of the daemon

	status := map[int64]string{}
	for _, r := range findRuns(t, s, newsmon.RunFilter{}) {
		status[r.ID] = r.Status
	}
	want := map[int64]string{
		died.ID:     newsmon.RunInterrupted,
		other.ID:    newsmon.RunRunning,
		finished.ID: newsmon.RunDone,
		next.ID:     newsmon.RunRunning,
	}
	if !maps.Equal(status, want) {
		t.Errorf("statuses by ID %v, want %v", status, want)
	}
	// A run marked interrupted that finishes after all (two processes
	// crawled one source at once) keeps its true end.
	died.Status = newsmon.RunDone
	if err := s.FinishRun(ctx, died); err != nil {
		t.Errorf("finish a run marked interrupted: %v", err)
	}
}

func testRunOrderAndFilter(t *testing.T, s newsmon.Store) {
	// Starts out of order: FindRuns orders by start, not by insertion.
	starts := []struct {
		src    string
		minute int
	}{
		{"astanatimes", 30}, {"trend", 10}, {"astanatimes", 0}, {"astanatimes", 60}, {"trend", 45},
	}
	for _, st := range starts {
		r := startRun(t, s, st.src, st.minute)
		r.Status = newsmon.RunDone
		r.Finished = at(st.minute + 1)
		if err := s.FinishRun(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    newsmon.RunFilter
		want []string // source@minute, newest first
	}{
		{"all", newsmon.RunFilter{}, []string{"astanatimes@60", "trend@45", "astanatimes@30", "trend@10", "astanatimes@0"}},
		{"one source", newsmon.RunFilter{Source: "astanatimes"}, []string{"astanatimes@60", "astanatimes@30", "astanatimes@0"}},
		{"limit", newsmon.RunFilter{Source: "astanatimes", Limit: 2}, []string{"astanatimes@60", "astanatimes@30"}},
		{"unknown source", newsmon.RunFilter{Source: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range findRuns(t, s, tt.f) {
				got = append(got, r.Source+"@"+strconv.Itoa(int(r.Started.Sub(at(0))/time.Minute)))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
	if _, err := s.FindRuns(context.Background(), newsmon.RunFilter{Limit: -1}); newsmon.ErrorCode(err) != newsmon.EINVALID {
		t.Errorf("negative limit: %v, want EINVALID", err)
	}
}
