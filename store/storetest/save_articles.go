package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

// batchArticle is article i of a batch test: its own URL, title, a text with
// a word only it holds (uniqueWord(prefix, i)), a mention and an agreement.
func batchArticle(prefix string, i int) *newsmon.Article {
	text := fmt.Sprintf("Freight item %d crossed the Caspian Sea by ferry. The word %s is only here.", i, uniqueWord(prefix, i))
	start := strings.Index(text, "Caspian Sea")
	return &newsmon.Article{Source: "batch", URL: fmt.Sprintf("https://batch.example/%s/%d", prefix, i),
		Title: fmt.Sprintf("Batch item %d", i), Text: text, Language: "en", IsArticle: true,
		Topics: []string{"shipping"},
		Mentions: []newsmon.Mention{{Topic: "corridor", Term: "Caspian Sea", Matched: "Caspian Sea",
			Sentence: "Freight crossed the Caspian Sea by ferry.", Start: start, End: start + len("Caspian Sea")}},
		Agreements: []newsmon.Agreement{{Instrument: "agreement", Status: newsmon.StatusSigned,
			Parties: []string{"Kazakhstan", fmt.Sprintf("Operator %d", i)}, Sentence: "An agreement was signed."}},
	}
}

// uniqueWord is the word only batchArticle(prefix, i) holds.
func uniqueWord(prefix string, i int) string { return fmt.Sprintf("%sword%d", prefix, i) }

func testSaveArticlesOneBad(t *testing.T, s newsmon.Store) {
	const n, bad = 50, 25
	tests := []struct {
		name     string
		spoil    func(w *newsmon.ArticleWrite)
		wantCode string // the error code of the bad article; "" for any error
	}{
		{"no URL", func(w *newsmon.ArticleWrite) { w.Article.URL, w.Article.CanonicalURL = "", "" }, newsmon.EINVALID},
		{"nil article", func(w *newsmon.ArticleWrite) { w.Article = nil }, newsmon.EINVALID},
		// The store finds this out only while writing, after the article.
		{"state names no article", func(w *newsmon.ArticleWrite) { w.State.ArticleID = 1 << 40 }, ""},
	}
	ctx := context.Background()
	for ti, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := fmt.Sprintf("bad%d", ti)
			ws := make([]newsmon.ArticleWrite, n)
			for i := range ws {
				a := batchArticle(prefix, i)
				ws[i] = newsmon.ArticleWrite{Article: a, State: &newsmon.FetchState{URL: a.URL, Status: 200, ETag: fmt.Sprintf(`"%d"`, i)}}
			}
			badURL := ws[bad].Article.URL
			tt.spoil(&ws[bad])
			results := s.SaveArticles(ctx, ws)
			if len(results) != n {
				t.Fatalf("%d results for %d articles", len(results), n)
			}
			if err := results[bad].Err; err == nil || (tt.wantCode != "" && newsmon.ErrorCode(err) != tt.wantCode) {
				t.Errorf("bad article: Err %v (code %q), want code %q", err, newsmon.ErrorCode(err), tt.wantCode)
			}
			if results[bad].ID != 0 || results[bad].Created {
				t.Errorf("bad article: result %+v says it was saved", results[bad])
			}
			if _, err := s.FindArticleByURL(ctx, badURL); newsmon.ErrorCode(err) != newsmon.ENOTFOUND {
				t.Errorf("bad article: find by URL: %v, want ENOTFOUND", err)
			}
			var urls []string
			for i, r := range results {
				if i == bad {
					continue
				}
				a := ws[i].Article
				urls = append(urls, a.URL)
				if r.Err != nil || !r.Created || r.ID == 0 || r.ID != a.ID {
					t.Errorf("article %d: result %+v, article ID %d", i, r, a.ID)
					continue
				}
				got := mustFind(t, s, r.ID)
				if got.Text != a.Text || len(got.Mentions) != 1 || len(got.Agreements) != 1 ||
					got.Agreements[0].EventID == "" || got.Agreements[0].EventID != a.Agreements[0].EventID {
					t.Errorf("article %d stored as %+v", i, got)
				}
				if res := search(t, s, newsmon.SearchFilter{Query: uniqueWord(prefix, i)}); res.Total != 1 || res.Results[0].ID != r.ID {
					t.Errorf("article %d: search for its word finds %v", i, resultIDs(res))
				}
			}
			states, err := s.FindFetchStates(ctx, append(urls, badURL))
			if err != nil {
				t.Fatal(err)
			}
			if len(states) != n-1 {
				t.Errorf("%d fetch states stored, want %d", len(states), n-1)
			}
			for i, w := range ws {
				if i == bad {
					continue
				}
				if st := states[w.Article.URL]; st == nil || st.ArticleID != w.Article.ID || st.ETag != w.State.ETag ||
					st.ContentHash != w.Article.ContentHash || w.State.ArticleID != w.Article.ID {
					t.Errorf("article %d: fetch state stored %+v, given %+v", i, st, w.State)
				}
			}
			res := search(t, s, newsmon.SearchFilter{Query: "ferry", Source: "batch"})
			if want := (ti + 1) * (n - 1); res.Total != want {
				t.Errorf("search finds %d batch articles, want %d", res.Total, want)
			}
		})
	}
	t.Run("empty batch", func(t *testing.T) {
		if results := s.SaveArticles(ctx, nil); len(results) != 0 {
			t.Errorf("SaveArticles(nil) = %+v", results)
		}
	})
}

func testSaveArticlesDuplicates(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	const canonical = "https://dup.example/story"
	story := func(url, text string) *newsmon.Article {
		return &newsmon.Article{Source: "dup", URL: url, CanonicalURL: canonical, Title: "Ferry schedule",
			Text: text, IsArticle: true, Topics: []string{"shipping"}}
	}
	ws := []newsmon.ArticleWrite{
		{Article: story(canonical, "The ferry from Alat now sails twice a week.")},
		{Article: story(canonical+"?amp=1", "The ferry from Alat now sails twice a week.")},
		{Article: story(canonical, "The ferry from Alat now sails every day, operators in Kuryk said.")},
		{Article: story(canonical+"?print=1", "The ferry from Alat now sails every day, operators in Kuryk said.")},
		{Article: batchArticle("dup", 1)},
		{Article: story(canonical, "The ferry from Alat now sails every day, operators in Kuryk said.")},
	}
	want := []struct {
		name                    string
		created, updated, alias bool
	}{
		{"first", true, false, false},
		{"same content at another URL", false, false, true},
		{"changed content", false, true, false},
		{"changed content at a third URL", false, false, true},
		{"another story", true, false, false},
		{"same again", false, false, false},
	}
	results := s.SaveArticles(ctx, ws)
	id := results[0].ID
	for i, w := range want {
		r := results[i]
		if r.Err != nil || r.Created != w.created || r.Updated != w.updated || r.Alias != w.alias {
			t.Errorf("%s: result %+v, want created %v updated %v alias %v", w.name, r, w.created, w.updated, w.alias)
		}
		if i != 4 && r.ID != id {
			t.Errorf("%s: ID %d, want %d", w.name, r.ID, id)
		}
	}
	if results[4].ID == id || results[4].ID == 0 {
		t.Errorf("another story: ID %d (the duplicated story has %d)", results[4].ID, id)
	}
	got := mustFind(t, s, id)
	if got.Text != ws[2].Article.Text || got.Modified == nil {
		t.Errorf("stored story: text %q, modified %v; want the changed text and a modified time", got.Text, got.Modified)
	}
	wantURLs := []string{canonical, canonical + "?amp=1", canonical + "?print=1"}
	if gotURLs := slices.Sorted(slices.Values(got.URLs)); !slices.Equal(gotURLs, wantURLs) {
		t.Errorf("stored URLs %q, want %q", gotURLs, wantURLs)
	}
	for q, wantFound := range map[string]bool{"Kuryk": true, `"twice a week"`: false, "ferry": true} {
		res := search(t, s, newsmon.SearchFilter{Query: q, Source: "dup"})
		if found := slices.Contains(resultIDs(res), id); found != wantFound || res.Total > 1 {
			t.Errorf("search %q finds %v, want the story: %v", q, resultIDs(res), wantFound)
		}
	}
}

// batchWrites is a crawl in miniature: new stories, the same pages fetched
// again, changed pages, stories seen at other addresses and fetch states,
// all deterministic.
func batchWrites() []newsmon.ArticleWrite {
	var ws []newsmon.ArticleWrite
	for i := range 40 {
		story := i % 13
		a := batchArticle("seq", story)
		switch i % 5 {
		case 1: // another address of the story
			a.CanonicalURL, a.URL = a.URL, fmt.Sprintf("%s?from=%d", a.URL, i)
		case 3: // the page changed
			a.Text += fmt.Sprintf(" Updated in round %d.", i/13)
			a.Agreements = append(a.Agreements, newsmon.Agreement{Instrument: "memorandum",
				Status: newsmon.StatusPlanned, Parties: []string{"Georgia"}, Sentence: "A memorandum is planned."})
		}
		w := newsmon.ArticleWrite{Article: a}
		if i%2 == 0 {
			w.State = &newsmon.FetchState{URL: a.URL, Status: 200, ETag: fmt.Sprintf(`"%d"`, i)}
		}
		ws = append(ws, w)
	}
	return ws
}

func testSaveArticlesLikeSaveArticle(t *testing.T, batched, sequential newsmon.Store) {
	ctx := context.Background()
	batchWs, seqWs := batchWrites(), batchWrites()
	var batchResults []newsmon.SaveResult
	for chunk := range slices.Chunk(batchWs, 7) {
		batchResults = append(batchResults, batched.SaveArticles(ctx, chunk)...)
	}
	for i, w := range seqWs {
		res, err := sequential.SaveArticle(ctx, w.Article, w.State)
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if batchResults[i] != res {
			t.Errorf("write %d: batched %+v, sequential %+v", i, batchResults[i], res)
		}
		b := batchWs[i].Article
		if b.ID != w.Article.ID || b.ContentHash != w.Article.ContentHash || (b.Modified == nil) != (w.Article.Modified == nil) {
			t.Errorf("write %d: batched article ID %d hash %s modified %v, sequential %d %s %v", i,
				b.ID, b.ContentHash, b.Modified, w.Article.ID, w.Article.ContentHash, w.Article.Modified)
		}
		for j := range b.Agreements {
			if b.Agreements[j].EventID != w.Article.Agreements[j].EventID {
				t.Errorf("write %d: agreement %d event %q, sequential %q", i, j, b.Agreements[j].EventID, w.Article.Agreements[j].EventID)
			}
		}
	}
	// The stores hold the same articles, times aside.
	export := func(s newsmon.Store) []string {
		var out []string
		err := s.ExportArticles(ctx, newsmon.ExportFilter{}, func(a *newsmon.Article) error {
			hasModified := a.Modified != nil
			a.FirstSeen, a.FetchedAt, a.Modified = time.Time{}, time.Time{}, nil
			out = append(out, fmt.Sprintf("%+v modified:%v", *a, hasModified))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if b, q := export(batched), export(sequential); !slices.Equal(b, q) {
		t.Errorf("stores differ:\nbatched    %q\nsequential %q", b, q)
	}
	urls := make([]string, len(batchWs))
	for i, w := range batchWs {
		urls[i] = w.Article.URL
	}
	bs, err1 := batched.FindFetchStates(ctx, urls)
	ss, err2 := sequential.FindFetchStates(ctx, urls)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if len(bs) != len(ss) || len(bs) == 0 {
		t.Errorf("%d fetch states batched, %d sequential", len(bs), len(ss))
	}
	for u, st := range ss {
		b := bs[u]
		if b == nil || b.ArticleID != st.ArticleID || b.ETag != st.ETag || b.ContentHash != st.ContentHash {
			t.Errorf("fetch state %s: batched %+v, sequential %+v", u, b, st)
		}
	}
}
