package newsmon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// The rules below are how every store raises alerts, so that all of them
// raise the same alerts, under the same IDs, for the same articles.

// ParsedAlertRule is an alert rule checked, with the query and party of a
// search rule parsed.
type ParsedAlertRule struct {
	AlertRule        // Email is a copy of the rule's
	Query     *Query // of a search rule; nil matches every article
	Party     *Query // of a search rule: Party as a phrase; nil for none
}

// ParseAlertRules checks rules as a store's SetAlertRules does: a rule
// without a name, two rules of one name, a negative digest period, an
// unknown kind and a malformed search query (or party) are EINVALID errors
// naming the rule.
func ParseAlertRules(rules []AlertRule) ([]ParsedAlertRule, error) {
	list := make([]ParsedAlertRule, 0, len(rules))
	seen := make(map[string]bool, len(rules))
	for i, r := range rules {
		if r.Name == "" {
			return nil, Errorf(EINVALID, "alert rule %d has no name", i+1)
		}
		if seen[r.Name] {
			return nil, Errorf(EINVALID, "alert rule %q: two rules have this name", r.Name)
		}
		seen[r.Name] = true
		if r.Digest < 0 {
			return nil, Errorf(EINVALID, "alert rule %q: negative digest period", r.Name)
		}
		rule := ParsedAlertRule{AlertRule: r}
		rule.Email = slices.Clone(r.Email)
		switch r.On {
		case AlertAgreement, AlertSourceHealth:
		case AlertSearch:
			q, err := ParseQuery(r.Query)
			if err != nil {
				return nil, Errorf(EINVALID, "alert rule %q: %s", r.Name, ErrorMessage(err))
			}
			rule.Query = q
			if p := strings.TrimSpace(r.Party); p != "" {
				pq, err := ParseQuery(`"` + strings.ReplaceAll(p, `"`, " ") + `"`)
				if err != nil {
					return nil, Errorf(EINVALID, "alert rule %q: party: %s", r.Name, ErrorMessage(err))
				}
				rule.Party = pq
			}
		default:
			return nil, Errorf(EINVALID, "alert rule %q: on = %q: want agreement, search or source-health", r.Name, r.On)
		}
		list = append(list, rule)
	}
	return list, nil
}

// AlertID is the stable ID of the alert a rule raises for key (an event
// ID or a canonical URL), kind being the rule's On.
func AlertID(kind, rule, key string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x1f%s\x1f%s", kind, rule, key)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Channels returns the channels of a rule: ChannelWebhook, ChannelEmail.
func (r AlertRule) Channels() []string {
	var cs []string
	if r.Webhook != "" {
		cs = append(cs, ChannelWebhook)
	}
	if len(r.Email) > 0 {
		cs = append(cs, ChannelEmail)
	}
	return cs
}

// DigestPrefix starts the AlertID of a digest delivery:
// "digest:<rule>:<unix start>". Alert IDs never start with it.
const DigestPrefix = "digest:"

// DigestID is the AlertID of the digest delivery of rule for the period
// from start (see DigestPeriod).
func DigestID(rule string, start time.Time) string {
	return DigestPrefix + rule + ":" + strconv.FormatInt(start.Unix(), 10)
}

// ParseDigestID splits "digest:<rule>:<unix start>". The rule may hold
// colons; the start is after the last one.
func ParseDigestID(id string) (rule string, start time.Time, err error) {
	rest, ok := strings.CutPrefix(id, DigestPrefix)
	i := strings.LastIndexByte(rest, ':')
	if !ok || i <= 0 {
		return "", time.Time{}, fmt.Errorf("digest id %q: want digest:<rule>:<unix start>", id)
	}
	sec, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("digest id %q: want digest:<rule>:<unix start>", id)
	}
	return rest[:i], time.Unix(sec, 0).UTC(), nil
}

// DigestPeriod returns the start of the digest period of d that holds t,
// in Unix seconds (periods are aligned on the epoch), and its end.
func DigestPeriod(t time.Time, d time.Duration) (int64, time.Time) {
	secs := max(int64(d/time.Second), 1)
	start := t.Unix() - ((t.Unix()%secs)+secs)%secs
	return start, time.Unix(start+secs, 0).UTC()
}

// MatchesArticle applies a rule's source and topic filters to article a,
// whose topics (Article.AllTopics) are topics. A page that is not an
// article (a home or listing page) is no news and matches no rule.
func (r AlertRule) MatchesArticle(a *Article, topics []string) bool {
	if !a.IsArticle {
		return false
	}
	if r.Source != "" && r.Source != a.Source {
		return false
	}
	return r.Topic == "" || slices.Contains(topics, r.Topic)
}

// NamesParty reports whether ag names party, ignoring case.
func (ag Agreement) NamesParty(party string) bool {
	party = strings.TrimSpace(party)
	for _, p := range ag.Parties {
		if strings.EqualFold(strings.TrimSpace(p), party) {
			return true
		}
	}
	return false
}

// AgreementsToAlert returns the indexes in a.Agreements of the agreements
// an agreement rule raises (or updates) an alert for, their events being
// eventIDs (in the same order): the signed or ratified ones naming the
// rule's party, if it has one, one per event, of an article that passes
// MatchesArticle.
func (r AlertRule) AgreementsToAlert(a *Article, topics []string, eventIDs []string) []int {
	if !r.MatchesArticle(a, topics) {
		return nil
	}
	var out []int
	done := make(map[string]bool)
	for i, ag := range a.Agreements {
		if ag.Status != StatusSigned && ag.Status != StatusRatified {
			continue
		}
		if r.Party != "" && !ag.NamesParty(r.Party) {
			continue
		}
		if done[eventIDs[i]] {
			continue
		}
		done[eventIDs[i]] = true
		out = append(out, i)
	}
	return out
}
