package testsite

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/charmap"

	"github.com/newsmon/newsmon"
)

// fetch GETs u with the given request headers, without following redirects,
// and returns the response with its body read (at most 1 MB).
func fetch(t *testing.T, u string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "newsmon-test/1.0")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	return resp, body
}

func mustGet(t *testing.T, u string) []byte {
	t.Helper()
	resp, body := fetch(t, u, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	return body
}

func sourceByName(t *testing.T, s *Site, name string) newsmon.Source {
	t.Helper()
	for _, src := range s.Sources() {
		if src.Name == name {
			return src
		}
	}
	t.Fatalf("no source %q", name)
	return newsmon.Source{}
}

func baseOf(src newsmon.Source) string {
	u, _ := url.Parse(src.URL)
	return u.Scheme + "://" + u.Host
}

func hostOf(src newsmon.Source) string {
	u, _ := url.Parse(src.URL)
	return u.Host
}

func expectedURLs(s *Site, source string) []string {
	var out []string
	for _, a := range s.Expected() {
		if a.Source == source {
			out = append(out, a.URL)
		}
	}
	return out
}

func TestSourcesValidate(t *testing.T) {
	s := Start()
	defer s.Close()
	cfg := newsmon.DefaultConfig()
	cfg.Sources = s.Sources()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	kinds := map[string]string{"newsroom": newsmon.KindNews, "ministry": newsmon.KindStatement, "agency": newsmon.KindNews}
	for _, src := range cfg.Sources {
		if kinds[src.Name] != src.Kind {
			t.Errorf("%s: kind %q, want %q", src.Name, src.Kind, kinds[src.Name])
		}
		urls := expectedURLs(s, src.Name)
		if len(urls) == 0 {
			t.Errorf("%s: no expected articles", src.Name)
		}
		for _, u := range urls {
			if !src.IsArticleURL(u) {
				t.Errorf("%s: article URL %s does not match the article pattern", src.Name, u)
			}
		}
		for _, u := range append(append([]string{src.URL}, src.Feeds...), src.Sitemaps...) {
			if src.IsArticleURL(u) {
				t.Errorf("%s: %s matches the article pattern", src.Name, u)
			}
		}
	}
}

// rss is the part of RSS 2.0 the tests read.
type rss struct {
	Items []struct {
		Title   string `xml:"title"`
		Link    string `xml:"link"`
		PubDate string `xml:"pubDate"`
		Creator string `xml:"http://purl.org/dc/elements/1.1/ creator"`
	} `xml:"channel>item"`
}

func parseRSS(t *testing.T, body []byte) rss {
	t.Helper()
	var feed rss
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "windows-1251") {
			return charmap.Windows1251.NewDecoder().Reader(r), nil
		}
		return nil, fmt.Errorf("unexpected charset %q", label)
	}
	if err := dec.Decode(&feed); err != nil {
		t.Fatalf("parse feed: %v", err)
	}
	return feed
}

func TestFeeds(t *testing.T) {
	s := Start()
	defer s.Close()
	tests := []struct {
		name      string
		source    string
		wantItems int
		tracking  bool // links carry utm_ parameters
	}{
		{"newsroom feed has the newest ten with tracking links", "newsroom", 10, true},
		{"agency feed in windows-1251 lists every story", "agency", 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := sourceByName(t, s, tt.source)
			feed := parseRSS(t, mustGet(t, src.Feeds[0]))
			if len(feed.Items) != tt.wantItems {
				t.Fatalf("%d items, want %d", len(feed.Items), tt.wantItems)
			}
			want := expectedURLs(s, tt.source)
			real := 0
			for _, it := range feed.Items {
				if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
					t.Errorf("item %q: pubDate %q: %v", it.Title, it.PubDate, err)
				}
				u, err := url.Parse(it.Link)
				if err != nil {
					t.Fatalf("link %q: %v", it.Link, err)
				}
				if got := u.Query().Get("utm_source") != ""; got != tt.tracking {
					t.Errorf("link %s: tracking parameters %v, want %v", it.Link, got, tt.tracking)
				}
				u.RawQuery = ""
				if slices.Contains(want, u.String()) {
					real++
				}
			}
			if real == 0 || (!tt.tracking && real != len(feed.Items)) {
				t.Errorf("%d of %d items are expected articles", real, len(feed.Items))
			}
			if tt.source == "agency" && !strings.Contains(feed.Items[0].Title, "Шуше") {
				t.Errorf("first title %q not decoded from windows-1251", feed.Items[0].Title)
			}
		})
	}
}

type sitemapIndex struct {
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		Lastmod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

type urlset struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		Lastmod string `xml:"lastmod"`
		News    struct {
			Date  string `xml:"publication_date"`
			Title string `xml:"title"`
		} `xml:"news"`
	} `xml:"url"`
}

func readSitemaps(t *testing.T, index string) map[string]urlset {
	t.Helper()
	var idx sitemapIndex
	if err := xml.Unmarshal(mustGet(t, index), &idx); err != nil {
		t.Fatalf("parse %s: %v", index, err)
	}
	sets := map[string]urlset{}
	for _, sm := range idx.Sitemaps {
		if _, err := time.Parse(time.RFC3339, sm.Lastmod); err != nil {
			t.Errorf("%s: lastmod %q: %v", sm.Loc, sm.Lastmod, err)
		}
		var us urlset
		if err := xml.Unmarshal(mustGet(t, sm.Loc), &us); err != nil {
			t.Fatalf("parse %s: %v", sm.Loc, err)
		}
		if len(us.URLs) == 0 || len(us.URLs) > 1000 {
			t.Errorf("%s: %d URLs", sm.Loc, len(us.URLs))
		}
		sets[sm.Loc[strings.LastIndex(sm.Loc, "/")+1:]] = us
	}
	return sets
}

func TestSitemaps(t *testing.T) {
	s := Start()
	defer s.Close()
	src := sourceByName(t, s, "newsroom")
	sets := readSitemaps(t, src.Sitemaps[0])
	for _, name := range []string{"post-sitemap.xml", "page-sitemap.xml", "news-sitemap.xml"} {
		if _, ok := sets[name]; !ok {
			t.Fatalf("sitemap index lacks %s", name)
		}
	}
	listed := map[string]string{}
	for _, u := range sets["post-sitemap.xml"].URLs {
		listed[u.Loc] = u.Lastmod
	}
	for _, u := range expectedURLs(s, "newsroom") {
		lm, ok := listed[u]
		if !ok {
			t.Errorf("post sitemap lacks %s", u)
			continue
		}
		if _, err := time.Parse(time.RFC3339, lm); err != nil {
			t.Errorf("%s: lastmod %q: %v", u, lm, err)
		}
	}
	for _, trap := range []string{trap404, trapHuge, trapChainA, trapLoopA, trapPDF} {
		if _, ok := listed[baseOf(src)+trap]; !ok {
			t.Errorf("post sitemap lacks the trap %s", trap)
		}
	}
	news := sets["news-sitemap.xml"].URLs
	if len(news) != 10 {
		t.Fatalf("news sitemap: %d URLs, want 10", len(news))
	}
	for _, u := range news {
		if _, err := time.Parse(time.RFC3339, u.News.Date); err != nil || u.News.Title == "" {
			t.Errorf("news sitemap entry %s: date %q (%v), title %q", u.Loc, u.News.Date, err, u.News.Title)
		}
	}
}

// followListing walks a listing by its next links and returns the article
// links of every page and the number of pages.
func followListing(t *testing.T, l newsmon.Listing) ([]string, int) {
	t.Helper()
	var links []string
	pages := 0
	for u := l.URL; u != "" && pages < 20; pages++ {
		body := mustGet(t, u)
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(u)
		doc.Find(l.Links).Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			ref, _ := base.Parse(href)
			links = append(links, ref.String())
		})
		next, ok := doc.Find(l.Next).First().Attr("href")
		if !ok {
			break
		}
		ref, _ := base.Parse(next)
		u = ref.String()
	}
	return links, pages + 1
}

func TestPagination(t *testing.T) {
	s := Start()
	defer s.Close()
	tests := []struct {
		name      string
		source    string
		wantPages int
		traps     int // listed links that are not real articles
	}{
		{"newsroom category reaches its last page", "newsroom", 3, 2},
		{"ministry events reach page 4", "ministry", 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := sourceByName(t, s, tt.source)
			links, pages := followListing(t, src.Listings[0])
			if pages != tt.wantPages {
				t.Errorf("%d pages, want %d", pages, tt.wantPages)
			}
			want := expectedURLs(s, tt.source)
			if len(links) != len(want)+tt.traps {
				t.Errorf("%d links, want %d articles and %d traps", len(links), len(want), tt.traps)
			}
			for _, u := range want {
				if !slices.Contains(links, u) {
					t.Errorf("listing lacks %s", u)
				}
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	s := Start()
	defer s.Close()
	nb := baseOf(sourceByName(t, s, "newsroom"))
	mb := baseOf(sourceByName(t, s, "ministry"))
	ab := baseOf(sourceByName(t, s, "agency"))
	exp := s.Expected()
	tests := []struct{ name, url string }{
		{"newsroom article", nb + "/2024/04/azerbaijan-kazakhstan-strategic-partnership-a-new-geopolitical-axis/"},
		{"newsroom feed", nb + "/feed/"},
		{"newsroom sitemap index", nb + "/sitemap_index.xml"},
		{"newsroom post sitemap", nb + "/post-sitemap.xml"},
		{"newsroom category page 2", nb + "/category/news/page/2/"},
		{"newsroom robots.txt", nb + "/robots.txt"},
		{"ministry listing", mb + "/ru/events?page=2"},
		{"ministry statement", expectedURLs(s, "ministry")[0]},
		{"agency feed", ab + "/rss.xml"},
		{"agency story", expectedURLs(s, "agency")[0]},
	}
	if len(exp) == 0 {
		t.Fatal("no expected articles")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := fetch(t, tt.url, nil)
			etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if resp.StatusCode != http.StatusOK || etag == "" || lm == "" {
				t.Fatalf("status %d, ETag %q, Last-Modified %q", resp.StatusCode, etag, lm)
			}
			cases := []struct {
				hdr  map[string]string
				want int
			}{
				{map[string]string{"If-None-Match": etag}, http.StatusNotModified},
				{map[string]string{"If-Modified-Since": lm}, http.StatusNotModified},
				{map[string]string{"If-None-Match": `"other"`}, http.StatusOK},
				{map[string]string{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, http.StatusOK},
			}
			for _, c := range cases {
				resp, body := fetch(t, tt.url, c.hdr)
				if resp.StatusCode != c.want {
					t.Errorf("with %v: status %d, want %d", c.hdr, resp.StatusCode, c.want)
				}
				if c.want == http.StatusNotModified && len(body) != 0 {
					t.Errorf("with %v: 304 with a %d-byte body", c.hdr, len(body))
				}
			}
		})
	}
}

func TestTraps(t *testing.T) {
	s := Start()
	defer s.Close()
	s.SetSlow(150 * time.Millisecond)
	nb := baseOf(sourceByName(t, s, "newsroom"))
	var flaky, slow string
	for _, a := range s.newsroom.c.articles {
		switch a.role {
		case "flaky":
			flaky = nb + a.path
		case "slow":
			slow = nb + a.path
		}
	}
	tests := []struct {
		name        string
		url         string
		wantStatus  []int // statuses of successive requests
		contentType string
		minLength   int64
	}{
		{"deleted article is 404", nb + trap404, []int{404, 404}, "text/html", 0},
		{"flaky article fails once then serves", flaky, []int{500, 200, 200}, "text/html", 0},
		{"pdf is a pdf", nb + trapPDF, []int{200}, "application/pdf", 0},
		{"huge page announces 20 MB", nb + trapHuge, []int{200}, "text/html", 20 << 20 * 99 / 100},
		{"calendar goes on", nb + "/calendar/2031/07/", []int{200}, "text/html", 0},
		{"member page exists though disallowed", nb + trapPrivate, []int{200}, "text/html", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.wantStatus {
				resp, _ := fetch(t, tt.url, nil)
				if resp.StatusCode != want {
					t.Fatalf("request %d: status %d, want %d", i+1, resp.StatusCode, want)
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) {
					t.Errorf("Content-Type %q, want %s", resp.Header.Get("Content-Type"), tt.contentType)
				}
				if tt.minLength > 0 && resp.ContentLength < tt.minLength {
					t.Errorf("Content-Length %d, want at least %d", resp.ContentLength, tt.minLength)
				}
			}
		})
	}
	t.Run("slow article takes the set delay", func(t *testing.T) {
		start := time.Now()
		mustGet(t, slow)
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("answered in %v, want at least 150ms", d)
		}
	})
	t.Run("calendar links the next month", func(t *testing.T) {
		body := string(mustGet(t, nb+"/calendar/2031/12/"))
		if !strings.Contains(body, "/calendar/2032/01/") || !strings.Contains(body, "/calendar/2031/11/") {
			t.Error("calendar page lacks its neighbours")
		}
	})
}

func TestRedirects(t *testing.T) {
	s := Start()
	defer s.Close()
	nb := baseOf(sourceByName(t, s, "newsroom"))
	tests := []struct {
		name     string
		start    string
		wantHops int
		loop     bool
	}{
		{"chain of three ends at a real article", nb + trapChainA, 3, false},
		{"loop never ends", nb + trapLoopA, 10, true},
		{"missing trailing slash redirects once", strings.TrimSuffix(expectedURLs(s, "newsroom")[0], "/"), 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hops := 0
			client := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
				hops = len(via)
				if len(via) >= 10 {
					return errors.New("too many redirects")
				}
				return nil
			}}
			resp, err := client.Get(tt.start)
			if tt.loop {
				if err == nil {
					resp.Body.Close()
					t.Fatal("loop ended")
				}
				if hops != tt.wantHops {
					t.Errorf("%d hops, want %d", hops, tt.wantHops)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if hops != tt.wantHops || resp.StatusCode != http.StatusOK {
				t.Fatalf("%d hops, status %d; want %d hops, 200", hops, resp.StatusCode, tt.wantHops)
			}
			if final := resp.Request.URL.String(); !slices.Contains(expectedURLs(s, "newsroom"), final) {
				t.Errorf("ended at %s, not an expected article", final)
			}
		})
	}
}

func TestDuplicateURLsNameTheCanonical(t *testing.T) {
	s := Start()
	defer s.Close()
	nb := baseOf(sourceByName(t, s, "newsroom"))
	var dup, canonical string
	for _, a := range s.newsroom.c.articles {
		if a.duplicate != "" {
			dup, canonical = nb+a.duplicate, nb+a.path
		}
	}
	tests := []struct{ name, url string }{
		{"second slug", dup},
		{"amp variant", canonical + "?amp=1"},
		{"feed link with tracking", canonical + "?utm_source=rss&utm_medium=rss"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := string(mustGet(t, tt.url))
			if want := `<link rel="canonical" href="` + canonical + `">`; !strings.Contains(body, want) {
				t.Errorf("page lacks %s", want)
			}
		})
	}
	if slices.Contains(expectedURLs(s, "newsroom"), dup) {
		t.Errorf("duplicate %s is in Expected", dup)
	}
}

func TestWindows1251(t *testing.T) {
	s := Start()
	defer s.Close()
	ab := baseOf(sourceByName(t, s, "agency"))
	titles := map[string]string{}
	for _, a := range s.Expected() {
		titles[a.URL] = a.Title
	}
	tests := []struct {
		name        string
		url         string
		contentType string
		metaCharset bool // the page declares its charset in a meta tag
	}{
		{"charset only in the HTTP header", ab + "/ru/news/152034.html", "text/html; charset=windows-1251", false},
		{"charset only in meta", ab + "/ru/news/152117.html", "text/html", true},
		{"charset in both", ab + "/ru/news/152260.html", "text/html; charset=windows-1251", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fetch(t, tt.url, nil)
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if utf8.Valid(body) {
				t.Error("body is valid UTF-8; want windows-1251 bytes")
			}
			if got := bytes.Contains(bytes.ToLower(body), []byte("charset=")); got != tt.metaCharset {
				t.Errorf("meta charset present %v, want %v", got, tt.metaCharset)
			}
			text, err := charmap.Windows1251.NewDecoder().Bytes(body)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := charmap.Windows1251.NewEncoder().String(titles[tt.url])
			if titles[tt.url] == "" || !bytes.Contains(body, []byte(want)) || !strings.Contains(string(text), titles[tt.url]) {
				t.Errorf("decoded page lacks the title %q", titles[tt.url])
			}
		})
	}
}

// topicTerms are phrases that name each topic; a page's own text must name a
// topic exactly when the ground truth says the article is about it.
var topicTerms = map[string][]string{
	"corridor":  {"middle corridor", "trans-caspian", "titr", "средн", "тмтм", "транскаспийск"},
	"pipeline":  {"pipeline", "cpc", "btc", "ктк", "трубопровод", "джейхан"},
	"agreement": {"agreement", "memorandum", "treaty", "contract", "fund", "соглашени", "меморандум", "договор", "контракт", "фонд"},
}

// falseSenses are phrases whose topic words do not count.
var falseSenses = []string{"in the pipeline", "corridors of power", "средней", "среднее", "средние", "средним образом"}

func namesTopic(text, topic string) bool {
	text = strings.ToLower(text)
	for _, fs := range falseSenses {
		text = strings.ReplaceAll(text, fs, " ")
	}
	for _, term := range topicTerms[topic] {
		re := regexp.MustCompile(`(^|[^\p{L}])` + regexp.QuoteMeta(term))
		if re.MatchString(text) {
			if topic == "corridor" && term == "средн" && !regexp.MustCompile(`средн\p{L}* коридор`).MatchString(text) {
				continue
			}
			return true
		}
	}
	return false
}

// TestGroundTruthMatchesText checks Expected against the pages: title and
// body (as the source's selectors extract them) name exactly the topics the
// article is said to be about, and the author and date are on the page.
func TestGroundTruthMatchesText(t *testing.T) {
	s := Start()
	defer s.Close()
	s.Update()
	s.SetSlow(0)
	srcs := map[string]newsmon.Source{}
	for _, src := range s.Sources() {
		srcs[src.Name] = src
	}
	untopical := 0
	for _, a := range s.Expected() {
		t.Run(a.Source+"/"+a.URL[strings.LastIndex(strings.TrimSuffix(a.URL, "/"), "/")+1:], func(t *testing.T) {
			resp, body := fetch(t, a.URL, nil)
			if resp.StatusCode == http.StatusInternalServerError { // the flaky article; crawlers retry
				resp, body = fetch(t, a.URL, nil)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if a.Source == "agency" {
				body, _ = charmap.Windows1251.NewDecoder().Bytes(body)
			}
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			sel := srcs[a.Source].Selectors
			if got := strings.TrimSpace(doc.Find(sel.Title).First().Text()); got != a.Title {
				t.Errorf("title %q, want %q", got, a.Title)
			}
			content := doc.Find(sel.Body).First()
			for _, r := range sel.Remove {
				content.Find(r).Remove()
			}
			text := a.Title + "\n" + content.Text()
			for _, topic := range []string{"agreement", "corridor", "pipeline"} {
				if got, want := namesTopic(text, topic), slices.Contains(a.Topics, topic); got != want {
					t.Errorf("text names %s: %v; ground truth says %v", topic, got, want)
				}
			}
			if a.Author != "" && !strings.Contains(string(body), a.Author) {
				t.Errorf("page does not name the author %q", a.Author)
			}
			if a.Language == "en" && !strings.Contains(string(body), a.Published.In(almaty).Format("2 January 2006")) {
				t.Errorf("page does not show the day %s", a.Published.In(almaty).Format("2 January 2006"))
			}
		})
		if len(a.Topics) == 0 {
			untopical++
		}
	}
	if untopical < 10 {
		t.Errorf("%d articles on no topic; the related blocks need pages to be wrong on", untopical)
	}
}

func TestUpdate(t *testing.T) {
	s := Start()
	defer s.Close()
	nb := baseOf(sourceByName(t, s, "newsroom"))
	var corrected, untouched string
	for _, a := range s.newsroom.c.articles {
		if a.correction != "" {
			corrected = nb + a.path
		} else if a.role == "" && untouched == "" {
			untouched = nb + a.path
		}
	}
	count := func() map[string]int {
		c := map[string]int{}
		for _, a := range s.Expected() {
			c[a.Source]++
		}
		return c
	}
	etag := func(u string) string {
		resp, _ := fetch(t, u, nil)
		return resp.Header.Get("ETag")
	}
	lastmod := func(u string) string {
		for _, x := range readSitemaps(t, nb+"/sitemap_index.xml")["post-sitemap.xml"].URLs {
			if x.Loc == u {
				return x.Lastmod
			}
		}
		return ""
	}
	before, feedBefore := count(), string(mustGet(t, nb+"/feed/"))
	tagCorrected, tagUntouched, lmBefore := etag(corrected), etag(untouched), lastmod(corrected)
	pageBefore := string(mustGet(t, corrected))

	s.Update()
	after := count()
	s.Update()
	if again := count(); !maps2equal(after, again) {
		t.Errorf("second Update changed the articles: %v, then %v", after, again)
	}
	pageAfter := string(mustGet(t, corrected))
	feedAfter := string(mustGet(t, nb+"/feed/"))

	tests := []struct {
		name string
		ok   bool
	}{
		{"two new newsroom articles", after["newsroom"] == before["newsroom"]+2},
		{"one new ministry statement", after["ministry"] == before["ministry"]+1},
		{"agency unchanged", after["agency"] == before["agency"]},
		{"feed changed", feedAfter != feedBefore},
		{"corrected ETag changed", etag(corrected) != tagCorrected},
		{"untouched ETag kept", etag(untouched) == tagUntouched},
		{"sitemap lastmod changed", lastmod(corrected) != lmBefore && lastmod(corrected) != ""},
		{"correction paragraph added", !strings.Contains(pageBefore, "Correction,") && strings.Contains(pageAfter, "Correction,")},
		{"modified_time announced", strings.Contains(pageAfter, "article:modified_time") && !strings.Contains(pageBefore, "article:modified_time")},
		{"JSON-LD dateModified changed", jsonLDModified(pageAfter) != jsonLDModified(pageBefore)},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("after Update: %s: not so", tt.name)
		}
	}
	for _, a := range s.Expected() {
		if a.URL == corrected && a.Modified.IsZero() {
			t.Error("Expected does not report the correction as a modification")
		}
	}
	newest := s.Expected()
	var newsroomNew []string
	for _, a := range newest {
		if a.Source == "newsroom" && a.Published.Year() == 2025 && a.Published.Month() == time.July {
			newsroomNew = append(newsroomNew, a.URL)
		}
	}
	home := string(mustGet(t, nb+"/"))
	cat := string(mustGet(t, nb+"/category/news/"))
	news := string(mustGet(t, nb+"/news-sitemap.xml"))
	for _, u := range newsroomNew {
		for where, page := range map[string]string{"feed": feedAfter, "home": home, "category": cat, "news sitemap": news} {
			if !strings.Contains(page, u) {
				t.Errorf("%s lacks the new article %s", where, u)
			}
		}
	}
	if len(newsroomNew) != 2 {
		t.Errorf("%d new newsroom articles dated July 2025, want 2", len(newsroomNew))
	}
}

func maps2equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

var dateModifiedRE = regexp.MustCompile(`"dateModified":"([^"]+)"`)

func jsonLDModified(page string) string {
	m := dateModifiedRE.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestForbidden(t *testing.T) {
	s := Start()
	defer s.Close()
	nh := hostOf(sourceByName(t, s, "newsroom"))
	mh := hostOf(sourceByName(t, s, "ministry"))
	ah := hostOf(sourceByName(t, s, "agency"))
	tests := []struct {
		name string
		host string
		uri  string
		want bool
	}{
		{"article allowed", nh, "/2024/04/some-story/", false},
		{"wp-admin disallowed", nh, "/wp-admin/", true},
		{"wp-admin page disallowed", nh, "/wp-admin/post.php?post=1", true},
		{"admin-ajax allowed by the longer rule", nh, "/wp-admin/admin-ajax.php", false},
		{"search disallowed", nh, "/search/middle+corridor/", true},
		{"reply link disallowed", nh, "/2024/04/some-story/?replytocom=123", true},
		{"replytocom not first parameter allowed", nh, "/2024/04/some-story/?a=1&replytocom=123", false},
		{"private disallowed", nh, trapPrivate, true},
		{"privacy policy allowed", nh, "/privacy-policy/", false},
		{"calendar allowed for us", nh, "/calendar/2024/03/", false},
		{"query search allowed", nh, "/?s=corridor", false},
		{"ministry admin disallowed", mh, "/ru/admin/login", true},
		{"ministry search disallowed", mh, "/ru/search?q=x", true},
		{"ministry events allowed", mh, "/ru/events?page=2", false},
		{"agency has no robots", ah, "/ru/news/152034.html", false},
		{"unknown host", "127.0.0.1:1", "/wp-admin/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Forbidden(tt.host, tt.uri); got != tt.want {
				t.Errorf("Forbidden(%s) = %v, want %v", tt.uri, got, tt.want)
			}
		})
	}
	// The rules Forbidden restates must be the ones robots.txt says.
	robots := map[string]string{
		nh: string(mustGet(t, "http://"+nh+"/robots.txt")),
		mh: string(mustGet(t, "http://"+mh+"/robots.txt")),
	}
	for host, lines := range map[string][]string{
		nh: {"User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", "Disallow: /search/", "Disallow: /*?replytocom=", "Disallow: /private/", "Crawl-delay: 0.2"},
		mh: {"User-agent: *", "Disallow: /ru/admin", "Disallow: /ru/search"},
	} {
		for _, l := range lines {
			if !strings.Contains(robots[host], l+"\n") {
				t.Errorf("robots.txt of %s lacks %q", host, l)
			}
		}
	}
	if resp, _ := fetch(t, "http://"+ah+"/robots.txt", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("agency robots.txt: status %d, want 404", resp.StatusCode)
	}
	for host, want := range map[string]time.Duration{nh: 200 * time.Millisecond, mh: 0, ah: 0} {
		if got := s.CrawlDelay(host); got != want {
			t.Errorf("CrawlDelay(%s) = %v, want %v", host, got, want)
		}
	}
}

func TestRequestLog(t *testing.T) {
	s := Start()
	defer s.Close()
	nb := baseOf(sourceByName(t, s, "newsroom"))
	fetch(t, nb+"/feed/", map[string]string{"If-None-Match": `"x"`})
	fetch(t, nb+trap404, nil)
	log := s.Requests()
	if len(log) != 2 {
		t.Fatalf("%d requests logged, want 2", len(log))
	}
	tests := []struct {
		got, want any
	}{
		{log[0].Path, "/feed/"},
		{log[0].Status, 200},
		{log[0].IfNoneMatch, `"x"`},
		{log[0].UserAgent, "newsmon-test/1.0"},
		{log[0].Outlet, "newsroom"},
		{log[0].Host, strings.TrimPrefix(nb, "http://")},
		{log[1].Status, 404},
		{log[1].Time.Before(log[0].Time), false},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("check %d: got %v, want %v", i, tt.got, tt.want)
		}
	}
	s.ResetLog()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests after ResetLog", n)
	}
}

func TestGenerated(t *testing.T) {
	s := Generated(200)
	defer s.Close()
	src := s.Sources()[0]
	cfg := newsmon.DefaultConfig()
	cfg.Sources = []newsmon.Source{src}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	exp := s.Expected()
	if len(exp) != 200 {
		t.Fatalf("%d expected articles, want 200", len(exp))
	}
	topical := 0
	for _, a := range exp {
		if len(a.Topics) > 0 {
			topical++
		}
	}
	if topical == 0 || topical == len(exp) {
		t.Errorf("%d of %d articles on a topic, want some", topical, len(exp))
	}
	feed := parseRSS(t, mustGet(t, src.Feeds[0]))
	if len(feed.Items) != 50 {
		t.Errorf("feed: %d items, want 50", len(feed.Items))
	}
	sets := readSitemaps(t, src.Sitemaps[0])
	if n := len(sets["post-sitemap.xml"].URLs); n != 200 {
		t.Errorf("post sitemap: %d URLs, want 200", n)
	}
	for i := 0; i < len(exp); i += 3 {
		a := exp[i]
		body := mustGet(t, a.URL)
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		content := doc.Find(src.Selectors.Body).First()
		for _, r := range src.Selectors.Remove {
			content.Find(r).Remove()
		}
		for _, topic := range []string{"agreement", "corridor", "pipeline"} {
			if got, want := namesTopic(a.Title+"\n"+content.Text(), topic), slices.Contains(a.Topics, topic); got != want {
				t.Errorf("%s: text names %s: %v; ground truth says %v", a.URL, topic, got, want)
			}
		}
	}
	for i, a := range []Article{exp[0], exp[99], exp[199]} {
		first := mustGet(t, a.URL)
		if len(first) < 50<<10 || len(first) > 80<<10 {
			t.Errorf("page %d: %d bytes, want about 60 KB", i, len(first))
		}
		if again := mustGet(t, a.URL); !bytes.Equal(first, again) {
			t.Errorf("page %d differs between requests", i)
		}
		if s.Forbidden(hostOf(src), "/wp-admin/") {
			t.Error("generated site forbids something")
		}
	}
}

func TestGeneratedSitemapsSplit(t *testing.T) {
	s := Generated(2500)
	defer s.Close()
	sets := readSitemaps(t, s.Sources()[0].Sitemaps[0])
	total := 0
	for name, us := range sets {
		if strings.HasPrefix(name, "post-sitemap") {
			total += len(us.URLs)
		}
	}
	if _, ok := sets["post-sitemap3.xml"]; !ok || total != 2500 {
		t.Errorf("sitemaps %v with %d URLs; want post-sitemap.xml to post-sitemap3.xml with 2,500", keys(sets), total)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestCloseEndsSlowRequests(t *testing.T) {
	s := Start()
	s.SetSlow(time.Hour)
	nb := baseOf(sourceByName(t, s, "newsroom"))
	var slow string
	for _, a := range s.newsroom.c.articles {
		if a.role == "slow" {
			slow = nb + a.path
		}
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get(slow)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling for the request to arrive
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v with a slow request running", d)
	}
	select {
	case <-errc:
	case <-time.After(5 * time.Second):
		t.Error("the slow request did not end after Close")
	}
}
