package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// TestShippedSources extracts a page written in the markup known for each
// source of the shipped config.toml (docs/sources.md says where each piece
// of markup was seen) with that source's own configuration: its selectors,
// its time zone and its language. The pages carry the chrome real outlets
// wrap around a story: cookie banner, menus, share buttons, related and
// most-read blocks, newsletter boxes, tags, comments and footers.
func TestShippedSources(t *testing.T) {
	cfg, err := newsmon.Parse(newsmon.DefaultConfigTOML, "config.toml")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		title, author     string
		published, source string // RFC 3339 and provenance
		first, last       string // the body's first and last paragraphs start so
		language          string
	}
	cases := []struct {
		source string
		url    string
		want   want
	}{
		{"astanatimes", "https://astanatimes.com/2024/03/kazakhstan-azerbaijan-sign-memorandum-on-aktau-freight-hub/", want{
			"Kazakhstan, Azerbaijan Sign Memorandum on Aktau Freight Hub", "Aida Sultan",
			"2024-03-14T00:00:00+05:00", "text", "Kazakhstan and Azerbaijan signed", "Freight on the route grew", "en"}},
		{"trend", "https://en.trend.az/business/transport/4012345.html", want{
			"Azerbaijan, Kazakhstan agree on single transit tariff", "Elnur Babayev",
			"2025-12-06T15:49:00+04:00", "meta", "BAKU, Azerbaijan, December 6.", "Freight on the route grew", "en"}},
		{"apa", "https://en.apa.az/infrastructure/caspian-ports-to-share-one-tariff-for-transit-cargo-445566", want{
			"Caspian ports to share one tariff for transit cargo", "Rashad Aliyev",
			"2024-08-24T13:55:00+04:00", "json-ld", "Kazakhstan and Azerbaijan signed", "Freight on the route grew", "en"}},
		{"azernews", "https://www.azernews.az/business/223344.html", want{
			"Middle Corridor freight grows as new ferries arrive", "Leyla Mammadova",
			"2022-08-24T13:55:00+04:00", "text", "Kazakhstan and Azerbaijan signed", "Freight on the route grew", "en"}},
		{"report", "https://report.az/en/infrastructure/baku-and-astana-sign-road-map-on-container-terminals", want{
			"Baku and Astana sign road map on container terminals", "Nigar Hasanova",
			"2024-03-14T11:20:00+04:00", "meta", "Kazakhstan and Azerbaijan signed", "Freight on the route grew", "en"}},
		{"president-az", "https://president.az/en/articles/view/65000", want{
			"Ilham Aliyev received the Minister of Transport of Kazakhstan", "",
			"2024-03-14T16:40:00+04:00", "time", "On March 14, President", "The sides also discussed", "en"}},
		{"akorda", "https://www.akorda.kz/en/head-of-state-holds-talks-with-president-of-azerbaijan-1433456", want{
			"Head of State holds talks with President of Azerbaijan", "",
			"2024-03-14T14:30:00+05:00", "text", "President Kassym-Jomart Tokayev", "Following the talks", "en"}},
		{"timesca", "https://timesca.com/trans-caspian-route-partners-agree-on-single-tariff/", want{
			"Trans-Caspian Route Partners Agree on Single Tariff", "Stephen M. Bland",
			"2024-12-05T08:15:00Z", "json-ld", "BISHKEK (TCA)", "Freight on the route grew", "en"}},
		{"dailysabah", "https://www.dailysabah.com/business/transportation/turkiye-azerbaijan-and-kazakhstan-agree-to-speed-up-middle-corridor-rail-link", want{
			"Türkiye, Azerbaijan and Kazakhstan agree to speed up Middle Corridor rail link", "Daily Sabah with AA",
			"2024-03-14T10:05:00+03:00", "meta", "Kazakhstan and Azerbaijan signed", "Freight on the route grew", "en"}},
		{"kazinform", "https://qazinform.com/news/kazakstan-men-azirbayzhan-aktau-portynda-birlesken-hab-kurady", want{
			"Қазақстан мен Әзірбайжан Ақтау портында бірлескен хаб құрады", "Айгүл Серікқызы",
			"2024-03-21T10:15:00+05:00", "text", "АСТАНА. KAZINFORM", "Өткен жылы бағыт", "kk"}},
		{"mfa-cn", "https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202403/t20240314_11260000.html", want{
			"Foreign Ministry Spokesperson's Regular Press Conference on March 14, 2024", "",
			"2024-03-14T19:30:00+08:00", "text", "Q: Kazakhstan and Azerbaijan", "A: I would refer you", "en"}},
	}
	junk := []string{"cookie", "Share", "READ ALSO", "Related", "Most read", "newsletter", "Photo credit", "Leave a Reply",
		"Follow the author", "Telegram", "All rights reserved", "Keywords", "Print version", "Subscribe"}
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.source, func(t *testing.T) {
			src := cfg.FindSource(c.source)
			if src == nil {
				t.Fatalf("source %q is not in config.toml", c.source)
			}
			if !src.IsArticleURL(c.url) {
				t.Errorf("%s is not an article URL of the source", c.url)
			}
			body, err := os.ReadFile(filepath.Join("testdata", "sources", c.source+".html"))
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.Extract(&newsmon.Page{URL: c.url, Body: body, Source: src})
			if err != nil {
				t.Fatal(err)
			}
			if !a.IsArticle {
				t.Fatalf("judged not an article: %s", a.NotArticleReason)
			}
			got := ""
			if a.Published != nil {
				got = a.Published.Format(time.RFC3339)
			}
			checks := []struct{ field, got, want string }{
				{"title", a.Title, c.want.title},
				{"author", a.Author, c.want.author},
				{"published", got, c.want.published},
				{"published source", a.PublishedSource, c.want.source},
				{"language", a.Language, c.want.language},
			}
			for _, ch := range checks {
				if ch.got != ch.want {
					t.Errorf("%s = %q, want %q", ch.field, ch.got, ch.want)
				}
			}
			paras := strings.Split(a.Text, "\n\n")
			if !strings.HasPrefix(paras[0], c.want.first) {
				t.Errorf("first paragraph = %q, want it to start %q", paras[0], c.want.first)
			}
			if last := paras[len(paras)-1]; !strings.HasPrefix(last, c.want.last) {
				t.Errorf("last paragraph = %q, want it to start %q", last, c.want.last)
			}
			if len(paras) < 4 {
				t.Errorf("%d paragraphs, want 4 or more:\n%s", len(paras), a.Text)
			}
			for _, j := range junk {
				if strings.Contains(a.Text, j) {
					t.Errorf("text holds %q:\n%s", j, a.Text)
				}
			}
		})
	}
}

// TestShippedSourcesNonArticles checks that a source's body selector,
// which also matches the teasers of its archive pages, does not make an
// archive an article.
func TestShippedSourcesNonArticles(t *testing.T) {
	cfg, err := newsmon.Parse(newsmon.DefaultConfigTOML, "config.toml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, source, url, file string
	}{
		{"astanatimes category", "astanatimes", "https://astanatimes.com/category/business/", "golden/listing.html"},
		{"astanatimes home", "astanatimes", "https://astanatimes.com/", "golden/home.html"},
	}
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.Extract(&newsmon.Page{URL: c.url, Body: body, Source: cfg.FindSource(c.source)})
			if err != nil {
				t.Fatal(err)
			}
			if a.IsArticle || a.NotArticleReason == "" {
				t.Errorf("article = %v, reason %q; want a non-article with a reason", a.IsArticle, a.NotArticleReason)
			}
			if a.Published != nil {
				t.Errorf("a listing got a publication date %v from %s", a.Published, a.PublishedSource)
			}
		})
	}
}
