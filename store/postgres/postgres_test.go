package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/postgres"
	"github.com/newsmon/newsmon/store/sqlite"
	"github.com/newsmon/newsmon/store/storetest"
)

// testDSN returns the DSN of the test database, skipping the test when
// NEWSMON_TEST_POSTGRES is not set.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("NEWSMON_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("NEWSMON_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping the PostgreSQL store tests")
	}
	return dsn
}

// freshSchema creates a schema of its own for the test, dropped at
// cleanup, and returns a DSN whose search_path is it. The unaccent
// extension is created in public first, so that no test schema owns it
// (dropping that schema would drop it for every other test).
func freshSchema(t *testing.T) string {
	t.Helper()
	dsn := testDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	// Other test processes may create it at the same moment, or migrate:
	// the key is the store's migration lock (postgres.go), so they queue.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7954895654460812801)`); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public`)
	conn.Exec(ctx, `SELECT pg_advisory_unlock(7954895654460812801)`)
	if err != nil {
		t.Fatalf("create extension unaccent: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "newsmon_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, dsn, schema)
}

func withSearchPath(t *testing.T, dsn, schema string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("NEWSMON_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t *testing.T, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPostgresContract(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) newsmon.Store {
		db, err := postgres.Open(context.Background(), freshSchema(t))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		return db
	})
}

func TestPostgresOpenInvalid(t *testing.T) {
	for _, dsn := range []string{"", "postgres://user@host:notaport/db"} {
		if _, err := postgres.Open(context.Background(), dsn); newsmon.ErrorCode(err) != newsmon.EINVALID {
			t.Errorf("Open(%q) = %v, want EINVALID", dsn, err)
		}
	}
}

// Several processes opening a new database at once apply each migration
// once; opening it again applies none.
func TestPostgresMigrationsConcurrent(t *testing.T) {
	dsn := freshSchema(t)
	const opens = 4
	var wg sync.WaitGroup
	errs := make([]error, opens)
	for i := range opens {
		wg.Go(func() {
			db, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				err = db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
	db := open(t, dsn) // and once more, on a migrated schema
	a := &newsmon.Article{URL: "https://example.org/a", Title: "Open twice", Text: "Still works.", IsArticle: true}
	if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if n != len(files) || n == 0 {
		t.Errorf("%d migrations recorded, want %d", n, len(files))
	}
}

// Delivery workers in two processes (two pools) never get one delivery
// both.
func TestPostgresPendingDeliveriesTwoPools(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	dbs := []*postgres.DB{open(t, dsn), open(t, dsn)}
	rule := newsmon.AlertRule{Name: "health", On: newsmon.AlertSourceHealth, Webhook: "http://127.0.0.1:9/h",
		Email: []string{"desk@example.org"}}
	for _, db := range dbs {
		if err := db.SetAlertRules([]newsmon.AlertRule{rule}); err != nil {
			t.Fatal(err)
		}
	}
	const alerts = 60
	for i := range alerts {
		if err := dbs[i%2].RaiseAlert(ctx, &newsmon.Alert{ID: fmt.Sprintf("h-%d", i), Rule: rule.Name,
			Source: fmt.Sprintf("s%d", i), Problem: "down"}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().Add(time.Second)
	const workers = 6
	got := make([][]string, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				ds, err := dbs[w%2].PendingDeliveries(ctx, now, 4)
				if err != nil || len(ds) == 0 {
					errs[w] = err
					return
				}
				for _, d := range ds {
					got[w] = append(got[w], d.AlertID+"/"+d.Channel)
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		for _, k := range got[w] {
			seen[k]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("%s handed out %d times", k, n)
		}
	}
	if len(seen) != 2*alerts {
		t.Errorf("%d deliveries handed out, want %d", len(seen), 2*alerts)
	}
}

// Malformed queries are EINVALID with the SQLite store's very messages.
func TestPostgresMalformedQueryLikeSQLite(t *testing.T) {
	db := open(t, freshSchema(t))
	lite, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	ctx := context.Background()
	for _, q := range []string{`"Middle Corridor`, `(Aktau OR BTC`, `Aktau OR BTC)`, `Aktau ()`, `OR Aktau`,
		`Aktau OR`, `NOT gas`, `-gas -oil`, `a OR -b`, `NOT NOT a`, `""`, `"--"`, `*`, `a*`, `((((((((((((((((((a))))))))))))))))))`,
		strings.Repeat("word ", 70), strings.Repeat("x", 1001), `—`} {
		_, perr := db.SearchArticles(ctx, newsmon.SearchFilter{Query: q})
		_, serr := lite.SearchArticles(ctx, newsmon.SearchFilter{Query: q})
		if newsmon.ErrorCode(perr) != newsmon.EINVALID {
			t.Errorf("%.40q: %v, want EINVALID", q, perr)
		}
		if newsmon.ErrorMessage(perr) != newsmon.ErrorMessage(serr) {
			t.Errorf("%.40q: message %q, SQLite says %q", q, newsmon.ErrorMessage(perr), newsmon.ErrorMessage(serr))
		}
	}
}

// Searches are language-aware: stemmed in English and Russian, diacritics
// ignored everywhere.
func TestPostgresSearchLanguages(t *testing.T) {
	db := open(t, freshSchema(t))
	ctx := context.Background()
	arts := map[string]*newsmon.Article{
		"en": {URL: "https://e.example/1", Language: "en", IsArticle: true, Title: "Corridors of trade",
			Text: "New railway corridors were opened across the steppe."},
		"ru": {URL: "https://e.example/2", Language: "ru", IsArticle: true, Title: "Транспорт",
			Text: "Грузы идут по Среднему коридору через Каспий."},
		"tr": {URL: "https://e.example/3", Language: "tr", IsArticle: true, Title: "Türkiye",
			Text: "Türkiye ve Azerbaycan anlaştı.\x00"},
	}
	for _, a := range arts {
		if _, err := db.SaveArticle(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"corridor", []string{"en"}},
		{"railways", []string{"en"}},
		{"коридор", []string{"ru"}},
		{"коридора", []string{"ru"}},
		{"turkiye", []string{"tr"}},
		{"TÜRKİYE OR Turkiye", []string{"tr"}},
		{`"railway corridor"`, []string{"en"}},
		{"the", nil}, // a stop word alone finds no English article
	}
	for _, tt := range tests {
		res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: tt.query})
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		var got []string
		for _, r := range res.Results {
			for k, a := range arts {
				if a.ID == r.ID {
					got = append(got, k)
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q finds %v, want %v", tt.query, got, tt.want)
		}
	}
	got, err := db.FindArticleByID(ctx, arts["tr"].ID)
	if err != nil || got.Text != "Türkiye ve Azerbaycan anlaştı." {
		t.Errorf("stored text %q, %v; want it without the NUL", got.Text, err)
	}
}

// Locks hold across connections (processes) until unlocked or until their
// holder's session ends.
func TestPostgresLocker(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	a, b := open(t, dsn), open(t, dsn)
	name := "crawl:" + dsn // unique to this test: advisory locks are per database
	unlockA, ok, err := a.TryLock(ctx, name, time.Minute)
	if err != nil || !ok {
		t.Fatalf("first lock: %v, %v", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, name, time.Minute); err != nil || ok {
		t.Errorf("second process took a held lock: %v, %v", ok, err)
	}
	if _, ok, err := a.TryLock(ctx, name, time.Minute); err != nil || ok {
		t.Errorf("the holder took its lock twice: %v, %v", ok, err)
	}
	unlockB2, ok, err := b.TryLock(ctx, name+":other", time.Minute)
	if err != nil || !ok {
		t.Errorf("another name: %v, %v", ok, err)
	}
	unlockB2()
	unlockA()
	unlockA() // twice is harmless
	unlockB, ok, err := b.TryLock(ctx, name, time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock after unlock: %v, %v", ok, err)
	}
	if _, ok, _ := a.TryLock(ctx, name, time.Minute); ok {
		t.Errorf("a took the lock b holds")
	}
	// b's process dies: its session ends and the lock is free.
	b.Close()
	unlockB() // after close: does nothing
	if _, ok, err := a.TryLock(ctx, name, time.Minute); err != nil || !ok {
		t.Errorf("lock of a closed store not freed: %v, %v", ok, err)
	}
}

// A TryLock whose context is done fails alone: the other locks the
// process holds on the same connection stay held.
func TestPostgresLockerCancelledTryLockKeepsOtherLocks(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	a, b := open(t, dsn), open(t, dsn)
	name := "crawl:" + dsn
	unlock, ok, err := a.TryLock(ctx, name, time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock: %v, %v", ok, err)
	}
	defer unlock()
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok, err := a.TryLock(done, name+":other", time.Minute); err == nil || ok {
		t.Errorf("a TryLock with a cancelled context: %v, %v", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, name, time.Minute); err != nil || ok {
		t.Errorf("another process took a lock still held after a cancelled TryLock: %v, %v", ok, err)
	}
	if _, ok, err := a.TryLock(ctx, name+":third", time.Minute); err != nil || !ok {
		t.Errorf("the lock connection after a cancelled TryLock: %v, %v", ok, err)
	}
}

// The lock connection asks the server for keepalives, so that the locks of
// a machine that lost power or its network are freed within a minute, not
// the two hours of the default keepalives.
func TestPostgresLockConnectionKeepalives(t *testing.T) {
	dsn := freshSchema(t)
	if !strings.Contains(dsn, "127.0.0.1") && !strings.Contains(dsn, "localhost") {
		t.Skip("keepalives apply to TCP connections; the test DSN may name a socket")
	}
	ctx := context.Background()
	db := open(t, dsn)
	unlock, ok, err := db.TryLock(ctx, "keepalive:"+dsn, time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock: %v, %v", ok, err)
	}
	defer unlock()
	if idle, err := postgres.LockConnSetting(ctx, db, "tcp_keepalives_idle"); err != nil || idle != "30s" && idle != "30" {
		t.Errorf("tcp_keepalives_idle of the lock connection: %q, %v; want 30s", idle, err)
	}
}

// Outlets' reports of one signing saved at once by two processes still
// make one event and one alert.
func TestPostgresConcurrentEventClustering(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	dbs := []*postgres.DB{open(t, dsn), open(t, dsn)}
	rule := newsmon.AlertRule{Name: "signings", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/h"}
	for _, db := range dbs {
		if err := db.SetAlertRules([]newsmon.AlertRule{rule}); err != nil {
			t.Fatal(err)
		}
	}
	const reports = 12
	published := time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make([]error, reports)
	for i := range reports {
		wg.Go(func() {
			u := fmt.Sprintf("https://outlet%d.example/memo", i)
			a := &newsmon.Article{Source: fmt.Sprintf("outlet%d", i), URL: u, Language: "en", IsArticle: true,
				Title: "Memorandum", Text: fmt.Sprintf("Report %d of the signing.", i), Published: &published,
				Agreements: []newsmon.Agreement{{Instrument: []string{"memorandum", "agreement"}[i%2], Status: newsmon.StatusSigned,
					Parties: []string{"Azerbaijan", "Uzbekistan"}, Sentence: "Azerbaijan and Uzbekistan signed a memorandum."}}}
			_, errs[i] = dbs[i%2].SaveArticle(ctx, a, nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("report %d: %v", i, err)
		}
	}
	events, err := dbs[0].FindAgreementEvents(ctx, newsmon.AgreementFilter{})
	if err != nil || len(events) != 1 || len(events[0].Reports) != reports {
		t.Fatalf("events %+v, %v; want one with %d reports", events, err, reports)
	}
	alerts, err := dbs[1].FindAlerts(ctx, newsmon.AlertFilter{})
	if err != nil || len(alerts) != 1 || alerts[0].Version != reports || len(alerts[0].Articles) != reports {
		t.Errorf("alerts %+v, %v; want one of version %d", alerts, err, reports)
	}
	if ds, err := dbs[0].PendingDeliveries(ctx, time.Now().Add(time.Second), 100); err != nil || len(ds) != 1 {
		t.Errorf("deliveries %+v, %v; want one", ds, err)
	}
}

// No query a user can type makes the database fail: it is found, or
// EINVALID.
func TestPostgresHostileQueries(t *testing.T) {
	db := open(t, freshSchema(t))
	ctx := context.Background()
	a := &newsmon.Article{URL: "https://h.example/1", Language: "en", IsArticle: true, Title: "Pipes & tubes",
		Text: `Quotes ' and \ backslashes, colons: and pipes | in text.`}
	if _, err := db.SaveArticle(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`a\b*`, `'*`, `ab'cd*`, `"a:* | b"`, `!!x`, `a<->b`, `\*`, `x:*`, `(a|b)`,
		`'pipes':*`, `"pipes & tubes"*`, `colons:*`, `&`, `|`, `!`, `<->`, `''`, "a\x00b", "\xff\xfe",
		`pipes:A`, `pipes:*A`, `1.5*`, `http://h.example/1*`, `a@b.c*`, `the*`, "\uE000x*"} {
		_, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: q})
		if err != nil && newsmon.ErrorCode(err) != newsmon.EINVALID {
			t.Errorf("%q: %v", q, err)
		}
	}
	for q, want := range map[string]bool{`'pipes':*`: true, `colons:*`: true, `pipes:B`: false, `backslash*`: true, `"pipes & tubes"`: true} {
		res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: q})
		if err != nil || (res.Total == 1) != want {
			t.Errorf("%q: %v, %v; want found %v", q, res, err, want)
		}
	}
}
