package newsmon

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// queryString writes q compactly for comparison: terms as written, with
// quotes and * as given, operators as (AND ...), (OR ...), (NOT ...).
func queryString(q *Query) string {
	if q == nil {
		return "<nil>"
	}
	switch q.Op {
	case QueryTerm:
		s := q.Text
		if q.Phrase {
			s = `"` + s + `"`
		}
		if q.Prefix {
			s += "*"
		}
		return s
	case QueryAnd, QueryOr, QueryNot:
		parts := []string{map[QueryOp]string{QueryAnd: "AND", QueryOr: "OR", QueryNot: "NOT"}[q.Op]}
		for _, k := range q.Kids {
			parts = append(parts, queryString(k))
		}
		return "(" + strings.Join(parts, " ") + ")"
	default:
		return fmt.Sprintf("<op %d>", q.Op)
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"empty", "   ", "<nil>"},
		{"word", "Aktau", "Aktau"},
		{"words", "Middle Corridor", "(AND Middle Corridor)"},
		{"phrase", `"Middle Corridor"`, `"Middle Corridor"`},
		{"or binds looser than and", "a b OR c", "(OR (AND a b) c)"},
		{"explicit and", "a AND b", "(AND a b)"},
		{"not", "a NOT b", "(AND a (NOT b))"},
		{"minus", "a -b -c", "(AND a (NOT b) (NOT c))"},
		{"minus first", "-b a", "(AND (NOT b) a)"},
		{"minus group", "a -(b OR c)", "(AND a (NOT (OR b c)))"},
		{"prefix", "corrid*", "corrid*"},
		{"phrase prefix", `"middle corr"*`, `"middle corr"*`},
		{"hyphen inside word", "Баку-Тбилиси-Джейхан", "Баку-Тбилиси-Джейхан"},
		{"lone dash", "Baku - Ceyhan", "(AND Baku Ceyhan)"},
		{"engine syntax is words", `title:x NEAR(a b) ^c`, "(AND title:x NEAR (AND a b) ^c)"},
		{"control characters", "a\x00b\x02c", "(AND a b c)"},
		{"lower-case operators are words", "a and b or c", "(AND a and b or c)"},
		{"group in not", "(NOT b) a", "(AND (NOT b) a)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			if s := queryString(got); s != tt.want {
				t.Errorf("ParseQuery(%q) = %s, want %s", tt.query, s, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		name, query, says string // says: a part of the message
	}{
		{"unclosed quote", `"a b`, "closing"},
		{"missing paren", `(a b`, "add a )"},
		{"extra paren", `a b)`, "no matching ("},
		{"empty parens", `a ()`, "empty parentheses"},
		{"dangling or", `a OR`, "OR needs"},
		{"leading or", `OR a`, "OR needs"},
		{"dangling and", `a AND`, "AND needs"},
		{"dangling not", `a NOT`, "NOT (or -) needs"},
		{"double not", `a NOT NOT b`, "NOT cannot follow NOT"},
		{"only not", `NOT a`, "only excludes"},
		{"only minus in group", `(-a)`, "only excludes"},
		{"only minus in and", `-a -b`, "only excludes"},
		{"or with not", `a OR NOT b`, "OR cannot join"},
		{"bare star", `*`, "must follow a word"},
		{"short prefix", `a*`, "too short"},
		{"empty phrase", `""`, "empty phrase"},
		{"phrase of punctuation", `"—"`, "no words in it"},
		{"punctuation only", "— & …", "only punctuation"},
		{"too long", strings.Repeat("word ", 201), "too long"},
		{"too many words", strings.Repeat("w ", maxQueryTerms+1), "at most"},
		{"too deep", strings.Repeat("(", maxQueryDepth+1) + "a" + strings.Repeat(")", maxQueryDepth+1), "nested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.query)
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseQuery(%q) = %s, %v; want EINVALID", tt.query, queryString(got), err)
			}
			if msg := ErrorMessage(err); !strings.HasPrefix(msg, "invalid query: ") || !strings.Contains(msg, tt.says) {
				t.Errorf("message %q does not say %q", msg, tt.says)
			}
		})
	}
}

func TestQueryWords(t *testing.T) {
	q, err := ParseQuery(`"Баку-Тбилиси, Ceyhan 2026"*`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Words(), []string{"Баку", "Тбилиси", "Ceyhan", "2026"}; !slices.Equal(got, want) {
		t.Errorf("Words() = %q, want %q", got, want)
	}
}

// FuzzParseQuery checks that every query either parses into a tree the
// stores can compile (a NOT only inside an AND that includes something)
// or is EINVALID, and never panics.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		`"Middle Corridor" OR BTC -gas`, `(a OR (b c*)) NOT "d e"*`, `"`, `(`, `)`, `-`, `*`,
		`NOT`, `a OR`, `a AND NOT b`, "\x00\"", `--a b`, `a (-b)`, `(-a) b`, `a OR (b -c)`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseQuery(%q): %v", s, err)
			}
			return
		}
		if q == nil {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("ParseQuery(%q) = nil", s)
			}
			return
		}
		var check func(*Query, bool)
		check = func(n *Query, inAnd bool) {
			switch n.Op {
			case QueryTerm:
				if len(n.Words()) == 0 {
					t.Fatalf("ParseQuery(%q): term %q has no words", s, n.Text)
				}
			case QueryNot:
				if !inAnd || len(n.Kids) != 1 {
					t.Fatalf("ParseQuery(%q) = %s: NOT outside an AND", s, queryString(q))
				}
				check(n.Kids[0], false)
			case QueryAnd, QueryOr:
				include := 0
				for _, k := range n.Kids {
					if k.Op != QueryNot {
						include++
					}
					check(k, n.Op == QueryAnd)
				}
				if len(n.Kids) < 2 || include == 0 {
					t.Fatalf("ParseQuery(%q) = %s: bad %s", s, queryString(q), queryString(n))
				}
			default:
				t.Fatalf("ParseQuery(%q): op %d", s, n.Op)
			}
		}
		check(q, false)
	})
}
