package storeutil

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/newsmon/newsmon"
)

func escape(s string) string { return html.EscapeString(StripControl(s)) }

func TestSnippetHTML(t *testing.T) {
	tests := []struct {
		name, in, ellipsis string
		text               func(string) string
		want               string
	}{
		{"marks", "a \x02b\x03 <c>", "…", escape, "a <mark>b</mark> &lt;c&gt;"},
		{"ellipsis", "\x1ea\x1eb", " … ", escape, " … a … b"},
		{"unclosed mark", "a \x02b", "…", escape, "a <mark>b</mark>"},
		{"stray close and double open", "\x03a\x02\x02b\x03\x03c", "…", escape, "a<mark>b</mark>c"},
		{"control characters", "a\x01\tb\x7f", "…", escape, "a b"},
		{"escaped by the engine", "&lt;\x02x\x03", "…", StripControl, "&lt;<mark>x</mark>"},
		{"multi-byte text", "Баку\x02Джейхан\x03…", "…", escape, "Баку<mark>Джейхан</mark>…"},
		{"empty", "", "…", escape, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SnippetHTML(tt.in, tt.ellipsis, tt.text); got != tt.want {
				t.Errorf("SnippetHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExcerptHTML(t *testing.T) {
	if got, want := ExcerptHTML("a <b>\n", 10), "a &lt;b&gt; "; got != want {
		t.Errorf("short: %q, want %q", got, want)
	}
	long := strings.Repeat("word ", 4) + "end"
	if got, want := ExcerptHTML(long, len([]rune(long))), "word word word word…"; got != want {
		t.Errorf("cut: %q, want %q", got, want)
	}
	if got, want := ExcerptHTML("abcdefgh\xff", 8), "abcdefgh…"; got != want {
		t.Errorf("no space, broken UTF-8: %q, want %q", got, want)
	}
}

func TestCheckArticle(t *testing.T) {
	long := "https://x.example/" + strings.Repeat("a", 100)
	for _, tt := range []struct {
		name   string
		a      *newsmon.Article
		maxURL int
		says   string // "" for none
	}{
		{"fine", &newsmon.Article{URL: "https://x.example/a"}, 0, ""},
		{"nil", nil, 0, "no article"},
		{"no URL", &newsmon.Article{Title: "t"}, 0, "neither a URL"},
		{"long URL, no limit", &newsmon.Article{URL: long}, 0, ""},
		{"long URL", &newsmon.Article{URL: "u", CanonicalURL: long}, 50, "a URL over 50 bytes"},
		{"text", &newsmon.Article{URL: "u", Text: strings.Repeat("x", MaxTextBytes+1)}, 0, "text of"},
		{"mentions", &newsmon.Article{URL: "u", Mentions: make([]newsmon.Mention, MaxMentions+1)}, 0, "mentions is over"},
		{"agreements", &newsmon.Article{URL: "u", Agreements: make([]newsmon.Agreement, MaxAgreements+1)}, 0, "agreements is over"},
		{"topics", &newsmon.Article{URL: "u", Topics: make([]string, MaxTopics+1)}, 0, "topics is over"},
	} {
		err := CheckArticle(tt.a, tt.maxURL)
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.says != "" && (newsmon.ErrorCode(err) != newsmon.EINVALID || !strings.Contains(newsmon.ErrorMessage(err), tt.says)):
			t.Errorf("%s: %v, want EINVALID saying %q", tt.name, err, tt.says)
		}
	}
}

func TestGroupWrites(t *testing.T) {
	ws := make([]newsmon.ArticleWrite, MaxBatchArticles+10)
	for i := range ws {
		ws[i].Article = &newsmon.Article{URL: fmt.Sprint("https://x.example/", i)}
	}
	ws[3].Article = nil
	half := strings.Repeat("x", MaxBatchBytes/2) // shared by the three
	ws[20].Article.Text, ws[21].Article.Text, ws[22].Article.Text = half, half, half
	results := make([]newsmon.SaveResult, len(ws))
	var batches [][]int
	check := func(a *newsmon.Article) error {
		if a == nil {
			return newsmon.Errorf(newsmon.EINVALID, "no article")
		}
		return nil
	}
	GroupWrites(ws, results, check, func(idx []int) { batches = append(batches, slices.Clone(idx)) })
	if results[3].Err == nil {
		t.Error("the nil article has no error")
	}
	var seen []int
	for i, b := range batches {
		size := 0
		for _, j := range b {
			size += len(ws[j].Article.Text)
		}
		if len(b) == 0 || len(b) > MaxBatchArticles || len(b) > 1 && size > MaxBatchBytes {
			t.Errorf("batch %d: %d articles, %d bytes", i, len(b), size)
		}
		seen = append(seen, b...)
	}
	// 0-21 fill the bytes exactly; 22 would overflow them and starts the
	// next batch.
	if len(batches) != 2 || batches[1][0] != 22 || len(batches[0]) != 21 {
		t.Errorf("%d batches, the second starting at %d with %d articles", len(batches), batches[1][0], len(batches[1]))
	}
	var want []int
	for i := range ws {
		if i != 3 {
			want = append(want, i)
		}
	}
	if !slices.Equal(seen, want) {
		t.Errorf("saved %v, want every valid write once, in order", seen)
	}

	many := make([]newsmon.ArticleWrite, MaxBatchArticles+1)
	for i := range many {
		many[i].Article = &newsmon.Article{URL: "u"}
	}
	var sizes []int
	GroupWrites(many, make([]newsmon.SaveResult, len(many)), check, func(idx []int) { sizes = append(sizes, len(idx)) })
	if !slices.Equal(sizes, []int{MaxBatchArticles, 1}) {
		t.Errorf("batches of %v articles, want %d and 1", sizes, MaxBatchArticles)
	}
}

func TestBoundKinds(t *testing.T) {
	kinds := map[string]int{"": 3, "neg": -1, strings.Repeat("é", 40): 2, "a\x00b": 1}
	for i := range 2 * MaxRunErrorKinds {
		kinds[fmt.Sprint("k", i)] = 1
	}
	got := BoundKinds(kinds, func(s string) string { return strings.ReplaceAll(s, "\x00", "") })
	if len(got) != MaxRunErrorKinds {
		t.Errorf("kept %d kinds, want %d", len(got), MaxRunErrorKinds)
	}
	for k, n := range got {
		if k == "" || n <= 0 || len(k) > MaxErrorKindBytes || !utf8.ValidString(k) || strings.Contains(k, "\x00") {
			t.Errorf("kept %q: %d", k, n)
		}
	}
	if got := Clip("ééé", 5); got != "éé" {
		t.Errorf("Clip = %q", got)
	}
}

func TestMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
		"m/README":     {Data: []byte("not one")},
	}
	ms, err := Migrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0] != (Migration{"0001_a.sql", "A"}) || ms[1].Name != "0002_b.sql" {
		t.Fatalf("Migrations = %v", ms)
	}
	pending, err := PendingMigrations(ms, map[string]bool{"0001_a.sql": true})
	if err != nil || len(pending) != 1 || pending[0].Name != "0002_b.sql" {
		t.Errorf("pending %v, %v", pending, err)
	}
	_, err = PendingMigrations(ms, map[string]bool{"0003_c.sql": true})
	if newsmon.ErrorCode(err) != newsmon.EINVALID || !strings.Contains(newsmon.ErrorMessage(err), "0003_c.sql") {
		t.Errorf("an unknown applied migration: %v", err)
	}
}

func TestRuleSet(t *testing.T) {
	var s RuleSet[*newsmon.AlertRule]
	name := func(r *newsmon.AlertRule) string { return r.Name }
	if _, ok := s.Find("a", name); ok || s.Lease(time.Minute) != time.Minute {
		t.Fatal("an empty set finds a rule or has a lease")
	}
	s.Set([]*newsmon.AlertRule{{Name: "a"}, {Name: "b"}})
	if r, ok := s.Find("b", name); !ok || r.Name != "b" || len(s.Get()) != 2 {
		t.Errorf("Find(b) = %v, %v", r, ok)
	}
	s.SetLease(time.Second)
	if got := s.Lease(time.Minute); got != time.Second {
		t.Errorf("Lease = %v, want the one set", got)
	}
}

func TestSearchChecks(t *testing.T) {
	for in, want := range map[int]int{-1: DefaultSearchLimit, 0: DefaultSearchLimit, 7: 7, MaxSearchLimit + 1: MaxSearchLimit} {
		if got := SearchLimit(in); got != want {
			t.Errorf("SearchLimit(%d) = %d, want %d", in, got, want)
		}
	}
	a, b := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	if CheckDates(&a, &b) != nil || CheckDates(nil, &a) != nil || CheckDates(&b, nil) != nil {
		t.Error("good dates refused")
	}
	if err := CheckDates(&b, &a); newsmon.ErrorCode(err) != newsmon.EINVALID || !strings.Contains(newsmon.ErrorMessage(err), "2026-02-01") {
		t.Errorf("since after until: %v", err)
	}
	for _, r := range []*newsmon.Run{nil, {Status: newsmon.RunDone}, {ID: 1, Status: newsmon.RunRunning}} {
		if newsmon.ErrorCode(CheckFinishRun(r)) != newsmon.EINVALID {
			t.Errorf("CheckFinishRun(%+v) is not EINVALID", r)
		}
	}
	if err := CheckFinishRun(&newsmon.Run{ID: 1, Status: newsmon.RunCut}); err != nil {
		t.Error(err)
	}
}
