package sqlite

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsmon/newsmon"
)

// Bounds on a user query, so a hostile one cannot make FTS5 work hard.
const (
	maxQueryBytes = 1000
	maxQueryTerms = 64
	maxQueryDepth = 16
	minPrefixRune = 2
)

// ftsQuery translates a user query (the language described at
// DB.SearchArticles) into an FTS5 MATCH expression in which every word and
// phrase is a quoted FTS5 string, so no user text reaches FTS5 as syntax.
// It returns "" for a blank query (every article matches), and an
// EINVALID *newsmon.Error saying what is wrong for a malformed one.
func ftsQuery(q string) (string, error) {
	if len(q) > maxQueryBytes {
		return "", invalidQuery("the query is too long (%d bytes, at most %d)", len(q), maxQueryBytes)
	}
	toks, err := lexQuery(q)
	if err != nil {
		return "", err
	}
	if len(toks) == 0 {
		if strings.TrimSpace(q) != "" {
			return "", invalidQuery("the query has no words to search for, only punctuation")
		}
		return "", nil
	}
	p := &queryParser{toks: toks}
	n, err := p.parseOr(0)
	if err != nil {
		return "", err
	}
	if p.peek().kind != tokEOF {
		return "", invalidQuery("unexpected ): it has no matching (")
	}
	if p.terms > maxQueryTerms {
		return "", invalidQuery("the query has %d words, at most %d are allowed", p.terms, maxQueryTerms)
	}
	if n.kind == nodeNot {
		return "", invalidQuery("the query only excludes words: add a word to search for")
	}
	return compileQuery(n)
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

// isTokenRune reports whether FTS5's unicode61 tokenizer keeps r in a word
// (letters, numbers, private use) rather than treating it as a separator.
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
	// part of a word and must not reach SQLite.
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

// compileQuery writes n as an FTS5 expression with explicit parentheses,
// since FTS5 binds NOT tighter than AND and AND tighter than OR.
func compileQuery(n *queryNode) (string, error) {
	switch n.kind {
	case nodeTerm:
		s := `"` + strings.ReplaceAll(n.tok.text, `"`, `""`) + `"`
		if n.tok.prefix {
			s += "*"
		}
		return s, nil
	case nodeOr:
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			if k.kind == nodeNot {
				return "", invalidQuery("OR cannot join an excluded word: write (a OR b) NOT c")
			}
			s, err := compileQuery(k)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case nodeAnd:
		var include, exclude []string
		for _, k := range n.kids {
			target, node := &include, k
			if k.kind == nodeNot {
				target, node = &exclude, k.kids[0]
			}
			s, err := compileQuery(node)
			if err != nil {
				return "", err
			}
			*target = append(*target, s)
		}
		if len(include) == 0 {
			return "", invalidQuery("the query only excludes words: add a word to search for")
		}
		s := "(" + strings.Join(include, " AND ") + ")"
		if len(exclude) > 0 {
			s += " NOT (" + strings.Join(exclude, " OR ") + ")"
		}
		return "(" + s + ")", nil
	default: // a NOT anywhere but inside an AND
		return "", invalidQuery("the query only excludes words: add a word to search for")
	}
}

// MatchExpression returns the FTS5 MATCH expression SearchArticles runs for
// a user query ("" for a blank one), or the EINVALID error it returns. It
// is for tools that compare the store's search with bare SQL on the same
// file (bench/search).
func MatchExpression(query string) (string, error) { return ftsQuery(query) }
