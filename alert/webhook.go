package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/newsmon/newsmon"
)

// Webhook headers and defaults.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderSignature      = "X-Newsmon-Signature"
	WebhookUserAgent     = "newsmon/1.0"
	// DefaultWebhookTimeout bounds one POST, from dialling to the end of
	// the response headers and the excerpt of the body.
	DefaultWebhookTimeout = 15 * time.Second
	maxExcerpt            = 300      // bytes of an error response quoted in the error
	maxDrain              = 64 << 10 // bytes of a response read to reuse the connection
)

// Webhook is a Notifier that POSTs an alert to rule.Webhook: the JSON of
// DESIGN.md's "Records" by default, Slack's incoming-webhook message when
// rule.Format is "slack". A 2xx answer is acceptance; any other status, a
// redirect or a timeout is an error quoting the status and the start of
// the body. The zero value is ready to use.
type Webhook struct {
	// Client sends the requests; nil means a client that follows no
	// redirect (a POST turned into a GET would lose the alert).
	Client *http.Client
	// Timeout bounds one request; 0 means DefaultWebhookTimeout.
	Timeout time.Duration
	// LookupEnv finds the signing secret; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

var noRedirectClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Notify sends one alert. Its Idempotency-Key is the alert's ID, so a
// receiver that already took it can drop a repeat.
func (w *Webhook) Notify(ctx context.Context, rule newsmon.AlertRule, a *newsmon.Alert) error {
	if a == nil {
		return errors.New("webhook: nil alert")
	}
	var body any = a
	if rule.Format == "slack" {
		body = slackAlert(a)
	}
	return w.post(ctx, rule, a.ID, body)
}

// digestBody is the JSON of a digest webhook.
type digestBody struct {
	ID     string          `json:"id"`
	Digest bool            `json:"digest"`
	Rule   string          `json:"rule"`
	Start  time.Time       `json:"start"`
	Alerts []newsmon.Alert `json:"alerts"`
}

// NotifyDigest sends a digest as one POST, `{"digest": true, "rule",
// "alerts": [...]}`, with the digest's ID as Idempotency-Key.
func (w *Webhook) NotifyDigest(ctx context.Context, rule newsmon.AlertRule, d *Digest) error {
	alerts := d.Alerts
	if alerts == nil {
		alerts = []newsmon.Alert{} // "alerts": [], never null
	}
	var body any = digestBody{ID: d.ID, Digest: true, Rule: d.Rule, Start: d.Start.UTC(), Alerts: alerts}
	if rule.Format == "slack" {
		body = slackDigest(d)
	}
	return w.post(ctx, rule, d.ID, body)
}

func (w *Webhook) post(ctx context.Context, rule newsmon.AlertRule, key string, v any) error {
	if rule.Webhook == "" {
		return fmt.Errorf("webhook: rule %q has no webhook URL", rule.Name)
	}
	u, err := url.Parse(rule.Webhook)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook: rule %q: %q is not an absolute http(s) URL", rule.Name, rule.Webhook)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("webhook: encode %s: %w", key, err)
	}
	var signature string
	if rule.SecretEnv != "" {
		lookup := w.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		secret, ok := lookup(rule.SecretEnv)
		if !ok || secret == "" {
			// Sending unsigned would teach the receiver to accept
			// unsigned bodies; better to wait until the secret is set.
			return fmt.Errorf("webhook: rule %q: environment variable %s (secret_env) is not set; not sending unsigned", rule.Name, rule.SecretEnv)
		}
		signature = Sign([]byte(secret), body)
	}

	timeout := w.Timeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", redact(u), err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", WebhookUserAgent)
	req.Header.Set(HeaderIdempotencyKey, key)
	if signature != "" {
		req.Header.Set(HeaderSignature, signature)
	}
	client := w.Client
	if client == nil {
		client = noRedirectClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL may carry a token (Slack's do); errors name the host only.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("webhook %s: %w", redact(u), err)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, maxExcerpt))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s: %s: %q", redact(u), resp.Status, clean(string(excerpt), maxExcerpt))
	}
	return nil
}

// Sign returns the X-Newsmon-Signature of body: "sha256=" and the hex
// HMAC-SHA256 of the body under secret. A receiver recomputes it over the
// raw body and compares with hmac.Equal.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// redact returns the scheme and host of a webhook URL: the path of a Slack
// webhook is its secret and must not reach logs.
func redact(u *url.URL) string {
	return u.Scheme + "://" + u.Host
}

// Slack's limits on a message: 50 blocks, 3000 characters in a section's
// text. The fallback text is the notification line.
const (
	slackMaxBlocks  = 50
	slackMaxSection = 3000
)

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []*slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackEscape escapes the three characters Slack's mrkdwn treats as
// control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackLink writes <url|title>, or the title alone when the URL is not a
// plain http(s) URL.
func slackLink(rawURL, title string) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return slackEscape(title)
	}
	link := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20").Replace(u.String())
	return "<" + link + "|" + strings.ReplaceAll(slackEscape(title), "|", "¦") + ">"
}

func section(text string) slackBlock {
	if r := []rune(text); len(r) > slackMaxSection {
		text = string(r[:slackMaxSection-1]) + "…"
	}
	return slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: text}}
}

// slackBlocks renders one alert as Slack blocks: a summary section with
// parties, instrument, status, value and the evidence sentence, then the
// reports, as many sections as their links need.
func slackBlocks(v alertView, budget int) []slackBlock {
	var b strings.Builder
	b.WriteString("*" + slackEscape(v.Headline) + "*")
	if e := v.Event; e != nil {
		fmt.Fprintf(&b, "\n*Parties:* %s\n*Instrument:* %s\n*Status:* %s", slackEscape(e.Parties), slackEscape(e.Instrument), slackEscape(e.Status))
		if e.Value != "" {
			fmt.Fprintf(&b, "\n*Value:* %s", slackEscape(e.Value))
		}
	}
	if v.Source != "" {
		fmt.Fprintf(&b, "\n*Source:* %s\n*Problem:* %s", slackEscape(v.Source), slackEscape(v.Problem))
	}
	if v.Evidence != "" {
		fmt.Fprintf(&b, "\n> _%s_", slackEscape(v.Evidence))
	}
	blocks := []slackBlock{section(b.String())}
	b.Reset()
	left := 0
	for i, a := range v.Articles {
		line := "• " + slackLink(a.URL, a.Title)
		if a.Source != "" {
			line += " — " + slackEscape(a.Source)
		}
		if a.Sentence != "" {
			line += "\n    _" + slackEscape(a.Sentence) + "_"
		}
		if b.Len() > 0 && len([]rune(b.String()))+len([]rune(line))+1 > slackMaxSection {
			if len(blocks) >= budget-1 {
				left = len(v.Articles) - i
				break
			}
			blocks = append(blocks, section(b.String()))
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(line)
	}
	if b.Len() > 0 && len(blocks) < budget {
		blocks = append(blocks, section(b.String()))
	}
	if more := left + v.MoreCount; more > 0 && len(blocks) < budget {
		blocks = append(blocks, slackBlock{Type: "context", Elements: []*slackText{{Type: "mrkdwn", Text: fmt.Sprintf("and %d more reports", more)}}})
	}
	return blocks
}

func slackAlert(a *newsmon.Alert) slackMessage {
	v := viewOf(a)
	return slackMessage{Text: slackEscape(v.Headline), Blocks: slackBlocks(v, slackMaxBlocks)}
}

func slackDigest(d *Digest) slackMessage {
	v := digestViewOf(d)
	msg := slackMessage{Text: slackEscape(v.Headline)}
	msg.Blocks = append(msg.Blocks, slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: clean(v.Headline, 140)}})
	shown := 0
	for _, av := range v.Alerts {
		budget := slackMaxBlocks - len(msg.Blocks) - 2 // a divider, and room for "and N more"
		if budget < 2 {
			break
		}
		msg.Blocks = append(msg.Blocks, slackBlock{Type: "divider"})
		msg.Blocks = append(msg.Blocks, slackBlocks(av, budget)...)
		shown++
	}
	if more := len(d.Alerts) - shown; more > 0 {
		msg.Blocks = append(msg.Blocks, slackBlock{Type: "context", Elements: []*slackText{{Type: "mrkdwn", Text: fmt.Sprintf("and %d more alerts", more)}}})
	}
	return msg
}
