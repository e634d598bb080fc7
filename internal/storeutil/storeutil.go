// Package storeutil holds what every store does the same way whatever its
// database, so that the stores (store/sqlite, store/postgres) share one
// copy without importing each other: the limits on an article and the
// split of a run of writes into group commits (article.go), the listing of
// embedded migrations (migrations.go), the set of alert rules a store
// applies (rules.go), search page limits and filter checks (search.go),
// and the HTML of snippets and excerpts (this file). Domain rules that are
// not about storing (the query language, agreement clustering, alert
// rules) live in the root package instead. It uses the standard library
// only.
package storeutil

import (
	"html"
	"strings"
	"unicode/utf8"
)

// The sentinels a store asks its engine (FTS5's snippet(), ts_headline)
// to put around matches and in place of cut text: control characters,
// which StripControl removes from the text itself, replaced by markup
// after the text is escaped.
const (
	MarkOpen  = '\x02'
	MarkClose = '\x03'
	Ellipsis  = '\x1e'
)

// SnippetHTML turns the sentinels in s into <mark> elements and
// ellipsis, and the text between them into HTML with text (which
// escapes it, unless the engine was given escaped text). Marks always
// balance, even when the stored text itself held sentinel characters.
func SnippetHTML(s, ellipsis string, text func(string) string) string {
	var b strings.Builder
	open := false
	start := 0
	flush := func(end int) {
		if end > start {
			b.WriteString(text(s[start:end]))
		}
	}
	// The sentinels are ASCII, so they never occur inside a multi-byte
	// UTF-8 sequence and s can be cut at them byte by byte.
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case MarkOpen:
			flush(i)
			if !open {
				b.WriteString("<mark>")
				open = true
			}
		case MarkClose:
			flush(i)
			if open {
				b.WriteString("</mark>")
				open = false
			}
		case Ellipsis:
			flush(i)
			b.WriteString(ellipsis)
		default:
			continue
		}
		start = i + 1
	}
	flush(len(s))
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// StripControl removes control characters but keeps line breaks as spaces.
func StripControl(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// ExcerptHTML escapes the start of an article, shown when there is no
// query to cut a snippet around; s is already cut to runes characters (by
// SQL), and when it is that long it ends at a space, if one is in its
// second half, and gets an ellipsis.
func ExcerptHTML(s string, runes int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) >= runes {
		if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
			s = s[:i]
		}
		s += "…"
	}
	return html.EscapeString(StripControl(s))
}
