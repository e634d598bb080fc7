package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/sqlite"
)

// desk is the test binary's shared setup: the simulated outlets and a
// hostile outlet crawled once into a real SQLite store, served by a web
// Server on loopback. Building it takes a crawl, so only the tests that
// need it pay, once.
type desk struct {
	store   newsmon.Store
	srv     *httptest.Server
	opts    Options
	site    *testsite.Site
	hostile *httptest.Server
	err     error
}

var (
	deskOnce sync.Once
	theDesk  desk
	deskDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theDesk.srv != nil {
		theDesk.srv.Close()
		theDesk.store.Close()
		theDesk.site.Close()
		theDesk.hostile.Close()
	}
	closeBrowser()
	if deskDir != "" {
		os.RemoveAll(deskDir)
	}
	os.Exit(code)
}

// hostileTitle and hostileText carry script and attribute-injection
// payloads as text: a page may say anything, and the desk must show it
// literally. Each payload, if it ever ran, would set window.__pwned or
// the document's title.
const (
	hostileTitle = `<script>window.__pwned="title"</script>"><img src=x onerror="window.__pwned='img'"> Middle Corridor exposé`
	hostileText  = `<script>document.title="pwned"</script> The Middle Corridor carries cargo. "><svg onload="window.__pwned='svg'"> ` +
		`'><iframe src="javascript:window.__pwned='iframe'"></iframe> <a href="javascript:window.__pwned='link'">click</a> ` +
		`<style>body{display:none}</style> {{.}} ${7*7} &amp; &lt;b&gt;`
)

// hostileSite serves one article whose title and text carry the payloads
// (escaped in the source, so that the extractor sees them as text, as it
// would a story about XSS), plus live script and handlers in the markup,
// which extraction must drop, and a javascript: canonical link.
func hostileSite() *httptest.Server {
	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	mux.HandleFunc("/feed/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>%[1]s/</link>
<item><title>hostile</title><link>%[1]s/2025/07/hostile-story/</link><pubDate>Tue, 01 Jul 2025 10:00:00 +0000</pubDate></item>
</channel></rss>`, base)
	})
	mux.HandleFunc("/2025/07/hostile-story/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		esc := html.EscapeString
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>%[1]s</title><meta property="og:title" content="%[1]s">
<link rel="canonical" href="javascript:window.__pwned='canonical'">
<meta property="article:published_time" content="2025-07-01T10:00:00Z">
<script>window.__pwned='page'</script></head>
<body onload="window.__pwned='body'"><article><h1>%[1]s</h1>
<p class="byline">By <a href="javascript:alert(1)">&lt;b onmouseover=alert(1)&gt;Mallory</a></p>
<div class="entry-content">
<p>%[2]s</p>
<p>Kazakhstan and Azerbaijan signed a memorandum on the Middle Corridor in Baku, officials said. <img src=x onerror="window.__pwned='live-img'"></p>
<p>Analysts expect more cargo on the route next year, and the ports of Aktau and Baku are expanding their terminals to handle it.</p>
</div></article></body></html>`, esc(hostileTitle), esc(hostileText))
	})
	srv := httptest.NewServer(mux)
	base = srv.URL
	return srv
}

// shippedConfig is the repository's config.toml: its topics and parties.
func shippedConfig(t testing.TB) *newsmon.Config {
	t.Helper()
	cfg, err := newsmon.Load("../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// theDeskFor returns the shared desk, building it on first use.
func theDeskFor(t *testing.T) *desk {
	t.Helper()
	deskOnce.Do(func() { theDesk.err = buildDesk(shippedConfig(t)) })
	if theDesk.err != nil {
		t.Fatalf("build the desk: %v", theDesk.err)
	}
	return &theDesk
}

func buildDesk(shipped *newsmon.Config) error {
	d := &theDesk
	d.site = testsite.Start()
	d.hostile = hostileSite()
	cfg := newsmon.DefaultConfig()
	cfg.Topics, cfg.Parties = shipped.Topics, shipped.Parties
	cfg.Sources = append(d.site.Sources(), newsmon.Source{
		Name: "hostile", Title: "Hostile <Outlet>", Kind: newsmon.KindNews, URL: d.hostile.URL + "/", Language: "en",
		Schedule: "@every 1h", Feeds: []string{d.hostile.URL + "/feed/"},
	})
	cfg.Crawler.Delay = newsmon.Duration(10 * time.Millisecond)
	cfg.Crawler.Timeout = newsmon.Duration(5 * time.Second)
	cfg.Crawler.MaxBody = 2 << 20
	cfg.Crawler.Retries = 2
	if err := cfg.Validate(); err != nil {
		return err
	}
	var err error
	if deskDir, err = os.MkdirTemp("", "newsmon-web-test-"); err != nil {
		return err
	}
	st, err := sqlite.Open(filepath.Join(deskDir, "desk.db"))
	if err != nil {
		return err
	}
	d.store = st
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return err
	}
	srcs := make([]*newsmon.Source, len(cfg.Sources))
	for i := range cfg.Sources {
		srcs[i] = &cfg.Sources[i]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := crawler.New(cfg.Crawler, st, ex, nil).RunAll(ctx, srcs, len(srcs)); err != nil {
		return err
	}
	d.opts = Options{Sources: cfg.Sources, Topics: topicNames(cfg.Topics), Parties: partyNames(cfg.Parties)}
	d.srv = httptest.NewServer(New(st, d.opts))
	return nil
}

func topicNames(ts []newsmon.Topic) []string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return names
}

func partyNames(ps []newsmon.Party) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}
