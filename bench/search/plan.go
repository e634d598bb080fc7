package main

import (
	"cmp"
	"context"
	"database/sql"
	"math"
	"slices"
	"strconv"
	"strings"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/sqlite"
)

// plan runs the bare SQL of what SearchArticles runs for a filter.
type plan func(ctx context.Context, db *sql.DB) error

// filterSQL is the WHERE conditions of a filter's parts other than the
// query, as store/sqlite writes them: id is the article ID's expression,
// a the articles table; join says whether conditions need a.
func filterSQL(f newsmon.SearchFilter, id string) (where []string, args []any, join bool) {
	if f.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = "+id+" AND t.topic = ?)")
		args = append(args, f.Topic)
	}
	if f.Party != "" {
		where = append(where, "EXISTS (SELECT 1 FROM agreements g WHERE g.article_id = "+id+" AND instr(g.party_key, ?) > 0)")
		args = append(args, "\x1e"+strings.ToLower(strings.TrimSpace(f.Party))+"\x1e")
	}
	n := len(where)
	if f.Source != "" {
		where = append(where, "a.source = ?")
		args = append(args, f.Source)
	}
	if len(f.Sources) > 0 {
		where = append(where, "a.source IN (?"+strings.Repeat(", ?", len(f.Sources)-1)+")")
		for _, s := range f.Sources {
			args = append(args, s)
		}
	}
	if f.Language != "" {
		where = append(where, "a.language = ?")
		args = append(args, f.Language)
	}
	if f.Since != nil {
		where = append(where, "coalesce(a.published, a.first_seen) >= ?")
		args = append(args, f.Since.UnixMicro())
	}
	if f.Until != nil {
		where = append(where, "coalesce(a.published, a.first_seen) <= ?")
		args = append(args, f.Until.UnixMicro())
	}
	return where, args, len(where) > n
}

// bm25Baseline is a plain FTS5 bm25() top 20 of the filter's match
// expression, joined with articles for the filters when there are any;
// ok is false for a blank query, which has nothing to rank.
func bm25Baseline(f newsmon.SearchFilter) (string, []any, bool) {
	expr, err := sqlite.MatchExpression(f.Query)
	if err != nil || expr == "" {
		return "", nil, false
	}
	where, args, join := filterSQL(f, "a.id")
	q := `SELECT articles_fts.rowid, bm25(articles_fts, 10.0, 1.0) AS score FROM articles_fts`
	if len(where) > 0 || join {
		q += ` JOIN articles a ON a.id = articles_fts.rowid`
	}
	q += ` WHERE articles_fts MATCH ?`
	for _, w := range where {
		q += " AND " + w
	}
	q += ` ORDER BY score LIMIT 20 OFFSET ?`
	return q, append(append([]any{expr}, args...), f.Offset), true
}

// rankWindow is store/sqlite's.
const rankWindow = 500

// samePlan returns the statements SearchArticles runs for f, bare: the
// same SQL (store/sqlite/search.go; keep the two in step) in the same
// order, one read transaction, with nothing done in Go but passing the
// IDs one statement needs from another and picking the page. It covers
// pages within the first two windows.
func samePlan(f newsmon.SearchFilter) (plan, error) {
	expr, err := sqlite.MatchExpression(f.Query)
	if err != nil {
		return nil, err
	}
	conds, args, join := filterSQL(f, "a.id")
	limit := 20
	return func(ctx context.Context, db *sql.DB) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		conds, args, join := conds, args, join
		if expr != "" {
			// queryConds
			conds, args, join = nil, nil, false
			if f.Topic != "" {
				conds = append(conds, "+articles_fts.rowid IN (SELECT article_id FROM article_topics WHERE topic = ?)")
				args = append(args, f.Topic)
			}
			if f.Party != "" {
				conds = append(conds, "+articles_fts.rowid IN (SELECT article_id FROM agreements WHERE instr(party_key, ?) > 0)")
				args = append(args, "\x1e"+strings.ToLower(strings.TrimSpace(f.Party))+"\x1e")
			}
			cols, colArgs, needed := filterSQL(newsmon.SearchFilter{Source: f.Source, Sources: f.Sources,
				Language: f.Language, Since: f.Since, Until: f.Until}, "a.id")
			if needed {
				sub := "SELECT a.id FROM articles a WHERE " + strings.Join(cols, " AND ")
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ("+sub+" LIMIT ?)",
					append(slices.Clip(colArgs), 40000)...).Scan(&n); err != nil {
					return err
				}
				if n < 40000 {
					conds = append(conds, "+articles_fts.rowid IN ("+sub+")")
				} else {
					conds = append(conds, cols...)
					join = true
				}
				args = append(args, colArgs...)
			}
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if expr != "" && (f.Since != nil || f.Until != nil) {
			dates, dateArgs, _ := filterSQL(newsmon.SearchFilter{Since: f.Since, Until: f.Until}, "a.id")
			var l, h sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT min(a.id), max(a.id) FROM articles a WHERE `+
				strings.Join(dates, " AND "), dateArgs...).Scan(&l, &h); err != nil || !l.Valid {
				return err
			}
			lo, hi = l.Int64, h.Int64
			conds = append(slices.Clip(conds), "articles_fts.rowid BETWEEN ? AND ?")
			args = append(slices.Clip(args), lo, hi)
		}
		where := func(prefix string) string {
			all := conds
			if prefix != "" {
				all = append([]string{prefix}, conds...)
			}
			if len(all) == 0 {
				return ""
			}
			return " WHERE " + strings.Join(all, " AND ")
		}
		type row struct {
			id    int64
			score float64
			date  int64
		}
		window := func(w, n int) ([]row, error) {
			var q string
			wargs := append([]any(nil), args...)
			if expr != "" {
				from := "articles_fts"
				if join {
					from += " CROSS JOIN articles a INDEXED BY articles_keys ON a.id = articles_fts.rowid"
				}
				q = `SELECT articles_fts.rowid, bm25(articles_fts, 10, 1.0), 0
					FROM ` + from + where("articles_fts MATCH ?") + ` ORDER BY articles_fts.rowid DESC LIMIT ? OFFSET ?`
				wargs = append([]any{expr}, wargs...)
			} else {
				q = `SELECT a.id, 0.0, coalesce(a.published, a.first_seen)
					FROM articles a` + where("") + `
					ORDER BY coalesce(a.published, a.first_seen) DESC, a.id DESC LIMIT ? OFFSET ?`
			}
			rows, err := tx.QueryContext(ctx, q, append(wargs, n*rankWindow, w*rankWindow)...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.score, &r.date); err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			return out, rows.Err()
		}
		n := 1
		if expr != "" && (f.Offset+limit-1)/rankWindow == 1 {
			n = 2
		}
		first, err := window(0, n)
		if err != nil || len(first) == 0 {
			return err
		}
		var second []row
		if n == 2 {
			second = first[min(len(first), rankWindow):]
			first = first[:min(len(first), rankWindow)]
		}
		ids := make([]string, len(first))
		for i, r := range first {
			ids[i] = strconv.FormatInt(r.id, 10)
		}
		fq := `SELECT 'topic', topic, count(*) FROM article_topics
			WHERE article_id IN (SELECT value FROM json_each(?1)) GROUP BY topic
		UNION ALL SELECT 'source', source, count(*) FROM articles INDEXED BY articles_keys
			WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY source
		UNION ALL SELECT 'lang', language, count(*) FROM articles INDEXED BY articles_keys
			WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY language`
		if err := runSQL(ctx, tx, fq, []any{"[" + strings.Join(ids, ",") + "]"}); err != nil {
			return err
		}
		if len(first) == rankWindow {
			last := first[len(first)-1]
			dates, dateArgs, _ := filterSQL(newsmon.SearchFilter{Since: f.Since, Until: f.Until}, "a.id")
			if expr != "" {
				if len(conds) == 0 {
					if err := runSQL(ctx, tx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?`, []any{expr}); err != nil {
						return err
					}
				} else {
					if hi == math.MaxInt64 {
						if err := runSQL(ctx, tx, `SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)`, nil); err != nil {
							return err
						}
					}
					var all, scanned int
					var oldest int64
					if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(rowid), 0), coalesce(sum(rowid >= ?), 0)
						FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?
						ORDER BY rowid DESC LIMIT 20000)`, last.id, expr, lo, hi).Scan(&all, &oldest, &scanned); err != nil {
						return err
					}
					if all == 20000 && scanned == 20000 {
						if err := runSQL(ctx, tx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?`,
							[]any{expr, last.id, hi}); err != nil {
							return err
						}
					}
				}
			} else {
				w := ""
				if len(dates) > 0 {
					w = " WHERE " + strings.Join(dates, " AND ")
				}
				if err := runSQL(ctx, tx, `SELECT count(*) FROM articles a`+w, dateArgs); err != nil {
					return err
				}
				if len(conds) > len(dates) {
					if err := runSQL(ctx, tx, `SELECT count(*) FROM articles a WHERE `+
						strings.Join(append(dates, "coalesce(a.published, a.first_seen) >= ?"), " AND "),
						append(dateArgs, last.date)); err != nil {
						return err
					}
				}
			}
		}
		var page []int64
		if expr != "" {
			ms := first
			if w := f.Offset / rankWindow; w == 1 && n == 2 {
				ms = second
			} else if w > 0 {
				if ms, err = window(w, 1); err != nil {
					return err
				}
			}
			slices.SortFunc(ms, func(a, b row) int { return cmp.Compare(a.score, b.score) })
			for i := f.Offset % rankWindow; i < len(ms) && len(page) < limit; i++ {
				page = append(page, ms[i].id)
			}
		} else {
			rows, err := tx.QueryContext(ctx, `SELECT a.id FROM articles a`+where("")+`
				ORDER BY coalesce(a.published, a.first_seen) DESC, a.id DESC LIMIT ? OFFSET ?`,
				append(append([]any(nil), args...), limit, f.Offset)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				page = append(page, id)
			}
			rows.Close()
		}
		if len(page) == 0 {
			return nil
		}
		in := "(?" + strings.Repeat(", ?", len(page)-1) + ")"
		pargs := make([]any, len(page))
		for i, id := range page {
			pargs[i] = id
		}
		if expr != "" {
			sq := `SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published,
				snippet(articles_fts, 1, char(2), char(3), char(30), 32)
				FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
				WHERE articles_fts MATCH ? AND `
			sargs := append([]any{expr}, pargs...)
			if strings.Contains(expr, `"*`) {
				sq += `articles_fts.rowid BETWEEN ? AND ? AND +articles_fts.rowid IN ` + in
				sargs = append([]any{expr, slices.Min(page), slices.Max(page)}, pargs...)
			} else {
				sq += `articles_fts.rowid IN ` + in
			}
			err = runSQL(ctx, tx, sq, sargs)
		} else {
			err = runSQL(ctx, tx, `SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published,
				CASE WHEN a.description != '' THEN substr(a.description, 1, 240) ELSE substr(a.text, 1, 240) END
				FROM articles a WHERE a.id IN `+in, pargs)
		}
		if err != nil {
			return err
		}
		return runSQL(ctx, tx, `SELECT article_id, topic FROM article_topics WHERE article_id IN `+in+
			` ORDER BY article_id, topic`, pargs)
	}, nil
}
