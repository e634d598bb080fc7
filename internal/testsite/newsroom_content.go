package testsite

import (
	"fmt"
	"strings"
	"time"
)

// handwrittenNewsroom loads the newsroom's articles from
// testdata/newsroom.txt (and the seed op-ed) and adds the traps.
func handwrittenNewsroom() *nrContent {
	c := &nrContent{
		siteName:  "The Astana Times",
		feedItems: 10,
		updatedAt: mustTime("2025-07-02 16:40", almaty),
	}
	for i, e := range parseEntries(mustRead("newsroom.txt")) {
		f := e.fields
		a := &nrArticle{
			id:         100000 + i*37 + len(e.key)%7,
			slug:       e.key,
			title:      f["title"],
			author:     f["author"],
			category:   f["category"],
			published:  mustTime(f["date"], almaty),
			meta:       f["meta"],
			topics:     splitTopics(f["topics"]),
			photo:      f["photo"],
			comments:   f["comments"] == "yes",
			role:       f["role"],
			correction: f["correction"],
			pdf:        f["pdf"] == "yes",
			chainEnd:   f["chain"] == "yes",
		}
		if m := f["modified"]; m != "" {
			a.modified = mustTime(m, almaty)
		}
		body := e.body
		if f["body"] == "seed" {
			title, rest, _ := strings.Cut(mustRead("seed-article.txt"), "\n")
			if a.title == "" {
				a.title = strings.TrimSpace(title)
			}
			body = rest
		}
		a.blocks = parseBlocks(body)
		a.path = a.published.In(almaty).Format("/2006/01/") + a.slug + "/"
		if f["duplicate"] == "yes" {
			a.duplicate = a.published.In(almaty).Format("/2006/01/") + a.slug + "-2/"
		}
		a.excerpt = excerpt(a.blocks, 40)
		if a.title == "" || a.author == "" || a.category == "" || a.meta == "" {
			panic(fmt.Sprintf("testsite: newsroom article %q lacks a field", e.key))
		}
		c.articles = append(c.articles, a)
	}
	at := func(s string) time.Time { return mustTime(s, almaty) }
	c.traps = []nrTrap{
		{path: trap404, title: "Government Reshuffle: Who Is Who in the New Cabinet", date: at("2025-06-03 10:00"), feed: true, map_: true, listg: true},
		{path: trapChainA, title: "Dry Port Expansion at Khorgos: What Changes for Shippers", date: at("2025-06-05 12:30"), feed: true, map_: true, listg: true},
		{path: trapLoopA, title: "Editorial: Ten Years of The Astana Times Online", date: at("2025-06-07 09:15"), feed: true, map_: true},
		{path: trapHuge, title: "Full Transcript of the Foreign Investors Council Session", date: at("2025-06-08 18:00"), map_: true},
		{path: trapPDF, title: "Caspian Logistics Study (PDF)", date: at("2024-03-20 13:00"), map_: true},
		{path: trapPrivate, title: "Members Only: Caspian Logistics Report", date: at("2024-03-21 08:00"), map_: true},
	}
	return c
}

// excerpt returns the first words of the first paragraph.
func excerpt(blocks []block, words int) string {
	for _, b := range blocks {
		if b.kind != 'p' {
			continue
		}
		f := strings.Fields(b.text)
		if len(f) > words {
			return strings.Join(f[:words], " ") + "…"
		}
		return strings.Join(f, " ")
	}
	return ""
}
