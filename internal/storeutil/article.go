package storeutil

import (
	"strings"

	"github.com/newsmon/newsmon"
)

// Limits on what one article may bring, the same in every store, so that
// an article one store takes is never refused by another.
const (
	MaxTextBytes  = 16 << 20
	MaxMentions   = 10000
	MaxAgreements = 1000
	MaxTopics     = 200
)

// Bounds on one group commit: a longer run of writes is saved as several
// batches, so that no caller can make one transaction grow without bound.
const (
	MaxBatchArticles = 256
	MaxBatchBytes    = 64 << 20
)

// Bounds on a crawl run as stored.
const (
	MaxRunText        = 1000 // bytes of Cut and LastError kept
	MaxRunErrorKinds  = 32
	MaxErrorKindBytes = 64
)

// CheckArticle returns the EINVALID error of an article no store saves: none,
// without any URL, with a URL over maxURLBytes (when positive), or over
// the limits above.
func CheckArticle(a *newsmon.Article, maxURLBytes int) error {
	switch {
	case a == nil:
		return newsmon.Errorf(newsmon.EINVALID, "save article: no article")
	case a.CanonicalURL == "" && a.URL == "":
		return newsmon.Errorf(newsmon.EINVALID, "save article: neither a URL nor a canonical URL")
	case maxURLBytes > 0 && (len(a.CanonicalURL) > maxURLBytes || len(a.URL) > maxURLBytes):
		return newsmon.Errorf(newsmon.EINVALID, "save article: a URL over %d bytes", maxURLBytes)
	case len(a.Text) > MaxTextBytes:
		return newsmon.Errorf(newsmon.EINVALID, "save article %s: text of %d bytes is over the limit of %d", a.URL, len(a.Text), MaxTextBytes)
	case len(a.Mentions) > MaxMentions:
		return newsmon.Errorf(newsmon.EINVALID, "save article %s: %d mentions is over the limit of %d", a.URL, len(a.Mentions), MaxMentions)
	case len(a.Agreements) > MaxAgreements:
		return newsmon.Errorf(newsmon.EINVALID, "save article %s: %d agreements is over the limit of %d", a.URL, len(a.Agreements), MaxAgreements)
	case len(a.Topics) > MaxTopics:
		return newsmon.Errorf(newsmon.EINVALID, "save article %s: %d topics is over the limit of %d", a.URL, len(a.Topics), MaxTopics)
	}
	return nil
}

// GroupWrites splits ws, in order, into batches of at most
// MaxBatchArticles articles and MaxBatchBytes of text (a batch holds at
// least one article) and calls save with the indexes in ws of each. A
// write that check rejects is in no batch: its error is set in results.
func GroupWrites(ws []newsmon.ArticleWrite, results []newsmon.SaveResult, check func(*newsmon.Article) error, save func(idx []int)) {
	var (
		pending []int
		size    int
	)
	for i, w := range ws {
		if err := check(w.Article); err != nil {
			results[i].Err = err
			continue
		}
		if len(pending) == MaxBatchArticles || len(pending) > 0 && size+len(w.Article.Text) > MaxBatchBytes {
			save(pending)
			pending, size = nil, 0
		}
		pending = append(pending, i)
		size += len(w.Article.Text)
	}
	if len(pending) > 0 {
		save(pending)
	}
}

// Clip shortens s to at most n bytes without splitting a character.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// BoundKinds returns the error kinds of a run to store: at most
// MaxRunErrorKinds, with names made storable by clean (when not nil) and
// cut to MaxErrorKindBytes, and positive counts (the crawler has a dozen
// kinds; the bound is for a caller gone wrong).
func BoundKinds(kinds map[string]int, clean func(string) string) map[string]int {
	out := make(map[string]int, min(len(kinds), MaxRunErrorKinds))
	for k, n := range kinds {
		if n <= 0 || k == "" {
			continue
		}
		if len(out) == MaxRunErrorKinds {
			break
		}
		if clean != nil {
			k = clean(k)
		}
		out[Clip(k, MaxErrorKindBytes)] += n
	}
	return out
}
