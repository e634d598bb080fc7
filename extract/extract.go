// Package extract turns a fetched HTML page into a newsmon.Article: the
// article's body text, its metadata (title, authors, dates, language, site
// name, image, description, canonical URL), whether the page is an article
// at all, and then its topic mentions and agreement events (tag.go,
// agreement.go).
//
// The page is parsed once with golang.org/x/net/html; per-source CSS
// selectors from the configuration are compiled once with cascadia and
// cached. Everything else is written here by hand, because no library does
// it for the languages and outlets newsmon watches: the body extractor
// scores block containers by text density, link density, paragraph counts
// and class hints in the manner of readability and trafilatura, then cleans
// the chosen container and collects its text itself (goquery's Text() glues
// words across elements and includes scripts); ParseDate reads machine and
// visible dates in English, Russian, Kazakh, Azerbaijani, Turkish and a few
// other languages; a small script and stopword detector names the language
// when the page does not. Every walk is bounded in depth, text kept and
// candidates scored, so a hostile page costs no more than a large real one.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	newsmon "github.com/newsmon/newsmon"
)

// maxPageBytes bounds the HTML parsed: a larger page is cut there. The
// crawler's own limit is 10 MB; real articles end long before.
const maxPageBytes = 8 << 20

// Extractor implements newsmon.Extractor. It is safe for concurrent use.
type Extractor struct {
	tagger    *Tagger
	selectors sync.Map // selector text → cascadia.SelectorGroup (nil when invalid)
	zones     sync.Map // IANA name → *time.Location
}

// New returns an Extractor that tags articles with the given topics and
// names the parties of agreements from the gazetteer parties (config's
// [[party]] tables). Per-source selectors are compiled on first use and
// cached.
func New(topics []newsmon.Topic, parties ...newsmon.Party) (*Extractor, error) {
	t, err := NewTaggerWithParties(topics, parties)
	if err != nil {
		return nil, fmt.Errorf("compile topics: %w", err)
	}
	return &Extractor{tagger: t}, nil
}

// selector returns the compiled selector group, or nil when s is empty or
// invalid (configuration validation reports invalid ones).
func (e *Extractor) selector(s string) cascadia.SelectorGroup {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if v, ok := e.selectors.Load(s); ok {
		return v.(cascadia.SelectorGroup)
	}
	g, err := cascadia.ParseGroup(s)
	if err != nil {
		g = nil
	}
	e.selectors.Store(s, g)
	return g
}

func (e *Extractor) location(src *newsmon.Source) *time.Location {
	if src == nil || src.Timezone == "" {
		return time.UTC
	}
	if v, ok := e.zones.Load(src.Timezone); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(src.Timezone)
	if err != nil {
		loc = time.UTC
	}
	e.zones.Store(src.Timezone, loc)
	return loc
}

// errNotHTML is returned for input that is not an HTML document at all.
var errNotHTML = errors.New("not an HTML document")

// errPanic wraps a panic recovered while extracting one page.
var errPanic = errors.New("internal error")

// Extract parses p.Body once and returns the article it holds, tagged with
// the extractor's topics. It returns an error only when the body is not
// HTML at all (empty or binary); a page that is not an article gives an
// Article with IsArticle false and the reason.
func (e *Extractor) Extract(p *newsmon.Page) (a *newsmon.Article, err error) {
	defer func() {
		// A bug met by one strange page must not take the crawler down;
		// the fuzz tests fail on this error, so it is not hidden.
		if r := recover(); r != nil {
			u := ""
			if p != nil {
				u = p.URL
			}
			a, err = nil, fmt.Errorf("extract %s: %w: %v", u, errPanic, r)
		}
	}()
	if p == nil {
		return nil, fmt.Errorf("extract: %w: no page", errNotHTML)
	}
	body := p.Body
	if err := checkHTML(body); err != nil {
		return nil, fmt.Errorf("extract %s: %w", p.URL, err)
	}
	if len(body) > maxPageBytes {
		body = body[:maxPageBytes]
	}
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		// The parser refuses more than 512 open elements; such a page is
		// flattened below a safe depth and parsed again.
		root, err = html.Parse(bytes.NewReader(flattenDeep(body, 200)))
		if err != nil {
			return nil, fmt.Errorf("extract %s: parse: %w", p.URL, err)
		}
	}
	a = e.extractTree(p, root)
	if e.tagger != nil {
		e.tagger.Tag(a)
	}
	return a, nil
}

func checkHTML(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return fmt.Errorf("%w: empty body", errNotHTML)
	}
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	ct := http.DetectContentType(head)
	if !strings.HasPrefix(ct, "text/") {
		return fmt.Errorf("%w: content looks like %s", errNotHTML, ct)
	}
	return nil
}

// flattenDeep re-serialises a page, dropping the tags that open elements
// deeper than maxDepth (their text is kept).
func flattenDeep(b []byte, maxDepth int) []byte {
	z := html.NewTokenizer(bytes.NewReader(b))
	z.SetMaxBuf(0)
	var out bytes.Buffer
	out.Grow(len(b))
	depth := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if isVoid(string(name)) {
				out.Write(z.Raw())
				continue
			}
			depth++
			if depth <= maxDepth {
				out.Write(z.Raw())
			}
		case html.EndTagToken:
			if depth <= maxDepth {
				out.Write(z.Raw())
			}
			if depth > 0 {
				depth--
			}
		default:
			out.Write(z.Raw())
		}
	}
}

func isVoid(name string) bool {
	switch strings.ToLower(name) {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr":
		return true
	}
	return false
}

// extractTree does the work of Extract on a parsed document.
func (e *Extractor) extractTree(p *newsmon.Page, root *html.Node) *newsmon.Article {
	a := &newsmon.Article{URL: p.URL, Topics: []string{}, Mentions: []newsmon.Mention{}, Agreements: []newsmon.Agreement{}}
	if p.Source != nil {
		a.Source = p.Source.Name
	}
	loc := e.location(p.Source)
	base, _ := url.Parse(p.URL)

	scan := scanPage(root)
	ld := parseLinkedData(scan.ldScripts)

	a.CanonicalURL = canonicalURL(base, scan.canonical, scan.meta("og:url"), p.URL)
	a.SiteName = clip(collapseSpace(firstNonEmpty(scan.meta("og:site_name"), ld.siteName, ld.publisher, scan.meta("application-name"))), 200)
	a.Image = resolveURL(base, firstNonEmpty(scan.meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"), ld.image))
	a.Description = clip(collapseSpace(html.UnescapeString(firstNonEmpty(scan.meta("og:description", "description", "twitter:description", "dc.description"), ld.description))), 2000)

	var src newsmon.Selectors
	if p.Source != nil {
		src = p.Source.Selectors
	}
	a.Title = ""
	if g := e.selector(src.Title); g != nil {
		if n := cascadia.Query(root, g); n != nil {
			a.Title = clip(textOf(n, maxTitleLen), maxTitleLen)
		}
	}
	if a.Title == "" {
		a.Title = chooseTitle(scan, ld, a.SiteName)
	}
	if a.Title == "" && p.FeedTitle != "" {
		a.Title = clip(collapseSpace(p.FeedTitle), maxTitleLen)
	}
	if g := e.selector(src.Author); g != nil {
		var names []string
		for _, n := range cascadia.QueryAll(root, g) {
			if c := cleanAuthor(textOf(n, 300)); c != "" {
				names = append(names, c)
			}
			if len(names) >= 10 {
				break
			}
		}
		a.Author = strings.Join(names, ", ")
	}
	if a.Author == "" {
		a.Author = chooseAuthor(scan, ld, a.SiteName, a.Title)
	}

	// The body.
	text, container, headlineLinks := e.body(root, scan, ld, src, a.Title, a.Author)
	a.Text = strings.ToValidUTF8(text, "")

	// Dates.
	e.setDates(a, p, root, scan, ld, src, loc, base)

	// Language.
	a.Language = chooseLanguage(scan, ld, a.Text, a.Title, p.Source)

	// Article or not.
	a.IsArticle, a.NotArticleReason = judgeArticle(a, scan, ld, container, headlineLinks)
	if !a.IsArticle && a.PublishedSource != "json-ld" && a.PublishedSource != "meta" {
		// A date on a listing belongs to one of its teasers.
		a.Published, a.PublishedSource = nil, ""
	}
	for _, s := range []*string{&a.Title, &a.Author, &a.SiteName, &a.Description, &a.Image, &a.CanonicalURL} {
		*s = strings.ToValidUTF8(*s, "")
	}
	return a
}

// bodyStats describes the chosen content, for telling articles from
// listings.
type bodyStats struct {
	textLen, linkLen, headlineLinks int
	headings, linkedHeadings        int
	bySelector                      bool // the source's body selector matched
	containers                      int  // elements the content was taken from
}

// add counts the statistics of one chosen element.
func (st *bodyStats) add(in *nodeInfo) {
	if in == nil {
		return
	}
	st.textLen += in.textLen
	st.linkLen += in.linkLen
	st.headlineLinks += int(in.headlineLinks)
	st.headings += int(in.headings)
	st.linkedHeadings += int(in.linkedHeadings)
	st.containers++
}

// body returns the article text by the order of evidence: per-source
// selectors, then JSON-LD articleBody when it is complete, then the
// generic extractor. It also returns statistics of the chosen content and
// the number of headline-like links on the whole page.
func (e *Extractor) body(root *html.Node, scan *pageScan, ld *linkedData, src newsmon.Selectors, title, author string) (string, bodyStats, int) {
	bodyNode := scan.body
	if bodyNode == nil {
		bodyNode = root
	}
	if g := e.selector(src.Body); g != nil {
		if nodes := cascadia.QueryAll(root, g); len(nodes) > 0 {
			b := newBodyExtractor(title, author, scan.elements)
			for _, r := range src.Remove {
				if rg := e.selector(r); rg != nil {
					for _, n := range cascadia.QueryAll(root, rg) {
						b.get(n).removed = true
					}
				}
			}
			b.markRemoved(bodyNode, 0, false)
			b.measureAll(bodyNode)
			pageLinks := int(b.info[bodyNode].headlineLinks)
			if t := b.text(nodes); t != "" {
				st := bodyStats{bySelector: true}
				for _, n := range nodes {
					st.add(b.info[n])
				}
				return t, st, pageLinks
			}
		}
	}
	text, st, pageLinks, pageText := genericBody(bodyNode, title, author, scan.elements, true)
	if len(text) < 300 && pageText > 2*len(text)+300 {
		// Class hints can be wrong for a whole site; try without them.
		if t2, st2, _, _ := genericBody(bodyNode, title, author, scan.elements, false); len(t2) > len(text)*2 && len(t2) > 300 {
			text, st = t2, st2
		}
	}
	if jb := cleanArticleBody(ld.articleBody); jb != "" && useLinkedBody(jb, text) {
		return jb, bodyStats{textLen: len(jb)}, pageLinks
	}
	return text, st, pageLinks
}

func genericBody(bodyNode *html.Node, title, author string, elements int, aggressive bool) (string, bodyStats, int, int) {
	b := newBodyExtractor(title, author, elements)
	b.measureAll(bodyNode)
	b.bodyText = b.info[bodyNode].textLen
	b.markRemoved(bodyNode, 0, aggressive)
	b.measureAll(bodyNode)
	pageLinks := int(b.info[bodyNode].headlineLinks)
	b.scoreParagraphs(bodyNode, 0, nil)
	nodes := b.chooseContent(bodyNode)
	if len(nodes) == 0 {
		return "", bodyStats{}, pageLinks, b.bodyText
	}
	var st bodyStats
	for _, n := range nodes {
		st.add(b.info[n])
		b.cleanConditionally(n, 0)
	}
	return b.text(nodes), st, pageLinks, b.bodyText
}

// cleanArticleBody turns a JSON-LD articleBody into plain paragraphs: some
// sites put HTML in it.
func cleanArticleBody(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > maxTextBytes {
		s = s[:maxTextBytes]
	}
	s = html.UnescapeString(s)
	if strings.Contains(s, "<") && strings.Contains(s, ">") {
		var b strings.Builder
		in := false
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '<':
				in = true
				// Block tags end a paragraph.
				rest := strings.ToLower(s[i+1 : min(len(s), i+5)])
				if strings.HasPrefix(rest, "p") || strings.HasPrefix(rest, "/p") || strings.HasPrefix(rest, "br") || strings.HasPrefix(rest, "div") || strings.HasPrefix(rest, "/div") || strings.HasPrefix(rest, "h") || strings.HasPrefix(rest, "/h") || strings.HasPrefix(rest, "li") {
					b.WriteString("\n\n")
				}
			case c == '>' && in:
				in = false
			case !in:
				b.WriteByte(c)
			}
		}
		s = b.String()
	}
	s = html.UnescapeString(s)
	var paras []string
	for _, block := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if t := collapseSpace(block); t != "" {
			paras = append(paras, t)
		}
	}
	return strings.Join(paras, "\n\n")
}

// useLinkedBody reports whether the JSON-LD body should replace the text
// the generic extractor found: when that found little, or when the JSON-LD
// body holds all of it and clearly more.
func useLinkedBody(ldBody, generic string) bool {
	if len(ldBody) < 200 {
		return false
	}
	trimmed := strings.TrimRight(ldBody, " ")
	if strings.HasSuffix(trimmed, "...") || strings.HasSuffix(trimmed, "…") {
		return false // a teaser, not the body
	}
	if len(generic) < 200 {
		return true
	}
	if len(ldBody)*10 < len(generic)*12 {
		return false
	}
	return wordCoverage(generic, ldBody) >= 0.9
}

// wordCoverage is the share of a's words that occur in b.
func wordCoverage(a, b string) float64 {
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(b), isWordBreak) {
		set[w] = true
	}
	total, found := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(a), isWordBreak) {
		total++
		if set[w] {
			found++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(found) / float64(total)
}

func isWordBreak(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != 0xa0 && r != '’' && r != '“' && r != '”' && r != '«' && r != '»' && r != '—' && r != '–')
}

// canonicalURL resolves rel=canonical against the page URL; og:url counts
// when it is on the same site; otherwise the page URL. Fragments go.
func canonicalURL(base *url.URL, canonical, ogURL, pageURL string) string {
	for i, c := range []string{canonical, ogURL} {
		if c == "" || base == nil || len(c) > maxURLLen {
			continue
		}
		u, err := base.Parse(strings.TrimSpace(c))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if i == 1 && !sameSite(u.Host, base.Host) {
			continue
		}
		u.Fragment = ""
		u.RawFragment = ""
		return u.String()
	}
	if base != nil {
		u := *base
		u.Fragment = ""
		u.RawFragment = ""
		return u.String()
	}
	if i := strings.IndexByte(pageURL, '#'); i >= 0 {
		return pageURL[:i]
	}
	return pageURL
}

func sameSite(a, b string) bool {
	a = strings.TrimPrefix(strings.ToLower(a), "www.")
	b = strings.TrimPrefix(strings.ToLower(b), "www.")
	return a == b
}

// maxURLLen bounds the URLs taken from a page.
const maxURLLen = 2048

func resolveURL(base *url.URL, s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxURLLen {
		return ""
	}
	if s == "" || base == nil {
		return s
	}
	u, err := base.Parse(s)
	if err != nil {
		return ""
	}
	return u.String()
}

// setDates fills Published, Modified and PublishedSource by the order of
// evidence: JSON-LD, meta tags, <time>, visible text, the URL, the feed.
func (e *Extractor) setDates(a *newsmon.Article, p *newsmon.Page, root *html.Node, scan *pageScan, ld *linkedData, src newsmon.Selectors, loc *time.Location, base *url.URL) {
	set := func(t time.Time, source string) {
		a.Published = &t
		a.PublishedSource = source
	}
	if g := e.selector(src.Date); g != nil {
		for _, n := range cascadia.QueryAll(root, g) {
			if t, ok := dateOfNode(n, loc); ok {
				set(t, "text")
				break
			}
		}
	}
	// JSON-LD and meta tags: a configured selector beats them only when it
	// names another day; on the same day their full timestamp is better.
	machine := func(v, source string) {
		t, ok := ParseDate(v, loc)
		if !ok {
			return
		}
		if a.Published == nil || (a.PublishedSource == "text" && !dayOnly(t, loc) && sameDay(t, *a.Published, loc)) {
			set(t, source)
		}
	}
	if a.Published == nil || a.PublishedSource == "text" {
		machine(ld.datePublished, "json-ld")
	}
	if a.Published == nil || a.PublishedSource == "text" {
		machine(scan.meta("article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date", "publish_date", "published_time", "article.published", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "citation_publication_date", "citation_date", "date", "og:pubdate", "article_date_original", "cxenseparse:recs:publishtime"), "meta")
	}
	if a.Published == nil {
		var first *time.Time
		for _, n := range pageDateOrder(scan.times) {
			t, ok := dateOfNode(n, loc)
			if !ok {
				continue
			}
			prop := strings.ToLower(attr(n, "itemprop") + " " + classOf(n))
			if hasAttr(n, "pubdate") || strings.Contains(prop, "publish") || strings.Contains(prop, "created") {
				first = &t
				break
			}
			if first == nil && !strings.Contains(prop, "modif") && !strings.Contains(prop, "updated") {
				tt := t
				first = &tt
			}
		}
		if first != nil {
			set(*first, "time")
		}
	}
	if a.Published == nil {
		for _, n := range pageDateOrder(scan.dateNodes) {
			if n.DataAtom == atom.Meta || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
				continue
			}
			cls := classOf(n)
			if strings.Contains(cls, "modif") || strings.Contains(cls, "updated") {
				continue
			}
			if t, ok := dateOfNode(n, loc); ok {
				set(t, "text")
				break
			}
		}
	}
	if a.Published == nil {
		// Near the headline: its parent's text.
		for _, h := range scan.h1s {
			if h.Parent == nil {
				continue
			}
			if t, ok := ParseDate(textOf(h.Parent, 600), loc); ok {
				set(t, "text")
				break
			}
		}
	}
	if a.Published == nil && a.Text != "" {
		// Statement pages often print the date as the first or last line.
		paras := strings.SplitN(a.Text, "\n\n", 3)
		cands := []string{paras[0]}
		if i := strings.LastIndex(a.Text, "\n\n"); i >= 0 {
			cands = append(cands, a.Text[i+2:])
		}
		for _, c := range cands {
			if len(c) <= 80 {
				if t, ok := ParseDate(c, loc); ok {
					set(t, "text")
					break
				}
			}
		}
	}
	if a.Published == nil && base != nil {
		if t, ok := dateFromURL(base.String(), loc); ok {
			set(t, "url")
		}
	}
	if p.FeedPublished != nil && !p.FeedPublished.IsZero() {
		// The feed or news sitemap knows the instant when the page shows
		// only the day; a feed time on another day is not trusted over
		// the page.
		ft := *p.FeedPublished
		if a.Published == nil || (dayOnly(*a.Published, loc) && sameDay(ft, *a.Published, loc)) {
			set(ft, "feed")
		}
	}
	if t, ok := ParseDate(firstNonEmpty(ld.dateModified, scan.meta("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified", "lastmod")), loc); ok {
		a.Modified = &t
	}
}

// dayOnly reports whether t carries no time of day: midnight exactly in
// the outlet's zone, as a date without a time parses.
func dayOnly(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	return l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 && l.Nanosecond() == 0
}

// sameDay reports whether a and b fall on the same calendar day in loc.
func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// pageDateOrder puts the elements in the page's own chrome (the site
// header with today's date, sidebars and footers with other stories'
// dates) after the others, so that they count only when nothing else
// gives a date.
func pageDateOrder(nodes []*html.Node) []*html.Node {
	var inside, chrome []*html.Node
	for _, n := range nodes {
		if inPageChrome(n) {
			chrome = append(chrome, n)
		} else {
			inside = append(inside, n)
		}
	}
	return append(inside, chrome...)
}

func inPageChrome(n *html.Node) bool {
	inArticle := false
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article || p.DataAtom == atom.Main {
			inArticle = true
		}
	}
	for p := n.Parent; p != nil && p.Type == html.ElementNode; p = p.Parent {
		switch p.DataAtom {
		case atom.Nav, atom.Footer, atom.Aside:
			return true
		case atom.Header:
			if !inArticle {
				return true
			}
		}
		if cls := classOf(p); cls != "" {
			for _, w := range []string{"sidebar", "related", "footer", "top-bar", "topbar", "menu", "widget", "most-read", "popular", "feed"} {
				if strings.Contains(cls, w) {
					return true
				}
			}
		}
	}
	return false
}

// dateOfNode reads a date from an element: its datetime or content
// attribute, else its text.
func dateOfNode(n *html.Node, loc *time.Location) (time.Time, bool) {
	for _, k := range []string{"datetime", "content", "data-datetime", "data-date", "title"} {
		if v := attr(n, k); v != "" {
			if t, ok := ParseDate(v, loc); ok {
				return t, true
			}
		}
	}
	return ParseDate(textOf(n, 300), loc)
}

// scriptFamily groups languages by script, to catch a declared language
// that the text plainly contradicts.
func scriptFamily(lang string) string {
	switch lang {
	case "ru", "uk", "kk", "be", "bg", "sr", "mk", "ky", "tg", "mn", "tt", "ba":
		return "cyrillic"
	case "zh", "ja", "ko", "ar", "fa", "ur", "he", "el", "ka", "hy", "th", "hi":
		return lang
	}
	return "latin"
}

func chooseLanguage(scan *pageScan, ld *linkedData, text, title string, src *newsmon.Source) string {
	declared := ""
	for _, c := range []string{scan.htmlLang, scan.meta("og:locale"), scan.meta("content-language", "language", "dc.language"), ld.inLanguage} {
		if l := normalizeLanguage(c); l != "" {
			declared = l
			break
		}
	}
	sample := text
	if len(sample) < 200 {
		sample = title + "\n" + text
	}
	detected := detectLanguage(sample)
	if declared != "" {
		if detected != "" && scriptFamily(detected) != scriptFamily(declared) {
			return detected
		}
		// Kazakh and Azerbaijani sites often declare Russian or Turkish
		// for pages written in their own language.
		if detected == "kk" || detected == "az" {
			return detected
		}
		return declared
	}
	if detected != "" {
		return detected
	}
	if src != nil {
		return normalizeLanguage(src.Language)
	}
	return ""
}

// judgeArticle tells articles from listings, home pages, archives, search
// results and empty pages. The reason names the kind of page when its URL
// says so (pageKind) and the evidence the content gave.
func judgeArticle(a *newsmon.Article, scan *pageScan, ld *linkedData, st bodyStats, pageLinks int) (bool, string) {
	textLen := utf8.RuneCountInString(a.Text)
	signal := ld.isArticle || strings.EqualFold(scan.meta("og:type"), "article") || scan.meta("article:published_time") != ""
	kind := pageKind(a.URL)
	listKind, emptyKind := "listing page", ""
	if kind != "" {
		listKind, emptyKind = kind, kind+": "
	}
	listingDensity := 30
	if signal {
		listingDensity = 60
	}
	listing := fmt.Sprintf("%s: %d article links and little text", listKind, max(st.headlineLinks, pageLinks))
	// Teasers: the content is a run of linked headlines, each with a
	// line or two of its own.
	perTeaser := teaserText
	if signal {
		// An article may set linked headlines of other stories between
		// its paragraphs; only bare teasers make it a listing.
		perTeaser /= 3
	}
	if st.linkedHeadings >= 3 && st.linkedHeadings*2 > st.headings && st.textLen < st.linkedHeadings*perTeaser {
		return false, fmt.Sprintf("%s: %d linked headlines with teasers", listKind, st.linkedHeadings)
	}
	if st.headlineLinks >= 5 && st.textLen > 0 && st.linkLen*100 >= st.textLen*listingDensity {
		return false, listing
	}
	if textLen == 0 {
		if pageLinks >= 3 {
			return false, listing
		}
		return false, emptyKind + "no body text found"
	}
	if !signal && pageLinks >= 10 && textLen < 250 {
		return false, listing
	}
	if st.bySelector {
		return true, ""
	}
	if textLen < 150 && !signal && (a.Published == nil || a.PublishedSource == "url" || a.PublishedSource == "feed") {
		return false, emptyKind + "too little body text"
	}
	return true, ""
}

// teaserText is the most text one teaser of a listing holds.
const teaserText = 600

// pageKind names a page by the conventions of its URL: the site's home,
// a search, a tag, author, category or date archive, or a numbered page
// of one, or "" when the URL does not say. It only names the reason; the
// content decides.
func pageKind(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	q := u.Query()
	path := strings.ToLower(strings.Trim(u.Path, "/"))
	segs := strings.Split(path, "/")
	switch {
	case q.Has("s") || q.Has("q") || q.Has("query") || q.Has("search"):
		return "search page"
	}
	for _, s := range segs {
		switch s {
		case "search", "poisk", "axtar", "arama", "izdeu":
			return "search page"
		case "tag", "tags", "teg", "tegi", "etiket", "topic", "topics":
			return "tag page"
		case "author", "authors", "avtor", "yazar", "muellif", "writer":
			return "author page"
		case "category", "categories", "section", "rubric", "rubrika", "kategoriya", "kategori":
			return "category page"
		case "calendar", "archive", "archives", "arxiv", "arhiv":
			return "archive page"
		}
	}
	if path == "" || len(segs) == 1 && isHomeSegment(segs[0]) {
		return "home page"
	}
	if n := len(segs); n >= 2 && segs[n-2] == "page" && strings.Trim(segs[n-1], "0123456789") == "" {
		return "listing page"
	}
	return ""
}

// isHomeSegment reports whether a one-segment path is a site's home: a
// language code ("ru", "en-us") or an index page.
func isHomeSegment(s string) bool {
	switch s {
	case "index.html", "index.htm", "index.php", "home", "main":
		return true
	}
	if len(s) == 2 || len(s) == 5 && (s[2] == '-' || s[2] == '_') {
		return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz-_") == ""
	}
	return false
}
