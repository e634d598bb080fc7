package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// The outbox follows the SQLite store's (store/sqlite/alert.go) rule for
// rule, so that both stores raise and hand out the same alerts: the rules
// are checked and matched by the root package (newsmon.ParseAlertRules,
// AlertID, AgreementsToAlert), and digest IDs, bounds and lease are the
// same.

var _ newsmon.Outbox = (*DB)(nil)

// DeliveryLease is how long PendingDeliveries hands a delivery to its
// caller: no other caller, in this process or another, gets it meanwhile.
const DeliveryLease = 2 * time.Minute

// Bounds on the outbox.
const (
	maxAlertArticles  = 200
	maxAlertText      = 2000
	maxDeliveryBatch  = 1000
	maxAlertIDBytes   = 200
	defaultAlertLimit = 100
	maxAlertLimit     = 1000
)

// alertRule is a rule as the store applies it, its query parsed once.
type alertRule struct {
	newsmon.AlertRule
	query *newsmon.Query // nil matches every article
	party *newsmon.Query // the rule's party as a phrase, for search rules
}

// alertRules holds the rules the store raises alerts for.
type alertRules = storeutil.RuleSet[*alertRule]

// findRule returns the rule named name, nil when there is none.
func (db *DB) findRule(name string) *alertRule {
	r, _ := db.alertRules.Find(name, func(r *alertRule) string { return r.Name })
	return r
}

// SetDeliveryLease replaces DeliveryLease for this store.
func (db *DB) SetDeliveryLease(d time.Duration) {
	db.alertRules.SetLease(d)
}

// SetAlertRules sets the rules the store raises alerts for while it saves
// articles and whose channels RaiseAlert uses; errors as in the SQLite
// store, and the rules in force then stay as they were.
func (db *DB) SetAlertRules(rules []newsmon.AlertRule) error {
	parsed, err := newsmon.ParseAlertRules(rules)
	if err != nil {
		return err
	}
	list := make([]*alertRule, len(parsed))
	for i, r := range parsed {
		list[i] = &alertRule{AlertRule: r.AlertRule, query: r.Query, party: r.Party}
	}
	db.alertRules.Set(list)
	return nil
}

// clipText cuts s to at most maxAlertText bytes of storable UTF-8.
func clipText(s string) string {
	return storeutil.Clip(clean(s), maxAlertText)
}

// scheduleDeliveries queues what raising (created) or updating an alert of
// rule sends, as in the SQLite store.
func scheduleDeliveries(ctx context.Context, q querier, rule *alertRule, id string, created bool, now time.Time) error {
	for _, ch := range rule.Channels() {
		switch {
		case rule.Digest > 0:
			start, end := newsmon.DigestPeriod(now, time.Duration(rule.Digest))
			if _, err := q.Exec(ctx, `INSERT INTO alert_deliveries (alert_id, channel, rule,
				next_attempt, created) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
				clean(newsmon.DigestID(rule.Name, time.Unix(start, 0))), ch, clean(rule.Name), end, now); err != nil {
				return fmt.Errorf("queue digest: %w", err)
			}
		case created:
			if _, err := q.Exec(ctx, `INSERT INTO alert_deliveries (alert_id, channel, rule,
				next_attempt, created) VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING`,
				id, ch, clean(rule.Name), now); err != nil {
				return fmt.Errorf("queue delivery: %w", err)
			}
		}
	}
	return nil
}

// insertAlert writes a new alert with version 1 and its first articles.
// It reports false, writing nothing, when another transaction has just
// written an alert of that ID.
func insertAlert(ctx context.Context, q querier, a *newsmon.Alert, eventID string, articleIDs []int64) (bool, error) {
	var event *string
	if a.Event != nil {
		b, err := json.Marshal(a.Event)
		if err != nil {
			return false, err
		}
		s := clean(string(b))
		event = &s
	}
	tag, err := q.Exec(ctx, `INSERT INTO alerts (id, rule, kind, event_id, event, source, problem,
		created, updated, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, clean(a.Rule), clean(a.Kind), clean(eventID), event, clipText(a.Source), clipText(a.Problem),
		a.Created, a.Updated)
	if err != nil {
		return false, fmt.Errorf("insert alert: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	for i, art := range a.Articles {
		var articleID *int64
		if i < len(articleIDs) && articleIDs[i] > 0 {
			articleID = &articleIDs[i]
		}
		if err := insertAlertArticle(ctx, q, a.ID, i, articleID, art); err != nil {
			return false, err
		}
	}
	return true, nil
}

func insertAlertArticle(ctx context.Context, q querier, id string, seq int, articleID *int64, art newsmon.AlertArticle) error {
	if _, err := q.Exec(ctx, `INSERT INTO alert_articles (alert_id, seq, article_id, url, title,
		source, published, sentence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, seq, articleID, clipText(art.URL), clipText(art.Title), clipText(art.Source),
		utc(art.Published), clipText(art.Sentence)); err != nil {
		return fmt.Errorf("insert alert article: %w", err)
	}
	return nil
}

// appendAlertArticle adds an article to an existing alert (whose row the
// caller has locked) unless the alert lists it already or is full.
func appendAlertArticle(ctx context.Context, q querier, id string, articleID *int64, art newsmon.AlertArticle) (bool, error) {
	var n, present int
	var next *int
	err := q.QueryRow(ctx, `SELECT count(*), max(seq) + 1,
		count(*) FILTER (WHERE ($1::bigint IS NOT NULL AND article_id = $1) OR ($1::bigint IS NULL AND url = $2))
		FROM alert_articles WHERE alert_id = $3`, articleID, clipText(art.URL), id).Scan(&n, &next, &present)
	if err != nil {
		return false, fmt.Errorf("alert articles: %w", err)
	}
	if present > 0 || n >= maxAlertArticles {
		return false, nil
	}
	seq := 0
	if next != nil {
		seq = *next
	}
	if err := insertAlertArticle(ctx, q, id, seq, articleID, art); err != nil {
		return false, err
	}
	return true, nil
}

func bumpAlert(ctx context.Context, q querier, id string, now time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE alerts SET version = version + 1, updated = $1 WHERE id = $2`, now, id); err != nil {
		return fmt.Errorf("update alert: %w", err)
	}
	return nil
}

// raiseAgreementAlerts raises or updates, inside the article's
// transaction, the alerts of the agreement rules for the signed or
// ratified agreements of article id.
func (w *articleWriter) raiseAgreementAlerts(id int64, key string, a *newsmon.Article, eventIDs []string) error {
	var topics []string
	for _, rule := range w.rules {
		if rule.On != newsmon.AlertAgreement {
			continue
		}
		if topics == nil {
			topics = a.AllTopics()
		}
		for _, i := range rule.AgreementsToAlert(a, topics, eventIDs) {
			if err := w.raiseAgreementAlert(rule, id, key, a, a.Agreements[i], eventIDs[i]); err != nil {
				return fmt.Errorf("alert %s: %w", rule.Name, err)
			}
		}
	}
	return nil
}

func (w *articleWriter) raiseAgreementAlert(rule *alertRule, id int64, key string, a *newsmon.Article, ag newsmon.Agreement, eventID string) error {
	aid := newsmon.AlertID(newsmon.AlertAgreement, rule.Name, eventID)
	art := newsmon.AlertArticle{URL: key, Title: a.Title, Source: a.Source, Published: a.Published, Sentence: ag.Sentence}
	for {
		var version int
		err := w.tx.QueryRow(w.ctx, `SELECT version FROM alerts WHERE id = $1 FOR UPDATE`, aid).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			parties := cleanAll(ag.Parties)
			al := &newsmon.Alert{ID: aid, Rule: rule.Name, Kind: newsmon.AlertAgreement,
				Event: &newsmon.AlertEvent{EventID: eventID, Instrument: ag.Instrument, Status: ag.Status,
					Parties: parties, Value: ag.Value, Sentence: clipText(ag.Sentence)},
				Articles: []newsmon.AlertArticle{art}, Created: w.now, Updated: w.now}
			inserted, err := insertAlert(w.ctx, w.tx, al, eventID, []int64{id})
			if err != nil {
				return err
			}
			if !inserted {
				continue // raised meanwhile by another transaction: update it
			}
			return scheduleDeliveries(w.ctx, w.tx, rule, aid, true, w.now)
		}
		if err != nil {
			return fmt.Errorf("find alert: %w", err)
		}
		added, err := appendAlertArticle(w.ctx, w.tx, aid, &id, art)
		if err != nil || !added {
			return err
		}
		if err := bumpAlert(w.ctx, w.tx, aid, w.now); err != nil {
			return err
		}
		return scheduleDeliveries(w.ctx, w.tx, rule, aid, false, w.now)
	}
}

// raiseSearchAlerts raises, inside the transaction that created article
// id, the alerts of the search rules it matches.
func (w *articleWriter) raiseSearchAlerts(id int64, key string, a *newsmon.Article) error {
	var topics []string
	for _, rule := range w.rules {
		if rule.On != newsmon.AlertSearch {
			continue
		}
		if topics == nil {
			topics = a.AllTopics()
		}
		if !rule.MatchesArticle(a, topics) {
			continue
		}
		sentence, ok, err := w.matchSearch(rule, id, a)
		if err != nil {
			return fmt.Errorf("alert %s: %w", rule.Name, err)
		}
		if !ok {
			continue
		}
		aid := newsmon.AlertID(newsmon.AlertSearch, rule.Name, key)
		al := &newsmon.Alert{ID: aid, Rule: rule.Name, Kind: newsmon.AlertSearch,
			Articles: []newsmon.AlertArticle{{URL: key, Title: a.Title, Source: a.Source,
				Published: a.Published, Sentence: sentence}},
			Created: w.now, Updated: w.now}
		inserted, err := insertAlert(w.ctx, w.tx, al, "", []int64{id})
		if err != nil {
			return fmt.Errorf("alert %s: %w", rule.Name, err)
		}
		if !inserted {
			continue
		}
		if err := scheduleDeliveries(w.ctx, w.tx, rule, aid, true, w.now); err != nil {
			return fmt.Errorf("alert %s: %w", rule.Name, err)
		}
	}
	return nil
}

// sentenceOptions ask ts_headline for the words around a match, marked
// with sentinels that storeutil.StripControl removes: the evidence of an
// alert is plain text.
const sentenceOptions = "StartSel=\x02, StopSel=\x03, MaxWords=24, MinWords=10, ShortWord=2"

// matchSearch runs a search rule's query against article id, just written
// by this transaction, and returns the text around the match. A rule's
// party is matched by the article's agreements or, failing that, as a
// phrase of its text.
func (w *articleWriter) matchSearch(rule *alertRule, id int64, a *newsmon.Article) (string, bool, error) {
	var args sqlArgs
	where := []string{"a.id = " + args.add(id)}
	if rule.party != nil && !slices.ContainsFunc(a.Agreements, func(ag newsmon.Agreement) bool {
		return ag.NamesParty(rule.Party)
	}) {
		where = append(where, compileQuery(rule.party, &args).match())
	}
	snippet := "''"
	if rule.query != nil {
		q := compileQuery(rule.query, &args)
		where = append(where, q.match())
		snippet = "ts_headline(a.fts_config, left(a.text, " + fmt.Sprint(indexedChars) + "), " + q.forArticle() +
			", " + args.add(sentenceOptions) + ")"
	}
	var s string
	err := w.tx.QueryRow(w.ctx, `SELECT `+snippet+` FROM articles a WHERE `+strings.Join(where, " AND "),
		args.vals...).Scan(&s)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return clipText(strings.Join(strings.Fields(storeutil.StripControl(s)), " ")), true, nil
}

// RaiseAlert stores an alert raised outside an article's save (source
// health) under a.ID for the rule a.Rule, as the SQLite store does (see
// its RaiseAlert).
func (db *DB) RaiseAlert(ctx context.Context, a *newsmon.Alert) error {
	if a == nil || a.ID == "" || a.Rule == "" {
		return newsmon.Errorf(newsmon.EINVALID, "raise alert: an alert needs an ID and a rule")
	}
	if len(a.ID) > maxAlertIDBytes {
		return newsmon.Errorf(newsmon.EINVALID, "raise alert: an ID of %d bytes is over the limit of %d", len(a.ID), maxAlertIDBytes)
	}
	if strings.HasPrefix(a.ID, newsmon.DigestPrefix) {
		return newsmon.Errorf(newsmon.EINVALID, "raise alert %s: IDs beginning with %q are reserved", a.ID, newsmon.DigestPrefix)
	}
	if clean(a.ID) != a.ID {
		return newsmon.Errorf(newsmon.EINVALID, "raise alert: the ID holds a NUL character or broken UTF-8")
	}
	rule := db.findRule(a.Rule)
	if rule == nil {
		return newsmon.Errorf(newsmon.EINVALID, "raise alert %s: no alert rule named %q", a.ID, a.Rule)
	}
	if a.Kind == "" {
		a.Kind = rule.On
	}
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return db.raiseAlert(ctx, tx, rule, a) })
		if err == nil || !errors.Is(err, errRaced) && !retryable(err) || attempt >= maxTxRetries {
			if err != nil {
				return fmt.Errorf("raise alert %s: %w", a.ID, err)
			}
			return nil
		}
	}
}

// errRaced says another transaction raised the same new alert first; the
// raise runs again as an update.
var errRaced = errors.New("alert raised concurrently")

func (db *DB) raiseAlert(ctx context.Context, tx pgx.Tx, rule *alertRule, a *newsmon.Alert) error {
	now := db.now().UTC().Truncate(time.Microsecond)
	var newEvent *string
	if a.Event != nil {
		b, err := json.Marshal(a.Event)
		if err != nil {
			return err
		}
		s := clean(string(b))
		newEvent = &s
	}
	var (
		version         int
		created         time.Time
		event           *string
		source, problem string
	)
	err := tx.QueryRow(ctx, `SELECT version, created, event, source, problem FROM alerts WHERE id = $1 FOR UPDATE`,
		a.ID).Scan(&version, &created, &event, &source, &problem)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		stored := *a
		stored.Updated = now
		if stored.Created.IsZero() {
			stored.Created = now
		}
		stored.Created = stored.Created.UTC().Truncate(time.Microsecond)
		stored.Articles = a.Articles[:min(len(a.Articles), maxAlertArticles)]
		inserted, err := insertAlert(ctx, tx, &stored, eventIDOf(a), nil)
		if err != nil {
			return err
		}
		if !inserted {
			return errRaced
		}
		if err := scheduleDeliveries(ctx, tx, rule, a.ID, true, now); err != nil {
			return err
		}
		a.Version, a.Created, a.Updated = 1, stored.Created, now
		return nil
	case err != nil:
		return err
	}
	changed := clipText(a.Source) != source || clipText(a.Problem) != problem || !equalPtr(newEvent, event)
	if changed {
		if _, err := tx.Exec(ctx, `UPDATE alerts SET source = $1, problem = $2, event = $3,
			event_id = $4 WHERE id = $5`, clipText(a.Source), clipText(a.Problem), newEvent,
			clean(eventIDOf(a)), a.ID); err != nil {
			return err
		}
	}
	for _, art := range a.Articles {
		added, err := appendAlertArticle(ctx, tx, a.ID, nil, art)
		if err != nil {
			return err
		}
		changed = changed || added
	}
	if !changed {
		var updated time.Time
		if err := tx.QueryRow(ctx, `SELECT updated FROM alerts WHERE id = $1`, a.ID).Scan(&updated); err != nil {
			return err
		}
		a.Version, a.Created, a.Updated = version, created.UTC(), updated.UTC()
		return nil
	}
	if err := bumpAlert(ctx, tx, a.ID, now); err != nil {
		return err
	}
	if err := scheduleDeliveries(ctx, tx, rule, a.ID, false, now); err != nil {
		return err
	}
	a.Version, a.Created, a.Updated = version+1, created.UTC(), now
	return nil
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func eventIDOf(a *newsmon.Alert) string {
	if a.Event == nil {
		return ""
	}
	return a.Event.EventID
}

// PendingDeliveries claims up to limit deliveries due at now (not yet
// delivered, next attempt at or before now, not claimed by a caller whose
// lease still runs), oldest due first, each with its alert (a digest
// delivery has none). The rows are picked with FOR UPDATE SKIP LOCKED and
// leased in the same statement, so callers in any number of processes
// never get one delivery at once. A limit outside 1..1000 is EINVALID.
func (db *DB) PendingDeliveries(ctx context.Context, now time.Time, limit int) ([]newsmon.Delivery, error) {
	if limit <= 0 || limit > maxDeliveryBatch {
		return nil, newsmon.Errorf(newsmon.EINVALID, "pending deliveries: limit %d: want 1 to %d", limit, maxDeliveryBatch)
	}
	now = now.UTC().Truncate(time.Microsecond)
	lease := now.Add(db.alertRules.Lease(DeliveryLease))
	type claimed struct {
		d       newsmon.Delivery
		created time.Time
	}
	var cs []claimed
	err := queryEach(ctx, db.pool, `UPDATE alert_deliveries d SET claimed_until = $1
		FROM (SELECT alert_id, channel FROM alert_deliveries
			WHERE delivered IS NULL AND next_attempt <= $2 AND claimed_until <= $2
			ORDER BY next_attempt, created, alert_id, channel
			LIMIT $3 FOR UPDATE SKIP LOCKED) due
		WHERE d.alert_id = due.alert_id AND d.channel = due.channel
		  AND d.delivered IS NULL AND d.claimed_until <= $2
		RETURNING d.alert_id, d.channel, d.rule, d.attempts, d.next_attempt, d.last_error, d.created`,
		[]any{lease, now, limit}, func(rows pgx.Rows) error {
			var c claimed
			if err := rows.Scan(&c.d.AlertID, &c.d.Channel, &c.d.Rule, &c.d.Attempts, &c.d.NextAttempt,
				&c.d.LastError, &c.created); err != nil {
				return err
			}
			c.d.NextAttempt = c.d.NextAttempt.UTC()
			cs = append(cs, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("pending deliveries: %w", err)
	}
	slices.SortStableFunc(cs, func(a, b claimed) int {
		if c := a.d.NextAttempt.Compare(b.d.NextAttempt); c != 0 {
			return c
		}
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		if c := strings.Compare(a.d.AlertID, b.d.AlertID); c != 0 {
			return c
		}
		return strings.Compare(a.d.Channel, b.d.Channel)
	})
	ds := make([]newsmon.Delivery, len(cs))
	var ids []string
	for i, c := range cs {
		ds[i] = c.d
		if !strings.HasPrefix(c.d.AlertID, newsmon.DigestPrefix) {
			ids = append(ids, c.d.AlertID)
		}
	}
	if len(ids) == 0 {
		return ds, nil
	}
	alerts, err := db.loadAlerts(ctx, `WHERE id = ANY($1)`, []any{ids})
	if err != nil {
		return nil, fmt.Errorf("pending deliveries: %w", err)
	}
	byID := make(map[string]*newsmon.Alert, len(alerts))
	for i := range alerts {
		byID[alerts[i].ID] = &alerts[i]
	}
	for i := range ds {
		if al, ok := byID[ds[i].AlertID]; ok {
			cp := *al
			ds[i].Alert = &cp
		}
	}
	return ds, nil
}

// MarkDelivered records that channel accepted the alert (or digest)
// alertID: it is never handed out again. ENOTFOUND when no such delivery
// is queued.
func (db *DB) MarkDelivered(ctx context.Context, alertID, channel string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE alert_deliveries
		SET delivered = coalesce(delivered, $1), claimed_until = '-infinity'
		WHERE alert_id = $2 AND channel = $3`, db.now().UTC().Truncate(time.Microsecond), clean(alertID), clean(channel))
	if err != nil {
		return fmt.Errorf("mark delivered %s %s: %w", alertID, channel, err)
	}
	if tag.RowsAffected() == 0 {
		return newsmon.Errorf(newsmon.ENOTFOUND, "no %s delivery of alert %s", channel, alertID)
	}
	return nil
}

// MarkFailed records a failed attempt at sending alertID through channel:
// one more attempt, the reason, and the time of the next one; the claim
// ends. A delivery already delivered stays so; ENOTFOUND when none is
// queued.
func (db *DB) MarkFailed(ctx context.Context, alertID, channel string, next time.Time, reason string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE alert_deliveries
		SET attempts = attempts + 1, next_attempt = $1, last_error = $2, claimed_until = '-infinity'
		WHERE alert_id = $3 AND channel = $4 AND delivered IS NULL`,
		next.UTC().Truncate(time.Microsecond), clipText(reason), clean(alertID), clean(channel))
	if err != nil {
		return fmt.Errorf("mark failed %s %s: %w", alertID, channel, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM alert_deliveries WHERE alert_id = $1 AND channel = $2`,
		clean(alertID), clean(channel)).Scan(&n); err != nil {
		return fmt.Errorf("mark failed %s %s: %w", alertID, channel, err)
	}
	if n == 0 {
		return newsmon.Errorf(newsmon.ENOTFOUND, "no %s delivery of alert %s", channel, alertID)
	}
	return nil
}

// FindAlerts returns the alerts updated at or after f.Since (all when
// nil), of rule f.Rule when set, newest update first, with their event and
// articles. Limit is 100 when not positive, at most 1000.
func (db *DB) FindAlerts(ctx context.Context, f newsmon.AlertFilter) ([]newsmon.Alert, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = defaultAlertLimit
	case limit > maxAlertLimit:
		return nil, newsmon.Errorf(newsmon.EINVALID, "find alerts: limit %d: at most %d", limit, maxAlertLimit)
	}
	var (
		args  sqlArgs
		where []string
	)
	if f.Since != nil {
		where = append(where, "updated >= "+args.add(*utc(f.Since)))
	}
	if f.Rule != "" {
		where = append(where, "rule = "+args.add(clean(f.Rule)))
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	clause += " ORDER BY updated DESC, id LIMIT " + args.add(limit)
	alerts, err := db.loadAlerts(ctx, clause, args.vals)
	if err != nil {
		return nil, fmt.Errorf("find alerts: %w", err)
	}
	return alerts, nil
}

// loadAlerts reads the alerts selected by the clause that follows "FROM
// alerts", with their articles, in one read-only transaction.
func (db *DB) loadAlerts(ctx context.Context, clause string, args []any) ([]newsmon.Alert, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	alerts := []newsmon.Alert{}
	err = queryEach(ctx, tx, `SELECT id, rule, kind, event, source, problem, created, updated, version
		FROM alerts `+clause, args, func(rows pgx.Rows) error {
		var (
			a     newsmon.Alert
			event *string
		)
		if err := rows.Scan(&a.ID, &a.Rule, &a.Kind, &event, &a.Source, &a.Problem, &a.Created,
			&a.Updated, &a.Version); err != nil {
			return err
		}
		if event != nil {
			a.Event = &newsmon.AlertEvent{}
			if err := json.Unmarshal([]byte(*event), a.Event); err != nil {
				return fmt.Errorf("event of alert %s: %w", a.ID, err)
			}
		}
		a.Created, a.Updated = a.Created.UTC(), a.Updated.UTC()
		a.Articles = []newsmon.AlertArticle{}
		alerts = append(alerts, a)
		return nil
	})
	if err != nil || len(alerts) == 0 {
		return alerts, err
	}
	byID := make(map[string]*newsmon.Alert, len(alerts))
	ids := make([]string, len(alerts))
	for i := range alerts {
		byID[alerts[i].ID] = &alerts[i]
		ids[i] = alerts[i].ID
	}
	err = queryEach(ctx, tx, `SELECT alert_id, url, title, source, published, sentence
		FROM alert_articles WHERE alert_id = ANY($1) ORDER BY alert_id, seq`, []any{ids}, func(rows pgx.Rows) error {
		var (
			id  string
			art newsmon.AlertArticle
		)
		if err := rows.Scan(&id, &art.URL, &art.Title, &art.Source, &art.Published, &art.Sentence); err != nil {
			return err
		}
		art.Published = utc(art.Published)
		byID[id].Articles = append(byID[id].Articles, art)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return alerts, nil
}
