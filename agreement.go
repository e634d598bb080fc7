package newsmon

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AgreementEvent is one signing (or plan, or ratification) as reported by
// one or more articles: the agreements of different articles that report
// the same event share its EventID.
type AgreementEvent struct {
	EventID    string            `json:"event_id"`
	Instrument string            `json:"instrument"`
	Status     string            `json:"status"`
	Parties    []string          `json:"parties"`
	Value      string            `json:"value,omitempty"`
	Place      string            `json:"place,omitempty"`
	Date       string            `json:"date,omitempty"`
	FirstSeen  time.Time         `json:"first_seen"`
	Published  *time.Time        `json:"published"` // of the earliest report
	Sentence   string            `json:"sentence"`  // of the first report
	Reports    []AgreementReport `json:"reports"`
}

// AgreementReport is one article that reports an agreement event.
type AgreementReport struct {
	ArticleID int64      `json:"article_id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Published *time.Time `json:"published"`
	Sentence  string     `json:"sentence"`
}

// AgreementFilter selects agreement events. Since and Until bound the
// publication of the earliest report (its first sight when undated).
type AgreementFilter struct {
	Since      *time.Time
	Until      *time.Time
	Party      string // a normalised party name, case-insensitive
	Instrument string
	Status     string
	Limit      int
	Offset     int
}

// The clustering of agreements into events, the same in every store so
// that all of them give the same reports the same events: a store finds
// the stored agreements of other articles that may report the event (an
// instrument of InstrumentClassMembers, a day within EventWindow, with
// parties), offers them to an EventMatcher nearest first, and names a new
// event by NewEventID when none matches.

// EventWindow is how far apart two reports of one signing may be dated.
const EventWindow = 7 * 24 * time.Hour

// instrumentClass groups the instruments outlets name one signing by: the
// same memorandum is "an agreement" to one outlet and "a memorandum" or "a
// roadmap" to another. A contract, a treaty, a fund and a joint venture are
// each their own class.
var instrumentClass = map[string]string{
	"agreement": "accord", "memorandum": "accord", "protocol": "accord",
	"roadmap": "accord", "declaration": "accord",
}

// InstrumentClass returns the class of an instrument: its group, or the
// instrument itself (lower-case).
func InstrumentClass(instrument string) string {
	instrument = strings.ToLower(instrument)
	if c, ok := instrumentClass[instrument]; ok {
		return c
	}
	return instrument
}

// InstrumentClassMembers returns the instruments (lower-case, sorted) of
// the class of instrument.
func InstrumentClassMembers(instrument string) []string {
	instrument = strings.ToLower(instrument)
	class, ok := instrumentClass[instrument]
	if !ok {
		return []string{instrument}
	}
	var members []string
	for in, c := range instrumentClass {
		if c == class {
			members = append(members, in)
		}
	}
	slices.Sort(members)
	return members
}

// statusJoins reports whether a report of status s may join an event
// reported as other: a signing and its ratification are apart from a plan;
// a report that mentions an agreement in passing joins any signing, and a
// plan joins only plans.
func statusJoins(s, other string) bool {
	switch s {
	case StatusPlanned:
		return other == StatusPlanned
	case StatusMentioned:
		return other != StatusPlanned
	}
	return other == s || other == StatusMentioned
}

// PartyKey is the form under which party sets compare and are stored:
// sorted, lower-case, each between \x1e separators, so that one party can
// be found with LIKE. It is "" for no parties.
func PartyKey(parties []string) string {
	if len(parties) == 0 {
		return ""
	}
	ps := make([]string, 0, len(parties))
	for _, p := range parties {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return "\x1e" + strings.Join(ps, "\x1e") + "\x1e"
}

// sameParties reports whether two party keys name the same signatories:
// equal sets, or one within the other sharing at least two parties (one
// outlet names the companies, another only their countries).
func sameParties(a, b string) bool {
	if a == b {
		return true
	}
	small, big := a, b
	if strings.Count(a, "\x1e") > strings.Count(b, "\x1e") {
		small, big = b, a
	}
	parties := strings.Split(strings.Trim(small, "\x1e"), "\x1e")
	if len(parties) < 2 {
		return false
	}
	for _, p := range parties {
		if !strings.Contains(big, "\x1e"+p+"\x1e") {
			return false
		}
	}
	return true
}

// EventMatcher picks the event an agreement reports among the stored
// agreements of other articles, offered nearest in date first: the
// nearest that matches, preferring one of the same status.
type EventMatcher struct {
	ag       Agreement
	key      string
	best     string
	bestSame bool
}

// NewEventMatcher returns a matcher for agreement ag, whose PartyKey is
// key.
func NewEventMatcher(ag Agreement, key string) *EventMatcher {
	return &EventMatcher{ag: ag, key: key}
}

// Offer considers a stored agreement of event eventID.
func (m *EventMatcher) Offer(eventID, status, partyKey, value, date string) {
	ag := m.ag
	if !statusJoins(ag.Status, status) || !sameParties(m.key, partyKey) ||
		(ag.Value != "" && value != "" && ag.Value != value) ||
		(ag.Date != "" && date != "" && ag.Date != date) {
		return
	}
	if m.best == "" || (!m.bestSame && status == ag.Status) {
		m.best, m.bestSame = eventID, status == ag.Status
	}
}

// Event returns the event picked, "" when none matched.
func (m *EventMatcher) Event() string { return m.best }

// NewEventID names the new event of agreement ag (whose PartyKey is key)
// of article articleID by a hash of both, stable across saves.
func NewEventID(ag Agreement, key string, articleID int64) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%d", strings.ToLower(ag.Instrument), ag.Status, key, articleID)
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// statusRank orders statuses by how much a report says about an event.
var statusRank = map[string]int{
	StatusMentioned: 1, StatusPlanned: 2, StatusSigned: 3, StatusRatified: 4,
}

// AddReport adds to e the report r of an article that states the event as
// ag and was first seen at firstSeen. Reports come earliest first; the
// first sets the event's fields, and the event is what its strongest
// report says (a signing mentioned in passing first and reported later is
// a signing). A second report by one article is left out: an article that
// states the event twice is one report.
func (e *AgreementEvent) AddReport(r AgreementReport, ag Agreement, firstSeen time.Time) {
	for _, seen := range e.Reports {
		if seen.ArticleID == r.ArticleID {
			return
		}
	}
	r.Sentence = ag.Sentence
	if len(e.Reports) == 0 {
		e.Instrument, e.Status, e.Value, e.Place, e.Date, e.Sentence = ag.Instrument, ag.Status, ag.Value, ag.Place, ag.Date, ag.Sentence
		e.Parties = ag.Parties
		e.Published = r.Published
		e.FirstSeen = firstSeen
	}
	if statusRank[ag.Status] > statusRank[e.Status] {
		e.Status, e.Instrument, e.Sentence = ag.Status, ag.Instrument, ag.Sentence
	}
	if e.Value == "" {
		e.Value = ag.Value
	}
	if firstSeen.Before(e.FirstSeen) {
		e.FirstSeen = firstSeen
	}
	e.Reports = append(e.Reports, r)
}

// HasReport reports whether e has a report of article id.
func (e *AgreementEvent) HasReport(id int64) bool {
	return slices.ContainsFunc(e.Reports, func(r AgreementReport) bool { return r.ArticleID == id })
}
