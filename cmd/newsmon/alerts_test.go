package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/alert"
	"github.com/newsmon/newsmon/store/sqlite"
)

// outletStory is one outlet's report of an event: its own headline, byline,
// date and wording.
type outletStory struct {
	source    string // the source name, also the outlet's title
	headline  string
	byline    string
	published time.Time
	lede      string // the sentence that reports the signing
	more      []string
}

// alertOutlet is a small news site on loopback: robots.txt allowing all, an
// RSS feed per section (feeds), and one article. When forbidden is set it
// answers 403 to everything, as a site whose firewall started refusing
// the crawler does.
type alertOutlet struct {
	st        outletStory
	srv       *httptest.Server
	feeds     []string // paths of its feeds, each listing the article
	forbidden atomic.Bool
	requests  atomic.Int64
}

func startOutlet(t *testing.T, st outletStory, feeds ...string) *alertOutlet {
	t.Helper()
	if len(feeds) == 0 {
		feeds = []string{"/feed/"}
	}
	o := &alertOutlet{st: st, feeds: feeds}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *alertOutlet) articlePath() string {
	slug := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(o.st.headline, "-"))
	return o.st.published.Format("/2006/01/02/") + strings.Trim(slug, "-") + "/"
}

func (o *alertOutlet) articleURL() string { return o.srv.URL + o.articlePath() }

func (o *alertOutlet) serve(w http.ResponseWriter, r *http.Request) {
	o.requests.Add(1)
	if o.forbidden.Load() {
		http.Error(w, "Access denied", http.StatusForbidden)
		return
	}
	switch {
	case r.URL.Path == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "User-agent: *\nAllow: /\n")
	case slices.Contains(o.feeds, r.URL.Path):
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>%s</title><link>%s/</link><description>News</description>
<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>
</channel></rss>`, html.EscapeString(o.st.source), o.srv.URL, html.EscapeString(o.st.headline),
			o.articleURL(), o.articleURL(), o.st.published.Format(time.RFC1123Z), html.EscapeString(o.st.lede))
	case r.URL.Path == o.articlePath():
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var body strings.Builder
		for _, p := range append([]string{o.st.lede}, o.st.more...) {
			fmt.Fprintf(&body, "      <p>%s</p>\n", html.EscapeString(p))
		}
		fmt.Fprintf(w, `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>%[1]s | %[2]s</title>
  <meta property="og:title" content="%[1]s">
  <meta property="article:published_time" content="%[3]s">
  <link rel="canonical" href="%[4]s">
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/politics/">Politics</a> <a href="/economy/">Economy</a></nav></header>
  <main>
    <article>
      <h1>%[1]s</h1>
      <p class="byline">By <a href="/author/">%[5]s</a>, <time datetime="%[3]s">%[6]s</time></p>
%[7]s    </article>
    <aside class="related"><h3>Related</h3><ul><li><a href="/">Weather in Aktau</a></li></ul></aside>
  </main>
  <footer>© %[2]s</footer>
</body>
</html>`, html.EscapeString(o.st.headline), html.EscapeString(o.st.source), o.st.published.Format(time.RFC3339),
			o.articleURL(), html.EscapeString(o.st.byline), o.st.published.Format("2 January 2006"), body.String())
	default:
		http.NotFound(w, r)
	}
}

func (o *alertOutlet) source() newsmon.Source {
	feeds := make([]string, len(o.feeds))
	for i, p := range o.feeds {
		feeds[i] = o.srv.URL + p
	}
	return newsmon.Source{
		Name:           o.st.source,
		Title:          o.st.source,
		Kind:           "news",
		URL:            o.srv.URL + "/",
		Language:       "en",
		Timezone:       "UTC",
		Schedule:       "@every 1h",
		Feeds:          feeds,
		ArticlePattern: "^" + regexp.QuoteMeta(o.srv.URL) + `/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$`,
	}
}

// alertPost is one request a webhook receiver took.
type alertPost struct {
	key  string
	body newsmon.Alert
	raw  string
}

// alertReceiver records the alerts POSTed to it.
type alertReceiver struct {
	mu    sync.Mutex
	posts []alertPost
}

func (h *alertReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	p := alertPost{key: r.Header.Get(alert.HeaderIdempotencyKey), raw: string(b)}
	if r.Method != http.MethodPost || json.Unmarshal(b, &p.body) != nil {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
	}
	h.mu.Lock()
	h.posts = append(h.posts, p)
	h.mu.Unlock()
}

func (h *alertReceiver) received() []alertPost {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.posts)
}

func startReceiver(t *testing.T) (*alertReceiver, string) {
	t.Helper()
	h := &alertReceiver{}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL + "/hooks/newsmon"
}

// writeOutletConfig writes a config for the outlets, with the shipped
// topics and parties, and appends extra (the [[alert]] rules).
func writeOutletConfig(t *testing.T, outlets []*alertOutlet, extra string) string {
	t.Helper()
	shipped, err := newsmon.Load("../../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	var sources []newsmon.Source
	for _, o := range outlets {
		sources = append(sources, o.source())
	}
	cfg := struct {
		Crawler map[string]any   `toml:"crawler"`
		Sources []newsmon.Source `toml:"source"`
		Topics  []newsmon.Topic  `toml:"topic"`
		Parties []newsmon.Party  `toml:"party"`
	}{
		Crawler: map[string]any{"delay": "10ms", "timeout": "5s", "retries": 0, "max_body": "2MB"},
		Sources: sources,
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

// signingStories are five outlets' reports of one signing, each in its
// own words, published on the day or the day after.
func signingStories() []outletStory {
	day := time.Date(2025, 6, 10, 9, 30, 0, 0, time.UTC)
	background := []string{
		"The route carries containers from China to Europe across Kazakhstan, the Caspian Sea, Azerbaijan and Georgia, avoiding Russian territory.",
		"Officials expect further talks on a common tariff for the crossing later in the year.",
	}
	return []outletStory{
		{"caspian-wire", "Kazakhstan, Azerbaijan sign Middle Corridor memorandum", "Aida Nurlanova", day,
			"Kazakhstan and Azerbaijan signed a memorandum on the Middle Corridor in Baku on 10 June 2025.", background},
		{"steppe-post", "Baku and Astana agree to speed up cargo on the Middle Corridor", "Rashad Mammadov", day.Add(2 * time.Hour),
			"Azerbaijan and Kazakhstan on Tuesday signed a memorandum of understanding on developing the Middle Corridor.", background},
		{"silk-road-daily", "Governments sign memorandum on Trans-Caspian route", "Elena Petrova", day.Add(5 * time.Hour),
			"The governments of Kazakhstan and Azerbaijan have signed a memorandum on joint development of the Trans-Caspian International Transport Route.", background},
		{"caucasus-monitor", "Memorandum on Middle Corridor signed in Baku", "Leyla Aliyeva", day.Add(20 * time.Hour),
			"A memorandum on the Middle Corridor was signed by Azerbaijan and Kazakhstan in Baku on June 10.", background},
		{"eurasia-ledger", "Kazakh and Azerbaijani officials sign corridor memorandum", "Timur Seitkali", day.Add(26 * time.Hour),
			"Kazakh and Azerbaijani officials signed a memorandum in Baku on 10 June aimed at raising cargo volumes along the Middle Corridor.", background},
	}
}

func startOutlets(t *testing.T, stories []outletStory) []*alertOutlet {
	t.Helper()
	var outlets []*alertOutlet
	for _, st := range stories {
		outlets = append(outlets, startOutlet(t, st))
	}
	return outlets
}

// agreementPosts returns the posts of agreement alerts.
func agreementPosts(h *alertReceiver) []alertPost {
	var out []alertPost
	for _, p := range h.received() {
		if p.body.Kind == newsmon.AlertAgreement {
			out = append(out, p)
		}
	}
	return out
}

func TestFiveOutletsReportingOneSigningGiveOneAlertListingAllFive(t *testing.T) {
	hook, hookURL := startReceiver(t)
	outlets := startOutlets(t, signingStories())
	cfg := writeOutletConfig(t, outlets, `
[[alert]]
name = "signed"
on = "agreement"
webhook = "`+hookURL+`"
`)
	db := filepath.Join(t.TempDir(), "newsmon.db")

	code, stdout, stderr := newsmonRun(t, "crawl", "--config", cfg, "--db", db, "--quiet")
	if code != 0 {
		t.Fatalf("crawl: exit %d: %s", code, stderr)
	}
	for _, o := range outlets {
		if !regexp.MustCompile(`(?m)^` + o.st.source + `: .* 1 new,`).MatchString(stdout) {
			t.Errorf("summary does not show one new article for %s:\n%s", o.st.source, stdout)
		}
	}
	if !strings.Contains(stdout, "alerts: 1 delivered, 0 to retry") {
		t.Errorf("crawl output does not report the one delivery:\n%s", stdout)
	}

	posts := agreementPosts(hook)
	if len(posts) != 1 {
		t.Fatalf("the receiver got %d agreement alerts, want 1: %v", len(posts), posts)
	}
	got := posts[0]
	if got.key == "" || got.key != got.body.ID {
		t.Errorf("Idempotency-Key %q, body id %q: want the same, not empty", got.key, got.body.ID)
	}
	if got.body.Rule != "signed" || got.body.Event == nil {
		t.Fatalf("alert body: %s", got.raw)
	}
	ev := got.body.Event
	if parties := slices.Sorted(slices.Values(ev.Parties)); !slices.Equal(parties, []string{"Azerbaijan", "Kazakhstan"}) {
		t.Errorf("event parties %v, want Azerbaijan and Kazakhstan", ev.Parties)
	}
	if ev.Instrument != "memorandum" || ev.Status != newsmon.StatusSigned {
		t.Errorf("event %s %s, want a signed memorandum", ev.Status, ev.Instrument)
	}
	// The alert goes out after the whole run, so it lists every outlet's
	// report, each with the sentence that made it match.
	var alerted []string
	for _, a := range got.body.Articles {
		alerted = append(alerted, a.Source)
		if a.Sentence == "" || a.URL == "" || a.Title == "" {
			t.Errorf("alert article without evidence: %+v", a)
		}
	}
	slices.Sort(alerted)
	var want []string
	for _, o := range outlets {
		want = append(want, o.st.source)
	}
	slices.Sort(want)
	if !slices.Equal(alerted, want) {
		t.Errorf("alert lists the reports of %v, want %v", alerted, want)
	}

	code, stdout, stderr = newsmonRun(t, "agreements", "--config", cfg, "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("agreements: exit %d: %s", code, stderr)
	}
	var events []newsmon.AgreementEvent
	if err := json.Unmarshal([]byte(stdout), &events); err != nil {
		t.Fatalf("agreements json: %v: %s", err, stdout)
	}
	if len(events) != 1 {
		t.Fatalf("%d agreement events, want one: %s", len(events), stdout)
	}
	var reported []string
	for _, r := range events[0].Reports {
		reported = append(reported, r.Source)
	}
	slices.Sort(reported)
	if !slices.Equal(reported, want) {
		t.Errorf("the event has the reports of %v, want %v", reported, want)
	}
	if events[0].EventID != ev.EventID {
		t.Errorf("the alert names event %q, the store %q", ev.EventID, events[0].EventID)
	}

	// A second pass finds nothing new: nothing more goes out.
	before := len(hook.received())
	code, stdout, stderr = newsmonRun(t, "crawl", "--config", cfg, "--db", db, "--quiet")
	if code != 0 {
		t.Fatalf("second crawl: exit %d: %s", code, stderr)
	}
	if after := hook.received(); len(after) != before {
		t.Errorf("the second crawl delivered %d more alerts: %v", len(after)-before, after[before:])
	}
	if strings.Contains(stdout, "alerts:") {
		t.Errorf("the second crawl reports alerts:\n%s", stdout)
	}
}

// closedPort returns a loopback address nothing listens on (it did a
// moment ago, so nothing else took it).
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestAlertForADownReceiverStaysQueued(t *testing.T) {
	outlets := startOutlets(t, signingStories()[:2])
	addr := closedPort(t)
	hookURL := "http://" + addr + "/hooks/newsmon"
	cfg := writeOutletConfig(t, outlets, `
[[alert]]
name = "signed"
on = "agreement"
webhook = "`+hookURL+`"
`)
	db := filepath.Join(t.TempDir(), "newsmon.db")

	code, stdout, stderr := newsmonRun(t, "crawl", "--config", cfg, "--db", db, "--quiet")
	if code != 0 {
		t.Fatalf("crawl with the receiver down: exit %d, want 0: %s", code, stderr)
	}
	if !strings.Contains(stdout, "alerts: 0 delivered, 1 to retry") {
		t.Errorf("crawl output does not report the alert to retry:\n%s", stdout)
	}

	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	pending, err := st.PendingDeliveries(ctx, time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 {
		t.Fatalf("%d pending deliveries, want the one alert: %+v", len(pending), pending)
	}
	d := pending[0]
	if d.Rule != "signed" || d.Channel != newsmon.ChannelWebhook || d.Attempts != 1 || d.LastError == "" {
		t.Errorf("pending delivery %+v: want rule signed, webhook, 1 failed attempt with its error", d)
	}
	if !d.NextAttempt.After(time.Now()) {
		t.Errorf("next attempt %v is not in the future: a retry must wait", d.NextAttempt)
	}
	if d.Alert == nil || d.Alert.Kind != newsmon.AlertAgreement || len(d.Alert.Articles) != 2 {
		t.Fatalf("pending alert %+v: want the agreement alert with both reports", d.Alert)
	}
	if due, err := st.PendingDeliveries(ctx, time.Now(), 10); err != nil || len(due) != 0 {
		t.Errorf("deliveries due right now: %d (%v), want none before the retry delay", len(due), err)
	}

	// The receiver comes back on the same address; the retry, when due,
	// reaches it with the alert that waited.
	hook := &alertReceiver{}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: hook}}
	srv.Start()
	defer srv.Close()
	loaded, err := newsmon.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetAlertRules(loaded.Alerts); err != nil {
		t.Fatal(err)
	}
	// Looking at the outbox above claimed the delivery for a lease from
	// an hour ahead; the retry runs once that lease is over too.
	later := func() time.Time { return time.Now().Add(2*time.Hour + sqlite.DeliveryLease) }
	dl := &alert.Deliverer{Outbox: st, Rules: loaded.Alerts, Webhook: &alert.Webhook{}, Now: later}
	sent, failed, err := dl.DeliverDue(ctx)
	if err != nil || sent != 1 || failed != 0 {
		t.Fatalf("retry: sent %d, failed %d, err %v; want 1 sent", sent, failed, err)
	}
	posts := hook.received()
	if len(posts) != 1 || posts[0].key != d.AlertID || posts[0].body.ID != d.AlertID {
		t.Errorf("the receiver got %v, want the alert %s once", posts, d.AlertID)
	}
	if left, err := st.PendingDeliveries(ctx, later().Add(sqlite.DeliveryLease), 10); err != nil || len(left) != 0 {
		t.Errorf("after delivery %d still pending (%v)", len(left), err)
	}
}

func TestAlertsTestCommand(t *testing.T) {
	hook, hookURL := startReceiver(t)
	outlets := startOutlets(t, signingStories()[:1])
	cfg := writeOutletConfig(t, outlets, `
[[alert]]
name = "signed"
on = "agreement"
webhook = "`+hookURL+`"

[[alert]]
name = "feeds-health"
on = "source-health"
webhook = "`+hookURL+`"
`)
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
		kind     string // the kind of the sample the receiver gets; "" for none
	}{
		{"agreement rule", []string{"alerts", "test", "signed"}, 0, "signed", "", newsmon.AlertAgreement},
		{"source-health rule", []string{"alerts", "test", "feeds-health"}, 0, "feeds-health", "", newsmon.AlertSourceHealth},
		{"unknown rule", []string{"alerts", "test", "nosuchrule"}, 2, "", "nosuchrule", ""},
		{"no arguments", []string{"alerts"}, 2, "", "alerts test RULE", ""},
		{"no rule", []string{"alerts", "test"}, 2, "", "alerts test RULE", ""},
		{"not test", []string{"alerts", "send", "signed"}, 2, "", "alerts test RULE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(hook.received())
			args := append([]string{tt.args[0], "--config", cfg}, tt.args[1:]...)
			code, stdout, stderr := newsmonRun(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("stdout %q stderr %q: want %q and %q in them", stdout, stderr, tt.inStdout, tt.inStderr)
			}
			posts := hook.received()[before:]
			if tt.kind == "" {
				if len(posts) != 0 {
					t.Errorf("the receiver got %d posts, want none", len(posts))
				}
				return
			}
			if len(posts) != 1 {
				t.Fatalf("the receiver got %d posts, want one sample", len(posts))
			}
			p := posts[0]
			if p.body.Kind != tt.kind || p.body.Rule != tt.args[2] || p.key != p.body.ID || p.key == "" {
				t.Errorf("sample %s (key %q): want kind %s of rule %s keyed by its id", p.raw, p.key, tt.kind, tt.args[2])
			}
		})
	}
}

func TestSourceHealthAlertWhenAnOutletStartsRefusing(t *testing.T) {
	hook, hookURL := startReceiver(t)
	stories := signingStories()
	// A site with a feed per section: once it refuses, every feed fails.
	refusing := startOutlet(t, stories[0], "/feed/", "/politics/feed/", "/economy/feed/")
	steady := startOutlet(t, stories[1])
	cfg := writeOutletConfig(t, []*alertOutlet{refusing, steady}, `
[[alert]]
name = "feeds-health"
on = "source-health"
webhook = "`+hookURL+`"
`)
	db := filepath.Join(t.TempDir(), "newsmon.db")

	healthPosts := func() []alertPost {
		var out []alertPost
		for _, p := range hook.received() {
			if p.body.Kind == newsmon.AlertSourceHealth {
				out = append(out, p)
			}
		}
		return out
	}
	runs := []struct {
		name      string
		forbidden bool
		alerts    int // source-health alerts received after the run
	}{
		{"first run finds the article", false, 0},
		{"second run finds nothing new", false, 0},
		{"first run refused", true, 1},
		{"second run refused: no repeat", true, 1},
	}
	day := time.Now().UTC().Format(time.DateOnly)
	for _, r := range runs {
		refusing.forbidden.Store(r.forbidden)
		code, stdout, stderr := newsmonRun(t, "crawl", "--config", cfg, "--db", db, "--quiet")
		if code != 0 {
			t.Fatalf("%s: crawl exit %d: %s\n%s", r.name, code, stdout, stderr)
		}
		if time.Now().UTC().Format(time.DateOnly) != day {
			t.Skip("the UTC day changed during the runs: a source-health alert is once a day")
		}
		if got := healthPosts(); len(got) != r.alerts {
			t.Fatalf("%s: %d source-health alerts at the receiver, want %d: %v\n%s", r.name, len(got), r.alerts, got, stdout)
		}
	}
	p := healthPosts()[0]
	if p.body.Source != refusing.st.source || p.body.Rule != "feeds-health" {
		t.Errorf("alert for source %q rule %q, want %s and feeds-health: %s", p.body.Source, p.body.Rule, refusing.st.source, p.raw)
	}
	if !strings.Contains(p.body.Problem, "3 http_4xx") || !strings.Contains(p.body.Problem, "Forbidden") {
		t.Errorf("problem %q does not say the outlet refuses the feeds", p.body.Problem)
	}
	if p.key == "" || p.key != p.body.ID {
		t.Errorf("Idempotency-Key %q, body id %q", p.key, p.body.ID)
	}

	code, stdout, stderr := newsmonRun(t, "sources", "--config", cfg, "--db", db)
	if code != 0 {
		t.Fatalf("sources: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "errors jumped") {
		t.Errorf("sources does not show the problem:\n%s", stdout)
	}
}
