package extract

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html/charset"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/testsite"
)

// fetchPage gets a page from the simulated outlets over loopback and
// decodes it to UTF-8 as the crawler does.
func fetchPage(t *testing.T, pageURL string) []byte {
	t.Helper()
	var resp *http.Response
	// One article of the newsroom fails with a 500 once, as real sites do.
	for attempt := 0; attempt < 3; attempt++ {
		r, err := http.Get(pageURL)
		if err != nil {
			t.Fatalf("fetch %s: %v", pageURL, err)
		}
		if r.StatusCode < 500 {
			resp = r
			break
		}
		r.Body.Close()
	}
	if resp == nil {
		t.Fatalf("fetch %s: server errors", pageURL)
	}
	defer resp.Body.Close()
	r, err := charset.NewReader(io.LimitReader(resp.Body, 4<<20), resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("decode %s: %v", pageURL, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", pageURL, err)
	}
	return b
}

// feedTimes reads an RSS 2.0 feed into publication times by link, with
// query and fragment dropped.
func feedTimes(t *testing.T, feedURL string) map[string]time.Time {
	t.Helper()
	var rss struct {
		Items []struct {
			Link    string `xml:"link"`
			PubDate string `xml:"pubDate"`
		} `xml:"channel>item"`
	}
	dec := xml.NewDecoder(strings.NewReader(string(fetchPage(t, feedURL))))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&rss); err != nil {
		t.Fatalf("feed %s: %v", feedURL, err)
	}
	out := map[string]time.Time{}
	for _, it := range rss.Items {
		pt, err := time.Parse(time.RFC1123Z, strings.TrimSpace(it.PubDate))
		if err != nil {
			continue
		}
		out[stripQuery(it.Link)] = pt
	}
	return out
}

// newsSitemapTimes reads the publication times of a Google News sitemap
// and of those an index lists, by URL.
func newsSitemapTimes(t *testing.T, sitemapURL string, depth int) map[string]time.Time {
	t.Helper()
	var doc struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
		URLs []struct {
			Loc  string `xml:"loc"`
			Date string `xml:"news>publication_date"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(fetchPage(t, sitemapURL), &doc); err != nil {
		t.Fatalf("sitemap %s: %v", sitemapURL, err)
	}
	out := map[string]time.Time{}
	for _, u := range doc.URLs {
		if pt, err := time.Parse(time.RFC3339, strings.TrimSpace(u.Date)); err == nil {
			out[stripQuery(u.Loc)] = pt
		}
	}
	if depth > 0 {
		for _, sm := range doc.Sitemaps {
			for k, v := range newsSitemapTimes(t, strings.TrimSpace(sm.Loc), depth-1) {
				out[k] = v
			}
		}
	}
	return out
}

func stripQuery(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// TestTestsiteArticles extracts every article the simulated outlets
// publish, fetched over loopback with the outlet's source configuration and
// the feed's time as the crawler would pass it, and compares the result
// with the outlets' ground truth.
func TestTestsiteArticles(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	srcs := map[string]*newsmon.Source{}
	for _, s := range site.Sources() {
		s := s
		srcs[s.Name] = &s
	}
	feeds := map[string]map[string]time.Time{}
	for name, s := range srcs {
		feeds[name] = map[string]time.Time{}
		// What the crawler passes as FeedPublished: the news sitemap's
		// publication time, or the feed's, which it reads later.
		for _, sm := range s.Sitemaps {
			for k, v := range newsSitemapTimes(t, sm, 1) {
				feeds[name][k] = v
			}
		}
		for _, f := range s.Feeds {
			for k, v := range feedTimes(t, f) {
				feeds[name][k] = v
			}
		}
	}
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	expected := site.Expected()
	if len(expected) < 10 {
		t.Fatalf("only %d expected articles", len(expected))
	}
	feedTimed := 0 // day-only pages whose instant came from the feed
	for _, want := range expected {
		if _, ok := feeds[want.Source][want.URL]; ok && want.DayOnly {
			feedTimed++
		}
		t.Run(want.Source+" "+want.URL[strings.LastIndex(strings.TrimSuffix(want.URL, "/"), "/")+1:], func(t *testing.T) {
			src := srcs[want.Source]
			p := &newsmon.Page{URL: want.URL, Body: fetchPage(t, want.URL), Source: src}
			if ft, ok := feeds[want.Source][want.URL]; ok {
				p.FeedPublished = &ft
			}
			a, err := e.Extract(p)
			if err != nil {
				t.Fatal(err)
			}
			if !a.IsArticle {
				t.Fatalf("judged not an article: %s", a.NotArticleReason)
			}
			checks := []struct {
				field     string
				got, want string
			}{
				{"title", a.Title, want.Title},
				{"author", a.Author, want.Author},
				{"language", a.Language, want.Language},
				{"canonical", a.CanonicalURL, want.URL},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if a.Published == nil {
				t.Fatalf("no publication date, want %v", want.Published)
			}
			_, fromFeed := feeds[want.Source][want.URL]
			if want.DayOnly && !fromFeed {
				loc := e.location(src)
				if got, w := a.Published.In(loc).Format("2006-01-02"), want.Published.In(loc).Format("2006-01-02"); got != w {
					t.Errorf("published day = %s, want %s", got, w)
				}
			} else if !a.Published.Equal(want.Published) {
				t.Errorf("published = %v (%s), want %v", a.Published, a.PublishedSource, want.Published)
			}
			if want.DayOnly && fromFeed && a.PublishedSource != "feed" {
				t.Errorf("published source = %q, want feed (the page shows only the day)", a.PublishedSource)
			}
			if !want.DayOnly && a.PublishedSource == "feed" {
				t.Errorf("published from the feed although the page gives the instant")
			}
			if len(a.Text) < 300 {
				t.Errorf("text is %d bytes: %q", len(a.Text), a.Text)
			}
			for _, junk := range []string{"READ ALSO", "Share this", "cookies", "Related", "Leave a Reply"} {
				if strings.Contains(a.Text, junk) {
					t.Errorf("text holds %q", junk)
				}
			}
		})
	}
	if feedTimed == 0 {
		t.Errorf("no day-only article with a feed time: the feed rule went untested")
	}
	t.Logf("%d articles, %d of them day-only pages timed by the feed", len(expected), feedTimed)
}

// TestTestsiteNonArticles checks that the outlets' home pages, archives,
// search results and calendars are judged not articles, with a reason.
func TestTestsiteNonArticles(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	srcs := map[string]*newsmon.Source{}
	for _, s := range site.Sources() {
		s := s
		srcs[s.Name] = &s
	}
	var authorPath string
	for _, a := range site.Expected() {
		if a.Source == "newsroom" && a.Author != "" {
			authorPath = "author/" + strings.ToLower(strings.ReplaceAll(a.Author, " ", "-")) + "/"
			break
		}
	}
	cases := []struct {
		name, source, path string
	}{
		{"newsroom home", "newsroom", ""},
		{"newsroom category", "newsroom", "category/news/"},
		{"newsroom category page 2", "newsroom", "category/news/page/2/"},
		{"newsroom tag", "newsroom", "tag/middle-corridor/"},
		{"newsroom author", "newsroom", authorPath},
		{"newsroom search", "newsroom", "?s=corridor"},
		{"newsroom calendar", "newsroom", "calendar/2024/03/"},
		{"ministry home", "ministry", "ru"},
		{"ministry listing", "ministry", "ru/events?page=2"},
		{"agency home", "agency", ""},
	}
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := srcs[c.source]
			pageURL := baseOf(src.URL) + "/" + c.path
			a, err := e.Extract(&newsmon.Page{URL: pageURL, Body: fetchPage(t, pageURL), Source: src})
			if err != nil {
				t.Fatal(err)
			}
			if a.IsArticle {
				t.Errorf("judged an article (title %q, %d bytes of text)", a.Title, len(a.Text))
			}
			if a.NotArticleReason == "" {
				t.Errorf("no reason given")
			}
		})
	}
}

// baseOf returns scheme and host of u.
func baseOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Scheme + "://" + p.Host
}
