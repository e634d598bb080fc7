// Package alert delivers the alerts that the store keeps in its outbox:
// by webhook (newsmon's JSON or Slack's incoming-webhook message, with an
// Idempotency-Key and an optional HMAC-SHA256 signature), by email, and as
// an Atom feed.
//
// Libraries: email goes through github.com/wneessen/go-mail, which does
// the SMTP conversation, STARTTLS and implicit TLS, authentication and
// MIME (multipart/alternative, quoted-printable, encoded subjects) that
// we would otherwise get subtly wrong. HTML is rendered by html/template,
// which escapes the untrusted titles and sentences of crawled pages and
// refuses unsafe link URLs. The webhook uses net/http, the Atom feed
// encoding/xml.
//
// Hand-written: the JSON and Slack bodies, the signature, the Atom
// structs (a feed of our own records is a few structs; a feed-writing
// library would add a dependency for no gain), and the Deliverer — the
// worker that takes due deliveries from a newsmon.Outbox, sends each
// through its channel, and records the outcome, retrying with exponential
// backoff and jitter and never giving up. A send that succeeds but whose
// MarkDelivered is lost (a crash in between) is sent again at the next
// pass; the Idempotency-Key (and for email a Message-ID derived from the
// alert) lets the receiver drop that repeat, which is what makes delivery
// exactly-once as the receiver sees it.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/newsmon/newsmon"
)

// Delivery settings.
const (
	// DeliveryBatch is how many due deliveries one pass claims. The store
	// lends them to this worker for a lease (two minutes in store/sqlite),
	// so a pass claims few and stops within PassBudget.
	DeliveryBatch = 10
	// PassBudget bounds the sending of one pass, inside the outbox's
	// lease: deliveries not tried by then are left to the lease's end
	// and the next pass, never sent by two workers at once.
	PassBudget = 100 * time.Second
	// minSendTime is the least time worth starting a send with.
	minSendTime = 5 * time.Second
	// FirstRetry is the wait after a first failure; each further failure
	// doubles it up to MaxRetry.
	FirstRetry = 30 * time.Second
	MaxRetry   = time.Hour
	// OrphanRetry is the wait before looking again at a delivery whose
	// rule or channel is gone from the configuration: it is kept (the
	// rule may come back) but not tried often.
	OrphanRetry = 24 * time.Hour
	// SendTimeout bounds one send, whatever the notifier's own timeouts.
	SendTimeout = time.Minute
)

// Deliverer sends the due deliveries of an Outbox through the channels of
// their rules. Rules is the current configuration; Webhook and Email may
// be nil when no rule uses them. Log and Now may be nil.
type Deliverer struct {
	Outbox  newsmon.Outbox
	Rules   []newsmon.AlertRule
	Webhook newsmon.Notifier
	Email   newsmon.Notifier
	Log     *slog.Logger
	Now     func() time.Time
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (d *Deliverer) rule(name string) (newsmon.AlertRule, bool) {
	for _, r := range d.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return newsmon.AlertRule{}, false
}

// errOrphan marks a delivery that cannot be sent as the configuration
// stands (rule or channel removed); it is retried after OrphanRetry.
var errOrphan = errors.New("not deliverable with the current configuration")

// DeliverDue makes one pass: it takes up to DeliveryBatch deliveries due
// now, sends each through its channel and marks it delivered or failed
// (with the next attempt after RetryDelay). sent and failed count the
// sends; err is an error of the outbox, which ends the pass early.
func (d *Deliverer) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	if d.Outbox == nil {
		return 0, 0, errors.New("deliver: no outbox")
	}
	claimed := time.Now() // real time: the lease runs on the wall clock
	due, err := d.Outbox.PendingDeliveries(ctx, d.now(), DeliveryBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("deliver: pending deliveries: %w", err)
	}
	for i := range due {
		if ctx.Err() != nil {
			return sent, failed, ctx.Err()
		}
		left := PassBudget - time.Since(claimed)
		if left < minSendTime {
			d.log().Info("alert delivery pass out of time", "left_for_next_pass", len(due)-i)
			break
		}
		dl := &due[i]
		sendErr := d.send(ctx, dl, min(left, SendTimeout))
		if sendErr == nil {
			if err := d.Outbox.MarkDelivered(ctx, dl.AlertID, dl.Channel); err != nil {
				return sent, failed, fmt.Errorf("deliver: mark %s delivered by %s: %w", dl.AlertID, dl.Channel, err)
			}
			sent++
			d.log().Info("alert delivered", "alert", dl.AlertID, "rule", dl.Rule, "channel", dl.Channel, "attempt", dl.Attempts+1)
			continue
		}
		if ctx.Err() != nil {
			// Shutting down: the attempt was cut off, not refused; it
			// stays due and is tried at the next start.
			return sent, failed, ctx.Err()
		}
		failed++
		wait := RetryDelay(dl.Attempts)
		if errors.Is(sendErr, errOrphan) {
			wait = OrphanRetry
		}
		next := d.now().Add(wait)
		reason := clean(sendErr.Error(), 500)
		if err := d.Outbox.MarkFailed(ctx, dl.AlertID, dl.Channel, next, reason); err != nil {
			return sent, failed, fmt.Errorf("deliver: mark %s failed by %s: %w", dl.AlertID, dl.Channel, err)
		}
		d.log().Warn("alert delivery failed", "alert", dl.AlertID, "rule", dl.Rule, "channel", dl.Channel,
			"attempt", dl.Attempts+1, "next", next.UTC().Format(time.RFC3339), "error", reason)
	}
	return sent, failed, nil
}

// send sends one delivery: an alert, or a digest gathered from the outbox.
func (d *Deliverer) send(ctx context.Context, dl *newsmon.Delivery, timeout time.Duration) (err error) {
	defer func() {
		// A notifier's bug must not stop the worker or lose the delivery.
		if r := recover(); r != nil {
			err = fmt.Errorf("panic sending %s: %v", dl.AlertID, r)
		}
	}()
	ruleName := dl.Rule
	if ruleName == "" && dl.Alert != nil {
		ruleName = dl.Alert.Rule
	}
	rule, ok := d.rule(ruleName)
	if !ok {
		return fmt.Errorf("rule %q is no longer in the configuration: %w", ruleName, errOrphan)
	}
	var n newsmon.Notifier
	switch dl.Channel {
	case newsmon.ChannelWebhook:
		if rule.Webhook == "" {
			return fmt.Errorf("rule %q no longer has a webhook: %w", rule.Name, errOrphan)
		}
		n = d.Webhook
	case newsmon.ChannelEmail:
		if len(rule.Email) == 0 {
			return fmt.Errorf("rule %q no longer has email recipients: %w", rule.Name, errOrphan)
		}
		n = d.Email
	default:
		return fmt.Errorf("unknown channel %q: %w", dl.Channel, errOrphan)
	}
	if n == nil {
		return fmt.Errorf("no %s notifier configured: %w", dl.Channel, errOrphan)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if dl.Alert != nil {
		return n.Notify(ctx, rule, dl.Alert)
	}
	if !strings.HasPrefix(dl.AlertID, newsmon.DigestPrefix) {
		return fmt.Errorf("delivery %s has no alert: %w", dl.AlertID, errOrphan)
	}
	digest, err := d.gatherDigest(ctx, rule, dl.AlertID)
	if err != nil {
		return err
	}
	dn, ok := n.(DigestNotifier)
	if !ok {
		return fmt.Errorf("the %s notifier cannot send digests: %w", dl.Channel, errOrphan)
	}
	return dn.NotifyDigest(ctx, rule, digest)
}

// gatherDigest finds the alerts of a digest: those of the rule updated in
// [start, start+digest period), oldest first; without a period, all since
// start.
func (d *Deliverer) gatherDigest(ctx context.Context, rule newsmon.AlertRule, id string) (*Digest, error) {
	name, start, err := newsmon.ParseDigestID(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, errOrphan)
	}
	if name != rule.Name {
		return nil, fmt.Errorf("digest %s belongs to rule %q, not %q: %w", id, name, rule.Name, errOrphan)
	}
	alerts, err := d.Outbox.FindAlerts(ctx, newsmon.AlertFilter{Since: &start, Rule: rule.Name, Limit: maxDigestSize})
	if err != nil {
		return nil, fmt.Errorf("digest %s: find alerts: %w", id, err)
	}
	end := start.Add(time.Duration(rule.Digest))
	kept := alerts[:0]
	for _, a := range alerts {
		if a.Rule != rule.Name || a.Updated.Before(start) {
			continue
		}
		if rule.Digest > 0 && !a.Updated.Before(end) {
			continue // in the next period's digest
		}
		kept = append(kept, a)
	}
	// FindAlerts returns newest first; a digest reads in order.
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	return &Digest{ID: id, Rule: rule.Name, Start: start, Alerts: kept}, nil
}

// RetryDelay is the wait after a delivery's attempts-th earlier failure
// (attempts counts the failures before this one): 30s, 1m, 2m, … capped
// at an hour, less up to a fifth at random so that deliveries that failed
// together do not retry together.
func RetryDelay(attempts int) time.Duration {
	delay := MaxRetry
	if attempts >= 0 && attempts < 16 {
		delay = min(FirstRetry<<attempts, MaxRetry)
	}
	return delay - rand.N(delay/5+1)
}

// Run calls DeliverDue at once and then every interval until ctx ends; a
// pass that filled its batch is followed at once by another. Errors are
// logged, never fatal.
func (d *Deliverer) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 30 * time.Second
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		sent, failed, err := d.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			d.log().Error("alert delivery pass", "error", err)
		}
		wait := every
		if err == nil && sent+failed >= DeliveryBatch {
			wait = 0
		}
		timer.Reset(wait)
	}
}

// SendTest sends a sample alert through every channel of rule, for a user
// checking a webhook or mail setup (`newsmon alerts test RULE`). The
// sample has a fresh ID each time, so a receiver does not drop it as a
// repeat. It returns the errors of every channel that refused it.
func SendTest(ctx context.Context, rule newsmon.AlertRule, webhook, email newsmon.Notifier) error {
	a := SampleAlert(rule, time.Now())
	var errs []error
	tried := 0
	if rule.Webhook != "" {
		tried++
		if webhook == nil {
			errs = append(errs, errors.New("webhook: no notifier"))
		} else if err := webhook.Notify(ctx, rule, a); err != nil {
			errs = append(errs, err)
		}
	}
	if len(rule.Email) > 0 {
		tried++
		if email == nil {
			errs = append(errs, errors.New("email: no notifier"))
		} else if err := email.Notify(ctx, rule, a); err != nil {
			errs = append(errs, err)
		}
	}
	if tried == 0 {
		return newsmon.Errorf(newsmon.EINVALID, "alert rule %q has no webhook and no email: nothing to test", rule.Name)
	}
	return errors.Join(errs...)
}

// SampleAlert is the alert SendTest sends: of rule's kind, marked as a
// test in its ID and texts.
func SampleAlert(rule newsmon.AlertRule, now time.Time) *newsmon.Alert {
	now = now.UTC().Truncate(time.Second)
	pub := now.Add(-time.Hour)
	a := &newsmon.Alert{
		ID:      fmt.Sprintf("test:%s:%d", rule.Name, now.UnixNano()),
		Rule:    rule.Name,
		Kind:    rule.On,
		Created: now,
		Updated: now,
		Version: 1,
	}
	sentence := "This is a test alert from newsmon: the two ministers signed a memorandum of understanding on energy cooperation."
	switch rule.On {
	case newsmon.AlertSourceHealth:
		a.Source = "example-source"
		a.Problem = "test alert: the last three runs found no articles"
		return a
	case newsmon.AlertAgreement:
		a.Event = &newsmon.AlertEvent{
			EventID:    "test-event",
			Instrument: "memorandum",
			Status:     "signed",
			Parties:    []string{"Testland", "Sampleland"},
			Sentence:   sentence,
		}
	}
	a.Articles = []newsmon.AlertArticle{{
		URL:       "https://example.com/news/newsmon-test-alert",
		Title:     "newsmon test alert for rule " + rule.Name,
		Source:    "example",
		Published: &pub,
		Sentence:  sentence,
	}}
	return a
}
