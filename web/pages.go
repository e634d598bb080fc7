package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFS embed.FS

// staticFiles serves the stylesheet; it changes only with the binary, so
// browsers may keep it for a day. Directories are not listed: the path is
// open without the token.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			writeError(w, newsmon.Errorf(newsmon.ENOTFOUND, "no such file: %s", r.URL.Path))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}

// pages holds one template set per page, each the layout plus the page.
type pages struct {
	sets map[string]*template.Template
}

func loadPages(s *Server) *pages {
	funcs := template.FuncMap{
		"date":       formatDate,
		"datetime":   formatDateTime,
		"topicClass": s.topicClass,
		"httpURL":    httpURL,
		"join":       strings.Join,
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range []string{"search", "timeline", "article", "agreements", "sources", "help", "login", "error"} {
		p.sets[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return p
}

// base is what every page's layout needs.
type base struct {
	Title    string
	Nav      string // the current section, for aria-current
	LoggedIn bool   // a session cookie is set: offer to log out
	Error    string // a message about the user's input, shown above the content
}

// render writes the page with the status; it renders into a buffer first
// so that a template failure is a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.sets[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.opts.Log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) base(r *http.Request, title, nav string) base {
	b := base{Title: title, Nav: nav}
	b.LoggedIn = s.opts.Token != "" && s.hasSession(r)
	return b
}

type errorPage struct {
	base
	Status  int
	Message string
}

// pageError renders err as an HTML page: 400 for bad input, 404, else 500
// with a message that hides the details.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.opts.Log.Error("page failed", "path", r.URL.Path, "err", err)
	}
	s.render(w, r, status, "error", errorPage{base: s.base(r, http.StatusText(status), ""), Status: status, Message: newsmon.ErrorMessage(err)})
}

// notFound answers an unknown path: a page for browsers, JSON otherwise.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, err error) {
	if wantsHTML(r) {
		s.pageError(w, r, err)
		return
	}
	writeError(w, err)
}

func formatDate(t any) string {
	switch t := t.(type) {
	case *time.Time:
		if t == nil {
			return "undated"
		}
		return t.UTC().Format("2 Jan 2006")
	case time.Time:
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2 Jan 2006")
	}
	return ""
}

func formatDateTime(t any) string {
	switch t := t.(type) {
	case *time.Time:
		if t == nil {
			return "undated"
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	case time.Time:
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	return ""
}

// httpURL returns u when it is an http or https URL, else "": a crawled
// page may claim any canonical URL, and only web addresses become links.
func httpURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return u
}

// searchForm is the search form's state: the values as typed, and the
// choices of its filters.
type searchForm struct {
	Q, Topic, Source, Kind, Lang, Party, Since, Until, Interval string

	Topics, Langs, Parties []string
	Sources                []option
}

type option struct{ Value, Label string }

func (s *Server) newSearchForm(v url.Values, langs map[string]int) searchForm {
	f := searchForm{
		Q: v.Get("q"), Topic: v.Get("topic"), Source: v.Get("source"), Kind: v.Get("kind"), Lang: v.Get("lang"),
		Party: v.Get("party"), Since: v.Get("since"), Until: v.Get("until"), Interval: v.Get("interval"),
		Topics: s.opts.Topics, Parties: s.opts.Parties,
	}
	seen := map[string]bool{}
	for _, src := range s.opts.Sources {
		label := src.Name
		if src.Title != "" {
			label = src.Title + " (" + src.Name + ")"
		}
		f.Sources = append(f.Sources, option{src.Name, label})
		if src.Language != "" && !seen[src.Language] {
			seen[src.Language] = true
			f.Langs = append(f.Langs, src.Language)
		}
	}
	for l := range langs {
		if !seen[l] && l != "" {
			seen[l] = true
			f.Langs = append(f.Langs, l)
		}
	}
	sort.Strings(f.Langs)
	return f
}

type searchPage struct {
	base
	Form     searchForm
	Searched bool
	Total    int
	// ApproxTotal and ApproxSample say that the store estimated the total,
	// or counted the facets over its newest ApproxSample matches only.
	ApproxTotal  bool
	ApproxSample int
	From, To     int
	Results      []resultView
	Facets       []facetGroup
	Prev, Next   string
	ExportCSV    string
	ExportJSONL  string
	TimelineURL  string
}

type resultView struct {
	ID        int64
	Title     string
	URL       string
	Source    string
	Published *time.Time
	Snippet   template.HTML
	Topics    []string
}

type facetGroup struct {
	Name, Label string
	Items       []facetItem
}

type facetItem struct {
	Value  string
	Count  int
	URL    string
	Active bool
}

// link is the search page URL of p with one parameter changed ("" drops
// it) and the offset back to the first page.
func (p *searchParams) link(path, key, value string) string {
	v := p.values()
	v.Del("offset")
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	page := searchPage{base: s.base(r, "Search", "search")}
	p, err := s.parseSearch(v)
	var res *newsmon.SearchResults
	if err == nil {
		res, err = s.search(r.Context(), p)
	}
	if err != nil {
		if statusOf(err) != http.StatusBadRequest {
			s.pageError(w, r, err)
			return
		}
		page.Error = newsmon.ErrorMessage(err)
		page.Form = s.newSearchForm(v, nil)
		s.render(w, r, http.StatusBadRequest, "search", page)
		return
	}
	page.Form = s.newSearchForm(v, res.Facets["lang"])
	page.Searched = len(p.values()) > 0
	if p.Filter.Query != "" {
		page.Title = p.Filter.Query + " – Search"
	}
	page.Total = res.Total
	if res.FacetSample != 0 || res.TotalEstimated {
		page.ApproxTotal = res.TotalEstimated
		page.ApproxSample = res.FacetSample
	}
	if len(res.Results) > 0 {
		page.From, page.To = p.Filter.Offset+1, p.Filter.Offset+len(res.Results)
	}
	for _, x := range res.Results {
		page.Results = append(page.Results, resultView{ID: x.ID, Title: x.Title, URL: x.URL, Source: x.Source,
			Published: x.Published, Snippet: safeSnippet(x.Snippet), Topics: x.Topics})
	}
	for _, g := range []struct{ key, param, label string }{
		{"topic", "topic", "Topic"}, {"kind", "kind", "Kind"}, {"source", "source", "Source"}, {"lang", "lang", "Language"},
	} {
		grp := facetGroup{Name: g.key, Label: g.label}
		current := v.Get(g.param)
		for val, n := range res.Facets[g.key] {
			it := facetItem{Value: val, Count: n, Active: val == current}
			if it.Active {
				it.URL = p.link("/", g.param, "")
			} else {
				it.URL = p.link("/", g.param, val)
			}
			grp.Items = append(grp.Items, it)
		}
		sort.Slice(grp.Items, func(i, j int) bool {
			a, b := grp.Items[i], grp.Items[j]
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			return a.Value < b.Value
		})
		if len(grp.Items) > 0 {
			page.Facets = append(page.Facets, grp)
		}
	}
	pv := p.values()
	if p.Filter.Offset > 0 {
		pv.Set("offset", strconv.Itoa(max(p.Filter.Offset-p.Filter.Limit, 0)))
		if pv.Get("offset") == "0" {
			pv.Del("offset")
		}
		page.Prev = "/?" + pv.Encode()
	}
	if next := p.Filter.Offset + len(res.Results); next < res.Total && next <= maxOffset {
		pv.Set("offset", strconv.Itoa(next))
		page.Next = "/?" + pv.Encode()
	}
	ev := p.values()
	ev.Del("offset")
	ev.Del("limit")
	ev.Set("format", "csv")
	page.ExportCSV = "/api/export?" + ev.Encode()
	ev.Set("format", "jsonl")
	page.ExportJSONL = "/api/export?" + ev.Encode()
	ev.Del("format")
	page.TimelineURL = "/timeline"
	if len(ev) > 0 {
		page.TimelineURL += "?" + ev.Encode()
	}
	s.render(w, r, http.StatusOK, "search", page)
}

type timelinePage struct {
	base
	Form     searchForm
	Interval string
	Chart    *chart
	Search   string
}

func (s *Server) timelinePage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	page := timelinePage{base: s.base(r, "Timeline", "timeline"), Form: s.newSearchForm(v, nil)}
	interval, err := parseInterval(v.Get("interval"))
	var p *searchParams
	if err == nil {
		p, err = s.parseSearch(v)
	}
	var points []newsmon.TimelinePoint
	if err == nil {
		points, err = s.timeline(r.Context(), p, interval)
	}
	if err != nil {
		if statusOf(err) != http.StatusBadRequest {
			s.pageError(w, r, err)
			return
		}
		page.Error = newsmon.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "timeline", page)
		return
	}
	page.Interval = interval
	page.Form.Interval = interval
	page.Chart = s.buildChart(points, interval)
	sv := p.values()
	sv.Del("offset")
	page.Search = "/"
	if len(sv) > 0 {
		page.Search += "?" + sv.Encode()
	}
	s.render(w, r, http.StatusOK, "timeline", page)
}

type articlePage struct {
	base
	A          *newsmon.Article
	Original   string
	URLs       []string
	Paragraphs []paragraph
	Legend     []legendItem
	SourceName string
}

type legendItem struct {
	Topic, Class string
	Count        int
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	a, err := s.findArticle(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title := a.Title
	if title == "" {
		title = "Untitled article"
	}
	page := articlePage{base: s.base(r, title, "search"), A: a, Original: httpURL(a.URL), Paragraphs: s.articleParagraphs(a)}
	for _, u := range articleURLs(a) {
		if httpURL(u) != "" {
			page.URLs = append(page.URLs, u)
		}
	}
	page.SourceName = a.Source
	if src := s.source(a.Source); src != nil && src.Title != "" {
		page.SourceName = src.Title
	}
	counts := map[string]int{}
	var order []string
	for _, m := range a.Mentions {
		if counts[m.Topic] == 0 {
			order = append(order, m.Topic)
		}
		counts[m.Topic]++
	}
	sort.Strings(order)
	for _, t := range order {
		page.Legend = append(page.Legend, legendItem{Topic: t, Class: s.topicClass(t), Count: counts[t]})
	}
	s.render(w, r, http.StatusOK, "article", page)
}

type agreementsPage struct {
	base
	Since, Until, Party, Status string
	Parties                     []string
	Statuses                    []string
	Events                      []newsmon.AgreementEvent
	Next                        string
}

func (s *Server) agreementsPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	page := agreementsPage{base: s.base(r, "Agreements", "agreements"),
		Since: v.Get("since"), Until: v.Get("until"), Party: v.Get("party"), Status: v.Get("status"),
		Parties:  s.opts.Parties,
		Statuses: []string{newsmon.StatusSigned, newsmon.StatusPlanned, newsmon.StatusRatified, newsmon.StatusMentioned}}
	f, events, err := s.agreements(r)
	if err != nil {
		if statusOf(err) != http.StatusBadRequest {
			s.pageError(w, r, err)
			return
		}
		page.Error = newsmon.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "agreements", page)
		return
	}
	page.Events = events
	if len(events) == f.Limit && f.Offset+f.Limit <= maxOffset {
		nv := url.Values{}
		for k := range v {
			nv.Set(k, v.Get(k))
		}
		nv.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		page.Next = "/agreements?" + nv.Encode()
	}
	s.render(w, r, http.StatusOK, "agreements", page)
}

type sourcesPage struct {
	base
	Sources []sourceStatus
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	sources, err := s.sourceStatuses(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "sources", sourcesPage{base: s.base(r, "Sources", "sources"), Sources: sources})
}

func (s *Server) helpPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "help", s.base(r, "Help", "help"))
}
