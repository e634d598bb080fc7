package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/newsmon/newsmon/bench/extract/scoring"

	newsmon "github.com/newsmon/newsmon"
)

// sharedTestdata is the shared data folder, beside the work tree.
var sharedTestdata = filepath.Join("..", "..", "shared", "testdata")

// Floors set just under what the extractor achieves, so that a change
// that makes extraction worse fails.
const (
	floorBodyF1      = 0.975 // measured 0.981
	floorArticleRate = 0.99  // measured 1.000: every benchmark page is an article
	floorTitleRate   = 0.95  // measured 0.965
	floorBylineRate  = 0.90  // measured 0.923
	floorDateRate    = 0.95  // measured 1.000
	floorSiteRate    = 0.95  // measured 0.976
	floorLangRate    = 0.98  // measured 1.000
)

func TestBenchmarkBody(t *testing.T) {
	dir := filepath.Join(sharedTestdata, "article-extraction-benchmark")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("benchmark data not found at %s (it lives in the shared folder beside the work tree): %v", dir, err)
	}
	pages, err := scoring.LoadBenchmark(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var scores []scoring.Page
	articles := 0
	type row struct {
		id   string
		f1   float64
		p, r float64
	}
	var rows []row
	for _, p := range pages {
		a, err := e.Extract(&newsmon.Page{URL: p.URL, Body: p.HTML})
		if err != nil {
			t.Errorf("%s: %v", p.ID, err)
			continue
		}
		if a.IsArticle {
			articles++
		} else {
			t.Logf("%s: not an article: %s", p.ID[:12], a.NotArticleReason)
		}
		s := scoring.Score(a.Text, p.Truth)
		scores = append(scores, s)
		f1 := 0.0
		if s.Precision+s.Recall > 0 {
			f1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		rows = append(rows, row{p.ID[:12], f1, s.Precision, s.Recall})
	}
	c := scoring.Summarize(scores)
	if testing.Verbose() {
		sort.Slice(rows, func(i, j int) bool { return rows[i].f1 < rows[j].f1 })
		for _, r := range rows[:min(25, len(rows))] {
			t.Logf("worst %s f1=%.3f p=%.3f r=%.3f", r.id, r.f1, r.p, r.r)
		}
	}
	rate := float64(articles) / float64(len(pages))
	t.Logf("body: %d pages, precision %.4f, recall %.4f, F1 %.4f, accuracy %.3f, judged articles %.3f",
		c.Pages, c.Precision, c.Recall, c.F1, c.Accuracy, rate)
	if c.F1 < floorBodyF1 {
		t.Errorf("body F1 %.4f below the floor %.4f", c.F1, floorBodyF1)
	}
	if rate < floorArticleRate {
		t.Errorf("share of benchmark pages judged articles %.3f below the floor %.3f", rate, floorArticleRate)
	}
}

// metadataRates extracts every readability page and returns the hit
// rates of title, byline, date, site name and language, each over the
// pages that expect a value.
func metadataRates(t *testing.T, pages []scoring.MetaPage) map[string]float64 {
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var logf func(string, ...any)
	if testing.Verbose() {
		logf = t.Logf
	}
	return scoring.MetadataRates(pages, func(p scoring.MetaPage) (scoring.MetaResult, bool) {
		a, err := e.Extract(&newsmon.Page{URL: "http://fakehost/test/page.html", Body: p.HTML})
		if err != nil {
			return scoring.MetaResult{}, false
		}
		return scoring.MetaResult{Title: a.Title, Author: a.Author, SiteName: a.SiteName, Language: a.Language, Published: a.Published}, true
	}, func(s string) (time.Time, bool) { return ParseDate(s, time.UTC) }, logf)
}

func TestBenchmarkMetadata(t *testing.T) {
	dir := filepath.Join(sharedTestdata, "readability-pages")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("readability pages not found at %s (they live in the shared folder beside the work tree): %v", dir, err)
	}
	pages, err := scoring.LoadMetadata(dir)
	if err != nil {
		t.Fatal(err)
	}
	rates := metadataRates(t, pages)
	t.Logf("metadata over %d pages: %v", len(pages), rates)
	for _, c := range []struct {
		field string
		floor float64
	}{
		{"title", floorTitleRate}, {"byline", floorBylineRate}, {"date", floorDateRate},
		{"site", floorSiteRate}, {"lang", floorLangRate},
	} {
		if rates[c.field] < c.floor {
			t.Errorf("%s hit rate %.3f below the floor %.3f", c.field, rates[c.field], c.floor)
		}
	}
}

// BenchmarkExtract measures Extract over the benchmark pages; compare with
// BenchmarkParseOnly, the floor set by building the HTML tree.
func BenchmarkExtract(b *testing.B) {
	pages := loadBenchPages(b)
	e, err := New(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pages[i%len(pages)]
		if _, err := e.Extract(&newsmon.Page{URL: p.URL, Body: p.HTML}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOnly(b *testing.B) {
	pages := loadBenchPages(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pages[i%len(pages)]
		if _, err := html.Parse(bytes.NewReader(p.HTML)); err != nil {
			b.Fatal(err)
		}
	}
}

func loadBenchPages(b *testing.B) []scoring.BenchPage {
	dir := filepath.Join(sharedTestdata, "article-extraction-benchmark")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("benchmark data not found at %s: %v", dir, err)
	}
	pages, err := scoring.LoadBenchmark(dir)
	if err != nil {
		b.Fatal(err)
	}
	return pages
}
