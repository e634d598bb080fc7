package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon"
)

// hookRequest is one POST a test receiver saw.
type hookRequest struct {
	header http.Header
	body   []byte
}

// hookReceiver is a webhook receiver whose behaviour the test switches:
// "slow" answers after the client gave up, "fail" answers 500, "accept"
// answers 204 and keeps the alert.
type hookReceiver struct {
	mu       sync.Mutex
	mode     string
	attempts []hookRequest
	accepted []hookRequest
}

func (h *hookReceiver) setMode(m string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mode = m
}

func (h *hookReceiver) counts() (attempts, accepted int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.attempts), len(h.accepted)
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	req := hookRequest{header: r.Header.Clone(), body: body}
	h.mu.Lock()
	mode := h.mode
	h.attempts = append(h.attempts, req)
	h.mu.Unlock()
	switch mode {
	case "slow":
		<-r.Context().Done() // answers only once the client has gone
	case "fail":
		http.Error(w, "receiver database is locked", http.StatusInternalServerError)
	default:
		h.mu.Lock()
		h.accepted = append(h.accepted, req)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func verifySignature(t *testing.T, secret string, req hookRequest) {
	t.Helper()
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(req.body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if got := req.header.Get("X-Newsmon-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		t.Errorf("signature %q, want %q", got, want)
	}
}

func TestWebhookDownSlowFailingThenAccepting(t *testing.T) {
	const secret = "correct horse battery staple"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the receiver is down: nothing listens there

	rule := newsmon.AlertRule{Name: "new-agreements", On: "agreement", Webhook: "http://" + addr + "/hooks/newsmon", SecretEnv: "NEWSMON_HOOK_SECRET"}
	out := newMemOutbox(rule)
	clock := &fakeClock{now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	alert := sampleAgreement("agr-1", rule.Name, clock.Now(), "astanatimes", "trend", "kazinform")
	if err := out.RaiseAlert(context.Background(), alert); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NEWSMON_HOOK_SECRET": secret}
	d := &Deliverer{
		Outbox: out, Rules: []newsmon.AlertRule{rule}, Now: clock.Now,
		Webhook: &Webhook{Timeout: 300 * time.Millisecond, LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	}
	recv := &hookReceiver{}
	var srv *httptest.Server

	steps := []struct {
		name       string
		before     func()
		sent       int
		failed     int
		errHas     string
		minWait    time.Duration // next attempt at least this far from now
		maxWait    time.Duration
		attempts   int // requests the receiver has seen after the pass
		acceptedBy int
	}{
		{name: "down", before: func() {}, failed: 1, errHas: "refused", minWait: 24 * time.Second, maxWait: 30 * time.Second},
		{name: "not yet due", before: func() { clock.Advance(10 * time.Second) }},
		{name: "slow", before: func() {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("listen again on %s: %v", addr, err)
			}
			srv = httptest.NewUnstartedServer(recv)
			srv.Listener.Close()
			srv.Listener = l
			srv.Start()
			recv.setMode("slow")
			clock.Advance(25 * time.Second)
		}, failed: 1, errHas: "deadline exceeded", minWait: 48 * time.Second, maxWait: time.Minute, attempts: 1},
		{name: "500", before: func() { recv.setMode("fail"); clock.Advance(time.Minute) },
			failed: 1, errHas: "500 Internal Server Error: \"receiver database is locked\"", minWait: 96 * time.Second, maxWait: 2 * time.Minute, attempts: 2},
		{name: "accepts", before: func() { recv.setMode("accept"); clock.Advance(2 * time.Minute) }, sent: 1, attempts: 3, acceptedBy: 1},
		{name: "later pass sends nothing", before: func() { clock.Advance(2 * time.Hour) }, attempts: 3, acceptedBy: 1},
	}
	for _, st := range steps {
		st.before()
		sent, failed, err := d.DeliverDue(context.Background())
		if err != nil {
			t.Fatalf("%s: DeliverDue: %v", st.name, err)
		}
		if sent != st.sent || failed != st.failed {
			t.Fatalf("%s: sent %d failed %d, want %d and %d", st.name, sent, failed, st.sent, st.failed)
		}
		s := out.state(alert.ID, newsmon.ChannelWebhook)
		if st.failed > 0 {
			if !strings.Contains(s.LastError, st.errHas) {
				t.Errorf("%s: last error %q, want it to contain %q", st.name, s.LastError, st.errHas)
			}
			if strings.Contains(s.LastError, "/hooks/newsmon") {
				t.Errorf("%s: error %q shows the webhook path, which may be a secret", st.name, s.LastError)
			}
			wait := s.NextAttempt.Sub(clock.Now())
			if wait < st.minWait || wait > st.maxWait {
				t.Errorf("%s: next attempt in %v, want %v..%v", st.name, wait, st.minWait, st.maxWait)
			}
		}
		waitFor(t, st.name+" requests", func() bool { n, _ := recv.counts(); return n == st.attempts })
		if _, acc := recv.counts(); acc != st.acceptedBy {
			t.Errorf("%s: receiver accepted %d times, want %d", st.name, acc, st.acceptedBy)
		}
	}
	defer srv.Close()

	got := recv.accepted[0]
	for k, want := range map[string]string{"Idempotency-Key": alert.ID, "Content-Type": "application/json", "User-Agent": "newsmon/1.0"} {
		if v := got.header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	verifySignature(t, secret, got)
	var body struct {
		ID       string `json:"id"`
		Rule     string `json:"rule"`
		Kind     string `json:"kind"`
		Event    *newsmon.AlertEvent
		Articles []newsmon.AlertArticle
	}
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatalf("body: %v\n%s", err, got.body)
	}
	if body.ID != alert.ID || body.Rule != rule.Name || body.Kind != "agreement" || body.Event == nil ||
		body.Event.EventID != alert.Event.EventID || len(body.Articles) != len(alert.Articles) {
		t.Errorf("body %s does not carry the alert", got.body)
	}
	// Every attempt carried the same key, so a receiver that took a
	// timed-out attempt could drop the later one.
	for i, a := range recv.attempts {
		if k := a.header.Get("Idempotency-Key"); k != alert.ID {
			t.Errorf("attempt %d: Idempotency-Key %q", i, k)
		}
	}
}

func TestWebhookAnswers(t *testing.T) {
	alert := sampleAgreement("agr-2", "r", time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), "trend")
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		rule     func(url string) newsmon.AlertRule
		env      map[string]string
		errHas   string // "" means accepted
		received int
	}{
		{name: "204 accepted", handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			rule: func(u string) newsmon.AlertRule { return newsmon.AlertRule{Name: "r", Webhook: u} }, received: 1},
		{name: "200 with body accepted", handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
			rule: func(u string) newsmon.AlertRule { return newsmon.AlertRule{Name: "r", Webhook: u} }, received: 1},
		{name: "404 quoted", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no such hook "+strings.Repeat("x", 5000), http.StatusNotFound)
		}, rule: func(u string) newsmon.AlertRule { return newsmon.AlertRule{Name: "r", Webhook: u} }, errHas: "404 Not Found: \"no such hook", received: 1},
		{name: "redirect refused", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, rule: func(u string) newsmon.AlertRule { return newsmon.AlertRule{Name: "r", Webhook: u} }, errHas: "302 Found", received: 1},
		{name: "secret missing: not sent unsigned", handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			rule: func(u string) newsmon.AlertRule {
				return newsmon.AlertRule{Name: "r", Webhook: u, SecretEnv: "NEWSMON_UNSET_SECRET"}
			}, errHas: "NEWSMON_UNSET_SECRET (secret_env) is not set", received: 0},
		{name: "signed when the secret is set", handler: func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Header.Get("X-Newsmon-Signature") != Sign([]byte("s3cret"), body) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
			}
		}, rule: func(u string) newsmon.AlertRule {
			return newsmon.AlertRule{Name: "r", Webhook: u, SecretEnv: "HOOK_SECRET"}
		}, env: map[string]string{"HOOK_SECRET": "s3cret"}, received: 1},
		{name: "not an http URL", handler: func(w http.ResponseWriter, r *http.Request) {},
			rule: func(string) newsmon.AlertRule { return newsmon.AlertRule{Name: "r", Webhook: "ftp://example.com/x"} }, errHas: "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			received := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				received++
				mu.Unlock()
				tt.handler(w, r)
			}))
			defer srv.Close()
			w := &Webhook{Timeout: 2 * time.Second, LookupEnv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}
			err := w.Notify(context.Background(), tt.rule(srv.URL+"/hook"), alert)
			switch {
			case tt.errHas == "" && err != nil:
				t.Fatalf("Notify: %v", err)
			case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
				t.Fatalf("Notify error %v, want it to contain %q", err, tt.errHas)
			case err != nil && len(err.Error()) > 600:
				t.Errorf("error is %d bytes long; the body excerpt is not bounded", len(err.Error()))
			}
			mu.Lock()
			defer mu.Unlock()
			if received != tt.received {
				t.Errorf("receiver got %d requests, want %d", received, tt.received)
			}
		})
	}
}

func TestSlackFormat(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	hostile := sampleAgreement("agr-3", "slack-rule", at, "trend", "azertac")
	hostile.Articles[0].Title = "<script>alert(1)</script> & <!channel>"
	hostile.Event.Value = "$2 billion"
	many := sampleAgreement("agr-4", "slack-rule", at, strings.Split(strings.Repeat("outlet,", 1000), ",")[:1000]...)

	tests := []struct {
		name      string
		alert     *newsmon.Alert
		wantIn    []string
		wantNotIn []string
	}{
		{name: "fields, evidence and every report", alert: hostile, wantIn: []string{
			"*Signed: memorandum — Azerbaijan, Kazakhstan*", "*Parties:* Azerbaijan, Kazakhstan", "*Instrument:* memorandum",
			"*Status:* signed", "*Value:* $2 billion", "> _Azerbaijan and Kazakhstan signed",
			"<https://trend.example/news/caspian-cable-0|&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;>",
			"<https://azertac.example/news/caspian-cable-1|azertac: Baku and Astana agree on a power cable>",
		}, wantNotIn: []string{"<script>", "<!channel>"}},
		{name: "many reports stay within Slack's limits", alert: many, wantIn: []string{"more reports"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, _ = io.ReadAll(r.Body)
			}))
			defer srv.Close()
			rule := newsmon.AlertRule{Name: "slack-rule", Webhook: srv.URL, Format: "slack"}
			if err := (&Webhook{}).Notify(context.Background(), rule, tt.alert); err != nil {
				t.Fatal(err)
			}
			var msg struct {
				Text   string `json:"text"`
				Blocks []struct {
					Type string `json:"type"`
					Text *struct {
						Type string `json:"type"`
						Text string `json:"text"`
					} `json:"text"`
					Elements []struct {
						Text string `json:"text"`
					} `json:"elements"`
				} `json:"blocks"`
			}
			if err := json.Unmarshal(got, &msg); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if msg.Text == "" || len(msg.Blocks) == 0 || len(msg.Blocks) > 50 {
				t.Fatalf("text %q with %d blocks", msg.Text, len(msg.Blocks))
			}
			var all strings.Builder
			for _, b := range msg.Blocks {
				if b.Text != nil {
					if n := len([]rune(b.Text.Text)); n > 3000 {
						t.Errorf("a section of %d characters", n)
					}
					all.WriteString(b.Text.Text + "\n")
				}
				for _, e := range b.Elements {
					all.WriteString(e.Text + "\n")
				}
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(all.String(), s) {
					t.Errorf("missing %q in\n%s", s, all.String())
				}
			}
			for _, s := range tt.wantNotIn {
				if strings.Contains(all.String(), s) {
					t.Errorf("unescaped %q in\n%s", s, all.String())
				}
			}
		})
	}
}
