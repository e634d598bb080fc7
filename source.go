package newsmon

import (
	"regexp"

	"github.com/andybalholm/cascadia"
)

// Source kinds.
const (
	KindNews      = "news"
	KindStatement = "statement"
)

// Source is one outlet or official statement page to crawl, as configured
// in a [[source]] table.
type Source struct {
	Name     string `toml:"name"`  // unique, [a-z0-9-]
	Title    string `toml:"title"` // shown to users
	Kind     string `toml:"kind"`  // news | statement
	URL      string `toml:"url"`   // the home page
	Language string `toml:"language"`
	// Timezone is the IANA zone of dates the outlet prints without one.
	Timezone string `toml:"timezone"`
	Schedule string `toml:"schedule"` // robfig/cron/v3 syntax
	Disabled bool   `toml:"disabled"`

	Feeds    []string  `toml:"feeds"`
	Sitemaps []string  `toml:"sitemaps"`
	Listings []Listing `toml:"listing"`
	// ArticlePattern is a regular expression every article URL matches;
	// discovered links that do not match are not fetched.
	ArticlePattern string `toml:"article_pattern"`
	// ExcludePatterns are regular expressions of URLs never to fetch.
	ExcludePatterns []string `toml:"exclude_patterns"`

	Selectors Selectors `toml:"selectors"`

	articleRE  *regexp.Regexp
	excludeREs []*regexp.Regexp
}

// Listing is a page that lists articles, for sites without feeds.
type Listing struct {
	URL      string `toml:"url"`
	Links    string `toml:"links"` // CSS selector of article links
	Next     string `toml:"next"`  // CSS selector of the next-page link
	MaxPages int    `toml:"max_pages"`

	links, next cascadia.Selector
}

// LinksSelector returns the compiled Links selector; nil before Validate.
func (l *Listing) LinksSelector() cascadia.Selector { return l.links }

// NextSelector returns the compiled Next selector; nil when Next is empty
// or before Validate.
func (l *Listing) NextSelector() cascadia.Selector { return l.next }

// Selectors are per-site extraction rules (CSS). Empty ones are left to the
// generic extractor.
type Selectors struct {
	Title  string `toml:"title"`
	Body   string `toml:"body"`
	Date   string `toml:"date"`
	Author string `toml:"author"`
	// Remove lists elements to drop from the body before extracting text.
	Remove []string `toml:"remove"`
}

// IsArticleURL reports whether u may hold an article of the source: it
// matches ArticlePattern (when set) and no exclude pattern. Validate must
// have been called.
func (s *Source) IsArticleURL(u string) bool {
	for _, re := range s.excludeREs {
		if re.MatchString(u) {
			return false
		}
	}
	if s.articleRE == nil {
		return true
	}
	return s.articleRE.MatchString(u)
}

// IsExcluded reports whether u matches one of the source's exclude patterns.
func (s *Source) IsExcluded(u string) bool {
	for _, re := range s.excludeREs {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}
