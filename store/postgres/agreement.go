package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
)

// The clustering of agreement events is the SQLite store's, rule for rule
// (store/sqlite/agreement.go), so that both stores give the same reports
// the same events.

// eventWindow is how far apart two reports of one signing may be dated.
const eventWindow = 7 * 24 * time.Hour

// instrumentClass groups the instruments outlets name one signing by.
var instrumentClass = map[string]string{
	"agreement": "accord", "memorandum": "accord", "protocol": "accord",
	"roadmap": "accord", "declaration": "accord",
}

// instrumentClassOf returns the class of an instrument: its group, or the
// instrument itself.
func instrumentClassOf(instrument string) string {
	instrument = strings.ToLower(instrument)
	if c, ok := instrumentClass[instrument]; ok {
		return c
	}
	return instrument
}

// classMembers returns the instruments of the class of instrument.
func classMembers(instrument string) []string {
	instrument = strings.ToLower(instrument)
	class, ok := instrumentClass[instrument]
	if !ok {
		return []string{clean(instrument)}
	}
	var members []string
	for in, c := range instrumentClass {
		if c == class {
			members = append(members, in)
		}
	}
	sort.Strings(members)
	return members
}

// statusJoins reports whether a report of status s may join an event
// reported as other.
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
// equal sets, or one within the other sharing at least two parties.
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
// each between \x1e separators.
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
// of a matching agreement in another article, or a new one named by a
// hash of the article and the agreement. The caller holds the advisory
// lock of the instrument's class (lockClusters).
func (w *articleWriter) clusterEvent(id int64, ag newsmon.Agreement, pkey string, day time.Time) (string, error) {
	if pkey != "" {
		rows, err := w.tx.Query(w.ctx, `SELECT event_id, status, party_key, value, date FROM agreements
			WHERE instrument = ANY($1) AND day BETWEEN $2 AND $3 AND article_id <> $4 AND party_key <> ''
			ORDER BY abs(extract(epoch FROM day - $5::timestamptz)), article_id LIMIT 5000`,
			classMembers(ag.Instrument), day.Add(-eventWindow), day.Add(eventWindow), id, day)
		if err != nil {
			return "", fmt.Errorf("find event: %w", err)
		}
		defer rows.Close()
		var best string
		bestSameStatus := false
		for rows.Next() {
			var eventID, status, otherKey, value, date string
			if err := rows.Scan(&eventID, &status, &otherKey, &value, &date); err != nil {
				return "", fmt.Errorf("find event: %w", err)
			}
			if !statusJoins(ag.Status, status) || !sameParties(pkey, otherKey) ||
				(ag.Value != "" && value != "" && ag.Value != value) ||
				(ag.Date != "" && date != "" && ag.Date != date) {
				continue
			}
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
	rows, err := w.tx.Query(w.ctx, `SELECT event_id FROM agreements WHERE article_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("event ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("event ids: %w", err)
	}
	return ids, nil
}

// maxEvents bounds one page of FindAgreementEvents.
const maxEvents = 1000

// statusRank orders statuses by how much a report says about an event.
var statusRank = map[string]int{
	newsmon.StatusMentioned: 1, newsmon.StatusPlanned: 2, newsmon.StatusSigned: 3, newsmon.StatusRatified: 4,
}

// escapeLike escapes the LIKE wildcards of s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// partyPattern is the LIKE pattern that finds party in a party_key.
func partyPattern(party string) string {
	return "%\x1e" + escapeLike(clean(strings.ToLower(strings.TrimSpace(party)))) + "\x1e%"
}

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
	var (
		args          sqlArgs
		where, having []string
	)
	if f.Party != "" {
		where = append(where, "party_key LIKE "+args.add(partyPattern(f.Party))+" ESCAPE '\\'")
	}
	if f.Instrument != "" {
		where = append(where, "instrument = "+args.add(clean(strings.ToLower(f.Instrument))))
	}
	if f.Status != "" {
		where = append(where, "status = "+args.add(clean(f.Status)))
	}
	if f.Since != nil {
		having = append(having, "min(day) >= "+args.add(*utc(f.Since)))
	}
	if f.Until != nil {
		having = append(having, "min(day) <= "+args.add(*utc(f.Until)))
	}
	q := `SELECT event_id FROM agreements`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` GROUP BY event_id`
	if len(having) > 0 {
		q += ` HAVING ` + strings.Join(having, " AND ")
	}
	q += ` ORDER BY min(day) DESC, event_id LIMIT ` + args.add(limit) + ` OFFSET ` + args.add(f.Offset)

	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("find agreement events: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	rows, err := tx.Query(ctx, q, args.vals...)
	if err != nil {
		return nil, fmt.Errorf("find agreement events: %w", err)
	}
	order, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find agreement events: %w", err)
	}
	if len(order) == 0 {
		return []newsmon.AgreementEvent{}, nil
	}
	byID := make(map[string]*newsmon.AgreementEvent, len(order))
	for _, e := range order {
		byID[e] = &newsmon.AgreementEvent{EventID: e, Reports: []newsmon.AgreementReport{}}
	}
	err = queryEach(ctx, tx, `SELECT ag.event_id, ag.instrument, ag.status, ag.parties, ag.value,
			ag.place, ag.date, ag.sentence, a.id, a.canonical_url, a.title, a.source, a.published, a.first_seen
		FROM agreements ag JOIN articles a ON a.id = ag.article_id
		WHERE ag.event_id = ANY($1)
		ORDER BY ag.day, a.id, ag.seq`, []any{order}, func(rows pgx.Rows) error {
		var (
			eventID, instrument, status, value, place, date, sentence string
			parties                                                   []string
			firstSeen                                                 time.Time
			r                                                         newsmon.AgreementReport
		)
		if err := rows.Scan(&eventID, &instrument, &status, &parties, &value, &place, &date, &sentence,
			&r.ArticleID, &r.URL, &r.Title, &r.Source, &r.Published, &firstSeen); err != nil {
			return err
		}
		e := byID[eventID]
		for _, seen := range e.Reports {
			if seen.ArticleID == r.ArticleID {
				return nil // an article that states the event twice is one report
			}
		}
		r.Published = utc(r.Published)
		r.Sentence = sentence
		firstSeen = firstSeen.UTC()
		if len(e.Reports) == 0 {
			e.Instrument, e.Status, e.Value, e.Place, e.Date, e.Sentence = instrument, status, value, place, date, sentence
			e.Parties = parties
			if e.Parties == nil {
				e.Parties = []string{}
			}
			e.Published = r.Published
			e.FirstSeen = firstSeen
		}
		if statusRank[status] > statusRank[e.Status] {
			e.Status, e.Instrument, e.Sentence = status, instrument, sentence
		}
		if e.Value == "" {
			e.Value = value
		}
		if firstSeen.Before(e.FirstSeen) {
			e.FirstSeen = firstSeen
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
