package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// Bounds of what a run record keeps: the table is written by every run of
// every source for months, so each row and each source's history is capped.
const (
	runsKept          = 500 // runs kept per source; StartRun forgets older ones
	maxRunsFound      = 1000
	defaultRunsFound  = 100
	maxRunText        = storeutil.MaxRunText // bytes of Cut and LastError kept
	maxRunErrorKinds  = storeutil.MaxRunErrorKinds
	maxErrorKindBytes = storeutil.MaxErrorKindBytes
)

// StartRun records the start of a run of r.Source (see newsmon.Store). In
// one transaction it marks the source's runs still recorded as running as
// interrupted, inserts r and forgets the source's runs beyond the newest
// runsKept.
func (db *DB) StartRun(ctx context.Context, r *newsmon.Run) error {
	if r == nil || r.Source == "" {
		return newsmon.Errorf(newsmon.EINVALID, "start run: no source")
	}
	if r.Started.IsZero() {
		r.Started = db.now()
	}
	r.Started = r.Started.UTC().Truncate(time.Microsecond)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ? WHERE source = ? AND status = ?`,
		newsmon.RunInterrupted, r.Source, newsmon.RunRunning); err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (source, started, status) VALUES (?, ?, ?)`,
		r.Source, toMicros(r.Started), newsmon.RunRunning)
	if err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	if err := pruneRuns(ctx, tx, r.Source, runsKept); err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	r.ID, r.Status = id, newsmon.RunRunning
	return nil
}

// pruneRuns deletes the runs of source beyond the newest keep.
func pruneRuns(ctx context.Context, tx *sql.Tx, source string, keep int) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE source = ? AND id NOT IN
		(SELECT id FROM runs WHERE source = ? ORDER BY started DESC, id DESC LIMIT ?)`, source, source, keep)
	return err
}

// FinishRun records the end of run r.ID (see newsmon.Store).
func (db *DB) FinishRun(ctx context.Context, r *newsmon.Run) error {
	if err := storeutil.CheckFinishRun(r); err != nil {
		return err
	}
	if r.Finished.IsZero() {
		r.Finished = db.now()
	}
	r.Finished = r.Finished.UTC().Truncate(time.Microsecond)
	kinds, err := json.Marshal(storeutil.BoundKinds(r.ErrorKinds, nil))
	if err != nil {
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	}
	res, err := db.writer.ExecContext(ctx, `UPDATE runs SET finished = ?, status = ?, cut = ?,
		requests = ?, discovered = ?, queued = ?, new = ?, updated = ?, unchanged = ?, aliases = ?,
		skipped = ?, not_article = ?, errors = ?, error_kinds = ?, last_error = ? WHERE id = ?`,
		toMicros(r.Finished), r.Status, storeutil.Clip(r.Cut, maxRunText),
		r.Requests, r.Discovered, r.Queued, r.New, r.Updated, r.Unchanged, r.Aliases,
		r.Skipped, r.NotArticle, r.Errors, string(kinds), storeutil.Clip(r.LastError, maxRunText), r.ID)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	} else if n == 0 {
		return newsmon.Errorf(newsmon.ENOTFOUND, "finish run %d: no such run", r.ID)
	}
	return nil
}

// FindRuns returns runs, the most recently started first: at most f.Limit
// (100 when 0, never more than 1000).
func (db *DB) FindRuns(ctx context.Context, f newsmon.RunFilter) ([]newsmon.Run, error) {
	limit := f.Limit
	switch {
	case limit < 0:
		return nil, newsmon.Errorf(newsmon.EINVALID, "find runs: negative limit %d", limit)
	case limit == 0:
		limit = defaultRunsFound
	case limit > maxRunsFound:
		limit = maxRunsFound
	}
	query := `SELECT id, source, started, finished, status, cut, requests, discovered, queued,
		new, updated, unchanged, aliases, skipped, not_article, errors, error_kinds, last_error FROM runs`
	var args []any
	if f.Source != "" {
		query += ` WHERE source = ?`
		args = append(args, f.Source)
	}
	query += ` ORDER BY started DESC, id DESC LIMIT ?`
	args = append(args, limit)
	var runs []newsmon.Run
	err := queryEach(ctx, db.reader, query, args, func(rows *sql.Rows) error {
		var (
			r        newsmon.Run
			started  int64
			finished sql.NullInt64
			kinds    string
		)
		if err := rows.Scan(&r.ID, &r.Source, &started, &finished, &r.Status, &r.Cut,
			&r.Requests, &r.Discovered, &r.Queued, &r.New, &r.Updated, &r.Unchanged, &r.Aliases,
			&r.Skipped, &r.NotArticle, &r.Errors, &kinds, &r.LastError); err != nil {
			return err
		}
		r.Started = fromMicros(started)
		if finished.Valid {
			r.Finished = fromMicros(finished.Int64)
		}
		if kinds != "" && kinds != "{}" {
			if err := json.Unmarshal([]byte(kinds), &r.ErrorKinds); err != nil {
				return fmt.Errorf("run %d: error kinds: %w", r.ID, err)
			}
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find runs: %w", err)
	}
	return runs, nil
}
