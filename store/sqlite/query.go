package sqlite

import (
	"strings"

	"github.com/newsmon/newsmon"
)

// ftsQuery translates a user query (the language described at
// DB.SearchArticles, parsed by newsmon.ParseQuery) into an FTS5 MATCH
// expression in which every word and phrase is a quoted FTS5 string, so no
// user text reaches FTS5 as syntax. It returns "" for a blank query (every
// article matches), and ParseQuery's EINVALID error for a malformed one.
func ftsQuery(q string) (string, error) {
	n, err := newsmon.ParseQuery(q)
	if err != nil || n == nil {
		return "", err
	}
	return compileQuery(n), nil
}

// compileQuery writes n as an FTS5 expression with explicit parentheses,
// since FTS5 binds NOT tighter than AND and AND tighter than OR.
func compileQuery(n *newsmon.Query) string {
	switch n.Op {
	case newsmon.QueryTerm:
		s := `"` + strings.ReplaceAll(n.Text, `"`, `""`) + `"`
		if n.Prefix {
			s += "*"
		}
		return s
	case newsmon.QueryOr:
		parts := make([]string, len(n.Kids))
		for i, k := range n.Kids {
			parts[i] = compileQuery(k)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	case newsmon.QueryAnd:
		var include, exclude []string
		for _, k := range n.Kids {
			if k.Op == newsmon.QueryNot {
				exclude = append(exclude, compileQuery(k.Kids[0]))
			} else {
				include = append(include, compileQuery(k))
			}
		}
		s := "(" + strings.Join(include, " AND ") + ")"
		if len(exclude) > 0 {
			s += " NOT (" + strings.Join(exclude, " OR ") + ")"
		}
		return "(" + s + ")"
	default:
		// ParseQuery lets no NOT through outside an AND that includes
		// something; FTS5 rejects a bare NOT, which SearchArticles
		// would report as EINVALID.
		return "NOT " + compileQuery(n.Kids[0])
	}
}

// MatchExpression returns the FTS5 MATCH expression SearchArticles runs for
// a user query ("" for a blank one), or the EINVALID error it returns. It
// is for tools that compare the store's search with bare SQL on the same
// file (bench/search).
func MatchExpression(query string) (string, error) { return ftsQuery(query) }
