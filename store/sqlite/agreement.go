package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// eventWindow is how far apart two reports of one signing may be dated.
const eventWindow = 7 * 24 * time.Hour

// findEventsSQL lists the agreements of other articles that may report
// the same event: an instrument of the same class, dated within
// eventWindow, with parties. sameEvent decides among them.
const findEventsSQL = `SELECT event_id, status, party_key, value, date, day FROM agreements
	WHERE instrument IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?
	  AND article_id != ? AND party_key != ''
	ORDER BY abs(day - ?), article_id LIMIT 5000`

// instrumentClass groups the instruments outlets name one signing by: the
// same memorandum is "an agreement" to one outlet and "a memorandum" or "a
// roadmap" to another. A contract, a treaty, a fund and a joint venture are
// each their own class.
var instrumentClass = map[string]string{
	"agreement": "accord", "memorandum": "accord", "protocol": "accord",
	"roadmap": "accord", "declaration": "accord",
}

// classMembers returns the instruments of ag's class, as a JSON array.
func classMembers(instrument string) string {
	instrument = strings.ToLower(instrument)
	class, ok := instrumentClass[instrument]
	if !ok {
		b, _ := json.Marshal([]string{instrument})
		return string(b)
	}
	var members []string
	for in, c := range instrumentClass {
		if c == class {
			members = append(members, in)
		}
	}
	sort.Strings(members)
	b, _ := json.Marshal(members)
	return string(b)
}

// statusJoins reports whether a report of status s may join an event
// reported as other: a signing and its ratification are apart from a plan;
// a report that mentions an agreement in passing joins any signing, and a
// plan joins only plans.
func statusJoins(s, other string) bool {
	switch s {
	case newsmon.StatusPlanned:
		return other == newsmon.StatusPlanned
	case newsmon.StatusMentioned:
		return other != newsmon.StatusPlanned
	}
	return other == s || other == newsmon.StatusMentioned
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

// partyKey is the form under which party sets compare: sorted, lower-case,
// each between \x1e separators, so that one party can be found with LIKE.
func partyKey(parties []string) string {
	if len(parties) == 0 {
		return ""
	}
	ps := make([]string, 0, len(parties))
	for _, p := range parties {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	return "\x1e" + strings.Join(ps, "\x1e") + "\x1e"
}

// clusterEvent returns the event an agreement of article id reports: that
// of a matching agreement in another article, or a new one named by a hash
// of the article and the agreement, stable across saves. An agreement
// without parties is an event of its own: nothing says two such reports
// are one signing.
func (w *articleWriter) clusterEvent(id int64, ag newsmon.Agreement, pkey string, day int64) (string, error) {
	if pkey != "" {
		win := eventWindow.Microseconds()
		rows, err := w.stmt(w.db.stmts.findEvent).QueryContext(w.ctx, classMembers(ag.Instrument), day-win, day+win, id, day)
		if err != nil {
			return "", fmt.Errorf("find event: %w", err)
		}
		defer rows.Close()
		var best string
		bestSameStatus := false
		for rows.Next() {
			var eventID, status, otherKey, value, date string
			var otherDay int64
			if err := rows.Scan(&eventID, &status, &otherKey, &value, &date, &otherDay); err != nil {
				return "", fmt.Errorf("find event: %w", err)
			}
			if !statusJoins(ag.Status, status) || !sameParties(pkey, otherKey) ||
				(ag.Value != "" && value != "" && ag.Value != value) ||
				(ag.Date != "" && date != "" && ag.Date != date) {
				continue
			}
			// Rows come nearest first: keep the nearest, preferring one of
			// the same status.
			if best == "" || (!bestSameStatus && status == ag.Status) {
				best, bestSameStatus = eventID, status == ag.Status
			}
		}
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("find event: %w", err)
		}
		if best != "" {
			return best, nil
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%d", strings.ToLower(ag.Instrument), ag.Status, pkey, id)
	return hex.EncodeToString(h.Sum(nil))[:20], nil
}

// storedEventIDs returns the event ids of article id's agreements in order.
func (w *articleWriter) storedEventIDs(id int64) ([]string, error) {
	var ids []string
	rows, err := w.stmt(w.db.stmts.eventIDs).QueryContext(w.ctx, id)
	if err != nil {
		return nil, fmt.Errorf("event ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		ids = append(ids, e)
	}
	return ids, rows.Err()
}

// maxEvents bounds one page of FindAgreementEvents.
const maxEvents = 1000

// FindAgreementEvents returns the events matching f, the most recent first
// (by their earliest report), each with every article that reports it,
// earliest first.
func (db *DB) FindAgreementEvents(ctx context.Context, f newsmon.AgreementFilter) ([]newsmon.AgreementEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > maxEvents {
		return nil, newsmon.Errorf(newsmon.EINVALID, "limit %d: at most %d", limit, maxEvents)
	}
	if f.Offset < 0 {
		return nil, newsmon.Errorf(newsmon.EINVALID, "offset %d: negative", f.Offset)
	}
	var where []string
	var args []any
	if f.Party != "" {
		where = append(where, "party_key LIKE ? ESCAPE '\\'")
		args = append(args, "%\x1e"+escapeLike(strings.ToLower(strings.TrimSpace(f.Party)))+"\x1e%")
	}
	if f.Instrument != "" {
		where = append(where, "instrument = ?")
		args = append(args, strings.ToLower(f.Instrument))
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	having := []string{}
	if f.Since != nil {
		having = append(having, "min(day) >= ?")
		args = append(args, toMicros(*f.Since))
	}
	if f.Until != nil {
		having = append(having, "min(day) <= ?")
		args = append(args, toMicros(*f.Until))
	}
	q := `SELECT event_id FROM agreements`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` GROUP BY event_id`
	if len(having) > 0 {
		q += ` HAVING ` + strings.Join(having, " AND ")
	}
	q += ` ORDER BY min(day) DESC, event_id LIMIT ? OFFSET ?`
	args = append(args, limit, f.Offset)

	var order []string
	if err := queryEach(ctx, db.reader, q, args, func(rows *sql.Rows) error {
		var e string
		if err := rows.Scan(&e); err != nil {
			return err
		}
		order = append(order, e)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("find agreement events: %w", err)
	}
	if len(order) == 0 {
		return []newsmon.AgreementEvent{}, nil
	}

	byID := make(map[string]*newsmon.AgreementEvent, len(order))
	ids := make([]any, len(order))
	for i, e := range order {
		ids[i] = e
		byID[e] = &newsmon.AgreementEvent{EventID: e, Reports: []newsmon.AgreementReport{}}
	}
	err := queryEach(ctx, db.reader, `SELECT ag.event_id, ag.instrument, ag.status, ag.parties, ag.value,
			ag.place, ag.date, ag.sentence, ag.day, a.id, a.canonical_url, a.title, a.source, a.published, a.first_seen
		FROM agreements ag JOIN articles a ON a.id = ag.article_id
		WHERE ag.event_id IN `+placeholders(len(ids))+`
		ORDER BY ag.day, a.id, ag.seq`, ids, func(rows *sql.Rows) error {
		var (
			eventID, instrument, status, parties, value, place, date, sentence string
			day, firstSeen                                                     int64
			r                                                                  newsmon.AgreementReport
			published                                                          sql.NullInt64
		)
		if err := rows.Scan(&eventID, &instrument, &status, &parties, &value, &place, &date, &sentence,
			&day, &r.ArticleID, &r.URL, &r.Title, &r.Source, &published, &firstSeen); err != nil {
			return err
		}
		e := byID[eventID]
		for _, seen := range e.Reports {
			if seen.ArticleID == r.ArticleID {
				return nil // an article that states the event twice is one report
			}
		}
		if published.Valid {
			t := fromMicros(published.Int64)
			r.Published = &t
		}
		r.Sentence = sentence
		if len(e.Reports) == 0 {
			e.Instrument, e.Status, e.Value, e.Place, e.Date, e.Sentence = instrument, status, value, place, date, sentence
			if err := json.Unmarshal([]byte(parties), &e.Parties); err != nil {
				return fmt.Errorf("parties of %s: %w", eventID, err)
			}
			e.Published = r.Published
			e.FirstSeen = fromMicros(firstSeen)
		}
		if statusRank[status] > statusRank[e.Status] {
			// The event is what its strongest report says: a signing
			// mentioned in passing first and reported later is a signing.
			e.Status, e.Instrument, e.Sentence = status, instrument, sentence
		}
		if e.Value == "" {
			e.Value = value
		}
		if fs := fromMicros(firstSeen); fs.Before(e.FirstSeen) {
			e.FirstSeen = fs
		}
		e.Reports = append(e.Reports, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find agreement events: %w", err)
	}
	out := make([]newsmon.AgreementEvent, len(order))
	for i, e := range order {
		out[i] = *byID[e]
	}
	return out, nil
}

// statusRank orders statuses by how much a report says about an event.
var statusRank = map[string]int{
	newsmon.StatusMentioned: 1, newsmon.StatusPlanned: 2, newsmon.StatusSigned: 3, newsmon.StatusRatified: 4,
}

// escapeLike escapes the LIKE wildcards of s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
