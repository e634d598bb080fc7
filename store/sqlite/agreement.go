package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	newsmon "github.com/newsmon/newsmon"
)

// findEventsSQL lists the agreements of other articles that may report
// the same event: an instrument of the same class, dated within
// newsmon.EventWindow, with parties. A newsmon.EventMatcher decides among
// them.
const findEventsSQL = `SELECT event_id, status, party_key, value, date, day FROM agreements
	WHERE instrument IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?
	  AND article_id != ? AND party_key != ''
	ORDER BY abs(day - ?), article_id LIMIT 5000`

// classMembers returns the instruments of the class of instrument, as a
// JSON array.
func classMembers(instrument string) string {
	b, _ := json.Marshal(newsmon.InstrumentClassMembers(instrument))
	return string(b)
}

// clusterEvent returns the event an agreement of article id reports: that
// of a matching agreement in another article, or a new one named by a hash
// of the article and the agreement, stable across saves. An agreement
// without parties is an event of its own: nothing says two such reports
// are one signing.
func (w *articleWriter) clusterEvent(id int64, ag newsmon.Agreement, pkey string, day int64) (string, error) {
	if pkey != "" {
		win := newsmon.EventWindow.Microseconds()
		rows, err := w.stmt(w.db.stmts.findEvent).QueryContext(w.ctx, classMembers(ag.Instrument), day-win, day+win, id, day)
		if err != nil {
			return "", fmt.Errorf("find event: %w", err)
		}
		defer rows.Close()
		m := newsmon.NewEventMatcher(ag, pkey)
		for rows.Next() {
			var eventID, status, otherKey, value, date string
			var otherDay int64
			if err := rows.Scan(&eventID, &status, &otherKey, &value, &date, &otherDay); err != nil {
				return "", fmt.Errorf("find event: %w", err)
			}
			m.Offer(eventID, status, otherKey, value, date)
		}
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("find event: %w", err)
		}
		if e := m.Event(); e != "" {
			return e, nil
		}
	}
	return newsmon.NewEventID(ag, pkey, id), nil
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
		if e.HasReport(r.ArticleID) {
			return nil
		}
		if published.Valid {
			t := fromMicros(published.Int64)
			r.Published = &t
		}
		ag := newsmon.Agreement{Instrument: instrument, Status: status, Value: value, Place: place, Date: date, Sentence: sentence}
		if len(e.Reports) == 0 {
			if err := json.Unmarshal([]byte(parties), &ag.Parties); err != nil {
				return fmt.Errorf("parties of %s: %w", eventID, err)
			}
		}
		e.AddReport(r, ag, fromMicros(firstSeen))
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

// escapeLike escapes the LIKE wildcards of s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
