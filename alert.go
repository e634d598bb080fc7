package newsmon

import (
	"context"
	"time"
)

// Alert kinds: the `on` values of [[alert]] rules.
const (
	AlertAgreement    = "agreement"
	AlertSearch       = "search"
	AlertSourceHealth = "source-health"
)

// Alert is one notification a rule raised: a newly signed agreement event,
// an article matching a saved search, or a source whose health failed. Its
// ID is stable: one event is one alert per rule, whatever the number of
// outlets that report it; later reports raise its Version and add to its
// Articles, they never make a new alert.
type Alert struct {
	ID       string         `json:"id"`
	Rule     string         `json:"rule"`
	Kind     string         `json:"kind"`
	Event    *AlertEvent    `json:"event,omitempty"`
	Articles []AlertArticle `json:"articles"`
	Source   string         `json:"source,omitempty"`  // source-health: the source
	Problem  string         `json:"problem,omitempty"` // source-health: what is wrong
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`
	Version  int            `json:"version"`
}

// AlertEvent is the agreement event of an agreement alert.
type AlertEvent struct {
	EventID    string   `json:"event_id"`
	Instrument string   `json:"instrument"`
	Status     string   `json:"status"`
	Parties    []string `json:"parties"`
	Value      string   `json:"value,omitempty"`
	Sentence   string   `json:"sentence"`
}

// AlertArticle is an article an alert points to, with the sentence that
// made it match (the evidence shown highlighted in an email).
type AlertArticle struct {
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Published *time.Time `json:"published"`
	Sentence  string     `json:"sentence,omitempty"`
}

// Alert channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery is an alert waiting to go out through one channel of its rule.
type Delivery struct {
	AlertID     string
	Rule        string
	Channel     string // ChannelWebhook or ChannelEmail
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Alert       *Alert
}

// AlertFilter selects alerts: those updated at or after Since, of Rule
// when set, newest update first.
type AlertFilter struct {
	Since *time.Time
	Rule  string
	Limit int
}

// Outbox keeps alerts until every channel of their rule has accepted them.
// A store raises agreement and search alerts in the same transaction as
// the article that raised them, so that a crash loses none and repeats
// none.
type Outbox interface {
	// SetAlertRules tells the store which rules to raise alerts for while
	// it saves articles. A search rule whose query is malformed is EINVALID.
	SetAlertRules(rules []AlertRule) error
	// RaiseAlert stores an alert raised outside an article's save (source
	// health), with a delivery per channel of its rule. Raising an ID that
	// exists updates it (Version+1) and adds no delivery.
	RaiseAlert(ctx context.Context, a *Alert) error
	// PendingDeliveries returns up to limit deliveries due at now, oldest
	// first, each with its alert.
	PendingDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// MarkDelivered records that a channel accepted an alert: it is never
	// sent there again.
	MarkDelivered(ctx context.Context, alertID, channel string) error
	// MarkFailed records a failed attempt and when to try again.
	MarkFailed(ctx context.Context, alertID, channel string, next time.Time, reason string) error
	// FindAlerts returns alerts, newest update first (for the Atom feed and
	// digests).
	FindAlerts(ctx context.Context, f AlertFilter) ([]Alert, error)
}

// Notifier sends an alert through one channel of a rule. It returns nil
// only when the receiver accepted the alert.
type Notifier interface {
	Notify(ctx context.Context, rule AlertRule, a *Alert) error
}
