package web

import (
	"html"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

// safeSnippet makes a snippet from the store safe to put in a page as it
// is. The store promises escaped text with <mark>…</mark> around matches;
// this does not rely on it: the marks are set aside, the rest is unescaped
// and escaped again (so any tag that slipped through becomes text), and
// only balanced marks come back.
func safeSnippet(s string) template.HTML {
	const open, close = "\x01", "\x02"
	s = strings.NewReplacer(open, "", close, "").Replace(s)
	s = strings.NewReplacer("<mark>", open, "</mark>", close).Replace(s)
	s = html.EscapeString(html.UnescapeString(s))
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch string(r) {
		case open:
			if depth == 0 {
				b.WriteString("<mark>")
			}
			depth++
		case close:
			if depth == 1 {
				b.WriteString("</mark>")
			}
			depth = max(depth-1, 0)
		default:
			b.WriteRune(r)
		}
	}
	if depth > 0 {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// topicClass returns the CSS class of a topic's colour: its place among
// the configured topics, so that no configured name ends up in markup
// outside escaped text.
func (s *Server) topicClass(topic string) string {
	for i, t := range s.opts.Topics {
		if t == topic {
			return "topic-" + strconv.Itoa(i%topicColours)
		}
	}
	return "topic-x"
}

// topicColours is how many topic colours the stylesheet defines.
const topicColours = 6

// paragraph is one paragraph of an article's text, as HTML.
type paragraph = template.HTML

// articleParagraphs renders an article's text as paragraphs (separated by
// blank lines in Text) with every mention in a <mark> that names its
// topic. Mentions are byte ranges of Text; ranges out of bounds, not on
// character boundaries, or overlapping an earlier one are left unmarked
// rather than trusted. Everything else is escaped.
func (s *Server) articleParagraphs(a *newsmon.Article) []paragraph {
	text := a.Text
	ms := make([]newsmon.Mention, 0, len(a.Mentions))
	for _, m := range a.Mentions {
		if m.Start >= 0 && m.End > m.Start && m.End <= len(text) && utf8.RuneStart(text[m.Start]) &&
			(m.End == len(text) || utf8.RuneStart(text[m.End])) {
			ms = append(ms, m)
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })

	var out []paragraph
	var b strings.Builder
	flush := func() {
		if p := strings.TrimSpace(b.String()); p != "" {
			out = append(out, paragraph(p))
		}
		b.Reset()
	}
	// writeText writes text[i:j], starting a new paragraph at each blank
	// line.
	writeText := func(i, j int) {
		for i < j {
			k := strings.Index(text[i:j], "\n\n")
			if k < 0 {
				b.WriteString(escapeLines(text[i:j]))
				return
			}
			b.WriteString(escapeLines(text[i : i+k]))
			flush()
			i += k + 2
		}
	}
	pos := 0
	for _, m := range ms {
		if m.Start < pos || strings.Contains(text[m.Start:m.End], "\n\n") {
			continue
		}
		writeText(pos, m.Start)
		topic := html.EscapeString(m.Topic)
		b.WriteString(`<mark class="mention ` + s.topicClass(m.Topic) + `" data-topic="` + topic +
			`" title="` + topic + `: ` + html.EscapeString(m.Term) + `">`)
		b.WriteString(escapeLines(text[m.Start:m.End]))
		b.WriteString(`<span class="tag">` + topic + `</span></mark>`)
		pos = m.End
	}
	writeText(pos, len(text))
	flush()
	return out
}

// escapeLines escapes text and keeps its single line breaks.
func escapeLines(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\n")
}
