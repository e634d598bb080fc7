package alert

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/newsmon/newsmon"
)

// memOutbox is an in-memory newsmon.Outbox: a test double of our own
// interface, with the semantics the SQLite store promises.
type memOutbox struct {
	mu         sync.Mutex
	rules      []newsmon.AlertRule
	alerts     map[string]*newsmon.Alert
	deliveries map[string]*memDelivery // alertID + "\x00" + channel
}

type memDelivery struct {
	newsmon.Delivery
	delivered bool
	failures  []string
}

func newMemOutbox(rules ...newsmon.AlertRule) *memOutbox {
	return &memOutbox{rules: rules, alerts: map[string]*newsmon.Alert{}, deliveries: map[string]*memDelivery{}}
}

func (o *memOutbox) SetAlertRules(rules []newsmon.AlertRule) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rules = rules
	return nil
}

func (o *memOutbox) RaiseAlert(_ context.Context, a *newsmon.Alert) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if old, ok := o.alerts[a.ID]; ok {
		cp := *a
		cp.Version = old.Version + 1
		cp.Created = old.Created
		o.alerts[a.ID] = &cp
		return nil
	}
	cp := *a
	if cp.Version == 0 {
		cp.Version = 1
	}
	o.alerts[a.ID] = &cp
	for _, r := range o.rules {
		if r.Name != a.Rule || r.Digest > 0 {
			continue
		}
		if r.Webhook != "" {
			o.addDeliveryLocked(a.ID, r.Name, newsmon.ChannelWebhook, a.Created)
		}
		if len(r.Email) > 0 {
			o.addDeliveryLocked(a.ID, r.Name, newsmon.ChannelEmail, a.Created)
		}
	}
	return nil
}

// addDelivery queues a delivery directly, as the store does for digests.
func (o *memOutbox) addDelivery(alertID, rule, channel string, due time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.addDeliveryLocked(alertID, rule, channel, due)
}

func (o *memOutbox) addDeliveryLocked(alertID, rule, channel string, due time.Time) {
	o.deliveries[alertID+"\x00"+channel] = &memDelivery{Delivery: newsmon.Delivery{
		AlertID: alertID, Rule: rule, Channel: channel, NextAttempt: due,
	}}
}

func (o *memOutbox) PendingDeliveries(_ context.Context, now time.Time, limit int) ([]newsmon.Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []newsmon.Delivery
	for _, d := range o.deliveries {
		if d.delivered || d.NextAttempt.After(now) {
			continue
		}
		dl := d.Delivery
		if a, ok := o.alerts[d.AlertID]; ok {
			cp := *a
			dl.Alert = &cp
		}
		due = append(due, dl)
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].NextAttempt.Equal(due[j].NextAttempt) {
			return due[i].NextAttempt.Before(due[j].NextAttempt)
		}
		return due[i].AlertID+due[i].Channel < due[j].AlertID+due[j].Channel
	})
	if len(due) > limit {
		due = due[:limit]
	}
	return due, nil
}

func (o *memOutbox) get(alertID, channel string) (*memDelivery, error) {
	d, ok := o.deliveries[alertID+"\x00"+channel]
	if !ok {
		return nil, fmt.Errorf("no delivery %s by %s", alertID, channel)
	}
	return d, nil
}

func (o *memOutbox) MarkDelivered(_ context.Context, alertID, channel string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(alertID, channel)
	if err != nil {
		return err
	}
	d.delivered = true
	return nil
}

func (o *memOutbox) MarkFailed(_ context.Context, alertID, channel string, next time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(alertID, channel)
	if err != nil {
		return err
	}
	d.Attempts++
	d.NextAttempt = next
	d.LastError = reason
	d.failures = append(d.failures, reason)
	return nil
}

func (o *memOutbox) FindAlerts(_ context.Context, f newsmon.AlertFilter) ([]newsmon.Alert, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []newsmon.Alert
	for _, a := range o.alerts {
		if (f.Rule != "" && a.Rule != f.Rule) || (f.Since != nil && a.Updated.Before(*f.Since)) {
			continue
		}
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Updated.After(out[j].Updated) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// state returns a copy of a delivery's record.
func (o *memOutbox) state(alertID, channel string) memDelivery {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.get(alertID, channel)
	if err != nil {
		return memDelivery{}
	}
	cp := *d
	cp.failures = append([]string(nil), d.failures...)
	return cp
}

var _ newsmon.Outbox = (*memOutbox)(nil)

// fakeClock is a settable clock for Deliverer.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sampleAgreement is an agreement alert reported by the given outlets.
func sampleAgreement(id, rule string, at time.Time, outlets ...string) *newsmon.Alert {
	a := &newsmon.Alert{
		ID: id, Rule: rule, Kind: newsmon.AlertAgreement,
		Event: &newsmon.AlertEvent{
			EventID: "ev-" + id, Instrument: "memorandum", Status: "signed",
			Parties:  []string{"Azerbaijan", "Kazakhstan"},
			Sentence: "Azerbaijan and Kazakhstan signed a memorandum on a Caspian power cable in Baku on Tuesday.",
		},
		Created: at, Updated: at, Version: 1,
	}
	for i, o := range outlets {
		pub := at.Add(-time.Duration(i+1) * time.Hour)
		a.Articles = append(a.Articles, newsmon.AlertArticle{
			URL:       fmt.Sprintf("https://%s.example/news/caspian-cable-%d", o, i),
			Title:     fmt.Sprintf("%s: Baku and Astana agree on a power cable", o),
			Source:    o,
			Published: &pub,
			Sentence:  "The ministers signed the memorandum after talks in Baku.",
		})
	}
	return a
}
