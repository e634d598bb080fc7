package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/sqlite"
)

// sourcesConfig configures four sources: one crawled steadily, one that
// began to answer 403, one never crawled and one disabled.
const sourcesConfig = `
[[source]]
name = "steady"
title = "Steady Times"
url = "https://steady.example/"
feeds = ["https://steady.example/feed/"]

[[source]]
name = "blocked"
kind = "statement"
url = "https://blocked.example/"
feeds = ["https://blocked.example/feed/"]

[[source]]
name = "fresh"
url = "https://fresh.example/"
feeds = ["https://fresh.example/feed/"]

[[source]]
name = "off"
url = "https://off.example/"
feeds = ["https://off.example/feed/"]
disabled = true
`

// recordRuns writes runs of a source into the store as the crawler would:
// each started, then finished with r's counts; the last one given is the
// newest.
func recordRuns(t *testing.T, st newsmon.Store, runs ...newsmon.Run) {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 3, 14, 6, 0, 0, 0, time.UTC)
	for i, r := range runs {
		r.Started = start.Add(time.Duration(i) * 30 * time.Minute)
		status := r.Status
		if err := st.StartRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		r.Status = status
		r.Finished = r.Started.Add(time.Minute)
		if err := st.FinishRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSources(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(sourcesConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "newsmon.db")
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	steady := newsmon.Run{Source: "steady", Status: newsmon.RunDone, Requests: 14, Discovered: 30, Queued: 12, New: 12, Skipped: 18}
	var steadyRuns, blockedRuns []newsmon.Run
	for range 6 {
		steadyRuns = append(steadyRuns, steady)
		b := steady
		b.Source = "blocked"
		blockedRuns = append(blockedRuns, b)
	}
	forbidden := newsmon.Run{Source: "blocked", Status: newsmon.RunCut, Cut: "cancelled", Requests: 20, Discovered: 30, Queued: 18,
		New: 2, Errors: 18, ErrorKinds: map[string]int{"http_4xx": 16, "timeout": 2},
		LastError: "https://blocked.example/2026/03/story/: Forbidden\n\tagain"}
	recordRuns(t, st, steadyRuns...)
	recordRuns(t, st, append(blockedRuns, forbidden)...)
	recordRuns(t, st, newsmon.Run{Source: "gone-from-config", Status: newsmon.RunDone})
	st.Close()

	// lines returns the table's lines by the source they start with.
	lines := func(out string) map[string]string {
		m := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				m[f[0]] = l
			}
		}
		return m
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		check    func(t *testing.T, stdout string)
		inStderr string
	}{
		{name: "table", args: []string{"sources", "--config", cfgPath, "--db", db}, code: exitOK,
			check: func(t *testing.T, out string) {
				byName := lines(out)
				if len(byName) != 5 { // the header and the four configured sources
					t.Fatalf("%d lines, want a header and 4 sources:\n%s", len(byName), out)
				}
				want := map[string][]string{
					"steady":  {"news", "yes", "2026-03-14 08:30", "done", " 30 ", " 14 ", " 12 ", " 6 ", " ok"},
					"blocked": {"statement", "yes", "2026-03-14 09:00", "cut: cancelled", "18 (http_4xx 16, timeout 2)", " 7 ", "errors jumped: 16 http_4xx", "Forbidden again"},
					"fresh":   {"never", " 0 ", "no runs yet"},
					"off":     {" no ", "never"},
				}
				for name, parts := range want {
					for _, p := range parts {
						if !strings.Contains(byName[name], p) {
							t.Errorf("line of %s does not say %q:\n%s", name, p, byName[name])
						}
					}
				}
				if strings.Contains(out, "gone-from-config") {
					t.Errorf("a source no longer configured is listed:\n%s", out)
				}
			}},
		{name: "json", args: []string{"sources", "--format", "json", "--config", cfgPath, "--db", db}, code: exitOK,
			check: func(t *testing.T, out string) {
				var got []sourceStatus
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out)
				}
				summary := map[string]string{}
				for _, s := range got {
					last := "none"
					if s.LastRun != nil {
						last = fmt.Sprintf("%s new=%d errors=%v", s.LastRun.Status, s.LastRun.New, s.LastRun.ErrorKinds)
					}
					summary[s.Name] = fmt.Sprintf("enabled=%v runs=%d last=%s ok=%v kind=%s", s.Enabled, s.Runs, last, s.Health.OK, s.Health.Kind)
				}
				want := map[string]string{
					"steady":  fmt.Sprintf("enabled=true runs=%d last=done new=%d errors=map[] ok=true kind=", len(steadyRuns), steady.New),
					"blocked": fmt.Sprintf("enabled=true runs=%d last=cut new=%d errors=map[http_4xx:16 timeout:2] ok=false kind=%s", len(blockedRuns)+1, forbidden.New, newsmon.HealthErrors),
					"fresh":   "enabled=true runs=0 last=none ok=true kind=",
					"off":     "enabled=false runs=0 last=none ok=true kind=",
				}
				if len(summary) != len(want) {
					t.Errorf("sources %v, want %v", summary, want)
				}
				for name, w := range want {
					if summary[name] != w {
						t.Errorf("%s: %s\n want %s", name, summary[name], w)
					}
				}
			}},
		{name: "missing store", args: []string{"sources", "--config", cfgPath, "--db", filepath.Join(dir, "typo.db")}, code: exitFail, inStderr: "no store at"},
		{name: "bad format", args: []string{"sources", "--format", "csv", "--config", cfgPath, "--db", db}, code: exitUsage, inStderr: "--format"},
		{name: "unexpected argument", args: []string{"sources", "steady", "--config", cfgPath, "--db", db}, code: exitUsage, inStderr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := newsmonRun(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if tt.inStderr != "" && !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("stderr %q does not say %q", errOut, tt.inStderr)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
		t.Error("sources created a store at a mistyped path")
	}
}
