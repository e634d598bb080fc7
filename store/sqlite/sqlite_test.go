package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/storetest"
)

func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "newsmon.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) newsmon.Store { return openTemp(t) })
}

// numbered is article i of a deterministic series: its text, mentions and
// topics follow from i, so a reader can tell whether it is whole.
func numbered(i, textBytes int) *newsmon.Article {
	sentence := fmt.Sprintf("Shipment %d crossed the Caspian on the Middle Corridor. ", i)
	text := strings.Repeat(sentence, max(1, textBytes/len(sentence)))
	a := &newsmon.Article{
		Source: "series", URL: fmt.Sprintf("https://series.example/%d", i), Language: "en",
		Title: fmt.Sprintf("Shipment %d", i), Text: text, IsArticle: true,
		Topics: []string{"corridor"},
	}
	for j := range i%5 + 1 {
		start := j*len(sentence) + strings.Index(sentence, "Middle Corridor")
		a.Mentions = append(a.Mentions, newsmon.Mention{Topic: "corridor", Term: "Middle Corridor",
			Matched: "Middle Corridor", Sentence: sentence, Start: start, End: start + len("Middle Corridor")})
	}
	return a
}

// checkWhole reports how article got differs from numbered(i).
func checkWhole(got *newsmon.Article, i, textBytes int) error {
	want := numbered(i, textBytes)
	switch {
	case got.Title != want.Title || got.Text != want.Text:
		return fmt.Errorf("article %d: title or text differ", i)
	case !slices.Equal(got.Mentions, want.Mentions):
		return fmt.Errorf("article %d: %d mentions, want %d", i, len(got.Mentions), len(want.Mentions))
	case !slices.Equal(got.Topics, want.Topics):
		return fmt.Errorf("article %d: topics %q", i, got.Topics)
	case !slices.Contains(got.URLs, want.URL):
		return fmt.Errorf("article %d: URLs %q", i, got.URLs)
	}
	return nil
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func checkIntegrity(t *testing.T, db *DB) {
	t.Helper()
	if v := pragma(t, db.writer, "integrity_check"); v != "ok" {
		t.Errorf("integrity_check: %s", v)
	}
	rows, err := db.writer.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			t.Fatal(err)
		}
		t.Errorf("foreign_key_check: %s row %v refers to a missing %s", table, rowid, parent)
	}
	rows.Close()
	// FTS5 compares its index with the articles table.
	if _, err := db.writer.Exec(`INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("fts integrity-check: %v", err)
	}
}

func TestOpenSettings(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	tests := []struct {
		name, pragma, want string
		conn               *sql.DB
	}{
		{"wal", "journal_mode", "wal", db.writer},
		{"foreign keys", "foreign_keys", "1", db.writer},
		{"synchronous normal", "synchronous", "1", db.writer},
		{"busy timeout", "busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10), db.writer},
		{"reader foreign keys", "foreign_keys", "1", db.reader},
		{"reader busy timeout", "busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10), db.reader},
		{"reader query only", "query_only", "1", db.reader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pragma(t, tt.conn, tt.pragma); got != tt.want {
				t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
			}
		})
	}
	if _, err := db.reader.Exec(`DELETE FROM articles`); err == nil {
		t.Errorf("a reader connection could write")
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "odd name ?#%.db") // URI characters in the path
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 30 {
		a := numbered(i, 2000)
		if _, err := db.SaveArticle(ctx, a, &newsmon.FetchState{URL: a.URL, ETag: "e"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	for range 2 { // a second Close is harmless
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the store is not at the path it was given: %v", err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, id := range ids {
		got, err := db.FindArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkWhole(got, i, 2000); err != nil {
			t.Error(err)
		}
	}
	res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: `"Middle Corridor"`})
	if err != nil || res.Total != len(ids) {
		t.Errorf("search after reopen: %v, %v; want %d", res, err, len(ids))
	}
	states, err := db.FindFetchStates(ctx, []string{numbered(3, 1).URL})
	if err != nil || len(states) != 1 || states[numbered(3, 1).URL].ArticleID != ids[3] {
		t.Errorf("fetch states after reopen: %v, %v", states, err)
	}
	checkIntegrity(t, db)
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		t.Fatalf("embedded migrations: %v, %v", ms, err)
	}
	var firstApplied map[string]int64
	for round := range 3 {
		db, err := Open(path)
		if err != nil {
			t.Fatalf("open %d: %v", round, err)
		}
		applied := map[string]int64{}
		rows, err := db.writer.Query(`SELECT name, applied_at FROM schema_migrations`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			var at int64
			if err := rows.Scan(&name, &at); err != nil {
				t.Fatal(err)
			}
			applied[name] = at
		}
		rows.Close()
		if len(applied) != len(ms) {
			t.Errorf("round %d: %d migrations recorded, want %d", round, len(applied), len(ms))
		}
		for _, m := range ms {
			if _, ok := applied[m.Name]; !ok {
				t.Errorf("round %d: %s not recorded", round, m.Name)
			}
		}
		if firstApplied == nil {
			firstApplied = applied
		} else if fmt.Sprint(applied) != fmt.Sprint(firstApplied) {
			t.Errorf("round %d: migrations ran again: %v, first %v", round, applied, firstApplied)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("newer store", func(t *testing.T) {
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.writer.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future.sql', 0)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db, err = Open(path)
		if err == nil {
			db.Close()
			t.Fatal("opened a store with a migration newer than this binary")
		}
		if !strings.Contains(err.Error(), "9999_from_the_future.sql") || newsmon.ErrorCode(err) != newsmon.EINVALID {
			t.Errorf("error %v (code %s) does not name the unknown migration", err, newsmon.ErrorCode(err))
		}
	})
}

// TestConcurrentOpen opens a new file from several goroutines at once, as
// several processes starting together would: every Open succeeds and each
// migration runs once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.db")
	const openers = 4
	dbs := make([]*DB, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Go(func() { dbs[i], errs[i] = Open(path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		defer dbs[i].Close()
	}
	if t.Failed() {
		return
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbs[0].writer.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Errorf("%d migrations recorded, want %d", n, len(ms))
	}
}

func TestRevisions(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	defer db.Close()
	changes := keptRevisions + 5
	var hashes []string
	var id int64
	for v := range changes + 1 {
		a := numbered(1, 500)
		a.Text += fmt.Sprintf(" Version %d.", v)
		res, err := db.SaveArticle(ctx, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v > 0 && !res.Updated {
			t.Fatalf("version %d: %+v, want an update", v, res)
		}
		hashes = append(hashes, a.ContentHash)
		id = a.ID
	}
	rows, err := db.writer.Query(`SELECT content_hash, text FROM article_revisions WHERE article_id = ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var h, text string
		if err := rows.Scan(&h, &text); err != nil {
			t.Fatal(err)
		}
		if newsmon.ContentHash(numbered(1, 500).Title, text) != h {
			t.Errorf("revision %s holds text of another hash", h)
		}
		got = append(got, h)
	}
	// The latest keptRevisions versions before the current one.
	want := hashes[len(hashes)-1-keptRevisions : len(hashes)-1]
	if !slices.Equal(got, want) {
		t.Errorf("revisions %d: %q\nwant %d: %q", len(got), got, len(want), want)
	}
	checkIntegrity(t, db)
}

func TestTokenizer(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	defer db.Close()
	texts := map[string]string{
		"tr": "Türkiye ile Azərbaycan arasında yeni anlaşma imzalandı.",
		"kk": "Қазақстан мен Әзірбайжан келісімге қол қойды.",
		"ru": "Соглашение подписано в Баку в четверг.",
		"en": "The naïve café owners in Aktau signed nothing.",
	}
	for lang, text := range texts {
		a := &newsmon.Article{URL: "https://t.example/" + lang, Title: lang, Text: text, Language: lang, IsArticle: true}
		if _, err := db.SaveArticle(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, query, lang string
	}{
		{"turkish without diacritics", "turkiye", "tr"},
		{"azerbaijani schwa folds case", "AZƏRBAYCAN", "tr"},
		{"kazakh letters", "қазақстан", "kk"},
		{"kazakh upper case", "ӘЗІРБАЙЖАН", "kk"},
		{"russian", "баку", "ru"},
		{"latin diacritics", "naive cafe", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 1 || res.Results[0].Language != tt.lang {
				t.Errorf("%q found %+v, want the %s article", tt.query, res.Results, tt.lang)
			}
		})
	}
}

func TestHostileArticles(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	defer db.Close()
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	early := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		a       newsmon.Article
		invalid bool
	}{
		{"huge text", newsmon.Article{URL: "https://h.example/1", Text: strings.Repeat("x", maxTextBytes+1)}, true},
		{"too many mentions", newsmon.Article{URL: "https://h.example/2", Mentions: make([]newsmon.Mention, maxMentions+1)}, true},
		{"far future date", newsmon.Article{URL: "https://h.example/3", Published: &far}, false},
		{"year one", newsmon.Article{URL: "https://h.example/4", Published: &early}, false},
		{"nul bytes", newsmon.Article{URL: "https://h.example/5\x00", Title: "a\x00b", Text: "c\x00d"}, false},
		{"invalid utf-8", newsmon.Article{URL: "https://h.example/6", Title: "\xff\xfe", Text: "caf\xe9"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			_, err := db.SaveArticle(ctx, &a, nil)
			if tt.invalid {
				if newsmon.ErrorCode(err) != newsmon.EINVALID {
					t.Errorf("SaveArticle: %v, want EINVALID", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.FindArticleByURL(ctx, tt.a.URL)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != tt.a.Title || got.Text != tt.a.Text || (tt.a.Published != nil && !got.Published.Equal(*tt.a.Published)) {
				t.Errorf("round trip: title %q text %.40q published %v", got.Title, got.Text, got.Published)
			}
		})
	}
	checkIntegrity(t, db)
}

// TestReadersBesideWriters searches and reads while others write, through
// this handle and a second one on the same file (as a second process would).
func TestReadersBesideWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rw.db")
	db1, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()

	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	done := make(chan struct{})
	for w := range writers {
		db := []*DB{db1, db2}[w%2]
		wg.Go(func() {
			for i := range each {
				if _, err := db.SaveArticle(ctx, numbered(w*each+i, 3000), nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for r := range 3 {
		db := []*DB{db1, db2}[r%2]
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: "Caspian", Topic: "corridor"}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent use: %v", err)
	}
	res, err := db2.SearchArticles(ctx, newsmon.SearchFilter{Query: "Caspian"})
	if err != nil || res.Total != writers*each {
		t.Errorf("after writing: %v, %v; want %d articles", res, err, writers*each)
	}
	checkIntegrity(t, db1)
}

// crashChildEnv names the store a child process of TestCrashMidTransaction
// writes to until it is killed.
const crashChildEnv = "NEWSMON_SQLITE_CRASH_STORE"

// crashFromEnv is the number of the child's first article.
const crashFromEnv = "NEWSMON_SQLITE_CRASH_FROM"

const crashTextBytes = 60000 // a news page's worth, so a transaction takes a while

// TestCrashChild is the child of TestCrashMidTransaction: it saves numbered
// articles in a loop and prints the number of each one committed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child of TestCrashMidTransaction")
	}
	db, err := Open(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	from, _ := strconv.Atoi(os.Getenv(crashFromEnv))
	for i := from; ; i++ {
		a := numbered(i, crashTextBytes)
		if _, err := db.SaveArticle(context.Background(), a, &newsmon.FetchState{URL: a.URL, Status: 200}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("saved", i)
	}
}

// TestCrashMidTransaction kills a process that is saving articles with
// SIGKILL, at several moments, then checks that the store opens, passes
// SQLite's and FTS5's integrity checks, and holds every article reported
// saved, whole.
func TestCrashMidTransaction(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	saved := map[int]bool{}
	for round, killAfter := range []int{5, 37, 80} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s=%d", crashFromEnv, len(saved)))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Each round continues the numbering, so every save is a new article.
		lines := bufio.NewScanner(out)
		n := 0
		deadline := time.Now().Add(60 * time.Second)
		for n < killAfter && time.Now().Before(deadline) && lines.Scan() {
			var i int
			if _, err := fmt.Sscanf(lines.Text(), "saved %d", &i); err != nil {
				t.Fatalf("round %d: child says %q", round, lines.Text())
			}
			saved[i] = true
			n++
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if n < killAfter {
			t.Fatalf("round %d: child saved %d articles before the deadline, want %d", round, n, killAfter)
		}

		db, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		checkIntegrity(t, db)
		seen := 0
		err = db.ExportArticles(context.Background(), newsmon.ExportFilter{}, func(a *newsmon.Article) error {
			i, err := strconv.Atoi(strings.TrimPrefix(a.Title, "Shipment "))
			if err != nil {
				return fmt.Errorf("unexpected article %q", a.Title)
			}
			seen++
			return checkWhole(a, i, crashTextBytes)
		})
		if err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		for i := range saved {
			if _, err := db.FindArticleByURL(context.Background(), numbered(i, 1).URL); err != nil {
				t.Errorf("round %d: article %d reported saved is gone: %v", round, i, err)
			}
		}
		if seen < len(saved) {
			t.Errorf("round %d: %d articles stored, %d reported saved", round, seen, len(saved))
		}
		// One more than reported means the kill came between commit and print.
		t.Logf("round %d: %d reported saved, %d stored", round, len(saved), seen)
		db.Close()
	}
}

// BenchmarkSaveArticle measures one SaveArticle of a 60 KB news page with
// mentions and topics, FTS5 indexing included.
func BenchmarkSaveArticle(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	ctx := context.Background()
	b.SetBytes(60000)
	i := 0
	for b.Loop() {
		if _, err := db.SaveArticle(ctx, numbered(i, 60000), nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearch measures a ranked search with snippets and facets over
// 2,000 articles, every one of which matches.
func BenchmarkSearch(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	ctx := context.Background()
	for i := range 2000 {
		if _, err := db.SaveArticle(ctx, numbered(i, 3000), nil); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: `"Middle Corridor" Caspian`})
		if err != nil || res.Total != 2000 {
			b.Fatal(res, err)
		}
	}
}
