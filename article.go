package newsmon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Article is one story or statement as extracted from a page and stored.
type Article struct {
	ID     int64  `json:"id,omitempty"`
	Source string `json:"source,omitempty"` // the configured source's name

	URL          string `json:"url"`           // the URL the page was fetched from
	CanonicalURL string `json:"canonical_url"` // the key it is stored under
	Title        string `json:"title"`
	Author       string `json:"author"` // authors joined with ", "
	Language     string `json:"language"`
	SiteName     string `json:"site_name,omitempty"`
	Image        string `json:"image,omitempty"`
	Description  string `json:"description,omitempty"`

	Published *time.Time `json:"published"`
	Modified  *time.Time `json:"modified"`
	// PublishedSource says where Published came from: json-ld, meta, time,
	// text, url, feed, sitemap or first-seen.
	PublishedSource string `json:"published_source"`

	// Text is the body: paragraphs separated by a blank line.
	Text string `json:"text"`

	Topics     []string    `json:"topics"`
	Mentions   []Mention   `json:"mentions"`
	Agreements []Agreement `json:"agreements"`

	// IsArticle is false for pages that are not articles (home, listings,
	// tag pages); NotArticleReason then says why.
	IsArticle        bool   `json:"article"`
	NotArticleReason string `json:"reason,omitempty"`

	// Set by the store.
	ContentHash string    `json:"content_hash,omitempty"`
	FirstSeen   time.Time `json:"first_seen,omitzero"`
	FetchedAt   time.Time `json:"fetched_at,omitzero"`
	URLs        []string  `json:"sources,omitempty"` // every URL the story was seen at
}

// Mention is one occurrence of a topic term in an article's text.
type Mention struct {
	Topic    string `json:"topic"`
	Term     string `json:"term"`    // the dictionary term that matched
	Matched  string `json:"matched"` // the text as it stands in the article
	Sentence string `json:"sentence"`
	Start    int    `json:"start"` // byte offsets of Matched in Article.Text
	End      int    `json:"end"`
}

// Agreement statuses.
const (
	StatusSigned    = "signed"
	StatusPlanned   = "planned"
	StatusRatified  = "ratified"
	StatusMentioned = "mentioned"
)

// Agreement is an agreement event found in an article: an instrument, its
// status, its parties and the sentence that says so.
type Agreement struct {
	EventID    string   `json:"event_id,omitempty"` // shared by every report of one signing
	Instrument string   `json:"instrument"`         // agreement, memorandum, fund, ...
	Status     string   `json:"status"`             // signed, planned, ratified, mentioned
	Parties    []string `json:"parties"`
	Value      string   `json:"value,omitempty"`
	Place      string   `json:"place,omitempty"`
	Date       string   `json:"date,omitempty"`
	Sentence   string   `json:"sentence"`
}

// AllTopics returns the topics of a and of its mentions, sorted, each
// once.
func (a *Article) AllTopics() []string {
	topics := make([]string, 0, len(a.Topics))
	for _, t := range a.Topics {
		if t != "" {
			topics = append(topics, t)
		}
	}
	for _, m := range a.Mentions {
		if m.Topic != "" {
			topics = append(topics, m.Topic)
		}
	}
	slices.Sort(topics)
	return slices.Compact(topics)
}

// ContentHash is the hash that decides whether a page changed, the
// Article.ContentHash a store sets when it is empty: sha256 of the title
// and the text, hex.
func ContentHash(title, text string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil))
}

// Page is a fetched HTML document handed from the crawler to an Extractor.
// Body is UTF-8.
type Page struct {
	URL    string
	Body   []byte
	Source *Source // nil when extracting a file offline with no source

	// Hints from discovery, used when the page itself says nothing better.
	FeedPublished *time.Time
	FeedTitle     string
}

// Extractor turns a page into an Article with its mentions and agreements.
// It never does I/O. An Article with IsArticle false is not an error.
type Extractor interface {
	Extract(p *Page) (*Article, error)
}

// ArticleWrite is an article to save with the fetch state of the URL it
// was fetched from.
type ArticleWrite struct {
	Article *Article
	State   *FetchState
}

// SaveResult says what SaveArticle did.
type SaveResult struct {
	Err     error // SaveArticles only: why this article was not saved
	ID      int64
	Created bool // a new article
	Updated bool // a known article whose content changed
	Alias   bool // the URL was recorded as another address of a known article
}

// SearchFilter selects articles for a search. Query uses the syntax in the
// README: words, "phrases", AND, OR, NOT, prefix*.
type SearchFilter struct {
	Query  string
	Topic  string
	Source string
	// Sources, when not empty, keeps the articles of these sources only
	// (the web UI's kind filter: the sources of kind news or statement).
	// It applies together with Source.
	Sources  []string
	Language string
	// Party keeps the articles that report an agreement with this party
	// (its canonical name, case-insensitive).
	Party  string
	Since  *time.Time
	Until  *time.Time
	Limit  int
	Offset int
}

// SearchResult is one article found by a search.
type SearchResult struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Language  string     `json:"language"`
	Published *time.Time `json:"published"`
	// Snippet is HTML: the text around the matches, escaped, with each
	// matched term in <mark>…</mark>.
	Snippet string   `json:"snippet"`
	Topics  []string `json:"topics"`
	Score   float64  `json:"score"`
}

// SearchResults is a page of results with the total number of matches and
// facet counts over all matches. A store may estimate the counts of a
// search with very many matches, and then says so.
type SearchResults struct {
	Total   int                       `json:"total"`
	Results []SearchResult            `json:"results"`
	Facets  map[string]map[string]int `json:"facets"`
	// TotalEstimated is true when Total is an estimate, not a count.
	TotalEstimated bool `json:"total_estimated,omitempty"`
	// FacetSample, when not zero, says that Facets were counted over this
	// many of the newest matches and scaled to Total.
	FacetSample int `json:"facet_sample,omitempty"`
}

// ExportFilter selects articles for export.
type ExportFilter struct {
	Since *time.Time
	// Match, when set, exports only the articles its query and filters
	// select (its Limit and Offset are ignored): the web UI's export of
	// the current search.
	Match *SearchFilter
}

// Timeline intervals.
const (
	IntervalDay  = "day"
	IntervalWeek = "week" // weeks start on Monday, UTC
)

// TimelineFilter selects what a timeline counts: the articles a search
// would find (its Limit and Offset are ignored), bucketed by Interval on
// their published time (first seen when they have none).
type TimelineFilter struct {
	SearchFilter
	Interval string // IntervalDay or IntervalWeek; empty means day
}

// TimelinePoint counts one topic's mentions in one interval.
type TimelinePoint struct {
	Topic    string    `json:"topic"`
	Start    time.Time `json:"start"`    // the interval's first instant, UTC
	Mentions int       `json:"mentions"` // mentions of the topic in the articles
	Articles int       `json:"articles"` // articles with at least one
}

// FetchState is what the crawler remembers about a URL between runs, for
// conditional GETs and for skipping what has not changed.
type FetchState struct {
	URL          string
	ETag         string
	LastModified string
	// Lastmod is the change time discovery last announced for the URL
	// (sitemap lastmod, feed updated); a newer announcement means refetch.
	Lastmod     *time.Time
	Status      int
	ContentHash string
	FetchedAt   time.Time
	ArticleID   int64 // 0 when the URL holds no article
}

// Store keeps articles, their mentions and agreements, the crawl state and
// the alert outbox. Every method is safe for concurrent use.
type Store interface {
	Outbox

	// SaveArticle writes an article with its mentions and agreements in one
	// transaction, keyed by CanonicalURL; a.URL is recorded as an address of
	// it. Saving the same content again changes nothing but FetchedAt;
	// changed content updates the article in place and sets Modified. The
	// fetch state st, if not nil, is written in the same transaction.
	SaveArticle(ctx context.Context, a *Article, st *FetchState) (SaveResult, error)
	// SaveArticles saves several articles, each as SaveArticle would, in
	// as few transactions as it can (a group commit); results are in the
	// order of ws. An article that cannot be saved does not stop the others:
	// its error is in the result's Err.
	SaveArticles(ctx context.Context, ws []ArticleWrite) []SaveResult
	// FindArticleByID returns ENOTFOUND when there is no such article.
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// FindArticleByURL looks the URL up among every address of every
	// article; ENOTFOUND when none has it.
	FindArticleByURL(ctx context.Context, url string) (*Article, error)
	// SearchArticles ranks matches best first; a malformed query is EINVALID.
	SearchArticles(ctx context.Context, f SearchFilter) (*SearchResults, error)
	// ExportArticles calls fn for every article matching f, oldest first,
	// stopping at the first error fn returns.
	ExportArticles(ctx context.Context, f ExportFilter, fn func(*Article) error) error
	// Timeline counts mentions per topic per interval over the articles f
	// selects, oldest interval first, then by topic; intervals without
	// mentions are left out. A bad interval or query is EINVALID.
	Timeline(ctx context.Context, f TimelineFilter) ([]TimelinePoint, error)

	// FindAgreementEvents returns agreement events, the most recent first,
	// each with every article that reports it. Agreements of different
	// articles report one event when they have the same instrument, status
	// and parties and their articles are dated within a week of each other.
	FindAgreementEvents(ctx context.Context, f AgreementFilter) ([]AgreementEvent, error)

	// FindFetchStates returns the known states of the given URLs.
	FindFetchStates(ctx context.Context, urls []string) (map[string]*FetchState, error)
	// SaveFetchState records the state of a URL that holds no article (a
	// feed, a sitemap, a listing page, a page that failed).
	SaveFetchState(ctx context.Context, st *FetchState) error

	// StartRun records the start of a crawl of r.Source: it sets r.ID and
	// r.Status (RunRunning), and r.Started to now when zero. A run of the
	// same source still recorded as running is marked RunInterrupted first
	// (its process died). The store may forget the oldest runs of a source.
	StartRun(ctx context.Context, r *Run) error
	// FinishRun records the end of the run r.ID with r's status (RunDone or
	// RunCut, else EINVALID) and counts; a zero r.Finished is set to now.
	// ENOTFOUND when no such run is recorded.
	FinishRun(ctx context.Context, r *Run) error
	// FindRuns returns recorded runs, the most recently started first.
	FindRuns(ctx context.Context, f RunFilter) ([]Run, error)

	Close() error
}

// ParseDate reads a date bound given by a user: a day (2024-03-01, UTC)
// or an RFC 3339 time. With endOfDay, a day means up to the end of that
// day (an "until" bound). Empty is nil. A bad value is EINVALID naming
// name, the flag or parameter it came from.
func ParseDate(name, v string, endOfDay bool) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return nil, Errorf(EINVALID, "%s %q: want a date such as 2024-03-01 or 2024-03-01T09:00:00Z", name, v)
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return &t, nil
}
