// Package sqlite is the embedded store of newsmon: a newsmon.Store kept in one
// SQLite file, with full-text search by SQLite's FTS5.
//
// It uses modernc.org/sqlite (SQLite compiled to pure Go, FTS5 included, no
// cgo) through database/sql. Two pools share the file: a writer with a single
// connection, so writes queue in Go instead of failing with SQLITE_BUSY, and
// a pool of read-only connections that WAL lets run beside the writer.
// Articles are written in batches, one transaction per batch (a group
// commit), with prepared statements; the FTS5 index (external content over
// the articles table) is written by the same transaction, for the whole
// batch at once just before the commit, rather than by triggers row by row:
// FTS5 writes a new index segment at every savepoint and SQLite opens one
// for each statement that fires a trigger, so per-row indexing cost a
// segment, and later merges, per article.
//
// The index uses the unicode61 tokenizer with remove_diacritics 2 and no
// stemmer: it folds case and diacritics in Latin, Cyrillic and Turkic
// letters alike, while FTS5's porter stemmer would apply English rules to
// every Latin-script word (Turkish, Azerbaijani, Kazakh in Latin) and does
// nothing for Russian. Users widen a word with a prefix (коридор*).
//
// Search (search.go) is built to answer in tens of milliseconds over
// hundreds of thousands of articles, whatever the query: ranking every
// match with bm25() costs a score per match (a word in 60% of 200,000
// articles: 120,000 scores, 200 ms), so SearchArticles ranks the matches
// in windows of the newest 500 (FTS5 walks its doclists by rowid, the
// order of storing, and stops at the window's end), and counts facets over
// that window, scaled and marked approximate when there are more matches.
// Filters become lists of article IDs that the full-text scan probes,
// built once per query from the small tables and indexes that hold them
// (topics, agreements, and the narrow articles_keys index of source,
// language and date), rather than lookups in the articles table, whose
// rows each fill pages of their own. DB.OptimizeIndex merges the index
// into one segment, which makes the lookups of single articles that
// snippets need ten times cheaper. bench/search measures all of it.
//
// The store is also the alert outbox (alert.go): agreement and search
// alerts are written by the transaction that saves the article raising
// them, search rules matched with FTS5 against the entries that transaction
// just wrote, and delivery workers claim due deliveries with a lease taken
// by one UPDATE ... RETURNING, so that two never send the same one at once.
//
// Hand-written here, because no library does it for SQLite the way we need:
// the migrations (embedded .sql files run in order, each in its own
// transaction, recorded by name; internal/storeutil lists them for both
// stores), the group commit with its fallback when one article of a batch
// fails (article.go), the translation of the user query language (parsed
// by newsmon.ParseQuery) into a safe FTS5 expression (query.go), the HTML
// snippets built from FTS5's snippet() with sentinel characters and
// escaped in Go (search.go, with internal/storeutil), and the outbox,
// whose exactly-once rests on sharing the articles' transactions.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// readerCache is the page cache of each read connection, in bytes.
const readerCache = 32 << 20

// busyTimeout is how long a connection waits for a lock held by another
// process (a second newsmon on the same file) before giving up.
const busyTimeout = 10 * time.Second

var _ newsmon.Store = (*DB)(nil)

// DB is a newsmon.Store in an SQLite file. It is safe for concurrent use.
// Close it when done; Close closes every connection it opened.
type DB struct {
	path   string
	writer *sql.DB // one connection: every write goes through it
	reader *sql.DB // read-only connections for searches and lookups

	stmts writeStatements

	// alertRules are the rules saves raise alerts for (alert.go).
	alertRules alertRules

	closeOnce sync.Once
	closeErr  error

	// now is the clock; tests replace it.
	now func() time.Time
}

// Open opens (creating if needed) the SQLite store at path, runs the embedded
// migrations in order (each in its own transaction, recorded by name in the
// schema_migrations table), and turns on WAL, foreign keys, a busy timeout,
// synchronous=NORMAL and immediate write transactions.
//
// Open fails when the file was written by a newer newsmon (it holds a
// migration this binary does not know).
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, newsmon.Errorf(newsmon.EINVALID, "store path is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	fileURI := (&url.URL{Scheme: "file", Path: abs, OmitHost: true}).String()
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", busyTimeout.Milliseconds())

	writer, err := sql.Open("sqlite", fileURI+"?"+pragmas+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)

	db := &DB{path: path, writer: writer, now: time.Now}
	if err := db.migrateRetrying(context.Background()); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}

	// The readers open after the writer has switched the file to WAL, which
	// is persistent; query_only makes a stray write through them an error.
	// They keep a larger page cache (readerCache) than SQLite's 2 MB: a
	// search looks up thousands of rows in the index, the topics and the
	// agreements, and reading each page with a system call was 45% of a
	// filtered search's time. (Mapping the file into memory instead did
	// not help with modernc.org/sqlite.)
	reader, err := sql.Open("sqlite", fileURI+"?"+pragmas+"&_pragma=query_only(1)"+
		fmt.Sprintf("&_pragma=cache_size(%d)", -readerCache/1024))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	db.reader = reader

	if err := db.stmts.prepare(writer); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// Close closes the prepared statements and every connection. It runs
// PRAGMA optimize first, which keeps the query planner's statistics fresh.
// Calling Close again returns the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	var errs []error
	if db.writer != nil {
		if _, err := db.writer.Exec("PRAGMA optimize"); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, db.stmts.close())
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// migrations returns the embedded migrations in the order they run.
func migrations() ([]storeutil.Migration, error) {
	return storeutil.Migrations(migrationFiles, "migrations")
}

// migrate runs the migrations the file has not seen yet, each in its own
// immediate transaction, so two processes opening a new file at once apply
// each migration once.
// migrateRetrying migrates, trying again while the file is busy. When
// several processes open a new file at once, SQLite answers some of them
// SQLITE_BUSY at once, without waiting busy_timeout (the switch of a new
// file to WAL and the first writes race); every migration is idempotent
// and recorded, so trying again is safe.
func (db *DB) migrateRetrying(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.migrate(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	return strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked")
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	// In a transaction of its own: the writer's transactions begin
	// IMMEDIATE, so a process that opens a new store while another
	// creates it waits (busy_timeout) for the write lock. Run alone, the
	// statement would start as a read and fail at once with SQLITE_BUSY
	// when it must turn into a write under the other's lock.
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}

	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	pending, err := storeutil.PendingMigrations(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[string]bool, error) {
	rows, err := db.writer.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := make(map[string]bool)
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[name] = true
	}
	return applied, rows.Err()
}

func (db *DB) applyMigration(ctx context.Context, m storeutil.Migration) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have applied it while we were reading.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, m.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		m.Name, toMicros(db.now())); err != nil {
		return err
	}
	return tx.Commit()
}

// toMicros is how times are stored: microseconds since the epoch, UTC.
func toMicros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros stores an optional time.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toMicros(*t), Valid: true}
}

// timePtr reads an optional stored time back.
func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// OptimizeIndex merges the segments of the full-text index into one
// (FTS5's optimize). FTS5 adds a segment per batch of writes and merges
// them by levels, so an index written by crawls holds a few dozen; every
// query opens a cursor on each, and a search that looks up single
// articles in the index (snippets, a phrase's positions) seeks in each:
// over 200,000 articles, snippets for a page of 20 take 12 ms with 20
// segments and 1 ms with one (bench/search). It rewrites the whole
// index, about a third of the file (20 s for 200,000 articles), as
// one write transaction that readers do not wait for; run it when the
// store is quiet, e.g. nightly.
func (db *DB) OptimizeIndex(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("optimize index: %w", err)
	}
	return nil
}
