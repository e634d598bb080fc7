package testsite

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsmon/newsmon"
)

// nrArticle is one newsroom post.
type nrArticle struct {
	id         int
	slug       string
	path       string // /YYYY/MM/slug/
	title      string
	author     string
	category   string
	published  time.Time
	modified   time.Time // zero when never changed
	meta       string    // "jsonld", "og" or "byline": where the page states its date
	topics     []string
	photo      string // figure caption with a photo credit
	comments   bool
	role       string // "", "flaky", "slow", "update" (published by Update), "seed"
	correction string // paragraph added by Update
	duplicate  string // path of a second copy whose canonical points here
	pdf        bool   // links the PDF report
	chainEnd   bool   // the redirect chain ends here
	blocks     []block
	gen        func() []block // generated sites: the body, built on demand
	excerpt    string
}

func (a *nrArticle) body() []block {
	if a.gen != nil {
		return a.gen()
	}
	return a.blocks
}

// nrTrap is a URL listed as if it were an article.
type nrTrap struct {
	path, title       string
	date              time.Time
	feed, map_, listg bool
}

// nrContent is everything a newsroom publishes.
type nrContent struct {
	siteName  string
	articles  []*nrArticle // every article, including those Update publishes
	traps     []nrTrap     // empty for a generated site
	updatedAt time.Time    // when Update's correction was made
	feedItems int
	generated bool
}

// newsroom serves a WordPress-like news site.
type newsroom struct {
	site    *Site
	baseURL string
	c       *nrContent
	byPath  map[string]*nrArticle
	dups    map[string]*nrArticle
	byID    map[int]*nrArticle
	ch      chrome

	relatedPool   []*nrArticle            // articles on some topic
	readAlsoPools map[string][]*nrArticle // by the topics of the article linking
}

func newNewsroom(s *Site, c *nrContent) *newsroom {
	n := &newsroom{site: s, c: c, byPath: map[string]*nrArticle{}, dups: map[string]*nrArticle{}, byID: map[int]*nrArticle{}}
	for _, a := range c.articles {
		n.byPath[a.path] = a
		n.byID[a.id] = a
		if a.duplicate != "" {
			n.dups[a.duplicate] = a
		}
	}
	n.buildPools()
	return n
}

func (n *newsroom) name() string { return "newsroom" }
func (n *newsroom) base() string { return n.baseURL }

func (n *newsroom) setBase(b string) {
	n.baseURL = b
	var initial []*nrArticle
	for _, a := range n.c.articles {
		if a.role != "update" {
			initial = append(initial, a)
		}
	}
	sort.SliceStable(initial, func(i, j int) bool { return initial[i].published.After(initial[j].published) })
	var latest, most []sideLink
	for i, a := range initial {
		if i < 6 {
			latest = append(latest, n.sideLink(a))
		}
	}
	// "Most read" are the stories with the most topic words in their titles:
	// pages about anything carry them.
	var topical []*nrArticle
	for _, a := range initial {
		if len(a.topics) > 0 {
			topical = append(topical, a)
		}
	}
	sort.SliceStable(topical, func(i, j int) bool { return len(topical[i].topics) > len(topical[j].topics) })
	for i := 0; i < 5 && i < len(topical); i++ {
		most = append(most, n.sideLink(topical[i]))
	}
	cal := "/calendar/2025/06/"
	if len(initial) > 0 {
		cal = initial[0].published.In(almaty).Format("/calendar/2006/01/")
	}
	n.ch = chrome{
		headAssets: globalStyles() + headScripts(b),
		masthead:   newsroomMasthead(b, n.c.siteName),
		sidebar:    newsroomSidebar(b, most, latest, cal),
		footer:     newsroomFooter(b, n.c.siteName),
	}
}

func (n *newsroom) sideLink(a *nrArticle) sideLink {
	return sideLink{url: n.baseURL + a.path, title: a.title, date: dayEN(a.published)}
}

func dayEN(t time.Time) string { return t.In(almaty).Format("2 January 2006") }

// visible reports whether a is published now.
func (n *newsroom) visible(a *nrArticle) bool {
	return a.role != "update" || n.site.isUpdated()
}

// current returns the published articles, newest first.
func (n *newsroom) current() []*nrArticle {
	var out []*nrArticle
	for _, a := range n.c.articles {
		if n.visible(a) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].published.After(out[j].published) })
	return out
}

// modifiedAt is the article's last change as the site states it now.
func (n *newsroom) modifiedAt(a *nrArticle) time.Time {
	if a.correction != "" && n.site.isUpdated() {
		return n.c.updatedAt
	}
	if a.modified.IsZero() {
		return a.published
	}
	return a.modified
}

func (n *newsroom) forbidden(uri string) bool {
	path, _, _ := strings.Cut(uri, "?")
	if n.c.generated {
		return false
	}
	// Longest match wins (RFC 9309): the Allow for admin-ajax.php is longer
	// than the Disallow of /wp-admin/.
	if strings.HasPrefix(uri, "/wp-admin/admin-ajax.php") {
		return false
	}
	for _, p := range []string{"/wp-admin/", "/search/", "/private/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	// Disallow: /*?replytocom= matches any path followed by that query.
	return strings.Contains(uri, "?replytocom=")
}

func (n *newsroom) crawlDelay() time.Duration {
	if n.c.generated {
		return 0
	}
	return 200 * time.Millisecond
}

func (n *newsroom) robots() string {
	if n.c.generated {
		return "User-agent: *\nDisallow:\n\nSitemap: " + n.baseURL + "/sitemap_index.xml\n"
	}
	return `# robots.txt for ` + n.c.siteName + `
# Crawlers: please keep to the rules below.

User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php
Disallow: /search/
Disallow: /*?replytocom=
Disallow: /private/
Crawl-delay: 0.2

User-agent: GPTBot
User-agent: CCBot
Disallow: /

User-agent: AhrefsBot
Crawl-delay: 10
Disallow: /calendar/

Sitemap: ` + n.baseURL + `/sitemap_index.xml
Sitemap: ` + n.baseURL + `/news-sitemap.xml
`
}

func (n *newsroom) source() newsmon.Source {
	b := n.baseURL
	src := newsmon.Source{
		Name:           "newsroom",
		Title:          n.c.siteName,
		Kind:           newsmon.KindNews,
		URL:            b + "/",
		Language:       "en",
		Timezone:       "Asia/Almaty",
		Schedule:       "@every 30m",
		Feeds:          []string{b + "/feed/"},
		Sitemaps:       []string{b + "/sitemap_index.xml"},
		ArticlePattern: "^" + regexp.QuoteMeta(b) + `/\d{4}/\d{2}/[^/?#]+/$`,
		// No date selector: the byline shows only the day, while JSON-LD and
		// OpenGraph, where present, give the instant.
		Selectors: newsmon.Selectors{
			Title:  "h1.entry-title",
			Body:   "div.entry-content",
			Author: "p.byline a",
			Remove: []string{"div.sharedaddy", "div.jp-relatedposts", "figure figcaption", "div.code-block"},
		},
	}
	if !n.c.generated {
		src.Listings = []newsmon.Listing{{URL: b + "/category/news/", Links: "h4.entry-title a", Next: "a.next", MaxPages: 5}}
	}
	return src
}

func (n *newsroom) expected() []Article {
	var out []Article
	for _, a := range n.current() {
		e := Article{
			Source:    "newsroom",
			URL:       n.baseURL + a.path,
			Title:     a.title,
			Author:    a.author,
			Published: a.published.UTC(),
			DayOnly:   a.meta == "byline",
			Topics:    sortedTopics(a.topics),
			Language:  "en",
		}
		if m := n.modifiedAt(a); !m.Equal(a.published) {
			e.Modified = m.UTC()
		}
		out = append(out, e)
	}
	return out
}

var (
	articlePathRE  = regexp.MustCompile(`^/\d{4}/\d{2}/[^/]+/$`)
	listingPathRE  = regexp.MustCompile(`^/(category|tag|author)/([a-z0-9-]+)/(?:page/(\d+)/)?$`)
	calendarPathRE = regexp.MustCompile(`^/calendar/(\d{4})/(\d{2})/$`)
	sitemapPathRE  = regexp.MustCompile(`^/post-sitemap(\d*)\.xml$`)
)

const (
	trap404      = "/2025/06/deleted-story/"
	trapChainA   = "/2025/06/moved-story/"
	trapChainB   = "/2025/06/moved-story-2/"
	trapLoopA    = "/2025/06/loop-a/"
	trapLoopB    = "/2025/06/loop-b/"
	trapHuge     = "/2025/06/full-transcript/"
	trapPDF      = "/wp-content/uploads/2024/03/report.pdf"
	trapPrivate  = "/private/2024/03/secret-report/"
	hugePageSize = 20 << 20
)

func (n *newsroom) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		serveBody(w, r, "text/plain; charset=utf-8", []byte(n.robots()), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	case p == "/":
		if id, err := strconv.Atoi(r.URL.Query().Get("p")); err == nil {
			if a := n.byID[id]; a != nil && n.visible(a) {
				redirect(w, n.baseURL+a.path, http.StatusMovedPermanently)
				return
			}
			n.notFound(w, r)
			return
		}
		if q := r.URL.Query().Get("s"); q != "" {
			n.serveSearch(w, r, q)
			return
		}
		n.serveListing(w, r, "home", "", 1)
	case p == "/feed/":
		n.serveFeed(w, r)
	case p == "/sitemap_index.xml":
		n.serveSitemapIndex(w, r)
	case sitemapPathRE.MatchString(p):
		m := sitemapPathRE.FindStringSubmatch(p)
		i := 1
		if m[1] != "" {
			i, _ = strconv.Atoi(m[1])
		}
		n.servePostSitemap(w, r, i)
	case p == "/page-sitemap.xml" && !n.c.generated:
		n.servePageSitemap(w, r)
	case p == "/news-sitemap.xml":
		n.serveNewsSitemap(w, r)
	case listingPathRE.MatchString(p):
		m := listingPathRE.FindStringSubmatch(p)
		page := 1
		if m[3] != "" {
			page, _ = strconv.Atoi(m[3])
		}
		n.serveListing(w, r, m[1], m[2], page)
	case strings.HasPrefix(p, "/search/"):
		n.serveSearch(w, r, strings.ReplaceAll(strings.Trim(strings.TrimPrefix(p, "/search/"), "/"), "+", " "))
	case calendarPathRE.MatchString(p) && !n.c.generated:
		n.serveCalendar(w, r)
	case p == trapPrivate && !n.c.generated:
		n.servePlain(w, r, "Members only: Caspian logistics report", "<p>This report is available to subscribers only. Please log in to read it.</p>", http.StatusOK)
	case strings.HasPrefix(p, "/wp-admin/"):
		if p == "/wp-admin/admin-ajax.php" {
			serveBody(w, r, "text/html; charset=UTF-8", []byte("0"), time.Time{})
			return
		}
		n.servePlain(w, r, "Log In", "<form method=\"post\" action=\"/wp-login.php\"><input name=\"log\"><input type=\"password\" name=\"pwd\"></form>", http.StatusOK)
	case p == trapPDF && !n.c.generated:
		servePDF(w, r)
	case strings.HasPrefix(p, "/wp-content/uploads/"):
		serveBody(w, r, "image/gif", tinyGIF, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	case n.staticPage(p) != "":
		n.servePlain(w, r, n.staticPage(p), "<p>"+html.EscapeString(n.c.siteName)+" is an English-language newspaper covering Kazakhstan and Central Asia since 2010. Write to the editors at editor@example.org.</p>", http.StatusOK)
	case articlePathRE.MatchString(p):
		n.serveArticlePath(w, r, p)
	case articlePathRE.MatchString(p + "/"):
		if n.byPath[p+"/"] != nil {
			redirect(w, n.baseURL+p+"/", http.StatusMovedPermanently)
			return
		}
		n.notFound(w, r)
	default:
		n.notFound(w, r)
	}
}

func (n *newsroom) staticPage(p string) string {
	if n.c.generated {
		return ""
	}
	return map[string]string{"/about-us/": "About Us", "/contact/": "Contact", "/advertise/": "Advertise",
		"/privacy-policy/": "Privacy Policy", "/newsletter/": "Newsletter"}[p]
}

func (n *newsroom) serveArticlePath(w http.ResponseWriter, r *http.Request, p string) {
	if !n.c.generated {
		switch p {
		case trap404:
			n.notFound(w, r)
			return
		case trapChainA:
			redirect(w, n.baseURL+trapChainB, http.StatusMovedPermanently)
			return
		case trapChainB:
			if t := n.chainTarget(); t != nil {
				redirect(w, n.baseURL+"/?p="+strconv.Itoa(t.id), http.StatusFound)
				return
			}
		case trapLoopA:
			redirect(w, n.baseURL+trapLoopB, http.StatusFound)
			return
		case trapLoopB:
			redirect(w, n.baseURL+trapLoopA, http.StatusFound)
			return
		case trapHuge:
			n.serveHuge(w, r)
			return
		}
	}
	if a := n.dups[p]; a != nil && n.visible(a) {
		n.serveArticle(w, r, a, false)
		return
	}
	a := n.byPath[p]
	if a == nil || !n.visible(a) {
		n.notFound(w, r)
		return
	}
	switch a.role {
	case "flaky":
		if n.site.attempt("newsroom"+p) == 1 {
			n.servePlain(w, r, "Database Error", "<h1>Error establishing a database connection</h1>", http.StatusInternalServerError)
			return
		}
	case "slow":
		if !n.site.sleep(r, n.site.slowDelay()) {
			return
		}
	}
	n.serveArticle(w, r, a, r.URL.Query().Get("amp") == "1")
}

// chainTarget is the real article the redirect chain ends at.
func (n *newsroom) chainTarget() *nrArticle {
	for _, a := range n.c.articles {
		if a.chainEnd {
			return a
		}
	}
	return nil
}

// listItem is one entry of a listing, feed or sitemap: an article or a trap.
type listItem struct {
	path, title, author, excerpt, category string
	published, lastmod                     time.Time
	a                                      *nrArticle
}

func (n *newsroom) items(where byte) []listItem {
	var out []listItem
	for _, a := range n.current() {
		out = append(out, listItem{path: a.path, title: a.title, author: a.author, excerpt: a.excerpt,
			category: a.category, published: a.published, lastmod: n.modifiedAt(a), a: a})
		if a.duplicate != "" && where == 's' {
			out = append(out, listItem{path: a.duplicate, title: a.title, author: a.author, excerpt: a.excerpt,
				category: a.category, published: a.published.Add(26 * time.Hour), lastmod: a.published.Add(26 * time.Hour)})
		}
	}
	for _, t := range n.c.traps {
		if (where == 'f' && t.feed) || (where == 's' && t.map_) || (where == 'l' && t.listg) {
			out = append(out, listItem{path: t.path, title: t.title, author: "Staff Report", category: "news",
				excerpt: t.title + ".", published: t.date, lastmod: t.date})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].published.After(out[j].published) })
	return out
}

func categoryLabel(slug string) string {
	for _, s := range navSections {
		if s.slug == slug {
			return s.label
		}
	}
	return strings.ToUpper(slug[:1]) + slug[1:]
}

// pageHead writes the document start up to <body>; extra goes into <head>.
func (n *newsroom) pageHead(b *strings.Builder, title, canonical, description, extra, bodyClass string) {
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en-US\" prefix=\"og: https://ogp.me/ns#\">\n<head>\n<meta charset=\"UTF-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(b, "<title>%s</title>\n", html.EscapeString(title))
	if description != "" {
		fmt.Fprintf(b, "<meta name=\"description\" content=\"%s\">\n", html.EscapeString(description))
	}
	if canonical != "" {
		fmt.Fprintf(b, "<link rel=\"canonical\" href=\"%s\">\n", canonical)
	}
	b.WriteString(extra)
	fmt.Fprintf(b, "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"%s &raquo; Feed\" href=\"%s/feed/\">\n", html.EscapeString(n.c.siteName), n.baseURL)
	b.WriteString(n.ch.headAssets)
	fmt.Fprintf(b, "</head>\n<body class=\"%s\">\n<div id=\"page\" class=\"site\">\n", bodyClass)
	b.WriteString(n.ch.masthead)
}

func (n *newsroom) pageFoot(b *strings.Builder) {
	b.WriteString(n.ch.sidebar)
	b.WriteString("</div><!-- #content -->\n")
	b.WriteString(n.ch.footer)
	b.WriteString("</div><!-- #page -->\n</body>\n</html>\n")
}

func (n *newsroom) notFound(w http.ResponseWriter, r *http.Request) {
	n.servePlain(w, r, "Page not found", "<p>It looks like nothing was found at this location. Maybe try a search?</p>", http.StatusNotFound)
}

func (n *newsroom) servePlain(w http.ResponseWriter, r *http.Request, title, content string, status int) {
	var b strings.Builder
	n.pageHead(&b, title+" - "+n.c.siteName, "", "", "", "page")
	fmt.Fprintf(&b, "<div id=\"content\" class=\"site-content\"><main id=\"main\"><h1 class=\"page-title\">%s</h1>\n%s\n</main>\n", html.EscapeString(title), content)
	n.pageFoot(&b)
	if status != http.StatusOK {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		w.WriteHeader(status)
		w.Write([]byte(b.String()))
		return
	}
	serveBody(w, r, "text/html; charset=UTF-8", []byte(b.String()), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
}

const perPage = 10

// serveListing serves the home page and category, tag and author archives
// with WordPress pagination (/page/N/).
func (n *newsroom) serveListing(w http.ResponseWriter, r *http.Request, kind, slug string, page int) {
	var all []listItem
	var title, basePath string
	switch kind {
	case "home":
		all, title, basePath = n.items('l'), n.c.siteName+" - News from Kazakhstan and Central Asia", "/"
	case "category":
		title, basePath = categoryLabel(slug)+" Archives - "+n.c.siteName, "/category/"+slug+"/"
		for _, it := range n.items('l') {
			if slug == "news" || it.category == slug {
				all = append(all, it)
			}
		}
	case "tag":
		topic := map[string]string{"middle-corridor": "corridor", "trans-caspian-route": "corridor",
			"caspian-pipeline-consortium": "pipeline", "baku-tbilisi-ceyhan": "pipeline", "agreements": "agreement"}[slug]
		title, basePath = slug+" Archives - "+n.c.siteName, "/tag/"+slug+"/"
		for _, it := range n.items('l') {
			if it.a != nil && contains(it.a.topics, topic) {
				all = append(all, it)
			}
		}
	case "author":
		title, basePath = slug+", Author at "+n.c.siteName, "/author/"+slug+"/"
		for _, it := range n.items('l') {
			if slugify(it.author) == slug {
				all = append(all, it)
			}
		}
	}
	pages := (len(all) + perPage - 1) / perPage
	if pages == 0 {
		pages = 1
	}
	if page < 1 || page > pages || (kind == "home" && page > 1) {
		n.notFound(w, r)
		return
	}
	if kind == "home" {
		all = all[:min(len(all), 12)]
	} else {
		all = all[(page-1)*perPage : min(len(all), page*perPage)]
	}
	pageURL := func(i int) string {
		if i == 1 {
			return n.baseURL + basePath
		}
		return n.baseURL + basePath + "page/" + strconv.Itoa(i) + "/"
	}
	var extra strings.Builder
	if page > 1 {
		fmt.Fprintf(&extra, "<link rel=\"prev\" href=\"%s\">\n", pageURL(page-1))
	}
	if page < pages && kind != "home" {
		fmt.Fprintf(&extra, "<link rel=\"next\" href=\"%s\">\n", pageURL(page+1))
	}
	var b strings.Builder
	n.pageHead(&b, title, pageURL(page), "", extra.String(), "archive "+kind)
	b.WriteString("<div id=\"content\" class=\"site-content\"><main id=\"main\" class=\"site-main\">\n")
	fmt.Fprintf(&b, "<header class=\"page-header\"><h1 class=\"page-title\">%s</h1></header>\n<div class=\"listing\">\n", html.EscapeString(strings.Split(title, " - ")[0]))
	modified := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, it := range all {
		if it.lastmod.After(modified) {
			modified = it.lastmod
		}
		fmt.Fprintf(&b, `<article class="post-item"><div class="thumb site-thumb"><a href="%[1]s%[2]s"><img src="%[1]s/wp-content/uploads/thumb-%[3]s.jpg" alt="" width="300" height="200" loading="lazy"></a></div>
<h4 class="entry-title"><a href="%[1]s%[2]s" rel="bookmark">%[4]s</a></h4>
<div class="entry-meta"><span class="cat"><a href="%[1]s/category/%[5]s/">%[6]s</a></span> <span class="date">%[7]s</span></div>
<p class="excerpt site-excerpt">%[8]s</p></article>
`, n.baseURL, it.path, slugify(it.title), html.EscapeString(it.title), it.category, html.EscapeString(categoryLabel(it.category)),
			dayEN(it.published), html.EscapeString(it.excerpt))
	}
	b.WriteString("</div>\n")
	if kind != "home" && pages > 1 {
		b.WriteString("<nav class=\"navigation pagination site-pagination\"><div class=\"nav-links\">")
		if page > 1 {
			fmt.Fprintf(&b, "<a class=\"prev page-numbers\" href=\"%s\">&laquo; Previous</a>", pageURL(page-1))
		}
		for i := 1; i <= pages; i++ {
			if i == page {
				fmt.Fprintf(&b, "<span aria-current=\"page\" class=\"page-numbers current\">%d</span>", i)
			} else {
				fmt.Fprintf(&b, "<a class=\"page-numbers\" href=\"%s\">%d</a>", pageURL(i), i)
			}
		}
		if page < pages {
			fmt.Fprintf(&b, "<a class=\"next page-numbers\" href=\"%s\">Next &raquo;</a>", pageURL(page+1))
		}
		b.WriteString("</div></nav>\n")
	}
	b.WriteString("</main>\n")
	n.pageFoot(&b)
	serveBody(w, r, "text/html; charset=UTF-8", []byte(b.String()), modified)
}

func (n *newsroom) serveSearch(w http.ResponseWriter, r *http.Request, q string) {
	var hits strings.Builder
	for _, a := range n.current() {
		if q != "" && strings.Contains(strings.ToLower(a.title), strings.ToLower(q)) {
			fmt.Fprintf(&hits, "<h4 class=\"entry-title\"><a href=\"%s%s\">%s</a></h4>\n", n.baseURL, a.path, html.EscapeString(a.title))
		}
	}
	n.servePlain(w, r, "Search Results for “"+q+"”", hits.String(), http.StatusOK)
}

func (n *newsroom) serveCalendar(w http.ResponseWriter, r *http.Request) {
	m := calendarPathRE.FindStringSubmatch(r.URL.Path)
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if mo < 1 || mo > 12 || y < 1000 || y > 9999 {
		n.notFound(w, r)
		return
	}
	t := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
	prev, next := t.AddDate(0, -1, 0), t.AddDate(0, 1, 0)
	count := 0
	for _, a := range n.current() {
		if p := a.published.In(almaty); p.Year() == y && int(p.Month()) == mo {
			count++
		}
	}
	content := fmt.Sprintf("<table class=\"calendar\"><caption>%s</caption></table><p>%d articles this month.</p>"+
		"<nav class=\"calendar-nav\"><a class=\"prev\" href=\"%s/calendar/%s/\">&laquo; %s</a> <a class=\"next\" href=\"%s/calendar/%s/\">%s &raquo;</a></nav>",
		t.Format("January 2006"), count, n.baseURL, prev.Format("2006/01"), prev.Format("Jan"), n.baseURL, next.Format("2006/01"), next.Format("Jan"))
	n.servePlain(w, r, "Archive: "+t.Format("January 2006"), content, http.StatusOK)
}

// serveHuge streams a 20 MB page without holding it in memory.
func (n *newsroom) serveHuge(w http.ResponseWriter, r *http.Request) {
	head := "<!DOCTYPE html>\n<html lang=\"en-US\"><head><meta charset=\"UTF-8\"><title>Full transcript - " + html.EscapeString(n.c.siteName) + "</title></head><body><h1>Full transcript</h1>\n"
	tail := "</body></html>\n"
	para := "<p>The session resumed after a short break and the speakers returned to the questions put to them earlier in the day, one by one, in the order they had been asked.</p>\n"
	hdr := w.Header()
	etag := `"huge-transcript-1"`
	modified := time.Date(2025, 6, 8, 9, 0, 0, 0, time.UTC)
	hdr.Set("ETag", etag)
	hdr.Set("Last-Modified", modified.Format(http.TimeFormat))
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	reps := (hugePageSize - len(head) - len(tail)) / len(para)
	hdr.Set("Content-Type", "text/html; charset=UTF-8")
	hdr.Set("Content-Length", strconv.Itoa(len(head)+reps*len(para)+len(tail)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := w.Write([]byte(head)); err != nil {
		return
	}
	chunk := []byte(strings.Repeat(para, 256))
	for left := reps; left > 0; left -= 256 {
		c := chunk
		if left < 256 {
			c = chunk[:left*len(para)]
		}
		if _, err := w.Write(c); err != nil {
			return
		}
		select {
		case <-n.site.done:
			return
		default:
		}
	}
	w.Write([]byte(tail))
}

var tinyGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func servePDF(w http.ResponseWriter, r *http.Request) {
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	serveBody(w, r, "application/pdf", pdf, time.Date(2024, 3, 20, 8, 0, 0, 0, time.UTC))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
