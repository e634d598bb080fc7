package postgres

// The lexer and parser of the user query language below are a copy of the
// SQLite store's (store/sqlite/query.go), kept identical so that both
// stores accept the same queries and reject the same ones with the same
// messages; only the compiler at the end differs (tsquery instead of an
// FTS5 expression). They belong in one shared parser once both stores can
// move to it.

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsmon/newsmon"
)

// Bounds on a user query, so a hostile one cannot make the database work
// hard.
const (
	maxQueryBytes = 1000
	maxQueryTerms = 64
	maxQueryDepth = 16
	minPrefixRune = 2
)

// parseQuery parses a user query (the language described at
// DB.SearchArticles). It returns nil for a blank query (every article
// matches), and an EINVALID *newsmon.Error saying what is wrong for a
// malformed one: the same errors, in the same words, as the SQLite store.
func parseQuery(q string) (*queryNode, error) {
	if len(q) > maxQueryBytes {
		return nil, invalidQuery("the query is too long (%d bytes, at most %d)", len(q), maxQueryBytes)
	}
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		if strings.TrimSpace(q) != "" {
			return nil, invalidQuery("the query has no words to search for, only punctuation")
		}
		return nil, nil
	}
	p := &queryParser{toks: toks}
	n, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, invalidQuery("unexpected ): it has no matching (")
	}
	if p.terms > maxQueryTerms {
		return nil, invalidQuery("the query has %d words, at most %d are allowed", p.terms, maxQueryTerms)
	}
	if n.kind == nodeNot {
		return nil, invalidQuery("the query only excludes words: add a word to search for")
	}
	if err := checkNegation(n); err != nil {
		return nil, err
	}
	return n, nil
}

func invalidQuery(format string, args ...any) error {
	return newsmon.Errorf(newsmon.EINVALID, "invalid query: "+format, args...)
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokTerm
	tokAnd
	tokOr
	tokNot
	tokOpen
	tokClose
)

type queryTok struct {
	kind   tokKind
	text   string // of a term
	phrase bool   // the term was in quotes
	prefix bool   // the term ended with *
}

// isTokenRune reports whether r belongs to a word (letters, numbers,
// private use) rather than separating words, as in the SQLite store.
func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}

func tokenRunes(s string) int {
	n := 0
	for _, r := range s {
		if isTokenRune(r) {
			n++
		}
	}
	return n
}

// lexQuery splits a query into terms, operators and parentheses.
func lexQuery(q string) ([]queryTok, error) {
	// Control characters and broken UTF-8 become spaces: they cannot be
	// part of a word and must not reach PostgreSQL.
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(q, " "))

	var toks []queryTok
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			toks = append(toks, queryTok{kind: tokOpen})
			i++
		case r == ')':
			toks = append(toks, queryTok{kind: tokClose})
			i++
		case r == '"':
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return nil, invalidQuery(`unclosed quote: add a closing "`)
			}
			text := q[i+1 : i+1+end]
			i += end + 2
			prefix := false
			for i < len(q) && q[i] == '*' {
				prefix = true
				i++
			}
			if strings.TrimSpace(text) == "" {
				return nil, invalidQuery(`empty phrase ""`)
			}
			if tokenRunes(text) == 0 {
				return nil, invalidQuery("the phrase %q has no words in it", text)
			}
			toks = append(toks, queryTok{kind: tokTerm, text: text, phrase: true, prefix: prefix})
		case r == '-':
			// A dash before a word, phrase or group excludes it; a dash
			// standing alone is punctuation.
			j := i
			for j < len(q) && q[j] == '-' {
				j++
			}
			if next, _ := utf8.DecodeRuneInString(q[j:]); j < len(q) && !unicode.IsSpace(next) && next != ')' {
				toks = append(toks, queryTok{kind: tokNot})
			}
			i = j
		default:
			j := i
			for j < len(q) {
				r, size := utf8.DecodeRuneInString(q[j:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
					break
				}
				j += size
			}
			word := q[i:j]
			i = j
			switch word {
			case "AND":
				toks = append(toks, queryTok{kind: tokAnd})
				continue
			case "OR":
				toks = append(toks, queryTok{kind: tokOr})
				continue
			case "NOT":
				toks = append(toks, queryTok{kind: tokNot})
				continue
			}
			prefix := strings.HasSuffix(word, "*")
			word = strings.TrimRight(word, "*")
			n := tokenRunes(word)
			switch {
			case prefix && n == 0:
				return nil, invalidQuery("* must follow a word, as in corrid*")
			case prefix && n < minPrefixRune:
				return nil, invalidQuery("the prefix %s* is too short: give at least %d letters", word, minPrefixRune)
			case n == 0:
				continue // punctuation only: nothing to search for
			}
			toks = append(toks, queryTok{kind: tokTerm, text: word, prefix: prefix})
		}
	}
	return toks, nil
}

type nodeKind int

const (
	nodeTerm nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot
)

type queryNode struct {
	kind nodeKind
	tok  queryTok // of a term
	kids []*queryNode
}

// queryParser is a recursive descent parser of the grammar
//
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }
//	unary   = "NOT" primary | primary
//	primary = term | "(" or ")"
type queryParser struct {
	toks  []queryTok
	pos   int
	terms int
}

func (p *queryParser) peek() queryTok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return queryTok{kind: tokEOF}
}

func (p *queryParser) next() queryTok {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

// startsOperand reports whether t can begin an operand.
func startsOperand(t queryTok) bool {
	return t.kind == tokTerm || t.kind == tokOpen || t.kind == tokNot
}

// missingOperand explains why t cannot begin an operand.
func missingOperand(t queryTok, depth int) error {
	switch t.kind {
	case tokAnd:
		return invalidQuery("AND needs a word on each side")
	case tokOr:
		return invalidQuery("OR needs a word on each side")
	case tokClose:
		if depth > 0 {
			return invalidQuery("empty parentheses ()")
		}
		return invalidQuery("unexpected ): it has no matching (")
	default:
		if depth > 0 {
			return invalidQuery("unbalanced parentheses: a ( is never closed, add a )")
		}
		return invalidQuery("the query has no words to search for")
	}
}

func (p *queryParser) parseOr(depth int) (*queryNode, error) {
	if !startsOperand(p.peek()) {
		return nil, missingOperand(p.peek(), depth)
	}
	first, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	kids := []*queryNode{first}
	for p.peek().kind == tokOr {
		p.next()
		if !startsOperand(p.peek()) {
			return nil, invalidQuery("OR needs a word on each side")
		}
		n, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &queryNode{kind: nodeOr, kids: kids}, nil
}

func (p *queryParser) parseAnd(depth int) (*queryNode, error) {
	first, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	kids := []*queryNode{first}
	for {
		if p.peek().kind == tokAnd {
			p.next()
			if !startsOperand(p.peek()) {
				return nil, invalidQuery("AND needs a word on each side")
			}
		} else if !startsOperand(p.peek()) {
			break
		}
		n, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &queryNode{kind: nodeAnd, kids: kids}, nil
}

func (p *queryParser) parseUnary(depth int) (*queryNode, error) {
	if p.peek().kind != tokNot {
		return p.parsePrimary(depth)
	}
	p.next()
	switch t := p.peek(); {
	case t.kind == tokNot:
		return nil, invalidQuery("NOT cannot follow NOT (or -)")
	case !startsOperand(t):
		return nil, invalidQuery("NOT (or -) needs a word after it")
	}
	kid, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	return &queryNode{kind: nodeNot, kids: []*queryNode{kid}}, nil
}

func (p *queryParser) parsePrimary(depth int) (*queryNode, error) {
	t := p.next()
	switch t.kind {
	case tokTerm:
		p.terms++
		return &queryNode{kind: nodeTerm, tok: t}, nil
	case tokOpen:
		if depth+1 > maxQueryDepth {
			return nil, invalidQuery("parentheses nested deeper than %d", maxQueryDepth)
		}
		n, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.next().kind != tokClose {
			return nil, invalidQuery("unbalanced parentheses: a ( is never closed, add a )")
		}
		return n, nil
	default:
		return nil, missingOperand(t, depth)
	}
}

// checkNegation rejects the places a NOT cannot stand, with the SQLite
// store's messages and in its order: joined by OR, or anywhere but inside
// an AND that also includes something.
func checkNegation(n *queryNode) error {
	switch n.kind {
	case nodeTerm:
		return nil
	case nodeOr:
		for _, k := range n.kids {
			if k.kind == nodeNot {
				return invalidQuery("OR cannot join an excluded word: write (a OR b) NOT c")
			}
			if err := checkNegation(k); err != nil {
				return err
			}
		}
		return nil
	case nodeAnd:
		include := 0
		for _, k := range n.kids {
			node := k
			if k.kind == nodeNot {
				node = k.kids[0]
			} else {
				include++
			}
			if err := checkNegation(node); err != nil {
				return err
			}
		}
		if include == 0 {
			return invalidQuery("the query only excludes words: add a word to search for")
		}
		return nil
	default:
		return invalidQuery("the query only excludes words: add a word to search for")
	}
}

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
func compileQuery(n *queryNode, args *sqlArgs) tsQuery {
	params := make(map[*queryNode]string)
	var collect func(*queryNode)
	collect = func(n *queryNode) {
		if n.kind == nodeTerm {
			if n.tok.prefix {
				params[n] = args.add(prefixTSQuery(n.tok.text))
			} else {
				params[n] = args.add(n.tok.text)
			}
			return
		}
		for _, k := range n.kids {
			collect(k)
		}
	}
	collect(n)
	build := func(config string) string {
		var b func(*queryNode) string
		b = func(n *queryNode) string {
			switch n.kind {
			case nodeTerm:
				if n.tok.prefix {
					return "to_tsquery('" + config + "', " + params[n] + ")"
				}
				return "phraseto_tsquery('" + config + "', " + params[n] + ")"
			case nodeOr:
				parts := make([]string, len(n.kids))
				for i, k := range n.kids {
					parts[i] = b(k)
				}
				return "(" + strings.Join(parts, " || ") + ")"
			case nodeAnd:
				var include, exclude []string
				for _, k := range n.kids {
					if k.kind == nodeNot {
						exclude = append(exclude, b(k.kids[0]))
					} else {
						include = append(include, b(k))
					}
				}
				s := strings.Join(include, " && ")
				if len(exclude) > 0 {
					s += " && !!(" + strings.Join(exclude, " || ") + ")"
				}
				return "(" + s + ")"
			default: // checkNegation let no other NOT through
				return "!!" + b(n.kids[0])
			}
		}
		return b(n)
	}
	return tsQuery{english: build(configEnglish), russian: build(configRussian), simple: build(configSimple)}
}

// prefixTSQuery writes a prefix term in tsquery syntax: its words (runs of
// letters and digits, the only characters that get through) quoted and
// joined by <->, the last one with :*.
func prefixTSQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !isTokenRune(r) })
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
