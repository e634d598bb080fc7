package testsite

import (
	"embed"
	"fmt"
	"strings"
	"time"
)

// The texts of the outlets: written for this package (names and facts from
// the real world), except seed-article.txt, the Astana Times op-ed the
// project started from.
//
//go:embed testdata/newsroom.txt testdata/ministry.txt testdata/agency.txt testdata/seed-article.txt
var contentFS embed.FS

func mustRead(name string) string {
	b, err := contentFS.ReadFile("testdata/" + name)
	if err != nil {
		panic(fmt.Sprintf("testsite: embedded %s: %v", name, err))
	}
	return string(b)
}

// entry is one record of a content file:
//
//	=== key
//	field: value
//	--
//	body, blocks separated by blank lines
type entry struct {
	key    string
	fields map[string]string
	body   string
}

func parseEntries(text string) []entry {
	var out []entry
	var cur *entry
	inBody := false
	var body strings.Builder
	flush := func() {
		if cur != nil {
			cur.body = body.String()
			out = append(out, *cur)
		}
		body.Reset()
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(line, "=== ") {
			flush()
			cur = &entry{key: strings.TrimSpace(line[4:]), fields: map[string]string{}}
			inBody = false
			continue
		}
		if cur == nil {
			continue
		}
		if !inBody {
			if strings.TrimSpace(line) == "--" {
				inBody = true
				continue
			}
			if k, v, ok := strings.Cut(line, ":"); ok {
				cur.fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	flush()
	return out
}

// block is one block of an article body.
type block struct {
	kind  byte // 'p' paragraph, 'h' subheading, 'l' list, 'q' blockquote
	text  string
	items []string
}

// parseBlocks reads a body: blank lines separate blocks; "## " starts a
// subheading, "- " list items, "> " a quotation.
func parseBlocks(body string) []block {
	var out []block
	for _, chunk := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		var lines []string
		for _, l := range strings.Split(chunk, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(lines[0], "## "):
			out = append(out, block{kind: 'h', text: strings.TrimPrefix(lines[0], "## ")})
		case strings.HasPrefix(lines[0], "- "):
			b := block{kind: 'l'}
			for _, l := range lines {
				b.items = append(b.items, strings.TrimPrefix(l, "- "))
			}
			out = append(out, b)
		case strings.HasPrefix(lines[0], "> "):
			for i := range lines {
				lines[i] = strings.TrimPrefix(lines[i], "> ")
			}
			out = append(out, block{kind: 'q', text: strings.Join(lines, " ")})
		default:
			out = append(out, block{kind: 'p', text: strings.Join(lines, " ")})
		}
	}
	return out
}

// location loads an IANA zone, falling back to a fixed offset so that the
// package works where no zone database is installed.
func location(name string, fallback int) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone(name, fallback)
}

var (
	almaty = location("Asia/Almaty", 5*3600)
	baku   = location("Asia/Baku", 4*3600)
)

// mustTime parses "2006-01-02 15:04" in loc.
func mustTime(s string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(fmt.Sprintf("testsite: bad date %q: %v", s, err))
	}
	return t
}

var ruMonthsGenitive = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}

// ruDate formats "14 марта 2024".
func ruDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), ruMonthsGenitive[t.Month()-1], t.Year())
}

func splitTopics(s string) []string {
	return sortedTopics(strings.Fields(s))
}
