package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/newsmon/newsmon/internal/testsite"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeCrawlsDeliversAlertsOnceAndStops(t *testing.T) {
	old := deliverEvery
	deliverEvery = 200 * time.Millisecond
	defer func() { deliverEvery = old }()

	var mu sync.Mutex
	received := map[string]int{}
	var bodies []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var v map[string]any
		json.Unmarshal(b, &v)
		mu.Lock()
		received[r.Header.Get("Idempotency-Key")]++
		bodies = append(bodies, v)
		mu.Unlock()
	}))
	defer hook.Close()

	site := testsite.Start()
	defer site.Close()
	cfg := writeConfig(t, site, `
[web]
addr = "127.0.0.1:0"

[[alert]]
name = "signed"
on = "agreement"
webhook = "`+hook.URL+`"
`)
	// Every source on a 10 s schedule: each runs within a second of start.
	cfgText := mustRead(t, cfg)
	cfgText = regexp.MustCompile(`schedule = "[^"]*"`).ReplaceAllString(cfgText, `schedule = "@every 10s"`)
	writeFile(t, cfg, cfgText)
	db := filepath.Join(t.TempDir(), "serve.db")

	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve", "--config", cfg, "--db", db, "--quiet"}, &stdout, &stderr) }()

	var base string
	waitFor(t, "the server to listen", 10*time.Second, func() bool {
		m := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(stdout.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	waitFor(t, "an alert at the webhook", 60*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(received) > 0
	})
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	// Let a few more delivery passes run: nothing may arrive twice.
	time.Sleep(time.Second)
	mu.Lock()
	for id, n := range received {
		if n != 1 {
			t.Errorf("alert %s delivered %d times", id, n)
		}
	}
	for _, b := range bodies {
		if b["kind"] != "agreement" || b["event"] == nil || b["rule"] != "signed" {
			t.Errorf("webhook body %v", b)
		}
	}
	nAlerts := len(received)
	mu.Unlock()

	feed, err := gofeed.NewParser().ParseURL(base + "/feeds/alerts.atom")
	if err != nil {
		t.Fatalf("alerts feed: %v", err)
	}
	if len(feed.Items) < nAlerts {
		t.Errorf("feed has %d entries, %d alerts were delivered", len(feed.Items), nAlerts)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), "newsmon_articles_new_total") {
		t.Errorf("metrics lack crawl counters:\n%s", m)
	}

	// What systemd or Ctrl-C sends: run() turns it into a cancelled context.
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop within its bound")
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startCommand runs newsmon with args in the background and returns the
// base URL it prints once it listens, and a func that interrupts it and
// returns its exit status.
func startCommand(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(args, &stdout, &stderr) }()
	var base string
	waitFor(t, args[0]+" to listen", 60*time.Second, func() bool {
		select {
		case code := <-done:
			t.Fatalf("%s exited %d before listening: %s", args[0], code, stderr.String())
		default:
		}
		m := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(stdout.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	return base, func() int {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-done:
			if code != 0 {
				t.Logf("%s stderr: %s", args[0], stderr.String())
			}
			return code
		case <-time.After(40 * time.Second):
			t.Fatalf("%s did not stop within its bound", args[0])
			return -1
		}
	}
}

func httpGet(t *testing.T, url string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestServeWebRefusesPublicAddrWithoutToken(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	db := filepath.Join(t.TempDir(), "serve.db")

	public := writeConfig(t, site, "\n[web]\naddr = \"0.0.0.0:8080\"\n")
	code, _, stderr := newsmonRun(t, "serve", "--config", public, "--db", db)
	if code != 2 || !strings.Contains(stderr, "web.token_env") {
		t.Errorf("a public address without token_env: exit %d, %s", code, stderr)
	}
	loopback := writeConfig(t, site, "")
	code, _, stderr = newsmonRun(t, "serve", "--config", loopback, "--db", db, "--addr", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, "web.token_env") {
		t.Errorf("--addr 0.0.0.0:0 without token_env: exit %d, %s", code, stderr)
	}
	unset := writeConfig(t, site, "\n[web]\naddr = \"0.0.0.0:8080\"\ntoken_env = \"NEWSMON_TEST_UNSET_TOKEN\"\n")
	os.Unsetenv("NEWSMON_TEST_UNSET_TOKEN")
	code, _, stderr = newsmonRun(t, "serve", "--config", unset, "--db", db)
	if code != 2 || !strings.Contains(stderr, "NEWSMON_TEST_UNSET_TOKEN") {
		t.Errorf("token_env naming an empty variable: exit %d, %s", code, stderr)
	}
}

func TestServeWebDeskWithToken(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	t.Setenv("NEWSMON_TEST_WEB_TOKEN", "t0ken-for-tests")
	cfg := writeConfig(t, site, "\n[web]\naddr = \"127.0.0.1:0\"\ntoken_env = \"NEWSMON_TEST_WEB_TOKEN\"\n")
	cfgText := regexp.MustCompile(`schedule = "[^"]*"`).ReplaceAllString(mustRead(t, cfg), `schedule = "@every 24h"`)
	writeFile(t, cfg, cfgText)
	base, stop := startCommand(t, "serve", "--config", cfg, "--db", filepath.Join(t.TempDir(), "serve.db"), "--quiet")

	auth := []string{"Authorization", "Bearer t0ken-for-tests"}
	if code, body, _ := httpGet(t, base+"/api/sources"); code != http.StatusUnauthorized {
		t.Errorf("the API without the token: %d %s", code, body)
	}
	if code, _, hdr := httpGet(t, base+"/", "Accept", "text/html"); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
		t.Errorf("a browser without a session: %d %s", code, hdr.Get("Location"))
	}
	code, body, _ := httpGet(t, base+"/api/sources", auth...)
	var sources struct {
		Sources []struct{ Name, Kind string } `json:"sources"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &sources) != nil || len(sources.Sources) != len(site.Sources()) {
		t.Errorf("sources: %d %s", code, body)
	}
	code, body, hdr := httpGet(t, base+"/?q=corridor", append(auth, "Accept", "text/html")...)
	if code != 200 || !strings.Contains(body, `<form class="search"`) || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("search page: %d %v %.300s", code, hdr, body)
	}
	if code, _, _ := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("healthz needs no token: %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
}

func TestServeWebDemoServesTheDesk(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	base, stop := startCommand(t, "demo", "--config", "../../config.toml", "--db", db, "--addr", "127.0.0.1:0", "--quiet")

	code, body, _ := httpGet(t, base+"/api/search?q=%22Middle+Corridor%22&kind=news")
	var res struct {
		Total  int                       `json:"total"`
		Facets map[string]map[string]int `json:"facets"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &res) != nil || res.Total == 0 || res.Facets["kind"]["news"] != res.Total {
		t.Errorf("demo search: %d %.500s", code, body)
	}
	code, body, _ = httpGet(t, base+"/agreements?party=Kazakhstan", "Accept", "text/html")
	if code != 200 || !strings.Contains(body, "$300 million") {
		t.Errorf("demo agreements page: %d", code)
	}
	code, body, _ = httpGet(t, base+"/sources", "Accept", "text/html")
	if code != 200 || !strings.Contains(body, "newsroom") || !strings.Contains(body, "ministry") {
		t.Errorf("demo sources page: %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("demo exited %d", code)
	}
}
