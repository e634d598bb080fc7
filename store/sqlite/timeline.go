package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/newsmon/newsmon"
)

// Interval lengths in microseconds, the unit times are stored in.
const (
	dayMicros  = int64(24 * time.Hour / time.Microsecond)
	weekMicros = 7 * dayMicros
	// mondayMicros is a Monday midnight UTC (1969-12-29): weeks are
	// counted from it, since the epoch itself fell on a Thursday.
	mondayMicros = -3 * dayMicros
)

// Timeline counts the mentions of each topic per day or week (weeks start
// on Monday, UTC) in the articles f selects, bucketed by their published
// time, or their first-seen time when they have none; oldest interval
// first, then by topic. When f.Topic is set, only that topic's mentions are
// counted (the other topics of its articles would be noise in its chart).
// A bad interval or a malformed query is EINVALID.
func (db *DB) Timeline(ctx context.Context, f newsmon.TimelineFilter) ([]newsmon.TimelinePoint, error) {
	step, origin := dayMicros, int64(0)
	switch f.Interval {
	case "", newsmon.IntervalDay:
	case newsmon.IntervalWeek:
		step, origin = weekMicros, mondayMicros
	default:
		return nil, newsmon.Errorf(newsmon.EINVALID, "interval must be %s or %s, not %q",
			newsmon.IntervalDay, newsmon.IntervalWeek, f.Interval)
	}
	expr, err := checkFilter(f.SearchFilter)
	if err != nil {
		return nil, err
	}
	where, args := matchConds(f.SearchFilter, expr)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	topicCond := ""
	if f.Topic != "" {
		topicCond = " AND m.topic = ?"
		args = append(args, f.Topic)
	}
	// The bucket is the interval's start: the date minus its distance from
	// origin modulo step, the modulo made positive for dates before it.
	q := `WITH sel AS MATERIALIZED (
			SELECT a.id AS id, coalesce(a.published, a.first_seen) AS d FROM articles a` + cond + `)
		SELECT sel.d - (((sel.d - ` + fmt.Sprint(origin) + `) % ` + fmt.Sprint(step) + `) + ` +
		fmt.Sprint(step) + `) % ` + fmt.Sprint(step) + ` AS bucket, m.topic,
			count(*), count(DISTINCT m.article_id)
		FROM sel JOIN mentions m ON m.article_id = sel.id` + topicCond + `
		GROUP BY bucket, m.topic
		ORDER BY bucket, m.topic`

	points := []newsmon.TimelinePoint{}
	err = queryEach(ctx, db.reader, q, args, func(rows *sql.Rows) error {
		var p newsmon.TimelinePoint
		var start int64
		if err := rows.Scan(&start, &p.Topic, &p.Mentions, &p.Articles); err != nil {
			return err
		}
		p.Start = fromMicros(start)
		points = append(points, p)
		return nil
	})
	if err != nil {
		if e := searchError(err); newsmon.ErrorCode(e) == newsmon.EINVALID {
			return nil, e
		}
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return points, nil
}
