// Package storetest is the contract test suite of newsmon.Store: every store
// (the embedded SQLite one, the PostgreSQL one) runs the same named subtests
// through the interface only, so they behave alike for the crawler, the web
// API and the command line.
//
// It is hand-written on the standard testing package; the fixture articles
// are our own text about real places and projects.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

// Run runs the contract suite. open must return a new, empty store for each
// call; Run closes the stores it opens.
func Run(t *testing.T, open func(t *testing.T) newsmon.Store) {
	t.Helper()
	fresh := func(t *testing.T) newsmon.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	}
	tests := []struct {
		name string
		run  func(*testing.T, newsmon.Store)
	}{
		{"SaveAndFind", testSaveAndFind},
		{"FindNotFound", testFindNotFound},
		{"SaveInvalid", testSaveInvalid},
		{"IdempotentSave", testIdempotentSave},
		{"UpdateInPlace", testUpdateInPlace},
		{"AliasURLs", testAliasURLs},
		{"KeyFallsBackToURL", testKeyFallsBackToURL},
		{"SearchQueries", testSearchQueries},
		{"SearchRanking", testSearchRanking},
		{"SearchMalformed", testSearchMalformed},
		{"SearchFilters", testSearchFilters},
		{"SearchFacets", testSearchFacets},
		{"SearchPagination", testSearchPagination},
		{"SearchSnippet", testSearchSnippet},
		{"SearchSources", testSearchSources},
		{"SearchParty", testSearchParty},
		{"Export", testExport},
		{"ExportMatch", testExportMatch},
		{"Timeline", testTimeline},
		{"FetchState", testFetchState},
		{"ConcurrentSave", testConcurrentSave},
		{"SaveArticlesOneBad", testSaveArticlesOneBad},
		{"SaveArticlesDuplicates", testSaveArticlesDuplicates},
		{"AgreementEvents", testAgreementEvents},
		{"RunRecord", testRunRecord},
		{"RunFinishInvalid", testRunFinishInvalid},
		{"RunInterrupted", testRunInterrupted},
		{"RunOrderAndFilter", testRunOrderAndFilter},
	}
	tests = append(tests, alertTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, fresh(t))
		})
	}
	// Tests that compare two stores.
	pairTests := []struct {
		name string
		run  func(t *testing.T, a, b newsmon.Store)
	}{
		{"SaveArticlesLikeSaveArticle", testSaveArticlesLikeSaveArticle},
	}
	for _, tt := range pairTests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, fresh(t), fresh(t))
		})
	}
}

func date(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// fixture is an article of the search corpus, named by key.
type fixture struct {
	key string
	a   newsmon.Article
}

// corpus is the search corpus: a few outlets, three languages, topics,
// agreements, and words that look alike without being the same phrase.
func corpus() []fixture {
	mention := func(text, topic, term string) newsmon.Mention {
		i := strings.Index(text, term)
		if i < 0 {
			panic("fixture: " + term + " not in text")
		}
		return newsmon.Mention{Topic: topic, Term: term, Matched: term, Sentence: term, Start: i, End: i + len(term)}
	}
	mcTitleText := "Container trains from Xi'an reached the port of Aktau in eleven days this spring, " +
		"and operators of the Middle Corridor now plan daily departures.\n\n" +
		"Railway officials said the ferry link across the Caspian Sea remains the bottleneck."
	mcPassingText := strings.Repeat("Ministers discussed electricity grids, solar parks and wind farms on the Absheron peninsula. ", 6) +
		"One speaker noted that cables could follow the Middle Corridor one day.\n\n" +
		strings.Repeat("The talks on renewable energy went on into the evening. ", 6)
	btcText := "The Baku-Tbilisi-Ceyhan (BTC) pipeline carried a record volume of crude this quarter, " +
		"the operator said on Tuesday."
	ruText := "По нефтепроводу Баку-Тбилиси-Джейхан в этом году прокачано больше нефти. " +
		"Эксперты связывают рост с развитием Среднего коридора."
	fundText := "Kazakhstan and Azerbaijan signed an agreement to create a joint investment fund of $300 million " +
		"to finance logistics projects, the presidents announced in Astana."
	middleText := "In the middle of the day the corridor of the old ministry building was quiet."
	trText := "Türkiye ve Azerbaycan, Orta Koridor üzerinden taşımacılığı artırmak için anlaştı."
	return []fixture{
		{"mc-title", newsmon.Article{
			Source: "astanatimes", URL: "https://astanatimes.example/2024/03/middle-corridor-cargo/",
			Title: "Middle Corridor cargo volumes double", Language: "en", IsArticle: true,
			Published: date("2024-03-14T09:00:00Z"), PublishedSource: "json-ld",
			Text: mcTitleText, Topics: []string{"corridor"},
			Mentions: []newsmon.Mention{mention(mcTitleText, "corridor", "Middle Corridor")},
		}},
		{"mc-passing", newsmon.Article{
			Source: "trend", URL: "https://trend.example/business/energy-ministers-baku",
			Title: "Energy ministers meet in Baku", Language: "en", IsArticle: true,
			Published: date("2024-04-02T12:30:00+04:00"), PublishedSource: "meta",
			Text: mcPassingText, Topics: []string{"corridor"},
			Mentions: []newsmon.Mention{mention(mcPassingText, "corridor", "Middle Corridor")},
		}},
		{"btc", newsmon.Article{
			Source: "apa", URL: "https://apa.example/energy/btc-record",
			Title: "BTC pipeline pumps record volume", Language: "en", IsArticle: true,
			Published: date("2024-02-01T08:00:00Z"), Text: btcText, Topics: []string{"pipeline"},
			Mentions: []newsmon.Mention{mention(btcText, "pipeline", "Baku-Tbilisi-Ceyhan")},
		}},
		{"ru-btc", newsmon.Article{
			Source: "kazinform", URL: "https://kazinform.example/ru/btc-neft",
			Title: "Нефтепровод Баку-Тбилиси-Джейхан: рекорд", Language: "ru", IsArticle: true,
			Published: date("2024-05-10T06:00:00Z"), Text: ruText, Topics: []string{"pipeline", "corridor"},
			Mentions: []newsmon.Mention{
				mention(ruText, "pipeline", "Баку-Тбилиси-Джейхан"),
				mention(ruText, "corridor", "Среднего коридора"),
			},
		}},
		{"fund", newsmon.Article{
			Source: "akorda", URL: "https://akorda.example/en/press/fund",
			Title: "Kazakhstan and Azerbaijan launch a joint fund", Language: "en", IsArticle: true,
			Published: date("2024-03-20T15:00:00Z"), Text: fundText, Topics: []string{"agreement"},
			Agreements: []newsmon.Agreement{{
				Instrument: "fund", Status: newsmon.StatusSigned,
				Parties: []string{"Kazakhstan", "Azerbaijan"}, Value: "$300 million",
				Place: "Astana", Sentence: fundText,
			}},
		}},
		{"middle-of", newsmon.Article{
			Source: "astanatimes", URL: "https://astanatimes.example/2024/01/quiet-day/",
			Title: "A quiet day at the ministry", Language: "en", IsArticle: true,
			Text: middleText,
		}},
		{"tr", newsmon.Article{
			Source: "aa", URL: "https://aa.example/tr/orta-koridor",
			Title: "Türkiye ve Azerbaycan anlaştı", Language: "tr", IsArticle: true,
			Published: date("2024-06-01T10:00:00+03:00"), Text: trText, Topics: []string{"corridor"},
		}},
	}
}

// saveCorpus saves the corpus and returns the IDs by key and the articles
// by ID as saved.
func saveCorpus(t *testing.T, s newsmon.Store) (map[string]int64, map[int64]*newsmon.Article) {
	t.Helper()
	ids := make(map[string]int64)
	byID := make(map[int64]*newsmon.Article)
	for _, f := range corpus() {
		a := f.a
		if _, err := s.SaveArticle(context.Background(), &a, nil); err != nil {
			t.Fatalf("save %s: %v", f.key, err)
		}
		ids[f.key] = a.ID
		byID[a.ID] = &a
	}
	return ids, byID
}

func mustSave(t *testing.T, s newsmon.Store, a *newsmon.Article, st *newsmon.FetchState) newsmon.SaveResult {
	t.Helper()
	res, err := s.SaveArticle(context.Background(), a, st)
	if err != nil {
		t.Fatalf("save %s: %v", a.URL, err)
	}
	return res
}

func mustFind(t *testing.T, s newsmon.Store, id int64) *newsmon.Article {
	t.Helper()
	a, err := s.FindArticleByID(context.Background(), id)
	if err != nil {
		t.Fatalf("find %d: %v", id, err)
	}
	return a
}

func search(t *testing.T, s newsmon.Store, f newsmon.SearchFilter) *newsmon.SearchResults {
	t.Helper()
	res, err := s.SearchArticles(context.Background(), f)
	if err != nil {
		t.Fatalf("search %+v: %v", f, err)
	}
	return res
}

func resultIDs(res *newsmon.SearchResults) []int64 {
	ids := make([]int64, len(res.Results))
	for i, r := range res.Results {
		ids[i] = r.ID
	}
	return ids
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func testSaveAndFind(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	for _, f := range corpus() {
		t.Run(f.key, func(t *testing.T) {
			want := f.a
			a := f.a
			before := time.Now().Add(-time.Second)
			res := mustSave(t, s, &a, nil)
			if !res.Created || res.Updated || res.Alias || res.ID == 0 || res.ID != a.ID {
				t.Fatalf("SaveResult = %+v, article ID %d; want a new article with that ID", res, a.ID)
			}
			if a.FirstSeen.Before(before) || a.FetchedAt.Before(before) || a.ContentHash == "" {
				t.Errorf("store did not set FirstSeen %v, FetchedAt %v, ContentHash %q", a.FirstSeen, a.FetchedAt, a.ContentHash)
			}
			for _, got := range []func() (*newsmon.Article, error){
				func() (*newsmon.Article, error) { return s.FindArticleByID(ctx, a.ID) },
				func() (*newsmon.Article, error) { return s.FindArticleByURL(ctx, want.URL) },
			} {
				g, err := got()
				if err != nil {
					t.Fatalf("find: %v", err)
				}
				checkArticle(t, g, &want, &a)
			}
		})
	}
}

// checkArticle compares a found article with the one saved (want) and with
// what the store set on it when saving (saved).
func checkArticle(t *testing.T, got, want, saved *newsmon.Article) {
	t.Helper()
	if got.ID != saved.ID || got.Source != want.Source || got.URL != want.URL ||
		got.Title != want.Title || got.Author != want.Author || got.Language != want.Language ||
		got.Text != want.Text || got.PublishedSource != want.PublishedSource ||
		got.IsArticle != want.IsArticle || got.ContentHash != saved.ContentHash {
		t.Errorf("found article differs:\n got %+v\nwant %+v", got, want)
	}
	if want.CanonicalURL != "" && got.CanonicalURL != want.CanonicalURL {
		t.Errorf("CanonicalURL = %q, want %q", got.CanonicalURL, want.CanonicalURL)
	}
	if !sameTime(got.Published, want.Published) {
		t.Errorf("Published = %v, want %v", got.Published, want.Published)
	}
	if !got.FirstSeen.Equal(saved.FirstSeen) || !got.FetchedAt.Equal(saved.FetchedAt) {
		t.Errorf("FirstSeen, FetchedAt = %v, %v; want %v, %v", got.FirstSeen, got.FetchedAt, saved.FirstSeen, saved.FetchedAt)
	}
	wantTopics := slices.Clone(want.Topics)
	sort.Strings(wantTopics)
	gotTopics := slices.Clone(got.Topics)
	sort.Strings(gotTopics)
	if !slices.Equal(gotTopics, wantTopics) {
		t.Errorf("Topics = %q, want %q", got.Topics, want.Topics)
	}
	if !slices.Equal(got.Mentions, want.Mentions) {
		t.Errorf("Mentions = %+v, want %+v", got.Mentions, want.Mentions)
	}
	if len(got.Agreements) != len(want.Agreements) {
		t.Fatalf("Agreements = %+v, want %+v", got.Agreements, want.Agreements)
	}
	for i, g := range got.Agreements {
		w := want.Agreements[i]
		if g.EventID == "" || g.EventID != saved.Agreements[i].EventID {
			t.Errorf("agreement %d: EventID %q, set on save %q", i, g.EventID, saved.Agreements[i].EventID)
		}
		g.EventID, w.EventID = "", ""
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("agreement %d = %+v, want %+v", i, g, w)
		}
	}
	if !slices.Contains(got.URLs, want.URL) {
		t.Errorf("URLs = %q, want it to hold %q", got.URLs, want.URL)
	}
}

func testFindNotFound(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	a := corpus()[0].a
	mustSave(t, s, &a, nil)
	tests := []struct {
		name string
		find func() (*newsmon.Article, error)
	}{
		{"unknown id", func() (*newsmon.Article, error) { return s.FindArticleByID(ctx, a.ID+1000) }},
		{"zero id", func() (*newsmon.Article, error) { return s.FindArticleByID(ctx, 0) }},
		{"unknown url", func() (*newsmon.Article, error) { return s.FindArticleByURL(ctx, a.URL+"other/") }},
		{"empty url", func() (*newsmon.Article, error) { return s.FindArticleByURL(ctx, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.find()
			if code := newsmon.ErrorCode(err); code != newsmon.ENOTFOUND {
				t.Errorf("got %v, %v (code %q); want ENOTFOUND", got, err, code)
			}
		})
	}
}

func testSaveInvalid(t *testing.T, s newsmon.Store) {
	tests := []struct {
		name string
		a    *newsmon.Article
	}{
		{"no url", &newsmon.Article{Title: "Nowhere", Text: "An article without an address."}},
		{"nil", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SaveArticle(context.Background(), tt.a, nil)
			if code := newsmon.ErrorCode(err); code != newsmon.EINVALID {
				t.Errorf("SaveArticle: %v (code %q), want EINVALID", err, code)
			}
		})
	}
}

func countAll(t *testing.T, s newsmon.Store) int {
	t.Helper()
	n := 0
	err := s.ExportArticles(context.Background(), newsmon.ExportFilter{}, func(*newsmon.Article) error {
		n++
		return nil
	})
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return n
}

func testIdempotentSave(t *testing.T, s newsmon.Store) {
	first := corpus()[0].a
	res1 := mustSave(t, s, &first, nil)
	second := corpus()[0].a
	res2 := mustSave(t, s, &second, nil)
	if res2.Created || res2.Updated || res2.Alias || res2.ID != res1.ID {
		t.Errorf("second save = %+v, want the same ID %d and no change", res2, res1.ID)
	}
	if !second.FirstSeen.Equal(first.FirstSeen) || second.FetchedAt.Before(first.FetchedAt) {
		t.Errorf("second save: FirstSeen %v FetchedAt %v; first %v %v", second.FirstSeen, second.FetchedAt, first.FirstSeen, first.FetchedAt)
	}
	if n := countAll(t, s); n != 1 {
		t.Errorf("%d articles stored, want 1", n)
	}
	got := mustFind(t, s, res1.ID)
	if got.Modified != nil {
		t.Errorf("Modified = %v after saving the same content, want nil", got.Modified)
	}
	if !got.FetchedAt.Equal(second.FetchedAt) {
		t.Errorf("FetchedAt = %v, want the second fetch %v", got.FetchedAt, second.FetchedAt)
	}
	if res := search(t, s, newsmon.SearchFilter{Query: "Aktau"}); res.Total != 1 {
		t.Errorf("search finds %d, want 1", res.Total)
	}

	// Agreement events keep their IDs across saves.
	fund1, fund2 := corpus()[4].a, corpus()[4].a
	mustSave(t, s, &fund1, nil)
	mustSave(t, s, &fund2, nil)
	stored := mustFind(t, s, fund1.ID)
	for i := range fund1.Agreements {
		id1, id2 := fund1.Agreements[i].EventID, fund2.Agreements[i].EventID
		if id1 == "" || id1 != id2 || stored.Agreements[i].EventID != id1 {
			t.Errorf("agreement %d: event IDs %q, %q, stored %q", i, id1, id2, stored.Agreements[i].EventID)
		}
	}
}

func testUpdateInPlace(t *testing.T, s newsmon.Store) {
	tests := []struct {
		name     string
		modified *time.Time // what the page says
	}{
		{"page gives modified", date("2024-03-15T10:00:00Z")},
		{"fetch time is modified", nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := corpus()[0].a
			orig.URL = fmt.Sprintf("https://astanatimes.example/2024/03/update-%d/", i)
			mustSave(t, s, &orig, nil)

			changed := corpus()[0].a
			changed.URL = orig.URL
			changed.Title = "Middle Corridor cargo volumes triple"
			changed.Text = "Operators of the trans-Caspian ferries report that volumes tripled after new vessels arrived in Kuryk."
			changed.Mentions = nil
			changed.Topics = []string{"shipping"}
			changed.Modified = tt.modified
			res := mustSave(t, s, &changed, nil)
			if !res.Updated || res.Created || res.ID != orig.ID {
				t.Fatalf("SaveResult = %+v, want an update of %d", res, orig.ID)
			}
			got := mustFind(t, s, orig.ID)
			wantModified := tt.modified
			if wantModified == nil {
				wantModified = &changed.FetchedAt
			}
			if !sameTime(got.Modified, wantModified) {
				t.Errorf("Modified = %v, want %v", got.Modified, wantModified)
			}
			if got.Title != changed.Title || got.Text != changed.Text || len(got.Mentions) != 0 ||
				!slices.Equal(got.Topics, []string{"shipping"}) || !got.FirstSeen.Equal(orig.FirstSeen) {
				t.Errorf("updated article = %+v", got)
			}
			if got.ContentHash == orig.ContentHash {
				t.Errorf("content hash did not change")
			}
			// The search index follows the new text.
			for q, want := range map[string]bool{"Kuryk": true, "Xi'an": false} {
				res := search(t, s, newsmon.SearchFilter{Query: q})
				if slices.Contains(resultIDs(res), orig.ID) != want {
					t.Errorf("search %q finds the article: %v, want %v", q, !want, want)
				}
			}
			if n := countAll(t, s); n != i+1 {
				t.Errorf("%d articles stored, want %d", n, i+1)
			}
		})
	}
}

func testAliasURLs(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	canonical := "https://trend.example/business/4000001.html"
	tests := []struct {
		name      string
		url       string
		wantNew   bool
		wantAlias bool
	}{
		{"first address", "https://trend.example/business/4000001.html?utm_source=feed", true, false},
		{"second address", "https://en.trend.example/business/4000001.html", false, true},
		{"second address again", "https://en.trend.example/business/4000001.html", false, false},
		{"canonical itself", canonical, false, false},
	}
	var id int64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := corpus()[1].a
			a.URL, a.CanonicalURL = tt.url, canonical
			res := mustSave(t, s, &a, nil)
			if res.Created != tt.wantNew || res.Alias != tt.wantAlias || res.Updated {
				t.Errorf("SaveResult = %+v, want Created %v Alias %v", res, tt.wantNew, tt.wantAlias)
			}
			if id == 0 {
				id = res.ID
			}
			if res.ID != id {
				t.Errorf("ID = %d, want %d", res.ID, id)
			}
			got, err := s.FindArticleByURL(ctx, tt.url)
			if err != nil || got.ID != id {
				t.Fatalf("FindArticleByURL(%s) = %v, %v; want article %d", tt.url, got, err, id)
			}
		})
	}
	got := mustFind(t, s, id)
	var wantURLs []string
	for _, tt := range tests {
		if !slices.Contains(wantURLs, tt.url) {
			wantURLs = append(wantURLs, tt.url)
		}
	}
	gotURLs := slices.Clone(got.URLs)
	sort.Strings(gotURLs)
	sort.Strings(wantURLs)
	if !slices.Equal(gotURLs, wantURLs) {
		t.Errorf("URLs = %q, want %q", gotURLs, wantURLs)
	}
	if got.CanonicalURL != canonical {
		t.Errorf("CanonicalURL = %q, want %q", got.CanonicalURL, canonical)
	}
	if n := countAll(t, s); n != 1 {
		t.Errorf("%d articles stored, want 1", n)
	}
}

func testKeyFallsBackToURL(t *testing.T, s newsmon.Store) {
	a := corpus()[2].a
	a.CanonicalURL = ""
	res := mustSave(t, s, &a, nil)
	b := corpus()[2].a
	b.CanonicalURL = a.URL
	res2 := mustSave(t, s, &b, nil)
	if res2.ID != res.ID || res2.Created {
		t.Errorf("saving with canonical = the former URL made %+v, want article %d again", res2, res.ID)
	}
	if got := mustFind(t, s, res.ID); got.CanonicalURL != a.URL {
		t.Errorf("CanonicalURL = %q, want the URL %q", got.CanonicalURL, a.URL)
	}
}

func testSearchQueries(t *testing.T, s newsmon.Store) {
	ids, _ := saveCorpus(t, s)
	tests := []struct {
		name    string
		query   string
		want    []string // must be found
		notWant []string // must not be found
	}{
		{"word", "Aktau", []string{"mc-title"}, []string{"mc-passing", "btc"}},
		{"words all match", "corridor ministry", []string{"middle-of"}, []string{"mc-title", "mc-passing"}},
		{"case folds", "aKtAu", []string{"mc-title"}, nil},
		{"phrase", `"Middle Corridor"`, []string{"mc-title", "mc-passing"}, []string{"middle-of"}},
		{"words not phrase", "middle corridor", []string{"mc-title", "mc-passing", "middle-of"}, nil},
		{"acronym", "BTC", []string{"btc"}, []string{"ru-btc", "fund"}},
		{"phrase with words", `"investment fund"`, []string{"fund"}, []string{"btc"}},
		{"hyphenated", "Baku-Tbilisi-Ceyhan", []string{"btc"}, []string{"ru-btc"}},
		{"cyrillic hyphenated", "Баку-Тбилиси-Джейхан", []string{"ru-btc"}, []string{"btc"}},
		{"cyrillic phrase", `"Среднего коридора"`, []string{"ru-btc"}, []string{"mc-title"}},
		{"cyrillic case folds", "среднего КОРИДОРА", []string{"ru-btc"}, nil},
		{"turkish", "Türkiye", []string{"tr"}, nil},
		{"turkish case folds", "TÜRKIYE", []string{"tr"}, nil},
		{"or", "Aktau OR BTC", []string{"mc-title", "btc"}, []string{"fund"}},
		{"and", "Kazakhstan AND Azerbaijan", []string{"fund"}, []string{"mc-title"}},
		{"lowercase and is a word", "Kazakhstan and Azerbaijan", []string{"fund"}, nil},
		{"not", `"Middle Corridor" NOT Aktau`, []string{"mc-passing"}, []string{"mc-title"}},
		{"minus", `"Middle Corridor" -Aktau`, []string{"mc-passing"}, []string{"mc-title"}},
		{"minus phrase", `corridor -"Middle Corridor"`, []string{"middle-of"}, []string{"mc-title", "mc-passing"}},
		{"prefix", "Kazakh*", []string{"fund"}, []string{"btc"}},
		{"cyrillic prefix", "нефтепров*", []string{"ru-btc"}, []string{"btc"}},
		{"phrase prefix", `"Middle Corr"*`, []string{"mc-title", "mc-passing"}, []string{"middle-of"}},
		{"parentheses", "(Aktau OR Absheron) cargo", []string{"mc-title"}, []string{"mc-passing"}},
		{"not group", "Middle -(Aktau OR cables)", []string{"middle-of"}, []string{"mc-title", "mc-passing"}},
		{"punctuation ignored", "Aktau & —", []string{"mc-title"}, nil},
		{"quote characters in words", `Xi'an`, []string{"mc-title"}, nil},
		{"syntax of the engine is text", `title:Aktau`, nil, []string{"mc-title"}},
		{"near is a word", `NEAR(Middle Corridor)`, nil, []string{"mc-title"}},
		{"sql is text", `'; DROP TABLE articles; --`, nil, []string{"mc-title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := search(t, s, newsmon.SearchFilter{Query: tt.query, Limit: 200})
			got := resultIDs(res)
			for _, k := range tt.want {
				if !slices.Contains(got, ids[k]) {
					t.Errorf("%q does not find %s; found %v", tt.query, k, got)
				}
			}
			for _, k := range tt.notWant {
				if slices.Contains(got, ids[k]) {
					t.Errorf("%q finds %s", tt.query, k)
				}
			}
			if res.Total != len(res.Results) {
				t.Errorf("Total = %d, %d results", res.Total, len(res.Results))
			}
		})
	}
}

func testSearchRanking(t *testing.T, s newsmon.Store) {
	ids, _ := saveCorpus(t, s)
	for key, a := range map[string]newsmon.Article{
		"aktau-title": {Source: "apa", URL: "https://apa.example/aktau-port", Language: "en", IsArticle: true,
			Title: "Aktau port expands its grain terminal", Text: "The terminal will handle more grain from the steppe next year."},
		"aktau-text": {Source: "apa", URL: "https://apa.example/grain-news", Language: "en", IsArticle: true,
			Title: "Grain news", Text: "Aktau grain. Aktau port."},
		"ru-title": {Source: "kazinform", URL: "https://kazinform.example/ru/koridor", Language: "ru", IsArticle: true,
			Title: "Средний коридор: грузы растут", Text: "Объём перевозок вырос за полгода."},
	} {
		mustSave(t, s, &a, nil)
		ids[key] = a.ID
	}
	tests := []struct {
		name          string
		query         string
		better, worse string
	}{
		{"title above passing mention", `"Middle Corridor"`, "mc-title", "mc-passing"},
		{"title above text", "Aktau", "aktau-title", "mc-title"},
		{"title above repeated mentions in a short text", "Aktau", "aktau-title", "aktau-text"},
		{"cyrillic title above text", "коридор*", "ru-title", "ru-btc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := search(t, s, newsmon.SearchFilter{Query: tt.query})
			got := resultIDs(res)
			if len(got) == 0 || got[0] != ids[tt.better] {
				t.Fatalf("%q ranks %v first, want %s (%d)", tt.query, got, tt.better, ids[tt.better])
			}
			if !slices.Contains(got, ids[tt.worse]) {
				t.Errorf("%q does not find %s at all", tt.query, tt.worse)
			}
			for i := 1; i < len(res.Results); i++ {
				if res.Results[i].Score > res.Results[i-1].Score {
					t.Errorf("scores not best first: %+v", res.Results)
				}
			}
		})
	}
}

func testSearchMalformed(t *testing.T, s newsmon.Store) {
	saveCorpus(t, s)
	tests := []struct{ name, query string }{
		{"unclosed quote", `"Middle Corridor`},
		{"odd quotes", `"Middle" Corridor"`},
		{"unclosed paren", `(Aktau OR BTC`},
		{"unopened paren", `Aktau OR BTC)`},
		{"empty parens", `Aktau ()`},
		{"leading OR", `OR Aktau`},
		{"trailing OR", `Aktau OR`},
		{"double OR", `Aktau OR OR BTC`},
		{"trailing AND", `Aktau AND`},
		{"leading AND", `AND Aktau`},
		{"only AND", `AND`},
		{"only NOT", `NOT Aktau`},
		{"only minus", `-Aktau`},
		{"only excluded words", `-Aktau -BTC`},
		{"trailing NOT", `Aktau NOT`},
		{"not not", `Aktau NOT NOT BTC`},
		{"OR with excluded", `Aktau OR -BTC`},
		{"bare star", `*`},
		{"empty phrase", `Aktau ""`},
		{"punctuation phrase", `Aktau "—"`},
		{"punctuation only", `— &`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.SearchArticles(context.Background(), newsmon.SearchFilter{Query: tt.query})
			var e *newsmon.Error
			if !errors.As(err, &e) || e.Code != newsmon.EINVALID || e.Message == "" {
				t.Fatalf("SearchArticles(%q) = %v, %v; want an EINVALID error", tt.query, res, err)
			}
			if m := strings.ToLower(e.Message); strings.Contains(m, "sql") || strings.Contains(m, "fts5") {
				t.Errorf("message %q speaks of the engine", e.Message)
			}
		})
	}
	// The store still works.
	if res := search(t, s, newsmon.SearchFilter{Query: "Aktau"}); res.Total != 1 {
		t.Errorf("after malformed queries, Aktau finds %d", res.Total)
	}
}

func testSearchFilters(t *testing.T, s newsmon.Store) {
	ids, byID := saveCorpus(t, s)
	now := time.Now()
	hourAgo, inHour := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		name   string
		filter newsmon.SearchFilter
		match  func(a *newsmon.Article) bool
	}{
		{"topic", newsmon.SearchFilter{Topic: "corridor"},
			func(a *newsmon.Article) bool { return slices.Contains(a.Topics, "corridor") }},
		{"source", newsmon.SearchFilter{Source: "astanatimes"},
			func(a *newsmon.Article) bool { return a.Source == "astanatimes" }},
		{"language", newsmon.SearchFilter{Language: "ru"},
			func(a *newsmon.Article) bool { return a.Language == "ru" }},
		{"since", newsmon.SearchFilter{Since: date("2024-03-15T00:00:00Z")},
			func(a *newsmon.Article) bool {
				return a.Published == nil || !a.Published.Before(*date("2024-03-15T00:00:00Z"))
			}},
		{"until", newsmon.SearchFilter{Until: date("2024-03-15T00:00:00Z")},
			func(a *newsmon.Article) bool {
				return a.Published != nil && !a.Published.After(*date("2024-03-15T00:00:00Z"))
			}},
		{"since and until", newsmon.SearchFilter{Since: date("2024-03-01T00:00:00Z"), Until: date("2024-04-30T00:00:00Z")},
			func(a *newsmon.Article) bool {
				return a.Published != nil && a.Published.After(*date("2024-03-01T00:00:00Z")) && a.Published.Before(*date("2024-04-30T00:00:00Z"))
			}},
		{"first seen stands in for published", newsmon.SearchFilter{Since: &hourAgo, Until: &inHour},
			func(a *newsmon.Article) bool { return a.Published == nil }},
		{"query and topic", newsmon.SearchFilter{Query: "Baku", Topic: "pipeline"},
			func(a *newsmon.Article) bool {
				return slices.Contains(a.Topics, "pipeline") && strings.Contains(a.Title+a.Text, "Baku")
			}},
		{"query and source and language", newsmon.SearchFilter{Query: `"Middle Corridor"`, Source: "trend", Language: "en"},
			func(a *newsmon.Article) bool { return a.ID == ids["mc-passing"] }},
		{"no match", newsmon.SearchFilter{Source: "nosuchsource"},
			func(a *newsmon.Article) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			f.Limit = 200
			res := search(t, s, f)
			var want []int64
			for id, a := range byID {
				if tt.match(a) {
					want = append(want, id)
				}
			}
			got := resultIDs(res)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("found %v, want %v", got, want)
			}
			if res.Total != len(want) {
				t.Errorf("Total = %d, want %d", res.Total, len(want))
			}
		})
	}
	t.Run("since after until", func(t *testing.T) {
		_, err := s.SearchArticles(context.Background(), newsmon.SearchFilter{Since: &inHour, Until: &hourAgo})
		if newsmon.ErrorCode(err) != newsmon.EINVALID {
			t.Errorf("got %v, want EINVALID", err)
		}
	})
}

func testSearchFacets(t *testing.T, s newsmon.Store) {
	_, byID := saveCorpus(t, s)
	tests := []struct {
		name   string
		filter newsmon.SearchFilter
	}{
		{"everything", newsmon.SearchFilter{}},
		{"query", newsmon.SearchFilter{Query: "corridor OR Baku OR Koridor"}},
		{"query and filter", newsmon.SearchFilter{Query: "corridor OR Baku", Language: "en"}},
		{"topic filter", newsmon.SearchFilter{Topic: "pipeline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.filter
			all.Limit = 200
			full := search(t, s, all)
			want := map[string]map[string]int{"topic": {}, "source": {}, "lang": {}}
			for _, r := range full.Results {
				a := byID[r.ID]
				want["source"][a.Source]++
				want["lang"][a.Language]++
				for _, topic := range a.Topics {
					want["topic"][topic]++
				}
			}
			// A small page still counts over all matches.
			page := tt.filter
			page.Limit = 1
			res := search(t, s, page)
			if len(full.Results) < 2 {
				t.Fatalf("the case needs several matches, has %d", len(full.Results))
			}
			if res.Total != len(full.Results) || len(res.Results) != 1 {
				t.Errorf("Total = %d with %d results, want %d with 1", res.Total, len(res.Results), len(full.Results))
			}
			if fmt.Sprint(res.Facets) != fmt.Sprint(want) {
				t.Errorf("Facets = %v, want %v", res.Facets, want)
			}
		})
	}
}

func testSearchPagination(t *testing.T, s newsmon.Store) {
	_, byID := saveCorpus(t, s)
	tests := []struct {
		name   string
		filter newsmon.SearchFilter
	}{
		{"newest first", newsmon.SearchFilter{}},
		{"ranked", newsmon.SearchFilter{Query: "the OR Baku OR Koridor OR нефти"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.filter
			all.Limit = 200
			full := resultIDs(search(t, s, all))
			if len(full) < 4 {
				t.Fatalf("the case needs several matches, has %d", len(full))
			}
			var paged []int64
			for offset := 0; offset < len(full)+3; offset += 3 {
				f := tt.filter
				f.Limit, f.Offset = 3, offset
				res := search(t, s, f)
				if res.Total != len(full) {
					t.Errorf("offset %d: Total = %d, want %d", offset, res.Total, len(full))
				}
				paged = append(paged, resultIDs(res)...)
			}
			if !slices.Equal(paged, full) {
				t.Errorf("pages = %v, want %v", paged, full)
			}
			if tt.filter.Query == "" {
				for i := 1; i < len(full); i++ {
					if articleTime(byID[full[i]]).After(articleTime(byID[full[i-1]])) {
						t.Errorf("not newest first: %d after %d", full[i], full[i-1])
					}
				}
			}
		})
	}
	t.Run("limit bounds", func(t *testing.T) {
		for i := range 210 {
			a := newsmon.Article{Source: "bulk", URL: fmt.Sprintf("https://bulk.example/%d", i),
				Title: fmt.Sprintf("Bulletin %d", i), Text: "A short bulletin.", IsArticle: true}
			mustSave(t, s, &a, nil)
		}
		cases := []struct{ limit, want int }{{0, 20}, {-5, 20}, {7, 7}, {1000, 200}}
		for _, c := range cases {
			res := search(t, s, newsmon.SearchFilter{Source: "bulk", Limit: c.limit})
			if len(res.Results) != c.want || res.Total != 210 {
				t.Errorf("limit %d: %d results of %d, want %d of 210", c.limit, len(res.Results), res.Total, c.want)
			}
		}
		if _, err := s.SearchArticles(context.Background(), newsmon.SearchFilter{Offset: -1}); newsmon.ErrorCode(err) != newsmon.EINVALID {
			t.Errorf("negative offset: %v, want EINVALID", err)
		}
	})
}

func articleTime(a *newsmon.Article) time.Time {
	if a.Published != nil {
		return *a.Published
	}
	return a.FirstSeen
}

func testSearchSnippet(t *testing.T, s newsmon.Store) {
	hostile := newsmon.Article{
		Source: "trend", URL: "https://trend.example/hostile", Language: "en", IsArticle: true,
		Title: `<script>alert("title")</script> Trans-Caspian route`,
		Text: `Freight on the Trans-Caspian route grew <script>alert("x")</script> & rail <b>tariffs</b> fell ` +
			"while \x02ferries\x03 waited. " + strings.Repeat("Filler words about the weather in Aktau. ", 20),
	}
	mustSave(t, s, &hostile, nil)
	saveCorpus(t, s)
	tests := []struct {
		name      string
		query     string
		wantMarks []string // words that must appear marked
	}{
		{"phrase", `"Trans-Caspian route"`, []string{"Trans", "Caspian", "route"}},
		{"word", "tariffs", []string{"tariffs"}},
		{"prefix", "tarif*", []string{"tariffs"}},
		{"no query", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := search(t, s, newsmon.SearchFilter{Query: tt.query, Source: "trend", Limit: 200})
			i := slices.IndexFunc(res.Results, func(r newsmon.SearchResult) bool { return r.ID == hostile.ID })
			if i < 0 {
				t.Fatalf("%q does not find the article", tt.query)
			}
			snip := res.Results[i].Snippet
			if snip == "" {
				t.Fatalf("empty snippet")
			}
			if strings.Contains(snip, "<script") || strings.Contains(snip, "<b>") || strings.ContainsAny(snip, "\x02\x03") {
				t.Errorf("snippet is not escaped: %q", snip)
			}
			if !strings.Contains(snip, "&lt;") {
				t.Errorf("snippet %q does not show the escaped markup of the text", snip)
			}
			if strings.Count(snip, "<mark>") != strings.Count(snip, "</mark>") {
				t.Errorf("unbalanced marks in %q", snip)
			}
			marked := markedText(snip)
			for _, w := range tt.wantMarks {
				if !strings.Contains(marked, w) {
					t.Errorf("snippet %q does not mark %q", snip, w)
				}
			}
			if tt.wantMarks == nil && strings.Contains(snip, "<mark>") {
				t.Errorf("snippet %q marks words of no query", snip)
			}
			// Apart from marks and ellipses, the snippet is text of the article.
			plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(snip))
			text := strings.NewReplacer("\x02", "", "\x03", "").Replace(hostile.Text)
			for _, part := range strings.Split(plain, "…") {
				if part = strings.TrimSpace(part); !strings.Contains(text, part) {
					t.Errorf("snippet text %q is not from the article", part)
				}
			}
		})
	}
}

// markedText returns the text inside the <mark> elements of a snippet,
// one element a line.
func markedText(snip string) string {
	var b strings.Builder
	for {
		i := strings.Index(snip, "<mark>")
		if i < 0 {
			return b.String()
		}
		snip = snip[i+len("<mark>"):]
		j := strings.Index(snip, "</mark>")
		if j < 0 {
			return b.String()
		}
		b.WriteString(snip[:j] + "\n")
		snip = snip[j:]
	}
}

func testExport(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	var saved []*newsmon.Article
	for i := range 250 { // more than a batch of any sensible size
		a := newsmon.Article{Source: "export", URL: fmt.Sprintf("https://export.example/%03d", i),
			Title: fmt.Sprintf("Item %d", i), Text: fmt.Sprintf("Export body %d.", i), IsArticle: true,
			Topics: []string{"corridor"}}
		mustSave(t, s, &a, nil)
		saved = append(saved, &a)
	}
	tests := []struct {
		name  string
		since *time.Time
	}{
		{"all", nil},
		{"since", &saved[120].FirstSeen},
		{"since after everything", func() *time.Time { t := saved[249].FirstSeen.Add(time.Hour); return &t }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			err := s.ExportArticles(ctx, newsmon.ExportFilter{Since: tt.since}, func(a *newsmon.Article) error {
				if len(a.Topics) != 1 || a.Text == "" {
					t.Errorf("exported article %d is not whole: %+v", a.ID, a)
				}
				got = append(got, a.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, a := range saved { // saved in order: oldest first
				if tt.since == nil || !a.FirstSeen.Before(*tt.since) {
					want = append(want, a.ID)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("exported %d articles %v, want %d %v", len(got), got, len(want), want)
			}
		})
	}
	t.Run("stops at error", func(t *testing.T) {
		stop := errors.New("enough")
		n := 0
		err := s.ExportArticles(ctx, newsmon.ExportFilter{}, func(*newsmon.Article) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("export returned %v after %d calls, want %v after 3", err, n, stop)
		}
	})
}

func testFetchState(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	art := corpus()[0].a
	articleState := &newsmon.FetchState{URL: art.URL, ETag: `"v1"`, Status: 200,
		LastModified: "Thu, 14 Mar 2024 09:00:00 GMT", FetchedAt: time.Date(2024, 3, 14, 9, 1, 0, 0, time.UTC)}
	mustSave(t, s, &art, articleState)

	var urls []string
	states := map[string]*newsmon.FetchState{}
	for i := range 1200 { // more than any IN list should hold
		u := fmt.Sprintf("https://feeds.example/%d.xml", i)
		urls = append(urls, u)
		if i%2 == 0 {
			st := &newsmon.FetchState{URL: u, ETag: fmt.Sprintf(`W/"%d"`, i), Status: 200,
				Lastmod: date("2024-03-01T00:00:00Z"), ContentHash: fmt.Sprintf("h%d", i),
				FetchedAt: time.Date(2024, 3, 2, 0, 0, i, 0, time.UTC)}
			if err := s.SaveFetchState(ctx, st); err != nil {
				t.Fatal(err)
			}
			states[u] = st
		}
	}
	// Upsert: the second save wins.
	upd := &newsmon.FetchState{URL: urls[0], Status: 304, ETag: `W/"new"`, FetchedAt: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.SaveFetchState(ctx, upd); err != nil {
		t.Fatal(err)
	}
	states[urls[0]] = upd
	states[art.URL] = articleState

	tests := []struct {
		name string
		urls []string
	}{
		{"none", nil},
		{"article page", []string{art.URL}},
		{"unknown only", []string{"https://feeds.example/unknown.xml"}},
		{"batch", append(urls, art.URL)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.FindFetchStates(ctx, tt.urls)
			if err != nil {
				t.Fatal(err)
			}
			wantN := 0
			for _, u := range tt.urls {
				want, ok := states[u]
				if !ok {
					if got[u] != nil {
						t.Errorf("state for unknown %s: %+v", u, got[u])
					}
					continue
				}
				wantN++
				g := got[u]
				if g == nil {
					t.Errorf("no state for %s", u)
					continue
				}
				if g.URL != want.URL || g.ETag != want.ETag || g.LastModified != want.LastModified ||
					g.Status != want.Status || !sameTime(g.Lastmod, want.Lastmod) ||
					!g.FetchedAt.Equal(want.FetchedAt) {
					t.Errorf("state %s = %+v, want %+v", u, g, want)
				}
			}
			if len(got) != wantN {
				t.Errorf("%d states, want %d", len(got), wantN)
			}
		})
	}
	got, err := s.FindFetchStates(ctx, []string{art.URL})
	if err != nil {
		t.Fatal(err)
	}
	if st := got[art.URL]; st == nil || st.ArticleID != art.ID || st.ContentHash != art.ContentHash {
		t.Errorf("state saved with the article = %+v, want article %d hash %s", st, art.ID, art.ContentHash)
	}
}

func testConcurrentSave(t *testing.T, s newsmon.Store) {
	const workers, each = 8, 12
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers*(each+1))
	sharedIDs := make(chan int64, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				a := newsmon.Article{Source: fmt.Sprintf("w%d", w), URL: fmt.Sprintf("https://c.example/%d/%d", w, i),
					Title: fmt.Sprintf("Worker %d item %d", w, i), Text: "Concurrent pipeline news.",
					IsArticle: true, Topics: []string{"pipeline"},
					Mentions: []newsmon.Mention{{Topic: "pipeline", Term: "pipeline", Matched: "pipeline", Start: 11, End: 19}}}
				if _, err := s.SaveArticle(ctx, &a, &newsmon.FetchState{URL: a.URL, Status: 200}); err != nil {
					errs <- err
				}
				// Everyone also saves the same story, at their own address.
				if i == each/2 {
					sh := newsmon.Article{Source: "shared", URL: fmt.Sprintf("https://c.example/shared?from=%d", w),
						CanonicalURL: "https://c.example/shared", Title: "Shared", Text: "One story for all.", IsArticle: true}
					if _, err := s.SaveArticle(ctx, &sh, nil); err != nil {
						errs <- err
					} else {
						sharedIDs <- sh.ID
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	close(sharedIDs)
	for err := range errs {
		t.Errorf("concurrent save: %v", err)
	}
	var first int64
	for id := range sharedIDs {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Errorf("the shared story got IDs %d and %d", first, id)
		}
	}
	if n := countAll(t, s); n != workers*each+1 {
		t.Errorf("%d articles stored, want %d", n, workers*each+1)
	}
	if got := mustFind(t, s, first); len(got.URLs) != workers+1 {
		t.Errorf("shared story has %d URLs, want %d", len(got.URLs), workers+1)
	}
	res := search(t, s, newsmon.SearchFilter{Query: "pipeline", Topic: "pipeline"})
	if res.Total != workers*each || res.Facets["topic"]["pipeline"] != workers*each {
		t.Errorf("search finds %d (facet %d), want %d", res.Total, res.Facets["topic"]["pipeline"], workers*each)
	}
}
