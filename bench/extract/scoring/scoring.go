// Package scoring computes the article-body metric of the Zyte article
// extraction benchmark: token 4-shingles compared as multisets, per-page
// precision and recall, corpus means, and F1 from the means. It is shared
// by the extract package's benchmark test and the bench/extract program.
package scoring

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Tokens splits s into maximal runs of word characters as Python's \w+
// does: letters, numbers and underscore; everything else, combining marks
// included, separates tokens.
func Tokens(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		word := r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
		if r == utf8.RuneError && size == 1 {
			word = false
		}
		if word && start < 0 {
			start = i
		} else if !word && start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// Shingles counts the windows of 4 consecutive tokens of s; a text of 1 to
// 3 tokens gives one shorter shingle.
func Shingles(s string) map[string]int {
	toks := Tokens(s)
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	n := 4
	if len(toks) < n {
		n = len(toks)
	}
	for i := 0; i+n <= len(toks); i++ {
		key := ""
		for j := i; j < i+n; j++ {
			key += toks[j] + "\x00"
		}
		out[key]++
	}
	return out
}

// Page is the score of one page.
type Page struct {
	Precision, Recall float64
	Empty             bool // the prediction had no shingle
	Exact             bool // the token sequences are equal
}

// Score compares a prediction with the truth.
func Score(pred, truth string) Page {
	ps, ts := Shingles(pred), Shingles(truth)
	var tp, fp, fn float64
	for k, c := range ps {
		t := ts[k]
		tp += float64(min(c, t))
		if c > t {
			fp += float64(c - t)
		}
	}
	for k, t := range ts {
		if c := ps[k]; t > c {
			fn += float64(t - c)
		}
	}
	p := Page{Empty: len(ps) == 0, Exact: equalTokens(Tokens(pred), Tokens(truth))}
	if fp == 0 && fn == 0 {
		p.Precision, p.Recall = 1, 1
		return p
	}
	if tp+fp > 0 {
		p.Precision = tp / (tp + fp)
	}
	if tp+fn > 0 {
		p.Recall = tp / (tp + fn)
	}
	return p
}

func equalTokens(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Corpus is the score over many pages.
type Corpus struct {
	Precision, Recall, F1, Accuracy float64
	Pages                           int
}

// Summarize averages page scores as the benchmark does: precision over
// pages with a non-empty prediction, recall over all, F1 from the means.
func Summarize(pages []Page) Corpus {
	var c Corpus
	c.Pages = len(pages)
	if len(pages) == 0 {
		return c
	}
	var pSum, rSum float64
	pN, exact := 0, 0
	for _, p := range pages {
		if !p.Empty {
			pSum += p.Precision
			pN++
		}
		rSum += p.Recall
		if p.Exact {
			exact++
		}
	}
	if pN > 0 {
		c.Precision = pSum / float64(pN)
	}
	c.Recall = rSum / float64(len(pages))
	if c.Precision+c.Recall > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
	c.Accuracy = float64(exact) / float64(len(pages))
	return c
}

// BenchPage is one page of the article extraction benchmark.
type BenchPage struct {
	ID, URL, Truth string
	HTML           []byte
}

// LoadBenchmark reads the benchmark folder: ground-truth.json and
// html/<id>.html.gz, in id order.
func LoadBenchmark(dir string) ([]BenchPage, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("load benchmark: %w", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return nil, fmt.Errorf("load benchmark: ground truth: %w", err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var pages []BenchPage
	for _, id := range ids {
		b, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, fmt.Errorf("load benchmark: %w", err)
		}
		pages = append(pages, BenchPage{ID: id, URL: truth[id].URL, Truth: truth[id].ArticleBody, HTML: b})
	}
	return pages, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

// MetaPage is one page of the readability metadata set.
type MetaPage struct {
	Name     string
	HTML     []byte
	Title    string  `json:"title"`
	Byline   *string `json:"byline"`
	Lang     *string `json:"lang"`
	SiteName *string `json:"siteName"`
	Date     *string `json:"publishedTime"`
}

// LoadMetadata reads <dir>/<name>/source.html and expected-metadata.json.
func LoadMetadata(dir string) ([]MetaPage, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load metadata pages: %w", err)
	}
	var pages []MetaPage
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name(), "source.html"))
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name(), "expected-metadata.json"))
		if err != nil {
			continue
		}
		var m MetaPage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("load metadata pages: %s: %w", e.Name(), err)
		}
		m.Name, m.HTML = e.Name(), src
		pages = append(pages, m)
	}
	return pages, nil
}

// MetaResult is what an extractor found on a metadata page.
type MetaResult struct {
	Title, Author, SiteName, Language string
	Published                         *time.Time
}

// MetadataRates scores extracted metadata against the expected values,
// loosely as the set's README suggests: titles equal after whitespace and
// case folding or up to a site name after a separator; bylines where one
// contains the other, ignoring case; dates by calendar day; site names by
// containment; languages by primary subtag. Each rate is over the pages
// that expect a value. parseDate reads the expected dates; logf, when not
// nil, is told every miss.
func MetadataRates(pages []MetaPage, extract func(MetaPage) (MetaResult, bool), parseDate func(string) (time.Time, bool), logf func(format string, args ...any)) map[string]float64 {
	hits, totals := map[string]int{}, map[string]int{}
	count := func(field string, ok bool, name, got, want string) {
		totals[field]++
		if ok {
			hits[field]++
		} else if logf != nil {
			logf("%s %s: got %q, want %q", name, field, got, want)
		}
	}
	for _, p := range pages {
		a, ok := extract(p)
		if !ok {
			continue
		}
		if p.Title != "" {
			count("title", SameTitle(a.Title, p.Title), p.Name, a.Title, p.Title)
		}
		if p.Byline != nil && *p.Byline != "" {
			got, want := foldTitle(a.Author), foldTitle(*p.Byline)
			count("byline", got != "" && (strings.Contains(got, want) || strings.Contains(want, got)), p.Name, a.Author, *p.Byline)
		}
		if p.Date != nil && *p.Date != "" {
			want, ok := parseDate(*p.Date)
			got := ""
			if a.Published != nil {
				got = a.Published.Format("2006-01-02")
			}
			count("date", ok && got == want.Format("2006-01-02"), p.Name, got, *p.Date)
		}
		if p.SiteName != nil && *p.SiteName != "" {
			got, want := strings.ToLower(a.SiteName), strings.ToLower(*p.SiteName)
			count("site", got != "" && (strings.Contains(got, want) || strings.Contains(want, got)), p.Name, a.SiteName, *p.SiteName)
		}
		if p.Lang != nil && *p.Lang != "" {
			want := strings.ToLower(*p.Lang)
			if i := strings.IndexAny(want, "-_"); i >= 0 {
				want = want[:i]
			}
			count("lang", a.Language == want, p.Name, a.Language, *p.Lang)
		}
	}
	rates := map[string]float64{}
	for k, n := range totals {
		rates[k] = float64(hits[k]) / float64(n)
	}
	return rates
}

func foldTitle(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// SameTitle accepts equal titles and a headline that the other title
// extends with a site name after a separator.
func SameTitle(got, want string) bool {
	g, w := foldTitle(got), foldTitle(want)
	if g == "" {
		return false
	}
	if g == w {
		return true
	}
	short, long := g, w
	if len(short) > len(long) {
		short, long = long, short
	}
	if !strings.HasPrefix(long, short) {
		return false
	}
	rest := long[len(short):]
	for _, sep := range []string{" |", " -", " –", " —", ":", " ·", " »", " •", " _"} {
		if strings.HasPrefix(rest, sep) {
			return true
		}
	}
	return false
}
