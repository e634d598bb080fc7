package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

// keyedReceiver accepts webhook POSTs and counts them by Idempotency-Key.
type keyedReceiver struct {
	mu     sync.Mutex
	byKey  map[string]int
	bodies map[string][]byte
}

func newKeyedReceiver(t *testing.T) (*keyedReceiver, string) {
	r := &keyedReceiver{byKey: map[string]int{}, bodies: map[string][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body json.RawMessage
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		key := req.Header.Get("Idempotency-Key")
		r.mu.Lock()
		r.byKey[key]++
		r.bodies[key] = body
		r.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL + "/hook"
}

func (r *keyedReceiver) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.byKey {
		out[k] = v
	}
	return out
}

func TestDigestIsOneMessage(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	instruments := []string{"memorandum", "roadmap", "intergovernmental agreement"}
	tests := []struct {
		name   string
		format string
		check  func(t *testing.T, body []byte)
	}{
		{name: "json", format: "json", check: func(t *testing.T, body []byte) {
			var d struct {
				Digest bool            `json:"digest"`
				Rule   string          `json:"rule"`
				Alerts []newsmon.Alert `json:"alerts"`
			}
			if err := json.Unmarshal(body, &d); err != nil {
				t.Fatal(err)
			}
			if !d.Digest || d.Rule != "daily" || len(d.Alerts) != 3 {
				t.Fatalf("digest %v rule %q with %d alerts, want 3", d.Digest, d.Rule, len(d.Alerts))
			}
			for i, a := range d.Alerts {
				if a.Event == nil || a.Event.Instrument != instruments[i] {
					t.Errorf("alert %d: %+v, want instrument %q (oldest first)", i, a.Event, instruments[i])
				}
			}
		}},
		{name: "slack", format: "slack", check: func(t *testing.T, body []byte) {
			for _, ins := range instruments {
				if !strings.Contains(string(body), "*Instrument:* "+ins) {
					t.Errorf("slack digest lacks %q", ins)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv, hook := newKeyedReceiver(t)
			sink := &smtpSink{}
			port, _ := startSMTP(t, sink, "none")
			rule := newsmon.AlertRule{Name: "daily", On: "agreement", Webhook: hook, Format: tt.format,
				Email: []string{"desk@newsmon.test"}, Digest: newsmon.Duration(time.Hour)}
			out := newMemOutbox(rule)
			ctx := context.Background()
			raise := func(id string, at time.Time, instrument string) {
				a := sampleAgreement(id, rule.Name, at, "trend")
				a.Event.Instrument = instrument
				if err := out.RaiseAlert(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			raise("before", start.Add(-time.Minute), "earlier period")
			for i, ins := range instruments {
				raise("in-"+ins, start.Add(time.Duration(i+1)*10*time.Minute), ins)
			}
			raise("after", start.Add(70*time.Minute), "next period")
			id := newsmon.DigestID(rule.Name, start)
			for _, ch := range []string{newsmon.ChannelWebhook, newsmon.ChannelEmail} {
				out.addDelivery(id, rule.Name, ch, start.Add(time.Hour))
			}
			clock := &fakeClock{now: start.Add(90 * time.Minute)}
			d := &Deliverer{Outbox: out, Rules: []newsmon.AlertRule{rule}, Now: clock.Now,
				Webhook: &Webhook{}, Email: &Email{SMTP: newsmon.SMTPConfig{Host: "127.0.0.1", Port: port, From: "newsmon@newsmon.test", TLS: "none"}}}
			for pass, want := range []int{2, 0} {
				sent, failed, err := d.DeliverDue(ctx)
				if err != nil || sent != want || failed != 0 {
					t.Fatalf("pass %d: sent %d failed %d err %v (webhook: %q, email: %q)", pass, sent, failed, err,
						out.state(id, newsmon.ChannelWebhook).LastError, out.state(id, newsmon.ChannelEmail).LastError)
				}
			}
			if got := recv.snapshot(); len(got) != 1 || got[id] != 1 {
				t.Fatalf("webhook received %v, want one POST keyed %q", got, id)
			}
			tt.check(t, recv.bodies[id])
			msgs := sink.received()
			if len(msgs) != 1 {
				t.Fatalf("%d emails, want 1", len(msgs))
			}
			subject, _, parts := mailParts(t, msgs[0].data)
			if !strings.HasPrefix(subject, "Digest daily: 3 alerts since 2026-03-10 09:00") {
				t.Errorf("subject %q", subject)
			}
			for _, ins := range instruments {
				for media, body := range parts {
					if !strings.Contains(body, "Signed: "+ins) {
						t.Errorf("%s part lacks %q", media, ins)
					}
				}
			}
			for media, body := range parts {
				if strings.Contains(body, "period") {
					t.Errorf("%s part holds an alert of another period", media)
				}
			}
		})
	}
}

// crashingOutbox loses the first MarkDelivered, as a crash between the
// send and its record would.
type crashingOutbox struct {
	*memOutbox
	mu      sync.Mutex
	crashed bool
}

func (o *crashingOutbox) MarkDelivered(ctx context.Context, alertID, channel string) error {
	o.mu.Lock()
	first := !o.crashed
	o.crashed = true
	o.mu.Unlock()
	if first {
		return errors.New("database is closed")
	}
	return o.memOutbox.MarkDelivered(ctx, alertID, channel)
}

func TestDeliverNeverSendsTwice(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// wrap returns the outbox the Deliverers use.
		wrap func(*memOutbox) newsmon.Outbox
		// passes: sent counts of each pass; a new Deliverer (a restart)
		// runs the passes after the first.
		alerts  int
		passes  []int
		passErr []bool
		// repeats: how many alerts arrive twice (a lost MarkDelivered),
		// always with the same Idempotency-Key.
		repeats int
	}{
		{name: "two passes and a restart", wrap: func(o *memOutbox) newsmon.Outbox { return o },
			alerts: 4, passes: []int{4, 0, 0}, passErr: []bool{false, false, false}},
		{name: "more alerts than a batch", wrap: func(o *memOutbox) newsmon.Outbox { return o },
			alerts: 25, passes: []int{10, 10, 5, 0}, passErr: []bool{false, false, false, false}},
		{name: "crash between send and record", wrap: func(o *memOutbox) newsmon.Outbox { return &crashingOutbox{memOutbox: o} },
			alerts: 4, passes: []int{0, 4, 0}, passErr: []bool{true, false, false}, repeats: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv, hook := newKeyedReceiver(t)
			rule := newsmon.AlertRule{Name: "new-agreements", On: "agreement", Webhook: hook}
			mem := newMemOutbox(rule)
			for i := range tt.alerts {
				if err := mem.RaiseAlert(ctx, sampleAgreement(fmt.Sprintf("a%d", i+1), rule.Name, now, "trend")); err != nil {
					t.Fatal(err)
				}
			}
			// A later report updates an alert: no new delivery.
			if err := mem.RaiseAlert(ctx, sampleAgreement("a1", rule.Name, now, "trend", "apa")); err != nil {
				t.Fatal(err)
			}
			box := tt.wrap(mem)
			clock := &fakeClock{now: now}
			for pass, want := range tt.passes {
				d := &Deliverer{Outbox: box, Rules: []newsmon.AlertRule{rule}, Webhook: &Webhook{}, Now: clock.Now}
				sent, _, err := d.DeliverDue(ctx)
				if (err != nil) != tt.passErr[pass] || sent != want {
					t.Fatalf("pass %d: sent %d err %v, want %d (error %v)", pass, sent, err, want, tt.passErr[pass])
				}
				clock.Advance(time.Hour)
			}
			repeats := 0
			for key, n := range recv.snapshot() {
				if n > 1 {
					repeats++
				}
				if n < 1 || n > 2 {
					t.Errorf("alert %s arrived %d times", key, n)
				}
			}
			if got := len(recv.snapshot()); got != tt.alerts || repeats != tt.repeats {
				t.Errorf("%d alerts arrived, %d of them twice; want %d and %d", got, repeats, tt.alerts, tt.repeats)
			}
		})
	}
}

type panickingNotifier struct{}

func (panickingNotifier) Notify(context.Context, newsmon.AlertRule, *newsmon.Alert) error {
	panic("notifier bug")
}

func TestUndeliverable(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	hookRule := newsmon.AlertRule{Name: "hook", On: "agreement", Webhook: "http://127.0.0.1:1/hook"}
	mailRule := newsmon.AlertRule{Name: "mail", On: "agreement", Email: []string{"a@b.test"}}
	tests := []struct {
		name     string
		rules    []newsmon.AlertRule // the configuration now
		alert    *newsmon.Alert      // nil: a delivery without an alert
		alertID  string
		rule     string
		channel  string
		webhook  newsmon.Notifier
		reason   string
		longWait bool
	}{
		{name: "rule removed from the configuration", rules: []newsmon.AlertRule{mailRule}, alert: sampleAgreement("x1", "hook", now),
			rule: "hook", channel: newsmon.ChannelWebhook, webhook: &Webhook{}, reason: `rule "hook" is no longer in the configuration`, longWait: true},
		{name: "webhook removed from the rule", rules: []newsmon.AlertRule{{Name: "hook", On: "agreement", Email: []string{"a@b.test"}}}, alert: sampleAgreement("x2", "hook", now),
			rule: "hook", channel: newsmon.ChannelWebhook, webhook: &Webhook{}, reason: "no longer has a webhook", longWait: true},
		{name: "no email notifier", rules: []newsmon.AlertRule{mailRule}, alert: sampleAgreement("x3", "mail", now),
			rule: "mail", channel: newsmon.ChannelEmail, reason: "no email notifier configured", longWait: true},
		{name: "unknown channel", rules: []newsmon.AlertRule{hookRule}, alert: sampleAgreement("x4", "hook", now),
			rule: "hook", channel: "pigeon", webhook: &Webhook{}, reason: `unknown channel "pigeon"`, longWait: true},
		{name: "alert missing", rules: []newsmon.AlertRule{hookRule}, alertID: "vanished",
			rule: "hook", channel: newsmon.ChannelWebhook, webhook: &Webhook{}, reason: "has no alert", longWait: true},
		{name: "malformed digest id", rules: []newsmon.AlertRule{hookRule}, alertID: "digest:hook:yesterday",
			rule: "hook", channel: newsmon.ChannelWebhook, webhook: &Webhook{}, reason: "want digest:<rule>:<unix start>", longWait: true},
		{name: "notifier panics", rules: []newsmon.AlertRule{hookRule}, alert: sampleAgreement("x5", "hook", now),
			rule: "hook", channel: newsmon.ChannelWebhook, webhook: panickingNotifier{}, reason: "panic sending x5: notifier bug"},
		{name: "receiver unreachable", rules: []newsmon.AlertRule{hookRule}, alert: sampleAgreement("x6", "hook", now),
			rule: "hook", channel: newsmon.ChannelWebhook, webhook: &Webhook{Timeout: time.Second}, reason: "webhook http://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newMemOutbox()
			id := tt.alertID
			if tt.alert != nil {
				id = tt.alert.ID
				if err := out.RaiseAlert(ctx, tt.alert); err != nil {
					t.Fatal(err)
				}
			}
			out.addDelivery(id, tt.rule, tt.channel, now)
			d := &Deliverer{Outbox: out, Rules: tt.rules, Webhook: tt.webhook, Now: func() time.Time { return now }}
			sent, failed, err := d.DeliverDue(ctx)
			if err != nil || sent != 0 || failed != 1 {
				t.Fatalf("sent %d failed %d err %v, want one failure and no error", sent, failed, err)
			}
			s := out.state(id, tt.channel)
			if !strings.Contains(s.LastError, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", s.LastError, tt.reason)
			}
			wait := s.NextAttempt.Sub(now)
			if tt.longWait && wait != OrphanRetry || !tt.longWait && (wait <= 0 || wait > FirstRetry) {
				t.Errorf("next attempt in %v (long wait %v)", wait, tt.longWait)
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		name     string
		attempts int
		max      time.Duration
	}{
		{name: "first failure", attempts: 0, max: 30 * time.Second},
		{name: "second", attempts: 1, max: time.Minute},
		{name: "third", attempts: 2, max: 2 * time.Minute},
		{name: "seventh", attempts: 6, max: 32 * time.Minute},
		{name: "capped", attempts: 7, max: time.Hour},
		{name: "long after", attempts: 1000, max: time.Hour},
		{name: "negative count", attempts: -3, max: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 50 {
				got := RetryDelay(tt.attempts)
				if got > tt.max || got < tt.max*4/5 {
					t.Fatalf("RetryDelay(%d) = %v, want %v..%v", tt.attempts, got, tt.max*4/5, tt.max)
				}
				seen[got] = true
			}
			if len(seen) < 2 {
				t.Errorf("RetryDelay(%d) has no jitter: always %v", tt.attempts, seen)
			}
		})
	}
}

func TestParseDigestID(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, id, rule string
		ok             bool
	}{
		{name: "round trip", id: newsmon.DigestID("daily", start), rule: "daily", ok: true},
		{name: "rule with colons", id: newsmon.DigestID("a:b:c", start), rule: "a:b:c", ok: true},
		{name: "no start", id: "digest:daily", ok: false},
		{name: "not a digest", id: "agr-1", ok: false},
		{name: "start not a number", id: "digest:daily:noon", ok: false},
		{name: "empty rule", id: "digest::1773133200", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, at, err := newsmon.ParseDigestID(tt.id)
			if (err == nil) != tt.ok {
				t.Fatalf("newsmon.ParseDigestID(%q) error %v, want ok %v", tt.id, err, tt.ok)
			}
			if tt.ok && (rule != tt.rule || !at.Equal(start)) {
				t.Errorf("newsmon.ParseDigestID(%q) = %q, %v", tt.id, rule, at)
			}
		})
	}
}

func TestRunDeliversUntilCancelled(t *testing.T) {
	recv, hook := newKeyedReceiver(t)
	rule := newsmon.AlertRule{Name: "r", On: "agreement", Webhook: hook}
	out := newMemOutbox(rule)
	now := time.Now()
	for _, id := range []string{"run-1", "run-2"} {
		if err := out.RaiseAlert(context.Background(), sampleAgreement(id, rule.Name, now, "trend")); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := &Deliverer{Outbox: out, Rules: []newsmon.AlertRule{rule}, Webhook: &Webhook{}}
	go func() { defer close(done); d.Run(ctx, 10*time.Millisecond) }()
	waitFor(t, "both alerts", func() bool { return len(recv.snapshot()) == 2 })
	// An alert raised while Run waits goes out at a later tick.
	if err := out.RaiseAlert(context.Background(), sampleAgreement("run-3", rule.Name, time.Now(), "trend")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the third alert", func() bool { return len(recv.snapshot()) == 3 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	for key, n := range recv.snapshot() {
		if n != 1 {
			t.Errorf("%s arrived %d times", key, n)
		}
	}
}

func TestSendTest(t *testing.T) {
	tests := []struct {
		name      string
		on        string
		webhook   bool
		email     bool
		wantHooks int
		wantMails int
		errCode   string
	}{
		{name: "webhook only", on: "agreement", webhook: true, wantHooks: 1},
		{name: "email only", on: "search", email: true, wantMails: 1},
		{name: "both channels", on: "source-health", webhook: true, email: true, wantHooks: 1, wantMails: 1},
		{name: "no channel", on: "agreement", errCode: newsmon.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv, hook := newKeyedReceiver(t)
			sink := &smtpSink{}
			port, _ := startSMTP(t, sink, "none")
			rule := newsmon.AlertRule{Name: "setup-check", On: tt.on}
			if tt.webhook {
				rule.Webhook = hook
			}
			if tt.email {
				rule.Email = []string{"me@newsmon.test"}
			}
			email := &Email{SMTP: newsmon.SMTPConfig{Host: "127.0.0.1", Port: port, From: "newsmon@newsmon.test", TLS: "none"}}
			err := SendTest(context.Background(), rule, &Webhook{}, email)
			if newsmon.ErrorCode(err) != tt.errCode {
				t.Fatalf("SendTest: %v, want code %q", err, tt.errCode)
			}
			hooks := recv.snapshot()
			if len(hooks) != tt.wantHooks || len(sink.received()) != tt.wantMails {
				t.Fatalf("%d webhooks and %d emails, want %d and %d", len(hooks), len(sink.received()), tt.wantHooks, tt.wantMails)
			}
			for key := range hooks {
				var a newsmon.Alert
				if err := json.Unmarshal(recv.bodies[key], &a); err != nil || a.Kind != tt.on || !strings.HasPrefix(a.ID, "test:setup-check:") {
					t.Errorf("sample alert %s: kind %q err %v", key, a.Kind, err)
				}
			}
		})
	}
}
