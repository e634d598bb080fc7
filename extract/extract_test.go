package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden is the expected result for one page in testdata/golden.
type golden struct {
	Title           string  `json:"title"`
	Author          string  `json:"author"`
	Published       *string `json:"published"`
	PublishedSource string  `json:"published_source"`
	Language        string  `json:"language"`
	Canonical       string  `json:"canonical"`
	SiteName        string  `json:"site_name"`
	IsArticle       bool    `json:"is_article"`
	Reason          string  `json:"reason,omitempty"`
	Text            string  `json:"text"`
}

func goldenOf(a *newsmon.Article) golden {
	g := golden{
		Title: a.Title, Author: a.Author, PublishedSource: a.PublishedSource,
		Language: a.Language, Canonical: a.CanonicalURL, SiteName: a.SiteName,
		IsArticle: a.IsArticle, Reason: a.NotArticleReason, Text: a.Text,
	}
	if a.Published != nil {
		s := a.Published.Format(time.RFC3339)
		g.Published = &s
	}
	return g
}

func TestGolden(t *testing.T) {
	astana := &newsmon.Source{Name: "astanatimes", Kind: newsmon.KindNews, Language: "en", Timezone: "Asia/Almaty"}
	cases := []struct {
		name string
		url  string
		src  *newsmon.Source
	}{
		{"astanatimes-wordpress", "https://astanatimes.com/2024/03/kazakhstan-azerbaijan-sign-memorandum-on-middle-corridor-freight-hub/?utm_source=feed#comments", astana},
		{"trend-az", "https://az.trend.az/business/economy/4012345.html", &newsmon.Source{Name: "trend-az", Language: "az", Timezone: "Asia/Baku"}},
		{"akorda-ru", "https://www.akorda.kz/ru/glava-gosudarstva-provel-peregovory-1433456", &newsmon.Source{Name: "akorda", Kind: newsmon.KindStatement, Language: "ru", Timezone: "Asia/Almaty"}},
		{"dailysabah-en", "https://www.dailysabah.com/business/transportation/turkiye-azerbaijan-and-kazakhstan-agree-to-speed-up-middle-corridor-rail-link", &newsmon.Source{Name: "dailysabah", Language: "en", Timezone: "Europe/Istanbul"}},
		{"kazinform-kk", "https://www.inform.kz/kz/kazakstan-men-azirbayzhan_a4123456", &newsmon.Source{Name: "kazinform", Language: "ru", Timezone: "Asia/Almaty"}},
		{"listing", "https://astanatimes.com/category/business/", astana},
		{"home", "https://astanatimes.com/", astana},
	}
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "golden", c.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.Extract(&newsmon.Page{URL: c.url, Body: body, Source: c.src})
			if err != nil {
				t.Fatal(err)
			}
			got := goldenOf(a)
			path := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				b, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			var want golden
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.MarshalIndent(got, "", "  ")
			wb, _ := json.MarshalIndent(want, "", "  ")
			if !bytes.Equal(gb, wb) {
				t.Errorf("extraction differs from %s:\ngot:\n%s\nwant:\n%s", path, gb, wb)
			}
		})
	}
}

func TestExtractRejectsNonHTML(t *testing.T) {
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"whitespace", []byte(" \n\t ")},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Extract(&newsmon.Page{URL: "https://example.org/x", Body: c.body})
			if !errors.Is(err, errNotHTML) {
				t.Errorf("err = %v, want errNotHTML", err)
			}
		})
	}
}

func TestExtractNilPage(t *testing.T) {
	e, _ := New(nil)
	if _, err := e.Extract(nil); !errors.Is(err, errNotHTML) {
		t.Errorf("err = %v, want errNotHTML", err)
	}
}

func TestCanonicalURL(t *testing.T) {
	cases := []struct {
		name      string
		page      string
		head      string
		canonical string
	}{
		{"rel canonical relative", "https://example.org/a/b?x=1#top", `<link rel="canonical" href="/a/b">`, "https://example.org/a/b"},
		{"rel canonical with fragment", "https://example.org/a", `<link rel="canonical" href="https://example.org/a#frag">`, "https://example.org/a"},
		{"og url same site", "https://www.example.org/a?utm_source=x", `<meta property="og:url" content="https://example.org/a">`, "https://example.org/a"},
		{"og url other site ignored", "https://example.org/a#c", `<meta property="og:url" content="https://other.example.com/a">`, "https://example.org/a"},
		{"javascript canonical ignored", "https://example.org/a", `<link rel="canonical" href="javascript:alert(1)">`, "https://example.org/a"},
		{"none", "https://example.org/a?id=3#c", ``, "https://example.org/a?id=3"},
	}
	e, _ := New(nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := "<html><head>" + c.head + "</head><body><p>" + strings.Repeat("Some words of text here. ", 20) + "</p></body></html>"
			a, err := e.Extract(&newsmon.Page{URL: c.page, Body: []byte(body)})
			if err != nil {
				t.Fatal(err)
			}
			if a.CanonicalURL != c.canonical {
				t.Errorf("canonical = %q, want %q", a.CanonicalURL, c.canonical)
			}
		})
	}
}

func TestPerSourceSelectors(t *testing.T) {
	page := `<html><head><title>Site</title></head><body>
<div class="story"><h2 class="hl">The Real Headline</h2><span class="who">By Jane Roe</span><span class="when">14.03.2024 14:30</span>
<div class="txt"><p>First paragraph of the story that the selectors point at.</p><div class="ad">Buy now</div><p>Second paragraph of the story.</p></div></div>
<div class="big"><p>` + strings.Repeat("A much longer block of unrelated text, with commas, that the generic extractor would pick. ", 30) + `</p></div>
</body></html>`
	src := &newsmon.Source{Name: "s", Timezone: "Asia/Almaty", Selectors: newsmon.Selectors{
		Title: "h2.hl", Body: "div.txt", Date: "span.when", Author: "span.who", Remove: []string{".ad"},
	}}
	e, _ := New(nil)
	a, err := e.Extract(&newsmon.Page{URL: "https://example.org/s/1", Body: []byte(page), Source: src})
	if err != nil {
		t.Fatal(err)
	}
	almaty, _ := time.LoadLocation("Asia/Almaty")
	want := time.Date(2024, 3, 14, 14, 30, 0, 0, almaty)
	checks := []struct {
		name      string
		got, want string
	}{
		{"title", a.Title, "The Real Headline"},
		{"author", a.Author, "Jane Roe"},
		{"text", a.Text, "First paragraph of the story that the selectors point at.\n\nSecond paragraph of the story."},
		{"source", a.Source, "s"},
		{"published source", a.PublishedSource, "text"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if a.Published == nil || !a.Published.Equal(want) {
		t.Errorf("published = %v, want %v", a.Published, want)
	}

	// A selector that matches nothing falls back to the generic extractor.
	src.Selectors.Body = "div.missing"
	a, err = e.Extract(&newsmon.Page{URL: "https://example.org/s/1", Body: []byte(page), Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "A much longer block") {
		t.Errorf("fallback text = %q, want the generic extraction", a.Text)
	}
}

func TestDatesProvenance(t *testing.T) {
	feed := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	lateFeed := time.Date(2024, 5, 1, 20, 0, 0, 0, time.UTC) // 2 May in Almaty
	para := "<p>" + strings.Repeat("Words of an article body, long enough to count. ", 10) + "</p>"
	cases := []struct {
		name   string
		url    string
		head   string
		body   string
		feed   *time.Time
		want   string
		source string
	}{
		{"json-ld first", "https://example.org/a", `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-03-14T09:00:00+05:00"}</script><meta property="article:published_time" content="2024-01-01T00:00:00Z">`, para, nil, "2024-03-14T09:00:00+05:00", "json-ld"},
		{"meta", "https://example.org/a", `<meta property="article:published_time" content="2024-03-14T09:00:00Z">`, para, nil, "2024-03-14T09:00:00Z", "meta"},
		{"time element", "https://example.org/a", ``, `<time datetime="2024-03-14T10:00:00+03:00">14 March</time>` + para, nil, "2024-03-14T10:00:00+03:00", "time"},
		{"visible text", "https://example.org/a", ``, `<div class="post-date">14 марта 2024 года, 14:30</div>` + para, nil, "2024-03-14T14:30:00+05:00", "text"},
		{"url", "https://example.org/2024/03/14/story/", ``, para, nil, "2024-03-14T00:00:00+05:00", "url"},
		{"feed when the page says nothing", "https://example.org/a", ``, para, &feed, "2024-05-01T08:00:00Z", "feed"},
		{"page wins over feed", "https://example.org/a", `<meta property="article:published_time" content="2024-03-14T09:00:00Z">`, para, &feed, "2024-03-14T09:00:00Z", "meta"},
		{"no date invented", "https://example.org/a", ``, para + `<footer>© 2024 Example</footer>`, nil, "", ""},
		{"day-only byline and feed time on the same local day", "https://example.org/a", ``, `<p class="byline">By Jane Roe | 1 May 2024</p>` + para, &feed, "2024-05-01T08:00:00Z", "feed"},
		{"day-only byline and feed time on another day", "https://example.org/a", ``, `<p class="byline">By Jane Roe | 3 May 2024</p>` + para, &feed, "2024-05-03T00:00:00+05:00", "text"},
		{"feed on the same UTC day but the next local day", "https://example.org/a", ``, `<p class="byline">By Jane Roe | 1 May 2024</p>` + para, &lateFeed, "2024-05-01T00:00:00+05:00", "text"},
		{"timed byline keeps its own time", "https://example.org/a", ``, `<p class="byline">By Jane Roe | 1 May 2024, 13:55</p>` + para, &feed, "2024-05-01T13:55:00+05:00", "text"},
	}
	e, _ := New(nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html><head>" + c.head + "</head><body>" + c.body + "</body></html>"
			src := &newsmon.Source{Name: "example", Timezone: "Asia/Almaty"}
			a, err := e.Extract(&newsmon.Page{URL: c.url, Body: []byte(page), FeedPublished: c.feed, Source: src})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if a.Published != nil {
				got = a.Published.Format(time.RFC3339)
			}
			if got != c.want || a.PublishedSource != c.source {
				t.Errorf("published = %q from %q, want %q from %q", got, a.PublishedSource, c.want, c.source)
			}
		})
	}
}

func TestDateSelectorAgainstMachineDates(t *testing.T) {
	para := "<p>" + strings.Repeat("Words of an article body, long enough to count. ", 10) + "</p>"
	ld := `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-03-14T09:20:00+05:00"}</script>`
	meta := `<meta property="article:published_time" content="2024-03-14T04:20:00+00:00">`
	cases := []struct {
		name, head, byline string
		want, source       string
	}{
		{"same day: json-ld's instant wins", ld, "14 March 2024", "2024-03-14T09:20:00+05:00", "json-ld"},
		{"same day: meta's instant wins", meta, "14 March 2024", "2024-03-14T04:20:00Z", "meta"},
		{"another day: the configured selector wins", ld, "15 March 2024", "2024-03-15T00:00:00+05:00", "text"},
		{"selector alone", "", "14 March 2024", "2024-03-14T00:00:00+05:00", "text"},
	}
	e, _ := New(nil)
	src := &newsmon.Source{Name: "s", Timezone: "Asia/Almaty", Selectors: newsmon.Selectors{Date: "p.byline"}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html><head>" + c.head + "</head><body><h1>A headline</h1><p class=\"byline\">" + c.byline + "</p>" + para + "</body></html>"
			a, err := e.Extract(&newsmon.Page{URL: "https://example.org/a", Body: []byte(page), Source: src})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if a.Published != nil {
				got = a.Published.Format(time.RFC3339)
			}
			if got != c.want || a.PublishedSource != c.source {
				t.Errorf("published = %q from %q, want %q from %q", got, a.PublishedSource, c.want, c.source)
			}
		})
	}
}

func TestPageKind(t *testing.T) {
	cases := []struct{ name, url, want string }{
		{"root", "https://example.org/", "home page"},
		{"language home", "https://example.org/ru", "home page"},
		{"search query", "https://example.org/?s=corridor", "search page"},
		{"search path", "https://example.org/en/search/pipeline/", "search page"},
		{"tag", "https://example.org/tag/middle-corridor/", "tag page"},
		{"author", "https://example.org/author/jane-roe/", "author page"},
		{"category page 3", "https://example.org/category/news/page/3/", "category page"},
		{"numbered page", "https://example.org/news/page/2/", "listing page"},
		{"article", "https://example.org/2024/03/a-story/", ""},
		{"one-letter path", "https://example.org/a", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pageKind(c.url); got != c.want {
				t.Errorf("pageKind(%q) = %q, want %q", c.url, got, c.want)
			}
		})
	}
}

func TestTextCollection(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string
	}{
		{"words across inline elements keep their spaces",
			`<article><p>The <b>Middle</b> <i>Corridor</i> runs<span> through </span>Aktau, across the Caspian Sea and on to Baku.</p></article>`,
			"The Middle Corridor runs through Aktau, across the Caspian Sea and on to Baku."},
		{"blocks split paragraphs and scripts are dropped",
			`<article><p>First paragraph of the article, with a comma.</p><script>var x = "not text";</script><p>Second paragraph of the article, with a comma.</p></article>`,
			"First paragraph of the article, with a comma.\n\nSecond paragraph of the article, with a comma."},
		{"nbsp and zero-width characters are normalised",
			"<article><p>Non\u00a0breaking\u00a0\u00a0space and zero\u200bwidth\u00adsoft hyphen in a sentence, here.</p></article>",
			"Non breaking space and zerowidthsoft hyphen in a sentence, here."},
		{"list items one per line",
			`<article><p>The memorandum covers three things, listed below in full.</p><ul><li>terminals in Aktau and Alat</li><li>common tariffs for transit</li></ul></article>`,
			"The memorandum covers three things, listed below in full.\n\n- terminals in Aktau and Alat\n\n- common tariffs for transit"},
		{"br splits lines and double br paragraphs",
			`<div class="text">Line one of a statement, in the text.<br>Line two of the same paragraph, also.<br><br>A new paragraph after a blank line, here.</div>`,
			"Line one of a statement, in the text.\nLine two of the same paragraph, also.\n\nA new paragraph after a blank line, here."},
	}
	e, _ := New(nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := e.Extract(&newsmon.Page{URL: "https://example.org/a", Body: []byte("<html><body>" + c.body + "</body></html>")})
			if err != nil {
				t.Fatal(err)
			}
			if a.Text != c.want {
				t.Errorf("text = %q, want %q", a.Text, c.want)
			}
		})
	}
}

// hostilePages are inputs that must finish quickly with bounded output.
func hostilePages() map[string][]byte {
	return map[string][]byte{
		"nesting 100k deep":  []byte(strings.Repeat("<div>", 100000) + "deep text" + strings.Repeat("</div>", 100000)),
		"nesting spans deep": []byte("<p>" + strings.Repeat("<span><b>", 60000) + "x"),
		"20 MB table":        []byte("<table>" + strings.Repeat("<tr><td>cell, text</td><td>more</td></tr>", 480000) + "</table>"),
		"invalid utf-8":      []byte("<html><body><p>" + strings.Repeat("\xff\xfe caf\xe9 \xc3\x28 words, here ", 200) + "</p></body></html>"),
		"1 MB attribute":     []byte(`<html><head><meta property="og:title" content="` + strings.Repeat("A", 1<<20) + `"></head><body><div class="` + strings.Repeat("x ", 1<<19) + `"><p>Body text, with a comma, long enough to be kept as a paragraph.</p></div></body></html>`),
		"100k links":         []byte("<ul>" + strings.Repeat(`<li><a href="/a">A headline with several words in it</a></li>`, 100000) + "</ul>"),
		"huge json-ld":       []byte(`<script type="application/ld+json">` + strings.Repeat(`{"@graph":[`, 50000) + `</script><p>text, text</p>`),
		"huge date text":     []byte(`<time>` + strings.Repeat("14 March ", 100000) + `</time><p>text, text</p>`),
	}
}

func TestHostilePages(t *testing.T) {
	e, _ := New(nil)
	for name, body := range hostilePages() {
		t.Run(name, func(t *testing.T) {
			a, err := e.Extract(&newsmon.Page{URL: "https://example.org/h", Body: body})
			if err != nil {
				if errors.Is(err, errNotHTML) && !errors.Is(err, errPanic) {
					return
				}
				t.Fatal(err)
			}
			if len(a.Text) > maxTextBytes+maxTextBytes/10 {
				t.Errorf("text is %d bytes, above the bound %d", len(a.Text), maxTextBytes)
			}
			if len(a.Title) > maxTitleLen {
				t.Errorf("title is %d bytes, above the bound %d", len(a.Title), maxTitleLen)
			}
			for _, s := range []string{a.Text, a.Title, a.Author, a.Description, a.SiteName} {
				if !utf8.ValidString(s) {
					t.Errorf("invalid UTF-8 in output %q", s[:min(len(s), 60)])
				}
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, b := range hostilePages() {
		if len(b) < 4096 {
			f.Add(b)
		}
	}
	entries, _ := os.ReadDir(filepath.Join("testdata", "golden"))
	for _, en := range entries {
		if strings.HasSuffix(en.Name(), ".html") {
			b, err := os.ReadFile(filepath.Join("testdata", "golden", en.Name()))
			if err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`<html><head><script type="application/ld+json">{"@type":"NewsArticle","author":[{"@id":"#a"}],"@graph":[{"@id":"#a","name":"X"}]}</script></head><body><p>x</p></body></html>`))
	f.Add([]byte("<div>\x00<p>a,b</p></div>"))
	e, err := New(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := e.Extract(&newsmon.Page{URL: "https://example.org/2024/03/14/x", Body: body})
		if errors.Is(err, errPanic) {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) || !utf8.ValidString(a.Author) {
			t.Errorf("invalid UTF-8 in output")
		}
		if !a.IsArticle && a.NotArticleReason == "" {
			t.Errorf("not an article without a reason")
		}
		if a.Published != nil && a.PublishedSource == "" {
			t.Errorf("a date without provenance")
		}
	})
}

func TestConcurrentExtract(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "golden", "astanatimes-wordpress.html"))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := New(nil)
	src := &newsmon.Source{Name: "astanatimes", Timezone: "Asia/Almaty", Selectors: newsmon.Selectors{Body: "div.entry-content", Remove: []string{".sharedaddy"}}}
	want, err := e.Extract(&newsmon.Page{URL: "https://astanatimes.com/x/", Body: body, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 20; i++ {
				a, err := e.Extract(&newsmon.Page{URL: "https://astanatimes.com/x/", Body: body, Source: src})
				if err != nil {
					errs <- err.Error()
					return
				}
				if a.Text != want.Text || a.Title != want.Title {
					errs <- "results differ between goroutines"
					return
				}
			}
			errs <- ""
		}()
	}
	for g := 0; g < 8; g++ {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

func TestDateIgnoresPageChrome(t *testing.T) {
	page := `<html><body>
<header class="site-header"><span class="date">Friday, 15 March 2024</span></header>
<aside><ul><li><a href="/old">An older story</a> <span class="date">1 January 2020</span></li></ul></aside>
<div class="story"><h1>Headline of the statement</h1><div class="post-date">14 марта 2024 года</div>
<p>` + strings.Repeat("The statement text goes on, with details of the talks. ", 8) + `</p></div>
</body></html>`
	e, _ := New(nil)
	a, err := e.Extract(&newsmon.Page{URL: "https://example.org/s", Body: []byte(page)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Published == nil || a.Published.Format("2006-01-02") != "2024-03-14" {
		t.Errorf("published = %v, want 2024-03-14 (not the header's or the sidebar's date)", a.Published)
	}
}
