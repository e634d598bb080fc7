package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

func TestDigestPeriod(t *testing.T) {
	cases := []struct {
		name   string
		at     string
		period time.Duration
		start  string
	}{
		{"hour, mid-way", "2026-03-04T10:17:09Z", time.Hour, "2026-03-04T10:00:00Z"},
		{"hour, on the turn", "2026-03-04T11:00:00Z", time.Hour, "2026-03-04T11:00:00Z"},
		{"day", "2026-03-04T23:59:59Z", 24 * time.Hour, "2026-03-04T00:00:00Z"},
		{"fifteen minutes", "2026-03-04T10:44:59Z", 15 * time.Minute, "2026-03-04T10:30:00Z"},
		{"before the epoch", "1969-12-31T23:30:00Z", time.Hour, "1969-12-31T23:00:00Z"},
		{"under a second", "2026-03-04T10:17:09Z", time.Millisecond, "2026-03-04T10:17:09Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, c.at)
			want, _ := time.Parse(time.RFC3339, c.start)
			start, end := newsmon.DigestPeriod(at, c.period)
			if start != want.Unix() || !end.Equal(want.Add(max(c.period, time.Second))) {
				t.Errorf("period of %s: %d to %s, want %d to %s", c.at, start, end, want.Unix(), want.Add(c.period))
			}
			rule, s, err := newsmon.ParseDigestID(newsmon.DigestID("desk:hourly", time.Unix(start, 0)))
			if err != nil || rule != "desk:hourly" || !s.Equal(want) {
				t.Errorf("digest ID round trip: %q %s %v", rule, s, err)
			}
		})
	}
	for _, id := range []string{"3f2a", "digest:", "digest:rule", "digest:rule:x"} {
		if _, _, err := newsmon.ParseDigestID(id); err == nil {
			t.Errorf("ParseDigestID(%q) ok", id)
		}
	}
}

// TestAlertBounds saves an event reported far too often and with a huge
// sentence: the alert stays bounded and the saves succeed.
func TestAlertBounds(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	if err := db.SetAlertRules([]newsmon.AlertRule{{Name: "all", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/"}}); err != nil {
		t.Fatal(err)
	}
	const reports = maxAlertArticles + 30
	ws := make([]newsmon.ArticleWrite, reports)
	for i := range ws {
		u := fmt.Sprintf("https://echo.example/%d", i)
		sentence := "Armenia and Georgia signed an agreement on a bridge. "
		if i == 0 {
			sentence = strings.Repeat(sentence, 1000)
		}
		ws[i].Article = &newsmon.Article{Source: "echo", URL: u, CanonicalURL: u, IsArticle: true,
			Title: fmt.Sprint("Bridge ", i), Text: sentence, Published: &time.Time{},
			Agreements: []newsmon.Agreement{{Instrument: "agreement", Status: newsmon.StatusSigned,
				Parties: []string{"Armenia", "Georgia"}, Sentence: sentence}}}
	}
	for i, r := range db.SaveArticles(context.Background(), ws) {
		if r.Err != nil {
			t.Fatalf("article %d: %v", i, r.Err)
		}
	}
	alerts, err := db.FindAlerts(context.Background(), newsmon.AlertFilter{})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("%d alerts, %v; want 1", len(alerts), err)
	}
	al := alerts[0]
	if len(al.Articles) != maxAlertArticles || al.Version != maxAlertArticles {
		t.Errorf("%d articles, version %d; want both %d", len(al.Articles), al.Version, maxAlertArticles)
	}
	if len(al.Event.Sentence) > maxAlertText || len(al.Articles[0].Sentence) > maxAlertText {
		t.Errorf("sentences of %d and %d bytes kept, at most %d", len(al.Event.Sentence), len(al.Articles[0].Sentence), maxAlertText)
	}
}

// outboxCrashEnv names the store a child of TestOutboxCrash writes to.
const outboxCrashEnv = "NEWSMON_SQLITE_OUTBOX_CRASH_STORE"

var crashRules = []newsmon.AlertRule{{Name: "signings", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/"}}

// crashSigning is article i of the outbox crash test: a signing of its own.
func crashSigning(i int) *newsmon.Article {
	a := numbered(i, 8000)
	a.Agreements = []newsmon.Agreement{{Instrument: "agreement", Status: newsmon.StatusSigned,
		Parties:  []string{"Kazakhstan", fmt.Sprintf("Partner %d", i)},
		Sentence: fmt.Sprintf("Kazakhstan and Partner %d signed an agreement.", i)}}
	return a
}

// TestOutboxCrashChild is the child of TestOutboxCrash: it saves articles
// that raise alerts and, every third one, delivers what is due, printing
// each article saved and each delivery marked.
func TestOutboxCrashChild(t *testing.T) {
	path := os.Getenv(outboxCrashEnv)
	if path == "" {
		t.Skip("runs only as the child of TestOutboxCrash")
	}
	db, err := Open(path)
	if err == nil {
		err = db.SetAlertRules(crashRules)
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ctx := context.Background()
	from, _ := strconv.Atoi(os.Getenv(crashFromEnv))
	for i := from; ; i++ {
		if _, err := db.SaveArticle(ctx, crashSigning(i), nil); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("saved", i)
		if i%3 != 0 {
			continue
		}
		ds, err := db.PendingDeliveries(ctx, time.Now(), 2)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		for _, d := range ds {
			if err := db.MarkDelivered(ctx, d.AlertID, d.Channel); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Println("delivered", d.AlertID)
		}
	}
}

// TestOutboxCrash kills a process that saves articles and delivers their
// alerts with SIGKILL, at several moments, then checks that every stored
// article that raised an alert has it, with one delivery, either marked
// delivered or handed out again; and that no delivery reported delivered
// is handed out again.
func TestOutboxCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "outbox.db")
	next := 0
	delivered := map[string]bool{}
	for round, killAfter := range []int{4, 23, 51} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOutboxCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), outboxCrashEnv+"="+path, fmt.Sprintf("%s=%d", crashFromEnv, next))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		saved := 0
		deadline := time.Now().Add(60 * time.Second)
		for saved < killAfter && time.Now().Before(deadline) && lines.Scan() {
			var i int
			var id string
			switch {
			case strings.HasPrefix(lines.Text(), "saved "):
				fmt.Sscanf(lines.Text(), "saved %d", &i)
				next = max(next, i+1)
				saved++
			case strings.HasPrefix(lines.Text(), "delivered "):
				fmt.Sscanf(lines.Text(), "delivered %s", &id)
				delivered[id] = true
			default:
				t.Fatalf("round %d: child says %q", round, lines.Text())
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if saved < killAfter {
			t.Fatalf("round %d: child saved %d articles before the deadline, want %d", round, saved, killAfter)
		}

		db, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		checkIntegrity(t, db)
		if err := db.SetAlertRules(crashRules); err != nil {
			t.Fatal(err)
		}
		db.SetDeliveryLease(time.Microsecond) // the parent's claims end at once
		// One article more than reported is one killed between commit and print.
		articles := 0
		if err := db.ExportArticles(ctx, newsmon.ExportFilter{}, func(*newsmon.Article) error { articles++; return nil }); err != nil {
			t.Fatal(err)
		}
		alerts, err := db.FindAlerts(ctx, newsmon.AlertFilter{Limit: maxAlertLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != articles || articles < next {
			t.Errorf("round %d: %d alerts for %d articles (%d reported saved)", round, len(alerts), articles, next)
		}
		// After the child's leases, everything not delivered is handed out.
		pending, err := db.PendingDeliveries(ctx, time.Now().Add(2*DeliveryLease), maxDeliveryBatch)
		if err != nil {
			t.Fatal(err)
		}
		handed := map[string]bool{}
		for _, d := range pending {
			if delivered[d.AlertID] {
				t.Errorf("round %d: %s reported delivered is handed out again", round, d.AlertID)
			}
			if handed[d.AlertID] {
				t.Errorf("round %d: %s handed out twice", round, d.AlertID)
			}
			handed[d.AlertID] = true
		}
		var marked, rows int
		if err := db.reader.QueryRow(`SELECT count(delivered), count(*) FROM alert_deliveries`).Scan(&marked, &rows); err != nil {
			t.Fatal(err)
		}
		if rows != len(alerts) || marked+len(pending) != rows || marked < len(delivered) {
			t.Errorf("round %d: %d deliveries for %d alerts: %d marked delivered (%d reported), %d handed out",
				round, rows, len(alerts), marked, len(delivered), len(pending))
		}
		t.Logf("round %d: %d articles, %d alerts, %d delivered, %d pending", round, articles, len(alerts), marked, len(pending))
		db.Close()
	}
}

// TestAlertRulesWhileSaving replaces the rules while articles are saved:
// no race, and every alert raised belongs to a rule in force at some point.
func TestAlertRulesWhileSaving(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	sets := [][]newsmon.AlertRule{
		{{Name: "a", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/a"}},
		{{Name: "b", On: newsmon.AlertSearch, Query: "Shipment", Webhook: "http://127.0.0.1:9/b"}},
		nil,
	}
	done := make(chan error)
	go func() {
		for i := range 60 {
			if _, err := db.SaveArticle(ctx, crashSigning(i), nil); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			alerts, err := db.FindAlerts(ctx, newsmon.AlertFilter{Limit: maxAlertLimit})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range alerts {
				if a.Rule != "a" && a.Rule != "b" {
					t.Errorf("alert of rule %q", a.Rule)
				}
			}
			t.Logf("%d alerts over %d rule changes", len(alerts), i)
			return
		default:
			if err := db.SetAlertRules(sets[i%len(sets)]); err != nil {
				t.Fatal(err)
			}
		}
	}
}
