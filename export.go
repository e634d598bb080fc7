package newsmon

import (
	"strconv"
	"strings"
)

// CSVHeader is the header row of articles exported as CSV (`newsmon
// export --format csv` and the web UI's export); CSVRecord gives the rows.
var CSVHeader = []string{"id", "source", "url", "canonical_url", "title", "author", "language",
	"published", "published_source", "topics", "first_seen", "text"}

// CSVRecord is the CSV row of the article, in the columns of CSVHeader;
// times are UTC RFC 3339, topics are separated by spaces.
func (a *Article) CSVRecord() []string {
	const layout = "2006-01-02T15:04:05Z"
	published := ""
	if a.Published != nil {
		published = a.Published.UTC().Format(layout)
	}
	return []string{strconv.FormatInt(a.ID, 10), a.Source, a.URL, a.CanonicalURL, a.Title, a.Author,
		a.Language, published, a.PublishedSource, strings.Join(a.Topics, " "),
		a.FirstSeen.UTC().Format(layout), a.Text}
}
