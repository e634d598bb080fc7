package newsmon

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The user query language (SearchFilter.Query, a search alert rule's
// query) is parsed here, once for every store, so that all of them accept
// the same queries and reject the same ones with the same messages; each
// store compiles the parsed Query into its own engine's syntax (an FTS5
// expression, a tsquery).

// Bounds on a user query, so a hostile one cannot make the database work
// hard.
const (
	maxQueryBytes = 1000
	maxQueryTerms = 64
	maxQueryDepth = 16
	minPrefixRune = 2
)

// Query is a parsed user query: a term, or an operator over others.
type Query struct {
	Op QueryOp
	// Of a QueryTerm: the word or phrase as written (without quotes or
	// the trailing *), whether it was quoted, and whether it ended with *
	// (its last word is a prefix).
	Text   string
	Phrase bool
	Prefix bool
	// Of QueryAnd and QueryOr, two or more; of QueryNot, one.
	Kids []*Query
}

// QueryOp says what a Query node is.
type QueryOp int

const (
	QueryTerm QueryOp = iota
	QueryAnd
	QueryOr
	QueryNot
)

// ParseQuery parses a user query: words, "phrases", AND, OR, NOT (or -),
// prefix*, parentheses; the stores' SearchArticles describe it in full. It
// returns nil for a blank query (every article matches), and an EINVALID
// *Error saying what is wrong for a malformed one.
//
// A QueryNot in the result is always a kid of a QueryAnd that has at least
// one kid that is not a QueryNot, since no engine can search for "not x"
// alone: so a store compiles a QueryAnd as its included kids minus its
// excluded ones.
func ParseQuery(q string) (*Query, error) {
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
	if n.Op == QueryNot {
		return nil, invalidQuery("the query only excludes words: add a word to search for")
	}
	if err := checkNegation(n); err != nil {
		return nil, err
	}
	return n, nil
}

// Words returns the words of a term: its runs of letters, numbers and
// private-use characters, which every store's tokenizer keeps in a word.
func (q *Query) Words() []string {
	return strings.FieldsFunc(q.Text, func(r rune) bool { return !isTokenRune(r) })
}

func invalidQuery(format string, args ...any) error {
	return Errorf(EINVALID, "invalid query: "+format, args...)
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
// private use) rather than separating words: what SQLite's unicode61
// tokenizer keeps in a word, and what the PostgreSQL store lets into a
// prefix.
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
	// part of a word and must not reach a database.
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

func (p *queryParser) parseOr(depth int) (*Query, error) {
	if !startsOperand(p.peek()) {
		return nil, missingOperand(p.peek(), depth)
	}
	first, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	kids := []*Query{first}
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
	return &Query{Op: QueryOr, Kids: kids}, nil
}

func (p *queryParser) parseAnd(depth int) (*Query, error) {
	first, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	kids := []*Query{first}
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
	return &Query{Op: QueryAnd, Kids: kids}, nil
}

func (p *queryParser) parseUnary(depth int) (*Query, error) {
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
	return &Query{Op: QueryNot, Kids: []*Query{kid}}, nil
}

func (p *queryParser) parsePrimary(depth int) (*Query, error) {
	t := p.next()
	switch t.kind {
	case tokTerm:
		p.terms++
		return &Query{Op: QueryTerm, Text: t.text, Phrase: t.phrase, Prefix: t.prefix}, nil
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

// checkNegation rejects the places a NOT cannot stand: joined by OR, or
// anywhere but inside an AND that also includes something.
func checkNegation(n *Query) error {
	switch n.Op {
	case QueryTerm:
		return nil
	case QueryOr:
		for _, k := range n.Kids {
			if k.Op == QueryNot {
				return invalidQuery("OR cannot join an excluded word: write (a OR b) NOT c")
			}
			if err := checkNegation(k); err != nil {
				return err
			}
		}
		return nil
	case QueryAnd:
		include := 0
		for _, k := range n.Kids {
			node := k
			if k.Op == QueryNot {
				node = k.Kids[0]
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
