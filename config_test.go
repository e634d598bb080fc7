package newsmon

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/net/html"
)

// TestLoadShippedConfig loads config.toml from the package directory (the
// file the binary embeds) and checks what every shipped source needs.
func TestLoadShippedConfig(t *testing.T) {
	cfg, err := Load("config.toml")
	if err != nil {
		t.Fatalf("Load(config.toml): %v", err)
	}
	onDisk, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, DefaultConfigTOML) {
		t.Errorf("DefaultConfigTOML differs from config.toml on disk")
	}
	if _, err := Parse(DefaultConfigTOML, "built-in config.toml"); err != nil {
		t.Fatalf("Parse(DefaultConfigTOML): %v", err)
	}
	if len(cfg.Topics) == 0 {
		t.Errorf("no topics in the shipped config")
	}
	enabled := 0
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		t.Run(s.Name, func(t *testing.T) {
			if s.Title == "" || s.Language == "" || s.Timezone == "" {
				t.Errorf("title %q, language %q, timezone %q: every shipped source needs all three", s.Title, s.Language, s.Timezone)
			}
			if s.ArticlePattern == "" {
				t.Errorf("no article_pattern: every shipped source must say what its articles look like")
			}
			if !strings.HasPrefix(s.ArticlePattern, "^") || !strings.HasSuffix(s.ArticlePattern, "$") {
				t.Errorf("article_pattern %q is not anchored at both ends", s.ArticlePattern)
			}
			if _, err := CronParser.Parse(s.Schedule); err != nil {
				t.Errorf("schedule %q: %v", s.Schedule, err)
			}
			for j := range s.Listings {
				if s.Listings[j].LinksSelector() == nil {
					t.Errorf("listing[%d]: links selector not compiled by Validate", j)
				}
				if s.Listings[j].Next != "" && s.Listings[j].NextSelector() == nil {
					t.Errorf("listing[%d]: next selector not compiled by Validate", j)
				}
			}
		})
		if !s.Disabled {
			enabled++
		}
	}
	if enabled == 0 {
		t.Errorf("every shipped source is disabled")
	}
}

// articleURLCases are real URLs of each shipped source, taken from
// links to the outlets found in public material (see docs/sources.md):
// article URLs that the source's article_pattern must accept, and pages
// of the same sites that are not articles.
var articleURLCases = map[string]struct{ articles, others []string }{
	"astanatimes": {
		articles: []string{
			"https://astanatimes.com/2024/05/assyk-great-kazakh-outdoor-game-video/",
			"https://astanatimes.com/2025/11/the-astana-times-is-turning-15-marking-milestone-filled-with-gratitude-and-warm-wishes/",
			"https://astanatimes.com/2019/09/innovative-kazakh-photographer-draws-inspiration-from-art-music-and-connecting-with-his-subjects/",
			"https://astanatimes.com/2026/03/kazakhstan-to-link-western-regions-to-national-grid-in-major-network-upgrade-by-2027/",
		},
		others: []string{
			"https://astanatimes.com/",
			"https://astanatimes.com/feed/",
			"https://astanatimes.com/category/business/",
			"https://astanatimes.com/category/business/feed/",
			"https://astanatimes.com/category/astana/",
			"https://astanatimes.com/author/?author=Aibarshyn+Akhmetkali++",
			"https://astanatimes.com/all/page/316",
			"https://astanatimes.com/2024/05/",
			"https://astanatimes.com/2024/05/14/",
			"https://astanatimes.com/2024/05/assyk-great-kazakh-outdoor-game-video/amp/",
		},
	},
	"trend": {
		articles: []string{
			"https://en.trend.az/azerbaijan/politics/3907452.html",
			"https://en.trend.az/business/3760007.html",
			"https://en.trend.az/business/it/3682680.html",
		},
		others: []string{
			"https://en.trend.az/",
			"https://en.trend.az/business/",
			"https://en.trend.az/latest/",
			"https://en.trend.az/rss",
			"https://www.trend.az/azerbaijan/politics/3834567.html", // another language edition
		},
	},
	"apa": {
		articles: []string{
			"https://en.apa.az/asia/flydubai-and-air-arabia-flights-begin-operating-through-iranian-airspace-520902",
			"https://en.apa.az/cis-countries/russia-extends-gasoline-export-ban-through-end-of-2026-517594",
			"https://en.apa.az/america/uss-george-washington-begins-operations-in-middle-east-521035",
		},
		others: []string{
			"https://en.apa.az/",
			"https://en.apa.az/rss",
			"https://en.apa.az/asia",
			"https://en.apa.az/storage/news/2023/april/17/big/643cf3570dbfe643cf3570dbff1681716055643cf3570dbfc643cf3570dbfd.jpg",
		},
	},
	"azernews": {
		articles: []string{
			"https://www.azernews.az/nation/254198.html",
			"https://www.azernews.az/region/135338.html",
		},
		others: []string{
			"https://www.azernews.az/",
			"https://www.azernews.az/feed.php",
			"https://www.azernews.az/nation/",
			"https://www.azernews.az/media/2019/01/07/bakucityy4.jpg",
		},
	},
	"report": {
		articles: []string{
			"https://report.az/en/domestic-politics/azerbaijan-extends-special-quarantine-regime-until-january-2027",
			"https://report.az/en/foreign-politics/sename-koffi-agbodjinou-modern-technologies-taking-issue-of-colonialism-to-global-level",
			"https://report.az/en/other-countries/iaea-zaporizhzhia-nuclear-power-plant-loses-external-power-for-17th-time-since-start-of-war",
		},
		others: []string{
			"https://report.az/en/",
			"https://report.az/en/rss/",
			"https://report.az/rss/",
			"https://report.az/en/domestic-politics/",
		},
	},
	"president-az": {
		articles: []string{
			"https://president.az/en/articles/view/69239",
			"https://president.az/en/articles/view/45756",
		},
		others: []string{
			"https://president.az/en/articles/view/69239/print",
			"https://president.az/en/rss",
			"https://president.az/en",
		},
	},
	"akorda": {
		articles: []string{
			"https://www.akorda.kz/en/statement-by-he-president-of-the-republic-of-kazakhstan-mr-kassym-jomart-tokayev-at-the-plenary-session-of-the-astana-international-forum-2944235",
			"https://akorda.kz/en/events/astana_kazakhstan/participation_in_events/today-president-nursultan-nazarbayev-unveils-new-khazret-sultan-cathedral-mosque_1342530562",
		},
		others: []string{
			"https://www.akorda.kz/en/events",
			"https://www.akorda.kz/en/events?page=2",
			"https://mirror.akorda.kz/en/events?category=akorda",
			"https://www.akorda.kz/ru/glavoy-gosudarstva-podpisan-konstitucionnyy-zakon-respubliki-kazahstan-o-specialnom-pravovom-rezhime-goroda-alatau-84383",
		},
	},
	"timesca": {
		articles: []string{
			"https://timesca.com/kazakhstanis-spend-over-half-their-family-budget-on-food/",
			"https://timesca.com/russia-seeks-to-boost-oil-transit-to-china-via-kazakhstan/",
			"https://timesca.com/middle-corridor-must-get-faster-titr-chief-tells-tca/",
			"https://timesca.com/adoption-of-latin-based-common-turkic-alphabet/",
		},
		others: []string{
			"https://timesca.com/",
			"https://timesca.com/feed/",
			"https://timesca.com/author/editor/page/4",
			"https://timesca.com/wp-content/uploads/2024/11/54113859461_d6f96d0698_b.jpg",
		},
	},
	"dailysabah": {
		articles: []string{
			"https://www.dailysabah.com/politics/diplomacy/erdogan-zelenskyy-back-istanbul-process-for-cease-fire-push-for-peace",
			"https://www.dailysabah.com/politics/diplomacy/turkiyes-fidan-attends-ots-ministers-meeting-in-turkistan",
			"https://www.dailysabah.com/business/energy/record-renewable-output-drives-turkish-power-prices-to-historic-lows",
			"https://www.dailysabah.com/business/transportation/astana-baku-agree-on-effective-use-of-trans-caspian-trade-route",
		},
		others: []string{
			"https://www.dailysabah.com/",
			"https://www.dailysabah.com/rssFeed/10",
			"https://www.dailysabah.com/business/energy/oil-breaches-100-on-fresh-middle-east-flare-up/amp",
			"https://www.dailysabah.com/turkiye/istanbul/beauty-bias-leaves-black-cats-without-homes-in-istanbul", // outside the watched sections
		},
	},
	"kazinform": {
		articles: []string{
			"https://qazinform.com/news/president-tokayev-received-director-of-institute-of-diplomacy-alexey-volkov-520545",
			"https://qazinform.com/news/women-of-kazakhstan-who-left-their-marks-on-nations-history-61c544",
			"https://qazinform.com/news/anthropic-surpasses-openai-to-become-worlds-most-valuable-ai-startup",
		},
		others: []string{
			"https://qazinform.com/",
			"https://qazinform.com/rss/en.xml",
			"https://qazinform.com/amp/scam-claims-and-backlash-hit-kazakhstans-ai-unicorn-higgsfield-b311a7/",
		},
	},
	"mfa-cn": {
		articles: []string{
			"https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/202607/t20260728_11993800.html",
			"https://www.fmprc.gov.cn/eng/xw/zwbd/202606/t20260622_11949659.html",
			"https://www.fmprc.gov.cn/eng/xw/zyjh/202501/t20250124_11544750.html",
			"https://www.fmprc.gov.cn/eng/xw/fyrbt/202606/t20260603_11936890.html",
		},
		others: []string{
			"https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/",
			"https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/index_1.html",
			"https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/",
		},
	},
	"mfa-kz": {
		articles: []string{
			"https://www.gov.kz/memleket/entities/mfa/press/news/details/761570?lang=en",
			"https://www.gov.kz/memleket/entities/mfa/press/news/details/1273258?lang=en",
		},
		others: []string{
			"https://www.gov.kz/memleket/entities/water/press/news/details/930918", // another ministry
			"https://www.gov.kz/en/news",
			"https://www.gov.kz/memleket/entities/mfa/press/news?lang=en",
		},
	},
	"mfa-az": {
		articles: []string{"https://mfa.gov.az/en/news/no07226"},
		others: []string{
			"https://mfa.gov.az/en/news/rss",
			"https://www.mfa.gov.az/en/category/entry-rules-to-the-republic-of-azerbaijan-during-covid-19-pandemic",
		},
	},
	"mfa-ge": {
		articles: []string{
			"https://mfa.gov.ge/en/news/425297-28-misidan-saqartvelosa-da-chinetis-sakhalkho-respublikas-shoris-uvizo-mimosvlis-shesakheb-shetankhm",
			"https://www.mfa.gov.ge/en/news/641804-saqartvelosa-da-chinets-mtavrobas-shoris-kheli-moetsera-ordinaluri-pasportebis-mphlobelta-savizo-mot",
		},
		others: []string{
			"https://mfa.gov.ge/en/news/rss",
			"https://mfa.gov.ge/en/bilateral-relations/cz",
			"https://www.mfa.gov.ge/en/page/visa-information",
		},
	},
	"mfa-tr": {
		articles: []string{
			"https://www.mfa.gov.tr/no_-38_-rusya-federasyonu-disisleri-bakani-sergey-lavrov-un-ulkemizi-ziyareti-hk.en.mfa",
		},
		others: []string{
			"https://www.mfa.gov.tr/no_-80_-8-istanbul-arabuluculuk-konferansi-hk.tr.mfa", // Turkish edition
			"https://www.mfa.gov.tr/default.en.mfa",
			"https://www.mfa.gov.tr/rss.en.mfa",
		},
	},
}

func TestConfigShippedArticlePatterns(t *testing.T) {
	cfg, err := Load("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		tc, ok := articleURLCases[s.Name]
		if !ok {
			t.Errorf("source %q has no example URLs in articleURLCases", s.Name)
			continue
		}
		if len(tc.articles) == 0 || len(tc.others) == 0 {
			t.Errorf("source %q needs article and non-article examples", s.Name)
		}
		t.Run(s.Name, func(t *testing.T) {
			for _, u := range tc.articles {
				if !s.IsArticleURL(u) {
					t.Errorf("article URL rejected: %s", u)
				}
			}
			for _, u := range tc.others {
				if s.IsArticleURL(u) {
					t.Errorf("non-article URL accepted: %s", u)
				}
			}
		})
	}
	for name := range articleURLCases {
		if cfg.FindSource(name) == nil {
			t.Errorf("articleURLCases has %q, which is not a shipped source", name)
		}
	}
}

// validBase is a small valid configuration that the bad cases below break
// one key at a time.
const validBase = `
[crawler]
delay = "1s"

[[source]]
name = "alpha"
url = "https://alpha.example/"
feeds = ["https://alpha.example/feed/"]

[[source]]
name = "beta"
url = "https://beta.example/"
feeds = ["https://beta.example/rss", "https://beta.example/rss2"]
  [[source.listing]]
  url = "https://beta.example/news/"
  links = "h3 a"
  [source.selectors]
  title = "h1"

[[topic]]
name = "corridor"
  [topic.terms]
  en = ["Middle Corridor"]

[[alert]]
name = "signed"
on = "agreement"
`

func TestParseRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		text string
		keys []string // every one must appear in the message
	}{
		{"unknown top-level key", "colour = \"red\"\n" + validBase, []string{"unknown key colour"}},
		{"unknown key in [crawler]", strings.Replace(validBase, `delay = "1s"`, "dealy = \"1s\"", 1), []string{"unknown key crawler.dealy"}},
		{"unknown key in a [[source]]", strings.Replace(validBase, `name = "beta"`, "name = \"beta\"\nfeed = \"x\"", 1), []string{"unknown key source[1].feed"}},
		{"unknown key in [source.selectors]", strings.Replace(validBase, `title = "h1"`, `titel = "h1"`, 1), []string{"unknown key source[1].selectors.titel"}},
		{"unknown key in a listing", strings.Replace(validBase, `links = "h3 a"`, "links = \"h3 a\"\nnxet = \"a.next\"", 1), []string{"unknown key source[1].listing[0].nxet"}},
		{"several unknown keys", "a = 1\nb = 2\n" + validBase, []string{"unknown key a, b"}},
		{"bad duration", strings.Replace(validBase, `delay = "1s"`, `delay = "5 parsecs"`, 1), []string{"crawler.delay", "5 parsecs", "line 3"}},
		{"duration without unit", strings.Replace(validBase, `delay = "1s"`, `delay = "5"`, 1), []string{"crawler.delay"}},
		{"bad duration in an alert", validBase + "digest = \"daily\"\n", []string{"alert[0].digest", "daily"}},
		{"bad size", strings.Replace(validBase, `delay = "1s"`, `max_body = "10 furlongs"`, 1), []string{"crawler.max_body", "10 furlongs"}},
		{"fractional size", strings.Replace(validBase, `delay = "1s"`, `max_body = 1.5`, 1), []string{"crawler.max_body"}},
		{"negative size", strings.Replace(validBase, `delay = "1s"`, `max_body = -1`, 1), []string{"crawler.max_body"}},
		{"size that overflows", strings.Replace(validBase, `delay = "1s"`, `max_body = "99999999999GB"`, 1), []string{"crawler.max_body"}},
		{"zero size", strings.Replace(validBase, `delay = "1s"`, `max_body = "0KB"`, 1), []string{"crawler.max_body"}},
		{"wrong type", strings.Replace(validBase, `delay = "1s"`, `parallelism = "two"`, 1), []string{"crawler.parallelism"}},
		{"TOML syntax", "[crawler\n" + validBase, []string{"test.toml: line ", "expected"}},
		{"bad URL in feeds[1]", strings.Replace(validBase, `"https://beta.example/rss2"`, `"beta.example/rss2"`, 1), []string{"source[1].feeds[1]", "beta.example/rss2"}},
		{"bad sitemap URL", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nsitemaps = [\"ftp://alpha.example/sitemap.xml\"]", 1), []string{"source[0].sitemaps[0]"}},
		{"bad regexp", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\narticle_pattern = '^https://alpha\\.example/(\\d+$'", 1), []string{"source[0].article_pattern"}},
		{"bad exclude regexp", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nexclude_patterns = ['[z-a]']", 1), []string{"source[0].exclude_patterns[0]"}},
		{"bad CSS selector in listing links", strings.Replace(validBase, `links = "h3 a"`, `links = "h3 >> a"`, 1), []string{"source[1].listing[0].links"}},
		{"bad CSS selector in listing next", strings.Replace(validBase, `links = "h3 a"`, "links = \"h3 a\"\nnext = \"a[rel=\"", 1), []string{"source[1].listing[0].next"}},
		{"empty listing links", strings.Replace(validBase, `links = "h3 a"`, `links = ""`, 1), []string{"source[1].listing[0].links"}},
		{"bad listing URL", strings.Replace(validBase, `url = "https://beta.example/news/"`, `url = "/news/"`, 1), []string{"source[1].listing[0].url"}},
		{"too many listing pages", strings.Replace(validBase, `links = "h3 a"`, "links = \"h3 a\"\nmax_pages = 100000", 1), []string{"source[1].listing[0].max_pages"}},
		{"bad CSS selector in selectors", strings.Replace(validBase, `title = "h1"`, "title = \"h1\"\nbody = \"div..post\"", 1), []string{"source[1].selectors.body"}},
		{"bad CSS selector in selectors.remove", strings.Replace(validBase, `title = "h1"`, "title = \"h1\"\nremove = [\"aside\", \"div:nth-child(\"]", 1), []string{"source[1].selectors.remove[1]"}},
		{"bad schedule", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nschedule = \"every now and then\"", 1), []string{"source[0].schedule"}},
		{"six-field schedule", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nschedule = \"0 0 * * * *\"", 1), []string{"source[0].schedule"}},
		{"bad CRON_TZ", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nschedule = \"CRON_TZ=Asia/Astana 0 * * * *\"", 1), []string{"source[0].schedule", "Asia/Astana"}},
		{"bad timezone", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\ntimezone = \"Asia/Astana\"", 1), []string{"source[0].timezone", "Asia/Astana"}},
		{"machine-local timezone", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\ntimezone = \"Local\"", 1), []string{"source[0].timezone"}},
		{"bad language", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nlanguage = \"English\"", 1), []string{"source[0].language"}},
		{"duplicate source name", strings.Replace(validBase, `name = "beta"`, `name = "alpha"`, 1), []string{"source[1].name", "source[0]"}},
		{"bad source name", strings.Replace(validBase, `name = "alpha"`, `name = "Alpha Times"`, 1), []string{"source[0].name"}},
		{"bad kind", strings.Replace(validBase, `name = "alpha"`, "name = \"alpha\"\nkind = \"opinion\"", 1), []string{"source[0].kind", "opinion"}},
		{"bad source URL", strings.Replace(validBase, `url = "https://alpha.example/"`, `url = "alpha.example"`, 1), []string{"source[0].url"}},
		{"no discovery", strings.Replace(validBase, `feeds = ["https://alpha.example/feed/"]`, "", 1), []string{"source[0]: no feeds, sitemaps or listing"}},
		{"empty topic", strings.Replace(validBase, `en = ["Middle Corridor"]`, "", 1), []string{"topic[0].terms"}},
		{"blank term", strings.Replace(validBase, `en = ["Middle Corridor"]`, `en = ["Middle Corridor", " "]`, 1), []string{"topic[0].terms.en[1]"}},
		{"blank exclude phrase", validBase + "\n[[topic]]\nname = \"pipeline\"\n  [topic.terms]\n  en = [\"BTC\"]\n  [topic.exclude]\n  en = [\"\"]\n", []string{"topic[1].exclude.en[0]"}},
		{"duplicate topic", validBase + "\n[[topic]]\nname = \"corridor\"\n  [topic.terms]\n  en = [\"TITR\"]\n", []string{"topic[1].name"}},
		{"bad alert on", strings.Replace(validBase, `on = "agreement"`, `on = "signing"`, 1), []string{"alert[0].on", "signing"}},
		{"alert with unknown topic", validBase + "topic = \"pipelines\"\n", []string{"alert[0].topic", "pipelines"}},
		{"alert with unknown source", validBase + "source = \"gamma\"\n", []string{"alert[0].source", "gamma"}},
		{"search alert without query", strings.Replace(validBase, `on = "agreement"`, `on = "search"`, 1), []string{"alert[0].query"}},
		{"bad alert format", validBase + "format = \"xml\"\n", []string{"alert[0].format"}},
		{"bad alert email", validBase + "email = [\"analyst at example.org\"]\n", []string{"alert[0].email[0]"}},
		{"public address without token", validBase + "\n[web]\naddr = \"0.0.0.0:8080\"\n", []string{"web.token_env"}},
		{"bad web address", validBase + "\n[web]\naddr = \"8080\"\n", []string{"web.addr"}},
		{"bad store DSN", validBase + "\n[store]\ndsn = \"mysql://db\"\n", []string{"store.dsn"}},
		{"redis URL of another scheme", strings.Replace(validBase, `delay = "1s"`, `redis = "http://127.0.0.1:6379/0"`, 1), []string{"crawler.redis", "redis://"}},
		{"redis URL without host", strings.Replace(validBase, `delay = "1s"`, `redis = "redis:///0"`, 1), []string{"crawler.redis"}},
		{"redis URL with a bad database", strings.Replace(validBase, `delay = "1s"`, `redis = "redis://127.0.0.1:6379/zero"`, 1), []string{"crawler.redis", "/zero"}},
		{"empty redis prefix", strings.Replace(validBase, `delay = "1s"`, `redis_prefix = ""`, 1), []string{"crawler.redis_prefix"}},
		{"redis prefix with a glob", strings.Replace(validBase, `delay = "1s"`, `redis_prefix = "news*"`, 1), []string{"crawler.redis_prefix"}},
		{"lease too short", strings.Replace(validBase, `delay = "1s"`, `lease = "100ms"`, 1), []string{"crawler.lease"}},
		{"several errors at once", strings.Replace(strings.Replace(validBase, `on = "agreement"`, `on = "never"`, 1), `name = "alpha"`, "name = \"alpha\"\nkind = \"blog\"", 1), []string{"source[0].kind", "alert[0].on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.text), "test.toml")
			if err == nil {
				t.Fatalf("Parse accepted the configuration: %+v", cfg)
			}
			if code := ErrorCode(err); code != EINVALID {
				t.Errorf("code %q, want %q (err: %v)", code, EINVALID, err)
			}
			msg := ErrorMessage(err)
			for _, k := range tt.keys {
				if !strings.Contains(msg, k) {
					t.Errorf("message %q does not contain %q", msg, k)
				}
			}
		})
	}
}

func TestParseAcceptsValidBase(t *testing.T) {
	cfg, err := Parse([]byte(validBase), "test.toml")
	if err != nil {
		t.Fatalf("Parse(validBase): %v", err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"kind defaults to news", cfg.Sources[0].Kind, KindNews},
		{"schedule defaults to hourly", cfg.Sources[0].Schedule, "@every 1h"},
		{"listing max_pages defaults to 1", cfg.Sources[1].Listings[0].MaxPages, 1},
		{"missing crawler keys keep defaults", cfg.Crawler.Timeout, DefaultConfig().Crawler.Timeout},
		{"missing store keys keep defaults", cfg.Store.Path, DefaultConfig().Store.Path},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if cfg.Sources[1].Listings[0].LinksSelector() == nil {
		t.Errorf("listing links selector not compiled")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.toml"))
	if ErrorCode(err) != EINVALID {
		t.Fatalf("Load(absent file): %v (code %q), want code %q", err, ErrorCode(err), EINVALID)
	}
	if !strings.Contains(ErrorMessage(err), "absent.toml") {
		t.Errorf("message %q does not name the file", ErrorMessage(err))
	}
}

func TestDefaultConfig(t *testing.T) {
	d := DefaultConfig()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"store.path", d.Store.Path, "newsmon.db"},
		{"store.dsn", d.Store.DSN, ""},
		{"crawler.user_agent", d.Crawler.UserAgent, DefaultUserAgent},
		{"crawler.delay", time.Duration(d.Crawler.Delay), time.Second},
		{"crawler.parallelism", d.Crawler.Parallelism, 2},
		{"crawler.timeout", time.Duration(d.Crawler.Timeout), 30 * time.Second},
		{"crawler.max_body", d.Crawler.MaxBody, Size(10 << 20)},
		{"crawler.max_pages_per_run", d.Crawler.MaxPagesPerRun, 2000},
		{"crawler.retries", d.Crawler.Retries, 3},
		{"crawler.max_redirects", d.Crawler.MaxRedirects, 5},
		{"crawler.ignore_robots", d.Crawler.IgnoreRobots, false},
		{"web.addr", d.Web.Addr, "127.0.0.1:8080"},
		{"no sources", len(d.Sources), 0},
		{"no topics", len(d.Topics), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if err := d.Validate(); err != nil {
		t.Errorf("DefaultConfig().Validate(): %v", err)
	}
	if !strings.Contains(d.Crawler.UserAgent, "+http") {
		t.Errorf("user agent %q gives no contact URL", d.Crawler.UserAgent)
	}
}

func TestSizeUnmarshalText(t *testing.T) {
	tests := []struct {
		in      string
		want    Size
		wantErr bool
	}{
		{in: "10MB", want: 10 * 1024 * 1024},
		{in: "512KB", want: 512 * 1024},
		{in: "1GB", want: 1024 * 1024 * 1024},
		{in: "1048576", want: 1048576},
		{in: "7B", want: 7},
		{in: " 2 mb ", want: 2 * 1024 * 1024},
		{in: "0", want: 0},
		{in: "", wantErr: true},
		{in: "MB", wantErr: true},
		{in: "-1KB", wantErr: true},
		{in: "1.5MB", wantErr: true},
		{in: "10 furlongs", wantErr: true},
		{in: "10TB", wantErr: true},
		{in: "99999999999GB", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var s Size
			err := s.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("UnmarshalText(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && s != tt.want {
				t.Errorf("UnmarshalText(%q) = %d, want %d", tt.in, s, tt.want)
			}
		})
	}
}

func TestSizeInTOML(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    Size
		wantErr bool
	}{
		{name: "string with unit", text: `max_body = "10MB"`, want: 10 << 20},
		{name: "string in KB", text: `max_body = "512KB"`, want: 512 << 10},
		{name: "plain integer", text: `max_body = 1048576`, want: 1 << 20},
		{name: "negative integer", text: `max_body = -5`, wantErr: true},
		{name: "float", text: `max_body = 2.5`, wantErr: true},
		{name: "boolean", text: `max_body = true`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				MaxBody Size `toml:"max_body"`
			}
			_, err := toml.Decode(tt.text, &v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Decode(%q) error %v, want error %v", tt.text, err, tt.wantErr)
			}
			if err == nil && v.MaxBody != tt.want {
				t.Errorf("Decode(%q) = %d, want %d", tt.text, v.MaxBody, tt.want)
			}
		})
	}
}

func TestDurationText(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "1s", want: time.Second},
		{in: "30m", want: 30 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "-2s", want: -2 * time.Second}, // parsed; Validate decides where negative is wrong
		{in: "5", wantErr: true},
		{in: "soon", wantErr: true},
		{in: "", wantErr: true},
		{in: "1 hour", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			err := d.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("UnmarshalText(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if time.Duration(d) != tt.want {
				t.Errorf("UnmarshalText(%q) = %v, want %v", tt.in, time.Duration(d), tt.want)
			}
			text, err := d.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var back Duration
			if err := back.UnmarshalText(text); err != nil || back != d {
				t.Errorf("round trip of %v through %q gave %v, %v", time.Duration(d), text, time.Duration(back), err)
			}
		})
	}
}

func TestConfigValidateRejectsNegativeDurations(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		key  string
	}{
		{"negative delay", func(c *Config) { c.Crawler.Delay = Duration(-time.Second) }, "crawler.delay"},
		{"zero timeout", func(c *Config) { c.Crawler.Timeout = 0 }, "crawler.timeout"},
		{"negative digest", func(c *Config) {
			c.Alerts = []AlertRule{{Name: "d", On: "agreement", Digest: Duration(-time.Minute)}}
		}, "alert[0].digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.key) {
				t.Errorf("Validate() = %v, want an EINVALID error naming %s", err, tt.key)
			}
		})
	}
}

// TestConfigShippedTimezones checks the zones the shipped sources use against
// the IANA database Go loads, in particular Kazakhstan's move to a single
// zone (UTC+5) on 1 March 2024.
func TestConfigShippedTimezones(t *testing.T) {
	cfg, err := Load("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	var zones []string
	for _, s := range cfg.Sources {
		if !slices.Contains(zones, s.Timezone) {
			zones = append(zones, s.Timezone)
		}
	}
	wantOffset := map[string]int{ // seconds east of UTC in mid-2025
		"Asia/Almaty":     5 * 3600,
		"Asia/Baku":       4 * 3600,
		"Asia/Bishkek":    6 * 3600,
		"Asia/Shanghai":   8 * 3600,
		"Asia/Tbilisi":    4 * 3600,
		"Europe/Istanbul": 3 * 3600,
	}
	for _, z := range zones {
		t.Run(z, func(t *testing.T) {
			want, ok := wantOffset[z]
			if !ok {
				t.Fatalf("zone %q used by a shipped source has no expected offset here", z)
			}
			loc, err := time.LoadLocation(z)
			if err != nil {
				t.Fatal(err)
			}
			_, off := time.Date(2025, 7, 1, 12, 0, 0, 0, loc).Zone()
			if off != want {
				t.Errorf("%s is UTC%+d in July 2025, want UTC%+d (tzdata too old?)", z, off/3600, want/3600)
			}
		})
	}
}

// TestParseBoundsHostileText checks that text built to make the TOML
// decoder slow (it is quadratic in nesting depth) or the message huge is
// refused quickly.
func TestParseBoundsHostileText(t *testing.T) {
	var manyUnknown strings.Builder
	for i := range 500 {
		fmt.Fprintf(&manyUnknown, "unknown%d = 1\n", i)
	}
	tests := []struct {
		name string
		text string
		want string
	}{
		{"deep arrays", "a = " + strings.Repeat("[", 200000), "nested deeper than"},
		{"deep inline tables", "a = " + strings.Repeat("{b=", 200000), "nested deeper than"},
		{"too large", "# " + strings.Repeat("x", MaxConfigSize) + "\n", "larger than"},
		{"many unknown keys", manyUnknown.String(), "more)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Parse([]byte(tt.text), "hostile.toml")
				done <- err
			}()
			select {
			case err := <-done:
				if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.want) {
					t.Errorf("Parse = %v, want an EINVALID error containing %q", err, tt.want)
				}
				if len(ErrorMessage(err)) > 4096 {
					t.Errorf("message is %d bytes long", len(ErrorMessage(err)))
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Parse still running after 10s")
			}
		})
	}
}

// TestParseNestingIgnoresStringsAndComments checks that brackets in strings,
// multi-line strings and comments do not count as nesting.
func TestParseNestingIgnoresStringsAndComments(t *testing.T) {
	deep := strings.Repeat("[", MaxConfigNesting+5)
	text := validBase + "\n# " + deep + "\n[[topic]]\nname = \"pipeline\"\n  [topic.terms]\n  en = [\"" + deep + "\", '" + deep + "', '''\n" + deep + "\n''', \"\"\"\n" + deep + "\"\"\"]\n"
	if _, err := Parse([]byte(text), "test.toml"); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if line := nestingOver([]byte("a = 1\nb = "+deep+"\n"), MaxConfigNesting); line != 2 {
		t.Errorf("nestingOver reported line %d, want 2", line)
	}
}

// TestConfigShippedListingSelectors runs the shipped listing selectors on
// small pages shaped like the markup docs/sources.md describes, to catch
// selectors that parse but cannot match (a group cut at its comma, an
// attribute test on the wrong attribute).
func TestConfigShippedListingSelectors(t *testing.T) {
	cfg, err := Load("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		source    string
		page      string
		wantLinks int
		wantNext  int
	}{
		{
			source: "akorda",
			page: `<div class="list-block"><div class="list-block-title"><a href="/en/head-of-state-holds-talks-1234567">Talks</a></div></div>
<div class="list-block"><div class="list-block-title"><a href="/en/president-signs-law-1234568">Law</a></div></div>
<ul class="pagination"><li><a href="/en/events?page=1">1</a></li><li class="next"><a href="/en/events?page=2">next</a></li></ul>`,
			wantLinks: 2, wantNext: 1,
		},
		{
			source:    "akorda",
			page:      `<div class="list-block-title"><a href="/en/x-1">x</a></div><a rel="next" href="/en/events?page=2">»</a>`,
			wantLinks: 1, wantNext: 1,
		},
		{
			source: "mfa-cn",
			page: `<ul><li><a href="./202607/t20260728_11993800.html">Foreign Ministry Spokesperson's Regular Press Conference on July 28, 2026</a></li>
<li><a href="../../../">Home</a></li><li><a href="index_1.html">Next</a></li></ul>`,
			wantLinks: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			s := cfg.FindSource(tt.source)
			if s == nil || len(s.Listings) == 0 {
				t.Fatalf("no listing for source %q", tt.source)
			}
			doc, err := html.Parse(strings.NewReader(tt.page))
			if err != nil {
				t.Fatal(err)
			}
			l := &s.Listings[0]
			if got := len(l.LinksSelector().MatchAll(doc)); got != tt.wantLinks {
				t.Errorf("links selector %q matched %d elements, want %d", l.Links, got, tt.wantLinks)
			}
			if l.NextSelector() != nil || tt.wantNext > 0 {
				if l.NextSelector() == nil {
					t.Fatalf("no next selector, want one matching %d", tt.wantNext)
				}
				if got := len(l.NextSelector().MatchAll(doc)); got != tt.wantNext {
					t.Errorf("next selector %q matched %d elements, want %d", l.Next, got, tt.wantNext)
				}
			}
		})
	}
}

func TestParseAcceptsSharedFrontier(t *testing.T) {
	text := strings.Replace(validBase, `delay = "1s"`, "delay = \"1s\"\nredis = \"redis://:pw@127.0.0.1:6379/2\"\nredis_prefix = \"nm-prod:\"\nlease = \"10s\"", 1)
	cfg, err := Parse([]byte(text), "test.toml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Crawler.Redis != "redis://:pw@127.0.0.1:6379/2" || cfg.Crawler.RedisPrefix != "nm-prod:" || cfg.Crawler.Lease != Duration(10*time.Second) {
		t.Errorf("crawler = %+v", cfg.Crawler)
	}
	def := DefaultConfig().Crawler
	if def.Redis != "" || def.RedisPrefix != "newsmon:" || def.Lease != Duration(30*time.Second) {
		t.Errorf("defaults: redis %q, prefix %q, lease %v", def.Redis, def.RedisPrefix, def.Lease)
	}
}

// The cluster example of deploy/ must stay a valid configuration with the
// keys the README describes.
func TestDeployClusterExampleIsValid(t *testing.T) {
	data, err := os.ReadFile("deploy/cluster.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(data, "deploy/cluster.toml")
	if err != nil {
		t.Fatalf("deploy/cluster.toml: %v", err)
	}
	if !strings.HasPrefix(cfg.Store.DSN, "postgres://") || !strings.HasPrefix(cfg.Crawler.Redis, "rediss://") ||
		cfg.Web.TokenEnv == "" || cfg.Crawler.RedisPrefix != "newsmon:" {
		t.Fatalf("deploy/cluster.toml parsed as store %+v crawler.redis %q prefix %q web %+v",
			cfg.Store, cfg.Crawler.Redis, cfg.Crawler.RedisPrefix, cfg.Web)
	}
}

func TestIsPostgresDSN(t *testing.T) {
	for dsn, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://h/db?sslmode=disable": true,
		"mysql://h/db": false, "newsmon.db": false, "": false, "Postgres://h/db": false,
	} {
		if got := IsPostgresDSN(dsn); got != want {
			t.Errorf("IsPostgresDSN(%q) = %v, want %v", dsn, got, want)
		}
	}
}
