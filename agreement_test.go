package newsmon

import (
	"slices"
	"testing"
	"time"
)

func TestInstrumentClass(t *testing.T) {
	if got, want := InstrumentClassMembers("Memorandum"), []string{"agreement", "declaration", "memorandum", "protocol", "roadmap"}; !slices.Equal(got, want) {
		t.Errorf("members of memorandum = %q, want %q", got, want)
	}
	if got := InstrumentClassMembers("Contract"); !slices.Equal(got, []string{"contract"}) {
		t.Errorf("members of contract = %q", got)
	}
	if InstrumentClass("Roadmap") != InstrumentClass("agreement") || InstrumentClass("Fund") != "fund" {
		t.Errorf("classes: roadmap %q, agreement %q, fund %q", InstrumentClass("Roadmap"), InstrumentClass("agreement"), InstrumentClass("Fund"))
	}
}

func TestPartyKey(t *testing.T) {
	if got, want := PartyKey([]string{" Kazakhstan", "azerbaijan", " "}), "\x1eazerbaijan\x1ekazakhstan\x1e"; got != want {
		t.Errorf("PartyKey = %q, want %q", got, want)
	}
	if PartyKey(nil) != "" {
		t.Error("PartyKey(nil) is not empty")
	}
	ab := PartyKey([]string{"a", "b"})
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{ab, ab, true},
		{ab, PartyKey([]string{"a", "b", "c"}), true},  // one within the other, two shared
		{PartyKey([]string{"a", "b", "c"}), ab, true},  // either way round
		{PartyKey([]string{"a"}), ab, false},           // one shared party is not enough
		{ab, PartyKey([]string{"a", "c", "d"}), false}, // not within
	} {
		if got := sameParties(tt.a, tt.b); got != tt.want {
			t.Errorf("sameParties(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEventMatcher(t *testing.T) {
	ag := Agreement{Instrument: "agreement", Status: StatusSigned, Parties: []string{"A", "B"}, Value: "$1 billion"}
	key := PartyKey(ag.Parties)
	m := NewEventMatcher(ag, key)
	m.Offer("planned", StatusPlanned, key, "", "") // a plan is apart from a signing
	m.Offer("other-parties", StatusSigned, PartyKey([]string{"a", "c"}), "", "")
	m.Offer("other-value", StatusSigned, key, "$2 billion", "")
	if m.Event() != "" {
		t.Fatalf("matched %q", m.Event())
	}
	m.Offer("mentioned", StatusMentioned, key, "", "")
	m.Offer("signed", StatusSigned, key, "$1 billion", "")
	m.Offer("signed-later", StatusSigned, key, "", "")
	if got := m.Event(); got != "signed" {
		t.Errorf("Event() = %q, want the nearest of the same status, signed", got)
	}

	id := NewEventID(ag, key, 7)
	if len(id) != 20 || id != NewEventID(ag, key, 7) || id == NewEventID(ag, key, 8) {
		t.Errorf("NewEventID: %q, not 20 stable characters that differ by article", id)
	}
}

func TestAddReport(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	e := &AgreementEvent{EventID: "e"}
	e.AddReport(AgreementReport{ArticleID: 1}, Agreement{Instrument: "memorandum", Status: StatusMentioned, Parties: []string{"a", "b"}, Sentence: "in passing"}, t0.Add(time.Hour))
	e.AddReport(AgreementReport{ArticleID: 1}, Agreement{Instrument: "memorandum", Status: StatusRatified, Sentence: "again"}, t0)
	e.AddReport(AgreementReport{ArticleID: 2}, Agreement{Instrument: "agreement", Status: StatusSigned, Value: "$5m", Sentence: "signed"}, t0)
	if len(e.Reports) != 2 || !e.HasReport(2) || e.HasReport(3) {
		t.Fatalf("reports %+v: want articles 1 and 2 once each", e.Reports)
	}
	if e.Status != StatusSigned || e.Instrument != "agreement" || e.Sentence != "signed" || e.Value != "$5m" {
		t.Errorf("event %+v: want what its strongest report says", e)
	}
	if !slices.Equal(e.Parties, []string{"a", "b"}) || !e.FirstSeen.Equal(t0) || e.Reports[0].Sentence != "in passing" {
		t.Errorf("event %+v: parties, first sight or report sentence wrong", e)
	}
}
