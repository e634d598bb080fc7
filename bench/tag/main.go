// Command tag measures the speed of topic and agreement tagging
// (extract.Tagger, one core) over generated English and Russian news text,
// with the dictionaries of config.toml (topics and the [[party]] gazetteer)
// and with a dictionary ten times as large (every term and alias joined by
// nine made-up ones of the same shape and script), and prints the figures
// as JSON.
//
// The baseline runs on the same text in the same process: LC_ALL=C grep
// -F -i -c -f TERMS, with the topics' terms (and with the 10x terms for
// the 10x dictionary); grep in the C.UTF-8 locale is measured too. The
// C locale folds ASCII only, so grep does less there than the tagger,
// which folds Latin and Cyrillic case and diacritics, checks word
// boundaries, inflection and exclusions, and finds agreement events.
// Rounds interleave the measurements, and each figure is the best of
// -rounds runs: other processes on the machine only ever make a run slower.
//
// Usage: go run ./bench/tag [-config config.toml] [-mb 200] [-rounds 3] [-corpus dir] [-grep grep] [-procs 1] [-cpuprofile f] [-cpuprofile10x f]
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/extract"
)

// Generated text: sentences assembled from these fragments, about one in
// six holding a dictionary term, the rest ordinary news prose.
var (
	enSubjects = []string{"The ministry", "Officials in Astana", "The delegation", "Port operators", "The railway company",
		"Analysts", "The government", "Exporters", "Logistics firms", "The regional office"}
	enVerbs   = []string{"reported", "discussed", "announced", "reviewed", "expected", "noted", "outlined", "welcomed"}
	enObjects = []string{"new cargo volumes at the port of Aktau", "higher container traffic this quarter",
		"the modernisation of border crossings", "a shortage of rolling stock", "rising freight tariffs",
		"the schedule of ferry departures", "investment in warehouses", "customs procedures at the frontier"}
	enTerms = []string{"the Middle Corridor", "the Trans-Caspian International Transport Route", "the BTC pipeline",
		"a memorandum of understanding", "a new transport corridor", "the Caspian Pipeline Consortium",
		"an intergovernmental agreement", "the TITR", "oil pipelines", "a joint venture"}
	ruSubjects = []string{"Министерство", "Делегация", "Операторы порта", "Железнодорожная компания", "Эксперты",
		"Правительство", "Экспортёры", "Логистические компании"}
	ruVerbs   = []string{"сообщили о", "обсудили", "объявили о", "рассмотрели", "отметили"}
	ruObjects = []string{"росте грузоперевозок через порт Актау", "модернизации пограничных переходов",
		"нехватке подвижного состава", "повышении тарифов", "расписании паромов", "инвестициях в склады"}
	ruTerms = []string{"развитии Среднего коридора", "Транскаспийском международном транспортном маршруте",
		"соглашения о сотрудничестве", "нефтепровода Баку-Тбилиси-Джейхан", "меморандуме о взаимопонимании",
		"транспортных коридорах", "ТМТМ", "газопроводе"}
)

func sentence(r *rand.Rand, ru bool) string {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	if ru {
		obj := pick(ruObjects)
		if r.IntN(6) == 0 {
			obj = pick(ruTerms)
		}
		return pick(ruSubjects) + " " + pick(ruVerbs) + " " + obj + " в " + fmt.Sprint(2015+r.IntN(10)) + " году."
	}
	obj := pick(enObjects)
	if r.IntN(6) == 0 {
		obj = pick(enTerms)
	}
	return pick(enSubjects) + " " + pick(enVerbs) + " " + obj + " on " + fmt.Sprint(1+r.IntN(28)) + " March."
}

func document(r *rand.Rand, size int) string {
	var b strings.Builder
	ru := r.IntN(2) == 0
	for b.Len() < size {
		for i := 0; i < 4; i++ {
			b.WriteString(sentence(r, ru))
			b.WriteByte(' ')
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// tenfold returns topics and parties with nine made-up terms (aliases)
// beside every real one: the real words with one replaced or joined by a
// made-up word in the same script, so that the dictionary grows in the
// prefixes real text walks into, not only in words it never holds.
func tenfold(topics []newsmon.Topic, parties []newsmon.Party) ([]newsmon.Topic, []newsmon.Party) {
	r := rand.New(rand.NewPCG(3, 4))
	latin := []string{"ka", "ro", "ve", "lin", "dar", "mo", "sta", "ter", "vol", "nik", "sa", "pel", "tor", "ben", "ga"}
	cyr := []string{"ка", "ро", "ве", "лин", "дар", "мо", "ста", "тер", "вол", "ник", "са", "пел", "тор", "бен", "га"}
	word := func(like string) string {
		syl := latin
		for _, c := range like {
			if c >= 0x400 && c < 0x530 {
				syl = cyr
				break
			}
		}
		w := ""
		for n := 2 + r.IntN(3); n > 0; n-- {
			w += syl[r.IntN(len(syl))]
		}
		// The last syllable is no syllable of either language ("ж"
		// is never followed by "ы" in Russian), so that a made-up word
		// is never a word of the text, nor its stem one inflected:
		// "ро"+"ста" matched "росте" in every Russian document, and the
		// 10x dictionary then found thousands more parties than the
		// real one, measuring more output rather than a bigger
		// dictionary.
		if syl[0] == cyr[0] {
			return w + "жы"
		}
		return w + "qz"
	}
	variants := func(term string) []string {
		phrase, ctx, hasCtx := strings.Cut(term, "|")
		words := strings.Fields(phrase)
		if len(words) == 0 {
			return nil
		}
		out := make([]string, 0, 9)
		for k := 0; k < 9; k++ {
			ws := append([]string(nil), words...)
			switch k % 3 {
			case 0: // a made-up word before the term's last word
				ws = append(ws[:len(ws)-1:len(ws)-1], word(ws[0]), ws[len(ws)-1])
			case 1: // the first word replaced
				ws[0] = word(ws[0])
			default: // the term's words with a made-up ending on the last
				ws[len(ws)-1] = ws[len(ws)-1] + word(ws[0])
			}
			v := strings.Join(ws, " ")
			if hasCtx {
				v += " |" + ctx
			}
			out = append(out, v)
		}
		return out
	}
	var ts []newsmon.Topic
	for _, t := range topics {
		big := newsmon.Topic{Name: t.Name, Terms: map[string][]string{}, Exclude: t.Exclude}
		for _, lang := range slices.Sorted(maps.Keys(t.Terms)) {
			for _, term := range t.Terms[lang] {
				big.Terms[lang] = append(append(big.Terms[lang], term), variants(term)...)
			}
		}
		ts = append(ts, big)
	}
	ps := append([]newsmon.Party(nil), parties...)
	for i, p := range parties {
		for k := 0; k < 9; k++ {
			fake := newsmon.Party{Name: fmt.Sprintf("%s %d", p.Name, k), Kind: p.Kind, Aliases: map[string][]string{}}
			for _, lang := range slices.Sorted(maps.Keys(p.Aliases)) {
				for _, a := range p.Aliases[lang] {
					a = strings.TrimPrefix(a, "=")
					fake.Aliases[lang] = append(fake.Aliases[lang], variants(a)[k])
				}
			}
			ps = append(ps, fake)
		}
		_ = i
	}
	return ts, ps
}

// dictionarySize counts the terms of topics and the aliases of parties.
func dictionarySize(topics []newsmon.Topic, parties []newsmon.Party) (terms, aliases int) {
	for _, t := range topics {
		for _, ts := range t.Terms {
			terms += len(ts)
		}
	}
	for _, p := range parties {
		for _, as := range p.Aliases {
			aliases += len(as)
		}
	}
	return terms, aliases
}

// grepTerms returns the topics' terms as grep -F -i takes them: lower
// case, without context words.
func grepTerms(topics []newsmon.Topic) []string {
	var terms []string
	for _, t := range topics {
		for _, ts := range t.Terms {
			for _, term := range ts {
				term, _, _ = strings.Cut(term, "|")
				terms = append(terms, strings.ToLower(strings.TrimSpace(term)))
			}
		}
	}
	return terms
}

// corpusParagraphs returns the paragraphs of the English and Russian
// documents of the labelled set under dir (the text after the "---" line
// of each file): news prose in several outlets' styles, most of it about
// the topics, some of it not.
func corpusParagraphs(dir string) ([]string, error) {
	var files []string
	for _, pat := range []string{"*/en-*.txt", "*/ru-*.txt"} {
		fs, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no en-*.txt or ru-*.txt documents under %s", dir)
	}
	var paras []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		_, text, ok := strings.Cut(string(data), "\n---\n")
		if !ok {
			continue
		}
		for _, p := range strings.Split(text, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				paras = append(paras, p)
			}
		}
	}
	return paras, nil
}

// sampledDocument joins paragraphs drawn at random into a document of
// about size bytes.
func sampledDocument(r *rand.Rand, paras []string, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(paras[r.IntN(len(paras))])
		b.WriteString("\n\n")
	}
	return b.String()
}

func main() {
	configPath := flag.String("config", "config.toml", "configuration with the topics and parties")
	mb := flag.Int("mb", 200, "megabytes of text to tag")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the tagging (default dictionary) to this file")
	cpuProfile10 := flag.String("cpuprofile10x", "", "write a CPU profile of the tagging with the 10x dictionary to this file")
	rounds := flag.Int("rounds", 3, "runs of each measurement; the best counts")
	procs := flag.Int("procs", 1, "GOMAXPROCS: tagging runs on one goroutine; 1 keeps the collector on the same core")
	grepPath := flag.String("grep", "grep", "grep to compare with (grep -F -i -c over the same text); empty to skip")
	corpus := flag.String("corpus", "", "a folder whose */en-*.txt and */ru-*.txt news (such as extract/testdata/labelled) are sampled by paragraph; empty for generated sentences")
	flag.Parse()
	runtime.GOMAXPROCS(*procs)
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "bench/tag:", err)
		os.Exit(1)
	}
	cfg, err := newsmon.Load(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/tag:", err)
		os.Exit(2)
	}
	tagger, err := extract.NewTaggerWithParties(cfg.Topics, cfg.Parties)
	if err != nil {
		fail(err)
	}
	bigTopics, bigParties := tenfold(cfg.Topics, cfg.Parties)
	bigTagger, err := extract.NewTaggerWithParties(bigTopics, bigParties)
	if err != nil {
		fail(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var paras []string
	if *corpus != "" {
		if paras, err = corpusParagraphs(*corpus); err != nil {
			fail(err)
		}
	}
	var docs []string
	total := 0
	for total < *mb<<20 {
		var d string
		if len(paras) > 0 {
			d = sampledDocument(r, paras, 2000+r.IntN(6000))
		} else {
			d = document(r, 2000+r.IntN(6000))
		}
		docs = append(docs, d)
		total += len(d)
	}

	type result struct{ mentions, agreements int }
	tagAll := func(tg *extract.Tagger) result {
		var res result
		for _, d := range docs {
			a := &newsmon.Article{Title: "Weekly transport review", Text: d}
			tg.Tag(a)
			res.mentions += len(a.Mentions)
			res.agreements += len(a.Agreements)
		}
		return res
	}
	timed := func(best *time.Duration, run func()) {
		start := time.Now()
		run()
		if d := time.Since(start); *best == 0 || d < *best {
			*best = d
		}
	}

	var grepC, grepC10, grepUTF8, grepO *grepRun
	if *grepPath != "" {
		dir, err := os.MkdirTemp("", "bench-tag")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(dir)
		text := filepath.Join(dir, "text")
		if err := os.WriteFile(text, []byte(strings.Join(docs, "")), 0o600); err != nil {
			fail(err)
		}
		grepC, err = newGrepRun(*grepPath, dir, "terms", text, "C", grepTerms(cfg.Topics))
		if err == nil {
			grepC10, err = newGrepRun(*grepPath, dir, "terms10", text, "C", grepTerms(bigTopics))
		}
		if err == nil {
			grepUTF8, err = newGrepRun(*grepPath, dir, "terms", text, "C.UTF-8", grepTerms(cfg.Topics))
		}
		if err == nil {
			grepO, err = newGrepRun(*grepPath, dir, "terms", text, "C", grepTerms(cfg.Topics))
			grepO.mode = "-o"
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/tag: grep not measured:", err)
			grepC, grepC10, grepUTF8, grepO = nil, nil, nil, nil
		}
	}

	var tagBest, bigBest, grepBest, grep10Best, grepUTF8Best, grepOBest time.Duration
	var res, bigRes result
	for i := 0; i < *rounds; i++ {
		if i == 0 && *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				fail(err)
			}
			pprof.StartCPUProfile(f)
		}
		timed(&tagBest, func() { res = tagAll(tagger) })
		if i == 0 && *cpuProfile != "" {
			pprof.StopCPUProfile()
		}
		if i == 0 && *cpuProfile10 != "" {
			f, err := os.Create(*cpuProfile10)
			if err != nil {
				fail(err)
			}
			pprof.StartCPUProfile(f)
		}
		timed(&bigBest, func() { bigRes = tagAll(bigTagger) })
		if i == 0 && *cpuProfile10 != "" {
			pprof.StopCPUProfile()
		}
		if grepC != nil {
			timed(&grepBest, grepC.run)
			timed(&grep10Best, grepC10.run)
			timed(&grepOBest, grepO.run)
			if i == 0 {
				timed(&grepUTF8Best, grepUTF8.run) // slow, and only for information
			}
		}
	}

	mbps := func(d time.Duration) float64 { return float64(total) / (1 << 20) / d.Seconds() }
	terms, aliases := dictionarySize(cfg.Topics, cfg.Parties)
	bigTerms, bigAliases := dictionarySize(bigTopics, bigParties)
	out := map[string]any{
		"corpus":                  cmp.Or(*corpus, "generated"),
		"bytes":                   total,
		"documents":               len(docs),
		"procs":                   *procs,
		"rounds":                  *rounds,
		"terms":                   terms,
		"party_aliases":           aliases,
		"terms_10x":               bigTerms,
		"party_aliases_10x":       bigAliases,
		"mentions":                res.mentions,
		"agreements":              res.agreements,
		"mentions_10x":            bigRes.mentions,
		"agreements_10x":          bigRes.agreements,
		"tag_mb_per_s":            mbps(tagBest),
		"tag_10x_mb_per_s":        mbps(bigBest),
		"tag_10x_vs_tag_per_byte": tagBest.Seconds() / bigBest.Seconds(),
	}
	if grepC != nil {
		out["grep_F_i_c_C_mb_per_s"] = mbps(grepBest)
		out["grep_F_i_c_C_10x_mb_per_s"] = mbps(grep10Best)
		out["grep_F_i_c_C_UTF8_mb_per_s"] = mbps(grepUTF8Best)
		out["grep_F_i_o_C_mb_per_s"] = mbps(grepOBest)
		out["tag_vs_grep_o_C"] = grepOBest.Seconds() / tagBest.Seconds()
		out["tag_vs_grep_C"] = grepBest.Seconds() / tagBest.Seconds()
		out["tag_10x_vs_grep_C_10x"] = grep10Best.Seconds() / bigBest.Seconds()
		out["grep_failures"] = grepC.failed + grepC10.failed + grepO.failed
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// grepRun is one grep -F -i -c -f TERMS TEXT command in a locale; mode
// -o instead of -c prints every match, the work a tagger does, where -c
// may stop at the first match of each line.
type grepRun struct {
	path, terms, text, locale, mode string
	failed                          int
}

func newGrepRun(grep, dir, name, text, locale string, terms []string) (*grepRun, error) {
	path, err := exec.LookPath(grep)
	if err != nil {
		return nil, err
	}
	termFile := filepath.Join(dir, name)
	if err := os.WriteFile(termFile, []byte(strings.Join(terms, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	return &grepRun{path: path, terms: termFile, text: text, locale: locale, mode: "-c"}, nil
}

// run runs grep once; grep's exit status 1 (no line matched) is no failure.
func (g *grepRun) run() {
	cmd := exec.Command(g.path, "-F", "-i", g.mode, "-f", g.terms, g.text)
	cmd.Stdout = io.Discard
	cmd.Env = append(os.Environ(), "LC_ALL="+g.locale)
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			g.failed++
		}
	}
}
