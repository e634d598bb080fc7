package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

// testSearchSources checks SearchFilter.Sources (any of them), alone, with
// Source (both apply) and with a query.
func testSearchSources(t *testing.T, s newsmon.Store) {
	ids, _ := saveCorpus(t, s)
	tests := []struct {
		name   string
		filter newsmon.SearchFilter
		want   []string
	}{
		{"one", newsmon.SearchFilter{Sources: []string{"apa"}}, []string{"btc"}},
		{"several", newsmon.SearchFilter{Sources: []string{"apa", "kazinform", "nosuch"}}, []string{"btc", "ru-btc"}},
		{"with source inside", newsmon.SearchFilter{Source: "apa", Sources: []string{"apa", "trend"}}, []string{"btc"}},
		{"with source outside", newsmon.SearchFilter{Source: "apa", Sources: []string{"trend"}}, nil},
		{"with query", newsmon.SearchFilter{Query: `"Middle Corridor"`, Sources: []string{"trend", "apa"}}, []string{"mc-passing"}},
		{"with language", newsmon.SearchFilter{Sources: []string{"kazinform", "astanatimes"}, Language: "ru"}, []string{"ru-btc"}},
		{"empty list is no filter", newsmon.SearchFilter{Sources: []string{}}, []string{"mc-title", "mc-passing", "btc", "ru-btc", "fund", "middle-of", "tr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			f.Limit = 200
			checkFound(t, search(t, s, f), ids, tt.want)
		})
	}
}

// checkFound checks that res holds exactly the articles of the keys want,
// and counts them in Total and in the source facet.
func checkFound(t *testing.T, res *newsmon.SearchResults, ids map[string]int64, want []string) {
	t.Helper()
	var wantIDs []int64
	for _, k := range want {
		wantIDs = append(wantIDs, ids[k])
	}
	got := resultIDs(res)
	slices.Sort(got)
	slices.Sort(wantIDs)
	if !slices.Equal(got, wantIDs) {
		t.Errorf("found %v, want %v (%v)", got, wantIDs, want)
	}
	if res.Total != len(want) {
		t.Errorf("Total = %d, want %d", res.Total, len(want))
	}
	n := 0
	for _, c := range res.Facets["source"] {
		n += c
	}
	if n != len(want) {
		t.Errorf("source facet counts %d articles, want %d: %v", n, len(want), res.Facets)
	}
}

// testSearchParty checks SearchFilter.Party: articles reporting an
// agreement with that party, its whole name, case-insensitive.
func testSearchParty(t *testing.T, s newsmon.Store) {
	ids, _ := saveCorpus(t, s)
	text := "Georgia and Azerbaijan signed a memorandum on the Black Sea submarine cable in Tbilisi."
	cable := newsmon.Article{Source: "trend", URL: "https://trend.example/cable-memorandum",
		Title: "Black Sea cable memorandum", Language: "en", IsArticle: true,
		Published: date("2024-07-01T10:00:00Z"), Text: text, Topics: []string{"agreement"},
		Agreements: []newsmon.Agreement{{Instrument: "memorandum", Status: newsmon.StatusSigned,
			Parties: []string{"Georgia", "Azerbaijan"}, Sentence: text}}}
	mustSave(t, s, &cable, nil)
	ids["cable"] = cable.ID
	tests := []struct {
		name   string
		filter newsmon.SearchFilter
		want   []string
	}{
		{"one article", newsmon.SearchFilter{Party: "Kazakhstan"}, []string{"fund"}},
		{"several articles", newsmon.SearchFilter{Party: "Azerbaijan"}, []string{"fund", "cable"}},
		{"case-insensitive", newsmon.SearchFilter{Party: "gEORGIA"}, []string{"cable"}},
		{"surrounding spaces", newsmon.SearchFilter{Party: "  Georgia "}, []string{"cable"}},
		{"whole name only", newsmon.SearchFilter{Party: "Kazakh"}, nil},
		{"no such party", newsmon.SearchFilter{Party: "Turkmenistan"}, nil},
		{"a word of the text is no party", newsmon.SearchFilter{Party: "Astana"}, nil},
		{"with query", newsmon.SearchFilter{Party: "Azerbaijan", Query: "cable"}, []string{"cable"}},
		{"with source", newsmon.SearchFilter{Party: "Azerbaijan", Source: "akorda"}, []string{"fund"}},
		{"with dates", newsmon.SearchFilter{Party: "Azerbaijan", Since: date("2024-06-01T00:00:00Z")}, []string{"cable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			f.Limit = 200
			checkFound(t, search(t, s, f), ids, tt.want)
		})
	}
}

// testExportMatch checks ExportFilter.Match: the articles a search selects,
// whole, oldest first, Limit and Offset ignored, together with Since.
func testExportMatch(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	ids, byID := saveCorpus(t, s)
	// Saved in order, so first seen in order: the corpus order is oldest first.
	var order []int64
	for _, f := range corpus() {
		order = append(order, ids[f.key])
	}
	export := func(t *testing.T, f newsmon.ExportFilter) []int64 {
		t.Helper()
		var got []int64
		err := s.ExportArticles(ctx, f, func(a *newsmon.Article) error {
			want := byID[a.ID]
			if want == nil || a.Text != want.Text || a.Title != want.Title || len(a.Topics) != len(want.Topics) {
				t.Errorf("exported article %d is not the one saved: %+v", a.ID, a)
			}
			got = append(got, a.ID)
			return nil
		})
		if err != nil {
			t.Fatalf("export %+v: %v", f.Match, err)
		}
		return got
	}
	inOrder := func(keys ...string) []int64 {
		var want []int64
		for _, id := range order {
			for _, k := range keys {
				if ids[k] == id {
					want = append(want, id)
				}
			}
		}
		return want
	}
	tests := []struct {
		name   string
		filter newsmon.ExportFilter
		want   []int64
	}{
		{"query", newsmon.ExportFilter{Match: &newsmon.SearchFilter{Query: `"Middle Corridor"`}}, inOrder("mc-title", "mc-passing")},
		{"limit and offset ignored", newsmon.ExportFilter{Match: &newsmon.SearchFilter{Query: "corridor", Limit: 1, Offset: 1}},
			inOrder("mc-title", "mc-passing", "middle-of")},
		{"filters only", newsmon.ExportFilter{Match: &newsmon.SearchFilter{Topic: "pipeline"}}, inOrder("btc", "ru-btc")},
		{"query and filters", newsmon.ExportFilter{Match: &newsmon.SearchFilter{Query: "corridor OR Koridor", Language: "en"}},
			inOrder("mc-title", "mc-passing", "middle-of")},
		{"party and sources", newsmon.ExportFilter{Match: &newsmon.SearchFilter{Party: "kazakhstan", Sources: []string{"akorda"}}}, inOrder("fund")},
		{"empty match is everything", newsmon.ExportFilter{Match: &newsmon.SearchFilter{}}, order},
		{"with since", newsmon.ExportFilter{Since: &byID[ids["ru-btc"]].FirstSeen,
			Match: &newsmon.SearchFilter{Topic: "pipeline"}}, inOrder("ru-btc")},
		{"no match", newsmon.ExportFilter{Match: &newsmon.SearchFilter{Query: "Ashgabat"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := export(t, tt.filter); !slices.Equal(got, tt.want) {
				t.Errorf("exported %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("malformed query", func(t *testing.T) {
		called := false
		err := s.ExportArticles(ctx, newsmon.ExportFilter{Match: &newsmon.SearchFilter{Query: `"Middle`}},
			func(*newsmon.Article) error { called = true; return nil })
		if newsmon.ErrorCode(err) != newsmon.EINVALID || called {
			t.Errorf("got %v (fn called: %v), want EINVALID before any article", err, called)
		}
	})
	t.Run("stops at error", func(t *testing.T) {
		stop := errors.New("enough")
		n := 0
		err := s.ExportArticles(ctx, newsmon.ExportFilter{Match: &newsmon.SearchFilter{}}, func(*newsmon.Article) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 2 {
			t.Errorf("export returned %v after %d calls, want %v after 2", err, n, stop)
		}
	})
}

// timelineArticle is an article with n mentions of each topic given as
// topic, n pairs.
func timelineArticle(key string, published *time.Time, source, extra string, counts ...any) *newsmon.Article {
	var (
		b        strings.Builder
		mentions []newsmon.Mention
	)
	b.WriteString("Dispatch " + key + ". " + extra + " ")
	for i := 0; i < len(counts); i += 2 {
		topic, n := counts[i].(string), counts[i+1].(int)
		for range n {
			term := "term-of-" + topic
			start := b.Len()
			b.WriteString(term)
			mentions = append(mentions, newsmon.Mention{Topic: topic, Term: term, Matched: term,
				Sentence: term, Start: start, End: start + len(term)})
			b.WriteString(". ")
		}
	}
	a := &newsmon.Article{Source: source, URL: "https://timeline.example/" + key, Title: "Dispatch " + key,
		Language: "en", IsArticle: true, Published: published, Text: b.String(), Mentions: mentions}
	if published != nil {
		a.PublishedSource = "meta"
	}
	return a
}

func testTimeline(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	articles := []*newsmon.Article{
		// Monday 4 March 2024, UTC.
		timelineArticle("a", date("2024-03-04T10:00:00Z"), "apa", "Aktau port.", "corridor", 2, "pipeline", 1),
		timelineArticle("b", date("2024-03-04T23:30:00Z"), "trend", "", "corridor", 1),
		// 00:30 on the 5th in Baku is still the 4th in UTC.
		timelineArticle("c", date("2024-03-05T03:30:00+04:00"), "apa", "Aktau again.", "corridor", 1),
		// Sunday: the same week as Monday the 4th.
		timelineArticle("d", date("2024-03-10T23:59:59Z"), "trend", "", "pipeline", 1),
		// The next Monday at midnight: a new week.
		timelineArticle("e", date("2024-03-11T00:00:00Z"), "apa", "", "corridor", 1),
		// Before the epoch, a Wednesday: its week starts Monday 29 December 1969.
		timelineArticle("old", date("1969-12-31T12:00:00Z"), "apa", "", "agreement", 1),
		// No date: counted on the day it was first seen.
		timelineArticle("undated", nil, "trend", "", "corridor", 1),
		// A topic but no mention: nothing to count.
		{Source: "apa", URL: "https://timeline.example/topic-only", Title: "Topic only", Language: "en",
			IsArticle: true, Published: date("2024-03-04T12:00:00Z"), Text: "Nothing matched.", Topics: []string{"corridor"}},
	}
	for _, a := range articles {
		mustSave(t, s, a, nil)
	}
	undated := articles[6].FirstSeen.UTC()
	undatedDay := time.Date(undated.Year(), undated.Month(), undated.Day(), 0, 0, 0, 0, time.UTC)
	undatedWeek := undatedDay.AddDate(0, 0, -((int(undatedDay.Weekday()) + 6) % 7))
	p := func(topic string, start time.Time, mentions, articles int) newsmon.TimelinePoint {
		return newsmon.TimelinePoint{Topic: topic, Start: start, Mentions: mentions, Articles: articles}
	}
	day := func(s string) time.Time { return *date(s + "T00:00:00Z") }

	tests := []struct {
		name   string
		filter newsmon.TimelineFilter
		want   []newsmon.TimelinePoint
	}{
		{"days", newsmon.TimelineFilter{}, []newsmon.TimelinePoint{
			p("agreement", day("1969-12-31"), 1, 1),
			p("corridor", day("2024-03-04"), 4, 3),
			p("pipeline", day("2024-03-04"), 1, 1),
			p("pipeline", day("2024-03-10"), 1, 1),
			p("corridor", day("2024-03-11"), 1, 1),
			p("corridor", undatedDay, 1, 1),
		}},
		{"weeks", newsmon.TimelineFilter{Interval: newsmon.IntervalWeek}, []newsmon.TimelinePoint{
			p("agreement", day("1969-12-29"), 1, 1),
			p("corridor", day("2024-03-04"), 4, 3),
			p("pipeline", day("2024-03-04"), 2, 2),
			p("corridor", day("2024-03-11"), 1, 1),
			p("corridor", undatedWeek, 1, 1),
		}},
		{"explicit day", newsmon.TimelineFilter{Interval: newsmon.IntervalDay,
			SearchFilter: newsmon.SearchFilter{Since: date("2024-03-10T00:00:00Z"), Until: date("2024-03-31T00:00:00Z")}},
			[]newsmon.TimelinePoint{
				p("pipeline", day("2024-03-10"), 1, 1),
				p("corridor", day("2024-03-11"), 1, 1),
			}},
		{"query", newsmon.TimelineFilter{SearchFilter: newsmon.SearchFilter{Query: "Aktau"}}, []newsmon.TimelinePoint{
			p("corridor", day("2024-03-04"), 3, 2),
			p("pipeline", day("2024-03-04"), 1, 1),
		}},
		{"topic counts that topic only", newsmon.TimelineFilter{Interval: newsmon.IntervalWeek,
			SearchFilter: newsmon.SearchFilter{Topic: "pipeline"}}, []newsmon.TimelinePoint{
			p("pipeline", day("2024-03-04"), 2, 2),
		}},
		{"source", newsmon.TimelineFilter{SearchFilter: newsmon.SearchFilter{Source: "trend", Until: date("2025-01-01T00:00:00Z")}},
			[]newsmon.TimelinePoint{
				p("corridor", day("2024-03-04"), 1, 1),
				p("pipeline", day("2024-03-10"), 1, 1),
			}},
		{"limit and offset ignored", newsmon.TimelineFilter{SearchFilter: newsmon.SearchFilter{Query: "Aktau", Limit: 1, Offset: 5}},
			[]newsmon.TimelinePoint{
				p("corridor", day("2024-03-04"), 3, 2),
				p("pipeline", day("2024-03-04"), 1, 1),
			}},
		{"nothing selected", newsmon.TimelineFilter{SearchFilter: newsmon.SearchFilter{Query: "Ashgabat"}}, []newsmon.TimelinePoint{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Timeline(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil && tt.want != nil {
				t.Errorf("Timeline returned nil, want an empty list")
			}
			if fmt.Sprint(timelineStrings(got)) != fmt.Sprint(timelineStrings(tt.want)) {
				t.Errorf("timeline\n got %v\nwant %v", timelineStrings(got), timelineStrings(tt.want))
			}
			for _, pt := range got {
				if pt.Start.Location() != time.UTC {
					t.Errorf("start %v is not in UTC", pt.Start)
				}
			}
		})
	}
	bad := []struct {
		name   string
		filter newsmon.TimelineFilter
	}{
		{"bad interval", newsmon.TimelineFilter{Interval: "month"}},
		{"interval case matters", newsmon.TimelineFilter{Interval: "Week"}},
		{"malformed query", newsmon.TimelineFilter{SearchFilter: newsmon.SearchFilter{Query: "(Aktau"}}},
		{"since after until", newsmon.TimelineFilter{SearchFilter: newsmon.SearchFilter{
			Since: date("2024-03-10T00:00:00Z"), Until: date("2024-03-01T00:00:00Z")}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Timeline(ctx, tt.filter)
			var e *newsmon.Error
			if !errors.As(err, &e) || e.Code != newsmon.EINVALID || e.Message == "" {
				t.Fatalf("Timeline = %v, %v; want an EINVALID error", got, err)
			}
			if m := strings.ToLower(e.Message); strings.Contains(m, "sql") || strings.Contains(m, "fts5") {
				t.Errorf("message %q speaks of the engine", e.Message)
			}
		})
	}
}

func timelineStrings(ps []newsmon.TimelinePoint) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%s %s %d/%d", p.Start.UTC().Format(time.RFC3339), p.Topic, p.Mentions, p.Articles)
	}
	return out
}
