package newsmon

import (
	"slices"
	"strings"
	"testing"
)

func TestParseAlertRules(t *testing.T) {
	rules, err := ParseAlertRules([]AlertRule{
		{Name: "deals", On: AlertAgreement, Email: []string{"desk@example.org"}},
		{Name: "btc", On: AlertSearch, Query: "BTC -gas", Party: `Azerbaijan "SOCAR"`},
		{Name: "all", On: AlertSearch},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rules[1].Query == nil || rules[1].Party == nil || rules[1].Party.Text != "Azerbaijan  SOCAR " || !rules[1].Party.Phrase {
		t.Errorf("search rule parsed as %+v, party %+v", rules[1], rules[1].Party)
	}
	if rules[2].Query != nil || rules[2].Party != nil {
		t.Errorf("a rule without query or party: %+v", rules[2])
	}
	for _, tt := range []struct {
		name  string
		rules []AlertRule
		says  string
	}{
		{"no name", []AlertRule{{On: AlertSearch}}, "alert rule 1 has no name"},
		{"two names", []AlertRule{{Name: "a", On: AlertSearch}, {Name: "a", On: AlertAgreement}}, "two rules"},
		{"digest", []AlertRule{{Name: "a", On: AlertSearch, Digest: -1}}, "negative digest"},
		{"kind", []AlertRule{{Name: "a", On: "tweet"}}, `on = "tweet"`},
		{"query", []AlertRule{{Name: "a", On: AlertSearch, Query: "a OR"}}, `alert rule "a": invalid query: OR needs`},
		{"party", []AlertRule{{Name: "a", On: AlertSearch, Party: "—"}}, `alert rule "a": party: invalid query`},
	} {
		_, err := ParseAlertRules(tt.rules)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.says) {
			t.Errorf("%s: %v, want EINVALID saying %q", tt.name, err, tt.says)
		}
	}
}

func TestAlertRuleHelpers(t *testing.T) {
	if id := AlertID(AlertSearch, "btc", "https://x.example/a"); len(id) != 32 || id == AlertID(AlertAgreement, "btc", "https://x.example/a") {
		t.Errorf("AlertID = %q: want 32 characters that differ by kind", id)
	}
	r := AlertRule{Name: "deals", On: AlertAgreement, Webhook: "https://hook.example", Email: []string{"a@example.org"}, Topic: "energy", Party: "Kazakhstan"}
	if got := r.Channels(); !slices.Equal(got, []string{ChannelWebhook, ChannelEmail}) {
		t.Errorf("Channels() = %q", got)
	}
	a := &Article{IsArticle: true, Topics: []string{"energy", ""}, Mentions: []Mention{{Topic: "transport"}, {Topic: "energy"}},
		Agreements: []Agreement{
			{Status: StatusSigned, Parties: []string{" kazakhstan", "Azerbaijan"}},
			{Status: StatusPlanned, Parties: []string{"Kazakhstan"}},
			{Status: StatusRatified, Parties: []string{"Kazakhstan"}}, // the same event as the first
			{Status: StatusSigned, Parties: []string{"Georgia"}},
			{Status: StatusRatified, Parties: []string{"KAZAKHSTAN"}},
		}}
	topics := a.AllTopics()
	if !slices.Equal(topics, []string{"energy", "transport"}) {
		t.Errorf("AllTopics() = %q", topics)
	}
	if got := r.AgreementsToAlert(a, topics, []string{"e1", "e2", "e1", "e3", "e4"}); !slices.Equal(got, []int{0, 4}) {
		t.Errorf("AgreementsToAlert = %v, want [0 4]", got)
	}
	a.IsArticle = false
	if got := r.AgreementsToAlert(a, topics, []string{"e1", "e2", "e1", "e3", "e4"}); got != nil {
		t.Errorf("a page that is not an article raised %v", got)
	}
	r.Topic = "finance"
	a.IsArticle = true
	if r.MatchesArticle(a, topics) {
		t.Error("a rule on another topic matched")
	}
}
