package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// Search weights (the page limits are internal/storeutil's).
const (
	// rankWeights are ts_rank_cd's weights of D, C, B (text) and A
	// (title): a word in the title counts as much as ten in the text.
	rankWeights = `'{0.1, 0.1, 0.1, 1.0}'`
	// rankNormalization 1 divides the rank by 1 + the log of the
	// document's length, so long texts do not win by size alone.
	rankNormalization = 1
	excerptRunes      = 240
	// indexedChars is how much of the text the tsvector covers
	// (0001_init.sql); snippets are cut from the same part.
	indexedChars = 100000
)

// headlineOptions ask ts_headline for up to two fragments of about 32
// words with the storeutil sentinels around the matches and between the
// fragments.
const headlineOptions = "StartSel=\x02, StopSel=\x03, MaxWords=32, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=\x1e"

// escapedText is the SQL of an article's indexed text with control
// characters removed (the stored text may hold our sentinels) and HTML
// escaped, so that ts_headline keeps markup as text instead of dropping
// it as tags, and its sentinels are the only control characters left.
const escapedText = `replace(replace(replace(regexp_replace(left(a.text, 100000),
	E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', '', 'g'), '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`

// checkSearch validates f and returns its parsed query (nil for none).
func checkSearch(f newsmon.SearchFilter) (*newsmon.Query, error) {
	n, err := newsmon.ParseQuery(f.Query)
	if err != nil {
		return nil, err
	}
	if f.Offset < 0 {
		return nil, newsmon.Errorf(newsmon.EINVALID, "offset must not be negative")
	}
	if err := storeutil.CheckDates(f.Since, f.Until); err != nil {
		return nil, err
	}
	return n, nil
}

// searchConditions returns the conditions on articles a that f selects,
// query first, adding their arguments to args.
func searchConditions(f newsmon.SearchFilter, query *newsmon.Query, args *sqlArgs) []string {
	var where []string
	if query != nil {
		where = append(where, compileQuery(query, args).match())
	}
	if f.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = "+args.add(clean(f.Topic))+")")
	}
	if f.Source != "" {
		where = append(where, "a.source = "+args.add(clean(f.Source)))
	}
	if len(f.Sources) > 0 {
		where = append(where, "a.source = ANY("+args.add(cleanAll(f.Sources))+"::text[])")
	}
	if f.Language != "" {
		where = append(where, "a.language = "+args.add(clean(f.Language)))
	}
	if strings.TrimSpace(f.Party) != "" {
		where = append(where, "EXISTS (SELECT 1 FROM agreements g WHERE g.article_id = a.id AND g.party_key LIKE "+
			args.add(partyPattern(f.Party))+" ESCAPE '\\')")
	}
	if f.Since != nil {
		where = append(where, "coalesce(a.published, a.first_seen) >= "+args.add(*utc(f.Since)))
	}
	if f.Until != nil {
		where = append(where, "coalesce(a.published, a.first_seen) <= "+args.add(*utc(f.Until)))
	}
	return where
}

// SearchArticles returns the articles matching f, best first, with the
// total number of matches and facet counts (topic, source, lang) over all
// of them. The query language, limits and errors are the SQLite store's
// (see its SearchArticles); the package doc says how matching differs.
// Ranking is ts_rank_cd with a title word worth ten in the text; an empty
// query returns the matches newest first.
func (db *DB) SearchArticles(ctx context.Context, f newsmon.SearchFilter) (*newsmon.SearchResults, error) {
	query, err := checkSearch(f)
	if err != nil {
		return nil, err
	}
	limit := storeutil.SearchLimit(f.Limit)

	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	res := &newsmon.SearchResults{
		Results: []newsmon.SearchResult{},
		Facets:  map[string]map[string]int{"topic": {}, "source": {}, "lang": {}},
	}
	var args sqlArgs
	where := searchConditions(f, query, &args)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if err := searchFacets(ctx, tx, cond, args.vals, res); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if res.Total == 0 || f.Offset >= res.Total {
		return res, nil
	}

	var page string
	if query != nil {
		// Rank first, then cut snippets for the page only.
		tsq := compileQuery(query, &args).forArticle()
		page = `WITH ranked AS (
			SELECT a.id, ts_rank_cd(` + rankWeights + `, a.search, ` + tsq + `, ` + fmt.Sprint(rankNormalization) + `) AS score
			FROM articles a` + cond + `
			ORDER BY score DESC, a.id LIMIT ` + args.add(limit) + ` OFFSET ` + args.add(f.Offset) + `)
		SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published, ranked.score,
			ts_headline(a.fts_config, ` + escapedText + `, ` + tsq + `, ` + args.add(headlineOptions) + `)
		FROM ranked JOIN articles a ON a.id = ranked.id
		ORDER BY ranked.score DESC, a.id`
	} else {
		page = `SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published, 0::real,
			CASE WHEN a.description <> '' THEN left(a.description, ` + fmt.Sprint(excerptRunes) + `)
			ELSE left(a.text, ` + fmt.Sprint(excerptRunes) + `) END
		FROM articles a` + cond + `
		ORDER BY coalesce(a.published, a.first_seen) DESC, a.id DESC
		LIMIT ` + args.add(limit) + ` OFFSET ` + args.add(f.Offset)
	}
	byID := make(map[int64]int)
	var ids []int64
	err = queryEach(ctx, tx, page, args.vals, func(rows pgx.Rows) error {
		var (
			r       newsmon.SearchResult
			score   float32
			snippet string
		)
		if err := rows.Scan(&r.ID, &r.URL, &r.Title, &r.Source, &r.Language, &r.Published,
			&score, &snippet); err != nil {
			return err
		}
		r.Published = utc(r.Published)
		r.Score = float64(score)
		if query != nil {
			r.Snippet = snippetHTML(snippet)
		} else {
			r.Snippet = storeutil.ExcerptHTML(snippet, excerptRunes)
		}
		r.Topics = []string{}
		byID[r.ID] = len(res.Results)
		ids = append(ids, r.ID)
		res.Results = append(res.Results, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(ids) == 0 {
		return res, nil
	}
	err = queryEach(ctx, tx, `SELECT article_id, topic FROM article_topics WHERE article_id = ANY($1)
		ORDER BY article_id, topic`, []any{ids}, func(rows pgx.Rows) error {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return err
		}
		r := &res.Results[byID[id]]
		r.Topics = append(r.Topics, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// searchFacets counts all matches by source, language and topic, and sets
// the total, in one pass over the matches.
func searchFacets(ctx context.Context, q querier, cond string, args []any, res *newsmon.SearchResults) error {
	sql := `WITH m AS MATERIALIZED (SELECT a.id, a.source, a.language FROM articles a` + cond + `)
		SELECT 'source', source, count(*) FROM m GROUP BY source
		UNION ALL SELECT 'lang', language, count(*) FROM m GROUP BY language
		UNION ALL SELECT 'topic', t.topic, count(*) FROM m JOIN article_topics t ON t.article_id = m.id GROUP BY t.topic`
	return queryEach(ctx, q, sql, args, func(rows pgx.Rows) error {
		var facet, value string
		var n int
		if err := rows.Scan(&facet, &value, &n); err != nil {
			return err
		}
		if facet == "source" {
			res.Total += n
		}
		if value != "" {
			res.Facets[facet][value] = n
		}
		return nil
	})
}

// snippetHTML turns the sentinels of a ts_headline over escaped text into
// <mark> elements and ellipses.
func snippetHTML(s string) string {
	return storeutil.SnippetHTML(strings.ToValidUTF8(s, ""), " … ", storeutil.StripControl)
}

// Timeline counts mentions per topic per interval (a UTC day, or a week
// from Monday) over the articles f selects, oldest interval first, then by
// topic; articles are placed by their published time, or first sight when
// undated. When f.Topic is set only that topic is counted. A bad interval
// or query is EINVALID.
func (db *DB) Timeline(ctx context.Context, f newsmon.TimelineFilter) ([]newsmon.TimelinePoint, error) {
	interval := f.Interval
	switch interval {
	case "":
		interval = newsmon.IntervalDay
	case newsmon.IntervalDay, newsmon.IntervalWeek:
	default:
		return nil, newsmon.Errorf(newsmon.EINVALID, "interval must be %s or %s, not %q",
			newsmon.IntervalDay, newsmon.IntervalWeek, f.Interval)
	}
	sf := f.SearchFilter
	sf.Limit, sf.Offset = 0, 0
	query, err := checkSearch(sf)
	if err != nil {
		return nil, err
	}
	var args sqlArgs
	where := searchConditions(sf, query, &args)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	topic := ""
	if sf.Topic != "" {
		topic = " WHERE m.topic = " + args.add(clean(sf.Topic))
	}
	sql := `WITH sel AS MATERIALIZED (
			SELECT a.id, date_trunc('` + interval + `', coalesce(a.published, a.first_seen) AT TIME ZONE 'UTC') AS bucket
			FROM articles a` + cond + `)
		SELECT sel.bucket, m.topic, count(*), count(DISTINCT sel.id)
		FROM sel JOIN mentions m ON m.article_id = sel.id` + topic + `
		GROUP BY sel.bucket, m.topic
		ORDER BY sel.bucket, m.topic`
	points := []newsmon.TimelinePoint{}
	err = queryEach(ctx, db.pool, sql, args.vals, func(rows pgx.Rows) error {
		var (
			p      newsmon.TimelinePoint
			bucket time.Time
		)
		if err := rows.Scan(&bucket, &p.Topic, &p.Mentions, &p.Articles); err != nil {
			return err
		}
		// The bucket is a timestamp without time zone holding UTC.
		p.Start = time.Date(bucket.Year(), bucket.Month(), bucket.Day(), 0, 0, 0, 0, time.UTC)
		points = append(points, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return points, nil
}
