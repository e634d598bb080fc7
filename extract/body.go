package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits that keep a hostile page from costing more than a large real one.
const (
	maxWalkDepth    = 480     // below the parser's own 512 open elements
	maxTextBytes    = 1 << 20 // body text kept
	maxParagraphs   = 20000
	maxCandidates   = 20000 // scored containers
	minParagraph    = 25    // characters of text for a block to count as a paragraph
	maxSiblingScan  = 2000
	maxBodyElements = 60000 // elements the body extractor looks at
)

// nodeInfo is what the body extractor knows about one element.
type nodeInfo struct {
	removed bool
	// Counted over descendants that are not removed.
	textLen, linkLen int
	inlineLen        int // text reachable without crossing a block element
	inlineLinkLen    int
	commas           int // in the inline text
	paragraphs       int32
	listItems        int32
	images           int32
	inputs           int32
	headlineLinks    int32 // links whose text reads like a headline
	headings         int32 // h2-h6 elements
	linkedHeadings   int32 // h2-h6 elements whose text is mostly a link: teasers
	hasBlock         bool  // a block element below, not removed
	score            float64
	scored           bool
}

// bodyExtractor holds the state of one body extraction.
type bodyExtractor struct {
	info      map[*html.Node]*nodeInfo
	title     string
	author    string
	candidate []*html.Node
	bodyText  int // text length of the whole body after the first pass
	visited   int // elements measured in the current pass
}

func newBodyExtractor(title, author string, elements int) *bodyExtractor {
	return &bodyExtractor{info: make(map[*html.Node]*nodeInfo, min(elements+16, maxBodyElements)), title: title, author: author}
}

// measureAll measures the tree under n afresh.
func (b *bodyExtractor) measureAll(n *html.Node) {
	b.visited = 0
	b.measure(n, 0)
}

func (b *bodyExtractor) get(n *html.Node) *nodeInfo {
	in := b.info[n]
	if in == nil {
		in = &nodeInfo{}
		b.info[n] = in
	}
	return in
}

func (b *bodyExtractor) isRemoved(n *html.Node) bool {
	in := b.info[n]
	return in != nil && in.removed
}

// dropTags never hold article text.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Button: true, atom.Input: true, atom.Select: true,
	atom.Textarea: true, atom.Option: true, atom.Nav: true, atom.Aside: true,
	atom.Footer: true, atom.Dialog: true, atom.Menu: true, atom.Map: true, atom.Audio: true,
	atom.Video: true, atom.Link: true, atom.Meta: true, atom.Head: true, atom.Title: true,
	atom.Figcaption: true, atom.Label: true, atom.Fieldset: true, atom.Frameset: true,
	atom.Frame: true, atom.Picture: true, atom.Source: true, atom.Track: true,
}

// inlineTags are elements that do not break a paragraph.
var inlineTags = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true,
	atom.Cite: true, atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true,
	atom.Font: true, atom.I: true, atom.Kbd: true, atom.Mark: true, atom.Q: true,
	atom.S: true, atom.Samp: true, atom.Small: true, atom.Span: true, atom.Strong: true,
	atom.Sub: true, atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Wbr: true, atom.Big: true, atom.Strike: true, atom.Tt: true, atom.Ins: true,
	atom.Del: true, atom.Img: true, atom.Nobr: true, atom.Acronym: true, atom.Ruby: true,
	atom.Rt: true, atom.Rp: true, atom.Br: true, atom.Output: true,
}

// inline reports whether n runs on in the paragraph around it: an inline
// element (or a custom one) with no block element inside.
func (b *bodyExtractor) inline(n *html.Node) bool {
	in := b.info[n]
	if in != nil && in.hasBlock {
		return false
	}
	if n.DataAtom == 0 {
		return in != nil
	}
	return inlineTags[n.DataAtom]
}

func isInline(n *html.Node) bool {
	if n.DataAtom == 0 {
		// Custom elements (<amp-img>, <my-span>) are treated as inline
		// only when they hold no block element, which the caller checks.
		return false
	}
	return inlineTags[n.DataAtom]
}

// negativeWords in a class or id mark boilerplate; matched as substrings of
// the lowercased class and id.
var negativeWords = []string{
	"sidebar", "related", "comment", "newsletter", "subscribe", "subscription", "cookie",
	"breadcrumb", "disqus", "outbrain", "taboola", "sharing", "share-", "-share", "social",
	"recommend", "trending", "promo", "sponsor", "advert", "popup", "banner", "widget",
	"footer", "masthead", "navbar", "navigation", "menu", "pagination", "pager", "byline",
	"caption", "most-read", "mostread", "most-popular", "mostpopular", "read-more", "readmore",
	"also-read", "more-stories", "signup", "sign-up", "gdpr", "consent", "modal", "skip-link",
	"screen-reader", "sr-only", "visually-hidden", "visuallyhidden", "print-only", "dateline",
	"author-bio", "authorbio", "post-tags", "tag-list", "taglist", "article-tags", "toolbar",
	"shoutbox", "skyscraper", "login", "supplemental",
	"disclaimer", "copyright", "credit",
}

// negativeParts are negative only as a whole hyphen- or underscore-separated
// part of a class or id ("ad", not "head").
var negativeParts = map[string]bool{
	"ad": true, "ads": true, "nav": true, "tag": true, "tags": true, "share": true,
	"meta": true, "hidden": true, "hide": true, "author": true, "print": true,
	"header": true, "bio": true, "date": true, "time": true, "aside": true, "extra": true,
	"more": true, "links": true, "follow": true, "newsletter": true, "subscribe": true,
	"overlay": true, "tools": true, "actions": true, "cta": true, "rss": true,
}

// positiveWords in a class or id mark the article.
var positiveWords = []string{
	"article", "content", "entry", "main", "post", "story", "text", "body", "prose",
	"blog", "hentry", "news-item", "news_item", "single", "detail", "lead",
}

// classOf returns the lowercased class and id of n, or "".
func classOf(n *html.Node) string {
	var s string
	for _, a := range n.Attr {
		if a.Key == "class" || a.Key == "id" {
			v := a.Val
			if len(v) > 256 {
				v = v[:256]
			}
			if s == "" {
				s = v
			} else {
				s += " " + v
			}
		}
	}
	return strings.ToLower(s)
}

func hasNegative(cls string) bool {
	if cls == "" {
		return false
	}
	for _, w := range negativeWords {
		if strings.Contains(cls, w) {
			return true
		}
	}
	for _, part := range strings.FieldsFunc(cls, func(r rune) bool {
		return r == ' ' || r == '-' || r == '_' || r == '\t' || r == '\n'
	}) {
		if negativeParts[part] {
			return true
		}
	}
	return false
}

func hasPositive(cls string) bool {
	if cls == "" {
		return false
	}
	for _, w := range positiveWords {
		if strings.Contains(cls, w) {
			return true
		}
	}
	return false
}

// classWeight is readability's weight: +25 for a positive class or id, -25
// for a negative one.
func classWeight(cls string) float64 {
	w := 0.0
	if hasNegative(cls) {
		w -= 25
	}
	if hasPositive(cls) {
		w += 25
	}
	return w
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// isHidden reports whether n is hidden from readers by its attributes.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			if len(a.Val) < 2048 {
				s := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
				if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
					return true
				}
			}
		case "role":
			switch a.Val {
			case "navigation", "complementary", "menu", "menubar", "dialog", "alertdialog", "search", "contentinfo", "banner", "tablist":
				return true
			}
		case "type":
			if n.DataAtom == atom.Input || a.Val == "hidden" {
				return true
			}
		}
	}
	return false
}

// countText returns the number of letters and digits in s plus its word
// breaks: close to the length of s with whitespace collapsed, and cheap.
func countText(s string) (n, commas int) {
	space := true
	for _, r := range s {
		switch {
		case r == ',' || r == '，' || r == '、' || r == '،':
			commas++
			n++
			space = false
		case unicode.IsSpace(r) || r == 0xa0 || r == 0x200b:
			if !space {
				n++
			}
			space = true
		default:
			n++
			space = false
		}
	}
	return n, commas
}

// measure computes text statistics bottom-up over the subtree of n,
// skipping removed elements. It returns the node's info (nil for text).
func (b *bodyExtractor) measure(n *html.Node, depth int) *nodeInfo {
	in := b.get(n)
	*in = nodeInfo{removed: in.removed}
	if in.removed || depth > maxWalkDepth {
		return in
	}
	// Elements past the budget are left out, as if removed: no real
	// article page comes near it.
	if b.visited++; b.visited > maxBodyElements {
		in.removed = true
		return in
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			l, commas := countText(c.Data)
			in.textLen += l
			in.inlineLen += l
			in.commas += commas
		case html.ElementNode:
			if dropTags[c.DataAtom] {
				continue
			}
			ci := b.measure(c, depth+1)
			if ci.removed {
				continue
			}
			in.textLen += ci.textLen
			in.linkLen += ci.linkLen
			in.paragraphs += ci.paragraphs
			in.listItems += ci.listItems
			in.images += ci.images
			in.inputs += ci.inputs
			in.headlineLinks += ci.headlineLinks
			in.headings += ci.headings
			in.linkedHeadings += ci.linkedHeadings
			inline := b.inline(c)
			if !inline || ci.hasBlock {
				in.hasBlock = true
			}
			if c.DataAtom == atom.A {
				in.linkLen += ci.textLen - ci.linkLen
				if ci.textLen >= 25 && strings.Count(textOf(c, 300), " ") >= 3 {
					in.headlineLinks++
				}
				in.inlineLinkLen += ci.textLen
			} else if inline {
				in.inlineLinkLen += ci.inlineLinkLen
			}
			if inline {
				in.inlineLen += ci.inlineLen
				in.commas += ci.commas
			}
			switch c.DataAtom {
			case atom.P:
				if ci.textLen >= minParagraph {
					in.paragraphs++
				}
			case atom.Li:
				in.listItems++
			case atom.Img:
				in.images++
			case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				in.headings++
				if ci.textLen > 0 && ci.linkLen*2 >= ci.textLen {
					in.linkedHeadings++
				}
			}
		}
	}
	if n.DataAtom == atom.Input || n.DataAtom == atom.Select || n.DataAtom == atom.Textarea {
		in.inputs++
	}
	return in
}

// markRemoved marks boilerplate elements top-down: hidden ones, and those
// whose class or id says boilerplate, unless they hold most of the page's
// text (a wrapper with a "has-sidebar" class is not a sidebar).
func (b *bodyExtractor) markRemoved(n *html.Node, depth int, aggressive bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		ci := b.get(c)
		if ci.removed {
			continue
		}
		if depth > maxWalkDepth || dropTags[c.DataAtom] || isHidden(c) {
			ci.removed = true
			continue
		}
		if aggressive && c.DataAtom != atom.Body && c.DataAtom != atom.Main {
			cls := classOf(c)
			neg := hasNegative(cls)
			if neg || c.DataAtom == atom.Header {
				small := ci.textLen*10 < b.bodyText*6
				if c.DataAtom == atom.Header && ci.paragraphs == 0 {
					neg = true
				}
				if neg && small && (!hasPositive(cls) || strongNegative(cls) || ci.linkLen*2 > ci.textLen) {
					ci.removed = true
					continue
				}
			}
		}
		b.markRemoved(c, depth+1, aggressive)
	}
}

// strongNegative reports class names that mark boilerplate even next to a
// positive word ("post-sidebar", "article-related", "entry-meta").
func strongNegative(cls string) bool {
	for _, w := range []string{"sidebar", "related", "comment", "share", "social", "newsletter", "subscribe", "meta", "byline", "caption", "tags", "author", "footer", "recommend", "promo", "advert", "cookie", "nav", "breadcrumb", "widget", "read-more", "readmore", "most-"} {
		if strings.Contains(cls, w) {
			return true
		}
	}
	return false
}

// tagWeight is readability's initial score of a container by its tag.
func tagWeight(n *html.Node) float64 {
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main, atom.Section:
		return 5
	case atom.Pre, atom.Td, atom.Blockquote:
		return 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		return -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		return -5
	}
	return 0
}

// scoreParagraphs gives every paragraph-like block a score and adds it to
// its ancestors, as readability does: the parent gets all of it, the
// grandparent half, higher ancestors a third per level.
func (b *bodyExtractor) scoreParagraphs(n *html.Node, depth int, path []*html.Node) {
	if depth > maxWalkDepth {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || dropTags[c.DataAtom] {
			continue
		}
		ci := b.info[c]
		if ci == nil || ci.removed {
			continue
		}
		if !b.inline(c) && ci.inlineLen >= minParagraph && c.DataAtom != atom.H1 {
			linkShare := float64(ci.inlineLinkLen) / float64(ci.inlineLen)
			if linkShare > 1 {
				linkShare = 1
			}
			score := 1 + float64(ci.commas) + float64(min(ci.inlineLen/100, 3))
			score *= 1 - linkShare
			if score > 0 {
				anc := append(path, n)
				// c itself is the paragraph and its parent is level 0; a
				// container with text of its own is its own level 0, as if
				// that text were wrapped in a <p>.
				switch c.DataAtom {
				case atom.P, atom.Pre, atom.Td, atom.Th, atom.Li, atom.Dd, atom.Dt, atom.Blockquote,
					atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Figure, atom.Address:
				default:
					anc = append(anc[:len(anc):len(anc)], c)
				}
				for level := 0; level < 5 && level < len(anc); level++ {
					a := anc[len(anc)-1-level]
					if a.Type != html.ElementNode || a.DataAtom == atom.Html {
						break
					}
					ai := b.info[a]
					if ai == nil {
						break
					}
					if !ai.scored {
						if len(b.candidate) >= maxCandidates {
							break
						}
						ai.scored = true
						ai.score = tagWeight(a) + classWeight(classOf(a))
						b.candidate = append(b.candidate, a)
					}
					div := 1.0
					switch {
					case level == 1:
						div = 2
					case level > 1:
						div = float64(level * 3)
					}
					ai.score += score / div
				}
			}
		}
		if ci.hasBlock {
			b.scoreParagraphs(c, depth+1, append(path, n))
		}
	}
}

func (b *bodyExtractor) linkDensity(n *html.Node) float64 {
	in := b.info[n]
	if in == nil || in.textLen == 0 {
		return 0
	}
	d := float64(in.linkLen) / float64(in.textLen)
	if d > 1 {
		d = 1
	}
	return d
}

// chooseContent picks the elements that hold the article: the best
// scored container, moved up when its parent holds more of the article,
// and its siblings that look like more of the same.
func (b *bodyExtractor) chooseContent(body *html.Node) []*html.Node {
	var top *html.Node
	var topScore float64
	for _, c := range b.candidate {
		ci := b.info[c]
		ci.score *= 1 - b.linkDensity(c)
		if top == nil || ci.score > topScore {
			top, topScore = c, ci.score
		}
	}
	if top == nil {
		return nil
	}
	// Several strong candidates under one ancestor: the article is split
	// into blocks (between ads, say) and the ancestor holds them all.
	var alternatives []*html.Node
	for _, c := range b.candidate {
		if c != top && b.info[c].score >= topScore*0.75 {
			alternatives = append(alternatives, c)
			if len(alternatives) > 20 {
				break
			}
		}
	}
	if len(alternatives) >= 2 {
		for p := top.Parent; p != nil && p != body && b.info[p] != nil && top != body && p.Type == html.ElementNode; p = p.Parent {
			contained := 0
			for _, a := range alternatives {
				if isAncestor(p, a) {
					contained++
				}
			}
			if contained >= 2 {
				top = p
				break
			}
		}
	}
	// Walk up while the parent scores about as well: the article's text
	// is spread over its children.
	lastScore := b.get(top).score
	threshold := lastScore / 3
	for p := top.Parent; p != nil && p != body && top != body && b.info[p] != nil && p.Type == html.ElementNode; p = p.Parent {
		pi := b.info[p]
		if pi == nil || !pi.scored {
			continue
		}
		if pi.score < threshold {
			break
		}
		if pi.score > lastScore {
			top = p
			break
		}
		lastScore = pi.score
	}
	for top != body && top.Parent != nil && top.Parent != body && b.info[top.Parent] != nil && top.Parent.Type == html.ElementNode && onlyElementChild(top.Parent) == top {
		top = top.Parent
	}
	// Siblings that hold more of the article.
	ti := b.get(top)
	parent := top.Parent
	if parent == nil || top == body {
		return []*html.Node{top}
	}
	threshold = max(10, ti.score*0.2)
	topClass := attr(top, "class")
	var out []*html.Node
	scanned := 0
	for s := parent.FirstChild; s != nil && scanned < maxSiblingScan; s = s.NextSibling {
		scanned++
		if s == top {
			out = append(out, s)
			continue
		}
		if s.Type != html.ElementNode || b.isRemoved(s) || dropTags[s.DataAtom] {
			continue
		}
		si := b.info[s]
		if si == nil {
			continue
		}
		bonus := 0.0
		if topClass != "" && attr(s, "class") == topClass {
			bonus = ti.score * 0.2
		}
		if si.scored && si.score+bonus >= threshold && si.textLen >= 100 {
			out = append(out, s)
			continue
		}
		if si.paragraphs >= 3 && si.textLen >= 400 && b.linkDensity(s) < 0.15 {
			// More of the article, nested too deep for the scores to
			// reach: a section between two blocks of the same story.
			out = append(out, s)
			continue
		}
		if s.DataAtom == atom.P || b.inline(s) {
			ld := b.linkDensity(s)
			if si.textLen > 80 && ld < 0.25 {
				out = append(out, s)
			} else if si.textLen > 0 && si.textLen <= 80 && ld == 0 {
				t := strings.TrimSpace(textOf(s, 200))
				if strings.HasSuffix(t, ".") || strings.Contains(t, ". ") {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func isAncestor(a, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

func onlyElementChild(n *html.Node) *html.Node {
	var only *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.ElementNode:
			if only != nil {
				return nil
			}
			only = c
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return nil
			}
		}
	}
	return only
}

// cleanConditionally marks blocks inside the chosen content that look
// like boilerplate by their shape: link lists, image galleries, forms.
func (b *bodyExtractor) cleanConditionally(n *html.Node, depth int) {
	if depth > maxWalkDepth {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		ci := b.info[c]
		if ci == nil || ci.removed {
			continue
		}
		switch c.DataAtom {
		case atom.Table, atom.Ul, atom.Ol, atom.Div, atom.Section, atom.Form, atom.Dl, atom.Header, atom.Article:
			if b.looksLikeBoilerplate(c, ci) {
				ci.removed = true
				continue
			}
		case atom.H1:
			ci.removed = true
			continue
		}
		b.cleanConditionally(c, depth+1)
	}
}

func (b *bodyExtractor) looksLikeBoilerplate(n *html.Node, in *nodeInfo) bool {
	weight := classWeight(classOf(n))
	if weight < 0 && in.textLen < 2000 {
		return true
	}
	if in.commas >= 10 {
		return false
	}
	ld := b.linkDensity(n)
	p := int(in.paragraphs)
	isList := n.DataAtom == atom.Ul || n.DataAtom == atom.Ol
	switch {
	case in.textLen == 0:
		return true
	case in.images > 1 && float64(p)/float64(in.images) < 0.5 && in.textLen < 200:
		return true
	case !isList && int(in.listItems) > p+10 && ld > 0.3:
		return true
	case in.inputs > 0 && int(in.inputs) > p/3:
		return true
	case in.textLen < minParagraph && in.images == 0 && !isList:
		// Short bits are kept when they read like a sentence.
		return ld > 0.5
	case weight < 25 && ld > 0.5:
		return true
	case weight >= 25 && ld > 0.7:
		return true
	case isList && in.headlineLinks >= 3 && ld > 0.5:
		return true
	}
	return false
}

// textCollector turns a subtree into paragraphs: blocks start new ones,
// inline elements run together with the spaces the source had, whitespace
// is collapsed, zero-width characters are dropped.
type textCollector struct {
	b          *bodyExtractor
	paragraphs []string
	cur        strings.Builder
	size       int
	listDepth  int
	pre        int
	inLink     int
	linkBytes  int // bytes of cur written inside links
}

func (t *textCollector) flush() {
	if t.cur.Len() == 0 {
		return
	}
	raw := t.cur.String()
	linkBytes := t.linkBytes
	t.cur.Reset()
	t.linkBytes = 0
	if trimmed := strings.TrimSpace(raw); len(trimmed) < 250 && linkBytes*10 >= len(trimmed)*9 && linkBytes > 0 {
		// A paragraph that is one link is a cross-link to another story.
		return
	}
	var para []string
	emit := func() {
		if len(para) > 0 && len(t.paragraphs) < maxParagraphs {
			p := strings.Join(para, "\n")
			t.paragraphs = append(t.paragraphs, p)
			t.size += len(p)
		}
		para = para[:0]
	}
	for _, line := range strings.Split(raw, "\n") {
		if t.pre == 0 {
			line = strings.TrimSpace(line)
		} else {
			line = strings.TrimRight(line, " \t\r")
		}
		if line == "" {
			emit()
			continue
		}
		para = append(para, line)
	}
	emit()
}

// write appends text, collapsing whitespace outside <pre>.
func (t *textCollector) write(s string) {
	if t.size+t.cur.Len() > maxTextBytes {
		return
	}
	if t.inLink > 0 {
		before := t.cur.Len()
		defer func() { t.linkBytes += t.cur.Len() - before }()
	}
	if t.pre > 0 {
		t.cur.WriteString(cleanInvisible(s))
		return
	}
	lastSpace := t.cur.Len() == 0 || endsWithSpace(&t.cur)
	for _, r := range s {
		switch {
		case r == 0xad || r == 0x200b || r == 0x200d || r == 0xfeff || r == 0x2060 || r == utf8.RuneError:
			continue
		case unicode.IsSpace(r) || r == 0xa0 || (r >= 0x2000 && r <= 0x200a) || r == 0x202f || r == 0x205f || r == 0x3000:
			if !lastSpace {
				t.cur.WriteByte(' ')
				lastSpace = true
			}
		default:
			t.cur.WriteRune(r)
			lastSpace = false
		}
	}
}

func endsWithSpace(b *strings.Builder) bool {
	s := b.String()
	return len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\n')
}

func cleanInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 0xad, 0x200b, 0x200d, 0xfeff, 0x2060, utf8.RuneError:
			return -1
		case 0xa0:
			return ' '
		}
		return r
	}, s)
}

// collect walks n and appends its text.
func (t *textCollector) collect(n *html.Node, depth int) {
	if depth > maxWalkDepth || t.size > maxTextBytes {
		return
	}
	switch n.Type {
	case html.TextNode:
		t.write(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t.collect(c, depth+1)
		}
		return
	}
	if dropTags[n.DataAtom] || t.b.isRemoved(n) {
		return
	}
	if n.DataAtom == atom.Br {
		t.cur.WriteByte('\n')
		return
	}
	if n.DataAtom == atom.Img || n.DataAtom == atom.Hr {
		if n.DataAtom == atom.Hr {
			t.flush()
		}
		return
	}
	if t.b.inline(n) {
		if n.DataAtom == atom.A {
			t.inLink++
			defer func() { t.inLink-- }()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t.collect(c, depth+1)
		}
		return
	}
	t.flush()
	switch n.DataAtom {
	case atom.Li:
		t.cur.WriteString("- ")
	case atom.Pre:
		t.pre++
		defer func() { t.pre-- }()
	case atom.Ul, atom.Ol:
		t.listDepth++
		defer func() { t.listDepth-- }()
	case atom.Td, atom.Th:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t.collect(c, depth+1)
		}
		t.write(" ")
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.collect(c, depth+1)
	}
	t.flush()
}

// textOf returns the collapsed text of n, at most limit bytes, without
// looking at removal marks: for short things like titles and bylines.
func textOf(n *html.Node, limit int) string {
	var sb strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxWalkDepth || sb.Len() >= limit {
			return
		}
		switch n.Type {
		case html.TextNode:
			sb.WriteString(n.Data)
			return
		case html.ElementNode:
			if dropTags[n.DataAtom] && n.DataAtom != atom.Title && n.DataAtom != atom.Figcaption && n.DataAtom != atom.Label {
				return
			}
			if n.DataAtom == atom.Br || !isInline(n) {
				sb.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
		if n.Type == html.ElementNode && !isInline(n) {
			sb.WriteByte(' ')
		}
	}
	walk(n, 0)
	s := sb.String()
	if len(s) > limit {
		s = s[:limit]
	}
	return collapseSpace(s)
}

// collapseSpace trims s and collapses its whitespace runs to one space,
// dropping zero-width characters and soft hyphens.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case r == 0xad || r == 0x200b || r == 0x200d || r == 0xfeff || r == 0x2060 || r == utf8.RuneError:
			continue
		case unicode.IsSpace(r) || r == 0xa0 || (r >= 0x2000 && r <= 0x200a) || r == 0x202f || r == 0x205f || r == 0x3000:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		default:
			b.WriteRune(r)
			space = false
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// boilerplatePrefixes start lines that are not part of the article when the
// line is short: cross-links, share and newsletter prompts, photo credits.
var boilerplatePrefixes = []string{
	"read also", "read more", "also read", "see also", "related:", "related articles",
	"related stories", "read next", "recommended", "more:", "more on this", "click here",
	"subscribe", "sign up", "follow us", "share this", "share on", "share:", "photo:",
	"photo credit", "photo by", "photos:", "image:", "image credit", "picture:", "source: getty",
	"(photo", "фото:", "фото ", "читайте также", "читайте еще", "подробнее", "подписывайтесь",
	"подпишитесь", "оқи отырыңыз", "сондай-ақ оқыңыз", "foto:", "oxu:", "həmçinin oxu",
	"ayrıca oku", "ilginizi çekebilir", "advertisement", "sponsored", "getty images",
	"all rights reserved", "copyright ©", "© copyright", "join our", "download our app",
	"listen to this article", "print this", "email this", "loading...", "we use cookies",
	"this site uses cookies", "this website uses cookies", "by continuing to use",
	"you may also like", "you might also like", "this slideshow requires javascript",
	"leggi anche", "lesen sie auch", "lire aussi", "à lire aussi", "lea también", "leia também",
	"veja também", "siehe auch", "mehr zum thema", "tell us what you think",
	"related", "[related", "see more", "don't miss", "don’t miss", "popular on", "also:",
	"©", "write to ", "reporting by", "(reporting by", "additional reporting", "contributing:",
	"filed under", "more great ", "like this story", "listen to this", "more from ",
}

// boilerplateLines are whole short lines that are page furniture.
var boilerplateLines = map[string]bool{
	"advert": true, "advertisement": true, "ad": true, "comments": true, "comment": true,
	"share": true, "tweet": true, "print": true, "email": true, "reklam": true, "реклама": true,
	"share this article": true, "share this story": true, "close": true, "menu": true,
	"by": true, "text size": true, "iklan": true, "anzeige": true, "publicité": true,
}

// isBoilerplateLine reports whether a short paragraph is a cross-link,
// share or newsletter prompt, photo credit or repeated byline.
func (b *bodyExtractor) isBoilerplateLine(p string) bool {
	low := strings.ToLower(strings.TrimLeft(p, "-–—•*>» \t"))
	if len(p) < 1000 {
		for _, pre := range []string{"tags:", "tags |", "tagged:", "tagged with", "keywords:", "etiquetas:", "теги:", "тэги:", "ключевые слова:", "etiketlər:", "etiketler:", "anahtar kelimeler:", "açar sözlər:"} {
			if strings.HasPrefix(low, pre) {
				return true
			}
		}
	}
	if len(p) > 220 {
		return false
	}
	if boilerplateLines[strings.TrimRight(low, ".:!… ")] {
		return true
	}
	if strings.HasPrefix(low, "[") && strings.Contains(low, "[/") {
		return true // an unexpanded shortcode
	}
	if len(p) < 200 && (strings.Contains(low, "contributed to this report") || strings.Contains(low, "contributed reporting")) {
		return true
	}
	if strings.HasPrefix(low, "follow ") && (strings.Contains(low, "twitter") || strings.Contains(low, "facebook") || strings.Contains(low, "instagram") || strings.Contains(low, " on x") || strings.Contains(low, "telegram") || strings.Contains(low, "@")) {
		return true
	}
	if !strings.Contains(strings.TrimSpace(p), " ") && (strings.Contains(p, "@") || strings.Contains(p, ".com/")) {
		return true // an address alone
	}
	for _, pre := range boilerplatePrefixes {
		if strings.HasPrefix(low, pre) {
			return true
		}
	}
	for _, w := range []string{"newsletter", "telegram channel", "telegram kanal", "abunə olun", "подписывайтесь", "подпишитесь на", "takip edin"} {
		if strings.Contains(low, w) && len(p) < 160 {
			return true
		}
	}

	if b.title != "" && strings.EqualFold(strings.TrimSpace(p), b.title) {
		return true
	}
	if b.author != "" && len(p) < 120 {
		a := strings.ToLower(b.author)
		if low == a || strings.HasPrefix(low, "by "+a) || strings.HasPrefix(low, "by: "+a) || strings.HasPrefix(low, a+" |") {
			return true
		}
	}
	return false
}

// text collects the paragraphs of the chosen nodes, without boilerplate
// lines.
func (b *bodyExtractor) text(nodes []*html.Node) string {
	t := &textCollector{b: b}
	for _, n := range nodes {
		t.collect(n, 0)
		t.flush()
	}
	out := t.paragraphs[:0]
	last := len(t.paragraphs) - 1
	for i, p := range t.paragraphs {
		if b.isBoilerplateLine(p) || (i < 3 || i > last-3) && isFurniture(p) {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "\n\n")
}

// letterWords counts the words of s that contain a letter.
func letterWords(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		if strings.ContainsFunc(w, unicode.IsLetter) {
			n++
		}
	}
	return n
}

// isFurniture reports lines that sit at the top or bottom of an article
// and are not part of it: a date alone, a view counter.
func isFurniture(p string) bool {
	if len(p) < 40 && !strings.ContainsFunc(p, unicode.IsLetter) {
		return true
	}
	if len(p) < 80 && len(strings.Fields(p)) <= 7 {
		// A byline: "By Jane Roe", "Автор: Иван Петров".
		for _, pre := range []string{"By ", "BY ", "Автор:", "Автор ", "Müəllif:", "Yazar:"} {
			if strings.HasPrefix(p, pre) {
				return true
			}
		}
	}
	if len(p) < 80 && len(strings.Fields(p)) <= 10 {
		if _, ok := ParseDate(p, nil); ok && letterWords(p) <= 6 {
			return true
		}
	}
	return false
}
