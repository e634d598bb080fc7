package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// Search weights and sizes (the page limits are internal/storeutil's).
const (
	// titleWeight makes a word in the title count as much as this many in
	// the text, for bm25().
	titleWeight = 10.0
	// snippetTokens is how many words a snippet holds (FTS5 allows 64).
	snippetTokens = 32
	// excerptRunes bounds the excerpt shown when there is no query.
	excerptRunes = 240
)

// SearchArticles returns the articles matching f, best first, with the total
// number of matches and facet counts (topic, source, lang).
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
// Ranking is bm25 with a word in the title worth ten in the text, within
// windows of the newest matches: the rankWindow (500) most recently
// stored matches that pass the filters come first, best first, then the
// next 500, best first, and so on. A search with fewer than 500 matches is
// ranked as a whole. Ranking every match costs a bm25 score
// for each (a word in 60% of 200,000 articles: 120,000 scores, 200 ms
// here), while analysts of news want the best of the recent matches more
// than the best of all time; the window bounds the work whatever the
// query, since FTS5 walks its matches by rowid (the order of storing) and
// stops at the window's end. The order, (window, score, id), is fixed, so
// pages never overlap or skip.
//
// An empty query returns the matches of the filters newest first (by
// published time, or first-seen time for articles without one). Since and
// Until bound that time. Limit is 20 when not positive and at most 200; a
// negative Offset is EINVALID. Snippets are HTML: escaped text with the
// matches in <mark>, built for the page's results only.
//
// Total and facets are exact when there are fewer than rankWindow matches.
// Beyond that, the facets are counted over the first window (the newest
// 500 matches, which the search has read anyway) and scaled to the total,
// and FacetSample says so (500): exact
// facets over 120,000 matches would look up 120,000 articles (100 ms and
// more here). The total then stays exact where counting is cheap: a query
// without filters (FTS5 counts from its index alone); no query, with no
// filter or dates only; a filtered query whose candidates below the
// window span at most 20,000 IDs (countBelow), as a date range does whose
// articles were mostly stored together, even when some were stored long
// after they appeared (a back catalogue crawled late: their IDs lie
// above, among the window's). Otherwise it is an estimate, marked by
// TotalEstimated: the share of the matches the window
// spans that passed the filters, applied to all the matches, of which the
// newest 20,000 are counted and any older ones extrapolated. The share
// can mislead where the filters pass matches unevenly along the store
// (the month of the late back catalogue above, estimated, counted 539
// matches for 4,956 in bench/search).
//
// The full-text scan of a date range is not split into the ranges of IDs
// its articles cluster in, though the IDs of late-stored articles spread
// it over much of the store: bm25 reads the statistics of the whole index
// for each FTS5 scan and for each rowid looked up (2.5 ms and more a time
// for a word in 60% of 200,000 articles), more than walking the matches
// between the ranges costs unless they lie tens of thousands apart.
//
// Filters on a query are lists of the article IDs they select, built once
// from the topics and agreements tables and the articles' indexes, that
// the full-text scan probes; a filter on source, language or dates that
// selects over 40,000 articles is tested row by row instead (queryConds).
// Dates also bound the scan to the IDs of their articles (boundRowids).
func (db *DB) SearchArticles(ctx context.Context, f newsmon.SearchFilter) (*newsmon.SearchResults, error) {
	expr, err := checkFilter(f)
	if err != nil {
		return nil, err
	}
	limit := storeutil.SearchLimit(f.Limit)
	if f.Offset < 0 {
		return nil, newsmon.Errorf(newsmon.EINVALID, "offset must not be negative")
	}

	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()

	s := &searcher{ctx: ctx, tx: tx, f: f, expr: expr, limit: limit}
	if expr != "" {
		if err := s.queryConds(); err != nil {
			return nil, searchError(err)
		}
		if f.Since != nil || f.Until != nil {
			found, err := s.boundRowids()
			if err != nil {
				return nil, searchError(err)
			}
			if !found {
				return emptyResults(), nil
			}
		}
	} else {
		s.conds, s.args, _ = filterConds(f, "a.id")
	}
	res, err := s.run()
	if err != nil {
		return nil, searchError(err)
	}
	return res, nil
}

// rankWindow is how many matches are ranked together, and how many the
// facets are counted over when there are more (see SearchArticles).
// countCap is how many of a query's newest matches the estimate of a
// filtered total counts (searcher.total).
const (
	rankWindow = 500
	countCap   = 20000
)

// searcher runs one search in one read transaction.
type searcher struct {
	ctx   context.Context
	tx    *sql.Tx
	f     newsmon.SearchFilter
	expr  string // the FTS5 expression, "" for none
	limit int
	conds []string // filterConds
	args  []any
	join  bool // the conditions need the articles table beside the index
	// second is the second window when run read it with the first.
	second []match
	// lo and hi bound the rowids of a query's matches (boundRowids); hi
	// is 0 when they are not bounded.
	lo, hi int64
	// lists and listArgs are the conditions of a query's topic and party
	// filters, cols and colArgs those of its other filters on the
	// articles' columns (queryConds), for countBelow.
	lists, cols       []string
	listArgs, colArgs []any
}

// match is a match of a window: enough to rank it and page on.
type match struct {
	id    int64
	score float64 // bm25: lower is better
	date  int64   // newest first only: coalesce(published, first_seen)
}

func (s *searcher) where(prefix string) string {
	if len(s.conds) == 0 {
		if prefix == "" {
			return ""
		}
		return " WHERE " + prefix
	}
	all := s.conds
	if prefix != "" {
		all = append([]string{prefix}, all...)
	}
	return " WHERE " + strings.Join(all, " AND ")
}

func emptyResults() *newsmon.SearchResults {
	return &newsmon.SearchResults{
		Results: []newsmon.SearchResult{},
		Facets:  map[string]map[string]int{"topic": {}, "source": {}, "lang": {}},
	}
}

// selectiveMax is the most articles a filter may select for a query's
// scan to test its matches against the list of them (see queryConds).
const selectiveMax = 40000

// queryConds sets the conditions of a query's filters on the full-text
// matches. Each filter becomes a list of the article IDs it selects,
// which SQLite builds once and probes for each match as FTS5 yields it:
// the topics and agreements tables give theirs directly, and the
// articles table those of the source, language and date conditions
// together, through its indexes. The unary + keeps SQLite from handing
// the list to FTS5 as rowids to look up one by one, which costs a query
// of the index each. A probe costs a third of looking the match up in
// the articles table, and needs no page of it (a filtered search of a
// word in 60% of 200,000 articles: 15 ms instead of 23 to 80). But
// building the list costs about as much per article as a probe, so the
// column conditions are tested on the articles_keys index row by row
// instead when they select over selectiveMax articles: they then pass
// one match in five or more, and the window fills early.
func (s *searcher) queryConds() error {
	f := s.f
	list := func(q string, args ...any) {
		s.conds = append(s.conds, "+articles_fts.rowid IN ("+q+")")
		s.args = append(s.args, args...)
	}
	if f.Topic != "" {
		list("SELECT article_id AS id FROM article_topics WHERE topic = ?", f.Topic)
	}
	if p := strings.ToLower(strings.TrimSpace(f.Party)); p != "" {
		list("SELECT DISTINCT article_id AS id FROM agreements WHERE instr(party_key, ?) > 0", "\x1e"+p+"\x1e")
	}
	cols, args, needed := filterConds(newsmon.SearchFilter{Source: f.Source, Sources: f.Sources,
		Language: f.Language, Since: f.Since, Until: f.Until}, "a.id")
	s.lists, s.listArgs = slices.Clone(s.conds), slices.Clone(s.args)
	s.cols, s.colArgs = cols, args
	if !needed {
		return nil
	}
	sub := "SELECT a.id AS id FROM articles a WHERE " + strings.Join(cols, " AND ")
	var n int
	if err := s.tx.QueryRowContext(s.ctx, "SELECT count(*) FROM ("+sub+" LIMIT ?)",
		append(slices.Clip(args), selectiveMax)...).Scan(&n); err != nil {
		return err
	}
	if n < selectiveMax {
		list(sub, args...)
	} else {
		s.conds = append(s.conds, cols...)
		s.args = append(s.args, args...)
		s.join = true
	}
	return nil
}

// boundRowids narrows the full-text scan of a query with dates to the IDs
// of the articles of its date range, which the articles_date index gives
// cheaply: FTS5 then seeks to the range instead of walking every newer
// match. As articles are mostly stored in the order they appear, the IDs
// of a month of articles are a narrow band. found is false when no
// article is in the range.
func (s *searcher) boundRowids() (found bool, err error) {
	dates, args := dateConds(s.f)
	var lo, hi sql.NullInt64
	if err := s.tx.QueryRowContext(s.ctx, `SELECT min(a.id), max(a.id) FROM articles a WHERE `+
		strings.Join(dates, " AND "), args...).Scan(&lo, &hi); err != nil {
		return false, err
	}
	if !lo.Valid {
		return false, nil
	}
	s.lo, s.hi = lo.Int64, hi.Int64
	s.conds = append(s.conds, "articles_fts.rowid BETWEEN ? AND ?")
	s.args = append(s.args, s.lo, s.hi)
	return true, nil
}

func (s *searcher) run() (*newsmon.SearchResults, error) {
	res := emptyResults()
	// A page in the second window is read with the first in one query:
	// bm25 reads statistics of the whole index once per query (11 ms for
	// a word in 60% of 200,000 articles), more than scoring 500 more.
	n := 1
	if last := (s.f.Offset + s.limit - 1) / rankWindow; s.expr != "" && last == 1 {
		n = 2
	}
	first, err := s.window(0, n)
	if err != nil {
		return nil, err
	}
	if n == 2 {
		s.second = first[min(len(first), rankWindow):]
		first = first[:min(len(first), rankWindow)]
	}
	if len(first) == 0 {
		return res, nil
	}
	if err := s.facets(first, res); err != nil {
		return nil, err
	}
	if f := s.f; f.Offset >= res.Total && len(first) < rankWindow {
		return res, nil
	}
	var page []match
	if s.expr != "" {
		page, err = s.rankedPage(first)
	} else {
		page, err = s.newestPage()
	}
	if err != nil || len(page) == 0 {
		return res, err
	}
	if err := s.pageRows(page, res); err != nil {
		return nil, err
	}
	return res, s.pageTopics(res)
}

// window returns n windows of rankWindow matches from the w-th on, newest
// first: by
// rowid (the order articles were stored in) for a query, whose FTS5
// cursor walks its doclists that way and stops at the window's end; by
// date without one, along the articles_date index. A query's window reads
// the articles table only when a filter too broad for a list of IDs needs
// its columns (queryConds), and then through the narrow articles_keys
// index, with CROSS JOIN keeping the full-text cursor outside: driving
// from an index on the filters instead would run the FTS5 query once per
// article.
func (s *searcher) window(w, n int) ([]match, error) {
	var q string
	if s.expr != "" {
		q = `SELECT articles_fts.rowid, bm25(articles_fts, ` + fmt.Sprint(titleWeight) + `, 1.0), 0
			FROM ` + s.from() + s.where("articles_fts MATCH ?") + `
			ORDER BY articles_fts.rowid DESC LIMIT ? OFFSET ?`
	} else {
		q = `SELECT a.id, 0.0, coalesce(a.published, a.first_seen)
			FROM articles a` + s.where("") + `
			ORDER BY coalesce(a.published, a.first_seen) DESC, a.id DESC LIMIT ? OFFSET ?`
	}
	args := s.args
	if s.expr != "" {
		args = append([]any{s.expr}, args...)
	}
	args = append(args, n*rankWindow, w*rankWindow)
	var ms []match
	err := queryEach(s.ctx, s.tx, q, args, func(rows *sql.Rows) error {
		var m match
		if err := rows.Scan(&m.id, &m.score, &m.date); err != nil {
			return err
		}
		ms = append(ms, m)
		return nil
	})
	return ms, err
}

// from is the FROM clause of a query's scan.
func (s *searcher) from() string {
	if s.join {
		return "articles_fts CROSS JOIN articles a INDEXED BY articles_keys ON a.id = articles_fts.rowid"
	}
	return "articles_fts"
}

// facets sets the total and the facets from the first window (see
// SearchArticles for when they are exact).
func (s *searcher) facets(first []match, res *newsmon.SearchResults) error {
	ids := make([]int64, len(first))
	for i, m := range first {
		ids[i] = m.id
	}
	q := `SELECT 'topic', topic, count(*) FROM article_topics
		WHERE article_id IN (SELECT value FROM json_each(?1)) GROUP BY topic
	UNION ALL SELECT 'source', source, count(*) FROM articles INDEXED BY articles_keys
		WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY source
	UNION ALL SELECT 'lang', language, count(*) FROM articles INDEXED BY articles_keys
		WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY language`
	err := queryEach(s.ctx, s.tx, q, []any{idArray(ids)}, func(rows *sql.Rows) error {
		var facet, value string
		var n int
		if err := rows.Scan(&facet, &value, &n); err != nil {
			return err
		}
		res.Facets[facet][value] = n
		return nil
	})
	if err != nil {
		return err
	}
	for _, counts := range res.Facets {
		delete(counts, "")
	}
	res.Total = len(first)
	if len(first) < rankWindow {
		return nil
	}

	total, exact, err := s.total(first)
	if err != nil {
		return err
	}
	res.Total = max(total, len(first))
	res.FacetSample = len(first)
	res.TotalEstimated = !exact
	scale := float64(res.Total) / float64(len(first))
	for _, counts := range res.Facets {
		for k, n := range counts {
			counts[k] = int(float64(n)*scale + 0.5)
		}
	}
	return nil
}

// total counts the matches, exactly when that is cheap and otherwise as
// an estimate from the first window, which is full: the share of the
// candidates it spans that passed the other filters (the query's matches
// from the newest down to the window's oldest, or the articles of the
// date range since its oldest), applied to all the candidates.
func (s *searcher) total(first []match) (n int, exact bool, err error) {
	last := first[len(first)-1]
	dates, dateArgs := dateConds(s.f)
	var all, scanned int
	if s.expr != "" {
		if len(s.conds) == 0 {
			err := s.tx.QueryRowContext(s.ctx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?`,
				s.expr).Scan(&all)
			return all, err == nil, err
		}
		if n, ok, err := s.countBelow(first); err != nil || ok {
			return n, ok, err
		}
		// The filters pass the same share of all the matches as of those
		// the window spans: a share of the matches, not of the IDs, as
		// news of one week would otherwise count as if every week had it.
		// Counting them all costs as much as the window, so the newest
		// countCap are counted and only the older ones, when there are
		// more, are taken to be as dense in the IDs as those.
		lo, hi := s.lo, s.hi
		if hi == 0 {
			if err := s.tx.QueryRowContext(s.ctx, `SELECT (SELECT min(id) FROM articles),
				(SELECT max(id) FROM articles)`).Scan(&lo, &hi); err != nil {
				return 0, false, err
			}
		}
		var oldest int64
		if err := s.tx.QueryRowContext(s.ctx, `SELECT count(*), coalesce(min(rowid), 0), coalesce(sum(rowid >= ?), 0)
			FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?
				ORDER BY rowid DESC LIMIT ?)`, last.id, s.expr, lo, hi, countCap).Scan(&all, &oldest, &scanned); err != nil {
			return 0, false, err
		}
		if all == countCap {
			if scanned == countCap {
				if err := s.tx.QueryRowContext(s.ctx, `SELECT count(*) FROM articles_fts
					WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?`, s.expr, last.id, hi).Scan(&scanned); err != nil {
					return 0, false, err
				}
			}
			all = max(scanned, int(float64(all)*float64(hi-lo+1)/float64(hi-oldest+1)+0.5))
		}
	} else {
		where := ""
		if len(dates) > 0 {
			where = " WHERE " + strings.Join(dates, " AND ")
		}
		if err := s.tx.QueryRowContext(s.ctx, `SELECT count(*) FROM articles a`+where,
			dateArgs...).Scan(&all); err != nil {
			return 0, false, err
		}
		if len(s.conds) == len(dates) {
			return all, true, nil
		}
		scanArgs := append(append([]any(nil), dateArgs...), last.date)
		if err := s.tx.QueryRowContext(s.ctx, `SELECT count(*) FROM articles a WHERE `+
			strings.Join(append(dates, "coalesce(a.published, a.first_seen) >= ?"), " AND "),
			scanArgs...).Scan(&scanned); err != nil {
			return 0, false, err
		}
	}
	if scanned <= 0 {
		return len(first), false, nil
	}
	return int(float64(all)*float64(len(first))/float64(scanned) + 0.5), false, nil
}

// countSpan is the most IDs below the windows a search has read that
// searcher.countBelow scans to count a filtered total exactly.
const countSpan = 20000

// countBelow counts a filtered query's matches exactly when that is cheap:
// the windows read hold the newest matches that pass the filters, so the
// total is those plus the passing matches below the oldest of them, which
// one scan of the IDs down to the lowest candidate counts. That scan
// walks every match in the span, passing or not, so it is run only when
// the span is at most countSpan IDs: a date range whose articles were
// mostly stored together, even with some of them stored long after (a
// back catalogue crawled late), whose late IDs lie above the oldest match
// read and are never walked again; or a small store. exact is false when
// the span is too wide.
func (s *searcher) countBelow(first []match) (n int, exact bool, err error) {
	read, last := len(first), first[len(first)-1].id
	if s.second != nil {
		read += len(s.second)
		if len(s.second) < rankWindow {
			return read, true, nil
		}
		last = s.second[len(s.second)-1].id
	}
	lo := s.lo
	if s.hi == 0 {
		var lowest sql.NullInt64
		if err := s.tx.QueryRowContext(s.ctx, `SELECT min(id) FROM articles`).Scan(&lowest); err != nil {
			return 0, false, err
		}
		lo = lowest.Int64
	}
	if last-lo > countSpan {
		return 0, false, nil
	}
	if last <= lo {
		return read, true, nil
	}
	// The column filters are tested on the articles_keys index row by
	// row: the list of the IDs they select would cost more to build than
	// the few thousand lookups of a span this narrow.
	from := "articles_fts"
	if len(s.cols) > 0 {
		from += " CROSS JOIN articles a INDEXED BY articles_keys ON a.id = articles_fts.rowid"
	}
	q := `SELECT count(*) FROM ` + from + ` WHERE ` + strings.Join(append(append(
		[]string{"articles_fts MATCH ? AND articles_fts.rowid BETWEEN ? AND ?"}, s.lists...), s.cols...), " AND ")
	args := append(append([]any{s.expr, lo, last - 1}, s.listArgs...), s.colArgs...)
	var below int
	if err := s.tx.QueryRowContext(s.ctx, q, args...).Scan(&below); err != nil {
		return 0, false, err
	}
	return read + below, true, nil
}

// rankedPage ranks the windows the page falls in and returns its matches.
func (s *searcher) rankedPage(first []match) ([]match, error) {
	start, end := s.f.Offset, s.f.Offset+s.limit
	var page []match
	for w := start / rankWindow; w*rankWindow < end; w++ {
		ms := first
		switch {
		case w == 1 && s.second != nil:
			ms = s.second
		case w > 0:
			var err error
			if ms, err = s.window(w, 1); err != nil {
				return nil, err
			}
		}
		ranked := slices.Clone(ms)
		slices.SortFunc(ranked, func(a, b match) int {
			if c := cmp.Compare(a.score, b.score); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		lo, hi := max(start-w*rankWindow, 0), min(end-w*rankWindow, len(ranked))
		if lo < hi {
			page = append(page, ranked[lo:hi]...)
		}
		if len(ms) < rankWindow {
			break
		}
	}
	return page, nil
}

// newestPage returns the page of a search without a query.
func (s *searcher) newestPage() ([]match, error) {
	q := `SELECT a.id FROM articles a` + s.where("") + `
		ORDER BY coalesce(a.published, a.first_seen) DESC, a.id DESC LIMIT ? OFFSET ?`
	args := append(append([]any(nil), s.args...), s.limit, s.f.Offset)
	var page []match
	err := queryEach(s.ctx, s.tx, q, args, func(rows *sql.Rows) error {
		var m match
		if err := rows.Scan(&m.id); err != nil {
			return err
		}
		page = append(page, m)
		return nil
	})
	return page, err
}

// pageRows reads the page's articles, with a snippet for a query (FTS5's
// snippet(), run for these rows only) or the start of the text.
func (s *searcher) pageRows(page []match, res *newsmon.SearchResults) error {
	ids := make([]int64, len(page))
	for i, m := range page {
		ids[i] = m.id
	}
	in, args := inList(ids)
	var q string
	if s.expr != "" {
		// FTS5 sets a query up anew for each ID of the page. For a
		// prefix, that merges the doclists of every word it covers (kaz*:
		// 17 ms a query, 330 ms a page over 200,000 articles), so a query
		// with one scans the matches between the page's lowest and
		// highest IDs once instead (a window's worth at most), which for
		// other queries costs more than 20 lookups (a phrase is checked
		// at every match scanned).
		q = `SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published,
			snippet(articles_fts, 1, char(2), char(3), char(30), ` + fmt.Sprint(snippetTokens) + `)
			FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
			WHERE articles_fts MATCH ? AND `
		if strings.Contains(s.expr, `"*`) {
			q += `articles_fts.rowid BETWEEN ? AND ? AND +articles_fts.rowid IN ` + in
			args = append([]any{s.expr, slices.Min(ids), slices.Max(ids)}, args...)
		} else {
			q += `articles_fts.rowid IN ` + in
			args = append([]any{s.expr}, args...)
		}
	} else {
		q = `SELECT a.id, a.canonical_url, a.title, a.source, a.language, a.published,
			CASE WHEN a.description != '' THEN substr(a.description, 1, ` + fmt.Sprint(excerptRunes) + `)
			ELSE substr(a.text, 1, ` + fmt.Sprint(excerptRunes) + `) END
			FROM articles a WHERE a.id IN ` + in
	}
	byID := make(map[int64]newsmon.SearchResult, len(page))
	err := queryEach(s.ctx, s.tx, q, args, func(rows *sql.Rows) error {
		var (
			r         newsmon.SearchResult
			published sql.NullInt64
			snippet   string
		)
		if err := rows.Scan(&r.ID, &r.URL, &r.Title, &r.Source, &r.Language, &published, &snippet); err != nil {
			return err
		}
		r.Published = timePtr(published)
		if s.expr != "" {
			r.Snippet = snippetHTML(snippet)
		} else {
			r.Snippet = storeutil.ExcerptHTML(snippet, excerptRunes)
		}
		r.Topics = []string{}
		byID[r.ID] = r
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range page {
		if r, ok := byID[m.id]; ok {
			r.Score = -m.score
			res.Results = append(res.Results, r)
		}
	}
	return nil
}

// pageTopics fills in the topics of the page's results.
func (s *searcher) pageTopics(res *newsmon.SearchResults) error {
	if len(res.Results) == 0 {
		return nil
	}
	ids := make([]int64, len(res.Results))
	byID := make(map[int64]int, len(res.Results))
	for i, r := range res.Results {
		ids[i] = r.ID
		byID[r.ID] = i
	}
	in, idArgs := inList(ids)
	return queryEach(s.ctx, s.tx, `SELECT article_id, topic FROM article_topics WHERE article_id IN `+in+
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
}

// idArray writes ids as a JSON array, for json_each: one argument however
// many IDs, where IN (?, ?, ...) would need a statement per length.
func idArray(ids []int64) string {
	b := make([]byte, 0, len(ids)*7+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// checkFilter validates the parts of a search filter every query shares,
// and returns the query as an FTS5 expression ("" for none).
func checkFilter(f newsmon.SearchFilter) (string, error) {
	expr, err := ftsQuery(f.Query)
	if err != nil {
		return "", err
	}
	if err := storeutil.CheckDates(f.Since, f.Until); err != nil {
		return "", err
	}
	return expr, nil
}

// filterConds returns the conditions of every part of f but the query,
// with their arguments, for a WHERE clause of SearchArticles,
// ExportArticles and Timeline. id is the expression of the article's id;
// the conditions on its columns name the articles table a, and
// needsArticle says whether there are any (a search can then leave the
// table out of its scan).
func filterConds(f newsmon.SearchFilter, id string) (where []string, args []any, needsArticle bool) {
	if f.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = "+id+" AND t.topic = ?)")
		args = append(args, f.Topic)
	}
	if p := strings.ToLower(strings.TrimSpace(f.Party)); p != "" {
		// party_key holds the lower-cased parties between separators
		// (partyKey), so a party matches whole, never a part of a name.
		where = append(where, "EXISTS (SELECT 1 FROM agreements g WHERE g.article_id = "+id+" AND instr(g.party_key, ?) > 0)")
		args = append(args, "\x1e"+p+"\x1e")
	}
	n := len(where)
	if f.Source != "" {
		where = append(where, "a.source = ?")
		args = append(args, f.Source)
	}
	if len(f.Sources) > 0 {
		where = append(where, "a.source IN "+placeholders(len(f.Sources)))
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
		args = append(args, toMicros(*f.Since))
	}
	if f.Until != nil {
		where = append(where, "coalesce(a.published, a.first_seen) <= ?")
		args = append(args, toMicros(*f.Until))
	}
	return where, args, len(where) > n
}

// dateConds returns the conditions of f.Since and f.Until alone, as
// filterConds writes them.
func dateConds(f newsmon.SearchFilter) ([]string, []any) {
	where, args, _ := filterConds(newsmon.SearchFilter{Since: f.Since, Until: f.Until}, "a.id")
	return where, args
}

// matchConds is filterConds with the query too, as a condition on a alone
// (no join that ranking would need).
func matchConds(f newsmon.SearchFilter, expr string) ([]string, []any) {
	where, args, _ := filterConds(f, "a.id")
	if expr != "" {
		where = append([]string{"a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"}, where...)
		args = append([]any{expr}, args...)
	}
	return where, args
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

// snippetHTML escapes a snippet from FTS5's snippet(), asked for the
// storeutil sentinels (char(2), char(3), char(30)), and turns them into
// <mark> elements and ellipses.
func snippetHTML(s string) string {
	return storeutil.SnippetHTML(s, "…", func(t string) string { return html.EscapeString(storeutil.StripControl(t)) })
}
