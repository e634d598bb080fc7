package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// alertTests are the outbox contract tests, run by Run.
var alertTests = []struct {
	name string
	run  func(*testing.T, newsmon.Store)
}{
	{"AlertOneEventManyOutlets", testAlertOneEventManyOutlets},
	{"AlertResaveAndEdit", testAlertResaveAndEdit},
	{"AlertStatuses", testAlertStatuses},
	{"AlertPartyAndFilters", testAlertPartyAndFilters},
	{"AlertSearchRule", testAlertSearchRule},
	{"AlertRulesInvalid", testAlertRulesInvalid},
	{"AlertDeliveryCycle", testAlertDeliveryCycle},
	{"AlertLeases", testAlertLeases},
	{"AlertDigest", testAlertDigest},
	{"AlertRaise", testAlertRaise},
	{"AlertFindOrder", testAlertFindOrder},
}

// maxLease is the longest delivery lease the contract allows a store.
const maxLease = time.Hour

// Rules of the alert tests: every channel, so each alert has two
// deliveries.
var (
	signingRule = newsmon.AlertRule{Name: "signings", On: newsmon.AlertAgreement,
		Webhook: "http://127.0.0.1:9/hook", Email: []string{"desk@example.org"}}
	healthRule = newsmon.AlertRule{Name: "health", On: newsmon.AlertSourceHealth,
		Webhook: "http://127.0.0.1:9/hook"}
)

// signing is the agreement the outlets of the alert tests report.
func signing(sentence string) newsmon.Agreement {
	return newsmon.Agreement{Instrument: "memorandum", Status: newsmon.StatusSigned,
		Parties: []string{"Azerbaijan", "Uzbekistan"}, Sentence: sentence}
}

// fiveOutlets are five outlets reporting one signing over three days.
func fiveOutlets() []*newsmon.Article { return fiveOutletsIn("2025-06") }

// fiveOutletsIn are five outlets reporting one signing in month (yyyy-mm).
func fiveOutletsIn(month string) []*newsmon.Article {
	return []*newsmon.Article{
		report("trend", month+"-03", 1, signing("Azerbaijan and Uzbekistan signed a memorandum on green energy exports.")),
		report("uzdaily", month+"-03", 2, signing("Tashkent and Baku signed a memorandum on a power cable.")),
		report("apa", month+"-04", 3, signing("A memorandum between Azerbaijan and Uzbekistan was signed in Baku.")),
		report("kun", month+"-04", 4, signing("Uzbekistan and Azerbaijan have signed an energy memorandum.")),
		report("report", month+"-05", 5, signing("The memorandum Azerbaijan and Uzbekistan signed covers electricity.")),
	}
}

func setRules(t *testing.T, s newsmon.Store, rules ...newsmon.AlertRule) {
	t.Helper()
	if err := s.SetAlertRules(rules); err != nil {
		t.Fatalf("set alert rules: %v", err)
	}
}

func findAlerts(t *testing.T, s newsmon.Store, f newsmon.AlertFilter) []newsmon.Alert {
	t.Helper()
	as, err := s.FindAlerts(context.Background(), f)
	if err != nil {
		t.Fatalf("find alerts: %v", err)
	}
	return as
}

// pending returns every delivery due by at, claiming them.
func pending(t *testing.T, s newsmon.Store, at time.Time) []newsmon.Delivery {
	t.Helper()
	ds, err := s.PendingDeliveries(context.Background(), at, 1000)
	if err != nil {
		t.Fatalf("pending deliveries: %v", err)
	}
	return ds
}

// soon is a time by which a delivery queued now is due.
func soon() time.Time { return time.Now().Add(time.Second) }

func channelsOf(ds []newsmon.Delivery) []string {
	var cs []string
	for _, d := range ds {
		cs = append(cs, d.AlertID+"/"+d.Channel)
	}
	slices.Sort(cs)
	return cs
}

func testAlertOneEventManyOutlets(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	setRules(t, s, signingRule)
	cases := []struct {
		name  string
		month string // each case's signing is its own event
		save  func(as []*newsmon.Article)
	}{
		{"one batch", "2025-06", func(as []*newsmon.Article) {
			ws := make([]newsmon.ArticleWrite, len(as))
			for i, a := range as {
				ws[i].Article = a
			}
			for i, r := range s.SaveArticles(ctx, ws) {
				if r.Err != nil {
					t.Fatalf("article %d: %v", i, r.Err)
				}
			}
		}},
		{"separate batches", "2025-09", func(as []*newsmon.Article) {
			for _, a := range as {
				mustSave(t, s, a, nil)
			}
		}},
		{"two batches", "2025-11", func(as []*newsmon.Article) {
			mustSave(t, s, as[0], nil)
			ws := []newsmon.ArticleWrite{{Article: as[1]}, {Article: as[2]}, {Article: as[3]}, {Article: as[4]}}
			for i, r := range s.SaveArticles(ctx, ws) {
				if r.Err != nil {
					t.Fatalf("article %d: %v", i, r.Err)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			as := fiveOutletsIn(c.month)
			c.save(as)
			eventID := as[0].Agreements[0].EventID
			var got []newsmon.Alert
			for _, al := range findAlerts(t, s, newsmon.AlertFilter{}) {
				if al.Event != nil && al.Event.EventID == eventID {
					got = append(got, al)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d alerts for the event, want 1", len(got))
			}
			al := got[0]
			var sources []string
			for _, art := range al.Articles {
				sources = append(sources, art.Source)
			}
			wantSources := []string{"trend", "uzdaily", "apa", "kun", "report"}
			if al.Version != 5 || !slices.Equal(sources, wantSources) || al.Kind != newsmon.AlertAgreement ||
				al.Event.Status != newsmon.StatusSigned || len(al.Event.Parties) != 2 {
				t.Errorf("alert version %d, sources %q, event %+v; want version 5, sources %q", al.Version, sources, al.Event, wantSources)
			}
			if al.Articles[2].Sentence != as[2].Agreements[0].Sentence || al.Articles[2].URL != as[2].CanonicalURL {
				t.Errorf("third article %+v, want the sentence and URL of %s", al.Articles[2], as[2].URL)
			}
			ds := pending(t, s, soon())
			var mine []newsmon.Delivery
			for _, d := range ds {
				if d.AlertID == al.ID {
					mine = append(mine, d)
				}
			}
			want := []string{al.ID + "/" + newsmon.ChannelEmail, al.ID + "/" + newsmon.ChannelWebhook}
			if !slices.Equal(channelsOf(mine), want) {
				t.Errorf("deliveries %v, want one per channel %v", channelsOf(mine), want)
			}
			for _, d := range mine {
				if d.Alert == nil || len(d.Alert.Articles) != 5 {
					t.Errorf("delivery %s without the alert and its five articles: %+v", d.Channel, d.Alert)
				}
			}
		})
	}
}

func testAlertResaveAndEdit(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	setRules(t, s, signingRule)
	a := fiveOutlets()[0]
	mustSave(t, s, a, nil)
	first := findAlerts(t, s, newsmon.AlertFilter{})
	if len(first) != 1 || first[0].Version != 1 {
		t.Fatalf("after the first save: %+v, want one alert of version 1", first)
	}

	steps := []struct {
		name    string
		change  func(a *newsmon.Article)
		alerts  int
		updated bool
	}{
		{"re-saved unchanged", func(*newsmon.Article) {}, 1, false},
		{"edited, same agreement", func(a *newsmon.Article) {
			a.Text += "\n\nUpdated: the ministers also discussed transit tariffs."
			a.Agreements[0].EventID = ""
		}, 1, true},
		{"edited again, same agreement in other words", func(a *newsmon.Article) {
			a.Title = "Energy memorandum signed"
			a.Agreements[0].Sentence = "Baku and Tashkent signed the energy memorandum."
			a.Agreements[0].EventID = ""
		}, 1, true},
		{"edited with a new signing", func(a *newsmon.Article) {
			a.Text += "\n\nLater, Azerbaijan and Georgia signed a transit agreement."
			a.Agreements[0].EventID = ""
			a.Agreements = append(a.Agreements, newsmon.Agreement{Instrument: "agreement",
				Status: newsmon.StatusSigned, Parties: []string{"Azerbaijan", "Georgia"},
				Sentence: "Azerbaijan and Georgia signed a transit agreement."})
		}, 2, true},
	}
	for k, st := range steps {
		st.change(a)
		a.ContentHash = "" // the store sets it; an edit is a new page
		res, err := s.SaveArticle(ctx, a, nil)
		if err != nil || res.Updated != st.updated {
			t.Fatalf("%s: %+v, %v; want updated %v", st.name, res, err, st.updated)
		}
		got := findAlerts(t, s, newsmon.AlertFilter{})
		if len(got) != st.alerts {
			t.Fatalf("%s: %d alerts, want %d", st.name, len(got), st.alerts)
		}
		for _, al := range got {
			if al.Version != 1 || len(al.Articles) != 1 {
				t.Errorf("%s: alert %s has version %d and %d articles, want 1 and 1", st.name, al.ID, al.Version, len(al.Articles))
			}
		}
		// Each step looks later than the leases of the one before.
		if ds := pending(t, s, soon().Add(time.Duration(k+1)*2*maxLease)); len(ds) != 2*st.alerts {
			t.Errorf("%s: %d deliveries, want %d: %v", st.name, len(ds), 2*st.alerts, channelsOf(ds))
		}
	}
}

func testAlertStatuses(t *testing.T, s newsmon.Store) {
	setRules(t, s, signingRule)
	cases := []struct {
		name   string
		status string
		raises bool
	}{
		{"planned", newsmon.StatusPlanned, false},
		{"mentioned", newsmon.StatusMentioned, false},
		{"signed", newsmon.StatusSigned, true},
		{"ratified", newsmon.StatusRatified, true},
	}
	for i, c := range cases {
		ag := newsmon.Agreement{Instrument: "treaty", Status: c.status,
			Parties: []string{"Kazakhstan", fmt.Sprintf("Partner %d", i)}, Sentence: "A treaty is " + c.status + "."}
		a := report("astanatimes", "2025-02-10", 30+i, ag)
		mustSave(t, s, a, nil)
		id := a.Agreements[0].EventID
		var found *newsmon.Alert
		for _, al := range findAlerts(t, s, newsmon.AlertFilter{}) {
			if al.Event != nil && al.Event.EventID == id {
				found = &al
			}
		}
		if (found != nil) != c.raises {
			t.Errorf("%s: alert raised %v, want %v", c.name, found != nil, c.raises)
		}
		if found != nil && (found.Event.Status != c.status || found.Kind != newsmon.AlertAgreement || found.Rule != signingRule.Name) {
			t.Errorf("%s: alert %+v", c.name, found)
		}
	}
}

func testAlertPartyAndFilters(t *testing.T, s newsmon.Store) {
	rules := []newsmon.AlertRule{
		{Name: "uzbek", On: newsmon.AlertAgreement, Party: "uzbekistan ", Webhook: "http://127.0.0.1:9/u"},
		{Name: "georgia", On: newsmon.AlertAgreement, Party: "Georgia", Webhook: "http://127.0.0.1:9/g"},
		{Name: "trend-only", On: newsmon.AlertAgreement, Source: "trend", Webhook: "http://127.0.0.1:9/t"},
		{Name: "energy-topic", On: newsmon.AlertAgreement, Topic: "energy", Email: []string{"e@example.org"}},
	}
	setRules(t, s, rules...)
	for _, a := range fiveOutlets() {
		mustSave(t, s, a, nil)
	}
	cases := []struct {
		rule     string
		articles int // 0: no alert
	}{
		{"uzbek", 5},
		{"georgia", 0},
		{"trend-only", 1},
		{"energy-topic", 0}, // the reports are tagged "agreement" only
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := findAlerts(t, s, newsmon.AlertFilter{Rule: c.rule})
			switch {
			case c.articles == 0 && len(got) != 0:
				t.Errorf("%d alerts, want none: %+v", len(got), got)
			case c.articles > 0 && len(got) != 1:
				t.Errorf("%d alerts, want one", len(got))
			case c.articles > 0 && (len(got[0].Articles) != c.articles || got[0].Version != c.articles):
				t.Errorf("%d articles, version %d; want %d", len(got[0].Articles), got[0].Version, c.articles)
			}
		})
	}
}

func testAlertSearchRule(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	rule := newsmon.AlertRule{Name: "aktau-port", On: newsmon.AlertSearch, Query: `"Aktau port" OR Kuryk`,
		Webhook: "http://127.0.0.1:9/s"}
	setRules(t, s, rule, signingRule)
	article := func(n int, title, text string) *newsmon.Article {
		u := fmt.Sprintf("https://inform.example/news/%d", n)
		return &newsmon.Article{Source: "inform", URL: u, CanonicalURL: u, IsArticle: true,
			Language: "en", Title: title, Text: text, Published: date("2025-04-01T08:00:00Z")}
	}
	matching := article(1, "Cargo at the Caspian", "Container volumes at Aktau port rose by a third in March, the operator said.")
	other := article(2, "Grain harvest", "Farmers in the north expect a good wheat harvest this year.")
	notArticle := article(3, "News", "Latest: Aktau port, Kuryk, ferries.")
	notArticle.IsArticle = false

	mustSave(t, s, matching, nil)
	mustSave(t, s, other, nil)
	mustSave(t, s, notArticle, nil)
	got := findAlerts(t, s, newsmon.AlertFilter{Rule: rule.Name})
	if len(got) != 1 {
		t.Fatalf("%d alerts after saving one matching article, want 1: %+v", len(got), got)
	}
	al := got[0]
	if al.Kind != newsmon.AlertSearch || al.Version != 1 || len(al.Articles) != 1 ||
		al.Articles[0].URL != matching.CanonicalURL || !strings.Contains(al.Articles[0].Sentence, "Aktau port") {
		t.Errorf("alert %+v", al)
	}

	// Re-saving it, editing it, and editing another article into a match
	// raise nothing: a search alert is for new articles.
	mustSave(t, s, matching, nil)
	matching.Text += " Kuryk handled more ferries too."
	mustSave(t, s, matching, nil)
	other.Text += " Part of it leaves through Kuryk."
	mustSave(t, s, other, nil)
	// A batch of new articles: the one matching raises an alert.
	res := s.SaveArticles(ctx, []newsmon.ArticleWrite{
		{Article: article(4, "Ferries", "Two new ferries will sail from Kuryk to Alat.")},
		{Article: article(5, "Weather", "Rain is expected in Almaty.")},
	})
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("batch %d: %v", i, r.Err)
		}
	}
	got = findAlerts(t, s, newsmon.AlertFilter{Rule: rule.Name})
	var urls []string
	for _, al := range got {
		urls = append(urls, al.Articles[0].URL)
	}
	slices.Sort(urls)
	want := []string{"https://inform.example/news/1", "https://inform.example/news/4"}
	if !slices.Equal(urls, want) {
		t.Errorf("search alerts for %q, want %q", urls, want)
	}
	if ds := pending(t, s, soon()); len(ds) != 2 {
		t.Errorf("%d deliveries, want 2 (one webhook per alert): %v", len(ds), channelsOf(ds))
	}
}

func testAlertRulesInvalid(t *testing.T, s newsmon.Store) {
	setRules(t, s, signingRule)
	cases := []struct {
		name  string
		rules []newsmon.AlertRule
		names string // the error must name this
	}{
		{"unclosed quote", []newsmon.AlertRule{{Name: "broken", On: newsmon.AlertSearch, Query: `"Middle Corridor`}}, "broken"},
		{"only excludes", []newsmon.AlertRule{{Name: "negative", On: newsmon.AlertSearch, Query: `NOT gas`}}, "negative"},
		{"unknown kind", []newsmon.AlertRule{{Name: "odd", On: "weather"}}, "odd"},
		{"two of a name", []newsmon.AlertRule{signingRule, signingRule}, signingRule.Name},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.SetAlertRules(c.rules)
			if newsmon.ErrorCode(err) != newsmon.EINVALID || !strings.Contains(err.Error(), c.names) {
				t.Errorf("error %v (code %q), want EINVALID naming %q", err, newsmon.ErrorCode(err), c.names)
			}
		})
	}
	// The rules in force stay.
	mustSave(t, s, fiveOutlets()[0], nil)
	if got := findAlerts(t, s, newsmon.AlertFilter{Rule: signingRule.Name}); len(got) != 1 {
		t.Errorf("after rejected rules: %d alerts of the earlier rule, want 1", len(got))
	}
}

func testAlertDeliveryCycle(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	setRules(t, s, signingRule)
	mustSave(t, s, fiveOutlets()[0], nil)
	now := soon()
	ds := pending(t, s, now)
	if len(ds) != 2 {
		t.Fatalf("%d deliveries, want 2", len(ds))
	}
	var hook, mail newsmon.Delivery
	for _, d := range ds {
		if d.Alert == nil || d.Alert.ID != d.AlertID || d.Rule != signingRule.Name || d.Attempts != 0 {
			t.Errorf("delivery %+v", d)
		}
		switch d.Channel {
		case newsmon.ChannelWebhook:
			hook = d
		case newsmon.ChannelEmail:
			mail = d
		}
	}
	if hook.AlertID == "" || mail.AlertID == "" {
		t.Fatalf("channels %v", channelsOf(ds))
	}
	if err := s.MarkDelivered(ctx, hook.AlertID, hook.Channel); err != nil {
		t.Fatal(err)
	}
	retry := now.Add(10 * time.Minute)
	if err := s.MarkFailed(ctx, mail.AlertID, mail.Channel, retry, "450 mailbox busy"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"before the retry", retry.Add(-time.Minute), nil},
		{"at the retry", retry, []string{mail.AlertID + "/" + newsmon.ChannelEmail}},
	}
	for _, st := range steps {
		got := pending(t, s, st.at)
		if !slices.Equal(channelsOf(got), st.want) {
			t.Fatalf("%s: %v, want %v", st.name, channelsOf(got), st.want)
		}
		if len(got) == 1 && (got[0].Attempts != 1 || got[0].LastError != "450 mailbox busy" || !got[0].NextAttempt.Equal(retry.UTC().Truncate(time.Microsecond))) {
			t.Errorf("%s: retried delivery %+v", st.name, got[0])
		}
	}
	if err := s.MarkDelivered(ctx, mail.AlertID, mail.Channel); err != nil {
		t.Fatal(err)
	}
	// Delivered is final: a late failure report changes nothing.
	if err := s.MarkFailed(ctx, mail.AlertID, mail.Channel, retry, "late"); err != nil {
		t.Errorf("mark failed after delivered: %v", err)
	}
	if got := pending(t, s, retry.Add(10*maxLease)); len(got) != 0 {
		t.Errorf("after delivery: %v still pending", channelsOf(got))
	}
	for _, mark := range []func() error{
		func() error { return s.MarkDelivered(ctx, "no-such-alert", newsmon.ChannelWebhook) },
		func() error { return s.MarkFailed(ctx, "no-such-alert", newsmon.ChannelWebhook, retry, "x") },
	} {
		if err := mark(); newsmon.ErrorCode(err) != newsmon.ENOTFOUND {
			t.Errorf("marking an unknown delivery: %v, want ENOTFOUND", err)
		}
	}
}

func testAlertLeases(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	setRules(t, s, healthRule)
	const alerts = 40
	for i := range alerts {
		if err := s.RaiseAlert(ctx, &newsmon.Alert{ID: fmt.Sprintf("health-%d", i), Rule: healthRule.Name,
			Kind: newsmon.AlertSourceHealth, Source: fmt.Sprintf("source-%d", i), Problem: "no new articles in 5 runs"}); err != nil {
			t.Fatal(err)
		}
	}
	now := soon()
	const workers = 4
	claimed := make([][]newsmon.Delivery, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				ds, err := s.PendingDeliveries(ctx, now, 3)
				if err != nil || len(ds) == 0 {
					errs[w] = err
					return
				}
				claimed[w] = append(claimed[w], ds...)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		for _, d := range claimed[w] {
			seen[d.AlertID]++
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s handed out %d times while leased", id, n)
		}
	}
	if len(seen) != alerts {
		t.Errorf("%d deliveries handed out, want %d", len(seen), alerts)
	}
	// Deliver half; the others' worker "died": they return once the lease ends.
	for i, d := range claimed[0] {
		if i%2 == 0 {
			if err := s.MarkDelivered(ctx, d.AlertID, d.Channel); err != nil {
				t.Fatal(err)
			}
		}
	}
	delivered := (len(claimed[0]) + 1) / 2
	if got := pending(t, s, now.Add(time.Second)); len(got) != 0 {
		t.Errorf("within the lease: %d handed out again", len(got))
	}
	if got := pending(t, s, now.Add(maxLease+time.Second)); len(got) != alerts-delivered {
		t.Errorf("after the lease: %d handed out again, want %d", len(got), alerts-delivered)
	}
	if _, err := s.PendingDeliveries(ctx, now, 0); newsmon.ErrorCode(err) != newsmon.EINVALID {
		t.Errorf("limit 0: %v, want EINVALID", err)
	}
}

func testAlertDigest(t *testing.T, s newsmon.Store) {
	rule := newsmon.AlertRule{Name: "hourly", On: newsmon.AlertAgreement, Webhook: "http://127.0.0.1:9/d",
		Email: []string{"desk@example.org"}, Digest: newsmon.Duration(time.Hour)}
	setRules(t, s, rule)
	before := time.Now()
	outlets := fiveOutlets()
	mustSave(t, s, outlets[0], nil)
	mustSave(t, s, outlets[1], nil) // an update of the first alert
	other := report("kun", "2025-06-04", 9, newsmon.Agreement{Instrument: "contract", Status: newsmon.StatusSigned,
		Parties: []string{"Uzbekistan", "Türkiye"}, Sentence: "Uzbekistan and Türkiye signed a rail contract."})
	mustSave(t, s, other, nil)
	after := time.Now()

	if got := pending(t, s, after.Add(time.Second)); len(got) != 0 {
		t.Errorf("a digest is due before its period ends: %v", channelsOf(got))
	}
	// The period is the hour (aligned on the epoch) the alerts were raised in.
	var starts []time.Time
	for _, at := range []time.Time{before, after} {
		starts = append(starts, at.UTC().Truncate(time.Hour))
	}
	due := pending(t, s, starts[1].Add(time.Hour))
	var want []string
	for _, start := range slices.Compact(starts) {
		for _, ch := range []string{newsmon.ChannelEmail, newsmon.ChannelWebhook} {
			want = append(want, fmt.Sprintf("digest:%s:%d/%s", rule.Name, start.Unix(), ch))
		}
	}
	got := channelsOf(due)
	// Across an hour's turn both periods may hold a digest; else one.
	if len(got) != 2 && !slices.Equal(got, want) || len(got) == 2 && !slices.Contains(want, got[0]) {
		t.Errorf("digest deliveries %v, want %v", got, want)
	}
	for _, d := range due {
		if d.Alert != nil || d.Rule != rule.Name || !d.NextAttempt.After(before) {
			t.Errorf("digest delivery %+v", d)
		}
	}
	alerts := findAlerts(t, s, newsmon.AlertFilter{Rule: rule.Name, Since: &starts[0]})
	if len(alerts) != 2 {
		t.Errorf("%d alerts for the digest, want 2", len(alerts))
	}
}

func testAlertRaise(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	if err := s.RaiseAlert(ctx, &newsmon.Alert{ID: "x", Rule: "nobody"}); newsmon.ErrorCode(err) != newsmon.EINVALID {
		t.Errorf("raising for an unknown rule: %v, want EINVALID", err)
	}
	setRules(t, s, healthRule)
	steps := []struct {
		name    string
		problem string
		version int
	}{
		{"raised", "403 on every page since 2 runs", 1},
		{"raised again", "403 on every page since 2 runs", 1},
		{"worse", "403 on every page since 5 runs", 2},
		{"worse, again", "403 on every page since 5 runs", 2},
	}
	for _, st := range steps {
		a := &newsmon.Alert{ID: "health:kazinform", Rule: healthRule.Name, Kind: newsmon.AlertSourceHealth,
			Source: "kazinform", Problem: st.problem}
		if err := s.RaiseAlert(ctx, a); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := findAlerts(t, s, newsmon.AlertFilter{})
		if len(got) != 1 || got[0].Version != st.version || got[0].Problem != st.problem || a.Version != st.version {
			t.Errorf("%s: %+v (caller sees version %d), want one alert of version %d", st.name, got, a.Version, st.version)
		}
	}
	ds := pending(t, s, soon())
	if len(ds) != 1 || ds[0].Alert == nil || ds[0].Alert.Problem != steps[len(steps)-1].problem {
		t.Errorf("deliveries %+v, want one webhook with the latest problem", ds)
	}
}

func testAlertFindOrder(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	other := healthRule
	other.Name = "health-2"
	setRules(t, s, healthRule, other)
	raise := func(id, rule, problem string) time.Time {
		t.Helper()
		a := &newsmon.Alert{ID: id, Rule: rule, Source: id, Problem: problem}
		if err := s.RaiseAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.Updated
	}
	// Each raise waits for the clock to move on, so updates are ordered.
	var last time.Time
	step := func(id, rule, problem string) time.Time {
		t.Helper()
		for deadline := time.Now().Add(time.Second); !time.Now().After(last) && time.Now().Before(deadline); {
		}
		last = raise(id, rule, problem)
		return last
	}
	step("a", healthRule.Name, "down")
	mid := step("b", other.Name, "down")
	step("c", healthRule.Name, "down")
	step("a", healthRule.Name, "still down") // a is now the newest
	ids := func(as []newsmon.Alert) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	cases := []struct {
		name string
		f    newsmon.AlertFilter
		want []string
	}{
		{"all", newsmon.AlertFilter{}, []string{"a", "c", "b"}},
		{"limit", newsmon.AlertFilter{Limit: 2}, []string{"a", "c"}},
		{"rule", newsmon.AlertFilter{Rule: healthRule.Name}, []string{"a", "c"}},
		{"since", newsmon.AlertFilter{Since: &mid}, []string{"a", "c", "b"}},
		{"since, rule", newsmon.AlertFilter{Since: &mid, Rule: other.Name}, []string{"b"}},
		{"no such rule", newsmon.AlertFilter{Rule: "nobody"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(findAlerts(t, s, c.f)); !slices.Equal(got, c.want) {
				t.Errorf("%q, want %q", got, c.want)
			}
		})
	}
	after := last.Add(time.Microsecond)
	if got := findAlerts(t, s, newsmon.AlertFilter{Since: &after}); len(got) != 0 {
		t.Errorf("since after the last update: %q", ids(got))
	}
}
