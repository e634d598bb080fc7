package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// Browsers drop tabs and line breaks from a Location header, so a next of
// "/\t/evil.example" must not survive into the redirect after login.
func TestWebLoginNextNeverLeavesTheSite(t *testing.T) {
	srv := newTestServer(t, Options{Token: "s3cret"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/\x0b/evil.example", "/\x7f/evil.example", "/\\evil.example", "//evil.example", "https://evil.example/"} {
		form := url.Values{"token": {"s3cret"}, "next": {next}}
		req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next %q: %d → %q, want / ", next, resp.StatusCode, loc)
		}
	}
	if got := localPath("/search?q=a%09b"); got != "/search?q=a%09b" {
		t.Errorf("an escaped tab is harmless and kept: %q", got)
	}
}

// A session cookie ends when it says, and its expiry cannot be edited.
func TestWebSessionCookieExpires(t *testing.T) {
	const token = "s3cret"
	srv := newTestServer(t, Options{Token: token})
	now := time.Now()
	fresh := sessionValue(token, now.Add(time.Hour))
	exp, mac, _ := strings.Cut(fresh, ".")
	stale := sessionValue(token, now.Add(-time.Minute))
	_, staleMAC, _ := strings.Cut(stale, ".")
	for _, tt := range []struct {
		name, value string
		want        int
	}{
		{"valid", fresh, http.StatusOK},
		{"expired", stale, http.StatusUnauthorized},
		{"expired with its expiry moved on", fmt.Sprint(now.Add(time.Hour).Unix()) + "." + staleMAC, http.StatusUnauthorized},
		{"another mac", exp + "." + strings.Repeat("0", len(mac)), http.StatusUnauthorized},
		{"the old fixed value", mac, http.StatusUnauthorized},
		{"garbage", "x.y", http.StatusUnauthorized},
		{"empty", "", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/sources", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tt.value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s cookie: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

// Every answer carries the CSP, errors and unknown paths included, and the
// open static path lists no directory.
func TestWebHeadersOnEveryAnswer(t *testing.T) {
	srv := newTestServer(t, Options{Token: "s3cret"})
	for _, tt := range []struct {
		path, accept string
		want         int
	}{
		{"/static/", "", http.StatusNotFound},
		{"/static/nope.css", "", http.StatusNotFound},
		{"/healthz", "", http.StatusOK},
		{"/no/such/page", "text/html", http.StatusSeeOther},
		{"/api/export", "", http.StatusUnauthorized},
		{"/feeds/alerts.atom", "", http.StatusUnauthorized},
		{"/metrics", "", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept", tt.accept)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy {
			t.Errorf("%s: %d (want %d), CSP %q", tt.path, resp.StatusCode, tt.want, resp.Header.Get("Content-Security-Policy"))
		}
	}
}

// endlessStore exports articles for as long as its caller takes them and
// reports when the export ends. Nothing else of the Store is used.
type endlessStore struct {
	newsmon.Store
	done chan error
}

func (s *endlessStore) ExportArticles(ctx context.Context, f newsmon.ExportFilter, fn func(*newsmon.Article) error) error {
	text := strings.Repeat("The Middle Corridor carries freight across the Caspian. ", 1000)
	for id := int64(1); ; id++ {
		if err := fn(&newsmon.Article{ID: id, URL: fmt.Sprintf("https://example.org/%d", id), Text: text}); err != nil {
			s.done <- err
			return err
		}
	}
}

// A client that starts an export and stops reading must not hold the
// handler (and the store's export) for ever.
func TestWebExportToStalledClientEnds(t *testing.T) {
	st := &endlessStore{done: make(chan error, 1)}
	s := New(st, Options{})
	s.exportStall = 200 * time.Millisecond
	srv := httptest.NewServer(s)
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/export?format=jsonl HTTP/1.1\r\nHost: x\r\n\r\n")
	// Read the status line, then nothing more.
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(line, "200") {
		t.Fatalf("export status: %q %v", line, err)
	}
	select {
	case err := <-st.done:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Logf("export ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the export to a client that stopped reading is still running after 30s")
	}
}

// sampledStore answers every search as a store that counted its facets
// over a sample and estimated the total.
type sampledStore struct{ newsmon.Store }

func (sampledStore) SearchArticles(ctx context.Context, f newsmon.SearchFilter) (*newsmon.SearchResults, error) {
	return &newsmon.SearchResults{Total: 120000, Results: []newsmon.SearchResult{{ID: 1, Title: "One", Source: "a"}},
		Facets:         map[string]map[string]int{"source": {"a": 120000}, "topic": {}, "lang": {"en": 120000}},
		TotalEstimated: true, FacetSample: 1000}, nil
}

// The search page says when the store's counts are estimates, and the
// kind facet follows the source facet it is summed from.
func TestWebSearchPageSaysCountsAreEstimates(t *testing.T) {
	srv := httptest.NewServer(New(sampledStore{}, Options{Sources: []newsmon.Source{{Name: "a", Kind: newsmon.KindNews}}}))
	defer srv.Close()
	code, body, _ := get(t, srv.URL+"/?q=Kazakhstan", "")
	if code != 200 || !strings.Contains(body, "About 120000 articles found") || !strings.Contains(body, "newest 1000 matches") {
		t.Errorf("search page with estimated counts: %d\n%s", code, body)
	}
	code, body, _ = get(t, srv.URL+"/api/search?q=Kazakhstan", "")
	if code != 200 || !strings.Contains(body, `"kind":{"news":120000}`) || !strings.Contains(body, `"total_estimated":true`) || !strings.Contains(body, `"facet_sample":1000`) {
		t.Errorf("API with estimated counts: %d %s", code, body)
	}
}

// eventsStore lists one undated event reported by two outlets and one
// event with no reports left.
type eventsStore struct{ newsmon.Store }

func (eventsStore) FindAgreementEvents(ctx context.Context, f newsmon.AgreementFilter) ([]newsmon.AgreementEvent, error) {
	seen := time.Date(2024, 3, 14, 9, 30, 0, 0, time.UTC)
	return []newsmon.AgreementEvent{
		{EventID: "e1", Instrument: "fund", Status: newsmon.StatusSigned, Parties: []string{"Azerbaijan", "Kazakhstan"}, FirstSeen: seen,
			Reports: []newsmon.AgreementReport{{ArticleID: 1, Source: "trend", Title: "First"}, {ArticleID: 2, Source: "apa", Title: "Second"}}},
		{EventID: "e2", Instrument: "memorandum", Status: newsmon.StatusPlanned, FirstSeen: seen},
	}, nil
}

// The agreements page names the first report of an undated event by its
// first sight and outlet, and survives an event without reports.
func TestWebAgreementsFirstReport(t *testing.T) {
	srv := httptest.NewServer(New(eventsStore{}, Options{}))
	defer srv.Close()
	code, body, _ := get(t, srv.URL+"/agreements", "")
	if code != 200 || !strings.Contains(body, "14 Mar 2024 09:30 UTC (first seen; undated) · trend") {
		t.Errorf("agreements page: %d\n%s", code, body)
	}
}

// failingStore exports two articles (more than the server buffers, so
// the status is out) and then fails.
type failingStore struct{ newsmon.Store }

func (failingStore) ExportArticles(ctx context.Context, f newsmon.ExportFilter, fn func(*newsmon.Article) error) error {
	for id := int64(1); id <= 2; id++ {
		if err := fn(&newsmon.Article{ID: id, URL: fmt.Sprintf("https://example.org/%d", id), Text: strings.Repeat("x", 8<<10)}); err != nil {
			return err
		}
	}
	return errors.New("disk I/O error")
}

// An export that fails half-way must not look like a complete file: the
// client's read of the body fails.
func TestWebExportFailureMidStreamIsVisible(t *testing.T) {
	srv := httptest.NewServer(New(failingStore{}, Options{}))
	defer srv.Close()
	for _, format := range []string{"jsonl", "csv"} {
		// Short exports are cut before the headers leave (the request
		// fails), long ones within the body (the read fails).
		resp, err := http.Get(srv.URL + "/api/export?format=" + format)
		if err == nil {
			var b []byte
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				t.Errorf("%s export that failed: %d, %d bytes read whole; want a broken transfer", format, resp.StatusCode, len(b))
			}
		}
	}
}
