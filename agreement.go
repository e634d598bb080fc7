package newsmon

import "time"

// AgreementEvent is one signing (or plan, or ratification) as reported by
// one or more articles: the agreements of different articles that report
// the same event share its EventID.
type AgreementEvent struct {
	EventID    string            `json:"event_id"`
	Instrument string            `json:"instrument"`
	Status     string            `json:"status"`
	Parties    []string          `json:"parties"`
	Value      string            `json:"value,omitempty"`
	Place      string            `json:"place,omitempty"`
	Date       string            `json:"date,omitempty"`
	FirstSeen  time.Time         `json:"first_seen"`
	Published  *time.Time        `json:"published"` // of the earliest report
	Sentence   string            `json:"sentence"`  // of the first report
	Reports    []AgreementReport `json:"reports"`
}

// AgreementReport is one article that reports an agreement event.
type AgreementReport struct {
	ArticleID int64      `json:"article_id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Published *time.Time `json:"published"`
	Sentence  string     `json:"sentence"`
}

// AgreementFilter selects agreement events. Since and Until bound the
// publication of the earliest report (its first sight when undated).
type AgreementFilter struct {
	Since      *time.Time
	Until      *time.Time
	Party      string // a normalised party name, case-insensitive
	Instrument string
	Status     string
	Limit      int
	Offset     int
}
