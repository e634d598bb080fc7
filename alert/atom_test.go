package alert

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/newsmon/newsmon"
)

func TestWriteAtom(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	five := sampleAgreement("agr-five", "new-agreements", at, "astanatimes", "trend", "kazinform", "azertac", "apa")
	five.Updated, five.Version = at.Add(3*time.Hour), 5 // later reports updated it

	hostile := sampleAgreement("agr hostile/ü?", "new-agreements", at, "trend")
	hostile.Articles[0].Title = "<script>alert(1)</script> ]]> & \x00\x1b bell"
	hostile.Event.Parties = []string{"Türkiye", "Ukraine & partners"}

	health := &newsmon.Alert{ID: "health:trend:1", Rule: "health", Kind: newsmon.AlertSourceHealth,
		Source: "trend", Problem: "three runs in a row found no articles (403 Forbidden)", Created: at, Updated: at.Add(time.Minute), Version: 1}
	search := &newsmon.Alert{ID: "search:lng:1", Rule: "lng", Kind: newsmon.AlertSearch, Created: at, Updated: at,
		Articles: []newsmon.AlertArticle{{URL: "https://caspiannews.example/lng", Title: "LNG terminal opens in Aktau", Source: "caspiannews", Sentence: "The terminal will handle LNG shipments."}}}

	tests := []struct {
		name   string
		alerts []newsmon.Alert
		// wantContent: for each entry, texts its HTML content must hold.
		wantContent [][]string
	}{
		{name: "empty feed"},
		{name: "agreement reported by five outlets", alerts: []newsmon.Alert{*five}, wantContent: [][]string{{
			"https://astanatimes.example/news/caspian-cable-0", "https://trend.example/news/caspian-cable-1",
			"https://kazinform.example/news/caspian-cable-2", "https://azertac.example/news/caspian-cable-3",
			"https://apa.example/news/caspian-cable-4", "<mark"}}},
		{name: "hostile text escaped", alerts: []newsmon.Alert{*hostile}, wantContent: [][]string{{"&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp;", "Ukraine &amp; partners"}}},
		{name: "source health and search", alerts: []newsmon.Alert{*health, *search}, wantContent: [][]string{
			{"trend", "403 Forbidden"}, {"https://caspiannews.example/lng", "LNG terminal opens in Aktau"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			self := "https://newsmon.example/feeds/alerts.atom"
			feedUpdated := at.Add(4 * time.Hour)
			if err := WriteAtom(&buf, tt.alerts, self, feedUpdated); err != nil {
				t.Fatal(err)
			}

			// As an XML parser sees it.
			var feed struct {
				XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
				ID      string   `xml:"id"`
				Updated string   `xml:"updated"`
				Author  string   `xml:"author>name"`
				Entries []struct {
					ID      string `xml:"id"`
					Title   string `xml:"title"`
					Updated string `xml:"updated"`
					Content struct {
						Type string `xml:"type,attr"`
						Body string `xml:",chardata"`
					} `xml:"content"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal(buf.Bytes(), &feed); err != nil {
				t.Fatalf("encoding/xml: %v\n%s", err, buf.String())
			}
			if feed.ID != self || feed.Updated != feedUpdated.Format(time.RFC3339) || feed.Author == "" {
				t.Errorf("feed id %q updated %q author %q", feed.ID, feed.Updated, feed.Author)
			}
			if len(feed.Entries) != len(tt.alerts) {
				t.Fatalf("%d entries, want %d", len(feed.Entries), len(tt.alerts))
			}
			for i, e := range feed.Entries {
				a := tt.alerts[i]
				if !strings.HasPrefix(e.ID, "urn:newsmon:alert:") || e.Updated != a.Updated.Format(time.RFC3339) || e.Title != headline(&a) || e.Content.Type != "html" {
					t.Errorf("entry %d: id %q updated %q title %q type %q", i, e.ID, e.Updated, e.Title, e.Content.Type)
				}
				for _, s := range tt.wantContent[i] {
					if !strings.Contains(e.Content.Body, s) {
						t.Errorf("entry %d content lacks %q:\n%s", i, s, e.Content.Body)
					}
				}
				if strings.Contains(e.Content.Body, "<script>") {
					t.Errorf("entry %d content holds an unescaped script", i)
				}
			}

			// As a feed reader sees it.
			parsed, err := gofeed.NewParser().ParseString(buf.String())
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if parsed.FeedType != "atom" || len(parsed.Items) != len(tt.alerts) {
				t.Fatalf("gofeed: type %q with %d items", parsed.FeedType, len(parsed.Items))
			}
			for i, it := range parsed.Items {
				a := tt.alerts[i]
				if it.GUID != feed.Entries[i].ID || it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(a.Updated) {
					t.Errorf("gofeed item %d: guid %q updated %v", i, it.GUID, it.UpdatedParsed)
				}
				for _, art := range a.Articles {
					if !strings.Contains(it.Content, art.URL) {
						t.Errorf("gofeed item %d content lacks report %s", i, art.URL)
					}
				}
				if len(a.Articles) > 0 && it.Link != a.Articles[0].URL {
					t.Errorf("gofeed item %d link %q, want %q", i, it.Link, a.Articles[0].URL)
				}
			}
		})
	}
}

func TestAtomIDsAreDistinct(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var alerts []newsmon.Alert
	ids := []string{"a:1", "a 1", "a/1", "a%201", "ä1"}
	for _, id := range ids {
		alerts = append(alerts, *sampleAgreement(id, "r", at, "trend"))
	}
	var buf bytes.Buffer
	if err := WriteAtom(&buf, alerts, "", at); err != nil {
		t.Fatal(err)
	}
	parsed, err := gofeed.NewParser().ParseString(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for i, it := range parsed.Items {
		if prev, dup := seen[it.GUID]; dup {
			t.Errorf("alerts %q and %q share the entry id %q", prev, ids[i], it.GUID)
		}
		seen[it.GUID] = ids[i]
		if strings.ContainsAny(it.GUID, " <>\"") {
			t.Errorf("entry id %q is not a valid IRI", it.GUID)
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("%d distinct ids, want %d", len(seen), len(ids))
	}
}
