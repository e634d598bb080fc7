package crawler

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"
)

// candidate is an article URL found by discovery, with what discovery
// said about it.
type candidate struct {
	url       string     // canonical form
	lastmod   *time.Time // sitemap lastmod or feed updated: a change signal
	published *time.Time // feed pubDate or news sitemap publication date
	title     string
	via       string // feed, sitemap or listing
}

// candidates collects discovered article URLs once each, merging what
// several discovery documents say about one URL. URLs that are not wanted
// are dropped as they come, and at most max are kept, so a sitemap index
// of millions of URLs costs little memory.
type candidates struct {
	order   []string
	byURL   map[string]*candidate
	wanted  func(u string) bool
	max     int
	dropped int // over max
}

func (cs *candidates) add(c candidate) {
	if old, ok := cs.byURL[c.url]; ok {
		if c.lastmod != nil && (old.lastmod == nil || c.lastmod.After(*old.lastmod)) {
			old.lastmod = c.lastmod
		}
		if old.published == nil {
			old.published = c.published
		}
		if old.title == "" {
			old.title = c.title
		}
		return
	}
	if cs.wanted != nil && !cs.wanted(c.url) {
		return
	}
	if cs.max > 0 && len(cs.order) >= cs.max {
		cs.dropped++
		return
	}
	if cs.byURL == nil {
		cs.byURL = map[string]*candidate{}
	}
	cs.byURL[c.url] = &c
	cs.order = append(cs.order, c.url)
}

// feedCandidates parses an RSS, Atom or JSON feed and returns its items'
// links. gofeed reads the XML encoding declaration itself.
func feedCandidates(body []byte, base *url.URL) ([]candidate, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	var out []candidate
	for _, it := range feed.Items {
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" && strings.HasPrefix(it.GUID, "http") {
			link = it.GUID
		}
		u, ok := canonicalURL(base, link)
		if !ok {
			continue
		}
		c := candidate{url: u, title: strings.TrimSpace(it.Title), via: "feed"}
		// gofeed fills an Atom entry's missing <published> with its
		// <updated>: a change time is no publication date.
		atomUpdatedOnly := feed.FeedType == "atom" && it.Published == it.Updated
		if it.PublishedParsed != nil && validDate(*it.PublishedParsed) && !atomUpdatedOnly {
			t := it.PublishedParsed.UTC()
			c.published = &t
		}
		if it.UpdatedParsed != nil && validDate(*it.UpdatedParsed) {
			t := it.UpdatedParsed.UTC()
			c.lastmod = &t
		}
		out = append(out, c)
	}
	return out, nil
}

// sitemapEntry is one <url> or <sitemap> of a sitemap file.
type sitemapEntry struct {
	Loc           string `xml:"loc"`
	Lastmod       string `xml:"lastmod"`
	NewsPublished string `xml:"news>publication_date"`
	NewsTitle     string `xml:"news>title"`
}

// parseSitemap reads a sitemap or a sitemap index (sitemaps.org 0.9, with
// the Google News extension). It streams, so a large file costs little
// memory, and stops after maxEntries.
func parseSitemap(body []byte, maxEntries int) (index bool, entries []sitemapEntry, err error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = charsetReader
	seenRoot := false
	for len(entries) < maxEntries {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return index, entries, fmt.Errorf("parse sitemap: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case !seenRoot:
			seenRoot = true
			switch se.Name.Local {
			case "sitemapindex":
				index = true
			case "urlset":
			default:
				return false, nil, fmt.Errorf("parse sitemap: root element <%s> is neither urlset nor sitemapindex", se.Name.Local)
			}
		case se.Name.Local == "url" || se.Name.Local == "sitemap":
			var e sitemapEntry
			if err := dec.DecodeElement(&e, &se); err != nil {
				return index, entries, fmt.Errorf("parse sitemap: %w", err)
			}
			e.Loc = strings.TrimSpace(e.Loc)
			entries = append(entries, e)
		}
	}
	if !seenRoot {
		return false, nil, fmt.Errorf("parse sitemap: empty document")
	}
	return index, entries, nil
}

// charsetReader lets the XML decoder read sitemaps that declare another
// encoding than UTF-8.
var charsetReader = charset.NewReaderLabel

// w3cLayouts are the W3C datetime profiles sitemaps use, plus forms seen in
// the wild.
var w3cLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02", "2006-01", "2006",
}

// parseW3CDate parses a sitemap date; times without a zone are taken as UTC.
func parseW3CDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range w3cLayouts {
		if t, err := time.Parse(layout, s); err == nil && validDate(t) {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// validDate rejects the zero time and dates far in the future, which feeds
// and sitemaps get wrong often enough.
func validDate(t time.Time) bool {
	return t.Year() >= 1995 && t.Before(time.Now().Add(48*time.Hour))
}

// listingPage returns the article links and the next-page link of a
// listing page.
func listingPage(body []byte, base *url.URL, links, next cascadia.Selector) (found []candidate, nextURL string, err error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, "", fmt.Errorf("parse listing: %w", err)
	}
	if b, ok := doc.Find("base[href]").Attr("href"); ok {
		if bu, err := base.Parse(b); err == nil {
			base = bu
		}
	}
	doc.FindMatcher(links).Each(func(_ int, s *goquery.Selection) {
		href, ok := s.Attr("href")
		if !ok {
			href, ok = s.Find("a[href]").First().Attr("href")
		}
		if !ok {
			return
		}
		if u, ok := canonicalURL(base, href); ok {
			found = append(found, candidate{url: u, title: strings.Join(strings.Fields(s.Text()), " "), via: "listing"})
		}
	})
	if next != nil {
		if href, ok := doc.FindMatcher(next).First().Attr("href"); ok {
			nextURL, _ = canonicalURL(base, href)
		}
	}
	return found, nextURL, nil
}
