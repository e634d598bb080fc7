package main

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/sqlite"
)

// newsmonRun runs the command line in-process and returns its exit status
// and outputs.
func newsmonRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeConfig writes a config file for the simulated outlets, with the
// shipped topics, as a user would.
func writeConfig(t *testing.T, site *testsite.Site, extra string) string {
	t.Helper()
	shipped, err := newsmon.Load("../../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := struct {
		Crawler map[string]any   `toml:"crawler"`
		Sources []newsmon.Source `toml:"source"`
		Topics  []newsmon.Topic  `toml:"topic"`
		Parties []newsmon.Party  `toml:"party"`
	}{
		Crawler: map[string]any{"delay": "10ms", "timeout": "5s", "retries": 2, "max_body": "2MB"},
		Sources: site.Sources(),
		Topics:  shipped.Topics,
		Parties: shipped.Parties,
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(extra)
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsageAndConfigErrors(t *testing.T) {
	dir := t.TempDir()
	badKey := filepath.Join(dir, "bad.toml")
	os.WriteFile(badKey, []byte("[crawler]\ndelay = \"1s\"\nspeed = 3\n"), 0o644)
	badFeed := filepath.Join(dir, "badfeed.toml")
	os.WriteFile(badFeed, []byte("[[source]]\nname = \"x\"\nurl = \"https://example.org/\"\nfeeds = [\"https://example.org/feed\", \"not a url\"]\n"), 0o644)
	db := filepath.Join(dir, "x.db")
	if st, err := sqlite.Open(db); err != nil {
		t.Fatal(err)
	} else {
		st.Close()
	}
	gone := filepath.Join(dir, "gone.toml")
	os.WriteFile(gone, []byte("[[source]]\nname = \"gone\"\nurl = \"http://127.0.0.1:1/\"\nfeeds = [\"http://127.0.0.1:1/feed/\"]\n"), 0o644)

	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", []string{"crawl", "--fast"}, 2, "fast"},
		{"search without query", []string{"search", "--db", db}, 2, "give a query"},
		{"bad format", []string{"search", "--db", db, "--format", "xml", "corridor"}, 2, "--format"},
		{"bad date", []string{"search", "--db", db, "--since", "March", "corridor"}, 2, "--since"},
		{"bad limit", []string{"search", "--db", db, "--limit", "0", "corridor"}, 2, "--limit"},
		{"unknown source", []string{"crawl", "--db", db, "--source", "nope"}, 2, `--source "nope"`},
		{"unknown config key", []string{"crawl", "--config", badKey}, 2, "crawler.speed"},
		{"bad feed URL", []string{"crawl", "--config", badFeed}, 2, "source[0].feeds[1]"},
		{"missing config file", []string{"crawl", "--config", filepath.Join(dir, "none.toml")}, 2, "none.toml"},
		{"malformed query", []string{"search", "--db", db, `"Middle Corridor`}, 2, "quote"},
		{"extract without input", []string{"extract"}, 2, "no input"},
		{"extract missing file", []string{"extract", filepath.Join(dir, "none.html")}, 1, "none.html"},
		{"search a store that does not exist", []string{"search", "--db", filepath.Join(dir, "typo.db"), "corridor"}, 1, "no store"},
		{"every source unreachable", []string{"crawl", "--config", gone, "--db", db}, 1, "no source could be crawled"},
		{"help", []string{"help"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := newsmonRun(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.inStderr)
			}
		})
	}
}

func TestExtractFilesOffline(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	var seed testsite.Article
	for _, a := range site.Expected() {
		if a.Author == "Fuad Shahbazov" {
			seed = a
		}
	}
	if seed.URL == "" {
		t.Fatal("no seed article in the testsite")
	}
	resp, err := http.Get(seed.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	dir := t.TempDir()
	plain := filepath.Join(dir, "seed.html")
	os.WriteFile(plain, page, 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	zipped := filepath.Join(dir, "seed.html.gz")
	os.WriteFile(zipped, gz.Bytes(), 0o644)

	code, stdout, stderr := newsmonRun(t, "extract", plain, zipped)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d output lines, want one per document", len(lines))
	}
	for _, line := range lines {
		var a struct {
			Title      string              `json:"title"`
			Author     string              `json:"author"`
			Text       string              `json:"text"`
			Topics     []string            `json:"topics"`
			Mentions   []newsmon.Mention   `json:"mentions"`
			Agreements []newsmon.Agreement `json:"agreements"`
			Published  *string             `json:"published"`
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("not JSON: %v: %.200s", err, line)
		}
		if a.Title != seed.Title || a.Author != seed.Author {
			t.Errorf("title %q author %q, want %q %q", a.Title, a.Author, seed.Title, seed.Author)
		}
		if a.Published == nil {
			t.Error("no published date")
		}
		for _, topic := range []string{"agreement", "corridor", "pipeline"} {
			if !slices.Contains(a.Topics, topic) {
				t.Errorf("topics %v lack %s", a.Topics, topic)
			}
		}
		if !strings.Contains(a.Text, "$300 million investment fund") {
			t.Errorf("text lacks the fund paragraph")
		}
		if len(a.Mentions) == 0 {
			t.Fatal("no mentions")
		}
		for _, m := range a.Mentions {
			if m.Start < 0 || m.End > len(a.Text) || a.Text[m.Start:m.End] != m.Matched {
				t.Errorf("mention %+v: offsets do not point at the match", m)
			}
		}
	}
}

func TestCrawlSearchExport(t *testing.T) {
	site := testsite.Start()
	defer site.Close()
	cfg := writeConfig(t, site, "")
	db := filepath.Join(t.TempDir(), "newsmon.db")

	code, stdout, stderr := newsmonRun(t, "crawl", "--config", cfg, "--db", db, "--quiet")
	if code != 0 {
		t.Fatalf("crawl: exit %d: %s", code, stderr)
	}
	for _, s := range site.Sources() {
		if !strings.Contains(stdout, s.Name+": ") {
			t.Errorf("no summary line for %s in %q", s.Name, stdout)
		}
	}

	code, stdout, stderr = newsmonRun(t, "search", "--config", cfg, "--db", db, "Middle Corridor", "--format", "jsonl", "--limit", "50")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, stderr)
	}
	var titles []string
	var scores []float64
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var r newsmon.SearchResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("search jsonl: %v", err)
		}
		titles = append(titles, r.Title)
		scores = append(scores, r.Score)
	}
	if len(scores) > 1 && !slices.IsSortedFunc(scores, func(a, b float64) int { return cmp.Compare(b, a) }) {
		t.Errorf("results not best first: scores %v", scores)
	}
	if !slices.Contains(titles, "Azerbaijan – Kazakhstan Strategic Partnership: A New Geopolitical Axis?") {
		t.Errorf("search did not find the seed article; got %q", titles)
	}

	code, stdout, stderr = newsmonRun(t, "search", "--config", cfg, "--db", db, "--topic", "pipeline", "BTC")
	if code != 0 || !strings.Contains(stdout, "articles found") || !strings.Contains(stdout, "[") {
		t.Errorf("table search: exit %d, %q %s", code, stdout, stderr)
	}

	code, stdout, stderr = newsmonRun(t, "agreements", "--config", cfg, "--db", db, "--party", "Kazakhstan", "--status", "signed", "--format", "json", "--limit", "200")
	if code != 0 {
		t.Fatalf("agreements: exit %d: %s", code, stderr)
	}
	var events []newsmon.AgreementEvent
	if err := json.Unmarshal([]byte(stdout), &events); err != nil {
		t.Fatalf("agreements json: %v", err)
	}
	fund := false
	for _, e := range events {
		if e.Instrument == "fund" && slices.Contains(e.Parties, "Azerbaijan") && slices.Contains(e.Parties, "Kazakhstan") {
			for _, r := range e.Reports {
				if strings.Contains(r.Title, "Strategic Partnership") && strings.Contains(e.Value, "300 million") {
					fund = true
				}
			}
		}
		if e.Status != "signed" || !slices.Contains(e.Parties, "Kazakhstan") || len(e.Reports) == 0 {
			t.Errorf("event outside the filter or without reports: %+v", e)
		}
	}
	if !fund {
		t.Errorf("agreements lack the seed article's $300 million fund: %s", stdout)
	}
	if code, _, stderr := newsmonRun(t, "agreements", "--config", cfg, "--db", db, "--status", "inked"); code != 2 || !strings.Contains(stderr, "--status") {
		t.Errorf("bad --status: exit %d, %s", code, stderr)
	}

	code, stdout, stderr = newsmonRun(t, "export", "--config", cfg, "--db", db)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	n := 0
	sc = bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var a map[string]any
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("export line: %v", err)
		}
		for _, k := range []string{"id", "source", "url", "canonical_url", "title", "text", "first_seen", "fetched_at", "topics", "mentions"} {
			if _, ok := a[k]; !ok {
				t.Errorf("export record lacks %q", k)
			}
		}
		n++
	}
	if want := len(site.Expected()); n != want {
		t.Errorf("export wrote %d articles, want %d", n, want)
	}
}

func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	code, stdout, stderr := newsmonRun(t, "demo", "--db", db, "--serve=false")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"newsroom", "ministry", "agency", "Strategic Partnership", "newsmon search --db " + db} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	// demo refuses to wipe a file it did not make.
	if code, _, stderr := newsmonRun(t, "demo", "--db", db); code != 2 || !strings.Contains(stderr, "exists") {
		t.Errorf("second demo into an existing file: exit %d, %s", code, stderr)
	}
}
