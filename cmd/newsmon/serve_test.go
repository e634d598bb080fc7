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
