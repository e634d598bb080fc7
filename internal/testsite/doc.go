// Package testsite serves simulated news outlets on loopback for crawler
// tests, the crawl benchmark and `newsmon demo`. Each outlet is its own
// net/http/httptest server on 127.0.0.1, so each has its own host:port, and
// each looks like the kind of real site it imitates, so that a crawler tuned
// to these works on real ones.
//
// Start serves three outlets:
//
//   - "newsroom", a WordPress-like English newspaper modelled on The Astana
//     Times: a home page, permalinks /YYYY/MM/slug/, category, tag and author
//     archives with /page/N/ pagination (a.next and numbered links), an RSS 2.0
//     feed at /feed/ (tracking parameters and #respond in its links), a Yoast
//     sitemap index with post, page and Google News sitemaps, and robots.txt
//     with a Crawl-delay of 0.2 s. Article pages carry the full theme: cookie
//     banner, heavy navigation, share buttons, byline, a body with subheading,
//     list, quotation, captioned photo and a "READ ALSO" line, Jetpack-style
//     related posts inside the body container, sidebar, footer and comments.
//     Their dates come from JSON-LD, from OpenGraph only, or from the byline
//     only. Twenty-six articles of 2024-2025 (the seed op-ed among them) on
//     the Middle Corridor, pipelines, agreements and unrelated matters, two
//     of them with a false sense of a topic word ("in the pipeline",
//     "corridors of power").
//   - "ministry", a presidency press page in Russian modelled on Akorda: no
//     feed and no sitemap, only the paginated listing /ru/events?page=N and
//     statements /ru/events/<slug>-<number> whose dates are visible text
//     ("14 марта 2024 года", "14:30") without any machine-readable date.
//   - "agency", an older Russian-language agency whose feed and pages are
//     encoded in windows-1251, one page declaring it only in the HTTP header,
//     one only in <meta charset>; it has no robots.txt.
//
// Traps are linked as a naive crawler would meet them: pages robots.txt
// disallows (/private/, /search/, ?replytocom=, /wp-admin/), an endless
// calendar, a 404 article, an article that answers 500 once, a slow article
// (SetSlow), a 20 MB page, a three-hop redirect chain, a redirect loop, a PDF,
// and one story at a second URL whose canonical link names the first. Every
// page, feed and sitemap has an ETag and Last-Modified and answers 304 to a
// matching conditional request. Update publishes new articles and corrects
// one, for incremental crawls. Expected is the ground truth; Forbidden and
// CrawlDelay restate the robots.txt rules by hand, as an independent check
// of a crawler's robots handling.
//
// Generated serves a newsroom with any number of articles whose text a word
// chain builds from this package's own articles, for the crawl benchmark.
//
// Only the standard library serves the sites; golang.org/x/text's charmap
// encodes windows-1251. The HTML, feeds and sitemaps are written by hand with
// strings.Builder rather than html/template because their exact bytes (the
// quirks of WordPress markup, CDATA, encodings) are the point. The texts are
// in testdata/ and embedded, so that tests pass in a clone without ../shared.
package testsite
