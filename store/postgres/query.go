package postgres

import (
	"fmt"
	"strings"

	"github.com/newsmon/newsmon"
)

// The text search configurations of 0001_init.sql.
const (
	configEnglish = "newsmon_english"
	configRussian = "newsmon_russian"
	configSimple  = "newsmon_simple"
)

// textConfig returns the text search configuration for an article in
// language lang (a code such as en, ru, en-GB).
func textConfig(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	switch lang {
	case "en", "eng", "english":
		return configEnglish
	case "ru", "rus", "russian":
		return configRussian
	}
	return configSimple
}

// sqlArgs collects the arguments of a statement built piece by piece.
type sqlArgs struct{ vals []any }

// add appends v and returns its placeholder.
func (a *sqlArgs) add(v any) string {
	a.vals = append(a.vals, v)
	return fmt.Sprintf("$%d", len(a.vals))
}

// tsQuery is a parsed query compiled to SQL: one tsquery expression per
// text search configuration, over parameters added to the statement's
// arguments.
type tsQuery struct {
	english, russian, simple string
}

// compileQuery adds the terms of n to args and returns the tsquery
// expressions that match it in each configuration. No user text becomes
// tsquery syntax: a word or phrase is phraseto_tsquery of the text as
// given; a prefix is to_tsquery of its letters and digits, quoted, with :*
// on the last word.
func compileQuery(n *newsmon.Query, args *sqlArgs) tsQuery {
	params := make(map[*newsmon.Query]string)
	var collect func(*newsmon.Query)
	collect = func(n *newsmon.Query) {
		if n.Op == newsmon.QueryTerm {
			if n.Prefix {
				params[n] = args.add(prefixTSQuery(n))
			} else {
				params[n] = args.add(n.Text)
			}
			return
		}
		for _, k := range n.Kids {
			collect(k)
		}
	}
	collect(n)
	build := func(config string) string {
		var b func(*newsmon.Query) string
		b = func(n *newsmon.Query) string {
			switch n.Op {
			case newsmon.QueryTerm:
				if n.Prefix {
					return "to_tsquery('" + config + "', " + params[n] + ")"
				}
				return "phraseto_tsquery('" + config + "', " + params[n] + ")"
			case newsmon.QueryOr:
				parts := make([]string, len(n.Kids))
				for i, k := range n.Kids {
					parts[i] = b(k)
				}
				return "(" + strings.Join(parts, " || ") + ")"
			case newsmon.QueryAnd:
				var include, exclude []string
				for _, k := range n.Kids {
					if k.Op == newsmon.QueryNot {
						exclude = append(exclude, b(k.Kids[0]))
					} else {
						include = append(include, b(k))
					}
				}
				s := strings.Join(include, " && ")
				if len(exclude) > 0 {
					s += " && !!(" + strings.Join(exclude, " || ") + ")"
				}
				return "(" + s + ")"
			default: // ParseQuery lets no other NOT through
				return "!!" + b(n.Kids[0])
			}
		}
		return b(n)
	}
	return tsQuery{english: build(configEnglish), russian: build(configRussian), simple: build(configSimple)}
}

// prefixTSQuery writes a prefix term in tsquery syntax: its words (runs of
// letters and digits, the only characters that get through) quoted and
// joined by <->, the last one with :*.
func prefixTSQuery(n *newsmon.Query) string {
	words := n.Words()
	for i, w := range words {
		words[i] = "'" + w + "'"
	}
	return strings.Join(words, " <-> ") + ":*"
}

// match returns the condition that article a (the alias) matches q: each
// article is matched with the query compiled for its own configuration.
// The three arms each use the GIN index.
func (q tsQuery) match() string {
	return "((a.fts_config = '" + configEnglish + "'::regconfig AND a.search @@ " + q.english + ")" +
		" OR (a.fts_config = '" + configRussian + "'::regconfig AND a.search @@ " + q.russian + ")" +
		" OR (a.fts_config = '" + configSimple + "'::regconfig AND a.search @@ " + q.simple + "))"
}

// forArticle returns the tsquery of q for article a's configuration.
func (q tsQuery) forArticle() string {
	return "(CASE a.fts_config WHEN '" + configEnglish + "'::regconfig THEN " + q.english +
		" WHEN '" + configRussian + "'::regconfig THEN " + q.russian + " ELSE " + q.simple + " END)"
}
