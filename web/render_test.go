package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

func TestWebSafeSnippet(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"store's own", "a &lt;b&gt; <mark>Middle</mark> c", "a &lt;b&gt; <mark>Middle</mark> c"},
		{"raw tag becomes text", `<script>x()</script><mark>hit</mark>`, "&lt;script&gt;x()&lt;/script&gt;<mark>hit</mark>"},
		{"attribute injection", `"><img src=x onerror=y>`, "&#34;&gt;&lt;img src=x onerror=y&gt;"},
		{"mark with attributes is text", `<mark onclick="x">a</mark>`, `&lt;mark onclick=&#34;x&#34;&gt;a`},
		{"unclosed mark is closed", "<mark>a", "<mark>a</mark>"},
		{"stray close dropped", "a</mark> b", "a b"},
		{"nested marks flattened", "<mark><mark>a</mark></mark>", "<mark>a</mark>"},
		{"control sentinels removed", "a\x01b\x02c", "abc"},
		{"idempotent on escaped quotes", "&#34;x&#39;", "&#34;x&#39;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(safeSnippet(tt.in)); got != tt.want {
				t.Errorf("safeSnippet(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWebArticleParagraphs(t *testing.T) {
	s := New(nil, Options{Topics: []string{"corridor", "pipeline"}})
	text := "The <b>Middle Corridor</b> grows.\n\nBTC pipeline & more\nline two"
	at := func(sub string) (int, int) {
		i := strings.Index(text, sub)
		return i, i + len(sub)
	}
	mc0, mc1 := at("Middle Corridor")
	btc0, btc1 := at("BTC")
	pl0, pl1 := at("pipeline")
	a := &newsmon.Article{Text: text, Mentions: []newsmon.Mention{
		{Topic: "pipeline", Term: "BTC", Start: btc0, End: btc1},
		{Topic: "corridor", Term: "Middle Corridor", Start: mc0, End: mc1},
		{Topic: "pipeline", Term: "overlap", Start: mc0 + 3, End: mc1 + 2}, // overlaps: skipped
		{Topic: "pipeline", Term: "pipeline", Start: pl0, End: pl1},
		{Topic: "x", Start: -1, End: 3},                 // out of bounds
		{Topic: "x", Start: 5, End: len(text) + 10},     // out of bounds
		{Topic: `"><script>`, Start: 0, End: 3},         // topic escaped
		{Topic: "split", Start: mc1 - 2, End: btc0 + 1}, // spans a paragraph break
	}}
	ps := s.articleParagraphs(a)
	if len(ps) != 2 {
		t.Fatalf("%d paragraphs: %q", len(ps), ps)
	}
	want0 := `<mark class="mention topic-x" data-topic="&#34;&gt;&lt;script&gt;" title="&#34;&gt;&lt;script&gt;: ">The<span class="tag">&#34;&gt;&lt;script&gt;</span></mark> &lt;b&gt;` +
		`<mark class="mention topic-0" data-topic="corridor" title="corridor: Middle Corridor">Middle Corridor<span class="tag">corridor</span></mark>&lt;/b&gt; grows.`
	if string(ps[0]) != want0 {
		t.Errorf("paragraph 1:\n got %s\nwant %s", ps[0], want0)
	}
	want1 := `<mark class="mention topic-1" data-topic="pipeline" title="pipeline: BTC">BTC<span class="tag">pipeline</span></mark> ` +
		`<mark class="mention topic-1" data-topic="pipeline" title="pipeline: pipeline">pipeline<span class="tag">pipeline</span></mark> &amp; more<br>` + "\nline two"
	if string(ps[1]) != want1 {
		t.Errorf("paragraph 2:\n got %s\nwant %s", ps[1], want1)
	}
	// A mention that cuts a character in two is not trusted.
	b := &newsmon.Article{Text: "Türkiye", Mentions: []newsmon.Mention{{Topic: "corridor", Start: 0, End: 2}}}
	if got := string(s.articleParagraphs(b)[0]); got != "Türkiye" {
		t.Errorf("mention inside a rune: %q", got)
	}
}

func TestWebChart(t *testing.T) {
	s := New(nil, Options{Topics: []string{"corridor", "pipeline"}})
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	c := s.buildChart([]newsmon.TimelinePoint{
		{Topic: "corridor", Start: day(1), Mentions: 3, Articles: 1},
		{Topic: "pipeline", Start: day(1), Mentions: 1, Articles: 1},
		{Topic: "corridor", Start: day(4), Mentions: 7, Articles: 2},
	}, newsmon.IntervalDay)
	if c.Empty || len(c.Rows) != 4 || len(c.Series) != 2 || len(c.Topics) != 2 {
		t.Fatalf("chart: %+v", c)
	}
	if c.Rows[1].Cells[0].Mentions != 0 || c.Rows[3].Cells[0].Mentions != 7 || c.Rows[0].Cells[1].Articles != 1 {
		t.Errorf("rows %+v", c.Rows)
	}
	if c.Series[0].Total != 10 || c.Series[0].Class != "topic-0" || len(strings.Fields(c.Series[0].Points)) != 4 {
		t.Errorf("series %+v", c.Series[0])
	}
	if !strings.Contains(c.Desc, "7 mentions of corridor") || !strings.Contains(c.Desc, "2024-03-04") {
		t.Errorf("desc %q", c.Desc)
	}
	if top := c.YTicks[len(c.YTicks)-1]; top.Label != "10" || top.Pos != chartTop {
		t.Errorf("y ticks %+v", c.YTicks)
	}
	if e := s.buildChart(nil, newsmon.IntervalWeek); !e.Empty || e.Title != "Mentions per topic per week" {
		t.Errorf("empty chart %+v", e)
	}
	for n, want := range map[int]int{0: 1, 1: 1, 3: 5, 7: 10, 10: 10, 11: 20, 26: 50, 140: 200, 999: 1000} {
		if got := niceCeil(n); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestWebParseSearchRoundTrip(t *testing.T) {
	s := New(nil, Options{Sources: []newsmon.Source{{Name: "a", Kind: "news"}, {Name: "b", Kind: "statement"}, {Name: "c", Kind: "news"}}})
	v, _ := url.ParseQuery("q=%22Middle+Corridor%22&kind=news&since=2024-03-01&until=2024-03-31&limit=50&offset=100&party=Kazakhstan")
	p, err := s.parseSearch(v)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Filter.Sources, ",") != "a,c" || p.Filter.Until.Format(time.RFC3339Nano) != "2024-03-31T23:59:59.999999999Z" {
		t.Errorf("filter %+v", p.Filter)
	}
	if got := p.values().Encode(); got != v.Encode() {
		t.Errorf("round trip: %s, want %s", got, v.Encode())
	}
	if p, _ := s.parseSearch(url.Values{"since": {"2024-03-01T09:30:00Z"}}); p.values().Get("since") != "2024-03-01T09:30:00Z" {
		t.Errorf("RFC 3339 since: %v", p.values())
	}
	if p, _ := New(nil, Options{}).parseSearch(url.Values{"kind": {"statement"}}); !p.noSource {
		t.Error("a kind without sources must find nothing")
	}
}

func TestWebLoginForm(t *testing.T) {
	srv := newTestServer(t, Options{Token: "s3cret"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values, hdr map[string]string) *http.Response {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, srv.URL+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	html := map[string]string{"Accept": "text/html"}

	if r := do("GET", "/?q=x", nil, html); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2F%3Fq%3Dx" {
		t.Errorf("a browser without a session: %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := do("GET", "/api/search?q=x", nil, html); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API without a token: %d", r.StatusCode)
	}
	if r := do("GET", "/login", nil, html); r.StatusCode != 200 {
		t.Errorf("login page: %d", r.StatusCode)
	}
	if r := do("GET", "/static/style.css", nil, nil); r.StatusCode != 200 {
		t.Errorf("stylesheet: %d", r.StatusCode)
	}
	if r := do("POST", "/login", url.Values{"token": {"guess"}, "next": {"/"}}, nil); r.StatusCode != http.StatusUnauthorized || len(r.Cookies()) != 0 {
		t.Errorf("wrong token: %d %v", r.StatusCode, r.Cookies())
	}
	cross := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	if r := do("POST", "/login", url.Values{"token": {"s3cret"}}, cross); r.StatusCode != http.StatusForbidden || len(r.Cookies()) != 0 {
		t.Errorf("cross-site login: %d %v", r.StatusCode, r.Cookies())
	}
	r := do("POST", "/login", url.Values{"token": {"s3cret"}, "next": {"//evil.example/x"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("login: %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value == "s3cret" || strings.Contains(session.Value, "s3cret") {
		t.Fatalf("session cookie %+v", session)
	}
	withCookie := func(path string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		req.AddCookie(session)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := withCookie("/help"); code != 200 {
		t.Errorf("a page with the session: %d", code)
	}
	forged := *session
	forged.Value = sessionValue("other", time.Now().Add(time.Hour))
	req, _ := http.NewRequest("GET", srv.URL+"/api/sources", nil)
	req.AddCookie(&forged)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a session of another token: %v %v", resp, err)
	}
	if r := do("POST", "/logout", url.Values{}, nil); r.StatusCode != http.StatusSeeOther || len(r.Cookies()) == 0 || r.Cookies()[0].MaxAge >= 0 {
		t.Errorf("logout: %d %v", r.StatusCode, r.Cookies())
	}
	for _, p := range []string{"/", "/x?y", "//evil", "/\\evil", "https://evil", "", "/a\r\nb"} {
		if got := localPath(p); got != p && got != "/" || (strings.HasPrefix(p, "//") || strings.Contains(p, "\\") || !strings.HasPrefix(p, "/")) && got != "/" {
			t.Errorf("localPath(%q) = %q", p, got)
		}
	}
}
