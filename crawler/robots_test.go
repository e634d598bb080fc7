package crawler

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// rfcExample is the example file of RFC 9309 section 5.1.
const rfcExample = `User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF
`

// groupsFile mixes rules outside groups, interleaved groups and a group
// named twice (after Google's ID_LineSyntax_Groups).
const groupsFile = "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: /y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n"

func TestRobotsAllowed(t *testing.T) {
	tests := []struct {
		name   string
		robots string
		agent  string
		path   string
		want   bool
	}{
		// RFC 9309 section 5.1.
		{"rfc example: other agent, gif anywhere", rfcExample, "otherbot", "/images/logo.gif", false},
		{"rfc example: other agent, gif with query is not at end", rfcExample, "otherbot", "/logo.gif?v=2", true},
		{"rfc example: other agent, /example/ disallowed", rfcExample, "otherbot", "/example/x.html", false},
		{"rfc example: other agent, publications allowed", rfcExample, "otherbot", "/publications/2024", true},
		{"rfc example: other agent, elsewhere allowed", rfcExample, "otherbot", "/news/", true},
		{"rfc example: foobot, root disallowed", rfcExample, "foobot", "/news/", false},
		{"rfc example: foobot, page allowed", rfcExample, "foobot", "/example/page.html", true},
		{"rfc example: foobot, allowed gif", rfcExample, "foobot", "/example/allowed.gif", true},
		{"rfc example: barbot ignores the * group", rfcExample, "barbot", "/example/other.html", true},
		{"rfc example: barbot, page disallowed", rfcExample, "barbot", "/example/page.html", false},
		{"rfc example: bazbot shares barbot's group", rfcExample, "BazBot", "/example/page.html", false},
		{"rfc example: quxbot's empty group allows all", rfcExample, "quxbot", "/example/page.gif", true},
		{"rfc 5.2: longest match, directory allowed", "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n", "foobot", "/example/page/", true},
		{"rfc 5.2: longest match, file disallowed", "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n", "foobot", "/example/page/disallowed.gif", false},
		{"rfc 2.2.1: groups for one agent merge, first", "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n", "examplebot", "/bar/1", false},
		{"rfc 2.2.1: groups for one agent merge, second", "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: ExampleBot\ndisallow: /baz\n", "examplebot", "/baz/1", false},

		// Line syntax (Google's ID_LineSyntax_*).
		{"missing colon accepted", "user-agent FooBot\ndisallow /\n", "FooBot", "/x/y", false},
		{"unknown keys are no rules", "foo: FooBot\nbar: /\n", "FooBot", "/x/y", true},
		{"three words without colon ignored", "user-agent: FooBot\ndisallow / extra\n", "FooBot", "/x/y", true},
		{"groups: FooBot own rule", groupsFile, "FooBot", "/x/b", true},
		{"groups: FooBot merged later group", groupsFile, "FooBot", "/z/d", true},
		{"groups: FooBot not BarBot's allow", groupsFile, "FooBot", "/y/c", false},
		{"groups: BarBot allow", groupsFile, "BarBot", "/y/c", true},
		{"groups: BarBot rule after blank lines still in group", groupsFile, "BarBot", "/w/a", true},
		{"groups: BazBot shares FooBot's last group", groupsFile, "BazBot", "/z/d", true},
		{"groups: rules before any user-agent ignored", groupsFile, "FooBot", "/foo/bar/", false},
		{"sitemap line does not close a group", "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n", "BarBot", "/", false},
		{"unknown line does not close a group", "User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n", "FooBot", "/", false},
		{"keys case-insensitive", "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", "FooBot", "/a/b", false},
		{"keys case-insensitive, allow", "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "/x/y", true},
		{"typo disalow", "user-agent: FooBot\ndisalow: /\n", "FooBot", "/a", false},
		{"typo dissallow", "user-agent: FooBot\ndissallow: /\n", "FooBot", "/a", false},
		{"typo useragent", "useragent: FooBot\ndisallow: /\n", "FooBot", "/a", false},
		{"typo user agent", "user agent: FooBot\ndisallow: /\n", "FooBot", "/a", false},

		// User-agent values.
		{"agent value case-insensitive", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n", "foo", "/a/b", false},
		{"agent value up to first space", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n", "Foo", "/x/y", true},
		{"agent value with version", "User-agent: Newsmon/2.0\nDisallow: /private/\n", "newsmon", "/private/a", false},
		{"whole user-agent string reduced to token", "User-agent: newsmon\nDisallow: /private/\n", "newsmon/1.0 (+https://example.org)", "/private/a", false},
		{"star with trailing words is global", "User-agent: * everyone\nDisallow: /\n", "foobot", "/a", false},
		{"global group not used when a specific one exists", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", "FooBot", "/x/y", false},
		{"global group used by others", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", "BarBot", "/x/y", true},
		{"only specific groups: others allowed", "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\n", "QuxBot", "/x/y", true},
		{"specific group implicitly allows what * forbids", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot", "/x/page", true},
		{"empty file allows", "", "FooBot", "/a", true},

		// Values are case-sensitive; longest match.
		{"paths case-sensitive", "user-agent: FooBot\ndisallow: /X/\n", "FooBot", "/x/y", true},
		{"longest: disallow longer", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", "FooBot", "/x/page.html", false},
		{"longest: allow longer", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "/x/page.html", true},
		{"tie: allow wins", "user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", "/x/page.html", true},
		{"tie: empty patterns allow", "user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", "/x", true},
		{"empty disallow allows everything", "user-agent: *\ndisallow:\n", "FooBot", "/anything", true},
		{"/x disallows /x", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "/x", false},
		{"/x/ allows /x/", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "/x/", true},
		{"wildcard disallow longer than allow", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "/page.html", false},
		{"allow longer than wildcard", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", "/x/page.html", true},

		// Special characters.
		{"star in middle", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "/foo/bax/quz", true},
		{"star matches empty", "User-agent: FooBot\nDisallow: /\nAllow: /foo/*/qux\n", "FooBot", "/foo//qux", true},
		{"dollar anchors", "User-agent: FooBot\nDisallow: /foo/bar$\n", "FooBot", "/foo/bar", false},
		{"dollar anchors, longer path", "User-agent: FooBot\nDisallow: /foo/bar$\n", "FooBot", "/foo/bar/", true},
		{"comment cuts the rule", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", "/foo/quz", false},
		{"commented rule ignored", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", "/foo/bar", true},
		{"*.php$ vs query", "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n", "FooBot", "/filename.php?parameters", false},
		{"*.php$ exact", "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n", "FooBot", "/folder/filename.php", true},
		{"*.php anywhere incl. query", "user-agent: FooBot\ndisallow: /\nallow: /*.php\n", "FooBot", "/index?f=filename.php/", true},
		{"fish* equals fish", "user-agent: FooBot\ndisallow: /\nallow: /fish*\n", "FooBot", "/fishheads/yummy.html", true},
		{"fish not catfish", "user-agent: FooBot\ndisallow: /\nallow: /fish\n", "FooBot", "/catfish", false},
		{"fish/ not fish", "user-agent: FooBot\ndisallow: /\nallow: /fish/\n", "FooBot", "/fish", false},
		{"fish*.php", "user-agent: FooBot\ndisallow: /\nallow: /fish*.php\n", "FooBot", "/fishheads/catfish.php?parameters", true},
		{"allow /$ only root", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "/", true},
		{"allow /$ not pages", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "/page.html", false},
		{"dollar not at end is literal", "user-agent: FooBot\ndisallow: /a$b\n", "FooBot", "/a$b/c", false},
		{"query matched", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n", "FooBot", "/foo/bar?qux=taz&baz=http://foo.bar?tar&par", true},
		{"query-only rule", "User-agent: *\nDisallow: /*?replytocom=\n", "FooBot", "/2024/03/story/?replytocom=12", false},

		// Percent-encoding.
		{"non-ASCII pattern vs encoded path", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "/foo/bar/%E3%83%84", true},
		{"non-ASCII pattern vs raw path (RFC: both encoded)", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "/foo/bar/ツ", true},
		{"encoded pattern vs encoded path", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "/foo/bar/%E3%83%84", true},
		{"lower-case hex in pattern", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%e3%83%84\n", "FooBot", "/foo/bar/%E3%83%84", true},
		{"lower-case hex in path", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "/foo/bar/%e3%83%84", true},
		// RFC 9309 2.2.2 (Google's parser differs): an escaped unreserved
		// character is the character, in patterns and in paths.
		{"encoded unreserved in pattern", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot", "/foo/bar/baz", true},
		{"encoded unreserved in path", "User-agent: FooBot\nDisallow: /foo/bar/baz\n", "FooBot", "/foo/bar/%62%61%7A", false},
		{"encoded reserved stays encoded", "User-agent: FooBot\nDisallow: /a/b\n", "FooBot", "/a%2Fb", true},
		{"crawl-delay does not end a run of user-agent lines", "User-agent: newsmon\nCrawl-delay: 5\nUser-agent: other\nDisallow: /x\n", "newsmon", "/x", false},
		{"cyrillic path", "User-agent: *\nDisallow: /новости/\n", "FooBot", "/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1", false},

		// Google's index.html rule.
		{"index.html allows its directory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "/allowed-slash/", true},
		{"index.html: not index.htm", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "/allowed-slash/index.htm", false},
		{"index.html: other URLs", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "/anyother-url", false},

		// Line ends and byte-order marks.
		{"CRLF", "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n", "bar", "/x", false},
		{"CR only", "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\r\rDisallow: /\r", "bar", "/x", false},
		{"no final newline", "User-Agent: foo\nDisallow: /", "foo", "/x", false},
		{"BOM skipped", "\xEF\xBB\xBFUser-Agent: foo\nDisallow: /x\n", "foo", "/x", false},
		{"partial BOM skipped", "\xEF\xBBUser-Agent: foo\nDisallow: /x\n", "foo", "/x", false},
		{"broken BOM spoils the first line", "\xEF\x11\xBFUser-Agent: foo\nDisallow: /x\n", "foo", "/x", true},

		// Always allowed.
		{"robots.txt itself", "User-agent: *\nDisallow: /\n", "foobot", "/robots.txt", true},
		{"empty path is root", "User-agent: *\nDisallow: /$\n", "foobot", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ParseRobots([]byte(tt.robots))
			if got := r.Allowed(tt.agent, tt.path); got != tt.want {
				t.Errorf("Allowed(%q, %q) = %v, want %v\nrobots.txt:\n%s", tt.agent, tt.path, got, tt.want, tt.robots)
			}
		})
	}
}

func TestRobotsVerdicts(t *testing.T) {
	tests := []struct {
		name string
		r    *Robots
		path string
		want bool
	}{
		{"allow all", AllowAllRobots(), "/private/x", true},
		{"disallow all", DisallowAllRobots(), "/", false},
		{"disallow all keeps robots.txt", DisallowAllRobots(), "/robots.txt", true},
		{"nil robots", nil, "/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Allowed("newsmon", tt.path); got != tt.want {
				t.Errorf("Allowed(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func TestRobotsLongLines(t *testing.T) {
	// After Google's GoogleOnly_LineTooLong: bytes past 2083*8 on a line
	// are dropped, so the rule is cut and matches more.
	prefix := "disallow: "
	long := "/x/" + strings.Repeat("a", robotsMaxLine-len(prefix)-3)
	body := "user-agent: FooBot\n" + prefix + long + "/qux\n"
	r := ParseRobots([]byte(body))
	tests := []struct {
		name string
		path string
		want bool
	}{
		{"unrelated path", "/fux", true},
		{"cut-off rule matches", long + "/fux", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Allowed("FooBot", tt.path); got != tt.want {
				t.Errorf("Allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRobotsSizeLimit(t *testing.T) {
	// A rule past the first 500 KiB is not read.
	var b bytes.Buffer
	b.WriteString("User-agent: *\n")
	for b.Len() < robotsMaxBytes {
		b.WriteString("Disallow: /filler/\n")
	}
	b.WriteString("Disallow: /late/\n")
	r := ParseRobots(b.Bytes())
	tests := []struct {
		name string
		path string
		want bool
	}{
		{"rule inside the limit", "/filler/x", false},
		{"rule past the limit", "/late/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Allowed("foobot", tt.path); got != tt.want {
				t.Errorf("Allowed(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func TestRobotsHostilePatterns(t *testing.T) {
	// Many wildcards against a long path must stay linear: this would
	// take very long with backtracking.
	pattern := strings.Repeat("*a", 2000) + "b$"
	body := "User-agent: *\nDisallow: /" + pattern + "\n"
	r := ParseRobots([]byte(body))
	path := "/" + strings.Repeat("a", 8000)
	start := time.Now()
	got := r.Allowed("foobot", path)
	if !got {
		t.Errorf("Allowed = false, want true (no b at the end)")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("matching took %v", d)
	}
}

func TestRobotsCrawlDelay(t *testing.T) {
	tests := []struct {
		name   string
		robots string
		agent  string
		want   time.Duration
	}{
		{"integer seconds", "User-agent: *\nCrawl-delay: 10\n", "foobot", 10 * time.Second},
		{"decimal seconds", "User-agent: *\nCrawl-delay: 0.5\n", "foobot", 500 * time.Millisecond},
		{"absent", "User-agent: *\nDisallow: /x\n", "foobot", 0},
		{"malformed", "User-agent: *\nCrawl-delay: soon\n", "foobot", 0},
		{"negative", "User-agent: *\nCrawl-delay: -3\n", "foobot", 0},
		{"hex refused", "User-agent: *\nCrawl-delay: 0x10\n", "foobot", 0},
		{"exponent refused", "User-agent: *\nCrawl-delay: 1e300\n", "foobot", 0},
		{"huge integer clipped", "User-agent: *\nCrawl-delay: 99999999999\n", "foobot", robotsMaxCrawlDelay},
		{"specific group wins", "User-agent: *\nCrawl-delay: 1\n\nUser-agent: newsmon\nCrawl-delay: 3\nDisallow: /x\n", "newsmon", 3 * time.Second},
		{"other agents get the * delay", "User-agent: *\nCrawl-delay: 1\nDisallow: /y\n\nUser-agent: newsmon\nCrawl-delay: 3\n", "otherbot", time.Second},
		{"specific group without delay", "User-agent: *\nCrawl-delay: 1\nDisallow: /y\n\nUser-agent: newsmon\nDisallow: /x\n", "newsmon", 0},
		// As in Google's parser, Crawl-delay is not a rule: it does not end
		// a run of user-agent lines, so these two name one group.
		{"crawl-delay alone keeps the group open", "User-agent: *\nCrawl-delay: 1\n\nUser-agent: newsmon\nDisallow: /x\n", "newsmon", time.Second},
		{"before any group ignored", "Crawl-delay: 7\nUser-agent: *\nDisallow: /x\n", "foobot", 0},
		{"typo crawldelay", "User-agent: *\nCrawldelay: 2\n", "foobot", 2 * time.Second},
		{"merged groups take the largest", "User-agent: a\nCrawl-delay: 2\nDisallow: /x\nUser-agent: a\nCrawl-delay: 4\n", "a", 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseRobots([]byte(tt.robots)).CrawlDelay(tt.agent); got != tt.want {
				t.Errorf("CrawlDelay(%q) = %v, want %v", tt.agent, got, tt.want)
			}
		})
	}
}

func TestRobotsSitemaps(t *testing.T) {
	tests := []struct {
		name   string
		robots string
		want   []string
	}{
		{"at the end", "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nSitemap: http://foo.bar/sitemap.xml\n", []string{"http://foo.bar/sitemap.xml"}},
		{"at the start, in order", "Sitemap: https://a.example/1.xml\nsite-map: https://a.example/2.xml.gz\nUser-agent: *\nDisallow:\n", []string{"https://a.example/1.xml", "https://a.example/2.xml.gz"}},
		{"relative and duplicates dropped", "Sitemap: /rel.xml\nSitemap: https://a.example/s.xml\nSitemap: https://a.example/s.xml\nSitemap: ftp://a.example/s.xml\n", []string{"https://a.example/s.xml"}},
		{"none", "User-agent: *\nDisallow: /\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseRobots([]byte(tt.robots)).Sitemaps(); !slices.Equal(got, tt.want) {
				t.Errorf("Sitemaps() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProductToken(t *testing.T) {
	tests := []struct {
		name, ua, want string
	}{
		{"with version and comment", "newsmon/1.0 (+https://github.com/newsmon/newsmon)", "newsmon"},
		{"bare", "Googlebot", "Googlebot"},
		{"dash and underscore", "Foo_Bar-Bot/2", "Foo_Bar-Bot"},
		{"space ends it", "Foobot Bar", "Foobot"},
		{"leading space trimmed", "  newsmon/1", "newsmon"},
		{"digits end it", "bot2000", "bot"},
		{"non-ASCII", "ツbot", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProductToken(tt.ua); got != tt.want {
				t.Errorf("ProductToken(%q) = %q, want %q", tt.ua, got, tt.want)
			}
		})
	}
}

func TestEscapeRobotsPattern(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain URL untouched", "http://www.example.com", "http://www.example.com"},
		{"path untouched", "/a/b/c", "/a/b/c"},
		{"two-byte character", "á", "%C3%A1"},
		{"lower hex upper-cased", "%aa", "%AA"},
		{"lone percent kept", "/100%", "/100%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeRobotsPattern(tt.in); got != tt.want {
				t.Errorf("escapeRobotsPattern(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzRobots(f *testing.F) {
	for _, seed := range []string{rfcExample, groupsFile, "User-agent: *\nDisallow: /*a*b*c$\nCrawl-delay: 0.5\nSitemap: https://a.example/s.xml\n", "\xEF\xBB\xBFuser agent *\r\ndisalow /%e3\r"} {
		f.Add([]byte(seed), "/a/b?c=%e3%83")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		r := ParseRobots(body)
		if !r.Allowed("newsmon", "/robots.txt") {
			t.Error("/robots.txt refused")
		}
		// Percent-encoding normalisation must not change a verdict.
		if r.Allowed("newsmon", path) != r.Allowed("newsmon", escapeRobotsPattern(path)) {
			t.Errorf("verdict for %q changes once normalised", path)
		}
		if d := r.CrawlDelay("newsmon"); d < 0 || d > robotsMaxCrawlDelay {
			t.Errorf("CrawlDelay = %v", d)
		}
	})
}

func BenchmarkRobotsAllowed(b *testing.B) {
	r := ParseRobots([]byte(rfcExample + "\nUser-agent: newsmon\nDisallow: /search\nDisallow: /*?replytocom=\nDisallow: /*.pdf$\nAllow: /search/about\nCrawl-delay: 1\n"))
	b.ReportAllocs()
	for b.Loop() {
		r.Allowed("newsmon", "/2024/03/14/kazakhstan-and-azerbaijan-sign-memorandum/?utm_source=x")
	}
}
