package sqlite

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// windowStore is a store with more articles matching "corridor" than a
// rank window holds: 1,600 of them, stored oldest first, every fourth from
// source "even-source", every tenth with the word in its title too, half
// of them with topic "rail"; and 100 articles that do not match.
func windowStore(t *testing.T) (*DB, []int64) {
	t.Helper()
	db := openTemp(t)
	t.Cleanup(func() { db.Close() })
	const n = 1600
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ws []newsmon.ArticleWrite
	for i := range n + 100 {
		word := "corridor"
		if i >= n {
			word = "steppe"
		}
		title := fmt.Sprintf("Dispatch %d", i)
		if i%10 == 0 {
			title += " " + word
		}
		src := "odd-source"
		if i%4 == 0 {
			src = "even-source"
		}
		published := start.Add(time.Duration(i) * time.Hour)
		a := &newsmon.Article{Source: src, URL: fmt.Sprintf("https://window.example/%d", i), Title: title,
			Language: "en", IsArticle: true, Published: &published,
			Text: fmt.Sprintf("The %s carried freight number %d across the sea.", word, i)}
		if i%2 == 0 {
			a.Topics = []string{"rail"}
		}
		ws = append(ws, newsmon.ArticleWrite{Article: a})
	}
	var ids []int64
	for i, r := range db.SaveArticles(context.Background(), ws) {
		if r.Err != nil {
			t.Fatalf("article %d: %v", i, r.Err)
		}
		ids = append(ids, r.ID)
	}
	return db, ids
}

// TestSearchWindows checks the ranking in windows of the newest matches
// and the sampled facets of searches with more matches than a window.
func TestSearchWindows(t *testing.T) {
	db, ids := windowStore(t)
	ctx := context.Background()
	search := func(t *testing.T, f newsmon.SearchFilter) *newsmon.SearchResults {
		t.Helper()
		res, err := db.SearchArticles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	t.Run("first page ranks the newest window", func(t *testing.T) {
		res := search(t, newsmon.SearchFilter{Query: "corridor", Limit: 200})
		if res.Total != 1600 {
			t.Errorf("Total = %d, want 1600 (exact without filters)", res.Total)
		}
		oldestInWindow := ids[1600-rankWindow]
		for i, r := range res.Results {
			if r.ID < oldestInWindow {
				t.Errorf("result %d (ID %d) is older than the newest %d matches", i, r.ID, rankWindow)
			}
		}
		// The title matches of the window (one in ten) rank first.
		for i, r := range res.Results[:rankWindow/10] {
			if (r.ID-ids[0])%10 != 0 {
				t.Errorf("result %d (ID %d) has no title match, yet ranks above title matches", i, r.ID)
			}
		}
		if res.FacetSample != rankWindow || res.TotalEstimated {
			t.Errorf("FacetSample %d, TotalEstimated %v; want sample %d and an exact total", res.FacetSample, res.TotalEstimated, rankWindow)
		}
		if got := res.Facets["source"]; got["even-source"] != 400 || got["odd-source"] != 1200 {
			t.Errorf("source facet %v, want 400 and 1200 (scaled from the window)", got)
		}
	})

	t.Run("pages cover every match once", func(t *testing.T) {
		seen := map[int64]bool{}
		prevWindowScore := math.Inf(1)
		for offset := 0; offset < 1700; offset += 150 {
			res := search(t, newsmon.SearchFilter{Query: "corridor", Limit: 150, Offset: offset})
			for j, r := range res.Results {
				if seen[r.ID] {
					t.Fatalf("offset %d: ID %d seen twice", offset, r.ID)
				}
				seen[r.ID] = true
				pos := offset + j
				if pos%rankWindow == 0 {
					prevWindowScore = math.Inf(1)
				}
				if r.Score > prevWindowScore {
					t.Errorf("position %d: score %v above the one before (%v) within a window", pos, r.Score, prevWindowScore)
				}
				prevWindowScore = r.Score
			}
		}
		if len(seen) != 1600 {
			t.Errorf("pages held %d distinct matches, want 1600", len(seen))
		}
	})

	t.Run("filtered totals beyond a window are exact or estimates said as such", func(t *testing.T) {
		for _, f := range []newsmon.SearchFilter{
			{Query: "corridor", Topic: "rail"},
			{Query: "corridor", Source: "odd-source"},
			{Query: "corridor", Sources: []string{"odd-source", "nosuch"}, Language: "en"},
			{Query: "corridor", Since: timePtrOf(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))},
		} {
			res := search(t, f)
			want := map[string]int{"rail": 800, "odd-source": 1200}[f.Topic+f.Source]
			if len(f.Sources) > 0 {
				want = 1200
			}
			if f.Since != nil {
				want = 1600
			}
			if d := math.Abs(float64(res.Total-want)) / float64(want); d > 0.05 {
				t.Errorf("%+v: Total = %d, want about %d", f, res.Total, want)
			}
			if !res.TotalEstimated && res.Total != want {
				t.Errorf("%+v: Total = %d not marked estimated, want exactly %d", f, res.Total, want)
			}
			approx := res.FacetSample != 0
			if want > rankWindow && res.FacetSample != rankWindow {
				t.Errorf("%+v: facets not marked approximate: %v", f, res.Facets)
			}
			if want < rankWindow && (approx || res.Total != want) {
				t.Errorf("%+v: Total %d and facets %v, want exactly %d", f, res.Total, res.Facets, want)
			}
			if len(res.Results) != storeutil.DefaultSearchLimit {
				t.Errorf("%+v: %d results", f, len(res.Results))
			}
		}
	})

	t.Run("few matches are exact", func(t *testing.T) {
		res := search(t, newsmon.SearchFilter{Query: "corridor", Source: "even-source", Topic: "rail", Limit: 5})
		// Every fourth article is even-source and even, so has rail: 400.
		if res.Total != 400 {
			t.Errorf("Total = %d, want 400", res.Total)
		}
		if res.FacetSample != 0 || res.Facets["source"]["even-source"] != 400 {
			t.Errorf("facets %v, want exact counts", res.Facets)
		}
	})

	t.Run("newest first without a query", func(t *testing.T) {
		res := search(t, newsmon.SearchFilter{Limit: 3})
		if res.Total != 1700 {
			t.Errorf("Total = %d, want 1700", res.Total)
		}
		if got := resultIDsOf(res); !slices.Equal(got, []int64{ids[1699], ids[1698], ids[1697]}) {
			t.Errorf("results %v, want the three newest", got)
		}
		res = search(t, newsmon.SearchFilter{Topic: "rail", Limit: 3, Offset: 1})
		if d := math.Abs(float64(res.Total - 850)); d > 850*0.05 {
			t.Errorf("rail: Total = %d, want about 850", res.Total)
		}
		if got := resultIDsOf(res); !slices.Equal(got, []int64{ids[1696], ids[1694], ids[1692]}) {
			t.Errorf("rail results %v, want the 2nd to 4th newest with the topic", got)
		}
	})
}

func timePtrOf(t time.Time) *time.Time { return &t }

func resultIDsOf(res *newsmon.SearchResults) []int64 {
	ids := make([]int64, len(res.Results))
	for i, r := range res.Results {
		ids[i] = r.ID
	}
	return ids
}

// TestSearchBackfilledDates checks a date range whose articles were partly
// stored long after they appeared (a back catalogue crawled late), so
// their IDs lie among those of later articles: the windows, their order
// and pages, and an exact total.
func TestSearchBackfilledDates(t *testing.T) {
	db := openTemp(t)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	march := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	since, until := march, time.Date(2025, 3, 31, 23, 59, 59, 0, time.UTC)
	// Article i appears i hours after March began, but every 20th from
	// the 1,000th on is a March article stored late; every third lacks
	// the word and every other has topic rail.
	const n = 3000
	published := make([]time.Time, n)
	var ws []newsmon.ArticleWrite
	for i := range n {
		published[i] = march.Add(time.Duration(i) * time.Hour)
		if i >= 1000 && i%20 == 0 {
			published[i] = march.Add(time.Duration(i*7%744) * time.Hour)
		}
		word := "corridor"
		if i%3 == 0 {
			word = "steppe"
		}
		title := fmt.Sprintf("Dispatch %d", i)
		if i%10 == 1 {
			title += " " + word
		}
		a := &newsmon.Article{Source: "backfill", URL: fmt.Sprintf("https://backfill.example/%d", i), Title: title,
			Language: "en", IsArticle: true, Published: &published[i],
			Text: fmt.Sprintf("The %s carried freight number %d%s.", word, i, strings.Repeat(" across the sea", i%4))}
		if i%2 == 0 {
			a.Topics = []string{"rail"}
		}
		ws = append(ws, newsmon.ArticleWrite{Article: a})
	}
	ids := make([]int64, n)
	for i, r := range db.SaveArticles(ctx, ws) {
		if r.Err != nil {
			t.Fatalf("article %d: %v", i, r.Err)
		}
		ids[i] = r.ID
	}

	for _, topic := range []string{"", "rail"} {
		// want holds the matches newest stored first.
		var want []int64
		for i := n - 1; i >= 0; i-- {
			p := published[i]
			if i%3 != 0 && !p.Before(since) && !p.After(until) && (topic == "" || i%2 == 0) {
				want = append(want, ids[i])
			}
		}
		if topic == "" && len(want) <= rankWindow {
			t.Fatalf("only %d matches: the test needs more than a window", len(want))
		}
		var got []newsmon.SearchResult
		for offset := 0; offset < len(want)+100; offset += 150 {
			res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: "corridor", Topic: topic,
				Since: &since, Until: &until, Limit: 150, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(want) || res.TotalEstimated {
				t.Errorf("topic %q offset %d: Total %d (estimated %v), want exactly %d",
					topic, offset, res.Total, res.TotalEstimated, len(want))
			}
			got = append(got, res.Results...)
		}
		if len(got) != len(want) {
			t.Fatalf("topic %q: pages held %d results, want %d", topic, len(got), len(want))
		}
		for w := 0; w*rankWindow < len(want); w++ {
			lo, hi := w*rankWindow, min((w+1)*rankWindow, len(want))
			wantIDs := slices.Sorted(slices.Values(want[lo:hi]))
			window := got[lo:hi]
			if gotIDs := slices.Sorted(slices.Values(resultIDsOf(&newsmon.SearchResults{Results: window}))); !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("topic %q: window %d holds %v, want the matches %v", topic, w, gotIDs, wantIDs)
			}
			for i := 1; i < len(window); i++ {
				a, b := window[i-1], window[i]
				if a.Score < b.Score || (a.Score == b.Score && a.ID > b.ID) {
					t.Errorf("topic %q: window %d: %d (score %v) before %d (score %v)", topic, w, a.ID, a.Score, b.ID, b.Score)
				}
			}
		}
	}
}
