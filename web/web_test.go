package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsmon/newsmon/store/sqlite"
)

func newTestServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(New(st, opts))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, token string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestWebHealthzMetricsAndErrors(t *testing.T) {
	m := NewMetrics()
	m.Add("newsmon_articles_new_total", "New articles stored.", 3, "source", "astanatimes")
	m.Add("newsmon_articles_new_total", "New articles stored.", 2, "source", "astanatimes")
	m.Add("newsmon_fetch_errors_total", "Failed fetches by kind.", 1, "source", `we"ird`, "kind", "http_5xx")
	m.Set("newsmon_last_run_timestamp_seconds", "When.", 1700000000, "source", "trend")
	srv := newTestServer(t, Options{Metrics: m})

	code, body, _ := get(t, srv.URL+"/healthz", "")
	if code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	code, body, hdr := get(t, srv.URL+"/metrics", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", code, hdr.Get("Content-Type"))
	}
	for _, want := range []string{
		"# TYPE newsmon_articles_new_total counter",
		`newsmon_articles_new_total{source="astanatimes"} 5`,
		`newsmon_fetch_errors_total{source="we\"ird",kind="http_5xx"} 1`,
		"# TYPE newsmon_last_run_timestamp_seconds gauge",
		`newsmon_last_run_timestamp_seconds{source="trend"} 1.7e+09`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	code, body, hdr = get(t, srv.URL+"/no/such/page", "")
	var e map[string]string
	if code != 404 || json.Unmarshal([]byte(body), &e) != nil || e["error"] == "" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Errorf("unknown path: %d %s", code, body)
	}
}

func TestWebTokenRequired(t *testing.T) {
	srv := newTestServer(t, Options{Token: "s3cret"})
	tests := []struct {
		name, path, token string
		want              int
	}{
		{"health needs no token", "/healthz", "", 200},
		{"metrics without token", "/metrics", "", 401},
		{"wrong token", "/metrics", "guess", 401},
		{"right token", "/metrics", "s3cret", 200},
		{"token as a query parameter for feed readers", "/metrics?token=s3cret", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body, _ := get(t, srv.URL+tt.path, tt.token); code != tt.want {
				t.Errorf("%s: %d, want %d (%s)", tt.path, code, tt.want, body)
			}
		})
	}
}
