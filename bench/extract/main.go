// Command extract (bench/extract) measures the article extractor against
// go-trafilatura (github.com/markusmobius/go-trafilatura v1.12.2), run as
// the baseline in the same process on the same pages with the same metric,
// and prints one JSON object: for each extractor the body precision, recall
// and F1 over the article extraction benchmark pages, pages per second when
// extracting on one goroutine (ours with tagging by no topics, theirs with
// html.Parse included, as ours parses too), and the metadata hit rates over
// the readability pages; then the ratios between the two.
//
// go-trafilatura runs as upstream's benchmark runner ran it: pages parsed
// with golang.org/x/net/html, fallback extractors on, comments excluded,
// soft hyphens dropped from the output before scoring. Only this program
// imports it; the product does not.
//
//	go run ./bench/extract [-data ../shared/testdata] [-rounds 3] [-baseline=false]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/bench/extract/scoring"
	"github.com/newsmon/newsmon/extract"
)

// result is one extractor's figures.
type result struct {
	Extractor      string             `json:"extractor"`
	Precision      float64            `json:"precision"`
	Recall         float64            `json:"recall"`
	F1             float64            `json:"f1"`
	Accuracy       float64            `json:"accuracy"`
	ArticleRate    float64            `json:"judged_article_rate,omitempty"`
	Errors         int                `json:"errors"`
	PagesPerSecond float64            `json:"pages_per_second"`
	MBPerSecond    float64            `json:"mb_per_second"`
	MetadataRates  map[string]float64 `json:"metadata_rates"`
}

type report struct {
	Pages         int     `json:"pages"`
	MetadataPages int     `json:"metadata_pages"`
	Rounds        int     `json:"rounds"`
	Ours          result  `json:"ours"`
	Baseline      *result `json:"baseline,omitempty"`
	// SpeedRatio is our pages per second over the baseline's.
	SpeedRatio float64 `json:"speed_ratio,omitempty"`
	// F1Delta is our F1 minus the baseline's.
	F1Delta    float64 `json:"f1_delta,omitempty"`
	GoVersion  string  `json:"go_version"`
	GOMAXPROCS int     `json:"gomaxprocs"`
}

// extractor is what the bench needs of each contender: body text and
// metadata of one page.
type extractor struct {
	name string
	run  func(pageURL string, body []byte) (text string, meta scoring.MetaResult, isArticle bool, err error)
}

func main() {
	data := flag.String("data", filepath.Join("..", "shared", "testdata"), "the shared testdata folder")
	rounds := flag.Int("rounds", 3, "timed passes over the benchmark pages")
	baseline := flag.Bool("baseline", true, "also run go-trafilatura as the baseline")
	flag.Parse()
	if err := run(*data, *rounds, *baseline); err != nil {
		fmt.Fprintln(os.Stderr, "bench/extract:", err)
		os.Exit(1)
	}
}

func run(data string, rounds int, withBaseline bool) error {
	pages, err := scoring.LoadBenchmark(filepath.Join(data, "article-extraction-benchmark"))
	if err != nil {
		return err
	}
	meta, err := scoring.LoadMetadata(filepath.Join(data, "readability-pages"))
	if err != nil {
		return err
	}
	if rounds < 1 {
		rounds = 1
	}
	ours, err := newsmonExtractor()
	if err != nil {
		return err
	}
	r := report{Pages: len(pages), MetadataPages: len(meta), Rounds: rounds, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	r.Ours = measure(ours, pages, meta, rounds)
	if withBaseline {
		b := measure(trafilaturaExtractor(), pages, meta, rounds)
		r.Baseline = &b
		if b.PagesPerSecond > 0 {
			r.SpeedRatio = r.Ours.PagesPerSecond / b.PagesPerSecond
		}
		r.F1Delta = r.Ours.F1 - b.F1
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// measure scores one extractor: quality once, then timed rounds, then the
// metadata pages.
func measure(x extractor, pages []scoring.BenchPage, meta []scoring.MetaPage, rounds int) result {
	res := result{Extractor: x.name}
	var scores []scoring.Page
	articles, size := 0, 0
	for _, p := range pages {
		size += len(p.HTML)
		text, _, isArticle, err := x.run(p.URL, p.HTML)
		if err != nil {
			res.Errors++
		}
		if isArticle {
			articles++
		}
		scores = append(scores, scoring.Score(text, p.Truth))
	}
	c := scoring.Summarize(scores)
	res.Precision, res.Recall, res.F1, res.Accuracy = c.Precision, c.Recall, c.F1, c.Accuracy
	res.ArticleRate = float64(articles) / float64(len(pages))

	runtime.GC()
	start := time.Now()
	for i := 0; i < rounds; i++ {
		for _, p := range pages {
			x.run(p.URL, p.HTML)
		}
	}
	elapsed := time.Since(start).Seconds()
	res.PagesPerSecond = float64(rounds*len(pages)) / elapsed
	res.MBPerSecond = float64(rounds*size) / elapsed / 1e6

	res.MetadataRates = scoring.MetadataRates(meta, func(p scoring.MetaPage) (scoring.MetaResult, bool) {
		_, m, _, err := x.run("http://fakehost/test/page.html", p.HTML)
		return m, err == nil
	}, func(s string) (time.Time, bool) { return extract.ParseDate(s, time.UTC) }, nil)
	return res
}

func newsmonExtractor() (extractor, error) {
	e, err := extract.New(nil)
	if err != nil {
		return extractor{}, err
	}
	return extractor{name: "newsmon/extract", run: func(pageURL string, body []byte) (string, scoring.MetaResult, bool, error) {
		a, err := e.Extract(&newsmon.Page{URL: pageURL, Body: body})
		if err != nil {
			return "", scoring.MetaResult{}, false, err
		}
		return a.Text, scoring.MetaResult{Title: a.Title, Author: a.Author, SiteName: a.SiteName, Language: a.Language, Published: a.Published}, a.IsArticle, nil
	}}, nil
}

func trafilaturaExtractor() extractor {
	return extractor{name: "go-trafilatura v1.12.2", run: func(pageURL string, body []byte) (string, scoring.MetaResult, bool, error) {
		doc, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			return "", scoring.MetaResult{}, false, err
		}
		u, _ := url.Parse(pageURL)
		res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
			OriginalURL:     u,
			EnableFallback:  true,
			ExcludeComments: true,
		})
		if err != nil || res == nil {
			return "", scoring.MetaResult{}, false, err
		}
		m := scoring.MetaResult{Title: res.Metadata.Title, Author: res.Metadata.Author, SiteName: res.Metadata.Sitename, Language: res.Metadata.Language}
		if !res.Metadata.Date.IsZero() {
			d := res.Metadata.Date
			m.Published = &d
		}
		return strings.ReplaceAll(res.ContentText, "\u00ad", ""), m, true, nil
	}}
}
