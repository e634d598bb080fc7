package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsmon/newsmon"
)

// TestRunsKeptPerSource checks that a source's history is bounded: older
// runs are forgotten, newest kept, other sources untouched.
func TestRunsKeptPerSource(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	other := &newsmon.Run{Source: "other", Started: base}
	if err := db.StartRun(ctx, other); err != nil {
		t.Fatal(err)
	}
	const runs = 8
	for i := range runs {
		if err := db.StartRun(ctx, &newsmon.Run{Source: "busy", Started: base.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		keep int
	}{
		{"keep more than there are", runs + 2},
		{"keep five", 5},
		{"keep one", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := db.writer.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := pruneRuns(ctx, tx, "busy", tt.keep); err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindRuns(ctx, newsmon.RunFilter{Source: "busy"})
			if err != nil {
				t.Fatal(err)
			}
			if want := min(tt.keep, runs); len(got) != want {
				t.Fatalf("%d runs kept, want %d", len(got), want)
			}
			if newest := base.Add((runs - 1) * time.Hour); !got[0].Started.Equal(newest) {
				t.Errorf("newest kept started %v, want %v", got[0].Started, newest)
			}
			if o, err := db.FindRuns(ctx, newsmon.RunFilter{Source: "other"}); err != nil || len(o) != 1 {
				t.Errorf("the other source's runs: %v, %v; want its one run", o, err)
			}
		})
	}
}

// TestRunHostileValues checks that what a run record keeps is bounded.
func TestRunHostileValues(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	kinds := map[string]int{"negative": -4, "": 2, strings.Repeat("k", 500): 1}
	for i := range 3 * maxRunErrorKinds {
		kinds[fmt.Sprintf("kind%03d", i)] = i + 1
	}
	tests := []struct {
		name string
		run  newsmon.Run
	}{
		{"huge last error and cut", newsmon.Run{LastError: strings.Repeat("é", 1<<20), Cut: strings.Repeat("x", 1<<20)}},
		{"many error kinds", newsmon.Run{ErrorKinds: kinds}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.run
			r.Source = "hostile"
			if err := db.StartRun(ctx, &r); err != nil {
				t.Fatal(err)
			}
			r.Status = newsmon.RunDone
			if err := db.FinishRun(ctx, &r); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindRuns(ctx, newsmon.RunFilter{Source: "hostile", Limit: 1})
			if err != nil || len(got) != 1 {
				t.Fatalf("find: %v, %v", got, err)
			}
			g := got[0]
			if len(g.LastError) > maxRunText || len(g.Cut) > maxRunText || !utf8.ValidString(g.LastError) {
				t.Errorf("kept %d bytes of last error and %d of cut, want at most %d of valid UTF-8", len(g.LastError), len(g.Cut), maxRunText)
			}
			if len(g.ErrorKinds) > maxRunErrorKinds {
				t.Errorf("kept %d error kinds, want at most %d", len(g.ErrorKinds), maxRunErrorKinds)
			}
			for k, n := range g.ErrorKinds {
				if k == "" || len(k) > maxErrorKindBytes || n <= 0 {
					t.Errorf("kept error kind %q = %d", k, n)
				}
			}
		})
	}
}
