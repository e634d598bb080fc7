package web

import (
	"net/url"
	"testing"
)

// TestAPIOddInputsNever500 sends what users and scanners type; the answer
// may be a 400 or nothing found, never a server error.
func TestAPIOddInputsNever500(t *testing.T) {
	d := theDeskFor(t)
	for _, q := range []string{"party=%22(", "party=" + url.QueryEscape("NOT *"), "topic=%27%22%3B--", "lang=%00", "source=" + url.QueryEscape(`"; DROP TABLE articles;--`), "q=%E2%80%8B", "q=*", "q=%22%22", "q=a*", "q=-", "q=OR", "q=%28%29", "q=" + url.QueryEscape("Баку-Тбилиси-Джейхан"), "q=%FF%FE", "topic=%FF", "q=" + url.QueryEscape(`"><script>alert(1)</script>`), "since=0001-01-01&until=9999-12-31", "since=2024-03-01T09:00:00%2B05:00", "limit=%20", "party=Kazakhstan&kind=statement&lang=ru&topic=agreement"} {
		for _, p := range []string{"/api/search?", "/api/timeline?", "/api/export?format=jsonl&", "/?"} {
			code, body, _ := get(t, d.srv.URL+p+q, "")
			if code >= 500 {
				t.Errorf("%s%s: %d %s", p, q, code, body)
			}
		}
	}
	for _, q := range []string{"party=%22(", "party=" + url.QueryEscape("NOT *"), "since=0001-01-01", "instrument=%27", "until=9999-12-31"} {
		code, body, _ := get(t, d.srv.URL+"/api/agreements?"+q, "")
		if code >= 500 {
			t.Errorf("agreements %s: %d %s", q, code, body)
		}
	}
}
