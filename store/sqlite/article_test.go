package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/newsmon/newsmon"
)

// version is article i of TestSaveArticlesIndex in version v: its text holds
// the words story<i>v<v> and storyword<i>.
func version(i, v int) *newsmon.Article {
	return &newsmon.Article{Source: "index", URL: fmt.Sprintf("https://index.example/%d", i),
		Title: fmt.Sprintf("Story %d", i), IsArticle: true,
		Text: fmt.Sprintf("Ferries to Baku. The words story%dv%d and storyword%d are here.", i, v, i)}
}

// searchIDs returns the IDs of the articles that match query.
func searchIDs(t *testing.T, db *DB, query string) []int64 {
	t.Helper()
	res, err := db.SearchArticles(context.Background(), newsmon.SearchFilter{Query: query, Limit: 100})
	if err != nil {
		t.Fatalf("search %q: %v", query, err)
	}
	var ids []int64
	for _, r := range res.Results {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestSaveArticlesIndex saves batches that insert, update and re-save
// articles, in and across batches, and checks after each that the
// full-text index holds exactly the current versions.
func TestSaveArticlesIndex(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	current := map[int]int{} // story -> version stored
	ids := map[int]int64{}
	type write struct{ story, version int }
	tests := []struct {
		name   string
		writes []write
	}{
		{"new stories", []write{{0, 0}, {1, 0}, {2, 0}, {3, 0}}},
		{"updates of indexed stories", []write{{1, 1}, {3, 1}}},
		{"new story updated in the same batch", []write{{4, 0}, {4, 1}, {5, 0}}},
		{"indexed story updated twice", []write{{0, 1}, {0, 2}}},
		{"updated and back", []write{{2, 1}, {2, 0}, {1, 1}}},
		{"older story after newer ones", []write{{6, 0}, {0, 3}, {7, 0}}},
		{"one story", []write{{3, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ws []newsmon.ArticleWrite
			for _, w := range tt.writes {
				ws = append(ws, newsmon.ArticleWrite{Article: version(w.story, w.version)})
			}
			for i, r := range db.SaveArticles(ctx, ws) {
				if r.Err != nil {
					t.Fatalf("write %d: %v", i, r.Err)
				}
				w := tt.writes[i]
				if old, ok := ids[w.story]; ok && old != r.ID {
					t.Errorf("story %d: ID %d, was %d", w.story, r.ID, old)
				}
				ids[w.story] = r.ID
				current[w.story] = w.version
			}
			checkIntegrity(t, db)
			for story, v := range current {
				for old := range 4 {
					got := searchIDs(t, db, fmt.Sprintf("story%dv%d", story, old))
					if want := old == v; slices.Contains(got, ids[story]) != want || len(got) > 1 {
						t.Errorf("story %d at version %d: search for version %d finds %v", story, v, old, got)
					}
				}
				if got := searchIDs(t, db, fmt.Sprintf("storyword%d", story)); !slices.Equal(got, []int64{ids[story]}) {
					t.Errorf("story %d: search finds %v, want [%d]", story, got, ids[story])
				}
			}
		})
	}
}

// TestSaveArticlesFailures saves batches in which some articles fail while
// they are written (their fetch state names no article), more of them than
// the batch is rerun for, and checks that exactly the others are stored.
func TestSaveArticlesFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		n    int
		bad  []int
	}{
		{"none", 10, nil},
		{"first", 10, []int{0}},
		{"last", 10, []int{9}},
		{"as many as the reruns", 10, []int{1, 4, 7}},
		{"more than the reruns", 12, []int{0, 2, 4, 6, 8, 10}},
		{"all", 4, []int{0, 1, 2, 3}},
		{"alone", 1, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTemp(t)
			defer db.Close()
			ws := make([]newsmon.ArticleWrite, tt.n)
			for i := range ws {
				a := version(i, 0)
				ws[i] = newsmon.ArticleWrite{Article: a, State: &newsmon.FetchState{URL: a.URL, Status: 200}}
				if slices.Contains(tt.bad, i) {
					ws[i].State.ArticleID = 1 << 40
				}
			}
			results := db.SaveArticles(ctx, ws)
			for i, r := range results {
				bad := slices.Contains(tt.bad, i)
				if (r.Err != nil) != bad || r.Created == bad || (r.ID == 0) != bad {
					t.Errorf("article %d (bad %v): %+v", i, bad, r)
				}
				_, err := db.FindArticleByURL(ctx, ws[i].Article.URL)
				if found := err == nil; found == bad {
					t.Errorf("article %d (bad %v): find: %v", i, bad, err)
				}
				if bad && (ws[i].Article.ID != 0 || ws[i].Article.ContentHash != "") {
					t.Errorf("article %d failed but was changed: %+v", i, ws[i].Article)
				}
			}
			if got, want := len(searchIDs(t, db, "Baku")), tt.n-len(tt.bad); got != want {
				t.Errorf("search finds %d articles, want %d", got, want)
			}
			checkIntegrity(t, db)
		})
	}
}

func TestSaveArticlesCanceled(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ws := []newsmon.ArticleWrite{{Article: version(0, 0)}, {Article: version(1, 0)}}
	for i, r := range db.SaveArticles(ctx, ws) {
		if r.Err == nil || r.ID != 0 {
			t.Errorf("write %d with a canceled context: %+v", i, r)
		}
	}
	if n := len(searchIDs(t, db, "Baku")); n != 0 {
		t.Errorf("%d articles stored with a canceled context", n)
	}
}

// TestFTSSettings checks the FTS5 settings the store relies on for group
// commits.
func TestFTSSettings(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	tests := []struct{ key, want string }{
		{"hashsize", "8388608"},
		{"automerge", "8"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			var v string
			if err := db.writer.QueryRow(`SELECT v FROM articles_fts_config WHERE k = ?`, tt.key).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != tt.want {
				t.Errorf("%s = %s, want %s", tt.key, v, tt.want)
			}
		})
	}
}

// TestUpgradeIndex opens a store written before 0002, when triggers kept the
// index, and checks that its articles stay searchable and update cleanly.
func TestUpgradeIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		ms[0].SQL,
		`INSERT INTO schema_migrations VALUES ('` + ms[0].Name + `', 0)`,
		`INSERT INTO articles (canonical_url, url, title, text, content_hash, first_seen, fetched_at)
			VALUES ('https://index.example/0', 'https://index.example/0', 'Story 0', 'Old text about Aktau.', 'old', 0, 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	raw.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := searchIDs(t, db, "Aktau"); len(got) != 1 {
		t.Fatalf("the old article is not found after the upgrade: %v", got)
	}
	results := db.SaveArticles(context.Background(), []newsmon.ArticleWrite{
		{Article: version(0, 1)}, {Article: version(1, 0)}})
	if r := results[0]; r.Err != nil || !r.Updated {
		t.Fatalf("update of the old article: %+v", r)
	}
	checkIntegrity(t, db)
	for q, want := range map[string]int{"Aktau": 0, "story0v1": 1, "Baku": 2} {
		if got := searchIDs(t, db, q); len(got) != want {
			t.Errorf("search %q finds %v, want %d articles", q, got, want)
		}
	}
}

// TestSaveArticlesLongBatch saves a batch longer than one transaction may
// hold, with the same story on both sides of a split and bad articles in
// two of the parts.
func TestSaveArticlesLongBatch(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	n := 2*maxBatchArticles + 88
	bad := []int{100, maxBatchArticles + 50}
	ws := make([]newsmon.ArticleWrite, n)
	for i := range ws {
		ws[i] = newsmon.ArticleWrite{Article: version(i, 0)}
		if slices.Contains(bad, i) {
			ws[i].State = &newsmon.FetchState{URL: ws[i].Article.URL, ArticleID: 1 << 40}
		}
	}
	ws[maxBatchArticles] = newsmon.ArticleWrite{Article: version(maxBatchArticles-1, 0)}
	results := db.SaveArticles(context.Background(), ws)
	for i, r := range results {
		switch {
		case slices.Contains(bad, i):
			if r.Err == nil {
				t.Errorf("bad article %d: %+v", i, r)
			}
		case i == maxBatchArticles:
			if r.Err != nil || r.Created || r.Updated || r.ID != results[i-1].ID {
				t.Errorf("the same story again after the split: %+v, first %+v", r, results[i-1])
			}
		case r.Err != nil || !r.Created || r.ID != ws[i].Article.ID:
			t.Errorf("article %d: %+v", i, r)
		}
	}
	res, err := db.SearchArticles(context.Background(), newsmon.SearchFilter{Query: "Baku"})
	if err != nil {
		t.Fatal(err)
	}
	if want := n - len(bad) - 1; res.Total != want {
		t.Errorf("search finds %d articles, want %d", res.Total, want)
	}
	checkIntegrity(t, db)
}
