package testsite

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// commentPool are readers' comments; some name the topics, as comments do,
// outside the article body.
var commentPool = []struct{ author, text string }{
	{"Daniyar K.", "Good overview. I would like to read more about how this affects small businesses in the regions."},
	{"Maria S.", "Interesting piece, though the Middle Corridor will matter more for this than the article admits."},
	{"Erlan", "Thank you for covering this. My family in Pavlodar followed it closely."},
	{"J. Whitfield", "Any news on the CPC pipeline schedule? Nobody seems to report on it anymore."},
	{"Aigerim T.", "Well written. It would help to have a map next time."},
	{"Ruslan", "Another agreement signed, another photo opportunity. Let us see the results first."},
}

// serveArticle renders a post in the theme's single template, or in its AMP
// variant; both name the permalink as canonical.
func (n *newsroom) serveArticle(w http.ResponseWriter, r *http.Request, a *nrArticle, amp bool) {
	body := n.renderArticle(a, amp)
	serveBody(w, r, "text/html; charset=UTF-8", []byte(body), n.modifiedAt(a))
}

func (n *newsroom) renderArticle(a *nrArticle, amp bool) string {
	permalink := n.baseURL + a.path
	pub := a.published.In(almaty)
	mod := n.modifiedAt(a).In(almaty)
	image := fmt.Sprintf("%s/wp-content/uploads/%s/%s.jpg", n.baseURL, pub.Format("2006/01"), a.slug)
	authorURL := n.baseURL + "/author/" + slugify(a.author) + "/"
	blocks := a.body()

	if amp {
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html>\n<html amp lang=\"en-US\">\n<head><meta charset=\"utf-8\"><title>%s - %s</title>\n<link rel=\"canonical\" href=\"%s\">\n",
			html.EscapeString(a.title), html.EscapeString(n.c.siteName), permalink)
		b.WriteString("<meta name=\"viewport\" content=\"width=device-width\"><style amp-boilerplate>body{visibility:hidden}</style><script async src=\"https://cdn.ampproject.org/v0.js\"></script></head>\n<body>\n")
		fmt.Fprintf(&b, "<header class=\"amp-header\"><a href=\"%s/\">%s</a></header>\n<article class=\"amp-post\"><h1 class=\"entry-title\">%s</h1>\n<p class=\"byline\">By <a href=\"%s\">%s</a> on %s</p>\n<div class=\"entry-content\">\n",
			n.baseURL, html.EscapeString(n.c.siteName), html.EscapeString(a.title), authorURL, html.EscapeString(a.author), dayEN(a.published))
		for _, bl := range blocks {
			writeBlock(&b, bl)
		}
		b.WriteString("</div></article>\n</body>\n</html>\n")
		return b.String()
	}

	var head strings.Builder
	fmt.Fprintf(&head, "<link rel=\"amphtml\" href=\"%s?amp=1\">\n", permalink)
	head.WriteString("<meta property=\"og:locale\" content=\"en_US\">\n<meta property=\"og:type\" content=\"article\">\n")
	fmt.Fprintf(&head, "<meta property=\"og:title\" content=\"%s\">\n", html.EscapeString(a.title))
	fmt.Fprintf(&head, "<meta property=\"og:description\" content=\"%s\">\n", html.EscapeString(a.excerpt))
	fmt.Fprintf(&head, "<meta property=\"og:url\" content=\"%s\">\n", permalink)
	fmt.Fprintf(&head, "<meta property=\"og:site_name\" content=\"%s\">\n", html.EscapeString(n.c.siteName))
	head.WriteString("<meta property=\"article:publisher\" content=\"https://www.facebook.com/TheAstanaTimes\">\n")
	fmt.Fprintf(&head, "<meta property=\"article:section\" content=\"%s\">\n", html.EscapeString(categoryLabel(a.category)))
	if a.meta != "byline" {
		fmt.Fprintf(&head, "<meta property=\"article:published_time\" content=\"%s\">\n", pub.Format(time.RFC3339))
		if !mod.Equal(pub) {
			fmt.Fprintf(&head, "<meta property=\"article:modified_time\" content=\"%s\">\n", mod.Format(time.RFC3339))
		}
	}
	fmt.Fprintf(&head, "<meta property=\"og:image\" content=\"%s\">\n<meta property=\"og:image:width\" content=\"1200\">\n<meta property=\"og:image:height\" content=\"800\">\n", image)
	head.WriteString("<meta name=\"twitter:card\" content=\"summary_large_image\">\n<meta name=\"twitter:site\" content=\"@TheAstanaTimes\">\n")
	if a.meta != "byline" {
		fmt.Fprintf(&head, "<meta name=\"author\" content=\"%s\">\n", html.EscapeString(a.author))
	}
	if a.meta == "jsonld" {
		graph := map[string]any{
			"@context": "https://schema.org",
			"@graph": []any{
				map[string]any{
					"@type": "NewsArticle", "@id": permalink + "#article",
					"isPartOf": map[string]any{"@id": permalink},
					"author":   map[string]any{"@type": "Person", "name": a.author, "url": authorURL},
					"headline": a.title, "datePublished": pub.Format(time.RFC3339), "dateModified": mod.Format(time.RFC3339),
					"mainEntityOfPage": map[string]any{"@id": permalink},
					"publisher":        map[string]any{"@id": n.baseURL + "/#organization"},
					"image":            map[string]any{"@id": permalink + "#primaryimage"},
					"articleSection":   []string{categoryLabel(a.category)},
					"inLanguage":       "en-US",
				},
				map[string]any{
					"@type": "WebPage", "@id": permalink, "url": permalink, "name": a.title + " - " + n.c.siteName,
					"isPartOf": map[string]any{"@id": n.baseURL + "/#website"}, "datePublished": pub.Format(time.RFC3339),
					"dateModified": mod.Format(time.RFC3339), "breadcrumb": map[string]any{"@id": permalink + "#breadcrumb"},
				},
				map[string]any{"@type": "ImageObject", "@id": permalink + "#primaryimage", "url": image, "width": 1200, "height": 800},
				map[string]any{"@type": "BreadcrumbList", "@id": permalink + "#breadcrumb", "itemListElement": []any{
					map[string]any{"@type": "ListItem", "position": 1, "name": "Home", "item": n.baseURL + "/"},
					map[string]any{"@type": "ListItem", "position": 2, "name": a.title},
				}},
				map[string]any{"@type": "WebSite", "@id": n.baseURL + "/#website", "url": n.baseURL + "/", "name": n.c.siteName,
					"publisher": map[string]any{"@id": n.baseURL + "/#organization"}},
				map[string]any{"@type": "Organization", "@id": n.baseURL + "/#organization", "name": n.c.siteName, "url": n.baseURL + "/",
					"logo": map[string]any{"@type": "ImageObject", "url": n.baseURL + "/wp-content/uploads/logo.png"}},
			},
		}
		fmt.Fprintf(&head, "<script type=\"application/ld+json\" class=\"yoast-schema-graph\">%s</script>\n", jsonString(graph))
	}

	var b strings.Builder
	n.pageHead(&b, a.title+" - "+n.c.siteName, permalink, a.excerpt, head.String(),
		fmt.Sprintf("post-template-default single single-post postid-%d single-format-standard", a.id))
	b.WriteString("<div id=\"content\" class=\"site-content\"><main id=\"main\" class=\"site-main\">\n")
	fmt.Fprintf(&b, "<article id=\"post-%d\" class=\"post-%d post type-post status-publish\">\n<div class=\"post\">\n", a.id, a.id)
	fmt.Fprintf(&b, "<div class=\"breadcrumbs site-breadcrumbs\"><a href=\"%s/\">Home</a> &raquo; <a href=\"%s/category/%s/\">%s</a> &raquo; <span>%s</span></div>\n",
		n.baseURL, n.baseURL, a.category, html.EscapeString(categoryLabel(a.category)), html.EscapeString(a.title))
	fmt.Fprintf(&b, "<h1 class=\"entry-title\">%s</h1>\n", html.EscapeString(a.title))
	fmt.Fprintf(&b, "<p class=\"byline\">By <a href=\"%s\" rel=\"author\">%s</a> on %s</p>\n", authorURL, html.EscapeString(a.author), dayEN(a.published))
	b.WriteString(shareButtons(permalink, a.title))
	b.WriteString("<div class=\"entry-content\">\n")

	related := n.related(a)
	paras := 0
	for i, bl := range blocks {
		writeBlock(&b, bl)
		if bl.kind == 'p' {
			paras++
		}
		if i == 0 && a.photo != "" {
			fmt.Fprintf(&b, "<figure class=\"wp-block-image size-large\"><img src=\"%s\" alt=\"\" width=\"1024\" height=\"683\"><figcaption class=\"wp-element-caption\">%s</figcaption></figure>\n",
				image, html.EscapeString(a.photo))
		}
		if paras == 4 && bl.kind == 'p' && len(related) > 0 && i < len(blocks)-2 {
			ra := n.readAlso(a)
			if ra != nil {
				fmt.Fprintf(&b, "<p><strong>READ ALSO: </strong><a href=\"%s%s\">%s</a></p>\n", n.baseURL, ra.path, html.EscapeString(ra.title))
			}
		}
	}
	if a.pdf && !n.c.generated {
		fmt.Fprintf(&b, "<p>The full text of the study can be downloaded <a href=\"%s%s\">here (PDF, 2.4 MB)</a>.</p>\n", n.baseURL, trapPDF)
	}
	if a.correction != "" && n.site.isUpdated() {
		fmt.Fprintf(&b, "<p><em>%s</em></p>\n", html.EscapeString(a.correction))
	}
	if a.role != "seed" {
		b.WriteString("<p>Get The Astana Times stories sent directly to you! Sign up via the website or subscribe to our Twitter, Facebook, Instagram, Telegram, YouTube and Tiktok!</p>\n")
	}
	b.WriteString(shareButtons(permalink, a.title))
	b.WriteString("<div id=\"jp-relatedposts\" class=\"jp-relatedposts site-related\"><h3 class=\"jp-relatedposts-headline\"><em>Related</em></h3>\n")
	for _, ra := range related {
		fmt.Fprintf(&b, "<div class=\"jp-relatedposts-post\"><h3 class=\"jp-relatedposts-post-title\"><a href=\"%s%s\">%s</a></h3><p class=\"jp-relatedposts-post-date\">%s</p><p class=\"jp-relatedposts-post-context\">In &quot;%s&quot;</p></div>\n",
			n.baseURL, ra.path, html.EscapeString(ra.title), dayEN(ra.published), html.EscapeString(categoryLabel(ra.category)))
	}
	b.WriteString("</div>\n</div><!-- .entry-content -->\n")
	b.WriteString("<div class=\"post-tags site-tags\">Tags: ")
	for _, t := range a.topics {
		tag := map[string]string{"corridor": "middle-corridor", "pipeline": "caspian-pipeline-consortium", "agreement": "agreements"}[t]
		fmt.Fprintf(&b, "<a href=\"%s/tag/%s/\" rel=\"tag\">%s</a> ", n.baseURL, tag, tag)
	}
	fmt.Fprintf(&b, "<a href=\"%s/tag/%s/\" rel=\"tag\">%s</a></div>\n", n.baseURL, a.category, a.category)
	if !n.c.generated {
		fmt.Fprintf(&b, "<div class=\"members-box\">Members only: <a href=\"%s%s\">Full analytical report on Caspian logistics</a></div>\n", n.baseURL, trapPrivate)
	}
	b.WriteString("</div></article>\n")
	if a.comments {
		n.writeComments(&b, a)
	}
	b.WriteString("</main>\n")
	n.pageFoot(&b)
	return b.String()
}

func writeBlock(b *strings.Builder, bl block) {
	switch bl.kind {
	case 'h':
		fmt.Fprintf(b, "<h3>%s</h3>\n", html.EscapeString(bl.text))
	case 'l':
		b.WriteString("<ul>\n")
		for _, it := range bl.items {
			fmt.Fprintf(b, "<li>%s</li>\n", html.EscapeString(it))
		}
		b.WriteString("</ul>\n")
	case 'q':
		fmt.Fprintf(b, "<blockquote class=\"wp-block-quote\"><p>%s</p></blockquote>\n", html.EscapeString(bl.text))
	default:
		fmt.Fprintf(b, "<p>%s</p>\n", html.EscapeString(bl.text))
	}
}

// related returns four stories whose headlines carry topic words, whatever
// the article is about, as recommendation widgets do.
func (n *newsroom) related(a *nrArticle) []*nrArticle {
	var out []*nrArticle
	pool := n.relatedPool
	for i := 0; len(out) < 4 && i < len(pool); i++ {
		if o := pool[(a.id/7+i*3)%len(pool)]; o != a && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// readAlso picks the story linked in the middle of the body. Its topics are
// a subset of the article's own, so that the body names no topic the article
// is not about even to an extractor that keeps the line.
func (n *newsroom) readAlso(a *nrArticle) *nrArticle {
	pool := n.readAlsoPools[strings.Join(a.topics, " ")]
	for i := 0; i < len(pool); i++ {
		if o := pool[(a.id/3+i)%len(pool)]; o != a {
			return o
		}
	}
	return nil
}

// buildPools prepares the candidates of related and readAlso once, so that
// rendering a page of a large generated site scans nothing.
func (n *newsroom) buildPools() {
	n.readAlsoPools = map[string][]*nrArticle{}
	for _, a := range n.c.articles {
		if a.role != "update" && len(a.topics) > 0 {
			n.relatedPool = append(n.relatedPool, a)
		}
		key := strings.Join(a.topics, " ")
		if _, done := n.readAlsoPools[key]; done {
			continue
		}
		var pool []*nrArticle
		for _, o := range n.c.articles {
			if o.role != "update" && subset(o.topics, a.topics) && (len(o.topics) > 0) == (len(a.topics) > 0) {
				pool = append(pool, o)
			}
		}
		n.readAlsoPools[key] = pool
	}
}

func (n *newsroom) writeComments(b *strings.Builder, a *nrArticle) {
	permalink := n.baseURL + a.path
	b.WriteString("<div id=\"comments\" class=\"comments-area site-comment\"><h2 class=\"comments-title\">3 thoughts on this article</h2><ol class=\"comment-list\">\n")
	for i := 0; i < 3; i++ {
		c := commentPool[(a.id+i)%len(commentPool)]
		cid := 9000 + a.id%1000*10 + i
		t := a.published.Add(time.Duration(5+i*7) * time.Hour).In(almaty)
		fmt.Fprintf(b, "<li id=\"comment-%d\" class=\"comment\"><article class=\"comment-body\"><footer class=\"comment-meta\"><b class=\"fn\">%s</b> <time datetime=\"%s\">%s at %s</time></footer>\n<div class=\"comment-content\"><p>%s</p></div>\n<div class=\"reply\"><a rel=\"nofollow\" class=\"comment-reply-link\" href=\"%s?replytocom=%d#respond\">Reply</a></div></article></li>\n",
			cid, html.EscapeString(c.author), t.Format(time.RFC3339), t.Format("2 January 2006"), t.Format("15:04"), html.EscapeString(c.text), permalink, cid)
	}
	fmt.Fprintf(b, "</ol>\n<div id=\"respond\" class=\"comment-respond\"><h3>Leave a Reply</h3><form action=\"%s/wp-comments-post.php\" method=\"post\"><textarea name=\"comment\"></textarea><input type=\"submit\" value=\"Post Comment\"></form></div></div>\n", n.baseURL)
}

func xmlEscape(s string) string { return html.EscapeString(s) }

// serveFeed serves /feed/: RSS 2.0 as WordPress writes it, with tracking
// parameters in the links and #respond comment links.
func (n *newsroom) serveFeed(w http.ResponseWriter, r *http.Request) {
	items := n.items('f')
	if len(items) > n.c.feedItems {
		items = items[:n.c.feedItems]
	}
	var last time.Time
	for _, it := range items {
		if it.lastmod.After(last) {
			last = it.lastmod
		}
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>` + xmlEscape(n.c.siteName) + `</title>
	<atom:link href="` + n.baseURL + `/feed/" rel="self" type="application/rss+xml" />
	<link>` + n.baseURL + `</link>
	<description>News from Kazakhstan and Central Asia</description>
	<lastBuildDate>` + last.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700") + `</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.5.2</generator>
`)
	for _, it := range items {
		slug := strings.TrimSuffix(it.path[strings.LastIndex(strings.TrimSuffix(it.path, "/"), "/")+1:], "/")
		id := 0
		if it.a != nil {
			id = it.a.id
		} else {
			id = 50000 + len(it.path)*31
		}
		fmt.Fprintf(&b, `	<item>
		<title>%s</title>
		<link>%s%s?utm_source=rss&#038;utm_medium=rss&#038;utm_campaign=%s</link>
					<comments>%s%s#respond</comments>
		<dc:creator><![CDATA[%s]]></dc:creator>
		<pubDate>%s</pubDate>
				<category><![CDATA[%s]]></category>
		<guid isPermaLink="false">%s/?p=%d</guid>
					<description><![CDATA[%s [&#8230;]]]></description>
										<content:encoded><![CDATA[<p>%s</p>
<p>The post <a href="%s%s">%s</a> appeared first on <a href="%s">%s</a>.</p>
]]></content:encoded>
					<wfw:commentRss>%s%sfeed/</wfw:commentRss>
			<slash:comments>0</slash:comments>
		</item>
`, xmlEscape(it.title), n.baseURL, it.path, slug, n.baseURL, it.path, it.author,
			it.published.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"), categoryLabel(it.category), n.baseURL, id,
			html.EscapeString(it.excerpt), html.EscapeString(it.excerpt), n.baseURL, it.path, html.EscapeString(it.title), n.baseURL, html.EscapeString(n.c.siteName),
			n.baseURL, it.path)
	}
	b.WriteString("\t</channel>\n</rss>\n")
	serveBody(w, r, "application/rss+xml; charset=UTF-8", []byte(b.String()), last)
}

const sitemapChunk = 1000

func (n *newsroom) sitemapItems() []listItem {
	items := n.items('s')
	sort.SliceStable(items, func(i, j int) bool { return items[i].published.Before(items[j].published) })
	return items
}

func (n *newsroom) serveSitemapIndex(w http.ResponseWriter, r *http.Request) {
	items := n.sitemapItems()
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?><?xml-stylesheet type=\"text/xsl\" href=\"" + n.baseURL + "/main-sitemap.xsl\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	var newest time.Time
	for i := 0; i*sitemapChunk < len(items); i++ {
		var last time.Time
		for _, it := range items[i*sitemapChunk : min(len(items), (i+1)*sitemapChunk)] {
			if it.lastmod.After(last) {
				last = it.lastmod
			}
		}
		if last.After(newest) {
			newest = last
		}
		name := "post-sitemap.xml"
		if i > 0 {
			name = "post-sitemap" + strconv.Itoa(i+1) + ".xml"
		}
		fmt.Fprintf(&b, "\t<sitemap>\n\t\t<loc>%s/%s</loc>\n\t\t<lastmod>%s</lastmod>\n\t</sitemap>\n", n.baseURL, name, last.In(almaty).Format(time.RFC3339))
	}
	if !n.c.generated {
		fmt.Fprintf(&b, "\t<sitemap>\n\t\t<loc>%s/page-sitemap.xml</loc>\n\t\t<lastmod>2024-01-10T09:00:00+06:00</lastmod>\n\t</sitemap>\n", n.baseURL)
	}
	fmt.Fprintf(&b, "\t<sitemap>\n\t\t<loc>%s/news-sitemap.xml</loc>\n\t\t<lastmod>%s</lastmod>\n\t</sitemap>\n", n.baseURL, newest.In(almaty).Format(time.RFC3339))
	b.WriteString("</sitemapindex>\n<!-- XML Sitemap generated by Yoast SEO -->")
	serveBody(w, r, "text/xml; charset=UTF-8", []byte(b.String()), newest)
}

func (n *newsroom) servePostSitemap(w http.ResponseWriter, r *http.Request, i int) {
	items := n.sitemapItems()
	if i < 1 || (i-1)*sitemapChunk >= len(items) {
		n.notFound(w, r)
		return
	}
	items = items[(i-1)*sitemapChunk : min(len(items), i*sitemapChunk)]
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?><?xml-stylesheet type=\"text/xsl\" href=\"" + n.baseURL + "/main-sitemap.xsl\"?>\n")
	b.WriteString("<urlset xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\" xsi:schemaLocation=\"http://www.sitemaps.org/schemas/sitemap/0.9 http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd http://www.google.com/schemas/sitemap-image/1.1 http://www.google.com/schemas/sitemap-image/1.1/sitemap-image.xsd\" xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	var last time.Time
	for _, it := range items {
		if it.lastmod.After(last) {
			last = it.lastmod
		}
		fmt.Fprintf(&b, "\t<url>\n\t\t<loc>%s%s</loc>\n\t\t<lastmod>%s</lastmod>\n", n.baseURL, it.path, it.lastmod.In(almaty).Format(time.RFC3339))
		if it.a != nil {
			fmt.Fprintf(&b, "\t\t<image:image>\n\t\t\t<image:loc>%s/wp-content/uploads/%s/%s.jpg</image:loc>\n\t\t</image:image>\n",
				n.baseURL, it.published.In(almaty).Format("2006/01"), it.a.slug)
		}
		b.WriteString("\t</url>\n")
	}
	b.WriteString("</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->")
	serveBody(w, r, "text/xml; charset=UTF-8", []byte(b.String()), last)
}

func (n *newsroom) servePageSitemap(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	for _, p := range []string{"/about-us/", "/contact/", "/advertise/", "/privacy-policy/", "/newsletter/"} {
		fmt.Fprintf(&b, "\t<url>\n\t\t<loc>%s%s</loc>\n\t\t<lastmod>2024-01-10T09:00:00+06:00</lastmod>\n\t</url>\n", n.baseURL, p)
	}
	b.WriteString("</urlset>\n")
	serveBody(w, r, "text/xml; charset=UTF-8", []byte(b.String()), time.Date(2024, 1, 10, 3, 0, 0, 0, time.UTC))
}

// serveNewsSitemap serves a Google News sitemap of the newest articles.
func (n *newsroom) serveNewsSitemap(w http.ResponseWriter, r *http.Request) {
	arts := n.current()
	if len(arts) > 10 {
		arts = arts[:10]
	}
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n")
	var last time.Time
	for _, a := range arts {
		if m := n.modifiedAt(a); m.After(last) {
			last = m
		}
		fmt.Fprintf(&b, "\t<url>\n\t\t<loc>%s%s</loc>\n\t\t<news:news>\n\t\t\t<news:publication>\n\t\t\t\t<news:name>%s</news:name>\n\t\t\t\t<news:language>en</news:language>\n\t\t\t</news:publication>\n\t\t\t<news:publication_date>%s</news:publication_date>\n\t\t\t<news:title>%s</news:title>\n\t\t</news:news>\n\t</url>\n",
			n.baseURL, a.path, xmlEscape(n.c.siteName), a.published.In(almaty).Format(time.RFC3339), xmlEscape(a.title))
	}
	b.WriteString("</urlset>\n")
	serveBody(w, r, "text/xml; charset=UTF-8", []byte(b.String()), last)
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}
