package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

// newsWords are common words of English news copy; benchVocabulary adds
// made-up names and rarer words built from syllables, so that a generated
// text has the long tail of distinct terms a real article has.
var newsWords = strings.Fields(`the of and to in a for on that is said with was by as at from
	it has be are have will its an were not this which but their they been also more after
	who one year government minister president agreement project corridor railway port oil gas
	pipeline energy trade transport cargo container route ministry cooperation development
	investment billion million percent country countries region regional international
	national foreign economic security border capital meeting talks signed memorandum
	deputy official officials company companies bank fund construction capacity tonnes
	freight terminal logistics shipping sea caspian black central asia europe china turkey
	kazakhstan azerbaijan georgia uzbekistan russia iran route customs tariff infrastructure
	electricity cable grid renewable solar wind hydropower water agriculture wheat export
	import exports imports growth market markets price prices week month day today yesterday
	statement spokesman according reported agency news summit visit delegation parliament
	law ratified plans planned new first last two three next second over under between
	through during against about into would could should may can must all other such only`)

// benchVocabulary returns the words articles are written from: newsWords
// first (the frequent ones) and then n made-up words.
func benchVocabulary(n int) []string {
	syllables := strings.Fields("ka ra li to me sa an or ul bek ist ov ev in ash ta gor vi du ne")
	r := rand.New(rand.NewPCG(1, 2))
	words := append([]string(nil), newsWords...)
	for range n {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		words = append(words, b.String())
	}
	return words
}

var benchWords = benchVocabulary(30000)

// newsText returns about textBytes of text drawn from benchWords with a
// Zipf distribution, in sentences and paragraphs, seeded by seed.
func newsText(seed uint64, textBytes int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(benchWords)-1))
	var b strings.Builder
	b.Grow(textBytes + 64)
	words := 0
	for b.Len() < textBytes {
		w := benchWords[zipf.Uint64()]
		if words == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		words++
		switch {
		case words > 8 && r.IntN(12) == 0:
			b.WriteString(".")
			words = 0
			if r.IntN(6) == 0 {
				b.WriteString("\n\n")
				continue
			}
		case r.IntN(15) == 0:
			b.WriteString(",")
		}
		b.WriteString(" ")
	}
	return b.String()
}

// benchArticle is article i of a benchmark: a 60 KB news text with a few
// mentions, topics and an agreement.
func benchArticle(i int, text string) *newsmon.Article {
	a := &newsmon.Article{
		Source: "bench", URL: fmt.Sprintf("https://bench.example/news/%d", i),
		Title:    fmt.Sprintf("Caspian freight corridor report %d", i),
		Language: "en", Text: text, IsArticle: true, Topics: []string{"corridor", "energy"},
		Agreements: []newsmon.Agreement{{Instrument: "memorandum", Status: newsmon.StatusSigned,
			Parties: []string{"Kazakhstan", "Azerbaijan"}, Sentence: "A memorandum was signed."}},
	}
	for j := range 6 {
		a.Mentions = append(a.Mentions, newsmon.Mention{Topic: "corridor", Term: "corridor",
			Matched: "corridor", Sentence: "The corridor carried cargo.", Start: j * 100, End: j*100 + 8})
	}
	return a
}

// BenchmarkSaveArticles measures saving 60 KB articles (~9,000 words each)
// in batches of 1, 8 and 32; ns/article is the figure to compare.
func BenchmarkSaveArticles(b *testing.B) {
	texts := make([]string, 64)
	for i := range texts {
		texts[i] = newsText(uint64(i), 60000)
	}
	for _, size := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			db := openTemp(b)
			defer db.Close()
			ctx := context.Background()
			b.SetBytes(int64(60000 * size))
			n := 0
			ws := make([]newsmon.ArticleWrite, size)
			cpu0 := cpuTime(b)
			for b.Loop() {
				for j := range ws {
					a := benchArticle(n, texts[n%len(texts)])
					ws[j] = newsmon.ArticleWrite{Article: a, State: &newsmon.FetchState{URL: a.URL, Status: 200}}
					n++
				}
				for j, r := range db.SaveArticles(ctx, ws) {
					if r.Err != nil || !r.Created {
						b.Fatalf("article %d: %+v", j, r)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/article")
			// CPU time is the figure the crawl benchmark budgets, and it
			// varies less than the wall time when other work shares the
			// machine.
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(n), "cpu-ns/article")
		})
	}
}

// saveNews saves n generated news articles of textBytes in batches of 32,
// as the crawler's writer does.
func saveNews(b *testing.B, db *DB, n, textBytes int) {
	ctx := context.Background()
	for start := 0; start < n; start += 32 {
		var ws []newsmon.ArticleWrite
		for i := start; i < min(n, start+32); i++ {
			ws = append(ws, newsmon.ArticleWrite{Article: benchArticle(i, newsText(uint64(i), textBytes))})
		}
		for j, r := range db.SaveArticles(ctx, ws) {
			if r.Err != nil {
				b.Fatalf("article %d: %v", start+j, r.Err)
			}
		}
	}
}

// BenchmarkSearchNews measures ranked searches with snippets and facets
// over 5,000 generated news articles of 8 KB: a word in nearly every
// article, one in some, a rare one, a prefix and an AND of two words.
func BenchmarkSearchNews(b *testing.B) {
	db := openTemp(b)
	defer db.Close()
	saveNews(b, db, 5000, 8000)
	ctx := context.Background()
	for _, q := range []struct{ name, query string }{
		{"common", "minister"},
		{"some", benchWords[600]},
		{"rare", benchWords[20000]},
		{"prefix", benchWords[400][:3] + "*"},
		{"and", "corridor " + benchWords[300]},
	} {
		b.Run(q.name, func(b *testing.B) {
			total := 0
			cpu0 := cpuTime(b)
			for b.Loop() {
				res, err := db.SearchArticles(ctx, newsmon.SearchFilter{Query: q.query, Limit: 20})
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			if total == 0 {
				b.Fatalf("%q matches nothing", q.query)
			}
			b.ReportMetric(float64(total), "matches")
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
