package extract

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits on metadata, against hostile pages.
const (
	maxJSONLD       = 2 << 20 // bytes of one JSON-LD script
	maxJSONLDs      = 16      // scripts looked at
	maxJSONLDNodes  = 20000   // values walked in one script
	maxMetaValue    = 4 << 10 // bytes kept of one meta content
	maxScanElements = 200000  // elements the metadata scan looks at
	maxTitleLen     = 400
)

// pageScan is what one walk over the whole document finds for metadata.
type pageScan struct {
	htmlLang   string
	metas      map[string]string // lowercased name/property/itemprop → first content
	canonical  string
	relAuthors []string
	titleTag   string
	ldScripts  []string
	ldBytes    int
	h1s        []*html.Node
	times      []*html.Node        // <time> elements
	bylines    []*html.Node        // elements whose class, id, rel or itemprop says author
	bylinePos  []int               // the element index of each byline, in document order
	h1Pos      []int               // the element index of each h1
	authorMeta map[string][]string // every value of a repeated author meta key
	dateNodes  []*html.Node        // elements whose class or itemprop says date
	body       *html.Node
	elements   int
}

func scanPage(root *html.Node) *pageScan {
	s := &pageScan{metas: map[string]string{}}
	s.walk(root, 0)
	return s
}

func (s *pageScan) setMeta(key, val string) {
	key = strings.ToLower(strings.TrimSpace(key))
	val = strings.TrimSpace(val)
	if key == "" || val == "" {
		return
	}
	if len(val) > maxMetaValue {
		val = val[:maxMetaValue]
	}
	if _, ok := s.metas[key]; !ok {
		s.metas[key] = val
	}
	if authorMetaKeys[key] && len(s.authorMeta[key]) < maxAuthors {
		if s.authorMeta == nil {
			s.authorMeta = map[string][]string{}
		}
		s.authorMeta[key] = append(s.authorMeta[key], val)
	}
}

// authorMetaList names the meta keys that hold an author, in order of
// trust; a page with several authors may repeat them.
var authorMetaList = []string{"dc:creator", "dcterms:creator", "dc.creator", "author", "article:author", "parsely-author", "sailthru.author", "byl", "citation_author"}

var authorMetaKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range authorMetaList {
		m[k] = true
	}
	return m
}()

// maxAuthors bounds the names kept for one article.
const maxAuthors = 10

// metaAuthors returns every value of the first author meta key present,
// joined with "; ".
func (s *pageScan) metaAuthors() string {
	for _, k := range authorMetaList {
		if vs := s.authorMeta[k]; len(vs) > 0 {
			return strings.Join(vs, "; ")
		}
	}
	return ""
}

func (s *pageScan) walk(n *html.Node, depth int) {
	if depth > maxWalkDepth || s.elements > maxScanElements {
		return
	}
	if n.Type == html.ElementNode {
		s.elements++
		switch n.DataAtom {
		case atom.Html:
			if s.htmlLang == "" {
				s.htmlLang = attr(n, "lang")
				if s.htmlLang == "" {
					s.htmlLang = attr(n, "xml:lang")
				}
			}
		case atom.Body:
			if s.body == nil {
				s.body = n
			}
		case atom.Meta:
			content := attr(n, "content")
			if content == "" {
				content = attr(n, "value")
			}
			// A property attribute may hold several space-separated names.
			for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
				if v := attr(n, k); v != "" {
					for _, name := range strings.Fields(v) {
						s.setMeta(name, content)
					}
				}
			}
		case atom.Link:
			rel := strings.ToLower(attr(n, "rel"))
			for _, r := range strings.Fields(rel) {
				switch r {
				case "canonical":
					if s.canonical == "" {
						s.canonical = strings.TrimSpace(attr(n, "href"))
					}
				}
			}
		case atom.Title:
			if s.titleTag == "" && !inSVG(n) {
				s.titleTag = textOf(n, maxTitleLen*2)
			}
			return
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && len(s.ldScripts) < maxJSONLDs {
				if c := n.FirstChild; c != nil && c.Type == html.TextNode && len(c.Data) <= maxJSONLD && s.ldBytes+len(c.Data) <= 2*maxJSONLD {
					s.ldScripts = append(s.ldScripts, c.Data)
					s.ldBytes += len(c.Data)
				}
			}
			return
		case atom.Style, atom.Noscript, atom.Template:
			return
		case atom.H1:
			if len(s.h1s) < 20 {
				s.h1s = append(s.h1s, n)
				s.h1Pos = append(s.h1Pos, s.elements)
			}
		case atom.Time:
			if len(s.times) < 50 {
				s.times = append(s.times, n)
			}
		case atom.A:
			if strings.Contains(strings.ToLower(attr(n, "rel")), "author") && len(s.relAuthors) < 10 {
				s.relAuthors = append(s.relAuthors, textOf(n, 200))
			}
		}
		if n.DataAtom != atom.Html && n.DataAtom != atom.Body {
			cls := classOf(n)
			prop := strings.ToLower(attr(n, "itemprop"))
			if (strings.Contains(cls, "byline") || strings.Contains(cls, "author") || strings.Contains(prop, "author") || strings.Contains(cls, "writer")) && len(s.bylines) < 60 {
				s.bylines = append(s.bylines, n)
				s.bylinePos = append(s.bylinePos, s.elements)
			}
			if (strings.Contains(cls, "date") || strings.Contains(cls, "time") || strings.Contains(cls, "published") || strings.Contains(cls, "byline") || strings.Contains(cls, "meta") || strings.Contains(prop, "datepublished")) && len(s.dateNodes) < 40 {
				s.dateNodes = append(s.dateNodes, n)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		s.walk(c, depth+1)
	}
}

func inSVG(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Svg {
			return true
		}
	}
	return false
}

// meta returns the first non-empty value among the given meta keys.
func (s *pageScan) meta(keys ...string) string {
	for _, k := range keys {
		if v := s.metas[k]; v != "" {
			return v
		}
	}
	return ""
}

// linkedData is what the JSON-LD of a page says about its article.
type linkedData struct {
	isArticle     bool
	types         []string
	headline      string
	description   string
	articleBody   string
	datePublished string
	dateModified  string
	authors       []string
	publisher     string
	siteName      string
	image         string
	url           string
	inLanguage    string
}

// articleTypes are schema.org types of articles; any type ending in
// "Article" counts too.
var articleTypes = map[string]bool{
	"blogposting": true, "liveblogposting": true, "report": true, "socialmediaposting": true,
	"posting": true, "newsarticle": true, "article": true, "discussionforumposting": true,
}

func parseLinkedData(scripts []string) *linkedData {
	ld := &linkedData{}
	for _, src := range scripts {
		var v any
		src = strings.TrimSpace(src)
		src = strings.TrimPrefix(src, "<!--")
		src = strings.TrimSuffix(src, "-->")
		src = strings.TrimSuffix(strings.TrimSpace(src), ";")
		src = strings.TrimPrefix(strings.TrimPrefix(src, "//"), "<![CDATA[")
		src = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(src), "//]]>"), "]]>")
		if err := json.Unmarshal([]byte(src), &v); err != nil {
			// Raw newlines and tabs in strings are the usual fault.
			fixed := strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\t' {
					return ' '
				}
				return r
			}, src)
			if json.Unmarshal([]byte(fixed), &v) != nil {
				continue
			}
		}
		w := &ldWalker{ld: ld, ids: map[string]map[string]any{}}
		w.index(v, 0)
		w.walk(v, 0)
	}
	return ld
}

type ldWalker struct {
	ld    *linkedData
	ids   map[string]map[string]any
	nodes int
}

// index remembers objects by @id so that references resolve.
func (w *ldWalker) index(v any, depth int) {
	if depth > 20 || w.nodes > maxJSONLDNodes {
		return
	}
	w.nodes++
	switch t := v.(type) {
	case map[string]any:
		if id, ok := t["@id"].(string); ok && len(t) > 1 {
			w.ids[id] = t
		}
		for _, c := range t {
			w.index(c, depth+1)
		}
	case []any:
		for _, c := range t {
			w.index(c, depth+1)
		}
	}
}

func (w *ldWalker) resolve(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if id, ok := m["@id"].(string); ok {
			if r, ok := w.ids[id]; ok {
				return r
			}
		}
	}
	return v
}

func ldTypes(m map[string]any) []string {
	switch t := m["@type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func isArticleType(types []string) bool {
	for _, t := range types {
		t = strings.ToLower(t)
		if i := strings.LastIndexAny(t, "/:"); i >= 0 {
			t = t[i+1:]
		}
		if articleTypes[t] || strings.HasSuffix(t, "article") {
			return true
		}
	}
	return false
}

func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case []any:
		for _, x := range t {
			if s := ldString(x); s != "" {
				return s
			}
		}
	case map[string]any:
		if s, ok := t["@value"].(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// ldName returns the name of a person or organisation value.
func (w *ldWalker) ldNames(v any, depth int) []string {
	if depth > 4 {
		return nil
	}
	v = w.resolve(v)
	switch t := v.(type) {
	case string:
		if s := strings.TrimSpace(t); s != "" {
			return []string{s}
		}
	case map[string]any:
		if n := ldString(t["name"]); n != "" {
			return []string{n}
		}
		given, family := ldString(t["givenName"]), ldString(t["familyName"])
		if n := strings.TrimSpace(given + " " + family); n != "" {
			return []string{n}
		}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, w.ldNames(x, depth+1)...)
			if len(out) > 10 {
				break
			}
		}
		return out
	}
	return nil
}

func (w *ldWalker) ldImage(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	v = w.resolve(v)
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		if s := ldString(t["url"]); s != "" {
			return s
		}
		return ldString(t["contentUrl"])
	case []any:
		for _, x := range t {
			if s := w.ldImage(x, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

func (w *ldWalker) walk(v any, depth int) {
	if depth > 12 {
		return
	}
	switch t := v.(type) {
	case []any:
		for i, c := range t {
			if i > 200 {
				break
			}
			w.walk(c, depth+1)
		}
	case map[string]any:
		types := ldTypes(t)
		ld := w.ld
		if isArticleType(types) && (!ld.isArticle || ld.headline == "" && ld.articleBody == "") {
			ld.isArticle = true
			ld.types = types
			ld.headline = firstNonEmpty(ldString(t["headline"]), ldString(t["name"]))
			ld.description = ldString(t["description"])
			ld.articleBody = ldString(t["articleBody"])
			ld.datePublished = firstNonEmpty(ldString(t["datePublished"]), ldString(t["dateCreated"]))
			ld.dateModified = ldString(t["dateModified"])
			ld.authors = w.ldNames(t["author"], 0)
			if len(ld.authors) == 0 {
				ld.authors = w.ldNames(t["creator"], 0)
			}
			if p := w.ldNames(t["publisher"], 0); len(p) > 0 {
				ld.publisher = p[0]
			}
			ld.image = w.ldImage(t["image"], 0)
			if ld.image == "" {
				ld.image = w.ldImage(t["thumbnailUrl"], 0)
			}
			ld.url = ldString(t["url"])
			ld.inLanguage = ldString(t["inLanguage"])
		} else {
			for _, ty := range types {
				switch strings.ToLower(ty) {
				case "website":
					if ld.siteName == "" {
						ld.siteName = ldString(t["name"])
					}
				case "organization", "newsmediaorganization":
					if ld.publisher == "" {
						ld.publisher = ldString(t["name"])
					}
				}
			}
			if ld.inLanguage == "" {
				ld.inLanguage = ldString(t["inLanguage"])
			}
			if ld.datePublished == "" && !ld.isArticle {
				for _, ty := range types {
					if strings.EqualFold(ty, "WebPage") {
						ld.datePublished = ldString(t["datePublished"])
						ld.dateModified = ldString(t["dateModified"])
					}
				}
			}
		}
		for k, c := range t {
			switch k {
			case "@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement", "@context":
				if k != "@context" {
					w.walk(c, depth+1)
				}
			}
		}
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// titleSeparators split a <title> into the headline and the site name.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " / ", " « ", " » ", ": "}

// normTitle folds a title for comparison.
func normTitle(s string) string {
	s = strings.ToLower(collapseSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case '‘', '’', '`', '´':
			return '\''
		case '“', '”', '«', '»', '„':
			return '"'
		}
		return r
	}, s)
}

// splitTitleSuffix cuts a site name off a title: the part after the last
// separator when it is short, or the part before the first one when that is
// the site name.
func splitTitleSuffix(t, siteName string) string {
	site := normTitle(siteName)
	for _, sep := range titleSeparators[:len(titleSeparators)-1] {
		if i := strings.LastIndex(t, sep); i > 0 {
			head, tail := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+len(sep):])
			nt := normTitle(tail)
			if site != "" && (nt == site || strings.Contains(site, nt) || strings.Contains(nt, site)) {
				return head
			}
			if j := strings.Index(t, sep); j > 0 && site != "" && normTitle(t[:j]) == site {
				return strings.TrimSpace(t[j+len(sep):])
			}
			if len(strings.Fields(tail)) <= 4 && len(strings.Fields(head)) >= 3 {
				return head
			}
			// A bar rarely stands in a headline: what follows it is the
			// site, however long its name.
			if sep == " | " && len(strings.Fields(head)) >= 4 && strings.Count(t, sep) == 1 {
				return head
			}
		}
	}
	return t
}

// chooseTitle picks the article's headline among its candidates by their
// agreement.
func chooseTitle(s *pageScan, ld *linkedData, siteName string) string {
	og := s.meta("dc:title", "dcterms:title", "dc.title", "og:title", "twitter:title", "parsely-title", "sailthru.title", "headline")
	var h1 string
	for _, n := range s.h1s {
		if t := textOf(n, maxTitleLen); len(t) > 5 {
			h1 = t
			break
		}
	}
	titleTag := s.titleTag
	cands := []string{collapseSpace(ld.headline), collapseSpace(og), h1}
	// A candidate that the <title> starts with, or that another candidate
	// repeats, is the headline.
	for i, c := range cands {
		if c == "" {
			continue
		}
		nc := normTitle(c)
		for j, d := range cands {
			if j != i && d != "" && normTitle(d) == nc {
				return clip(c, maxTitleLen)
			}
		}
		if titleTag != "" {
			nt := normTitle(titleTag)
			if nt == nc || (strings.HasPrefix(nt, nc) && len(nc) >= 10) || (strings.HasSuffix(nt, nc) && len(nc) >= 10) {
				return clip(c, maxTitleLen)
			}
		}
	}
	for _, c := range cands[:2] {
		if c != "" {
			return clip(splitTitleSuffix(c, siteName), maxTitleLen)
		}
	}
	if titleTag != "" {
		t := splitTitleSuffix(titleTag, siteName)
		if h1 != "" && (strings.Contains(normTitle(titleTag), normTitle(h1)) || titleTagIsBare(t, h1, siteName)) {
			return clip(h1, maxTitleLen)
		}
		return clip(t, maxTitleLen)
	}
	return clip(h1, maxTitleLen)
}

// titleTagIsBare reports whether a page's <title> names only the site or
// section ("Akorda", "Ministry of Foreign Affairs") while its h1, a
// headline of some words that is not the site's name, says what the page
// is: statement pages of official sites often look like that.
func titleTagIsBare(title, h1, siteName string) bool {
	nt, nh := normTitle(title), normTitle(h1)
	if len(strings.Fields(nh)) < 3 || (siteName != "" && nh == normTitle(siteName)) {
		return false
	}
	if siteName != "" && nt == normTitle(siteName) {
		return true
	}
	if len(strings.Fields(nt)) <= 2 {
		for _, w := range strings.Fields(nt) {
			if len(w) > 3 && strings.Contains(nh, w) {
				return false
			}
		}
		return true
	}
	return false
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// authorJunk are words that mark a byline as not a person's name.
var authorJunk = []string{
	"staff reporter", "staff writer", "staff", "editorial board", "editorial team", "correspondent",
	"admin", "administrator", "reporter", "news desk", "newsdesk", "web desk", "redaksiya",
	"редакция", "редакциясы", "unknown", "anonymous", "guest",
}

// cleanAuthor turns a byline into names joined with ", ": no "By", no
// dates, no job titles after a separator, no e-mail addresses or URLs.
func cleanAuthor(s string) string {
	s = collapseSpace(s)
	if s == "" || len(s) > 300 {
		return ""
	}
	if strings.Contains(s, "://") || strings.HasPrefix(s, "www.") {
		return ""
	}
	low := strings.ToLower(s)
	for _, pre := range []string{"written by", "posted by", "published by", "story by", "words by", "text by", "report by", "by:", "by ", "par ", "von ", "por ", "автор:", "автор ", "author:", "yazar:", "müəllif:"} {
		if strings.HasPrefix(low, pre) {
			s = strings.TrimSpace(s[len(pre):])
			low = strings.ToLower(s)
			break
		}
	}
	switch low {
	case "by", "par", "von", "por", "автор", "author", "yazar", "müəllif":
		return ""
	}
	// Drop asides in parentheses: "(with ...)", "(AFP)".
	for i := 0; i < 5; i++ {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], ')')
		if end < 0 {
			s = s[:open]
			break
		}
		s = s[:open] + " " + s[open+end+1:]
	}
	s = collapseSpace(s)
	low = strings.ToLower(s)
	// Cut at a date, a separator or a role.
	cut := len(s)
	for _, sep := range []string{" | ", " on ", " - ", " — ", " – ", "\n", " published", " updated", " posted", " at ", " in ", "•", " · "} {
		if i := strings.Index(low, sep); i > 0 && i < cut {
			cut = i
		}
	}
	if i := strings.IndexFunc(s, unicode.IsDigit); i >= 0 && i < cut {
		cut = i
		// "Jane Roe March 11, 2015": the month goes with the date.
		head := strings.Fields(s[:i])
		if n := len(head); n > 1 {
			if _, ok := monthNames[foldDateWord(strings.TrimRight(head[n-1], ",."))]; ok {
				cut = strings.LastIndex(s[:i], head[n-1])
			}
		}
	}
	s = strings.TrimSpace(s[:cut])
	s = strings.Trim(s, ",;:|-–— ")
	if s == "" {
		return ""
	}
	var names []string
	for _, part := range splitNames(s) {
		part = strings.Trim(strings.TrimSpace(part), ",;:.|")
		lp := strings.ToLower(part)
		if part == "" || strings.Contains(part, "@") || len(strings.Fields(part)) > 5 {
			continue
		}
		junk := false
		for _, j := range authorJunk {
			if lp == j || strings.HasSuffix(lp, " "+j) && len(strings.Fields(lp)) <= 3 {
				junk = true
				break
			}
		}
		if junk {
			continue
		}
		dup := false
		for _, n := range names {
			if strings.EqualFold(n, part) {
				dup = true
			}
		}
		if !dup {
			names = append(names, part)
		}
	}
	return strings.Join(names, ", ")
}

// splitNames splits a byline into names at commas, semicolons, slashes
// and conjunctions; a conjunction that would leave a one- or two-letter
// part ("Mac & i") is part of a name.
func splitNames(s string) []string {
	sep := func(r rune) bool { return r == ',' || r == ';' || r == '/' }
	joined := s
	for _, c := range []string{" and ", " And ", " & ", " и ", " və ", " ve "} {
		joined = strings.ReplaceAll(joined, c, ", ")
	}
	parts := strings.FieldsFunc(joined, sep)
	for _, p := range parts {
		if utf8.RuneCountInString(strings.Trim(strings.TrimSpace(p), ".")) < 3 && len(strings.Fields(s)) > 1 && !strings.ContainsAny(p, ".") {
			return strings.FieldsFunc(s, sep)
		}
	}
	return parts
}

// chooseAuthor takes the authors from the most reliable place that names
// any: JSON-LD, author meta tags, rel=author links, then byline elements,
// the one nearest after the headline first.
func chooseAuthor(s *pageScan, ld *linkedData, siteName, title string) string {
	var cands []string
	if len(ld.authors) > 0 {
		var names []string
		for _, a := range ld.authors {
			if c := cleanAuthor(a); c != "" && !sameName(c, siteName) && !sameName(c, ld.publisher) {
				names = append(names, c)
			}
		}
		cands = append(cands, strings.Join(names, ", "))
	}
	metaAuthor := s.metaAuthors()
	cands = append(cands, metaAuthor)
	cands = append(cands, s.relAuthors...)
	for _, n := range s.bylineOrder(title) {
		cands = append(cands, textOf(n, 300))
	}
	for _, c := range cands {
		if strings.Contains(c, "://") || strings.HasPrefix(c, "@") {
			continue
		}
		a := cleanAuthor(c)
		if a != "" && !sameName(a, siteName) && !sameName(a, ld.publisher) && len(a) <= 200 {
			return a
		}
	}
	// A personal site or a magazine names itself as both site and
	// author; that is still what the page says.
	if a := cleanAuthor(metaAuthor); a != "" && len(a) <= 200 {
		return a
	}
	return ""
}

// bylineOrder returns the byline elements to try: the innermost ones
// first (a wrapper also holds the dateline, the date and the share
// buttons), and among them those that follow the headline closely before
// the others (sidebars list other stories' authors).
func (s *pageScan) bylineOrder(title string) []*html.Node {
	headline := -1
	nt := normTitle(title)
	for i, n := range s.h1s {
		h := normTitle(textOf(n, maxTitleLen))
		if len(h) > 5 && nt != "" && (strings.Contains(h, nt) || strings.Contains(nt, h)) {
			headline = s.h1Pos[i]
			break
		}
	}
	if headline < 0 {
		for i, n := range s.h1s {
			if !inPageChrome(n) && len(textOf(n, 50)) > 5 {
				headline = s.h1Pos[i]
				break
			}
		}
	}
	type cand struct {
		n     *html.Node
		inner bool
		near  bool
		pos   int
	}
	var cs []cand
	for i, n := range s.bylines {
		if n.DataAtom == atom.Meta || n.DataAtom == atom.Link {
			continue
		}
		pos := s.bylinePos[i]
		near := headline >= 0 && pos > headline && pos-headline <= nearHeadline
		cs = append(cs, cand{n: n, inner: !containsAny(n, s.bylines), near: near, pos: pos})
	}
	rank := func(c cand) int {
		r := 0
		if !c.inner {
			r += 2
		}
		if !c.near {
			r++
		}
		return r
	}
	sort.SliceStable(cs, func(i, j int) bool {
		ri, rj := rank(cs[i]), rank(cs[j])
		if ri != rj {
			return ri < rj
		}
		if cs[i].near && cs[j].near {
			return cs[i].pos < cs[j].pos
		}
		return false
	})
	out := make([]*html.Node, len(cs))
	for i, c := range cs {
		out[i] = c.n
	}
	return out
}

// nearHeadline is how many elements after the headline a byline counts as
// the article's own.
const nearHeadline = 40

func sameName(a, b string) bool {
	return a != "" && b != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// containsAny reports whether one of nodes lies below n.
func containsAny(n *html.Node, nodes []*html.Node) bool {
	for _, m := range nodes {
		if m != n && isAncestor(n, m) {
			return true
		}
	}
	return false
}
