package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/newsmon/newsmon"
)

// Search limits and weights.
const (
	defaultLimit = 20
	maxLimit     = 200
	// titleWeight makes a word in the title count as much as this many in
	// the text, for bm25().
	titleWeight = 10.0
	// snippetTokens is how many words a snippet holds (FTS5 allows 64).
	snippetTokens = 32
	// excerptRunes bounds the excerpt shown when there is no query.
	excerptRunes = 240
)

// The sentinels FTS5's snippet() puts around matches and in place of cut
// text; they are control characters that escaping leaves alone, replaced by
// markup after the text is escaped.
const (
	markOpen  = '\x02'
	markClose = '\x03'
	ellipsis  = '\x1e'
)

// SearchArticles returns the articles matching f, best first, with the total
// number of matches and facet counts (topic, source, lang) over all of them.
//
// f.Query is in this language:
//
//	Middle Corridor         both words, anywhere (AND is implied)
//	"Middle Corridor"       the exact phrase
//	BTC OR Baku-Tbilisi     either; OR binds looser than AND: a b OR c = (a b) OR c
//	pipeline AND Aktau      both (the same as without AND)
//	pipeline NOT gas        pipeline but not gas; -gas is the same as NOT gas
//	corrid*                 a prefix: corridor, corridors, ... (at least 2 letters)
//	"Middle Corr"*          a phrase whose last word is a prefix
//	(oil OR gas) -Russia    parentheses group
//
// AND, OR and NOT are operators only in capitals; "and" is a word. Case and
// diacritics never matter (Türkiye = turkiye), but words are not stemmed:
// коридор does not find коридора, use коридор*. Punctuation splits words, so
// a hyphenated word (Баку-Тбилиси-Джейхан) is the phrase of its parts, and a
// word of punctuation only is ignored. A malformed query is EINVALID with a
// message saying what is wrong: an unclosed quote or parenthesis, an
// operator without a word on each side, a query that only excludes words,
// OR joining an excluded word (write (a OR b) NOT c), a query over 1,000
// bytes, 64 words or 16 levels of parentheses.
//
// Ranking is bm25 with a word in the title worth ten in the text. An empty
// query returns the matches of the filters newest first. Since and Until
// bound the published time, or the first-seen time of articles without one.
// Limit is 20 when not positive and at most 200; a negative Offset is
// EINVALID. Snippets are HTML: escaped text with the matches in <mark>.
func (db *DB) SearchArticles(ctx context.Context, f newsmon.SearchFilter) (*newsmon.SearchResults, error) {
	expr, err := ftsQuery(f.Query)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > maxLimit:
		limit = maxLimit
	}
	if f.Offset < 0 {
		return nil, newsmon.Errorf(newsmon.EINVALID, "offset must not be negative")
	}
	if f.Since != nil && f.Until != nil && f.Since.After(*f.Until) {
		return nil, newsmon.Errorf(newsmon.EINVALID, "since (%s) is after until (%s)",
			f.Since.Format("2006-01-02"), f.Until.Format("2006-01-02"))
	}

	from := "articles a"
	var (
		where []string
		args  []any
	)
	if expr != "" {
		from = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
		where = append(where, "articles_fts MATCH ?")
		args = append(args, expr)
	}
	if f.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = ?)")
		args = append(args, f.Topic)
	}
	if f.Source != "" {
		where = append(where, "a.source = ?")
		args = append(args, f.Source)
	}
	if f.Language != "" {
		where = append(where, "a.language = ?")
		args = append(args, f.Language)
	}
	if f.Since != nil {
		where = append(where, "coalesce(a.published, a.first_seen) >= ?")
		args = append(args, toMicros(*f.Since))
	}
	if f.Until != nil {
		where = append(where, "coalesce(a.published, a.first_seen) <= ?")
		args = append(args, toMicros(*f.Until))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}

	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()

	res := &newsmon.SearchResults{
		Results: []newsmon.SearchResult{},
		Facets:  map[string]map[string]int{"topic": {}, "source": {}, "lang": {}},
	}
	if err := searchFacets(ctx, tx, from+cond, args, res); err != nil {
		return nil, searchError(err)
	}
	if res.Total == 0 || f.Offset >= res.Total {
		return res, nil
	}

	var page string
	pageArgs := append([]any(nil), args...)
	if expr != "" {
		// Rank first, then build snippets for the page only: snippet() in
		// the ranking query would run for every match.
		page = `WITH ranked AS (
			SELECT a.id AS id, bm25(articles_fts, ` + fmt.Sprint(titleWeight) + `, 1.0) AS score
			FROM ` + from + cond + ` ORDER BY score, a.id LIMIT ? OFFSET ?)
		SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published, -ranked.score,
			snippet(articles_fts, 1, char(2), char(3), char(30), ` + fmt.Sprint(snippetTokens) + `)
		FROM ranked JOIN articles_fts ON articles_fts.rowid = ranked.id
			JOIN articles a ON a.id = ranked.id
		WHERE articles_fts MATCH ?
		ORDER BY ranked.score, a.id`
		pageArgs = append(pageArgs, limit, f.Offset, expr)
	} else {
		page = `SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published, 0.0,
			CASE WHEN a.description != '' THEN substr(a.description, 1, ` + fmt.Sprint(excerptRunes) + `)
			ELSE substr(a.text, 1, ` + fmt.Sprint(excerptRunes) + `) END
		FROM ` + from + cond + `
		ORDER BY coalesce(a.published, a.first_seen) DESC, a.id DESC LIMIT ? OFFSET ?`
		pageArgs = append(pageArgs, limit, f.Offset)
	}

	byID := make(map[int64]int)
	err = queryEach(ctx, tx, page, pageArgs, func(rows *sql.Rows) error {
		var (
			r         newsmon.SearchResult
			published sql.NullInt64
			snippet   string
		)
		if err := rows.Scan(&r.ID, &r.URL, &r.Title, &r.Source, &r.Language, &published,
			&r.Score, &snippet); err != nil {
			return err
		}
		r.Published = timePtr(published)
		if expr != "" {
			r.Snippet = snippetHTML(snippet)
		} else {
			r.Snippet = excerptHTML(snippet)
		}
		r.Topics = []string{}
		byID[r.ID] = len(res.Results)
		res.Results = append(res.Results, r)
		return nil
	})
	if err != nil {
		return nil, searchError(err)
	}
	if len(res.Results) == 0 {
		return res, nil
	}

	ids := make([]int64, len(res.Results))
	for i, r := range res.Results {
		ids[i] = r.ID
	}
	in, idArgs := inList(ids)
	err = queryEach(ctx, tx, `SELECT article_id, topic FROM article_topics WHERE article_id IN `+in+
		` ORDER BY article_id, topic`, idArgs, func(rows *sql.Rows) error {
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
		return nil, searchError(err)
	}
	return res, nil
}

// searchFacets counts all matches by source, language and topic, and sets
// the total, in one pass over the matches.
func searchFacets(ctx context.Context, tx *sql.Tx, fromWhere string, args []any, res *newsmon.SearchResults) error {
	q := `WITH m AS MATERIALIZED (SELECT a.id AS id, a.source AS source, a.language AS lang FROM ` + fromWhere + `)
		SELECT 'source', source, count(*) FROM m GROUP BY source
		UNION ALL SELECT 'lang', lang, count(*) FROM m GROUP BY lang
		UNION ALL SELECT 'topic', t.topic, count(*) FROM m JOIN article_topics t ON t.article_id = m.id GROUP BY t.topic`
	return queryEach(ctx, tx, q, args, func(rows *sql.Rows) error {
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

// engineRejected is the message of a query FTS5 itself rejected.
const engineRejected = "invalid query: the search engine could not read it"

// searchError turns an FTS5 complaint about the expression into EINVALID, a
// safety net behind ftsQuery, which should never let one through.
func searchError(err error) error {
	if strings.Contains(err.Error(), "fts5:") {
		return newsmon.Errorf(newsmon.EINVALID, engineRejected)
	}
	return fmt.Errorf("search: %w", err)
}

// snippetHTML escapes a snippet from FTS5 and turns its sentinels into
// <mark> elements and ellipses. Marks always balance, even when the stored
// text itself held sentinel characters.
func snippetHTML(s string) string {
	var b strings.Builder
	open := false
	for _, seg := range splitKeep(s) {
		switch seg {
		case string(markOpen):
			if !open {
				b.WriteString("<mark>")
				open = true
			}
		case string(markClose):
			if open {
				b.WriteString("</mark>")
				open = false
			}
		case string(ellipsis):
			b.WriteString("…")
		default:
			b.WriteString(html.EscapeString(stripControl(seg)))
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// splitKeep splits s around the sentinel characters, keeping them as
// segments of their own.
func splitKeep(s string) []string {
	var segs []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case markOpen, markClose, ellipsis:
			if i > start {
				segs = append(segs, s[start:i])
			}
			segs = append(segs, s[i:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		segs = append(segs, s[start:])
	}
	return segs
}

// stripControl removes control characters but keeps line breaks as spaces.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// excerptHTML escapes the start of an article shown when there is no query;
// s is already cut to excerptRunes characters by SQL.
func excerptHTML(s string) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) >= excerptRunes {
		if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
			s = s[:i]
		}
		s += "…"
	}
	return html.EscapeString(stripControl(s))
}
