package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/sqlite"
	_ "modernc.org/sqlite"
)

// daemon is a `newsmon serve` subprocess.
type daemon struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	exited chan struct{} // closed when Wait returned
	err    error         // Wait's result, read after exited is closed
}

// startDaemon starts the built binary with args and stops it (SIGKILL) at
// the end of the test if it still runs.
func startDaemon(t *testing.T, bin string, args ...string) *daemon {
	t.Helper()
	d := &daemon{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	d.cmd.Stdout = &d.stdout
	d.cmd.Stderr = &d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			d.cmd.Process.Kill()
			<-d.exited
		}
	})
	waitFor(t, "the daemon to listen", 15*time.Second, func() bool {
		select {
		case <-d.exited:
			t.Fatalf("the daemon exited early (%v): %s", d.err, d.stderr.String())
		default:
		}
		return strings.Contains(d.stdout.String(), "serving on http://")
	})
	return d
}

// signal sends sig and waits up to within for the process to exit; it
// returns Wait's error (nil for exit status 0).
func (d *daemon) signal(t *testing.T, sig syscall.Signal, within time.Duration) error {
	t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("send %v: %v", sig, err)
	}
	select {
	case <-d.exited:
		return d.err
	case <-time.After(within):
		t.Fatalf("the daemon did not exit within %v of %v", within, sig)
		return nil
	}
}

// buildNewsmon builds the binary from the module root (two levels above
// this package's directory, where `go test` runs it).
func buildNewsmon(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the binary with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "newsmon")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/newsmon")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// readOnly queries the store at path through a read-only connection,
// which never contends with the daemon's writer. A store not yet created
// or whose schema is still being written gives an error.
func readOnly(path string, fn func(*sql.DB) error) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	u := (&url.URL{Scheme: "file", Path: path, OmitHost: true}).String()
	db, err := sql.Open("sqlite", u+"?mode=ro&_pragma=busy_timeout(2000)")
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// storedArticles counts the articles in the store at path (0 before it
// exists).
func storedArticles(path string) int {
	var n int
	if err := readOnly(path, func(db *sql.DB) error {
		return db.QueryRow(`SELECT count(*) FROM articles`).Scan(&n)
	}); err != nil {
		return 0
	}
	return n
}

// alertIDs returns the IDs of the alerts of rule in the store at path.
func alertIDs(t *testing.T, path, rule string) []string {
	t.Helper()
	var ids []string
	err := readOnly(path, func(db *sql.DB) error {
		rows, err := db.Query(`SELECT id FROM alerts WHERE rule = ?`, rule)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("read alerts: %v", err)
	}
	return ids
}

// hookReceiver is a webhook receiver that counts every Idempotency-Key.
type hookReceiver struct {
	mu   sync.Mutex
	keys map[string]int
	bad  []string // bodies that were not an agreement alert of the rule
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var v struct {
		ID    string          `json:"id"`
		Rule  string          `json:"rule"`
		Kind  string          `json:"kind"`
		Event json.RawMessage `json:"event"`
	}
	err := json.Unmarshal(b, &v)
	key := r.Header.Get("Idempotency-Key")
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keys[key]++
	if err != nil || v.Kind != newsmon.AlertAgreement || v.Rule != "signed" || len(v.Event) == 0 || v.ID != key {
		h.bad = append(h.bad, fmt.Sprintf("key %q: %.300s", key, b))
	}
}

// received returns a copy of the count of each Idempotency-Key.
func (h *hookReceiver) received() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := make(map[string]int, len(h.keys))
	for k, n := range h.keys {
		m[k] = n
	}
	return m
}

// TestDaemonSurvivesSIGKILLMidCrawl kills the built `newsmon serve` with
// SIGKILL while it crawls the simulated outlets, restarts it, lets it
// finish and stops it with SIGTERM: every article must be stored once, the
// store must be intact, every signing must be in an alert that reached the
// webhook, and no alert may arrive twice.
func TestDaemonSurvivesSIGKILLMidCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon binary")
	}
	bin := buildNewsmon(t)

	tests := []struct {
		name string
		// killAt says when to kill, from the articles stored so far and
		// the articles expected in all.
		killAt func(stored, total int) bool
	}{
		{"after the first article", func(stored, total int) bool { return stored >= 1 }},
		{"about halfway", func(stored, total int) bool { return stored >= total/2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := &hookReceiver{keys: map[string]int{}}
			hs := httptest.NewServer(hook)
			defer hs.Close()
			site := testsite.Start()
			defer site.Close()
			expected := site.Expected()
			total := len(expected)

			cfg := writeConfig(t, site, `
[web]
addr = "127.0.0.1:0"

[[alert]]
name = "signed"
on = "agreement"
webhook = "`+hs.URL+`"
`)
			cfgText := regexp.MustCompile(`schedule = "[^"]*"`).ReplaceAllString(mustRead(t, cfg), `schedule = "@every 10s"`)
			writeFile(t, cfg, cfgText)
			db := filepath.Join(t.TempDir(), "daemon.db")
			args := []string{"serve", "--config", cfg, "--db", db}

			first := startDaemon(t, bin, args...)
			var atKill int
			waitFor(t, "some articles stored", 30*time.Second, func() bool {
				atKill = storedArticles(db)
				return tt.killAt(atKill, total)
			})
			first.signal(t, syscall.SIGKILL, 10*time.Second)
			atKill = storedArticles(db)
			if atKill >= total {
				t.Fatalf("all %d articles were stored before the kill: the crawl was not interrupted", total)
			}
			t.Logf("killed with %d of %d articles stored, %d alerts received", atKill, total, len(hook.received()))

			second := startDaemon(t, bin, args...)
			waitFor(t, "every article stored", 40*time.Second, func() bool {
				return storedArticles(db) >= total
			})
			// Every alert in the outbox has reached the receiver (the
			// daemon delivers every 15 s).
			waitFor(t, "every alert delivered", 40*time.Second, func() bool {
				got := hook.received()
				ids := alertIDs(t, db, "signed")
				for _, id := range ids {
					if got[id] == 0 {
						return false
					}
				}
				return len(ids) > 0
			})
			start := time.Now()
			if err := second.signal(t, syscall.SIGTERM, 40*time.Second); err != nil {
				t.Errorf("after SIGTERM: %v (%s)", err, second.stderr.String())
			}
			t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))

			// The store is whole.
			var integrity string
			err := readOnly(db, func(db *sql.DB) error {
				return db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
			})
			if err != nil || integrity != "ok" {
				t.Errorf("integrity_check: %q %v", integrity, err)
			}

			// The killed runs are recorded as interrupted; none is left
			// "running" after the graceful stop.
			var interrupted, running int
			err = readOnly(db, func(db *sql.DB) error {
				return db.QueryRow(`SELECT count(*) FILTER (WHERE status = ?), count(*) FILTER (WHERE status = ?) FROM runs`,
					newsmon.RunInterrupted, newsmon.RunRunning).Scan(&interrupted, &running)
			})
			if err != nil {
				t.Fatalf("read runs: %v", err)
			}
			if interrupted == 0 || running != 0 {
				t.Errorf("runs: %d interrupted (want at least one), %d still running (want none)", interrupted, running)
			}

			// Each expected article is stored exactly once.
			st, err := sqlite.Open(db)
			if err != nil {
				t.Fatalf("reopen the store: %v", err)
			}
			byURL := map[string]int{}
			var signed []string // canonical URLs of articles reporting a signed or ratified agreement
			err = st.ExportArticles(context.Background(), newsmon.ExportFilter{}, func(a *newsmon.Article) error {
				byURL[a.CanonicalURL]++
				for _, ag := range a.Agreements {
					if ag.Status == newsmon.StatusSigned || ag.Status == newsmon.StatusRatified {
						signed = append(signed, a.CanonicalURL)
						break
					}
				}
				return nil
			})
			if err != nil {
				st.Close()
				t.Fatalf("export: %v", err)
			}
			for _, e := range expected {
				if n := byURL[e.URL]; n != 1 {
					t.Errorf("%s stored %d times, want once", e.URL, n)
				}
			}
			if len(byURL) != total {
				t.Errorf("%d distinct articles stored, want %d", len(byURL), total)
			}
			if len(signed) == 0 {
				st.Close()
				t.Fatal("no stored article reports a signed agreement: the alert check would be empty")
			}

			// Every signed agreement is in an alert, every alert arrived,
			// and none arrived twice.
			alerts, err := st.FindAlerts(context.Background(), newsmon.AlertFilter{Rule: "signed", Limit: 1000})
			st.Close()
			if err != nil {
				t.Fatalf("find alerts: %v", err)
			}
			inAlert := map[string]bool{}
			ids := map[string]bool{}
			for _, a := range alerts {
				ids[a.ID] = true
				for _, art := range a.Articles {
					inAlert[art.URL] = true
				}
			}
			for _, u := range signed {
				if !inAlert[u] {
					t.Errorf("%s reports a signing but no alert lists it", u)
				}
			}
			got := hook.received()
			for id, n := range got {
				if n != 1 {
					t.Errorf("alert %s received %d times", id, n)
				}
				if !ids[id] {
					t.Errorf("received alert %s that the store does not hold", id)
				}
			}
			for id := range ids {
				if got[id] == 0 {
					t.Errorf("alert %s never reached the webhook", id)
				}
			}
			hook.mu.Lock()
			for _, b := range hook.bad {
				t.Errorf("unexpected webhook body: %s", b)
			}
			hook.mu.Unlock()
			t.Logf("%d articles, %d of them signings, %d alerts each received once", len(byURL), len(signed), len(got))
		})
	}
}
