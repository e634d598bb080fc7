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

	"github.com/newsmon/newsmon"
)

// statement is one press release of the presidency.
type statement struct {
	path      string // /ru/events/<slug>-<number>
	title     string
	published time.Time
	topics    []string
	update    bool // published by Update
	blocks    []block
}

// ministry serves a presidency press page in Russian: a paginated listing
// and statements, no feed, no sitemap, no machine-readable dates.
type ministry struct {
	site    *Site
	baseURL string
	all     []*statement
	byPath  map[string]*statement
}

const ministryPerPage = 5

func newMinistry(s *Site) *ministry {
	m := &ministry{site: s, byPath: map[string]*statement{}}
	for _, e := range parseEntries(mustRead("ministry.txt")) {
		f := e.fields
		st := &statement{
			path:      "/ru/events/" + e.key + "-" + f["num"],
			title:     f["title"],
			published: mustTime(f["date"], almaty),
			topics:    splitTopics(f["topics"]),
			update:    f["role"] == "update",
			blocks:    parseBlocks(e.body),
		}
		if st.title == "" || f["num"] == "" {
			panic(fmt.Sprintf("testsite: ministry statement %q lacks a field", e.key))
		}
		m.all = append(m.all, st)
		m.byPath[st.path] = st
	}
	return m
}

func (m *ministry) name() string     { return "ministry" }
func (m *ministry) base() string     { return m.baseURL }
func (m *ministry) setBase(b string) { m.baseURL = b }

func (m *ministry) current() []*statement {
	var out []*statement
	for _, st := range m.all {
		if !st.update || m.site.isUpdated() {
			out = append(out, st)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].published.After(out[j].published) })
	return out
}

func (m *ministry) forbidden(uri string) bool {
	for _, p := range []string{"/ru/admin", "/ru/search", "/kz/search", "/en/search"} {
		if strings.HasPrefix(uri, p) {
			return true
		}
	}
	return false
}

func (m *ministry) crawlDelay() time.Duration { return 0 }

const ministryRobots = `User-agent: *
Disallow: /ru/admin
Disallow: /ru/search
Disallow: /kz/search
Disallow: /en/search

User-agent: Yandex
Disallow: /ru/admin
Clean-param: utm_source&utm_medium&utm_campaign
`

func (m *ministry) source() newsmon.Source {
	b := m.baseURL
	return newsmon.Source{
		Name:           "ministry",
		Title:          "Akorda: President of Kazakhstan (simulated)",
		Kind:           newsmon.KindStatement,
		URL:            b + "/ru",
		Language:       "ru",
		Timezone:       "Asia/Almaty",
		Schedule:       "@every 1h",
		Listings:       []newsmon.Listing{{URL: b + "/ru/events", Links: "div.news-list a.news-title", Next: "li.next a", MaxPages: 10}},
		ArticlePattern: "^" + regexp.QuoteMeta(b) + `/ru/events/[a-z0-9-]+-\d+$`,
		Selectors: newsmon.Selectors{
			Title: "h1.article-title",
			Body:  "div.article-text",
			Date:  "div.article-info",
		},
	}
}

func (m *ministry) expected() []Article {
	var out []Article
	for _, st := range m.current() {
		out = append(out, Article{
			Source: "ministry", URL: m.baseURL + st.path, Title: st.title, Published: st.published.UTC(),
			Topics: sortedTopics(st.topics), Language: "ru",
		})
	}
	return out
}

var ministryNav = []struct{ path, label string }{
	{"/ru/president/biography", "Биография"}, {"/ru/president/speeches", "Выступления"}, {"/ru/president/addresses", "Послания"},
	{"/ru/president/interviews", "Интервью"}, {"/ru/events", "События"}, {"/ru/events/international", "Международные"},
	{"/ru/events/domestic", "Внутренняя политика"}, {"/ru/administration", "Администрация"}, {"/ru/administration/structure", "Структура"},
	{"/ru/state-councillor", "Государственный советник"}, {"/ru/security-council", "Совет безопасности"},
	{"/ru/legal_acts/decrees", "Указы"}, {"/ru/legal_acts/laws", "Законы"}, {"/ru/legal_acts/orders", "Распоряжения"},
	{"/ru/state-symbols", "Государственные символы"}, {"/ru/state-awards", "Государственные награды"},
	{"/ru/national-projects", "Национальные проекты"}, {"/ru/reception", "Обращения граждан"}, {"/ru/contacts", "Контакты"},
	{"/ru/media", "Фото и видео"}, {"/ru/press-service", "Пресс-служба"}, {"/ru/accreditation", "Аккредитация СМИ"},
	{"/kz", "Қазақша"}, {"/en", "English"},
}

func (m *ministry) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		serveBody(w, r, "text/plain; charset=utf-8", []byte(ministryRobots), time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC))
	case p == "/":
		redirect(w, m.baseURL+"/ru", http.StatusFound)
	case p == "/ru":
		m.serveListing(w, r, 1, true)
	case p == "/ru/events":
		page := 1
		if v := r.URL.Query().Get("page"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				m.page(w, r, "Страница не найдена", "<p>Страница не найдена.</p>", http.StatusNotFound, time.Time{})
				return
			}
			page = n
		}
		m.serveListing(w, r, page, false)
	case m.byPath[p] != nil && (!m.byPath[p].update || m.site.isUpdated()):
		m.serveStatement(w, r, m.byPath[p])
	case strings.HasPrefix(p, "/ru/search") || strings.HasPrefix(p, "/ru/admin"):
		m.page(w, r, "Поиск", "<p>Введите запрос.</p>", http.StatusOK, time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC))
	default:
		for _, n := range ministryNav {
			if n.path == p {
				m.page(w, r, n.label, "<p>Раздел «"+html.EscapeString(n.label)+"» официального сайта.</p>", http.StatusOK, time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC))
				return
			}
		}
		m.page(w, r, "Страница не найдена", "<p>Запрашиваемая страница не найдена.</p>", http.StatusNotFound, time.Time{})
	}
}

func (m *ministry) head(b *strings.Builder, title, extra string) {
	b.WriteString("<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n")
	fmt.Fprintf(b, "<title>%s — Официальный сайт Президента Республики Казахстан</title>\n", html.EscapeString(title))
	b.WriteString(extra)
	b.WriteString(`<link rel="stylesheet" href="/assets/css/main.min.css?v=20240312">
<link rel="icon" href="/favicon.ico">
<script src="/assets/js/vendor.min.js?v=20240312" defer></script>
</head>
<body class="page-events">
<div class="visually-impaired"><a href="/ru?special=1">Версия для слабовидящих</a></div>
<header class="header"><div class="header__top"><a class="logo" href="/ru"><img src="/assets/img/emblem.svg" alt="Герб"> Официальный сайт Президента Республики Казахстан</a>
<div class="lang"><a href="/kz">Қаз</a> <a class="active" href="/ru">Рус</a> <a href="/en">Eng</a></div>
<form class="header__search" action="/ru/search" method="get"><input name="q" placeholder="Поиск по сайту"><button>Найти</button></form></div>
<nav class="menu"><ul>
`)
	for i, n := range ministryNav {
		fmt.Fprintf(b, "<li class=\"menu__item menu__item--%d\"><a href=\"%s\">%s</a></li>\n", i, n.path, html.EscapeString(n.label))
	}
	b.WriteString("</ul></nav></header>\n<main class=\"main\">\n")
}

func (m *ministry) foot(b *strings.Builder) {
	b.WriteString(`</main>
<footer class="footer"><div class="footer__menu"><ul>
<li><a href="/ru/contacts">Контакты</a></li><li><a href="/ru/reception">Виртуальная приемная</a></li><li><a href="/ru/accreditation">Аккредитация СМИ</a></li>
<li><a href="/ru/search?q=%D0%A1%D1%80%D0%B5%D0%B4%D0%BD%D0%B8%D0%B9+%D0%BA%D0%BE%D1%80%D0%B8%D0%B4%D0%BE%D1%80">Поиск: Средний коридор</a></li>
<li><a href="/ru/admin/login">Вход для сотрудников</a></li></ul></div>
<p class="footer__copy">© 2024 Официальный сайт Президента Республики Казахстан. При использовании материалов ссылка на сайт обязательна.</p>
</footer>
<script>document.querySelectorAll('.menu__item').forEach(function(el){el.addEventListener('mouseenter',function(){el.classList.add('open')});});</script>
</body>
</html>
`)
}

func (m *ministry) page(w http.ResponseWriter, r *http.Request, title, content string, status int, modified time.Time) {
	var b strings.Builder
	m.head(&b, title, "")
	fmt.Fprintf(&b, "<h1>%s</h1>\n%s\n", html.EscapeString(title), content)
	m.foot(&b)
	if status != http.StatusOK {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(b.String()))
		return
	}
	serveBody(w, r, "text/html; charset=utf-8", []byte(b.String()), modified)
}

func ruDateTime(t time.Time) (string, string) {
	t = t.In(almaty)
	return ruDate(t) + " года", t.Format("15:04")
}

func (m *ministry) serveListing(w http.ResponseWriter, r *http.Request, page int, home bool) {
	all := m.current()
	pages := (len(all) + ministryPerPage - 1) / ministryPerPage
	if page < 1 || page > pages {
		m.page(w, r, "Страница не найдена", "<p>Страница не найдена.</p>", http.StatusNotFound, time.Time{})
		return
	}
	items := all[(page-1)*ministryPerPage : min(len(all), page*ministryPerPage)]
	var extra string
	if page < pages && !home {
		extra = fmt.Sprintf("<link rel=\"next\" href=\"%s/ru/events?page=%d\">\n", m.baseURL, page+1)
	}
	var b strings.Builder
	m.head(&b, "События", extra)
	b.WriteString("<div class=\"breadcrumbs\"><a href=\"/ru\">Главная</a> / <span>События</span></div>\n<h1 class=\"page-title\">События</h1>\n<div class=\"news-list\">\n")
	var modified time.Time
	for _, st := range items {
		if st.published.After(modified) {
			modified = st.published
		}
		d, t := ruDateTime(st.published)
		fmt.Fprintf(&b, "<div class=\"news-item\"><div class=\"news-item__img\"><img src=\"/uploads/events/%d.jpg\" alt=\"\"></div>\n<a class=\"news-title\" href=\"%s\">%s</a>\n<div class=\"news-date\">%s, %s</div></div>\n",
			len(st.path), st.path, html.EscapeString(st.title), d, t)
	}
	b.WriteString("</div>\n")
	if !home {
		b.WriteString("<ul class=\"pagination\">\n")
		if page > 1 {
			fmt.Fprintf(&b, "<li class=\"prev\"><a href=\"?page=%d\">&larr; Предыдущая</a></li>\n", page-1)
		}
		for i := 1; i <= pages; i++ {
			if i == page {
				fmt.Fprintf(&b, "<li class=\"active\"><span>%d</span></li>\n", i)
			} else {
				fmt.Fprintf(&b, "<li><a href=\"?page=%d\">%d</a></li>\n", i, i)
			}
		}
		if page < pages {
			fmt.Fprintf(&b, "<li class=\"next\"><a class=\"next\" rel=\"next\" href=\"/ru/events?page=%d\">Следующая &rarr;</a></li>\n", page+1)
		}
		b.WriteString("</ul>\n")
	} else {
		b.WriteString("<p class=\"all-news\"><a href=\"/ru/events\">Все события</a></p>\n")
	}
	m.foot(&b)
	serveBody(w, r, "text/html; charset=utf-8", []byte(b.String()), modified)
}

func (m *ministry) serveStatement(w http.ResponseWriter, r *http.Request, st *statement) {
	var b strings.Builder
	extra := fmt.Sprintf("<meta name=\"description\" content=\"%s\">\n<meta property=\"og:title\" content=\"%s\">\n<meta property=\"og:type\" content=\"website\">\n<meta property=\"og:image\" content=\"%s/assets/img/og-default.jpg\">\n",
		html.EscapeString(excerpt(st.blocks, 25)), html.EscapeString(st.title), m.baseURL)
	m.head(&b, st.title, extra)
	d, t := ruDateTime(st.published)
	fmt.Fprintf(&b, "<div class=\"breadcrumbs\"><a href=\"/ru\">Главная</a> / <a href=\"/ru/events\">События</a></div>\n<article class=\"article\">\n<h1 class=\"article-title\">%s</h1>\n<div class=\"article-info\"><span class=\"date\">%s</span> <span class=\"time\">%s</span></div>\n<div class=\"article-text\">\n",
		html.EscapeString(st.title), d, t)
	for _, bl := range st.blocks {
		writeBlock(&b, bl)
	}
	b.WriteString("</div>\n<div class=\"article-share\">Поделиться: <a href=\"https://t.me/share/url?url=" + m.baseURL + st.path + "\">Telegram</a> <a href=\"https://www.facebook.com/sharer.php?u=" + m.baseURL + st.path + "\">Facebook</a> <a href=\"?print=1\">Версия для печати</a></div>\n</article>\n")
	b.WriteString("<div class=\"other-news\"><h3>Другие новости</h3><ul>\n")
	// Other statements, on the followed topics, whatever this one is about.
	var pool []*statement
	for _, o := range m.all {
		if o != st && !o.update && len(o.topics) > 0 {
			pool = append(pool, o)
		}
	}
	for i := 0; i < 4 && i < len(pool); i++ {
		o := pool[(len(st.title)+i)%len(pool)]
		od, ot := ruDateTime(o.published)
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> <span>%s, %s</span></li>\n", o.path, html.EscapeString(o.title), od, ot)
	}
	b.WriteString("</ul></div>\n")
	m.foot(&b)
	serveBody(w, r, "text/html; charset=utf-8", []byte(b.String()), st.published)
}
