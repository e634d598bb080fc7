package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// Bounds of what a run record keeps, as in the SQLite store.
const (
	runsKept         = 500
	maxRunsFound     = 1000
	defaultRunsFound = 100
	maxRunText       = storeutil.MaxRunText
)

// StartRun records the start of a run of r.Source (see newsmon.Store): in
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
	started := r.Started.UTC().Truncate(time.Microsecond)
	source := clean(r.Source)
	var id int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE runs SET status = $1 WHERE source = $2 AND status = $3`,
			newsmon.RunInterrupted, source, newsmon.RunRunning); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO runs (source, started, status) VALUES ($1, $2, $3) RETURNING id`,
			source, started, newsmon.RunRunning).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM runs WHERE source = $1 AND id NOT IN
			(SELECT id FROM runs WHERE source = $1 ORDER BY started DESC, id DESC LIMIT $2)`, source, runsKept)
		return err
	})
	if err != nil {
		return fmt.Errorf("start run of %s: %w", r.Source, err)
	}
	r.ID, r.Status, r.Started = id, newsmon.RunRunning, started
	return nil
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
	kinds, err := json.Marshal(storeutil.BoundKinds(r.ErrorKinds, clean))
	if err != nil {
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	}
	tag, err := db.pool.Exec(ctx, `UPDATE runs SET finished = $1, status = $2, cut = $3,
		requests = $4, discovered = $5, queued = $6, new = $7, updated = $8, unchanged = $9, aliases = $10,
		skipped = $11, not_article = $12, errors = $13, error_kinds = $14, last_error = $15 WHERE id = $16`,
		r.Finished, r.Status, storeutil.Clip(clean(r.Cut), maxRunText),
		r.Requests, r.Discovered, r.Queued, r.New, r.Updated, r.Unchanged, r.Aliases,
		r.Skipped, r.NotArticle, r.Errors, clean(string(kinds)), storeutil.Clip(clean(r.LastError), maxRunText), r.ID)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	}
	if tag.RowsAffected() == 0 {
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
	var args sqlArgs
	query := `SELECT id, source, started, finished, status, cut, requests, discovered, queued,
		new, updated, unchanged, aliases, skipped, not_article, errors, error_kinds, last_error FROM runs`
	if f.Source != "" {
		query += ` WHERE source = ` + args.add(clean(f.Source))
	}
	query += ` ORDER BY started DESC, id DESC LIMIT ` + args.add(limit)
	var runs []newsmon.Run
	err := queryEach(ctx, db.pool, query, args.vals, func(rows pgx.Rows) error {
		var (
			r        newsmon.Run
			finished *time.Time
			kinds    string
		)
		if err := rows.Scan(&r.ID, &r.Source, &r.Started, &finished, &r.Status, &r.Cut,
			&r.Requests, &r.Discovered, &r.Queued, &r.New, &r.Updated, &r.Unchanged, &r.Aliases,
			&r.Skipped, &r.NotArticle, &r.Errors, &kinds, &r.LastError); err != nil {
			return err
		}
		r.Started = r.Started.UTC()
		if finished != nil {
			r.Finished = finished.UTC()
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
