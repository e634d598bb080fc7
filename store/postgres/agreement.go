package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
)

// clusterEvent returns the event an agreement of article id reports: that
// of a matching agreement in another article (chosen by the rules of
// newsmon.EventMatcher, which the SQLite store shares), or a new one named
// by newsmon.NewEventID. The caller holds the advisory
// lock of the instrument's class (lockClusters).
func (w *articleWriter) clusterEvent(id int64, ag newsmon.Agreement, pkey string, day time.Time) (string, error) {
	if pkey != "" {
		rows, err := w.tx.Query(w.ctx, `SELECT event_id, status, party_key, value, date FROM agreements
			WHERE instrument = ANY($1) AND day BETWEEN $2 AND $3 AND article_id <> $4 AND party_key <> ''
			ORDER BY abs(extract(epoch FROM day - $5::timestamptz)), article_id LIMIT 5000`,
			classMembers(ag.Instrument), day.Add(-newsmon.EventWindow), day.Add(newsmon.EventWindow), id, day)
		if err != nil {
			return "", fmt.Errorf("find event: %w", err)
		}
		defer rows.Close()
		m := newsmon.NewEventMatcher(ag, pkey)
		for rows.Next() {
			var eventID, status, otherKey, value, date string
			if err := rows.Scan(&eventID, &status, &otherKey, &value, &date); err != nil {
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

// classMembers returns the instruments of the class of instrument, as
// they can be stored.
func classMembers(instrument string) []string {
	members := newsmon.InstrumentClassMembers(instrument)
	for i, m := range members {
		members[i] = clean(m)
	}
	return members
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
		r.Published = utc(r.Published)
		if parties == nil {
			parties = []string{}
		}
		ag := newsmon.Agreement{Instrument: instrument, Status: status, Parties: parties,
			Value: value, Place: place, Date: date, Sentence: sentence}
		byID[eventID].AddReport(r, ag, firstSeen.UTC())
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
