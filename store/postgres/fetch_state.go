package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
)

// maxURLsPerQuery bounds the array of one FindFetchStates query.
const maxURLsPerQuery = 5000

// FindFetchStates returns the known states of the given URLs, keyed by
// URL; URLs never seen are absent.
func (db *DB) FindFetchStates(ctx context.Context, urls []string) (map[string]*newsmon.FetchState, error) {
	states := make(map[string]*newsmon.FetchState, len(urls))
	for chunk := range slices.Chunk(urls, maxURLsPerQuery) {
		err := queryEach(ctx, db.pool, `SELECT url, etag, last_modified, lastmod, status,
			content_hash, fetched_at, article_id FROM fetch_state WHERE url = ANY($1)`,
			[]any{cleanAll(chunk)}, func(rows pgx.Rows) error {
				var (
					st        newsmon.FetchState
					articleID *int64
				)
				if err := rows.Scan(&st.URL, &st.ETag, &st.LastModified, &st.Lastmod, &st.Status,
					&st.ContentHash, &st.FetchedAt, &articleID); err != nil {
					return err
				}
				st.Lastmod = utc(st.Lastmod)
				st.FetchedAt = st.FetchedAt.UTC()
				if articleID != nil {
					st.ArticleID = *articleID
				}
				states[st.URL] = &st
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("find fetch states: %w", err)
		}
	}
	return states, nil
}

// SaveFetchState records the state of a URL, replacing what was known
// about it. A zero FetchedAt is set to now. An ArticleID that names no
// article is an error.
func (db *DB) SaveFetchState(ctx context.Context, st *newsmon.FetchState) error {
	if st == nil || st.URL == "" {
		return newsmon.Errorf(newsmon.EINVALID, "save fetch state: no URL")
	}
	if err := saveFetchState(ctx, db.pool, st, db.now()); err != nil {
		return fmt.Errorf("save fetch state %s: %w", st.URL, err)
	}
	return nil
}

// saveFetchState writes st through q; a zero st.FetchedAt is set to now.
func saveFetchState(ctx context.Context, q querier, st *newsmon.FetchState, now time.Time) error {
	if st.URL == "" {
		return newsmon.Errorf(newsmon.EINVALID, "fetch state without a URL")
	}
	if len(st.URL) > maxURLBytes {
		return newsmon.Errorf(newsmon.EINVALID, "fetch state: a URL over %d bytes", maxURLBytes)
	}
	if st.FetchedAt.IsZero() {
		st.FetchedAt = now.UTC().Truncate(time.Microsecond)
	}
	var articleID *int64
	if st.ArticleID != 0 {
		articleID = &st.ArticleID
	}
	if _, err := q.Exec(ctx, `INSERT INTO fetch_state (url, etag, last_modified, lastmod, status,
		content_hash, fetched_at, article_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
		last_modified = excluded.last_modified, lastmod = excluded.lastmod,
		status = excluded.status, content_hash = excluded.content_hash,
		fetched_at = excluded.fetched_at, article_id = excluded.article_id`,
		clean(st.URL), clean(st.ETag), clean(st.LastModified), utc(st.Lastmod), st.Status,
		clean(st.ContentHash), st.FetchedAt.UTC().Truncate(time.Microsecond), articleID); err != nil {
		return fmt.Errorf("fetch state: %w", err)
	}
	return nil
}
