package testsite

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Generated starts a single newsroom with n generated articles of realistic
// size (~60 KB pages in the newsroom's template), listed in a sitemap index
// with sitemaps of at most 1,000 URLs and in a feed of the newest 50.
// robots.txt allows everything; there are no traps and no delays. The text
// comes from a word chain learnt from this package's own newsroom articles,
// seeded by the article number, so every run serves the same site. Pages are
// rendered on request from small per-article state: nothing heavy is cached.
// Update does nothing on a generated site.
func Generated(n int) *Site {
	s := newSite()
	s.newsroom = newNewsroom(s, generatedNewsroom(n))
	s.listen(s.newsroom)
	return s
}

// GeneratedAt is Generated served on addr (such as "127.0.0.7:0"), so that
// a benchmark can give each of several sites a host of its own; on Linux
// every 127.x.y.z address reaches the loopback interface.
func GeneratedAt(n int, addr string) (*Site, error) {
	s := newSite()
	s.addr = addr
	s.newsroom = newNewsroom(s, generatedNewsroom(n))
	if err := s.listenErr(s.newsroom); err != nil {
		return nil, err
	}
	return s, nil
}

// wordChain is a first-order Markov chain over words: for every word, the
// words that follow it in the corpus. Words are numbered so that a walk costs
// no hashing.
type wordChain struct {
	words  []string
	next   [][]int32
	ends   []bool // the word ends a sentence
	starts []int32
}

func (c *wordChain) id(w string, ids map[string]int32) int32 {
	if i, ok := ids[w]; ok {
		return i
	}
	i := int32(len(c.words))
	ids[w] = i
	c.words = append(c.words, w)
	c.next = append(c.next, nil)
	c.ends = append(c.ends, strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!"))
	return i
}

// topicalRE finds sentences that name a topic (or the words that would make
// a generated text look as if it did); the chain learns from the others only,
// so that generated text is on no topic unless a topic sentence is added.
var topicalRE = regexp.MustCompile(`(?i)corridor|pipeline|agreement|memorand|treaty|contract|fund|signed|sign|accord|deal|\bBTC\b|\bCPC\b|TITR|Trans-Caspian|Ceyhan|TANAP|\bTAP\b|consortium`)

var (
	chainOnce sync.Once
	chain     *wordChain
)

func sharedChain() *wordChain {
	chainOnce.Do(func() {
		chain = &wordChain{}
		ids := map[string]int32{}
		for _, e := range parseEntries(mustRead("newsroom.txt")) {
			for _, b := range parseBlocks(e.body) {
				if b.kind != 'p' {
					continue
				}
				for _, sent := range splitSentences(b.text) {
					if topicalRE.MatchString(sent) {
						continue
					}
					words := strings.Fields(sent)
					if len(words) < 4 {
						continue
					}
					prev := chain.id(words[0], ids)
					chain.starts = append(chain.starts, prev)
					for _, w := range words[1:] {
						cur := chain.id(w, ids)
						chain.next[prev] = append(chain.next[prev], cur)
						prev = cur
					}
				}
			}
		}
	})
	return chain
}

func splitSentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(p); i++ {
		if (p[i] == '.' || p[i] == '?' || p[i] == '!') && p[i+1] == ' ' {
			out = append(out, strings.TrimSpace(p[start:i+1]))
			start = i + 2
		}
	}
	if rest := strings.TrimSpace(p[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// sentence walks the chain from a random start to a word ending a sentence,
// at most 40 words, and appends it to b.
func (c *wordChain) sentence(b *strings.Builder, r *rand.Rand) {
	w := c.starts[r.IntN(len(c.starts))]
	b.WriteString(c.words[w])
	for n := 1; n < 40 && !c.ends[w]; n++ {
		nx := c.next[w]
		if len(nx) == 0 {
			break
		}
		w = nx[r.IntN(len(nx))]
		b.WriteByte(' ')
		b.WriteString(c.words[w])
	}
	if !c.ends[w] {
		b.WriteByte('.')
	}
}

var topicSentences = map[string][]string{
	"corridor": {
		"Freight on the Middle Corridor grew again this quarter, according to the operators of the route.",
		"Officials called the Trans-Caspian International Transport Route a priority for the coming decade.",
		"Shippers said transit times on the Middle Corridor had fallen to about eighteen days.",
	},
	"pipeline": {
		"Loadings through the Baku-Tbilisi-Ceyhan pipeline continued without interruption, the operator said.",
		"The Caspian Pipeline Consortium reported steady loadings at its terminal near Novorossiysk.",
		"Kazakh crude shipped through the BTC pipeline is expected to rise next year.",
	},
	"agreement": {
		"The two governments signed an agreement on customs cooperation at the meeting.",
		"A memorandum of understanding on joint investment was signed in the capital on the same day.",
		"The ministers signed an intergovernmental agreement on transit tariffs.",
	},
}

var genAuthors = []string{"Aida Nazarbekova", "Dana Omarova", "Assel Satubaldina", "Yerbolat Uatkhanov", "Saniya Sakenova", "Zhanna Shayakhmetova", "Aibarshyn Akhmetkali", "Dilshat Zhussupova"}
var genCategories = []string{"nation", "economy", "business", "regions", "culture", "sports", "tech", "foreign-policy"}

func generatedNewsroom(n int) *nrContent {
	c := &nrContent{siteName: "The Astana Times", feedItems: 50, generated: true}
	ch := sharedChain()
	start := time.Date(2021, 1, 4, 9, 0, 0, 0, almaty)
	for i := 1; i <= n; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
		title := genTitle(ch, r)
		var topics []string
		for _, t := range []struct {
			name string
			mod  int
		}{{"agreement", 13}, {"corridor", 7}, {"pipeline", 11}} {
			if i%t.mod == 0 {
				topics = append(topics, t.name)
			}
		}
		pub := start.Add(time.Duration(i)*7*time.Hour + time.Duration(r.IntN(50))*time.Minute)
		slug := slugify(strings.Join(strings.Fields(title)[:min(7, len(strings.Fields(title)))], " "))
		a := &nrArticle{
			id:        200000 + i,
			slug:      fmt.Sprintf("%s-%d", slug, i),
			title:     title,
			author:    genAuthors[r.IntN(len(genAuthors))],
			category:  genCategories[r.IntN(len(genCategories))],
			published: pub,
			meta:      []string{"jsonld", "jsonld", "og", "byline"}[i%4],
			topics:    topics,
			photo:     "A view of the event. Photo credit: press service",
			comments:  i%5 == 0,
		}
		a.path = pub.In(almaty).Format("/2006/01/") + a.slug + "/"
		seed := uint64(i)
		a.gen = func() []block { return genBody(ch, seed, topics, 0) }
		a.excerpt = excerpt(genBody(ch, seed, nil, 1), 40)
		c.articles = append(c.articles, a)
	}
	return c
}

func genTitle(ch *wordChain, r *rand.Rand) string {
	var words []string
	for len(words) < 4 {
		var b strings.Builder
		ch.sentence(&b, r)
		words = append(words, strings.Fields(strings.TrimRight(b.String(), ".?!"))...)
	}
	// Drop a dateline ("AKTAU –"), which reads oddly in a headline.
	if len(words) > 6 && words[1] == "–" {
		words = words[2:]
	}
	if len(words) > 10 {
		words = words[:10]
	}
	t := strings.TrimRight(strings.Join(words, " "), ",;:")
	return strings.ToUpper(t[:1]) + t[1:]
}

// genBody builds the body of a generated article: 550-1,000 words in
// paragraphs of 3-6 sentences, with a subheading, and one sentence per
// topic placed in the second paragraph. maxParas > 0 stops early.
func genBody(ch *wordChain, seed uint64, topics []string, maxParas int) []block {
	r := rand.New(rand.NewPCG(seed, 0xb0d7))
	target := 550 + r.IntN(450)
	var out []block
	words := 0
	for words < target && (maxParas == 0 || len(out) < maxParas) {
		var b strings.Builder
		for k := 3 + r.IntN(4); k > 0; k-- {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			ch.sentence(&b, r)
		}
		if len(out) == 1 {
			for _, t := range topics {
				ts := topicSentences[t]
				b.WriteByte(' ')
				b.WriteString(ts[int(seed)%len(ts)])
			}
		}
		p := b.String()
		words += strings.Count(p, " ") + 1
		out = append(out, block{kind: 'p', text: p})
		if len(out) == 3 {
			out = append(out, block{kind: 'h', text: "What comes next"})
		}
	}
	return out
}
