package sqlite

import (
	"context"
	"testing"

	"github.com/newsmon/newsmon"
)

func TestFTSQuery(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"empty", "   ", ""},
		{"word", "Aktau", `"Aktau"`},
		{"words", "Middle Corridor", `(("Middle" AND "Corridor"))`},
		{"phrase", `"Middle Corridor"`, `"Middle Corridor"`},
		{"or binds looser than and", "a b OR c", `((("a" AND "b")) OR "c")`},
		{"explicit and", "a AND b", `(("a" AND "b"))`},
		{"not", "a NOT b", `(("a") NOT ("b"))`},
		{"minus", "a -b -c", `(("a") NOT ("b" OR "c"))`},
		{"minus first", "-b a", `(("a") NOT ("b"))`},
		{"minus group", "a -(b OR c)", `(("a") NOT (("b" OR "c")))`},
		{"prefix", "corrid*", `"corrid"*`},
		{"phrase prefix", `"middle corr"*`, `"middle corr"*`},
		{"hyphen inside word", "Баку-Тбилиси-Джейхан", `"Баку-Тбилиси-Джейхан"`},
		{"lone dash", "Baku - Ceyhan", `(("Baku" AND "Ceyhan"))`},
		{"engine syntax quoted", `title:x NEAR(a b) ^c`, `(("title:x" AND "NEAR" AND (("a" AND "b")) AND "^c"))`},
		{"control characters", "a\x00b\x02c", `(("a" AND "b" AND "c"))`},
		{"group in not", "(NOT b) a", `(("a") NOT ("b"))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ftsQuery(tt.query)
			if err != nil {
				t.Fatalf("ftsQuery(%q): %v", tt.query, err)
			}
			if got != tt.want {
				t.Errorf("ftsQuery(%q) = %s, want %s", tt.query, got, tt.want)
			}
		})
	}
}

// FuzzSearchQuery checks that no query, however odd, reaches SQLite as
// anything but a valid expression: SearchArticles answers or says EINVALID.
func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{
		`"Middle Corridor" OR BTC -gas`, `(a OR (b c*)) NOT "d e"*`, `"`, `(`, `)`, `-`, `*`,
		`NOT`, `a OR`, `title:x`, `NEAR(a b, 2)`, `a AND NOT b`, "\x00\"", `Баку-Тбилиси-Джейхан`,
		`"a""b"`, `a*b*`, `-"x"`, `--a b`, `a (-b)`, `{a b}`, `a:b:c`, `+a`, `a^b`,
	} {
		f.Add(seed)
	}
	db := openTemp(f)
	f.Cleanup(func() { db.Close() })
	ctx := context.Background()
	a := newsmon.Article{URL: "https://x.example/a", Title: "Middle Corridor", Text: "BTC gas pipeline a b c d e", IsArticle: true}
	if _, err := db.SaveArticle(ctx, &a, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		_, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: q})
		if err != nil && newsmon.ErrorCode(err) != newsmon.EINVALID {
			t.Fatalf("SearchArticles(%q): %v", q, err)
		}
		if err != nil && newsmon.ErrorMessage(err) == engineRejected {
			t.Fatalf("SearchArticles(%q): ftsQuery let through an expression FTS5 rejects", q)
		}
	})
}
