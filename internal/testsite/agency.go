package testsite

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/newsmon/newsmon"
)

// agencyStory is one news item of the windows-1251 agency.
type agencyStory struct {
	id        int
	path      string // /ru/news/<id>.html
	title     string
	author    string
	published time.Time
	topics    []string
	// charset says where the page declares windows-1251: "header" (HTTP
	// Content-Type only), "meta" (<meta charset> only) or "both".
	charset string
	blocks  []block
}

// agency serves an older Russian-language news agency whose pages and feed
// are encoded in windows-1251 and which has no robots.txt.
type agency struct {
	site    *Site
	baseURL string
	stories []*agencyStory
	byPath  map[string]*agencyStory
}

const agencyName = "Каспий-Пресс"

func newAgency(s *Site) *agency {
	a := &agency{site: s, byPath: map[string]*agencyStory{}}
	for _, e := range parseEntries(mustRead("agency.txt")) {
		f := e.fields
		id, err := strconv.Atoi(e.key)
		if err != nil || f["title"] == "" {
			panic(fmt.Sprintf("testsite: agency story %q: bad id or no title", e.key))
		}
		st := &agencyStory{
			id:        id,
			path:      "/ru/news/" + e.key + ".html",
			title:     f["title"],
			author:    f["author"],
			published: mustTime(f["date"], baku),
			topics:    splitTopics(f["topics"]),
			charset:   f["charset"],
			blocks:    parseBlocks(e.body),
		}
		a.stories = append(a.stories, st)
		a.byPath[st.path] = st
	}
	sort.SliceStable(a.stories, func(i, j int) bool { return a.stories[i].published.After(a.stories[j].published) })
	return a
}

func (a *agency) name() string              { return "agency" }
func (a *agency) base() string              { return a.baseURL }
func (a *agency) setBase(b string)          { a.baseURL = b }
func (a *agency) forbidden(string) bool     { return false } // no robots.txt at all
func (a *agency) crawlDelay() time.Duration { return 0 }

func (a *agency) source() newsmon.Source {
	b := a.baseURL
	return newsmon.Source{
		Name:           "agency",
		Title:          agencyName + " (simulated)",
		Kind:           newsmon.KindNews,
		URL:            b + "/",
		Language:       "ru",
		Timezone:       "Asia/Baku",
		Schedule:       "@every 1h",
		Feeds:          []string{b + "/rss.xml"},
		ArticlePattern: "^" + regexp.QuoteMeta(b) + `/ru/news/\d+\.html$`,
		Selectors: newsmon.Selectors{
			Title: "h1.news-title",
			Body:  "div.news-text",
			Date:  "span.news-date",
		},
	}
}

func (a *agency) expected() []Article {
	var out []Article
	for _, st := range a.stories {
		out = append(out, Article{
			Source: "agency", URL: a.baseURL + st.path, Title: st.title, Author: st.author,
			Published: st.published.UTC(), Topics: sortedTopics(st.topics), Language: "ru",
		})
	}
	return out
}

// cp1251 encodes s in windows-1251; the texts are written to be encodable.
func cp1251(s string) []byte {
	b, err := charmap.Windows1251.NewEncoder().String(s)
	if err != nil {
		panic(fmt.Sprintf("testsite: text not encodable in windows-1251: %v", err))
	}
	return []byte(b)
}

func agencyDate(t time.Time) string {
	t = t.In(baku)
	return ruDate(t) + ", " + t.Format("15:04")
}

func (a *agency) serve(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/" || p == "/index.html":
		a.serveHome(w, r)
	case p == "/rss.xml":
		a.serveFeed(w, r)
	case a.byPath[p] != nil:
		a.serveStory(w, r, a.byPath[p])
	default:
		// robots.txt included: the agency has none.
		w.Header().Set("Content-Type", "text/html; charset=windows-1251")
		w.WriteHeader(http.StatusNotFound)
		w.Write(cp1251("<html><head><title>404</title></head><body><h1>Страница не найдена</h1></body></html>"))
	}
}

func (a *agency) pageStart(b *strings.Builder, title, meta string) {
	b.WriteString(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="ru">
<head>
`)
	b.WriteString(meta)
	fmt.Fprintf(b, "<title>%s | %s</title>\n", html.EscapeString(title), agencyName)
	b.WriteString(`<link rel="stylesheet" type="text/css" href="/css/style.css" />
<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml" />
</head>
<body>
<table width="100%" cellpadding="0" cellspacing="0" border="0" class="main">
<tr><td colspan="2" class="top"><a href="/"><img src="/img/logo.gif" alt="` + agencyName + `" border="0" /></a>
<div class="menu"><a href="/">Главная</a> | <a href="/ru/politics/">Политика</a> | <a href="/ru/economy/">Экономика</a> | <a href="/ru/energy/">Энергетика</a> | <a href="/ru/society/">Общество</a> | <a href="/ru/sport/">Спорт</a> | <a href="/rss.xml">RSS</a></div></td></tr>
<tr><td valign="top" class="content">
`)
}

func (a *agency) pageEnd(b *strings.Builder) {
	b.WriteString(`</td>
<td valign="top" width="240" class="right"><div class="block"><b>Курсы валют</b><br />USD 1,7000 AZN<br />EUR 1,8400 AZN</div>
<div class="block"><b>Погода в Баку</b><br />+14&deg;, облачно</div></td></tr>
<tr><td colspan="2" class="bottom">&copy; 2003-2024 ` + agencyName + `. Все права защищены. При перепечатке ссылка обязательна.</td></tr>
</table>
</body>
</html>
`)
}

func (a *agency) serveHome(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	a.pageStart(&b, "Новости", `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251" />`+"\n")
	b.WriteString("<h2>Последние новости</h2>\n<ul class=\"news-list\">\n")
	for _, st := range a.stories {
		fmt.Fprintf(&b, "<li><span class=\"date\">%s</span> <a href=\"%s\">%s</a></li>\n", agencyDate(st.published), st.path, html.EscapeString(st.title))
	}
	b.WriteString("</ul>\n")
	a.pageEnd(&b)
	serveBody(w, r, "text/html; charset=windows-1251", cp1251(b.String()), a.stories[0].published)
}

func (a *agency) serveStory(w http.ResponseWriter, r *http.Request, st *agencyStory) {
	var meta string
	contentType := "text/html; charset=windows-1251"
	switch st.charset {
	case "meta":
		meta = "<meta charset=\"windows-1251\">\n"
		contentType = "text/html"
	case "both":
		meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\" />\n"
	}
	meta += fmt.Sprintf("<meta name=\"keywords\" content=\"новости, Азербайджан, Казахстан, Каспий\" />\n<meta name=\"description\" content=\"%s\" />\n",
		html.EscapeString(excerpt(st.blocks, 20)))
	var b strings.Builder
	a.pageStart(&b, st.title, meta)
	fmt.Fprintf(&b, "<div class=\"news\">\n<h1 class=\"news-title\">%s</h1>\n<span class=\"news-date\">%s</span>\n<div class=\"news-text\">\n",
		html.EscapeString(st.title), agencyDate(st.published))
	for _, bl := range st.blocks {
		writeBlock(&b, bl)
	}
	b.WriteString("</div>\n")
	if st.author != "" {
		fmt.Fprintf(&b, "<div class=\"news-author\">Автор: %s</div>\n", html.EscapeString(st.author))
	}
	b.WriteString("<div class=\"other\"><b>Читайте также:</b><ul>\n")
	for _, o := range a.stories {
		if o != st {
			fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", o.path, html.EscapeString(o.title))
		}
	}
	b.WriteString("</ul></div>\n</div>\n")
	a.pageEnd(&b)
	serveBody(w, r, contentType, cp1251(b.String()), st.published)
}

// serveFeed serves RSS encoded in windows-1251, declared both in the XML
// declaration and in the Content-Type header, as such sites do.
func (a *agency) serveFeed(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<rss version=\"2.0\">\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>Новости Азербайджана, Каспийского региона и Центральной Азии</description>\n<language>ru</language>\n",
		agencyName, a.baseURL)
	for _, st := range a.stories {
		fmt.Fprintf(&b, "<item>\n<title>%s</title>\n<link>%s%s</link>\n<description>%s</description>\n<pubDate>%s</pubDate>\n<guid>%s%s</guid>\n</item>\n",
			xmlEscape(st.title), a.baseURL, st.path, xmlEscape(excerpt(st.blocks, 30)), st.published.Format(time.RFC1123Z), a.baseURL, st.path)
	}
	b.WriteString("</channel>\n</rss>\n")
	serveBody(w, r, "application/rss+xml; charset=windows-1251", cp1251(b.String()), a.stories[0].published)
}
