package web

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// apiResult is one search result as the API writes it. Snippet is HTML:
// escaped text with the matched terms in <mark>…</mark> and no other tag.
type apiResult struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Language  string     `json:"language"`
	Published *time.Time `json:"published"`
	Snippet   string     `json:"snippet"`
	Topics    []string   `json:"topics"`
}

type apiSearchResults struct {
	Total          int                       `json:"total"`
	TotalEstimated bool                      `json:"total_estimated,omitempty"`
	FacetSample    int                       `json:"facet_sample,omitempty"`
	Results        []apiResult               `json:"results"`
	Facets         map[string]map[string]int `json:"facets"`
}

// search runs p against the store; the facets gain "kind", the source
// facet summed by the kind of each configured source.
func (s *Server) search(ctx context.Context, p *searchParams) (*newsmon.SearchResults, error) {
	res := &newsmon.SearchResults{Results: []newsmon.SearchResult{}, Facets: map[string]map[string]int{}}
	if !p.noSource {
		var err error
		if res, err = s.store.SearchArticles(ctx, p.Filter); err != nil {
			return nil, queryError(err)
		}
	}
	if res.Facets == nil {
		res.Facets = map[string]map[string]int{}
	}
	for _, k := range []string{"topic", "source", "lang"} {
		if res.Facets[k] == nil {
			res.Facets[k] = map[string]int{}
		}
	}
	kinds := map[string]int{}
	for name, n := range res.Facets["source"] {
		if src := s.source(name); src != nil && src.Kind != "" {
			kinds[src.Kind] += n
		}
	}
	res.Facets["kind"] = kinds
	return res, nil
}

func (s *Server) source(name string) *newsmon.Source {
	for i := range s.opts.Sources {
		if s.opts.Sources[i].Name == name {
			return &s.opts.Sources[i]
		}
	}
	return nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	p, err := s.parseSearch(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.search(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := apiSearchResults{Total: res.Total, TotalEstimated: res.TotalEstimated, FacetSample: res.FacetSample,
		Results: make([]apiResult, len(res.Results)), Facets: res.Facets}
	for i, x := range res.Results {
		topics := x.Topics
		if topics == nil {
			topics = []string{}
		}
		out.Results[i] = apiResult{ID: x.ID, URL: x.URL, Title: x.Title, Source: x.Source, Language: x.Language,
			Published: x.Published, Snippet: string(safeSnippet(x.Snippet)), Topics: topics}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiArticle is an article as the API writes it: every field of the
// export record but "sources", whose URLs are in "urls" (every address the
// story was seen at, the fetched one first).
type apiArticle struct {
	*newsmon.Article
	Sources []string `json:"sources,omitempty"` // shadows Article.URLs
	URLs    []string `json:"urls"`
}

func (s *Server) findArticle(r *http.Request) (*newsmon.Article, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, newsmon.Errorf(newsmon.EINVALID, "id %q: want a positive whole number", raw)
	}
	a, err := s.store.FindArticleByID(r.Context(), id)
	if newsmon.ErrorCode(err) == newsmon.ENOTFOUND {
		return nil, newsmon.Errorf(newsmon.ENOTFOUND, "no article with id %d", id)
	}
	return a, err
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.findArticle(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiArticle{Article: a, URLs: articleURLs(a)})
}

// articleURLs is every address of a, the one it was fetched from first.
func articleURLs(a *newsmon.Article) []string {
	urls := []string{a.URL}
	for _, u := range a.URLs {
		if u != a.URL {
			urls = append(urls, u)
		}
	}
	return urls
}

// Bounds of the agreements listing.
const (
	defaultEvents = 50
	maxEvents     = 1000
)

// parseAgreements reads since, until, party, status, instrument, limit and
// offset.
func parseAgreements(r *http.Request) (newsmon.AgreementFilter, error) {
	v := r.URL.Query()
	var f newsmon.AgreementFilter
	var err error
	if f.Since, err = newsmon.ParseDate("since", v.Get("since"), false); err != nil {
		return f, err
	}
	if f.Until, err = newsmon.ParseDate("until", v.Get("until"), true); err != nil {
		return f, err
	}
	if f.Since != nil && f.Until != nil && f.Until.Before(*f.Since) {
		return f, newsmon.Errorf(newsmon.EINVALID, "until %s: before since %s", v.Get("until"), v.Get("since"))
	}
	f.Party = strings.TrimSpace(v.Get("party"))
	f.Instrument = strings.TrimSpace(v.Get("instrument"))
	switch f.Status = strings.TrimSpace(v.Get("status")); f.Status {
	case "", newsmon.StatusSigned, newsmon.StatusPlanned, newsmon.StatusRatified, newsmon.StatusMentioned:
	default:
		return f, newsmon.Errorf(newsmon.EINVALID, "status %q: want signed, planned, ratified or mentioned", f.Status)
	}
	if f.Limit, err = parseInt("limit", v.Get("limit"), defaultEvents, 1, maxEvents); err != nil {
		return f, err
	}
	if f.Offset, err = parseInt("offset", v.Get("offset"), 0, 0, maxOffset); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) agreements(r *http.Request) (newsmon.AgreementFilter, []newsmon.AgreementEvent, error) {
	f, err := parseAgreements(r)
	if err != nil {
		return f, nil, err
	}
	events, err := s.store.FindAgreementEvents(r.Context(), f)
	if events == nil {
		events = []newsmon.AgreementEvent{}
	}
	return f, events, err
}

func (s *Server) apiAgreements(w http.ResponseWriter, r *http.Request) {
	_, events, err := s.agreements(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
}

// sourceStatus is a configured source with its last run and health.
type sourceStatus struct {
	Name     string               `json:"name"`
	Title    string               `json:"title,omitempty"`
	Kind     string               `json:"kind"`
	URL      string               `json:"url"`
	Language string               `json:"language,omitempty"`
	Enabled  bool                 `json:"enabled"`
	Runs     int                  `json:"runs"` // runs recorded, at most HealthRuns
	LastRun  *newsmon.Run         `json:"last_run"`
	Health   newsmon.SourceHealth `json:"health"`
}

func (s *Server) sourceStatuses(ctx context.Context) ([]sourceStatus, error) {
	out := make([]sourceStatus, 0, len(s.opts.Sources))
	for _, src := range s.opts.Sources {
		runs, err := s.store.FindRuns(ctx, newsmon.RunFilter{Source: src.Name, Limit: newsmon.HealthRuns})
		if err != nil {
			return nil, err
		}
		st := sourceStatus{Name: src.Name, Title: src.Title, Kind: src.Kind, URL: src.URL, Language: src.Language,
			Enabled: !src.Disabled, Runs: len(runs), Health: newsmon.JudgeHealth(runs)}
		if len(runs) > 0 {
			st.LastRun = &runs[0]
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	sources, err := s.sourceStatuses(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": sources})
}

// timeline runs the timeline of a search.
func (s *Server) timeline(ctx context.Context, p *searchParams, interval string) ([]newsmon.TimelinePoint, error) {
	if p.noSource {
		return []newsmon.TimelinePoint{}, nil
	}
	points, err := s.store.Timeline(ctx, newsmon.TimelineFilter{SearchFilter: p.Filter, Interval: interval})
	if err != nil {
		return nil, queryError(err)
	}
	if points == nil {
		points = []newsmon.TimelinePoint{}
	}
	return points, nil
}

func (s *Server) apiTimeline(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	interval, err := parseInterval(v.Get("interval"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.parseSearch(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	points, err := s.timeline(r.Context(), p, interval)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"interval": interval, "points": points, "topics": pointTopics(points)})
}

// pointTopics is the topics of points, sorted.
func pointTopics(points []newsmon.TimelinePoint) []string {
	seen := map[string]bool{}
	topics := []string{}
	for _, p := range points {
		if !seen[p.Topic] {
			seen[p.Topic] = true
			topics = append(topics, p.Topic)
		}
	}
	sort.Strings(topics)
	return topics
}
