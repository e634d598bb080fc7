// Package postgres is the scale-out store of newsmon: a newsmon.Store (and
// a newsmon.Locker) kept in a PostgreSQL database, for deployments where
// several crawler, web and delivery processes on several machines share
// one store.
//
// It uses github.com/jackc/pgx/v5 directly rather than through
// database/sql: its pool (pgxpool) hands out connections we can hold for a
// session-level advisory lock, it encodes Go values (times, arrays, nil
// pointers) to PostgreSQL types without glue, and its extended protocol
// keeps every user value a parameter. The schema is made by embedded .sql
// migrations run in order at Open, each in its own transaction, recorded
// by name, under an advisory lock, so several processes may open a new
// database at once.
//
// # Search
//
// Each article carries a tsvector column, generated from its title
// (weight A) and the first 100,000 characters of its text (weight B) with
// the text search configuration of its language: newsmon_english for en,
// newsmon_russian for ru, newsmon_simple otherwise. The three are copies of
// PostgreSQL's english, russian and simple configurations with the unaccent
// dictionary in front, so Türkiye finds turkiye as in the SQLite store. A
// GIN index serves the matches; ranking is ts_rank_cd with a title word
// worth ten in the text (the SQLite store's bm25 weights), divided by the
// log of the document's length; snippets come from ts_headline.
//
// The user query language is the SQLite store's: both parse it with
// newsmon.ParseQuery, so they accept and reject the same queries with the
// same EINVALID messages, and compile the tree each its own way (here in
// query.go). websearch_to_tsquery does not fit it: it knows neither
// parentheses nor prefixes, and it reads operators in lower case. So the parsed query is compiled into a tsquery
// built by PostgreSQL from parameters: each word or phrase is
// phraseto_tsquery(config, $n) of the user's text, a prefix to_tsquery of
// the term split into letters and digits here (so nothing else can reach
// the tsquery syntax) with :* on its last word, and the tree is joined
// with &&, || and !!. The query is compiled once per configuration and
// each article is matched by the one its own text was indexed with, so a
// query finds articles in every language, stemmed and with stop words
// dropped as each language does.
//
// Known differences from the SQLite store: words are stemmed in English
// and Russian articles (corridors finds corridor, коридора finds
// коридор), so a search finds more there; a stop word (the, of, и) alone
// finds no English or Russian article; a prefix is stemmed too, so a
// prefix longer than the stem of a word (runn* against running, stem run)
// misses it; text past the first 100,000 characters is not searched;
// word positions beyond 16,383 are merged, so phrases far into a very long
// text may match loosely; NUL characters and broken UTF-8 are dropped from
// stored text, which PostgreSQL cannot hold; and URLs are limited to
// maxURLBytes, beyond what a btree index accepts.
//
// The store is also the alert outbox: alerts are raised inside the
// transaction that saves the article, as in the SQLite store, and delivery
// workers in any number of processes claim due deliveries with
// FOR UPDATE SKIP LOCKED and a lease, so no delivery is handed to two at
// once. Concurrent saves of one story serialize on its row; saves that
// cluster agreement events serialize on an advisory lock per instrument
// class, so two outlets' reports saved at once still join one event.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

var (
	_ newsmon.Store  = (*DB)(nil)
	_ newsmon.Locker = (*DB)(nil)
)

// migrationLock is the advisory lock key held while migrating: one for the
// whole database, so that opens in different schemas queue too (they may
// both create the unaccent extension).
const migrationLock int64 = 0x6e65_7773_6d6f_6e01 // "newsmon" 1

// DB is a newsmon.Store and newsmon.Locker in a PostgreSQL database. It is
// safe for concurrent use. Close it when done.
type DB struct {
	pool   *pgxpool.Pool
	config *pgx.ConnConfig // for the lock connection

	alertRules alertRules
	locks      locker

	closeOnce sync.Once

	// now is the clock; tests replace it.
	now func() time.Time
}

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or a
// key=value string; unknown keys such as search_path are sent as run-time
// parameters), runs the embedded migrations it has not seen yet under an
// advisory lock, and returns the store.
//
// The database must use the UTF-8 encoding. The user needs to create
// tables, and the unaccent extension must exist or be creatable by it
// (it is a trusted extension: a user with CREATE on the database may);
// without it, searches do not ignore diacritics.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, newsmon.Errorf(newsmon.EINVALID, "store.dsn is empty")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The message of a parse error may repeat the DSN with its password.
		return nil, newsmon.Errorf(newsmon.EINVALID, "store.dsn: not a PostgreSQL connection string (postgres://user@host/db)")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{pool: pool, config: lockConnConfig(cfg.ConnConfig), now: time.Now}
	if err := db.checkServer(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return db, nil
}

// checkServer fails early when the database cannot hold what we store.
func (db *DB) checkServer(ctx context.Context) error {
	var encoding string
	if err := db.pool.QueryRow(ctx, `SHOW server_encoding`).Scan(&encoding); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if !strings.EqualFold(encoding, "UTF8") {
		return newsmon.Errorf(newsmon.EINVALID, "store.dsn: the database's encoding is %s; newsmon needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')", encoding)
	}
	return nil
}

// Close closes every connection, the lock connection included (which
// frees the locks it holds). Calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.locks.close()
		db.pool.Close()
	})
	return nil
}

// migrations returns the embedded migrations in the order they run.
func migrations() ([]storeutil.Migration, error) {
	return storeutil.Migrations(migrationFiles, "migrations")
}

// migrate applies the migrations the schema has not seen, each in its own
// transaction, holding the migration advisory lock on one connection so
// that processes opening the database at once apply each migration once.
func (db *DB) migrate(ctx context.Context) (err error) {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	defer func() {
		// A connection whose unlock failed must not go back to the pool
		// holding the lock.
		if _, uerr := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock); uerr != nil {
			conn.Conn().Close(context.Background())
			err = errors.Join(err, uerr)
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := make(map[string]bool, len(names))
	for _, n := range names {
		applied[n] = true
	}
	pending, err := storeutil.PendingMigrations(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range pending {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// The simple protocol runs the several statements of a file.
			if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// Limits of what PostgreSQL can index: a btree entry holds at most about
// 2,700 bytes, so longer URLs are refused rather than failing the write.
const maxURLBytes = 2000

// clean makes s storable: PostgreSQL text holds neither NUL characters nor
// broken UTF-8.
func clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "")
}

// cleanAll cleans every string of ss, returning a new slice.
func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// utc returns *t in UTC to the microsecond, nil for nil: what PostgreSQL
// keeps of a time.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for others.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable reports whether a transaction failed only because of another
// one (a deadlock or a serialization failure) and may simply be run again.
func retryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01":
		return true
	}
	return false
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// queryEach runs a query and calls scan for each row.
func queryEach(ctx context.Context, q querier, sql string, args []any, scan func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
