package crawler

import (
	"net/url"
	"testing"
	"time"

	"github.com/andybalholm/cascadia"
)

func TestParseSitemap(t *testing.T) {
	index := `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://x.org/post-sitemap.xml</loc><lastmod>2024-04-22T10:00:00+05:00</lastmod></sitemap>
  <sitemap><loc> https://x.org/news-sitemap.xml </loc></sitemap>
</sitemapindex>`
	isIndex, entries, err := parseSitemap([]byte(index), 100)
	if err != nil || !isIndex || len(entries) != 2 || entries[1].Loc != "https://x.org/news-sitemap.xml" {
		t.Fatalf("index: %v %v %+v", err, isIndex, entries)
	}
	if got := parseW3CDate(entries[0].Lastmod); got == nil || !got.Equal(time.Date(2024, 4, 22, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("lastmod %v", got)
	}

	news := `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://x.org/2024/04/a/</loc><lastmod>2024-04-22</lastmod>
  <news:news><news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2024-04-21T09:30:00Z</news:publication_date><news:title>Fund agreed</news:title></news:news></url>
 <url><loc>https://x.org/2024/04/b/</loc></url>
</urlset>`
	isIndex, entries, err = parseSitemap([]byte(news), 100)
	if err != nil || isIndex || len(entries) != 2 {
		t.Fatalf("urlset: %v %v %+v", err, isIndex, entries)
	}
	if entries[0].NewsTitle != "Fund agreed" || entries[0].NewsPublished != "2024-04-21T09:30:00Z" {
		t.Errorf("news extension not read: %+v", entries[0])
	}

	_, entries, _ = parseSitemap([]byte(news), 1)
	if len(entries) != 1 {
		t.Errorf("maxEntries not honoured: %d", len(entries))
	}
	for name, doc := range map[string]string{"html": "<html><body>x</body></html>", "empty": "", "garbage": "\x00\x01"} {
		if _, _, err := parseSitemap([]byte(doc), 10); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseW3CDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-04-22":                "2024-04-22T00:00:00Z",
		"2024-04-22T09:00:00+05:00": "2024-04-22T04:00:00Z",
		"2024-04-22T09:00+05:00":    "2024-04-22T04:00:00Z",
		"2024-04-22T09:00:00.123Z":  "2024-04-22T09:00:00.123Z",
		"2024-04-22 09:00:00":       "2024-04-22T09:00:00Z",
	} {
		got := parseW3CDate(in)
		if got == nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("parseW3CDate(%q) = %v, want %s", in, got, want)
		}
	}
	for _, in := range []string{"", "yesterday", "0001-01-01", "2999-01-01"} {
		if got := parseW3CDate(in); got != nil {
			t.Errorf("parseW3CDate(%q) = %v, want nil", in, got)
		}
	}
}

func TestFeedCandidates(t *testing.T) {
	base, _ := url.Parse("https://x.org/")
	rss := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>X</title>
<item><title>One</title><link>https://x.org/2024/04/one/?utm_source=rss&amp;utm_medium=rss</link><pubDate>Mon, 22 Apr 2024 09:00:00 +0000</pubDate></item>
<item><title>Two</title><link>/2024/04/two/#respond</link></item>
<item><title>No link</title><guid isPermaLink="false">abc</guid></item>
</channel></rss>`
	got, err := feedCandidates([]byte(rss), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].url != "https://x.org/2024/04/one/" || got[1].url != "https://x.org/2024/04/two/" {
		t.Fatalf("got %+v", got)
	}
	if got[0].published == nil || got[0].published.Day() != 22 || got[0].title != "One" {
		t.Errorf("first item: %+v", got[0])
	}
	if _, err := feedCandidates([]byte("<html>not a feed</html>"), base); err == nil {
		t.Error("HTML accepted as a feed")
	}
}

func TestListingPage(t *testing.T) {
	base, _ := url.Parse("https://www.akorda.kz/en/events?page=1")
	doc := `<html><body><nav><a href="/en/about">About</a></nav>
<div class="news"><h4><a href="/en/events/meeting-1">Meeting</a></h4><h4><a href="events/visit-2?utm_campaign=x">Visit</a></h4></div>
<ul class="pagination"><li class="next"><a href="/en/events?page=2">Next</a></li></ul></body></html>`
	links := cascadia.MustCompile("h4 a")
	next := cascadia.MustCompile("li.next a")
	found, nextURL, err := listingPage([]byte(doc), base, links, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].url != "https://www.akorda.kz/en/events/meeting-1" || found[1].url != "https://www.akorda.kz/en/events/visit-2" {
		t.Errorf("links %+v", found)
	}
	if nextURL != "https://www.akorda.kz/en/events?page=2" {
		t.Errorf("next %q", nextURL)
	}
}

func TestFeedCandidatesAtomUpdatedIsNoPublicationDate(t *testing.T) {
	base, _ := url.Parse("https://x.org/")
	atom := `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>X</title>
<entry><title>Edited</title><link href="https://x.org/a"/><updated>2024-05-01T10:00:00Z</updated></entry>
<entry><title>Dated</title><link href="https://x.org/b"/><published>2024-04-01T08:00:00Z</published><updated>2024-05-01T10:00:00Z</updated></entry>
</feed>`
	got, err := feedCandidates([]byte(atom), base)
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %+v", err, got)
	}
	if got[0].published != nil {
		t.Errorf("entry without <published> got publication date %v from <updated>", got[0].published)
	}
	if got[0].lastmod == nil {
		t.Error("entry's <updated> not kept as a change signal")
	}
	if got[1].published == nil || got[1].published.Month() != 4 {
		t.Errorf("entry with <published>: %v", got[1].published)
	}
}
