package newsmon

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

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
	Alerts  []AlertRule   `toml:"alert"`
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
	// IgnoreRobots turns robots.txt off. Only for one's own sites and
	// benchmarks; never set it for an outlet.
	IgnoreRobots bool   `toml:"ignore_robots"`
	Redis        string `toml:"redis"`
}

// WebConfig configures the HTTP server of newsmon serve.
type WebConfig struct {
	Addr     string `toml:"addr"`
	TokenEnv string `toml:"token_env"`
}

// AlertRule is one [[alert]] table.
type AlertRule struct {
	Name    string   `toml:"name"`
	On      string   `toml:"on"` // agreement | search | source-health
	Query   string   `toml:"query"`
	Topic   string   `toml:"topic"`
	Source  string   `toml:"source"`
	Webhook string   `toml:"webhook"`
	Format  string   `toml:"format"` // json | slack
	Email   []string `toml:"email"`
	Digest  Duration `toml:"digest"`
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
		},
		Web: WebConfig{Addr: "127.0.0.1:8080"},
	}
}

// Load reads a TOML configuration over DefaultConfig and validates it.
// Unknown keys are errors. Every error meant for the user is an *Error with
// code EINVALID whose message names the key.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errorf(EINVALID, "config: %v", err)
	}
	return Parse(data, path)
}

// Parse is Load for configuration text; name is used in messages.
func Parse(data []byte, name string) (*Config, error) {
	cfg := DefaultConfig()
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, Errorf(EINVALID, "%s: line %d: %s", name, perr.Position.Line, perr.Message)
		}
		return nil, Errorf(EINVALID, "%s: %v", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, Errorf(EINVALID, "%s: unknown key %s", name, strings.Join(keys, ", "))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

var sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

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
	if c.Store.DSN != "" && !strings.HasPrefix(c.Store.DSN, "postgres://") && !strings.HasPrefix(c.Store.DSN, "postgresql://") {
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
	if cr.Redis != "" && !strings.HasPrefix(cr.Redis, "redis://") && !strings.HasPrefix(cr.Redis, "rediss://") {
		bad("crawler.redis", "want a redis:// URL")
	}
	if c.Web.Addr == "" {
		bad("web.addr", "empty")
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
		if s.Language != "" && !regexp.MustCompile(`^[a-z]{2,3}$`).MatchString(s.Language) {
			bad(key+".language", "%q: want a two-letter code such as en or ru", s.Language)
		}
		if s.Timezone != "" {
			if _, err := time.LoadLocation(s.Timezone); err != nil {
				bad(key+".timezone", "%q: not an IANA time zone", s.Timezone)
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
			} else if l.links, err = cascadia.Parse(l.Links); err != nil {
				bad(lkey+".links", "%q: %v", l.Links, err)
			}
			l.next = nil
			if l.Next != "" {
				if l.next, err = cascadia.Parse(l.Next); err != nil {
					bad(lkey+".next", "%q: %v", l.Next, err)
				}
			}
			if l.MaxPages == 0 {
				l.MaxPages = 1
			}
			if l.MaxPages < 0 {
				bad(lkey+".max_pages", "negative")
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
	}

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
	if err != nil || n < 0 {
		return fmt.Errorf("%q: want a size such as 10MB or 512KB", b)
	}
	*s = Size(n * mult)
	return nil
}

// UnmarshalTOML accepts a plain integer as well as a string.
func (s *Size) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		*s = Size(v)
		return nil
	case string:
		return s.UnmarshalText([]byte(v))
	}
	return fmt.Errorf("%v: want a size such as 10MB or 512KB", v)
}
