package extract

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	newsmon "github.com/newsmon/newsmon"
)

func TestCleanAuthor(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"by and date", "By Aida Nurlanova on 14 March 2024", "Aida Nurlanova"},
		{"two authors", "By Jane Roe and John Doe", "Jane Roe, John Doe"},
		{"russian prefix", "Автор: Иван Петров", "Иван Петров"},
		{"staff junk", "Staff Reporter", ""},
		{"junk among names", "Jane Roe, Staff Writer", "Jane Roe"},
		{"pipe and role", "Jane Roe | Senior Editor", "Jane Roe"},
		{"month before the date", "GILLIAN MOHNEY March 11, 2015 3:46 PM", "GILLIAN MOHNEY"},
		{"aside in parentheses", "Martin Untersinger (avec Damien Leloup)", "Martin Untersinger"},
		{"url", "https://example.org/author/jane", ""},
		{"email", "jane@example.org", ""},
		{"a sentence is no name", "Click here to read every story written by our excellent team", ""},
		{"duplicates", "Jane Roe, jane roe", "Jane Roe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cleanAuthor(c.in); got != c.want {
				t.Errorf("cleanAuthor(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestChooseTitle(t *testing.T) {
	cases := []struct {
		name string
		head string
		body string
		want string
	}{
		{"title tag suffix cut by h1 agreement", `<title>Ports Expand in Aktau - The Astana Times</title>`, `<h1>Ports Expand in Aktau</h1>`, "Ports Expand in Aktau"},
		{"og title agrees with title prefix", `<title>Ports Expand in Aktau | Trend</title><meta property="og:title" content="Ports Expand in Aktau">`, ``, "Ports Expand in Aktau"},
		{"json-ld headline agrees with h1", `<title>Home</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Pipeline Deal Signed"}</script>`, `<h1>Pipeline Deal Signed</h1>`, "Pipeline Deal Signed"},
		{"site name suffix of og title", `<meta property="og:site_name" content="Daily Sabah"><meta property="og:title" content="Rail link agreed | Daily Sabah">`, ``, "Rail link agreed"},
		{"title with site name first", `<title>Akorda — Meeting with the President of Azerbaijan</title><meta property="og:site_name" content="Akorda">`, ``, "Meeting with the President of Azerbaijan"},
		{"plain title kept", `<title>Why corridors matter</title>`, ``, "Why corridors matter"},
		{"svg title ignored", ``, `<svg><title>icon</title></svg><h1>The Real Headline Here</h1>`, "The Real Headline Here"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, err := html.Parse(strings.NewReader("<html><head>" + c.head + "</head><body>" + c.body + "</body></html>"))
			if err != nil {
				t.Fatal(err)
			}
			s := scanPage(root)
			ld := parseLinkedData(s.ldScripts)
			if got := chooseTitle(s, ld, s.meta("og:site_name")); got != c.want {
				t.Errorf("title = %q, want %q", got, c.want)
			}
		})
	}
}

func TestLinkedData(t *testing.T) {
	cases := []struct {
		name    string
		script  string
		headln  string
		authors string
		date    string
		site    string
	}{
		{"graph with id references",
			`{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"H","author":{"@id":"#p"},"datePublished":"2024-03-14T09:00:00+00:00","publisher":{"@id":"#o"}},{"@type":"Person","@id":"#p","name":"Aida Nurlanova"},{"@type":"Organization","@id":"#o","name":"The Astana Times"},{"@type":"WebSite","name":"The Astana Times"}]}`,
			"H", "Aida Nurlanova", "2024-03-14T09:00:00+00:00", "The Astana Times"},
		{"array of types and authors",
			`[{"@type":["NewsArticle","Article"],"headline":"H2","author":[{"@type":"Person","name":"A"},{"@type":"Person","name":"B"}],"datePublished":"2024-01-02"}]`,
			"H2", "A|B", "2024-01-02", ""},
		{"raw newlines in strings",
			"{\"@type\":\"BlogPosting\",\"headline\":\"Line\none\",\"author\":\"C\"}",
			"Line one", "C", "", ""},
		{"cdata wrapper",
			`<![CDATA[{"@type":"ReportageNewsArticle","headline":"H3"}]]>`,
			"H3", "", "", ""},
		{"not an article",
			`{"@type":"Organization","name":"Org"}`,
			"", "", "", ""},
		{"broken json", `{"@type":"NewsArticle",`, "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ld := parseLinkedData([]string{c.script})
			if ld.headline != c.headln || strings.Join(ld.authors, "|") != c.authors || ld.datePublished != c.date || ld.siteName != c.site {
				t.Errorf("got headline %q authors %q date %q site %q, want %q %q %q %q",
					ld.headline, strings.Join(ld.authors, "|"), ld.datePublished, ld.siteName, c.headln, c.authors, c.date, c.site)
			}
		})
	}
}

func TestLinkedBody(t *testing.T) {
	long := strings.Repeat("The corridor carries more cargo every year, officials said. ", 12)
	cases := []struct {
		name    string
		page    string
		ldBody  string
		wantLD  bool
		wantHas string
	}{
		{"page shows little, json-ld body used", `<p>Subscribe to read.</p>`, long, true, "officials said"},
		{"teaser in json-ld ignored", `<article><p>` + long + `</p></article>`, long[:300] + "...", false, "officials said"},
		{"page text preferred when the same", `<article><p>` + long[:len(long)/2] + `</p><p>` + long[len(long)/2:] + `</p></article>`, long, false, "officials said"},
	}
	e, _ := New(nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			script := `<script type="application/ld+json">{"@type":"NewsArticle","articleBody":` + jsonString(c.ldBody) + `}</script>`
			a, err := e.Extract(&newsmon.Page{URL: "https://example.org/a", Body: []byte("<html><head>" + script + "</head><body>" + c.page + "</body></html>")})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(a.Text, c.wantHas) {
				t.Errorf("text %q lacks %q", a.Text, c.wantHas)
			}
			usedLD := !strings.Contains(a.Text, "\n\n") && len(a.Text) == len(strings.TrimSpace(c.ldBody))
			if c.wantLD != usedLD {
				t.Errorf("used JSON-LD body = %v, want %v (text %q)", usedLD, c.wantLD, a.Text[:min(80, len(a.Text))])
			}
		})
	}
}

func jsonString(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func TestJudgeArticle(t *testing.T) {
	para := "<p>" + strings.Repeat("The statement was published by the press service, with details. ", 6) + "</p>"
	var links strings.Builder
	for i := 0; i < 15; i++ {
		links.WriteString(`<li><a href="/n/` + string(rune('a'+i)) + `">A headline about the transport corridor and its ports</a></li>`)
	}
	var teasers strings.Builder
	for i := 0; i < 6; i++ {
		teasers.WriteString(`<div class="post"><h3><a href="/2024/03/s` + string(rune('a'+i)) + `/">Ministers discuss the transport corridor</a></h3><p>The talks covered tariffs, ports and rail links across the Caspian, officials said.</p></div>`)
	}
	cases := []struct {
		name    string
		url     string
		body    string
		article bool
		reason  string
	}{
		{"short statement with many sidebar links", "https://example.org/a", `<div class="news-text">` + para + `</div><div class="other"><ul>` + links.String() + `</ul></div>`, true, ""},
		{"empty page", "https://example.org/a", `<div></div>`, false, "no body text found"},
		{"link list", "https://example.org/a", `<main><ul>` + links.String() + `</ul></main>`, false, "listing page"},
		{"home page", "https://example.org/", `<main><ul>` + links.String() + `</ul></main>`, false, "home page"},
		{"tag page of teasers", "https://example.org/tag/corridor/", `<main>` + teasers.String() + `</main>`, false, "tag page: 6 linked headlines"},
		{"author page of teasers", "https://example.org/author/jane-roe/", `<main>` + teasers.String() + `</main>`, false, "author page"},
		{"search results", "https://example.org/?s=corridor", `<main>` + teasers.String() + `</main>`, false, "search page"},
		{"teasers at an unremarkable URL", "https://example.org/latest", `<main>` + teasers.String() + `</main>`, false, "listing page: 6 linked headlines"},
		{"article with linked subheads", "https://example.org/2024/03/story/", `<article><h1>Story</h1>` + para + `<h3><a href="/x">See also: the port</a></h3>` + para + para + `</article>`, true, ""},
	}
	e, _ := New(nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := e.Extract(&newsmon.Page{URL: c.url, Body: []byte("<html><body>" + c.body + "</body></html>")})
			if err != nil {
				t.Fatal(err)
			}
			if a.IsArticle != c.article || !strings.HasPrefix(a.NotArticleReason, c.reason) {
				t.Errorf("article = %v (%q), want %v (%q)", a.IsArticle, a.NotArticleReason, c.article, c.reason)
			}
		})
	}
}

func TestTitleOfStatementPageWithBareTitleTag(t *testing.T) {
	body := `<html><head><title>%s</title></head><body><nav><a href="/">Home</a></nav>
<h1>Head of State receives Azerbaijani Prime Minister</h1>
<p>Today President Kassym-Jomart Tokayev received the Prime Minister of Azerbaijan at the residence, where the sides discussed transport and energy cooperation and the growth of trade between the two countries.</p>
<p>The parties agreed to continue work on joint projects in logistics, industry and agriculture, and to meet again in Baku in the autumn.</p></body></html>`
	e, _ := New(nil)
	for _, title := range []string{"Akorda", "Official site"} {
		a, err := e.Extract(&newsmon.Page{URL: "https://www.akorda.kz/en/x-1", Body: []byte(fmt.Sprintf(body, title))})
		if err != nil {
			t.Fatal(err)
		}
		if a.Title != "Head of State receives Azerbaijani Prime Minister" {
			t.Errorf("<title>%s</title>: title %q, want the headline", title, a.Title)
		}
	}
}
