package crawler

import (
	"net/url"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	base, _ := url.Parse("https://astanatimes.com/category/news/")
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"absolute", "https://astanatimes.com/2024/04/slug/", "https://astanatimes.com/2024/04/slug/", true},
		{"relative", "/2024/04/slug/", "https://astanatimes.com/2024/04/slug/", true},
		{"relative to directory", "../../2024/04/slug/", "https://astanatimes.com/2024/04/slug/", true},
		{"fragment dropped", "https://astanatimes.com/2024/04/slug/#respond", "https://astanatimes.com/2024/04/slug/", true},
		{"utm dropped", "https://astanatimes.com/2024/04/slug/?utm_source=rss&utm_medium=rss", "https://astanatimes.com/2024/04/slug/", true},
		{"tracking dropped, content kept and sorted", "https://x.org/a?page=2&fbclid=abc&id=7", "https://x.org/a?id=7&page=2", true},
		{"host lower-cased, default port dropped", "HTTPS://AstanaTimes.COM:443/a", "https://astanatimes.com/a", true},
		{"other port kept", "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a", true},
		{"empty path is root", "https://x.org", "https://x.org/", true},
		{"user info dropped", "https://user:pw@x.org/a", "https://x.org/a", true},
		{"mailto", "mailto:editor@x.org", "", false},
		{"javascript", "javascript:void(0)", "", false},
		{"empty", "  ", "", false},
		{"bad escape", "https://x.org/%zz", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := canonicalURL(base, tt.in)
			if ok != tt.ok || got != tt.want {
				t.Errorf("canonicalURL(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestTrapReason(t *testing.T) {
	tests := []struct {
		name, in string
		trap     bool
	}{
		{"article", "https://astanatimes.com/2024/04/slug/", false},
		{"listing with page", "https://www.akorda.kz/en/events?page=3", false},
		{"pdf", "https://x.org/wp-content/uploads/2024/03/report.pdf", true},
		{"image", "https://x.org/a/photo.JPG", true},
		{"repeated segments", "https://x.org/news/news/news/a", true},
		{"deep", "https://x.org/a/b/c/d/e/f/g/h/i/j/k/l/m/n", true},
		{"many parameters", "https://x.org/a?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trapReason(tt.in); (got != "") != tt.trap {
				t.Errorf("trapReason(%q) = %q, want trap=%v", tt.in, got, tt.trap)
			}
		})
	}
}

func TestCanonicalURLKeepsQueriesItCannotSplit(t *testing.T) {
	a, _ := canonicalURL(nil, "https://x.org/a?id=1;lang=en#top")
	b, _ := canonicalURL(nil, "https://x.org/a?id=2;lang=en")
	if a == b || a != "https://x.org/a?id=1;lang=en" {
		t.Errorf("got %q and %q: two pages folded into one, or the query lost", a, b)
	}
}
