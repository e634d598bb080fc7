package crawler

// The robots.txt parser is written by hand: the library Colly ships with
// (temoto/robotstxt) reads group merging, longest-match precedence,
// percent-encoding, byte-order marks and line ends differently from RFC 9309,
// and the Go port of Google's parser is not available to us. This one
// follows RFC 9309 and Google's reference parser (github.com/google/robotstxt,
// robots.cc) rule for rule, typos included; patterns are split at their
// wildcards once, when parsed, so that a check costs no allocation.

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// robotsMaxBytes is how much of a robots.txt is read: RFC 9309 section
// 2.5 asks crawlers to parse at least 500 kibibytes.
const robotsMaxBytes = 500 << 10

// robotsMaxLine is the longest line kept, as in Google's parser: bytes past
// it are dropped, the line itself still counts.
const robotsMaxLine = 2083 * 8

// robotsMaxSitemaps bounds the Sitemap: lines kept from one file.
const robotsMaxSitemaps = 1000

// robotsMaxCrawlDelay bounds the Crawl-delay a file can ask for; larger
// values are clipped to it.
const robotsMaxCrawlDelay = 24 * time.Hour

// Robots is a parsed robots.txt. It is immutable once built and safe for
// concurrent use. The zero value and a nil *Robots allow everything.
type Robots struct {
	groups   []robotsGroup
	byAgent  map[string][]int // lower-cased product token → indexes in groups
	global   []int            // groups that name "*"
	sitemaps []string
	// verdict, when not 0, overrides every rule: robotsAllowAll or
	// robotsDisallowAll (a missing or an unreachable file).
	verdict int
	// unavailable says why the file could not be had, for a disallow-all
	// verdict that stands for an unreachable host rather than a rule.
	unavailable string
}

const (
	robotsAllowAll = 1 + iota
	robotsDisallowAll
)

// robotsGroup is the rules under one run of consecutive user-agent lines.
type robotsGroup struct {
	rules      []robotsRule
	crawlDelay time.Duration
}

// robotsRule is one allow or disallow line with its pattern precompiled.
type robotsRule struct {
	allow bool
	// priority is the pattern's length in octets after percent-encoding
	// normalisation, as RFC 9309 section 2.2.2 and Google measure it.
	priority int
	// parts are the literal pieces between '*' wildcards; the first is
	// anchored at the start of the path.
	parts []string
	// anchored is set when the pattern ended in '$': the last part must
	// end the path.
	anchored bool
}

// ParseRobots parses a robots.txt body as RFC 9309 and Google's reference
// parser read it. Only the first 500 KiB are read. ParseRobots never fails:
// lines it does not understand are skipped.
func ParseRobots(body []byte) *Robots {
	if len(body) > robotsMaxBytes {
		body = body[:robotsMaxBytes]
	}
	p := robotsParser{r: &Robots{byAgent: map[string][]int{}}, group: -1}
	body = skipBOM(body)
	for len(body) > 0 {
		end := 0
		for end < len(body) && body[end] != '\n' && body[end] != '\r' {
			end++
		}
		line := body[:end]
		if end < len(body) {
			if body[end] == '\r' && end+1 < len(body) && body[end+1] == '\n' {
				end++
			}
			end++
		}
		body = body[end:]
		if len(line) > robotsMaxLine-1 {
			line = line[:robotsMaxLine-1]
		}
		p.line(string(line))
	}
	return p.r
}

// skipBOM drops a UTF-8 byte-order mark, or a prefix of one, from the start
// of b, as Google's parser does.
func skipBOM(b []byte) []byte {
	bom := []byte{0xEF, 0xBB, 0xBF}
	i := 0
	for i < len(bom) && i < len(b) && b[i] == bom[i] {
		i++
	}
	return b[i:]
}

// AllowAllRobots returns the verdict for a robots.txt that is missing
// (HTTP 4xx): everything may be fetched.
func AllowAllRobots() *Robots { return &Robots{verdict: robotsAllowAll} }

// DisallowAllRobots returns the verdict for a robots.txt that is
// unreachable (HTTP 5xx or a network error): nothing but /robots.txt may be
// fetched.
func DisallowAllRobots() *Robots { return &Robots{verdict: robotsDisallowAll} }

// robotsParser holds the state of one ParseRobots call.
type robotsParser struct {
	r *Robots
	// group is the index of the group user-agent lines currently add
	// to, -1 before the first user-agent line.
	group int
	// inRules is set once the current group has had an allow or
	// disallow line: the next user-agent line starts a new group.
	inRules bool
}

func (p *robotsParser) line(line string) {
	key, value, ok := robotsKeyValue(line)
	if !ok {
		return
	}
	switch robotsKeyKind(key) {
	case robotsKeyUserAgent:
		p.userAgent(value)
	case robotsKeyAllow:
		p.rule(true, value)
	case robotsKeyDisallow:
		p.rule(false, value)
	case robotsKeySitemap:
		p.sitemap(value)
	case robotsKeyCrawlDelay:
		// Crawl-delay is not in RFC 9309 and Google ignores it: an
		// unknown line, which does not end a run of user-agent lines. We
		// read it the same way, so that the groups come out as Google's
		// ("User-agent: a / Crawl-delay: 5 / User-agent: b / Disallow: /x"
		// is one group for a and b), and give the delay to that group.
		if p.group >= 0 {
			if d, ok := parseCrawlDelay(value); ok {
				g := &p.r.groups[p.group]
				g.crawlDelay = max(g.crawlDelay, d)
			}
		}
	}
}

func (p *robotsParser) userAgent(value string) {
	if p.group < 0 || p.inRules {
		p.r.groups = append(p.r.groups, robotsGroup{})
		p.group = len(p.r.groups) - 1
		p.inRules = false
	}
	// Google: "*" followed by a space and anything is still the global
	// agent.
	if value == "*" || (len(value) > 1 && value[0] == '*' && isASCIISpace(value[1])) {
		p.r.global = appendOnce(p.r.global, p.group)
		return
	}
	token := strings.ToLower(ProductToken(value))
	if token == "" {
		return
	}
	p.r.byAgent[token] = appendOnce(p.r.byAgent[token], p.group)
}

func appendOnce(s []int, i int) []int {
	if len(s) > 0 && s[len(s)-1] == i {
		return s
	}
	return append(s, i)
}

func (p *robotsParser) rule(allow bool, value string) {
	if p.group < 0 {
		return // rules before any user-agent line belong to no group
	}
	p.inRules = true
	pattern := escapeRobotsPattern(value)
	g := &p.r.groups[p.group]
	g.rules = append(g.rules, compileRobotsRule(allow, pattern))
	// Google: an allowed ".../index.htm[l]" also allows its directory.
	if allow {
		if slash := strings.LastIndexByte(pattern, '/'); slash >= 0 && strings.HasPrefix(pattern[slash:], "/index.htm") {
			g.rules = append(g.rules, compileRobotsRule(true, pattern[:slash+1]+"$"))
		}
	}
}

func (p *robotsParser) sitemap(value string) {
	if len(p.r.sitemaps) >= robotsMaxSitemaps {
		return
	}
	u, err := url.Parse(value)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	for _, s := range p.r.sitemaps {
		if s == value {
			return
		}
	}
	p.r.sitemaps = append(p.r.sitemaps, value)
}

// robotsKeyValue splits a line into key and value: the comment is dropped,
// the separator is a colon or, as Google accepts, whitespace between
// exactly two words.
func robotsKeyValue(line string) (key, value string, ok bool) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = trimASCIISpace(line)
	sep := strings.IndexByte(line, ':')
	if sep < 0 {
		sep = strings.IndexAny(line, " \t")
		if sep < 0 {
			return "", "", false
		}
		if strings.ContainsAny(trimASCIISpace(line[sep:]), " \t") {
			return "", "", false
		}
	}
	key = trimASCIISpace(line[:sep])
	if key == "" {
		return "", "", false
	}
	return key, trimASCIISpace(line[sep+1:]), true
}

type robotsKey int

const (
	robotsKeyUnknown robotsKey = iota
	robotsKeyUserAgent
	robotsKeyAllow
	robotsKeyDisallow
	robotsKeySitemap
	robotsKeyCrawlDelay
)

// robotsKeyKind recognises a key by its prefix, with the typos Google's
// parser accepts.
func robotsKeyKind(key string) robotsKey {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if len(key) >= len(p) && strings.EqualFold(key[:len(p)], p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("user-agent", "useragent", "user agent"):
		return robotsKeyUserAgent
	case has("allow"):
		return robotsKeyAllow
	case has("disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"):
		return robotsKeyDisallow
	case has("sitemap", "site-map"):
		return robotsKeySitemap
	case has("crawl-delay", "crawldelay", "crawl delay"):
		return robotsKeyCrawlDelay
	}
	return robotsKeyUnknown
}

// parseCrawlDelay reads decimal seconds ("10", "0.5"); it refuses negative,
// non-finite and malformed values and clips huge ones.
func parseCrawlDelay(value string) (time.Duration, bool) {
	if value == "" || strings.ContainsAny(value, "xXeEpP_") {
		return 0, false // no hex, exponents or digit separators
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	if f >= robotsMaxCrawlDelay.Seconds() {
		return robotsMaxCrawlDelay, true
	}
	return time.Duration(f * float64(time.Second)), true
}

const upperHex = "0123456789ABCDEF"

// escapeRobotsPattern percent-encodes octets outside US-ASCII with
// upper-case hex, upper-cases the hex of existing %xx escapes and decodes
// escaped unreserved characters, so that patterns and paths compare as RFC
// 9309 section 2.2.2 asks.
func escapeRobotsPattern(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			clean = false
			break
		}
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			if isLowerHex(s[i+1]) || isLowerHex(s[i+2]) || isUnreserved(unhex(s[i+1])<<4|unhex(s[i+2])) {
				clean = false
				break
			}
			i += 2
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) && isUnreserved(unhex(s[i+1])<<4|unhex(s[i+2])):
			// An escaped unreserved character is the character itself
			// (RFC 3986 section 2.3): /%62az matches /baz.
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte('%')
			b.WriteByte(upperASCII(s[i+1]))
			b.WriteByte(upperASCII(s[i+2]))
			i += 2
		case c >= 0x80:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xF])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isLowerHex(c byte) bool { return 'a' <= c && c <= 'f' }

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isUnreserved reports whether c is an unreserved character of RFC 3986.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimASCIISpace(s string) string {
	for len(s) > 0 && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// compileRobotsRule splits an (already escaped) pattern at its '*'
// wildcards; a '$' is special only at the very end.
func compileRobotsRule(allow bool, pattern string) robotsRule {
	r := robotsRule{allow: allow, priority: len(pattern)}
	if strings.HasSuffix(pattern, "$") {
		r.anchored = true
		pattern = pattern[:len(pattern)-1]
	}
	r.parts = strings.Split(pattern, "*")
	return r
}

// match reports whether the rule's pattern matches path from its start.
// Middle pieces are found leftmost-first, which is exact for patterns whose
// only operator is '*': time is linear in the path per piece.
func (r *robotsRule) match(path string) bool {
	first := r.parts[0]
	if !strings.HasPrefix(path, first) {
		return false
	}
	if len(r.parts) == 1 {
		return !r.anchored || len(path) == len(first)
	}
	pos := len(first)
	last := len(r.parts) - 1
	for _, part := range r.parts[1:last] {
		i := strings.Index(path[pos:], part)
		if i < 0 {
			return false
		}
		pos += i + len(part)
	}
	tail := r.parts[last]
	if r.anchored {
		return len(path)-pos >= len(tail) && strings.HasSuffix(path, tail)
	}
	return strings.Contains(path[pos:], tail)
}

// groupsFor returns the groups that apply to a product token: every group
// naming it, else every "*" group.
func (r *Robots) groupsFor(agent string) []int {
	if r == nil {
		return nil
	}
	token := strings.ToLower(ProductToken(agent))
	if gs, ok := r.byAgent[token]; ok && token != "" {
		return gs
	}
	return r.global
}

// Allowed reports whether agent (a product token such as "newsmon",
// matched case-insensitively; a whole User-Agent string is reduced to its
// token) may fetch pathQuery, the path and query of a URL such as
// "/a/b?x=1". The most specific matching rule wins; on a tie allow wins.
// "/robots.txt" is always allowed.
func (r *Robots) Allowed(agent, pathQuery string) bool {
	if pathQuery == "" {
		pathQuery = "/"
	}
	if pathQuery == "/robots.txt" {
		return true
	}
	if r == nil || r.verdict == robotsAllowAll {
		return true
	}
	if r.verdict == robotsDisallowAll {
		return false
	}
	groups := r.groupsFor(agent)
	if len(groups) == 0 {
		return true
	}
	path := escapeRobotsPattern(pathQuery)
	allowBest, disallowBest := -1, -1
	for _, gi := range groups {
		for i := range r.groups[gi].rules {
			rule := &r.groups[gi].rules[i]
			best := &disallowBest
			if rule.allow {
				best = &allowBest
			}
			if rule.priority <= *best || !rule.match(path) {
				continue
			}
			*best = rule.priority
		}
	}
	return disallowBest <= 0 || allowBest >= disallowBest
}

// CrawlDelay returns the largest Crawl-delay in the groups that apply to
// agent (decimal seconds allowed, e.g. "0.5"), clipped to 24 hours; 0 when
// absent or malformed.
func (r *Robots) CrawlDelay(agent string) time.Duration {
	var d time.Duration
	for _, gi := range r.groupsFor(agent) {
		d = max(d, r.groups[gi].crawlDelay)
	}
	return d
}

// Sitemaps returns the absolute http(s) URLs of the file's Sitemap: lines,
// in order, without duplicates. Sitemap lines belong to no group.
func (r *Robots) Sitemaps() []string {
	if r == nil {
		return nil
	}
	return append([]string(nil), r.sitemaps...)
}

// ProductToken returns the product token of a User-Agent string, its
// leading run of [a-zA-Z_-]: "newsmon/1.0 (+https://...)" → "newsmon".
func ProductToken(userAgent string) string {
	userAgent = trimASCIISpace(userAgent)
	end := 0
	for end < len(userAgent) {
		c := userAgent[end]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			break
		}
		end++
	}
	return userAgent[:end]
}
