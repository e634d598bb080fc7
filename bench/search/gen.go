package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

// genVersion names the generator's output: the cached store is rebuilt
// when it changes. Change it with any change to what gen.go writes.
const genVersion = "g2"

// The corpus spans two years, ending on a fixed day so that every build
// writes the same articles.
var (
	corpusEnd   = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	corpusStart = corpusEnd.AddDate(-2, 0, 0)
)

// source is an outlet of the generated corpus.
type source struct {
	name   string
	lang   string
	weight int
}

var sources = []source{
	{"astanatimes", "en", 14}, {"kazinform", "en", 12}, {"kazinform-ru", "ru", 8},
	{"trend", "en", 12}, {"apa", "en", 10}, {"azertac", "en", 6}, {"akorda", "en", 3},
	{"mfa-az", "en", 2}, {"aa", "tr", 8}, {"agenda-ge", "en", 6}, {"tass", "ru", 9},
	{"xinhua", "en", 10},
}

// Planted terms: their share of documents is set here, not left to the
// Zipf draw, so the query classes hit the document frequencies they name.
// The country, port and topic names are left out of the Zipf vocabulary.
const (
	// kazakhstanShare of the English documents name Kazakhstan, 60% of
	// all documents; the others name it in their language less often.
	kazakhstanShare      = 0.80
	kazakhstanShareOther = 0.30
	pipelineShare        = 0.10 // "pipeline" (English documents only: 0.10 overall)
	aktauShare           = 0.12
	phraseShare          = 0.04 // "Middle Corridor"
	agreementShare       = 0.03 // an agreement event
	undatedShare         = 0.02 // no published date
	backfillShare        = 0.05 // stored long after publication
)

// rareTerms each appear in a few dozen documents.
var rareTerms = []string{"Zhanaozen", "Turkmenbashi", "Anaklia", "Kuryk", "Khorgos", "Alyat", "Baikonur", "Mangystau"}

const rareShare = 0.0002 // ≈ 40 documents each of 200,000

var (
	countries = []string{"Azerbaijan", "Georgia", "Türkiye", "China", "Uzbekistan", "Turkmenistan", "Russia",
		"Iran", "Armenia", "Kyrgyzstan", "Tajikistan", "Mongolia", "Pakistan", "India", "Germany", "Poland"}
	ports       = []string{"Baku", "Alat", "Poti", "Batumi", "Constanta", "Mersin", "Samsun", "Lianyungang", "Xi'an", "Almaty"}
	instruments = []string{"memorandum", "agreement", "roadmap", "protocol", "contract", "fund"}
	statuses    = []string{newsmon.StatusSigned, newsmon.StatusSigned, newsmon.StatusPlanned, newsmon.StatusRatified, newsmon.StatusMentioned}
)

// Function words by language, most frequent first; made-up content words
// follow them in each vocabulary.
var functionWords = map[string][]string{
	"en": strings.Fields(`the of and to in a for on that is said with was by as at from it has be are have
		will its an were not this which but their they been also more after who one year government minister
		president project railway port oil gas energy trade transport cargo container route ministry cooperation
		development investment billion million percent country countries region regional international national
		foreign economic security border capital meeting talks signed deputy official officials company companies
		bank construction capacity tonnes freight terminal logistics shipping sea caspian black central asia europe
		customs tariff infrastructure electricity cable grid renewable solar wind water agriculture wheat export
		import growth market prices week month day today yesterday statement spokesman according reported agency
		news summit visit delegation parliament law plans new first last two three next second over under between
		through during against about into would could should may can must all other such only middle corridor`),
	"ru": strings.Fields(`в и на с по что не для о от из к это как года его также был было будет которые
		министр президент проект порт нефть газ энергетика торговля транспорт груз контейнер маршрут министерство
		сотрудничество развитие инвестиции миллиард миллион процентов страна страны регион международный
		национальный экономический граница столица встреча переговоры подписали заместитель компания банк
		строительство мощность тонн терминал логистика море каспийское центральная азия европа таможня тариф`),
	"tr": strings.Fields(`ve bir bu da de için ile olarak en çok daha sonra kadar gibi olan yeni yıl bakan
		cumhurbaşkanı proje liman petrol gaz enerji ticaret taşımacılık yük konteyner güzergah bakanlık işbirliği
		kalkınma yatırım milyar milyon yüzde ülke bölge uluslararası ulusal dış ekonomik sınır başkent toplantı
		görüşme imzaladı şirket banka inşaat kapasite ton terminal lojistik deniz hazar orta asya avrupa gümrük`),
}

var syllables = map[string][]string{
	"en": strings.Fields("ka ra li to me sa an or ul bek ist ov ev in ash ta gor vi du ne pro con ter mar sel"),
	"ru": strings.Fields("ка ра ли то ме са ан ор ул бек ист ов ев ин аш та гор ви ду не про кон тер мар сел"),
	"tr": strings.Fields("ka ra li to me sa an or ul bek is öv ev in aş ta gör vi dü ne pro kon ter mar sel"),
}

// localized names of the planted terms.
var (
	kazakhstanName = map[string]string{"en": "Kazakhstan", "ru": "Казахстан", "tr": "Kazakistan"}
	corridorName   = map[string]string{"en": "Middle Corridor", "ru": "Средний коридор", "tr": "Orta Koridor"}
	aktauName      = map[string]string{"en": "Aktau", "ru": "Актау", "tr": "Aktau"}
)

// vocabulary is a language's words, drawn with a Zipf distribution.
type vocabulary struct {
	words []string
}

func newVocabulary(lang string, seed uint64, extra int) *vocabulary {
	r := rand.New(rand.NewPCG(seed, 99))
	v := &vocabulary{words: append([]string(nil), functionWords[lang]...)}
	syl := syllables[lang]
	seen := make(map[string]bool)
	for _, w := range v.words {
		seen[w] = true
	}
	for len(v.words) < len(functionWords[lang])+extra {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			v.words = append(v.words, w)
		}
	}
	return v
}

var vocabularies = map[string]*vocabulary{
	"en": newVocabulary("en", 1, 40000),
	"ru": newVocabulary("ru", 2, 30000),
	"tr": newVocabulary("tr", 3, 20000),
}

// generator writes article i of the corpus; the same i always gives the
// same article.
type generator struct {
	n       int
	weights int
}

func newGenerator(n int) *generator {
	g := &generator{n: n}
	for _, s := range sources {
		g.weights += s.weight
	}
	return g
}

func (g *generator) pickSource(r *rand.Rand) source {
	x := r.IntN(g.weights)
	for _, s := range sources {
		if x < s.weight {
			return s
		}
		x -= s.weight
	}
	return sources[0]
}

// textBuilder writes an article's text and records the mentions of
// planted terms at their byte offsets.
type textBuilder struct {
	b         strings.Builder
	mentions  []newsmon.Mention
	sentStart int
}

func (t *textBuilder) word(w string, first bool) {
	if first {
		w = capitalize(w)
	}
	t.b.WriteString(w)
}

// capitalize upper-cases the first letter of w, in any script.
func capitalize(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

func (t *textBuilder) mention(topic, term, text string) {
	start := t.b.Len()
	t.b.WriteString(text)
	t.mentions = append(t.mentions, newsmon.Mention{Topic: topic, Term: term, Matched: text,
		Sentence: text, Start: start, End: start + len(text)})
}

// article returns article i.
func (g *generator) article(i int) *newsmon.Article {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	src := g.pickSource(r)
	lang := src.lang
	voc := vocabularies[lang]
	zipf := rand.NewZipf(r, 1.07, 3, uint64(len(voc.words)-1))

	// Planted terms of this document.
	hasKZ := r.Float64() < kazakhstanShareOther
	if lang == "en" {
		hasKZ = r.Float64() < kazakhstanShare
	}
	hasPipe := lang == "en" && r.Float64() < pipelineShare/0.75 // English is 75% of documents
	hasAktau := r.Float64() < aktauShare
	hasPhrase := r.Float64() < phraseShare
	var rare []string
	for _, w := range rareTerms {
		if r.Float64() < rareShare {
			rare = append(rare, w)
		}
	}
	type plant struct{ topic, term, text string }
	var plants []plant
	if hasKZ {
		for range 1 + r.IntN(5) {
			plants = append(plants, plant{"", "", kazakhstanName[lang]})
		}
	}
	if hasPipe {
		for range 1 + r.IntN(4) {
			plants = append(plants, plant{"pipeline", "pipeline", "pipeline"})
		}
	}
	if hasAktau {
		for range 1 + r.IntN(3) {
			plants = append(plants, plant{"port", "Aktau", aktauName[lang]})
		}
	}
	if hasPhrase {
		for range 1 + r.IntN(3) {
			plants = append(plants, plant{"corridor", corridorName[lang], corridorName[lang]})
		}
	}
	for _, w := range rare {
		plants = append(plants, plant{"", "", w})
	}
	for range r.IntN(4) {
		plants = append(plants, plant{"", "", countries[r.IntN(len(countries))]})
	}
	for range r.IntN(3) {
		plants = append(plants, plant{"", "", ports[r.IntN(len(ports))]})
	}

	words := 400 + r.IntN(501)
	var t textBuilder
	t.b.Grow(words * 8)
	sentence := 0
	for w := 0; w < words; w++ {
		first := sentence == 0
		if len(plants) > 0 && r.IntN(words/len(plants)+1) == 0 {
			p := plants[len(plants)-1]
			plants = plants[:len(plants)-1]
			if p.topic != "" {
				t.mention(p.topic, p.term, p.text)
			} else {
				t.b.WriteString(p.text)
			}
		} else {
			t.word(voc.words[zipf.Uint64()], first)
		}
		sentence++
		switch {
		case sentence > 8 && r.IntN(12) == 0:
			sentence = 0
			if r.IntN(5) == 0 {
				t.b.WriteString(".\n\n")
				continue
			}
			t.b.WriteString(".")
		case r.IntN(15) == 0:
			t.b.WriteString(",")
		}
		t.b.WriteString(" ")
	}
	// Whatever was not placed goes in a closing sentence.
	for _, p := range plants {
		if p.topic != "" {
			t.mention(p.topic, p.term, p.text)
		} else {
			t.b.WriteString(p.text)
		}
		t.b.WriteString(" ")
	}

	a := &newsmon.Article{
		Source: src.name, Language: lang, IsArticle: true,
		SiteName: src.name, PublishedSource: "json-ld",
	}
	if r.Float64() < agreementShare {
		parties := []string{"Kazakhstan", countries[r.IntN(len(countries))]}
		if r.IntN(3) == 0 {
			parties[0] = countries[r.IntN(len(countries))]
		}
		if parties[0] == parties[1] {
			parties = parties[:1]
		}
		instr := instruments[r.IntN(len(instruments))]
		sentence := fmt.Sprintf("%s and %s signed a %s on transit cooperation.", parties[0], parties[len(parties)-1], instr)
		t.b.WriteString("\n\n")
		t.mention("agreement", instr, sentence)
		a.Agreements = []newsmon.Agreement{{Instrument: instr, Status: statuses[r.IntN(len(statuses))],
			Parties: parties, Sentence: sentence}}
	}
	a.Text = strings.TrimSpace(t.b.String())
	a.Mentions = t.mentions
	for _, m := range t.mentions {
		if m.End > len(a.Text) {
			a.Mentions = nil // never: TrimSpace cuts only the end
			break
		}
	}

	// The title: a few words and often a planted name.
	var title strings.Builder
	for j := range 5 + r.IntN(7) {
		if j > 0 {
			title.WriteByte(' ')
		}
		w := voc.words[zipf.Uint64()]
		if j == 0 {
			w = capitalize(w)
		}
		title.WriteString(w)
	}
	switch {
	case hasPhrase && r.IntN(3) == 0:
		title.WriteString(" " + corridorName[lang])
	case hasKZ && r.IntN(3) == 0:
		title.WriteString(" " + kazakhstanName[lang])
	case hasPipe && r.IntN(3) == 0:
		title.WriteString(" pipeline")
	}
	a.Title = title.String()

	// Stored in publication order, as a crawler finds news, but some
	// articles are found long after they appeared.
	span := corpusEnd.Sub(corpusStart)
	pub := corpusStart.Add(time.Duration(float64(span) * float64(i) / float64(g.n)))
	pub = pub.Add(time.Duration(r.Int64N(int64(6 * time.Hour))))
	if r.Float64() < backfillShare {
		pub = pub.Add(-time.Duration(r.Int64N(int64(span / 2))))
		if pub.Before(corpusStart) {
			pub = corpusStart.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		}
	}
	if r.Float64() >= undatedShare {
		a.Published = &pub
	}
	a.URL = fmt.Sprintf("https://%s.example/%s/article-%d/", src.name, pub.Format("2006/01"), i)
	a.CanonicalURL = a.URL
	return a
}
