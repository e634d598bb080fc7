package web

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	newsmon "github.com/newsmon/newsmon"
)

// getJSON fetches path from the desk and decodes the JSON body into v.
func getJSON(t *testing.T, d *desk, path string, v any) int {
	t.Helper()
	code, body, hdr := get(t, d.srv.URL+path, "")
	if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: Content-Type %q: %s", path, hdr.Get("Content-Type"), body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v: %s", path, err, body)
	}
	return code
}

type searchJSON struct {
	Total   int `json:"total"`
	Results []struct {
		ID        int64    `json:"id"`
		URL       string   `json:"url"`
		Title     string   `json:"title"`
		Source    string   `json:"source"`
		Published *string  `json:"published"`
		Snippet   string   `json:"snippet"`
		Topics    []string `json:"topics"`
	} `json:"results"`
	Facets map[string]map[string]int `json:"facets"`
}

func hostileArticleID(t *testing.T, d *desk) string {
	t.Helper()
	var res searchJSON
	if code := getJSON(t, d, "/api/search?source=hostile", &res); code != 200 || len(res.Results) != 1 {
		t.Fatalf("the hostile article: %d %+v", code, res)
	}
	return fmt.Sprint(res.Results[0].ID)
}

func TestAPISearch(t *testing.T) {
	d := theDeskFor(t)
	kinds := map[string]string{}
	for _, s := range d.opts.Sources {
		kinds[s.Name] = s.Kind
	}

	var all searchJSON
	if code := getJSON(t, d, "/api/search?q=%22Middle+Corridor%22", &all); code != 200 {
		t.Fatalf("search: %d", code)
	}
	if all.Total < 5 || len(all.Results) != min(all.Total, 20) {
		t.Fatalf("total %d, %d results", all.Total, len(all.Results))
	}
	for _, r := range all.Results {
		if r.ID == 0 || r.URL == "" || r.Title == "" || r.Source == "" || r.Topics == nil {
			t.Errorf("incomplete result %+v", r)
		}
		if !strings.Contains(r.Snippet, "<mark>") {
			t.Errorf("snippet of %q marks nothing: %s", r.Title, r.Snippet)
		}
		if strings.Contains(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(r.Snippet), "<") {
			t.Errorf("snippet has markup other than <mark>: %s", r.Snippet)
		}
	}
	for _, facet := range []string{"topic", "source", "lang", "kind"} {
		if len(all.Facets[facet]) == 0 {
			t.Errorf("no %s facet: %v", facet, all.Facets)
		}
	}
	sum := 0
	for _, n := range all.Facets["kind"] {
		sum += n
	}
	if sum != all.Total {
		t.Errorf("kind facet sums to %d, total %d", sum, all.Total)
	}
	if all.Facets["topic"]["corridor"] != all.Total {
		t.Errorf("every match mentions the corridor, the facet says %d of %d", all.Facets["topic"]["corridor"], all.Total)
	}

	tests := []struct {
		name, query string
		check       func(t *testing.T, r searchJSON)
	}{
		{"kind statement keeps statement sources", "topic=agreement&kind=statement", func(t *testing.T, r searchJSON) {
			if r.Total == 0 {
				t.Fatal("no statement about agreements")
			}
			for _, x := range r.Results {
				if kinds[x.Source] != newsmon.KindStatement {
					t.Errorf("%s (%s) under kind=statement", x.Title, x.Source)
				}
			}
		}},
		{"source filter", "q=pipeline&source=newsroom", func(t *testing.T, r searchJSON) {
			for _, x := range r.Results {
				if x.Source != "newsroom" {
					t.Errorf("result of %s", x.Source)
				}
			}
			if r.Total == 0 || len(r.Facets["source"]) != 1 {
				t.Errorf("total %d, source facet %v", r.Total, r.Facets["source"])
			}
		}},
		{"language", "lang=ru&limit=200", func(t *testing.T, r searchJSON) {
			if r.Total == 0 || r.Facets["lang"]["ru"] != r.Total || len(r.Results) != r.Total {
				t.Errorf("total %d, lang facet %v, %d results", r.Total, r.Facets["lang"], len(r.Results))
			}
		}},
		{"party", "party=Azerbaijan", func(t *testing.T, r searchJSON) {
			if r.Total == 0 {
				t.Error("no article reports an agreement with Azerbaijan")
			}
		}},
		{"date range", "topic=corridor&since=2025-01-01&until=2025-01-31", func(t *testing.T, r searchJSON) {
			for _, x := range r.Results {
				if x.Published == nil || !strings.HasPrefix(*x.Published, "2025-01") {
					t.Errorf("%s published %v", x.Title, x.Published)
				}
			}
		}},
		{"limit and offset page through", "q=%22Middle+Corridor%22&limit=2&offset=2", func(t *testing.T, r searchJSON) {
			if len(r.Results) != 2 || r.Results[0].ID != all.Results[2].ID || r.Total != all.Total {
				t.Errorf("page 2 of 2: %+v", r.Results)
			}
		}},
		{"nothing found", "q=zzyzxnothing", func(t *testing.T, r searchJSON) {
			if r.Total != 0 || r.Results == nil || len(r.Results) != 0 {
				t.Errorf("%+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r searchJSON
			if code := getJSON(t, d, "/api/search?"+tt.query, &r); code != 200 {
				t.Fatalf("%s: %d", tt.query, code)
			}
			tt.check(t, r)
		})
	}
}

func TestAPIErrors(t *testing.T) {
	d := theDeskFor(t)
	tests := []struct {
		name, path string
		status     int
		mentions   string // in the error message
	}{
		{"bad since", "/api/search?q=x&since=2024-13-01", 400, "since"},
		{"bad until", "/api/search?until=yesterday", 400, "until"},
		{"until before since", "/api/search?since=2025-02-01&until=2025-01-01", 400, "until"},
		{"limit zero", "/api/search?q=x&limit=0", 400, "limit"},
		{"limit not a number", "/api/search?q=x&limit=ten", 400, "limit"},
		{"limit too large", "/api/search?q=x&limit=201", 400, "limit"},
		{"negative offset", "/api/search?q=x&offset=-1", 400, "offset"},
		{"offset too deep", "/api/search?q=x&offset=99999999", 400, "offset"},
		{"unknown kind", "/api/search?kind=blog", 400, "kind"},
		{"unclosed quote", "/api/search?q=%22Middle+Corridor", 400, "q:"},
		{"unclosed parenthesis", "/api/search?q=(oil+OR+gas", 400, "q:"},
		{"only exclusions", "/api/search?q=NOT+gas", 400, "q:"},
		{"dangling operator", "/api/search?q=pipeline+AND", 400, "q:"},
		{"query too long", "/api/search?q=" + strings.Repeat("corridor+", 200), 400, "q:"},
		{"timeline interval", "/api/timeline?interval=month", 400, "interval"},
		{"timeline bad query", "/api/timeline?q=%22open", 400, "q:"},
		{"timeline bad date", "/api/timeline?since=March", 400, "since"},
		{"export format", "/api/export?format=xml", 400, "format"},
		{"export bad query", "/api/export?format=csv&q=(a", 400, "q:"},
		{"export bad date", "/api/export?format=jsonl&until=2024-02-30", 400, "until"},
		{"article id not a number", "/api/articles/abc", 400, "id"},
		{"article id zero", "/api/articles/0", 400, "id"},
		{"article id overflow", "/api/articles/99999999999999999999", 400, "id"},
		{"unknown article", "/api/articles/987654", 404, "987654"},
		{"agreements status", "/api/agreements?status=done", 400, "status"},
		{"agreements since", "/api/agreements?since=2024/03/01", 400, "since"},
		{"agreements limit", "/api/agreements?limit=5000", 400, "limit"},
		{"unknown endpoint", "/api/nothing", 404, "/api/nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, hdr := get(t, d.srv.URL+tt.path, "")
			if code != tt.status {
				t.Fatalf("%s: %d, want %d: %s", tt.path, code, tt.status, body)
			}
			if tt.status == 200 {
				return
			}
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Fatalf("%s: not a JSON error: %s", tt.path, body)
			}
			if !strings.Contains(e["error"], tt.mentions) {
				t.Errorf("%s: error %q does not name %q", tt.path, e["error"], tt.mentions)
			}
		})
	}
	resp, err := http.Post(d.srv.URL+"/api/search", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /api/search: %d", resp.StatusCode)
	}
}

// seedArticle finds the seed op-ed through the API.
func seedArticle(t *testing.T, d *desk) int64 {
	t.Helper()
	var res searchJSON
	getJSON(t, d, "/api/search?q=%22New+Geopolitical+Axis%22", &res)
	if len(res.Results) == 0 {
		t.Fatal("the seed article is not found")
	}
	return res.Results[0].ID
}

func TestAPIArticle(t *testing.T) {
	d := theDeskFor(t)
	id := seedArticle(t, d)
	var a struct {
		ID         int64               `json:"id"`
		URL        string              `json:"url"`
		Title      string              `json:"title"`
		Text       string              `json:"text"`
		Mentions   []newsmon.Mention   `json:"mentions"`
		Agreements []newsmon.Agreement `json:"agreements"`
		URLs       []string            `json:"urls"`
		Sources    []string            `json:"sources"`
	}
	if code := getJSON(t, d, fmt.Sprintf("/api/articles/%d", id), &a); code != 200 {
		t.Fatalf("article: %d", code)
	}
	if a.ID != id || !strings.Contains(a.Title, "Strategic Partnership") || len(a.URLs) == 0 || a.URLs[0] != a.URL || a.Sources != nil {
		t.Errorf("article %d %q urls %v sources %v", a.ID, a.Title, a.URLs, a.Sources)
	}
	corridor := 0
	for _, m := range a.Mentions {
		if a.Text[m.Start:m.End] != m.Matched {
			t.Errorf("mention %+v: text there is %q", m, a.Text[m.Start:m.End])
		}
		if m.Topic == "corridor" {
			corridor++
		}
	}
	if corridor == 0 {
		t.Error("no corridor mention")
	}
	fund := false
	for _, ag := range a.Agreements {
		if ag.Instrument == "fund" && ag.Value == "$300 million" && ag.EventID != "" {
			fund = true
		}
	}
	if !fund {
		t.Errorf("no $300 million fund with an event_id: %+v", a.Agreements)
	}
}

func TestAPIAgreements(t *testing.T) {
	d := theDeskFor(t)
	var res struct {
		Events []newsmon.AgreementEvent `json:"events"`
	}
	if code := getJSON(t, d, "/api/agreements?party=Kazakhstan&since=2024-01-01", &res); code != 200 {
		t.Fatalf("agreements: %d", code)
	}
	found := false
	for _, e := range res.Events {
		if len(e.Reports) == 0 || e.EventID == "" {
			t.Errorf("event without reports or id: %+v", e)
		}
		if e.Instrument == "fund" && e.Value == "$300 million" && strings.Contains(strings.Join(e.Parties, ","), "Azerbaijan") {
			found = true
			if !strings.Contains(e.Reports[0].Title, "Strategic Partnership") {
				t.Errorf("the fund's first report is %q", e.Reports[0].Title)
			}
		}
	}
	if !found {
		t.Errorf("no $300 million fund of Azerbaijan and Kazakhstan among %d events", len(res.Events))
	}
	if code := getJSON(t, d, "/api/agreements?status=ratified&party=Nowhere", &res); code != 200 || res.Events == nil || len(res.Events) != 0 {
		t.Errorf("no events: %d %+v", code, res.Events)
	}
}

func TestAPISources(t *testing.T) {
	d := theDeskFor(t)
	var res struct {
		Sources []sourceStatus `json:"sources"`
	}
	if code := getJSON(t, d, "/api/sources", &res); code != 200 {
		t.Fatalf("sources: %d", code)
	}
	if len(res.Sources) != len(d.opts.Sources) {
		t.Fatalf("%d sources, %d configured", len(res.Sources), len(d.opts.Sources))
	}
	for _, s := range res.Sources {
		if s.LastRun == nil || s.LastRun.Requests == 0 || s.LastRun.Status != newsmon.RunDone || s.Runs != 1 {
			t.Errorf("%s: last run %+v, runs %d", s.Name, s.LastRun, s.Runs)
			continue
		}
		if !s.Health.OK {
			t.Errorf("%s: %+v after one good run", s.Name, s.Health)
		}
		if s.Name == "newsroom" && (s.LastRun.New == 0 || s.LastRun.Errors == 0) {
			t.Errorf("newsroom's run found %d new with %d errors (the traps)", s.LastRun.New, s.LastRun.Errors)
		}
	}
}

func TestAPITimeline(t *testing.T) {
	d := theDeskFor(t)
	type timelineJSON struct {
		Interval string                  `json:"interval"`
		Topics   []string                `json:"topics"`
		Points   []newsmon.TimelinePoint `json:"points"`
	}
	var day, week timelineJSON
	if code := getJSON(t, d, "/api/timeline?q=%22Middle+Corridor%22", &day); code != 200 {
		t.Fatalf("timeline: %d %+v", code, day)
	}
	if code := getJSON(t, d, "/api/timeline?q=%22Middle+Corridor%22&interval=week", &week); code != 200 {
		t.Fatalf("timeline: %d", code)
	}
	total := func(tl timelineJSON, topic string) (n int) {
		for _, p := range tl.Points {
			if p.Topic == topic {
				n += p.Mentions
			}
		}
		return n
	}
	if day.Interval != "day" || week.Interval != "week" || total(day, "corridor") == 0 || total(day, "corridor") != total(week, "corridor") {
		t.Errorf("day %s %d corridor mentions, week %s %d", day.Interval, total(day, "corridor"), week.Interval, total(week, "corridor"))
	}
	if len(week.Points) > len(day.Points) {
		t.Errorf("%d weekly points, %d daily", len(week.Points), len(day.Points))
	}
	for _, p := range week.Points {
		if p.Start.Weekday() != 1 {
			t.Errorf("week starting on %s", p.Start.Weekday())
		}
	}
	var none timelineJSON
	if code := getJSON(t, d, "/api/timeline?kind=statement&lang=xx", &none); code != 200 || none.Points == nil || len(none.Points) != 0 {
		t.Errorf("empty timeline: %d %+v", code, none)
	}
}

func TestAPIExport(t *testing.T) {
	d := theDeskFor(t)
	var res searchJSON
	getJSON(t, d, "/api/search?q=%22Middle+Corridor%22", &res)

	code, body, hdr := get(t, d.srv.URL+"/api/export?format=csv&q=%22Middle+Corridor%22&limit=1", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv export: %d %v", code, hdr)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(newsmon.CSVHeader, ",") {
		t.Errorf("csv header %v", rows[0])
	}
	if len(rows)-1 != res.Total {
		t.Errorf("csv export has %d rows, the search %d matches (limit must not apply)", len(rows)-1, res.Total)
	}

	resp, err := http.Get(d.srv.URL + "/api/export?format=jsonl&q=%22Middle+Corridor%22")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jsonl") {
		t.Errorf("jsonl Content-Type %q", ct)
	}
	n := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 10<<20)
	for sc.Scan() {
		var a map[string]any
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("jsonl line %d: %v", n+1, err)
		}
		for _, k := range []string{"id", "source", "url", "title", "text", "mentions", "first_seen"} {
			if _, ok := a[k]; !ok {
				t.Errorf("record lacks %q", k)
			}
		}
		n++
	}
	if n != res.Total {
		t.Errorf("jsonl export has %d lines, the search %d matches", n, res.Total)
	}

	// A kind with no configured source exports nothing but the header.
	newsOnly := httptest.NewServer(New(d.store, Options{Sources: d.opts.Sources[:1]}))
	defer newsOnly.Close()
	_, body, _ = get(t, newsOnly.URL+"/api/export?format=csv&kind=statement", "")
	if strings.Count(body, "\n") != 1 {
		t.Errorf("export of no source: %q", body)
	}
}

func TestWebPages(t *testing.T) {
	d := theDeskFor(t)
	id := seedArticle(t, d)
	tests := []struct {
		name, path string
		status     int
		contains   []string
	}{
		{"search home", "/", 200, []string{`<label for="q">`, "Skip to content"}},
		{"search", "/?q=%22Middle+Corridor%22", 200, []string{"articles found", "<mark>Middle Corridor</mark>", `id="facet-topic"`, "/api/export?format=csv"}},
		{"search second page", "/?q=corridor&limit=2&offset=2", 200, []string{`rel="prev"`, `rel="next"`}},
		{"search bad date", "/?q=x&since=soon", 400, []string{"since", `role="alert"`}},
		{"search bad query", "/?q=%22open", 400, []string{"q: ", "unclosed"}},
		{"timeline", "/timeline?q=%22Middle+Corridor%22", 200, []string{"<svg", `<title id="chart-title">`, "<desc", "<table"}},
		{"timeline week", "/timeline?topic=pipeline&interval=week", 200, []string{"per week"}},
		{"timeline bad interval", "/timeline?interval=year", 400, []string{"interval"}},
		{"article", fmt.Sprintf("/articles/%d", id), 200, []string{"Strategic Partnership", `<mark class="mention topic-0" data-topic="corridor"`, "$300 million"}},
		{"article unknown", "/articles/987654", 404, []string{"no article with id 987654"}},
		{"article bad id", "/articles/x1", 400, []string{"id"}},
		{"agreements", "/agreements", 200, []string{"$300 million", "Strategic Partnership"}},
		{"agreements bad status", "/agreements?status=x", 400, []string{"status"}},
		{"sources", "/sources", 200, []string{"The Astana Times", "Hostile &lt;Outlet&gt;"}},
		{"help", "/help", 200, []string{`id="query"`, "corrid*", "/api/search"}},
		{"stylesheet", "/static/style.css", 200, []string{":focus-visible"}},
		{"unknown page", "/nothing-here", 404, []string{"no such page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", d.srv.URL+tt.path, nil)
			req.Header.Set("Accept", "text/html")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			body := string(b)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s: %d, want %d: %.500s", tt.path, resp.StatusCode, tt.status, body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(body, want) {
					t.Errorf("%s lacks %q", tt.path, want)
				}
			}
			h := resp.Header
			if h.Get("Content-Security-Policy") != contentSecurityPolicy || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
				t.Errorf("%s: security headers %v", tt.path, h)
			}
			if strings.Contains(body, "<script") {
				t.Errorf("%s has a script element", tt.path)
			}
		})
	}
}

func TestWebHostileArticleEscapedInHTML(t *testing.T) {
	d := theDeskFor(t)
	id := hostileArticleID(t, d)
	// Each page must show the payloads, as text: a page that left the
	// hostile article out would pass the checks below for nothing.
	for path, shown := range map[string]string{
		"/articles/" + id: "&lt;script&gt;", "/?q=" + url.QueryEscape("exposé"): "&lt;script&gt;",
		"/agreements?party=Azerbaijan": "&lt;script&gt;", "/sources": "Hostile &lt;Outlet&gt;",
	} {
		_, body, _ := get(t, d.srv.URL+path, "")
		if !strings.Contains(body, shown) {
			t.Errorf("%s does not show %q: the hostile article is not on it", path, shown)
		}
		for _, raw := range []string{"<script", "<img", "<svg", "<iframe", "<style", `href="javascript:`, `src="javascript:`, `onerror="`, `onload="`} {
			if strings.Contains(strings.ToLower(body), raw) {
				i := strings.Index(strings.ToLower(body), raw)
				t.Errorf("%s contains %q unescaped: …%s…", path, raw, body[max(0, i-80):min(len(body), i+80)])
			}
		}
	}
}
