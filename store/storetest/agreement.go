package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	newsmon "github.com/newsmon/newsmon"
)

// report is an article of source src, published on day, that reports ag.
func report(src, day string, n int, ag newsmon.Agreement) *newsmon.Article {
	u := fmt.Sprintf("https://%s.example/%s/report-%d", src, day, n)
	return &newsmon.Article{
		Source: src, URL: u, CanonicalURL: u, IsArticle: true, Language: "en",
		Title:      fmt.Sprintf("Report %d from %s", n, src),
		Text:       ag.Sentence + " More words of report " + fmt.Sprint(n),
		Published:  date(day + "T09:00:00Z"),
		Topics:     []string{"agreement"},
		Agreements: []newsmon.Agreement{ag},
	}
}

func testAgreementEvents(t *testing.T, s newsmon.Store) {
	ctx := context.Background()
	memo := newsmon.Agreement{Instrument: "memorandum", Status: newsmon.StatusSigned,
		Parties: []string{"Kazakhstan", "Azerbaijan"}, Sentence: "Kazakhstan and Azerbaijan signed a memorandum on the Middle Corridor."}
	reversed := memo
	reversed.Parties = []string{"Azerbaijan", "Kazakhstan"}
	reversed.Sentence = "Baku and Astana signed a memorandum of understanding on transit."
	// Seven outlets over five days report one signing.
	var ids []int64
	for i, r := range []*newsmon.Article{
		report("astanatimes", "2024-03-14", 1, memo),
		report("trend", "2024-03-14", 2, reversed),
		report("apa", "2024-03-15", 3, memo),
		report("report", "2024-03-16", 4, reversed),
		report("akorda", "2024-03-13", 5, memo),
		// Another outlet names the companies too, and calls it an agreement.
		report("kazinform", "2024-03-15", 11, newsmon.Agreement{Instrument: "agreement", Status: newsmon.StatusSigned,
			Parties: []string{"ADY", "Azerbaijan", "KTZ", "Kazakhstan"}, Sentence: "KTZ and ADY signed an agreement on a joint venture for the Middle Corridor."}),
		// A week later, a passing mention of the same memorandum.
		report("timesca", "2024-03-18", 12, newsmon.Agreement{Instrument: "memorandum", Status: newsmon.StatusMentioned,
			Parties: []string{"Kazakhstan", "Azerbaijan"}, Sentence: "The memorandum Kazakhstan and Azerbaijan signed last week sets tariffs."}),
	} {
		res := mustSave(t, s, r, nil)
		ids = append(ids, res.ID)
		if i > 0 && r.Agreements[0].EventID == "" {
			t.Fatalf("report %d: no event id", i)
		}
	}
	// Not the same event: a plan, other parties, a signing two months later.
	planned := memo
	planned.Status = newsmon.StatusPlanned
	mustSave(t, s, report("trend", "2024-03-10", 6, planned), nil)
	other := memo
	other.Parties = []string{"Kazakhstan", "China"}
	mustSave(t, s, report("apa", "2024-03-14", 7, other), nil)
	mustSave(t, s, report("astanatimes", "2024-05-20", 8, memo), nil)
	// No parties: an event of its own, never merged.
	bare := newsmon.Agreement{Instrument: "memorandum", Status: newsmon.StatusSigned, Sentence: "A memorandum was signed."}
	mustSave(t, s, report("trend", "2024-03-14", 9, bare), nil)
	mustSave(t, s, report("apa", "2024-03-14", 10, bare), nil)

	events, err := s.FindAgreementEvents(ctx, newsmon.AgreementFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 6 {
		for _, e := range events {
			t.Logf("%s %s %s %v: %d reports", e.EventID, e.Status, e.Instrument, e.Parties, len(e.Reports))
		}
		t.Fatalf("%d events, want 6 (one reported seven times, a plan, other parties, a later signing, two without parties)", len(events))
	}
	var five *newsmon.AgreementEvent
	for i := range events {
		if len(events[i].Reports) == 7 {
			five = &events[i]
		}
	}
	if five == nil {
		t.Fatal("no event with the seven reports")
	}
	var reportIDs []int64
	for _, r := range five.Reports {
		reportIDs = append(reportIDs, r.ArticleID)
	}
	slices.Sort(reportIDs)
	if !slices.Equal(reportIDs, ids) {
		t.Errorf("reports %v, want %v", reportIDs, ids)
	}
	if five.Reports[0].Source != "akorda" || five.Published == nil || five.Published.Day() != 13 {
		t.Errorf("earliest report first: got %+v, published %v", five.Reports[0], five.Published)
	}
	// Events come most recent first.
	for i := 1; i < len(events); i++ {
		if a, b := events[i-1].Published, events[i].Published; a != nil && b != nil && a.Before(*b) {
			t.Errorf("event %d (%v) listed before a later one (%v)", i-1, a, b)
		}
	}
	if five.Status != newsmon.StatusSigned {
		t.Errorf("event status %s, want signed: a passing mention does not weaken a signing", five.Status)
	}
	// Every article of the event carries its id.
	for _, id := range ids {
		a := mustFind(t, s, id)
		if len(a.Agreements) != 1 || a.Agreements[0].EventID != five.EventID {
			t.Errorf("article %d: agreements %+v, want event %s", id, a.Agreements, five.EventID)
		}
	}

	filters := []struct {
		name string
		f    newsmon.AgreementFilter
		want int
	}{
		{"party, any case", newsmon.AgreementFilter{Party: "china"}, 1},
		{"party in every event with parties", newsmon.AgreementFilter{Party: "Kazakhstan"}, 4},
		{"party with a LIKE wildcard", newsmon.AgreementFilter{Party: "%"}, 0},
		{"status", newsmon.AgreementFilter{Status: newsmon.StatusPlanned}, 1},
		{"instrument", newsmon.AgreementFilter{Instrument: "treaty"}, 0},
		{"since", newsmon.AgreementFilter{Since: date("2024-05-01T00:00:00Z")}, 1},
		{"until", newsmon.AgreementFilter{Until: date("2024-03-11T00:00:00Z")}, 1},
		{"limit", newsmon.AgreementFilter{Limit: 2}, 2},
		{"offset", newsmon.AgreementFilter{Offset: 5}, 1},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.FindAgreementEvents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("%d events, want %d", len(got), tt.want)
			}
		})
	}
	if _, err := s.FindAgreementEvents(ctx, newsmon.AgreementFilter{Limit: 100000}); newsmon.ErrorCode(err) != newsmon.EINVALID {
		t.Errorf("huge limit: %v, want EINVALID", err)
	}

	// Saving a report again keeps its event.
	again := report("trend", "2024-03-14", 2, reversed)
	mustSave(t, s, again, nil)
	if again.Agreements[0].EventID != five.EventID {
		t.Errorf("re-saved report got event %s, want %s", again.Agreements[0].EventID, five.EventID)
	}
}
