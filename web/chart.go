package web

import (
	"fmt"
	"math"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// Geometry of the timeline chart, in SVG user units; the SVG scales to
// the width of the page.
const (
	chartWidth   = 760
	chartHeight  = 280
	chartLeft    = 52
	chartRight   = 16
	chartTop     = 16
	chartBottom  = 44
	maxBuckets   = 1100 // beyond this, empty intervals are not drawn as zero
	maxDots      = 120  // beyond this many intervals, lines without dots
	maxXLabels   = 6
	yTickTargets = 4
)

// chart is the timeline drawn as SVG lines, one per topic, with the same
// numbers as a table for screen readers and for reading exact values.
type chart struct {
	Title, Desc    string
	Width, Height  int
	Left, Right    int
	Top, Bottom    int
	XAxisY         int
	Series         []chartSeries
	YTicks, XTicks []chartTick
	Rows           []chartRow // the table: one row per interval
	Topics         []string   // the table's columns
	Empty          bool
}

type chartSeries struct {
	Topic, Class string
	Points       string // the polyline's points
	Dots         []chartDot
	Total        int
}

type chartDot struct {
	X, Y  float64
	Label string
}

type chartTick struct {
	Pos   float64
	Label string
}

type chartRow struct {
	Start string
	Cells []chartCell
}

type chartCell struct{ Mentions, Articles int }

// buildChart lays out points (oldest first, as the store returns them).
func (s *Server) buildChart(points []newsmon.TimelinePoint, interval string) *chart {
	c := &chart{Width: chartWidth, Height: chartHeight, Left: chartLeft, Right: chartWidth - chartRight,
		Top: chartTop, Bottom: chartHeight - chartBottom, XAxisY: chartHeight - chartBottom}
	c.Title = "Mentions per topic per " + interval
	if len(points) == 0 {
		c.Empty = true
		c.Desc = "No mentions in the selected articles."
		return c
	}
	step := 24 * time.Hour
	if interval == newsmon.IntervalWeek {
		step = 7 * 24 * time.Hour
	}
	c.Topics = pointTopics(points)
	col := map[string]int{}
	for i, t := range c.Topics {
		col[t] = i
	}

	// The intervals: every one from the first to the last, so that a quiet
	// day shows as zero, unless that would be too many.
	first, last := points[0].Start, points[0].Start
	for _, p := range points {
		if p.Start.Before(first) {
			first = p.Start
		}
		if p.Start.After(last) {
			last = p.Start
		}
	}
	var starts []time.Time
	if n := int(last.Sub(first)/step) + 1; n <= maxBuckets {
		for t := first; !t.After(last); t = t.Add(step) {
			starts = append(starts, t)
		}
	} else {
		seen := map[time.Time]bool{}
		for _, p := range points {
			if !seen[p.Start] {
				seen[p.Start] = true
				starts = append(starts, p.Start)
			}
		}
	}
	row := map[time.Time]int{}
	c.Rows = make([]chartRow, len(starts))
	for i, t := range starts {
		row[t] = i
		c.Rows[i] = chartRow{Start: t.UTC().Format("2006-01-02"), Cells: make([]chartCell, len(c.Topics))}
	}
	peak, peakTopic, peakDay := 0, "", ""
	for _, p := range points {
		i, ok := row[p.Start]
		if !ok {
			// Off the grid (a store whose buckets do not start where ours
			// do): the nearest earlier interval gets it.
			i = min(max(int(p.Start.Sub(first)/step), 0), len(starts)-1)
		}
		cell := &c.Rows[i].Cells[col[p.Topic]]
		cell.Mentions += p.Mentions
		cell.Articles += p.Articles
		if cell.Mentions > peak {
			peak, peakTopic, peakDay = cell.Mentions, p.Topic, c.Rows[i].Start
		}
	}

	top := niceCeil(peak)
	plotW := float64(c.Right - c.Left)
	plotH := float64(c.Bottom - c.Top)
	x := func(i int) float64 {
		if len(starts) == 1 {
			return float64(c.Left) + plotW/2
		}
		return float64(c.Left) + plotW*float64(i)/float64(len(starts)-1)
	}
	y := func(v int) float64 { return float64(c.Bottom) - plotH*float64(v)/float64(top) }

	for ti, topic := range c.Topics {
		sr := chartSeries{Topic: topic, Class: s.topicClass(topic)}
		var pts strings.Builder
		for i := range c.Rows {
			v := c.Rows[i].Cells[ti].Mentions
			sr.Total += v
			fmt.Fprintf(&pts, "%.1f,%.1f ", x(i), y(v))
			if v > 0 && len(starts) <= maxDots {
				sr.Dots = append(sr.Dots, chartDot{X: x(i), Y: y(v), Label: fmt.Sprintf("%s, %s: %d mentions", topic, c.Rows[i].Start, v)})
			}
		}
		sr.Points = strings.TrimSpace(pts.String())
		c.Series = append(c.Series, sr)
	}
	tickStep := niceCeil(max(top/yTickTargets, 1))
	for v := 0; v <= top; v += tickStep {
		c.YTicks = append(c.YTicks, chartTick{Pos: y(v), Label: fmt.Sprint(v)})
	}
	every := max(1, int(math.Ceil(float64(len(starts))/maxXLabels)))
	for i := 0; i < len(starts); i += every {
		c.XTicks = append(c.XTicks, chartTick{Pos: x(i), Label: c.Rows[i].Start})
	}
	c.Desc = fmt.Sprintf("%d topics over %d %ss from %s to %s. The highest count is %d mentions of %s in the %s of %s. The table below gives every number.",
		len(c.Topics), len(starts), interval, c.Rows[0].Start, c.Rows[len(c.Rows)-1].Start, peak, peakTopic, interval, peakDay)
	return c
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}
