package alert

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/newsmon/newsmon"
)

// AtomFeedID is the feed's id when WriteAtom gets no self URL.
const AtomFeedID = "urn:newsmon:alerts"

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Links     []atomLink `xml:"link"`
	Category  *atomCat   `xml:"category,omitempty"`
	Summary   string     `xml:"summary,omitempty"`
	Content   atomText   `xml:"content"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// WriteAtom writes alerts as an Atom 1.0 feed (RFC 4287): one entry per
// alert, with id urn:newsmon:alert:<id>, the alert's headline as title,
// updated = the alert's last update, and HTML content listing every
// report, so an alert that later reports joined shows them. selfURL is
// the feed's own address (its id and rel="self" link); updated is the
// feed's updated time. Every string is escaped by encoding/xml, which
// also replaces characters XML cannot carry.
func WriteAtom(w io.Writer, alerts []newsmon.Alert, selfURL string, updated time.Time) error {
	feed := atomFeed{
		ID:      AtomFeedID,
		Title:   "newsmon alerts",
		Updated: atomTime(updated),
		Author:  atomPerson{Name: "newsmon"},
		Gen:     "newsmon",
	}
	if selfURL != "" {
		feed.ID = selfURL
		feed.Links = append(feed.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: selfURL})
	}
	for i := range alerts {
		a := &alerts[i]
		v := viewOf(a)
		content, err := renderHTML("alert", v)
		if err != nil {
			return fmt.Errorf("atom: %w", err)
		}
		upd := a.Updated
		if upd.IsZero() {
			upd = a.Created
		}
		if upd.IsZero() {
			upd = updated
		}
		e := atomEntry{
			ID:      "urn:newsmon:alert:" + url.PathEscape(a.ID),
			Title:   v.Headline,
			Updated: atomTime(upd),
			Content: atomText{Type: "html", Body: content},
		}
		if !a.Created.IsZero() {
			e.Published = atomTime(a.Created)
		}
		if a.Kind != "" {
			e.Category = &atomCat{Term: a.Kind}
		}
		if v.Evidence != "" {
			e.Summary = v.Evidence
		} else if v.Problem != "" {
			e.Summary = v.Problem
		}
		for _, art := range v.Articles {
			if u, err := url.Parse(art.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
				e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Href: u.String()})
				break
			}
		}
		feed.Entries = append(feed.Entries, e)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("atom: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return fmt.Errorf("atom: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("atom: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func atomTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}
