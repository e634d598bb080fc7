package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/postgres"
	"github.com/newsmon/newsmon/store/sqlite"
)

// postgresSchema returns a DSN of the test database whose search_path is a
// schema of the test's own, dropped at cleanup; it skips the test when
// NEWSMON_TEST_POSTGRES is not set.
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("NEWSMON_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("NEWSMON_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping the PostgreSQL tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	// unaccent lives in public, so dropping a test schema never drops it;
	// the key is the store's migration lock, so that a migration running
	// at the same moment does not race to create it.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7954895654460812801)`); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public`)
	conn.Exec(ctx, `SELECT pg_advisory_unlock(7954895654460812801)`)
	if err != nil {
		t.Fatalf("create extension: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "newsmon_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil || !newsmon.IsPostgresDSN(dsn) {
		t.Fatalf("NEWSMON_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// sqliteFixture writes an SQLite store with what migrate-store copies:
// articles (an alias address, mentions, an agreement reported twice),
// fetch states, runs and an alert.
func sqliteFixture(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newsmon.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetAlertRules([]newsmon.AlertRule{{Name: "signings", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/h"}}); err != nil {
		t.Fatal(err)
	}
	published := time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		text := fmt.Sprintf("Kazakhstan and Azerbaijan signed a memorandum on the Middle Corridor, outlet %d reports.", i)
		u := fmt.Sprintf("https://outlet%d.example/news/memo", i)
		a := &newsmon.Article{Source: fmt.Sprintf("outlet%d", i), URL: u + "?utm=feed", CanonicalURL: u,
			Title: fmt.Sprintf("Memorandum signed (%d)", i), Language: "en", IsArticle: true, Text: text,
			Published: &published, Topics: []string{"agreement"},
			Mentions: []newsmon.Mention{{Topic: "corridor", Term: "Middle Corridor", Matched: "Middle Corridor",
				Sentence: text, Start: strings.Index(text, "Middle"), End: strings.Index(text, " Corridor") + 9}},
			Agreements: []newsmon.Agreement{{Instrument: "memorandum", Status: newsmon.StatusSigned,
				Parties: []string{"Kazakhstan", "Azerbaijan"}, Sentence: text}}}
		state := &newsmon.FetchState{URL: a.URL, ETag: fmt.Sprintf(`"%d"`, i), Status: 200}
		if _, err := st.SaveArticle(ctx, a, state); err != nil {
			t.Fatal(err)
		}
	}
	// An edit: the article keeps its first sight and gets Modified.
	edited := &newsmon.Article{Source: "outlet9", URL: "https://outlet9.example/ru", Language: "ru", IsArticle: true,
		Title: "Средний коридор", Text: "Первая версия."}
	if _, err := st.SaveArticle(ctx, edited, nil); err != nil {
		t.Fatal(err)
	}
	edited.Text = "Вторая версия текста."
	if _, err := st.SaveArticle(ctx, edited, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveFetchState(ctx, &newsmon.FetchState{URL: "https://outlet0.example/feed", Status: 304}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		r := &newsmon.Run{Source: "outlet0", Started: time.Date(2024, 3, 14, 9, i, 0, 0, time.UTC)}
		if err := st.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Status, r.New, r.ErrorKinds = newsmon.RunDone, 3, map[string]int{"http_4xx": i + 1}
		r.Finished = r.Started.Add(time.Minute)
		if err := st.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestMigrateStoreToPostgres(t *testing.T) {
	dsn := postgresSchema(t)
	from := sqliteFixture(t)
	ctx := context.Background()

	code, stdout, stderr := newsmonRun(t, "migrate-store", "--from", from, "--to", dsn)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"articles:     4 copied, 0 already there", "runs:         2 copied",
		"alerts:       1 copied", "fetch states: 3 copied"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// Twice copies nothing twice.
	code, stdout, stderr = newsmonRun(t, "migrate-store", "--from", from, "--to", dsn)
	if code != exitOK {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"articles:     0 copied, 4 already there", "runs:         0 copied, 2 already there",
		"alerts:       0 copied, 1 already there", "fetch states: 0 copied, 3 already there"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("second run: output lacks %q:\n%s", want, stdout)
		}
	}

	src, err := sqlite.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	var want []*newsmon.Article
	if err := src.ExportArticles(ctx, newsmon.ExportFilter{}, func(a *newsmon.Article) error {
		want = append(want, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		got, err := dst.FindArticleByURL(ctx, w.URL)
		if err != nil {
			t.Fatalf("%s not copied: %v", w.URL, err)
		}
		g, ww := *got, *w
		if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", ww) {
			t.Errorf("copied article differs:\n got %+v\nwant %+v", g, ww)
		}
	}
	// The copy is searchable and its agreement event whole.
	res, err := dst.SearchArticles(ctx, newsmon.SearchFilter{Query: `"Middle Corridor" memorandum`})
	if err != nil || res.Total != 3 {
		t.Errorf("search in the copy: %v, %v", res, err)
	}
	events, err := dst.FindAgreementEvents(ctx, newsmon.AgreementFilter{})
	if err != nil || len(events) != 1 || len(events[0].Reports) != 3 {
		t.Errorf("events in the copy: %+v, %v", events, err)
	}
	for _, pair := range [][2]any{
		{must(t, func() (any, error) { return src.FindRuns(ctx, newsmon.RunFilter{}) }),
			must(t, func() (any, error) { return dst.FindRuns(ctx, newsmon.RunFilter{}) })},
		{must(t, func() (any, error) { return src.FindAlerts(ctx, newsmon.AlertFilter{}) }),
			must(t, func() (any, error) { return dst.FindAlerts(ctx, newsmon.AlertFilter{}) })},
		// The states of articles' addresses; those of feeds and listings
		// are not copied (the Store interface cannot list them).
		{must(t, func() (any, error) { return src.FindFetchStates(ctx, []string{want[0].URL, want[1].URL}) }),
			must(t, func() (any, error) { return dst.FindFetchStates(ctx, []string{want[0].URL, want[1].URL}) })},
	} {
		w, _ := json.Marshal(pair[0])
		g, _ := json.Marshal(pair[1])
		if string(g) != string(w) || len(w) < 10 {
			t.Errorf("copied records differ:\n got %s\nwant %s", g, w)
		}
	}
	// Imported alerts count as sent; a new report of their event updates
	// the copied alert instead of raising another.
	if ds, err := dst.PendingDeliveries(ctx, time.Now().Add(time.Hour), 10); err != nil || len(ds) != 0 {
		t.Errorf("deliveries after the copy: %+v, %v", ds, err)
	}
	if err := dst.SetAlertRules([]newsmon.AlertRule{{Name: "signings", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/h"}}); err != nil {
		t.Fatal(err)
	}
	late := *want[0]
	late.ID, late.URL, late.CanonicalURL, late.URLs, late.Source = 0, "https://late.example/memo", "", nil, "late"
	late.Agreements = slices.Clone(late.Agreements)
	late.Agreements[0].EventID = ""
	if _, err := dst.SaveArticle(ctx, &late, nil); err != nil {
		t.Fatal(err)
	}
	alerts, err := dst.FindAlerts(ctx, newsmon.AlertFilter{})
	if err != nil || len(alerts) != 1 || alerts[0].Version != 4 || len(alerts[0].Articles) != 4 {
		t.Errorf("after a new report: %+v, %v; want the copied alert at version 4", alerts, err)
	}
	// New articles get IDs past the copied ones.
	if late.ID <= want[len(want)-1].ID {
		t.Errorf("new article ID %d, copied IDs up to %d", late.ID, want[len(want)-1].ID)
	}
}

func must(t *testing.T, f func() (any, error)) any {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrateStoreUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		name string
		args []string
		flag string // the message must name it
	}{
		{"no --from", []string{"--to", "postgres://u@127.0.0.1/db"}, "--from"},
		{"no --to", []string{"--from", db}, "--to"},
		{"--to not postgres", []string{"--from", db, "--to", "mysql://u@h/db"}, "--to"},
		{"--from missing", []string{"--from", db, "--to", "postgres://u@127.0.0.1:1/db"}, "--from"},
		{"unknown flag", []string{"--form", db}, "-form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := newsmonRun(t, append([]string{"migrate-store"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.flag) {
				t.Errorf("exit %d, stderr %q; want %d naming %s", code, stderr, exitUsage, tt.flag)
			}
		})
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("migrate-store created the missing source store %s", db)
	}
}

// The runs of a source that stopped running long ago are copied too, even
// when the store's newest 1,000 runs are all of other sources.
func TestMigrateStoreCopiesRunsOfQuietSources(t *testing.T) {
	dsn := postgresSchema(t)
	ctx := context.Background()
	from := filepath.Join(t.TempDir(), "quiet.db")
	st, err := sqlite.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	run := func(source string, started time.Time) {
		r := &newsmon.Run{Source: source, Started: started}
		if err := st.StartRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Status = newsmon.RunDone
		if err := st.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	run("quiet", start)
	a := &newsmon.Article{Source: "quiet", URL: "https://quiet.example/a", Title: "A", Text: "Text.", IsArticle: true}
	if _, err := st.SaveArticle(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		run(fmt.Sprintf("busy%d", i%2), start.Add(time.Duration(i+1)*time.Minute))
	}
	st.Close()

	if code, stdout, stderr := newsmonRun(t, "migrate-store", "--from", from, "--to", dsn); code != exitOK {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	dst, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if runs, err := dst.FindRuns(ctx, newsmon.RunFilter{Source: "quiet"}); err != nil || len(runs) != 1 {
		t.Errorf("runs of the quiet source in the copy: %d, %v; want 1", len(runs), err)
	}
}
