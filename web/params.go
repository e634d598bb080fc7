package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
)

// Bounds of the search parameters.
const (
	defaultLimit = 20
	maxLimit     = 200 // the store's own bound
	// maxOffset keeps deep paging, which costs the store as much as
	// reading every page before, from being a way to load the server.
	maxOffset = 10000
)

// searchParams is a search as the query string states it: the filter for
// the store plus what the pages need to rebuild links.
type searchParams struct {
	Filter newsmon.SearchFilter
	Kind   string
	// noSource is set when the kind filter names no configured source:
	// the search finds nothing without asking the store.
	noSource bool
}

// parseSearch reads q, topic, source, kind, lang, party, since, until,
// limit and offset. Errors are EINVALID and name the parameter.
func (s *Server) parseSearch(v url.Values) (*searchParams, error) {
	p := &searchParams{}
	f := &p.Filter
	f.Query = strings.TrimSpace(v.Get("q"))
	f.Topic = strings.TrimSpace(v.Get("topic"))
	f.Source = strings.TrimSpace(v.Get("source"))
	f.Language = strings.TrimSpace(v.Get("lang"))
	f.Party = strings.TrimSpace(v.Get("party"))
	p.Kind = strings.TrimSpace(v.Get("kind"))
	switch p.Kind {
	case "":
	case newsmon.KindNews, newsmon.KindStatement:
		for _, src := range s.opts.Sources {
			if src.Kind == p.Kind {
				f.Sources = append(f.Sources, src.Name)
			}
		}
		p.noSource = len(f.Sources) == 0
	default:
		return nil, newsmon.Errorf(newsmon.EINVALID, "kind %q: want news or statement", p.Kind)
	}
	var err error
	if f.Since, err = newsmon.ParseDate("since", v.Get("since"), false); err != nil {
		return nil, err
	}
	if f.Until, err = newsmon.ParseDate("until", v.Get("until"), true); err != nil {
		return nil, err
	}
	if f.Since != nil && f.Until != nil && f.Until.Before(*f.Since) {
		return nil, newsmon.Errorf(newsmon.EINVALID, "until %s: before since %s", v.Get("until"), v.Get("since"))
	}
	if f.Limit, err = parseInt("limit", v.Get("limit"), defaultLimit, 1, maxLimit); err != nil {
		return nil, err
	}
	if f.Offset, err = parseInt("offset", v.Get("offset"), 0, 0, maxOffset); err != nil {
		return nil, err
	}
	return p, nil
}

// parseInt reads an integer parameter within [lo, hi]; empty is def.
func parseInt(name, v string, def, lo, hi int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, newsmon.Errorf(newsmon.EINVALID, "%s %q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// parseInterval reads the timeline's interval: day (the default) or week.
func parseInterval(v string) (string, error) {
	switch v = strings.TrimSpace(v); v {
	case "", newsmon.IntervalDay:
		return newsmon.IntervalDay, nil
	case newsmon.IntervalWeek:
		return v, nil
	}
	return "", newsmon.Errorf(newsmon.EINVALID, "interval %q: want day or week", v)
}

// queryError names the q parameter in the store's message about a
// malformed query, so that the user knows which field to fix.
func queryError(err error) error {
	if newsmon.ErrorCode(err) == newsmon.EINVALID {
		msg := newsmon.ErrorMessage(err)
		if strings.Contains(msg, "query") && !strings.HasPrefix(msg, "q:") {
			return newsmon.Errorf(newsmon.EINVALID, "q: %s", msg)
		}
	}
	return err
}

// values is the query string of a search, for links that change one
// parameter and keep the others.
func (p *searchParams) values() url.Values {
	f := p.Filter
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Query)
	set("topic", f.Topic)
	set("source", f.Source)
	set("kind", p.Kind)
	set("lang", f.Language)
	set("party", f.Party)
	if f.Since != nil {
		set("since", dateParam(*f.Since, false))
	}
	if f.Until != nil {
		set("until", dateParam(*f.Until, true))
	}
	if f.Limit != defaultLimit && f.Limit != 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset != 0 {
		v.Set("offset", strconv.Itoa(f.Offset))
	}
	return v
}

// dateParam writes a time back as parseDate reads it: a day when it is
// one (the end of a day for until), else RFC 3339.
func dateParam(t time.Time, endOfDay bool) string {
	day := t
	if endOfDay {
		day = t.Add(time.Nanosecond - 24*time.Hour)
	}
	if day.Hour() == 0 && day.Minute() == 0 && day.Second() == 0 && day.Nanosecond() == 0 {
		return day.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}
