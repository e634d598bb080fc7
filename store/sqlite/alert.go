package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

var _ newsmon.Outbox = (*DB)(nil)

// DeliveryLease is how long PendingDeliveries hands a delivery to its
// caller: no other caller gets it meanwhile, and if the caller neither
// marks it delivered nor failed within the lease (it crashed), it is due
// again. A worker should ask for few deliveries at a time, so that it
// sends them all well within the lease.
const DeliveryLease = 2 * time.Minute

// Bounds on the outbox, so that an event reported everywhere or a hostile
// caller cannot bloat it.
const (
	maxAlertArticles  = 200  // articles listed in one alert; later reports are not added
	maxAlertText      = 2000 // bytes of a sentence, title, problem or error kept
	maxDeliveryBatch  = 1000 // deliveries one PendingDeliveries call may claim
	maxAlertIDBytes   = 200
	defaultAlertLimit = 100
	maxAlertLimit     = 1000
)

// alertRule is a rule as the store applies it: its search query compiled
// to an FTS5 expression once, when the rules are set.
type alertRule struct {
	newsmon.AlertRule
	expr      string // FTS5 expression of Query; "" matches every article
	partyExpr string // FTS5 phrase of Party, for search rules
}

// alertRules holds the rules the store raises alerts for.
type alertRules = storeutil.RuleSet[*alertRule]

// findRule returns the rule named name, nil when there is none.
func (db *DB) findRule(name string) *alertRule {
	r, _ := db.alertRules.Find(name, func(r *alertRule) string { return r.Name })
	return r
}

// SetDeliveryLease replaces DeliveryLease for this store (tests and
// workers with slow channels).
func (db *DB) SetDeliveryLease(d time.Duration) {
	db.alertRules.SetLease(d)
}

// SetAlertRules sets the rules the store raises alerts for while it saves
// articles (agreement and search rules) and whose channels RaiseAlert
// uses. The rules are checked by newsmon.ParseAlertRules: a rule without a
// name, two rules of one name, an unknown kind and a malformed search
// query are EINVALID errors naming the rule; the rules in force then stay
// as they were.
func (db *DB) SetAlertRules(rules []newsmon.AlertRule) error {
	parsed, err := newsmon.ParseAlertRules(rules)
	if err != nil {
		return err
	}
	list := make([]*alertRule, len(parsed))
	for i, r := range parsed {
		list[i] = &alertRule{AlertRule: r.AlertRule}
		if r.Query != nil {
			list[i].expr = compileQuery(r.Query)
		}
		if r.Party != nil {
			list[i].partyExpr = compileQuery(r.Party)
		}
	}
	db.alertRules.Set(list)
	return nil
}

// clipText cuts s to at most maxAlertText bytes of valid UTF-8.
func clipText(s string) string {
	return storeutil.Clip(strings.ToValidUTF8(s, ""), maxAlertText)
}

// execQuerier is a transaction or a connection pool.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scheduleDeliveries queues what raising (created) or updating an alert
// of rule sends: a delivery per channel for a new alert of an immediate
// rule; for a digest rule, the digest delivery of the current period per
// channel unless it is queued already.
func scheduleDeliveries(ctx context.Context, q execQuerier, rule *alertRule, id string, created bool, now time.Time) error {
	for _, ch := range rule.Channels() {
		switch {
		case rule.Digest > 0:
			start, end := newsmon.DigestPeriod(now, time.Duration(rule.Digest))
			if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO alert_deliveries
				(alert_id, channel, rule, next_attempt, created) VALUES (?, ?, ?, ?, ?)`,
				newsmon.DigestID(rule.Name, time.Unix(start, 0)), ch, rule.Name, toMicros(end), toMicros(now)); err != nil {
				return fmt.Errorf("queue digest: %w", err)
			}
		case created:
			if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO alert_deliveries
				(alert_id, channel, rule, next_attempt, created) VALUES (?, ?, ?, ?, ?)`,
				id, ch, rule.Name, toMicros(now), toMicros(now)); err != nil {
				return fmt.Errorf("queue delivery: %w", err)
			}
		}
	}
	return nil
}

// insertAlert writes a new alert with version 1 and its first articles.
func insertAlert(ctx context.Context, q execQuerier, a *newsmon.Alert, eventID string, articleIDs []int64) error {
	var event sql.NullString
	if a.Event != nil {
		b, err := json.Marshal(a.Event)
		if err != nil {
			return err
		}
		event = sql.NullString{String: string(b), Valid: true}
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO alerts (id, rule, kind, event_id, event, source,
		problem, created, updated, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		a.ID, a.Rule, a.Kind, eventID, event, clipText(a.Source), clipText(a.Problem),
		toMicros(a.Created), toMicros(a.Updated)); err != nil {
		return fmt.Errorf("insert alert: %w", err)
	}
	for i, art := range a.Articles {
		var articleID sql.NullInt64
		if i < len(articleIDs) && articleIDs[i] > 0 {
			articleID = sql.NullInt64{Int64: articleIDs[i], Valid: true}
		}
		if err := insertAlertArticle(ctx, q, a.ID, i, articleID, art); err != nil {
			return err
		}
	}
	return nil
}

func insertAlertArticle(ctx context.Context, q execQuerier, id string, seq int, articleID sql.NullInt64, art newsmon.AlertArticle) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO alert_articles (alert_id, seq, article_id, url,
		title, source, published, sentence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, seq, articleID, clipText(art.URL), clipText(art.Title), clipText(art.Source),
		nullMicros(art.Published), clipText(art.Sentence)); err != nil {
		return fmt.Errorf("insert alert article: %w", err)
	}
	return nil
}

// appendAlertArticle adds an article to an existing alert unless the
// alert lists it already (by stored article, else by URL) or is full. It
// reports whether it added it; the caller then bumps the alert.
func appendAlertArticle(ctx context.Context, q execQuerier, id string, articleID sql.NullInt64, art newsmon.AlertArticle) (bool, error) {
	var n, present int
	var next sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT count(*), max(seq) + 1,
		coalesce(sum(CASE WHEN (?1 IS NOT NULL AND article_id = ?1) OR (?1 IS NULL AND url = ?2) THEN 1 END), 0)
		FROM alert_articles WHERE alert_id = ?3`, articleID, clipText(art.URL), id).Scan(&n, &next, &present)
	if err != nil {
		return false, fmt.Errorf("alert articles: %w", err)
	}
	if present > 0 || n >= maxAlertArticles {
		return false, nil
	}
	if err := insertAlertArticle(ctx, q, id, int(next.Int64), articleID, art); err != nil {
		return false, err
	}
	return true, nil
}

// bumpAlert records an update of alert id: version + 1, updated now.
func bumpAlert(ctx context.Context, q execQuerier, id string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE alerts SET version = version + 1, updated = ? WHERE id = ?`,
		toMicros(now), id); err != nil {
		return fmt.Errorf("update alert: %w", err)
	}
	return nil
}

// raiseAgreementAlerts raises or updates, inside the article's
// transaction, the alerts of the agreement rules for the signed or
// ratified agreements of article id, whose event IDs are eventIDs.
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
	var version int
	err := w.tx.QueryRowContext(w.ctx, `SELECT version FROM alerts WHERE id = ?`, aid).Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		parties := slices.Clone(ag.Parties)
		if parties == nil {
			parties = []string{}
		}
		al := &newsmon.Alert{ID: aid, Rule: rule.Name, Kind: newsmon.AlertAgreement,
			Event: &newsmon.AlertEvent{EventID: eventID, Instrument: ag.Instrument, Status: ag.Status,
				Parties: parties, Value: ag.Value, Sentence: clipText(ag.Sentence)},
			Articles: []newsmon.AlertArticle{art}, Created: w.now, Updated: w.now}
		if err := insertAlert(w.ctx, w.tx, al, eventID, []int64{id}); err != nil {
			return err
		}
		return scheduleDeliveries(w.ctx, w.tx, rule, aid, true, w.now)
	case err != nil:
		return fmt.Errorf("find alert: %w", err)
	}
	added, err := appendAlertArticle(w.ctx, w.tx, aid, sql.NullInt64{Int64: id, Valid: true}, art)
	if err != nil || !added {
		return err
	}
	if err := bumpAlert(w.ctx, w.tx, aid, w.now); err != nil {
		return err
	}
	return scheduleDeliveries(w.ctx, w.tx, rule, aid, false, w.now)
}

// searchCandidate is an article created in a transaction, to be matched
// against the search rules once the transaction has indexed it.
type searchCandidate struct {
	idx int // in the caller's writes
	id  int64
	key string
	a   *newsmon.Article
}

// hasSearchRules reports whether any rule is a search rule.
func (w *articleWriter) hasSearchRules() bool {
	return slices.ContainsFunc(w.rules, func(r *alertRule) bool { return r.On == newsmon.AlertSearch })
}

// raiseSearchAlerts raises, inside the transaction and after its full-text
// entries are written, the alerts of the search rules that the new
// articles cs match. On failure it returns the index of the article whose
// alert could not be raised.
func (w *articleWriter) raiseSearchAlerts(cs []searchCandidate) (int, error) {
	for _, c := range cs {
		topics := c.a.AllTopics()
		for _, rule := range w.rules {
			if rule.On != newsmon.AlertSearch || !rule.MatchesArticle(c.a, topics) {
				continue
			}
			sentence, ok, err := w.matchSearch(rule, c)
			if err != nil {
				return c.idx, fmt.Errorf("save article %s: alert %s: %w", c.key, rule.Name, err)
			}
			if !ok {
				continue
			}
			aid := newsmon.AlertID(newsmon.AlertSearch, rule.Name, c.key)
			al := &newsmon.Alert{ID: aid, Rule: rule.Name, Kind: newsmon.AlertSearch,
				Articles: []newsmon.AlertArticle{{URL: c.key, Title: c.a.Title, Source: c.a.Source,
					Published: c.a.Published, Sentence: sentence}},
				Created: w.now, Updated: w.now}
			var n int
			if err := w.tx.QueryRowContext(w.ctx, `SELECT count(*) FROM alerts WHERE id = ?`, aid).Scan(&n); err != nil {
				return c.idx, fmt.Errorf("save article %s: alert %s: %w", c.key, rule.Name, err)
			}
			if n > 0 {
				continue
			}
			if err := insertAlert(w.ctx, w.tx, al, "", []int64{c.id}); err != nil {
				return c.idx, fmt.Errorf("save article %s: alert %s: %w", c.key, rule.Name, err)
			}
			if err := scheduleDeliveries(w.ctx, w.tx, rule, aid, true, w.now); err != nil {
				return c.idx, fmt.Errorf("save article %s: alert %s: %w", c.key, rule.Name, err)
			}
		}
	}
	return -1, nil
}

// matchSearch runs a search rule's query against one article's full-text
// entry and returns the text around the match. A rule's party is matched
// by the article's agreements or, failing that, as a phrase of its text.
func (w *articleWriter) matchSearch(rule *alertRule, c searchCandidate) (string, bool, error) {
	if rule.partyExpr != "" && !slices.ContainsFunc(c.a.Agreements, func(ag newsmon.Agreement) bool {
		return ag.NamesParty(rule.Party)
	}) {
		ok, err := w.ftsMatches(rule.partyExpr, c.id)
		if err != nil || !ok {
			return "", false, err
		}
	}
	if rule.expr == "" {
		return "", true, nil
	}
	var snippet string
	err := w.tx.QueryRowContext(w.ctx, `SELECT snippet(articles_fts, -1, '', '', '…', 24)
		FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?`, rule.expr, c.id).Scan(&snippet)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, searchError(err)
	}
	return clipText(strings.Join(strings.Fields(storeutil.StripControl(snippet)), " ")), true, nil
}

func (w *articleWriter) ftsMatches(expr string, id int64) (bool, error) {
	var n int
	if err := w.tx.QueryRowContext(w.ctx, `SELECT count(*) FROM articles_fts
		WHERE articles_fts MATCH ? AND rowid = ?`, expr, id).Scan(&n); err != nil {
		return false, searchError(err)
	}
	return n > 0, nil
}

// RaiseAlert stores an alert raised outside an article's save (source
// health) under a.ID, for the rule a.Rule, which must be among the rules
// set by SetAlertRules (else EINVALID). A new alert gets version 1 and a
// delivery per channel of its rule (or the rule's digest delivery). An
// existing one is updated (Version+1, Updated now, its problem, source and
// event replaced, articles not yet listed added) without a new delivery,
// if anything changed: raising the same alert again changes nothing. On
// success a's Version, Created and Updated are those stored.
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
	rule := db.findRule(a.Rule)
	if rule == nil {
		return newsmon.Errorf(newsmon.EINVALID, "raise alert %s: no alert rule named %q", a.ID, a.Rule)
	}
	if a.Kind == "" {
		a.Kind = rule.On
	}
	now := db.now().UTC().Truncate(time.Microsecond)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("raise alert %s: %w", a.ID, err)
	}
	defer tx.Rollback()

	var (
		version         int
		created         int64
		event, newEvent sql.NullString
		source, problem string
		createdAt       time.Time
		upAt            = now
	)
	if a.Event != nil {
		b, err := json.Marshal(a.Event)
		if err != nil {
			return fmt.Errorf("raise alert %s: %w", a.ID, err)
		}
		newEvent = sql.NullString{String: string(b), Valid: true}
	}
	err = tx.QueryRowContext(ctx, `SELECT version, created, event, source, problem FROM alerts WHERE id = ?`,
		a.ID).Scan(&version, &created, &event, &source, &problem)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		stored := *a
		stored.Updated = now
		if stored.Created.IsZero() {
			stored.Created = now
		}
		stored.Created = stored.Created.UTC().Truncate(time.Microsecond)
		stored.Articles = a.Articles[:min(len(a.Articles), maxAlertArticles)]
		if err := insertAlert(ctx, tx, &stored, eventIDOf(a), nil); err != nil {
			return fmt.Errorf("raise alert %s: %w", a.ID, err)
		}
		if err := scheduleDeliveries(ctx, tx, rule, a.ID, true, now); err != nil {
			return fmt.Errorf("raise alert %s: %w", a.ID, err)
		}
		version, createdAt = 1, stored.Created
	case err != nil:
		return fmt.Errorf("raise alert %s: %w", a.ID, err)
	default:
		createdAt = fromMicros(created)
		changed := clipText(a.Source) != source || clipText(a.Problem) != problem || newEvent != event
		if changed {
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET source = ?, problem = ?, event = ?,
				event_id = ? WHERE id = ?`, clipText(a.Source), clipText(a.Problem), newEvent,
				eventIDOf(a), a.ID); err != nil {
				return fmt.Errorf("raise alert %s: %w", a.ID, err)
			}
		}
		for _, art := range a.Articles {
			added, err := appendAlertArticle(ctx, tx, a.ID, sql.NullInt64{}, art)
			if err != nil {
				return fmt.Errorf("raise alert %s: %w", a.ID, err)
			}
			changed = changed || added
		}
		if !changed {
			var updated int64
			if err := tx.QueryRowContext(ctx, `SELECT updated FROM alerts WHERE id = ?`, a.ID).Scan(&updated); err != nil {
				return fmt.Errorf("raise alert %s: %w", a.ID, err)
			}
			a.Version, a.Created, a.Updated = version, createdAt, fromMicros(updated)
			return nil // nothing new: nothing to write
		}
		if err := bumpAlert(ctx, tx, a.ID, now); err != nil {
			return fmt.Errorf("raise alert %s: %w", a.ID, err)
		}
		if err := scheduleDeliveries(ctx, tx, rule, a.ID, false, now); err != nil {
			return fmt.Errorf("raise alert %s: %w", a.ID, err)
		}
		version++
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("raise alert %s: commit: %w", a.ID, err)
	}
	a.Version, a.Created, a.Updated = version, createdAt, upAt
	return nil
}

func eventIDOf(a *newsmon.Alert) string {
	if a.Event == nil {
		return ""
	}
	return a.Event.EventID
}

// PendingDeliveries claims up to limit deliveries due at now (not yet
// delivered, next attempt at or before now, not claimed by another caller
// whose lease still runs), oldest due first, each with its alert; a
// digest delivery (AlertID from DigestID) has none. The claim lasts
// DeliveryLease from now: mark each delivery delivered or failed before.
// A limit outside 1..1000 is EINVALID.
func (db *DB) PendingDeliveries(ctx context.Context, now time.Time, limit int) ([]newsmon.Delivery, error) {
	if limit <= 0 || limit > maxDeliveryBatch {
		return nil, newsmon.Errorf(newsmon.EINVALID, "pending deliveries: limit %d: want 1 to %d", limit, maxDeliveryBatch)
	}
	nowUS := toMicros(now)
	lease := toMicros(now.Add(db.alertRules.Lease(DeliveryLease)))
	var (
		ds      []newsmon.Delivery
		created []int64
	)
	err := queryEach(ctx, db.writer, `UPDATE alert_deliveries SET claimed_until = ?1
		WHERE rowid IN (SELECT rowid FROM alert_deliveries
			WHERE delivered IS NULL AND next_attempt <= ?2 AND claimed_until <= ?2
			ORDER BY next_attempt, created, rowid LIMIT ?3)
		RETURNING alert_id, channel, rule, attempts, next_attempt, last_error, created`,
		[]any{lease, nowUS, limit}, func(rows *sql.Rows) error {
			var d newsmon.Delivery
			var next, c int64
			if err := rows.Scan(&d.AlertID, &d.Channel, &d.Rule, &d.Attempts, &next, &d.LastError, &c); err != nil {
				return err
			}
			d.NextAttempt = fromMicros(next)
			ds = append(ds, d)
			created = append(created, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("pending deliveries: %w", err)
	}
	order := make([]int, len(ds))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		if c := ds[i].NextAttempt.Compare(ds[j].NextAttempt); c != 0 {
			return c
		}
		return int(created[i] - created[j])
	})
	sorted := make([]newsmon.Delivery, len(ds))
	var ids []any
	for k, i := range order {
		sorted[k] = ds[i]
		if !strings.HasPrefix(ds[i].AlertID, newsmon.DigestPrefix) {
			ids = append(ids, ds[i].AlertID)
		}
	}
	if len(ids) == 0 {
		return sorted, nil
	}
	alerts, err := db.loadAlerts(ctx, `WHERE id IN (SELECT value FROM json_each(?))`, []any{jsonStrings(ids)})
	if err != nil {
		return nil, fmt.Errorf("pending deliveries: %w", err)
	}
	byID := make(map[string]*newsmon.Alert, len(alerts))
	for i := range alerts {
		byID[alerts[i].ID] = &alerts[i]
	}
	for i := range sorted {
		if al, ok := byID[sorted[i].AlertID]; ok {
			cp := *al
			sorted[i].Alert = &cp
		}
	}
	return sorted, nil
}

func jsonStrings(vs []any) string {
	b, _ := json.Marshal(vs)
	return string(b)
}

// MarkDelivered records that channel accepted the alert (or digest)
// alertID: it is never handed out again. Marking it again does nothing;
// ENOTFOUND when no such delivery is queued.
func (db *DB) MarkDelivered(ctx context.Context, alertID, channel string) error {
	r, err := db.writer.ExecContext(ctx, `UPDATE alert_deliveries
		SET delivered = coalesce(delivered, ?), claimed_until = 0
		WHERE alert_id = ? AND channel = ?`, toMicros(db.now()), alertID, channel)
	if err != nil {
		return fmt.Errorf("mark delivered %s %s: %w", alertID, channel, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return newsmon.Errorf(newsmon.ENOTFOUND, "no %s delivery of alert %s", channel, alertID)
	}
	return nil
}

// MarkFailed records a failed attempt at sending alertID through channel:
// one more attempt, the reason, and the time of the next one; the claim
// ends. A delivery already delivered stays so; ENOTFOUND when none is
// queued.
func (db *DB) MarkFailed(ctx context.Context, alertID, channel string, next time.Time, reason string) error {
	r, err := db.writer.ExecContext(ctx, `UPDATE alert_deliveries
		SET attempts = attempts + 1, next_attempt = ?, last_error = ?, claimed_until = 0
		WHERE alert_id = ? AND channel = ? AND delivered IS NULL`,
		toMicros(next), clipText(reason), alertID, channel)
	if err != nil {
		return fmt.Errorf("mark failed %s %s: %w", alertID, channel, err)
	}
	if n, _ := r.RowsAffected(); n > 0 {
		return nil
	}
	var n int
	if err := db.writer.QueryRowContext(ctx, `SELECT count(*) FROM alert_deliveries
		WHERE alert_id = ? AND channel = ?`, alertID, channel).Scan(&n); err != nil {
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
	var where []string
	var args []any
	if f.Since != nil {
		where = append(where, "updated >= ?")
		args = append(args, toMicros(*f.Since))
	}
	if f.Rule != "" {
		where = append(where, "rule = ?")
		args = append(args, f.Rule)
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	clause += " ORDER BY updated DESC, id LIMIT ?"
	args = append(args, limit)
	alerts, err := db.loadAlerts(ctx, clause, args)
	if err != nil {
		return nil, fmt.Errorf("find alerts: %w", err)
	}
	return alerts, nil
}

// loadAlerts reads the alerts selected by the clause that follows "FROM
// alerts", with their articles, in one read transaction.
func (db *DB) loadAlerts(ctx context.Context, clause string, args []any) ([]newsmon.Alert, error) {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	alerts := []newsmon.Alert{}
	err = queryEach(ctx, tx, `SELECT id, rule, kind, event, source, problem, created, updated, version
		FROM alerts `+clause, args, func(rows *sql.Rows) error {
		var (
			a                newsmon.Alert
			event            sql.NullString
			created, updated int64
		)
		if err := rows.Scan(&a.ID, &a.Rule, &a.Kind, &event, &a.Source, &a.Problem, &created,
			&updated, &a.Version); err != nil {
			return err
		}
		if event.Valid {
			a.Event = &newsmon.AlertEvent{}
			if err := json.Unmarshal([]byte(event.String), a.Event); err != nil {
				return fmt.Errorf("event of alert %s: %w", a.ID, err)
			}
		}
		a.Created, a.Updated = fromMicros(created), fromMicros(updated)
		a.Articles = []newsmon.AlertArticle{}
		alerts = append(alerts, a)
		return nil
	})
	if err != nil || len(alerts) == 0 {
		return alerts, err
	}
	byID := make(map[string]*newsmon.Alert, len(alerts))
	ids := make([]any, len(alerts))
	for i := range alerts {
		byID[alerts[i].ID] = &alerts[i]
		ids[i] = alerts[i].ID
	}
	err = queryEach(ctx, tx, `SELECT alert_id, url, title, source, published, sentence
		FROM alert_articles WHERE alert_id IN (SELECT value FROM json_each(?))
		ORDER BY alert_id, seq`, []any{jsonStrings(ids)}, func(rows *sql.Rows) error {
		var (
			id        string
			art       newsmon.AlertArticle
			published sql.NullInt64
		)
		if err := rows.Scan(&id, &art.URL, &art.Title, &art.Source, &published, &art.Sentence); err != nil {
			return err
		}
		art.Published = timePtr(published)
		byID[id].Articles = append(byID[id].Articles, art)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return alerts, nil
}
