package newsmon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	// The embedded IANA database is the fallback on hosts without one
	// (scratch containers, Windows), so timezone and CRON_TZ validation
	// and the dates of sources work the same everywhere.
	_ "time/tzdata"

	"github.com/BurntSushi/toml"
	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
)

// Config is the whole configuration, as read from config.toml.
type Config struct {
	Store   StoreConfig   `toml:"store"`
	Crawler CrawlerConfig `toml:"crawler"`
	Web     WebConfig     `toml:"web"`
	Sources []Source      `toml:"source"`
	Topics  []Topic       `toml:"topic"`
	Parties []Party       `toml:"party"`
	Alerts  []AlertRule   `toml:"alert"`
	SMTP    SMTPConfig    `toml:"smtp"`
}

// StoreConfig says where articles are kept: an SQLite file (the default) or,
// when DSN is set, a PostgreSQL database.
type StoreConfig struct {
	Path string `toml:"path"`
	DSN  string `toml:"dsn"`
}

// CrawlerConfig holds the crawl and politeness settings shared by every
// source.
type CrawlerConfig struct {
	UserAgent string `toml:"user_agent"`
	// Delay is the least time between two requests to one host; a larger
	// robots.txt Crawl-delay wins.
	Delay Duration `toml:"delay"`
	// Parallelism is the number of requests in flight per host.
	Parallelism int      `toml:"parallelism"`
	Timeout     Duration `toml:"timeout"`
	MaxBody     Size     `toml:"max_body"`
	// MaxPagesPerRun bounds the requests of one run of one source.
	MaxPagesPerRun int `toml:"max_pages_per_run"`
	// Retries is how often a request that timed out or got a 429 or 5xx
	// is tried again, with exponential backoff (Retry-After honoured).
	Retries int `toml:"retries"`
	// MaxRedirects bounds a redirect chain.
	MaxRedirects int `toml:"max_redirects"`
	// IgnoreRobots turns robots.txt off. It cannot be set from a file:
	// newsmon never ignores the rules of a site it does not own; only a
	// benchmark over its own generated site sets it in code.
	IgnoreRobots bool `toml:"-"`
	// Redis, when set (a redis:// URL), is the shared frontier that lets
	// several crawler processes crawl together: one queue of article jobs
	// with leases, one per-host gate, one lock per scheduled run.
	Redis string `toml:"redis"`
	// RedisPrefix starts every key newsmon writes in Redis, so that
	// several deployments can share a server.
	RedisPrefix string `toml:"redis_prefix"`
	// Lease is how long an article job or a run lock held by a process
	// that stopped renewing it (it died) stays with it before another
	// process takes it over.
	Lease Duration `toml:"lease"`
}

// WebConfig configures the HTTP server of newsmon serve.
type WebConfig struct {
	Addr     string `toml:"addr"`
	TokenEnv string `toml:"token_env"`
}

// AlertRule is one [[alert]] table.
type AlertRule struct {
	Name    string `toml:"name"`
	On      string `toml:"on"` // agreement | search | source-health
	Query   string `toml:"query"`
	Topic   string `toml:"topic"`
	Source  string `toml:"source"`
	Party   string `toml:"party"` // agreement and search rules: only events or articles naming this party
	Webhook string `toml:"webhook"`
	Format  string `toml:"format"` // json | slack
	// SecretEnv names the environment variable holding the secret that
	// signs webhook bodies (HMAC-SHA256, header X-Newsmon-Signature).
	SecretEnv string   `toml:"secret_env"`
	Email     []string `toml:"email"`
	// Digest, when set, gathers the rule's alerts into one message per
	// period instead of one message per alert.
	Digest Duration `toml:"digest"`
}

// SMTPConfig is the mail server that email alerts go through.
type SMTPConfig struct {
	Host        string `toml:"host"`
	Port        int    `toml:"port"` // default 587
	Username    string `toml:"username"`
	PasswordEnv string `toml:"password_env"` // the environment variable holding the password
	From        string `toml:"from"`
	TLS         string `toml:"tls"` // starttls (default) | tls | none (loopback only)
}

// DefaultUserAgent identifies newsmon to the sites it crawls.
const DefaultUserAgent = "newsmon/1.0 (+https://github.com/newsmon/newsmon)"

// DefaultConfig returns the configuration that keys missing from a file
// fall back to. It has no sources or topics.
func DefaultConfig() Config {
	return Config{
		Store: StoreConfig{Path: "newsmon.db"},
		Crawler: CrawlerConfig{
			UserAgent:      DefaultUserAgent,
			Delay:          Duration(time.Second),
			Parallelism:    2,
			Timeout:        Duration(30 * time.Second),
			MaxBody:        10 << 20,
			MaxPagesPerRun: 2000,
			Retries:        3,
			MaxRedirects:   5,
			RedisPrefix:    "newsmon:",
			Lease:          Duration(30 * time.Second),
		},
		Web: WebConfig{Addr: "127.0.0.1:8080"},
	}
}

// Load reads a TOML configuration over DefaultConfig and validates it.
// Unknown keys are errors. Every error meant for the user is an *Error with
// code EINVALID whose message names the key.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errorf(EINVALID, "config: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, Errorf(EINVALID, "config: %v", err)
	}
	return Parse(data, path)
}

// Limits on configuration text. The TOML decoder takes time that grows
// with the square of the nesting depth, so deep nesting is refused before
// decoding; no real configuration nests more than a few levels.
const (
	MaxConfigSize    = 4 << 20
	MaxConfigNesting = 32
	maxUnknownListed = 20
)

// Parse is Load for configuration text; name is used in messages. A
// value of the wrong form names its key and line ("config.toml: line 12:
// crawler.delay: "5 parsecs": want a duration such as 1s or 30m"); keys
// inside [[source]] and other arrays of tables carry their index
// ("unknown key source[2].selectors.titel").
func Parse(data []byte, name string) (*Config, error) {
	if len(data) > MaxConfigSize {
		return nil, Errorf(EINVALID, "%s: larger than %d bytes", name, MaxConfigSize)
	}
	if line := nestingOver(data, MaxConfigNesting); line > 0 {
		return nil, Errorf(EINVALID, "%s: line %d: arrays or inline tables nested deeper than %d", name, line, MaxConfigNesting)
	}
	cfg := DefaultConfig()
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			msg := perr.Message
			if perr.LastKey != "" {
				key := indexKeyAtLine(data, perr.LastKey, perr.Position.Line)
				if !strings.HasPrefix(msg, key+":") {
					msg = key + ": " + msg
				}
			}
			return nil, Errorf(EINVALID, "%s: line %d: %s", name, perr.Position.Line, msg)
		}
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		// Type mismatches come as `line 3 (last key "crawler.parallelism"):
		// incompatible types: ...`; write them like the errors above.
		if m := typeErrorRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			msg = fmt.Sprintf("line %d: %s: %s", line, indexKeyAtLine(data, m[2], line), m[3])
		}
		return nil, Errorf(EINVALID, "%s: %s", name, msg)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := undecodedNames(md, und)
		more := ""
		if len(keys) > maxUnknownListed {
			more = fmt.Sprintf(" (and %d more)", len(keys)-maxUnknownListed)
			keys = keys[:maxUnknownListed]
		}
		return nil, Errorf(EINVALID, "%s: unknown key %s%s", name, strings.Join(keys, ", "), more)
	}
	if err := cfg.Validate(); err != nil {
		lines := strings.Split(ErrorMessage(err), "\n")
		for i := range lines {
			lines[i] = name + ": " + lines[i]
		}
		return nil, Errorf(EINVALID, "%s", strings.Join(lines, "\n"))
	}
	return &cfg, nil
}

// nestingOver returns the line at which brackets and braces outside
// strings and comments nest deeper than max, or 0 if they never do.
func nestingOver(data []byte, max int) int {
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i-- // let the loop see the newline
		case '"', '\'':
			quote := string(bytes.Repeat([]byte{c}, 3))
			if bytes.HasPrefix(data[i:], []byte(quote)) { // multi-line string
				end := bytes.Index(data[i+3:], []byte(quote))
				if end < 0 {
					return 0 // unterminated: the decoder reports it
				}
				line += bytes.Count(data[i:i+3+end], []byte("\n"))
				i += 3 + end + 2
				continue
			}
			for i++; i < len(data) && data[i] != c && data[i] != '\n'; i++ {
				if c == '"' && data[i] == '\\' {
					i++
				}
			}
			if i < len(data) && data[i] == '\n' {
				line++
			}
		case '[', '{':
			if depth++; depth > max {
				return line
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return 0
}

var typeErrorRE = regexp.MustCompile(`^line (\d+) \(last key "([^"]*)"\): (.*)$`)

// undecodedNames returns the undecoded keys of md in document order, each
// written with the index of every array of tables it is inside, as in
// "source[1].listing[0].linkz".
func undecodedNames(md toml.MetaData, und []toml.Key) []string {
	undecoded := make(map[string]bool, len(und))
	for _, k := range und {
		undecoded[k.String()] = true
	}
	var names []string
	count := map[string]int{} // array-of-tables path -> tables seen so far
	for _, k := range md.Keys() {
		path := k.String()
		if md.Type(k...) == "ArrayHash" {
			count[path]++
			for p := range count {
				if strings.HasPrefix(p, path+".") {
					delete(count, p)
				}
			}
		}
		if undecoded[path] {
			names = append(names, indexedKey(k, count))
		}
	}
	if len(names) != len(und) { // cannot happen; never hide a key
		names = names[:0]
		for _, k := range und {
			names = append(names, k.String())
		}
	}
	return names
}

// indexedKey writes k with "[i]" after each component that is an array
// of tables seen in count.
func indexedKey(k toml.Key, count map[string]int) string {
	var b strings.Builder
	for i, part := range k {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
		if n := count[toml.Key(k[:i+1]).String()]; n > 0 {
			fmt.Fprintf(&b, "[%d]", n-1)
		}
	}
	return b.String()
}

var arrayHeaderRE = regexp.MustCompile(`^\s*\[\[\s*([A-Za-z0-9_.\s-]+?)\s*\]\]`)

// indexKeyAtLine adds array indexes to key (as written by the TOML
// decoder, "source.selectors.title") by counting the [[...]] headers of
// data before line. It works on the plain headers a person writes; keys
// under quoted or inline array tables are returned unindexed.
func indexKeyAtLine(data []byte, key string, line int) string {
	count := map[string]int{}
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 > line {
			break
		}
		m := arrayHeaderRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		path := strings.Join(strings.Fields(strings.ReplaceAll(m[1], ".", " . ")), "")
		count[path]++
		for p := range count {
			if strings.HasPrefix(p, path+".") {
				delete(count, p)
			}
		}
	}
	return indexedKey(toml.Key(strings.Split(key, ".")), count)
}

var (
	sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	languageRE   = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// MaxListingPages bounds listing[].max_pages: a listing is for finding
// new articles, not for walking an archive of thousands of pages.
const MaxListingPages = 1000

// CronParser parses source schedules: five fields, descriptors (@every,
// @hourly) and CRON_TZ= prefixes.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate checks the configuration and compiles its patterns and
// selectors. Errors are *Error with code EINVALID and name the key, as in
// "source[2].feeds[0]: not an absolute http(s) URL".
func (c *Config) Validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, key+": "+fmt.Sprintf(format, args...))
	}

	if c.Store.Path == "" && c.Store.DSN == "" {
		bad("store.path", "empty: set a file path (or store.dsn)")
	}
	if c.Store.DSN != "" && !IsPostgresDSN(c.Store.DSN) {
		bad("store.dsn", "want a postgres:// URL")
	}
	cr := &c.Crawler
	if strings.TrimSpace(cr.UserAgent) == "" {
		bad("crawler.user_agent", "empty: sites must be able to tell who is crawling")
	}
	if cr.Delay < 0 {
		bad("crawler.delay", "negative")
	}
	if cr.Parallelism < 1 {
		bad("crawler.parallelism", "must be at least 1")
	}
	if cr.Timeout <= 0 {
		bad("crawler.timeout", "must be positive")
	}
	if cr.MaxBody <= 0 {
		bad("crawler.max_body", "must be positive")
	}
	if cr.MaxPagesPerRun < 1 {
		bad("crawler.max_pages_per_run", "must be at least 1")
	}
	if cr.Retries < 0 {
		bad("crawler.retries", "negative")
	}
	if cr.MaxRedirects < 0 {
		bad("crawler.max_redirects", "negative")
	}
	if cr.Redis != "" {
		if u, err := url.Parse(cr.Redis); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			bad("crawler.redis", "want a redis:// URL such as redis://127.0.0.1:6379/0")
		} else if db := strings.TrimPrefix(u.Path, "/"); db != "" {
			if n, err := strconv.Atoi(db); err != nil || n < 0 {
				bad("crawler.redis", "%q after the host: want a database number such as /0", u.Path)
			}
		}
	}
	if strings.TrimSpace(cr.RedisPrefix) == "" || strings.ContainsAny(cr.RedisPrefix, " \t\r\n*?[]") {
		bad("crawler.redis_prefix", "want a non-empty key prefix without spaces or glob characters, such as \"newsmon:\"")
	}
	if cr.Lease < Duration(time.Second) {
		bad("crawler.lease", "must be at least 1s")
	}
	if c.Web.Addr == "" {
		bad("web.addr", "empty")
	} else if host, _, err := net.SplitHostPort(c.Web.Addr); err != nil {
		bad("web.addr", "%q: want host:port such as 127.0.0.1:8080", c.Web.Addr)
	} else if !isLoopback(host) && strings.TrimSpace(c.Web.TokenEnv) == "" {
		bad("web.token_env", "empty: required when web.addr (%s) is not a loopback address", c.Web.Addr)
	}

	names := map[string]int{}
	for i := range c.Sources {
		s := &c.Sources[i]
		key := fmt.Sprintf("source[%d]", i)
		if !sourceNameRE.MatchString(s.Name) {
			bad(key+".name", "%q: want lower-case letters, digits and dashes", s.Name)
		} else if j, dup := names[s.Name]; dup {
			bad(key+".name", "%q already names source[%d]", s.Name, j)
		} else {
			names[s.Name] = i
		}
		if s.Kind == "" {
			s.Kind = KindNews
		}
		if s.Kind != KindNews && s.Kind != KindStatement {
			bad(key+".kind", "%q: want news or statement", s.Kind)
		}
		if !isAbsHTTP(s.URL) {
			bad(key+".url", "%q: not an absolute http(s) URL", s.URL)
		}
		if s.Language != "" && !languageRE.MatchString(s.Language) {
			bad(key+".language", "%q: want a two-letter code such as en or ru", s.Language)
		}
		if s.Timezone != "" {
			// "Local" would make a source's dates depend on the machine.
			if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "Local" {
				bad(key+".timezone", "%q: not an IANA time zone such as Asia/Almaty", s.Timezone)
			}
		}
		if s.Schedule == "" {
			s.Schedule = "@every 1h"
		}
		if _, err := CronParser.Parse(s.Schedule); err != nil {
			bad(key+".schedule", "%q: %v", s.Schedule, err)
		}
		for j, f := range s.Feeds {
			if !isAbsHTTP(f) {
				bad(fmt.Sprintf("%s.feeds[%d]", key, j), "%q: not an absolute http(s) URL", f)
			}
		}
		for j, f := range s.Sitemaps {
			if !isAbsHTTP(f) {
				bad(fmt.Sprintf("%s.sitemaps[%d]", key, j), "%q: not an absolute http(s) URL", f)
			}
		}
		if len(s.Feeds)+len(s.Sitemaps)+len(s.Listings) == 0 {
			bad(key, "no feeds, sitemaps or listing: nothing to discover articles from")
		}
		s.articleRE = nil
		if s.ArticlePattern != "" {
			re, err := regexp.Compile(s.ArticlePattern)
			if err != nil {
				bad(key+".article_pattern", "%v", err)
			}
			s.articleRE = re
		}
		s.excludeREs = nil
		for j, p := range s.ExcludePatterns {
			re, err := regexp.Compile(p)
			if err != nil {
				bad(fmt.Sprintf("%s.exclude_patterns[%d]", key, j), "%v", err)
				continue
			}
			s.excludeREs = append(s.excludeREs, re)
		}
		for j := range s.Listings {
			l := &s.Listings[j]
			lkey := fmt.Sprintf("%s.listing[%d]", key, j)
			if !isAbsHTTP(l.URL) {
				bad(lkey+".url", "%q: not an absolute http(s) URL", l.URL)
			}
			var err error
			if l.Links == "" {
				bad(lkey+".links", "empty: want the CSS selector of article links")
			} else if l.links, err = cascadia.Compile(l.Links); err != nil {
				bad(lkey+".links", "%q: %v", l.Links, err)
			}
			l.next = nil
			if l.Next != "" {
				if l.next, err = cascadia.Compile(l.Next); err != nil {
					bad(lkey+".next", "%q: %v", l.Next, err)
				}
			}
			if l.MaxPages == 0 {
				l.MaxPages = 1
			}
			if l.MaxPages < 0 {
				bad(lkey+".max_pages", "negative")
			} else if l.MaxPages > MaxListingPages {
				bad(lkey+".max_pages", "%d: at most %d", l.MaxPages, MaxListingPages)
			}
		}
		for field, sel := range map[string]string{"title": s.Selectors.Title, "body": s.Selectors.Body, "date": s.Selectors.Date, "author": s.Selectors.Author} {
			if sel == "" {
				continue
			}
			if _, err := cascadia.ParseGroup(sel); err != nil {
				bad(key+".selectors."+field, "%q: %v", sel, err)
			}
		}
		for j, sel := range s.Selectors.Remove {
			if _, err := cascadia.ParseGroup(sel); err != nil {
				bad(fmt.Sprintf("%s.selectors.remove[%d]", key, j), "%q: %v", sel, err)
			}
		}
	}

	topics := map[string]int{}
	for i, t := range c.Topics {
		key := fmt.Sprintf("topic[%d]", i)
		if !sourceNameRE.MatchString(t.Name) {
			bad(key+".name", "%q: want lower-case letters, digits and dashes", t.Name)
		} else if j, dup := topics[t.Name]; dup {
			bad(key+".name", "%q already names topic[%d]", t.Name, j)
		} else {
			topics[t.Name] = i
		}
		n := 0
		for _, lang := range sortedKeys(t.Terms) {
			for j, term := range t.Terms[lang] {
				if strings.TrimSpace(term) == "" {
					bad(fmt.Sprintf("%s.terms.%s[%d]", key, lang, j), "empty term")
				}
				n++
			}
		}
		if n == 0 {
			bad(key+".terms", "no terms")
		}
		for _, lang := range sortedKeys(t.Exclude) {
			for j, phrase := range t.Exclude[lang] {
				if strings.TrimSpace(phrase) == "" {
					bad(fmt.Sprintf("%s.exclude.%s[%d]", key, lang, j), "empty phrase")
				}
			}
		}
	}

	rules := map[string]bool{}
	for i, a := range c.Alerts {
		key := fmt.Sprintf("alert[%d]", i)
		if a.Name == "" {
			bad(key+".name", "empty")
		} else if rules[a.Name] {
			bad(key+".name", "%q is used twice", a.Name)
		}
		rules[a.Name] = true
		switch a.On {
		case "agreement", "source-health":
		case "search":
			if strings.TrimSpace(a.Query) == "" {
				bad(key+".query", "empty: on = \"search\" needs a query")
			}
		default:
			bad(key+".on", "%q: want agreement, search or source-health", a.On)
		}
		if a.Webhook != "" && !isAbsHTTP(a.Webhook) {
			bad(key+".webhook", "%q: not an absolute http(s) URL", a.Webhook)
		}
		if a.Digest < 0 {
			bad(key+".digest", "negative")
		}
		for j, addr := range a.Email {
			if !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \t\r\n<>") {
				bad(fmt.Sprintf("%s.email[%d]", key, j), "%q: not an e-mail address", addr)
			}
		}
		if a.Format != "" && a.Format != "json" && a.Format != "slack" {
			bad(key+".format", "%q: want json or slack", a.Format)
		}
		if a.Topic != "" {
			if _, ok := topics[a.Topic]; !ok {
				bad(key+".topic", "%q: no such topic", a.Topic)
			}
		}
		if a.Source != "" {
			if _, ok := names[a.Source]; !ok {
				bad(key+".source", "%q: no such source", a.Source)
			}
		}
		if len(a.Email) > 0 && (c.SMTP.Host == "" || c.SMTP.From == "") {
			bad(key+".email", "needs [smtp] host and from")
		}
		if a.SecretEnv != "" && a.Webhook == "" {
			bad(key+".secret_env", "signs webhook bodies, but the rule has no webhook")
		}
	}
	if c.SMTP.Host != "" {
		if c.SMTP.Port < 0 || c.SMTP.Port > 65535 {
			bad("smtp.port", "%d: not a port", c.SMTP.Port)
		}
		switch c.SMTP.TLS {
		case "", "starttls", "tls", "none":
		default:
			bad("smtp.tls", "%q: want starttls, tls or none", c.SMTP.TLS)
		}
		if !strings.Contains(c.SMTP.From, "@") {
			bad("smtp.from", "%q: not an e-mail address", c.SMTP.From)
		}
	}

	errs = append(errs, c.validateParties()...)

	if len(errs) > 0 {
		return &Error{Code: EINVALID, Message: strings.Join(errs, "\n")}
	}
	return nil
}

// FindSource returns the source with the given name, or nil.
func (c *Config) FindSource(name string) *Source {
	for i := range c.Sources {
		if c.Sources[i].Name == name {
			return &c.Sources[i]
		}
	}
	return nil
}

// isLoopback reports whether host (from web.addr) only listens on this
// machine: "localhost" or a loopback IP. An empty host means every
// interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isAbsHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Duration is a time.Duration written in TOML as a Go duration string.
type Duration time.Duration

// UnmarshalText parses a Go duration string such as "1s" or "30m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q: want a duration such as 1s or 30m", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Size is a byte count written in TOML as a number or a string such as
// "10MB" or "512KB" (powers of 1024).
type Size int64

// UnmarshalText parses "10MB", "512KB", "1GB" or a plain number of bytes.
func (s *Size) UnmarshalText(b []byte) error {
	str := strings.ToUpper(strings.TrimSpace(string(b)))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(str, u.suffix) {
			str, mult = strings.TrimSpace(strings.TrimSuffix(str, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("%q: want a size such as 10MB or 512KB", b)
	}
	*s = Size(n * mult)
	return nil
}

// UnmarshalTOML accepts a plain integer as well as a string.
func (s *Size) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return fmt.Errorf("%d: want a size such as 10MB or 512KB", v)
		}
		*s = Size(v)
		return nil
	case string:
		return s.UnmarshalText([]byte(v))
	}
	return fmt.Errorf("%v: want a size such as 10MB or 512KB", v)
}

// validateParties checks the [[party]] gazetteer and returns its errors,
// each naming the key: names unique, kinds known, a company's or
// ministry's country the name of a country party, aliases and excluded
// phrases with letters or digits in them and under two languages' codes,
// and no alias shared by two parties.
func (c *Config) validateParties() []string {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, key+": "+fmt.Sprintf(format, args...))
	}
	index := map[string]int{}
	for i, p := range c.Parties {
		if j, dup := index[p.Name]; dup && p.Name != "" {
			bad(fmt.Sprintf("party[%d].name", i), "%q already names party[%d]", p.Name, j)
		} else {
			index[p.Name] = i
		}
	}
	aliasOf := map[string]int{}
	for i, p := range c.Parties {
		key := fmt.Sprintf("party[%d]", i)
		if strings.TrimSpace(p.Name) == "" {
			bad(key+".name", "empty")
		}
		switch p.Kind {
		case PartyCountry, PartyOrganisation, PartyCompany, PartyMinistry:
		default:
			bad(key+".kind", "%q: want country, organisation, company or ministry", p.Kind)
		}
		if p.Country != "" {
			if j, ok := index[p.Country]; !ok {
				bad(key+".country", "%q: no such party", p.Country)
			} else if c.Parties[j].Kind != PartyCountry {
				bad(key+".country", "%q: party[%d] is a %s, not a country", p.Country, j, c.Parties[j].Kind)
			} else if j == i {
				bad(key+".country", "%q: a party cannot belong to itself", p.Country)
			}
		} else if p.Kind == PartyMinistry {
			bad(key+".country", "empty: a ministry stands for its country")
		}
		if len(p.Aliases) == 0 && strings.TrimSpace(p.Name) != "" && !hasWordRune(p.Name) {
			bad(key+".name", "%q: no letters or digits", p.Name)
		}
		for _, field := range []string{"aliases", "exclude"} {
			m := p.Aliases
			if field == "exclude" {
				m = p.Exclude
			}
			for _, lang := range sortedKeys(m) {
				if !languageRE.MatchString(lang) {
					bad(fmt.Sprintf("%s.%s.%s", key, field, lang), "want a two-letter language code such as en or ru")
				}
				for j, phrase := range m[lang] {
					pkey := fmt.Sprintf("%s.%s.%s[%d]", key, field, lang, j)
					text := strings.TrimPrefix(phrase, "=")
					switch {
					case !hasWordRune(text):
						bad(pkey, "%q: no letters or digits", phrase)
					case len(strings.Fields(text)) > maxPartyPhraseWords:
						bad(pkey, "%q: more than %d words", phrase, maxPartyPhraseWords)
					case field == "aliases":
						folded := strings.ToLower(strings.TrimSpace(text))
						if k, ok := aliasOf[folded]; ok && k != i {
							bad(pkey, "%q is an alias of party[%d] (%s) too", phrase, k, c.Parties[k].Name)
						} else {
							aliasOf[folded] = i
						}
					}
				}
			}
		}
	}
	return errs
}

// maxPartyPhraseWords bounds the words of an alias, as the tagger does.
const maxPartyPhraseWords = 12

// hasWordRune reports whether s holds a letter or a digit.
func hasWordRune(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database, the only
// kind [store] dsn takes.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
