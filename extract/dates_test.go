package extract

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	almaty, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		t.Fatal(err)
	}
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   string
		loc  *time.Location
		want string // RFC 3339, "" for no date
	}{
		{"rfc3339 with offset", "2024-03-14T09:00:00+05:00", nil, "2024-03-14T09:00:00+05:00"},
		{"rfc3339 utc fraction", "2015-10-15T02:19:15.607Z", nil, "2015-10-15T02:19:15Z"},
		{"iso without zone takes the source zone", "2024-03-14T09:00:00", almaty, "2024-03-14T09:00:00+05:00"},
		{"iso offset without colon", "2024-03-14T09:00:00+0300", nil, "2024-03-14T09:00:00+03:00"},
		{"iso date only", "2024-03-14", baku, "2024-03-14T00:00:00+04:00"},
		{"iso with space", "2024-03-14 09:30:00", nil, "2024-03-14T09:30:00Z"},
		{"rfc1123", "Thu, 14 Mar 2024 09:00:00 GMT", nil, "2024-03-14T09:00:00Z"},
		{"rfc1123z", "Thu, 14 Mar 2024 09:00:00 +0600", nil, "2024-03-14T09:00:00+06:00"},
		{"rfc1123 with a zone abbreviation", "Thu, 14 Mar 2024 09:00:00 EST", nil, "2024-03-14T09:00:00-05:00"},
		{"rfc822 two-digit year", "14 Mar 24 09:00 +0300", nil, "2024-03-14T09:00:00+03:00"},
		{"unix date", "Thu Mar 14 09:00:00 UTC 2024", nil, "2024-03-14T09:00:00Z"},
		{"english day month year", "14 March 2024", nil, "2024-03-14T00:00:00Z"},
		{"english month day year time", "March 14, 2024 09:00", almaty, "2024-03-14T09:00:00+05:00"},
		{"english with pm", "Apr 22, 2024 2:40 pm GMT+3", nil, "2024-04-22T14:40:00+03:00"},
		{"english ordinal", "Published on the 1st of... March 1st, 2024", nil, "2024-03-01T00:00:00Z"},
		{"english comma time", "24 August 2022, 13:55", baku, "2022-08-24T13:55:00+04:00"},
		{"byline with date", "By Aida Nurlanova on 14 March 2024", nil, "2024-03-14T00:00:00Z"},
		{"russian genitive with года", "14 марта 2024 года", almaty, "2024-03-14T00:00:00+05:00"},
		{"russian with time", "14 марта 2024 года, 14:30", almaty, "2024-03-14T14:30:00+05:00"},
		{"numeric dotted with time", "14.03.2024 14:30", almaty, "2024-03-14T14:30:00+05:00"},
		{"azerbaijani with utc offset", "6 Dekabr 2025 15:49 (UTC +04:00)", nil, "2025-12-06T15:49:00+04:00"},
		{"azerbaijani source zone", "6 Dekabr 2025 15:49", baku, "2025-12-06T15:49:00+04:00"},
		{"kazakh", "21 наурыз 2024", almaty, "2024-03-21T00:00:00+05:00"},
		{"kazakh year first", "2024 жылғы 21 наурыз", almaty, "2024-03-21T00:00:00+05:00"},
		{"turkish month", "14 Mart 2024", nil, "2024-03-14T00:00:00Z"},
		{"turkish weekday after", "22 Nisan 2024 Pazartesi", nil, "2024-04-22T00:00:00Z"},
		{"turkish dotless capitals", "3 ARALIK 2023", nil, "2023-12-03T00:00:00Z"},
		{"turkish dotted capital", "5 EYLÜL 2023 İstanbul", nil, "2023-09-05T00:00:00Z"},
		{"german", "14. März 2024", nil, "2024-03-14T00:00:00Z"},
		{"french", "1er avril 2024", nil, "2024-04-01T00:00:00Z"},
		{"portuguese with de", "segunda-feira, 22 de janeiro de 2018 às 0:13", nil, "2018-01-22T00:13:00Z"},
		{"spanish with de", "5 de marzo de 2024", nil, "2024-03-05T00:00:00Z"},
		{"english of", "the 14th of March, 2024", nil, "2024-03-14T00:00:00Z"},
		{"us slashes", "03/14/2024", nil, "2024-03-14T00:00:00Z"},
		{"day first slashes", "14/03/2024", nil, "2024-03-14T00:00:00Z"},
		{"time before date", "09:15, 14.03.2024", nil, "2024-03-14T09:15:00Z"},
		{"year slash", "2024/03/14", nil, "2024-03-14T00:00:00Z"},
		{"copyright year is no date", "© 2024 The Astana Times", nil, ""},
		{"month and year is no date", "March 2024", nil, ""},
		{"invalid day", "31 February 2024", nil, ""},
		{"empty", "", nil, ""},
		{"words only", "Updated yesterday", nil, ""},
		{"impossible year", "14 March 0024", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ParseDate(c.in, c.loc)
			if c.want == "" {
				if ok {
					t.Errorf("ParseDate(%q) = %v, want no date", c.in, got)
				}
				return
			}
			if !ok {
				t.Fatalf("ParseDate(%q) found no date, want %s", c.in, c.want)
			}
			if s := got.Format(time.RFC3339); s != c.want {
				t.Errorf("ParseDate(%q) = %s, want %s", c.in, s, c.want)
			}
		})
	}
}

func TestDateFromURL(t *testing.T) {
	cases := []struct {
		name, url, want string
	}{
		{"slashes", "https://astanatimes.com/2024/03/14/story/", "2024-03-14"},
		{"dashes", "https://example.org/news/2024-03-14-memorandum-signed", "2024-03-14"},
		{"year and month only", "https://astanatimes.com/2024/03/story/", ""},
		{"bad day", "https://example.org/2024/02/31/x", ""},
		{"in the query", "https://example.org/x?d=2024/03/14/", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := dateFromURL(c.url, nil)
			s := ""
			if ok {
				s = got.Format("2006-01-02")
			}
			if s != c.want {
				t.Errorf("dateFromURL(%q) = %q, want %q", c.url, s, c.want)
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2024-03-14T09:00:00+05:00", "14 марта 2024 года, 14:30", "6 Dekabr 2025 15:49 (UTC +04:00)",
		"March 14, 2024 09:00 pm EST", "14.03.2024", "2024 жылғы 21 наурыз", "22 Nisan 2024 Pazartesi",
		"Thu, 14 Mar 2024 09:00:00 +0600", "12:00 - 99:99", "\xff\xfe", strings.Repeat("1 ", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseDate(s, nil)
		if ok && (got.Year() < 1900 || got.Year() > 2100) {
			t.Errorf("ParseDate(%q) = %v, outside the plausible years", s, got)
		}
	})
}
