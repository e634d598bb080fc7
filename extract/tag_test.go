package extract

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

// shippedTagger compiles the dictionaries of the shipped config.toml, so
// that what is tested is what users run.
func shippedTagger(t testing.TB) *Tagger {
	t.Helper()
	cfg, err := newsmon.Load("../config.toml")
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	tg, err := NewTaggerWithParties(cfg.Topics, cfg.Parties)
	if err != nil {
		t.Fatalf("NewTagger: %v", err)
	}
	return tg
}

// checkMentions checks the invariants every mention must keep.
func checkMentions(t *testing.T, a *newsmon.Article) {
	t.Helper()
	for _, m := range a.Mentions {
		if m.Start < 0 || m.End > len(a.Text) || m.Start >= m.End {
			t.Errorf("mention %+v: offsets outside the text (%d bytes)", m, len(a.Text))
			continue
		}
		if got := a.Text[m.Start:m.End]; got != m.Matched {
			t.Errorf("mention %+v: Text[Start:End] = %q, want Matched", m, got)
		}
		if !strings.Contains(m.Sentence, m.Matched) {
			t.Errorf("mention %q: sentence %q does not hold it", m.Matched, m.Sentence)
		}
	}
}

func mentionList(a *newsmon.Article) []string {
	var out []string
	for _, m := range a.Mentions {
		out = append(out, m.Topic+":"+m.Matched)
	}
	return out
}

func TestFoldString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower case", "MIDDLE Corridor", "middle corridor"},
		{"turkish dotted capital", "TÜRKİYE", "turkiye"},
		{"turkish dotless i", "Işık ılık", "isik ilik"},
		{"latin diacritics", "Türkiye Ağrı Çin Özbəkistan", "turkiye agri cin ozbekistan"},
		{"azerbaijani schwa", "Orta Dəhliz", "orta dehliz"},
		{"russian yo", "Договорённость", "договоренность"},
		{"cyrillic kept apart", "Қазақстан йод", "қазақстан йод"},
		{"dashes and hyphens", "Baku–Tbilisi—Ceyhan-Supsa", "baku tbilisi ceyhan supsa"},
		{"soft hyphen inside word", "Cor\u00ADridor", "corridor"},
		{"combining accent dropped", "Tu\u0308rkiye", "turkiye"},
		{"separator runs collapse", "  one ,  two\n\nthree  ", "one two three"},
		{"apostrophes split", "Kazakhstan’s Türkiye'nin", "kazakhstan s turkiye nin"},
		{"digits kept", "$300 million in 2024", "300 million in 2024"},
		{"nothing to fold", "", ""},
		{"only separators", " -–— ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := foldString(tt.in); got != tt.want {
				t.Errorf("foldString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldOffsets(t *testing.T) {
	tests := []struct{ name, in string }{
		{"english", "The Middle Corridor, also known as TITR, grew."},
		{"russian", "Среднего коридора — ТМТМ; «соглашение»."},
		{"mixed scripts", "Orta Dəhliz / Орта дәліз / TÜRKİYE"},
		{"invalid utf8", "abc\xff\xfedef \xc3 ghi"},
		{"marks and soft hyphens", "Cor\u00ADridor Tu\u0308rkiye\u0301 end"},
		{"paragraphs", "one\n\ntwo\n \nthree\nfour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f foldedText
			f.fold(tt.in)
			if f.buf[len(f.buf)-1] != ' ' {
				t.Fatalf("buf %q: want a final space", f.buf)
			}
			// Every folded word maps back to a source span that folds to it.
			for pos := 0; pos < len(f.buf)-1; {
				e := pos + strings.IndexByte(string(f.buf[pos:]), ' ')
				src := tt.in[f.origAt(int32(pos)):f.origAt(int32(e))]
				if got := foldString(src); got != string(f.buf[pos:e]) {
					t.Errorf("word %q maps to %q, which folds to %q", f.buf[pos:e], src, got)
				}
				pos = e + 1
			}
		})
	}
}

// TestFoldOffsetsGenerated checks the offset anchors over texts mixed
// from fragments that change, keep or drop bytes when folded.
func TestFoldOffsetsGenerated(t *testing.T) {
	fragments := []string{"Middle", "CORRIDOR", "Среднего", "КОРИДОРА", "Türkiye", "Dəhliz", "İŞIK", "ё",
		"Ⱥb", "ẞ", "x\u0301", "\u00AD", "\u200B", " ", "  ", " – ", "\n\n", ",", "’s", "\xff", "\xc3", "7", "日本"}
	r := rand.New(rand.NewPCG(7, 11))
	for n := 0; n < 300; n++ {
		var b strings.Builder
		for k := r.IntN(30); k >= 0; k-- {
			b.WriteString(fragments[r.IntN(len(fragments))])
		}
		in := b.String()
		var f foldedText
		f.fold(in)
		for pos := 0; pos < len(f.buf)-1; {
			e := pos + strings.IndexByte(string(f.buf[pos:]), ' ')
			src := in[f.origAt(int32(pos)):f.origAt(int32(e))]
			if got := foldString(src); got != string(f.buf[pos:e]) {
				t.Fatalf("text %q: word %q maps to %q, which folds to %q", in, f.buf[pos:e], src, got)
			}
			pos = e + 1
		}
	}
}

func TestFoldParagraphs(t *testing.T) {
	var f foldedText
	f.fold("alpha beta\n\ngamma\ndelta\n \n epsilon")
	var starts []string
	for _, p := range f.paras {
		e := strings.IndexByte(string(f.buf[p:]), ' ')
		starts = append(starts, string(f.buf[p:int(p)+e]))
	}
	if want := []string{"alpha", "gamma", "epsilon"}; !slices.Equal(starts, want) {
		t.Errorf("paragraphs start at %v, want %v", starts, want)
	}
}

func TestMentions(t *testing.T) {
	tg := shippedTagger(t)
	tests := []struct {
		name string
		text string
		want []string // topic:matched, in order
	}{
		{"case insensitive", "The middle corridor and the MIDDLE CORRIDOR.",
			[]string{"corridor:middle corridor", "corridor:MIDDLE CORRIDOR"}},
		{"word boundary", "TITRATION is chemistry; TITR is a route.", []string{"corridor:TITR"}},
		{"abbreviation needs capitals", "Titr is not written so.", nil},
		{"plural of abbreviation does not match", "Several CPCs met on crude oil exports.", nil},
		{"possessive abbreviation matches", "The CPC's terminal loaded crude oil.", []string{"pipeline:CPC"}},
		{"CPC without pipeline context", "The CPC Central Committee met in Beijing.", nil},
		{"CPC with pipeline context", "Oil exports via the CPC rose to 60 million tonnes.", []string{"pipeline:CPC"}},
		{"context in the same paragraph only", "The CPC met.\n\nCrude oil prices rose.", nil},
		{"BTC as bitcoin", "BTC rose above 60,000 dollars as traders bought bitcoin.", nil},
		{"BTC with oil context", "BTC carried Azeri crude to Ceyhan.", []string{"pipeline:BTC"}},
		{"tap water is no pipeline", "Residents complained about tap water.", nil},
		{"TAP with gas context", "TAP delivered gas to Italy.", []string{"pipeline:TAP"}},
		{"hyphen", "the Baku-Tbilisi-Ceyhan line", []string{"pipeline:Baku-Tbilisi-Ceyhan"}},
		{"en dash", "the Baku–Tbilisi–Ceyhan line", []string{"pipeline:Baku–Tbilisi–Ceyhan"}},
		{"spaces", "the Baku Tbilisi Ceyhan line", []string{"pipeline:Baku Tbilisi Ceyhan"}},
		{"english plurals", "Two agreements and three treaties.", []string{"agreement:agreements", "agreement:treaties"}},
		{"irregular plural", "The memoranda were long.", []string{"agreement:memoranda"}},
		{"russian genitive", "развитие Среднего коридора", []string{"corridor:Среднего коридора"}},
		{"russian instrumental", "по Средним коридором", []string{"corridor:Средним коридором"}},
		{"russian prepositional", "о Среднем коридоре", []string{"corridor:Среднем коридоре"}},
		{"russian agreement forms", "соглашения и соглашением", []string{"agreement:соглашения", "agreement:соглашением"}},
		{"russian abbreviation", "маршрут ТМТМ", []string{"corridor:ТМТМ"}},
		{"russian variant name", "эффективность Срединного коридора", []string{"corridor:Срединного коридора"}},
		{"abbreviation before a hyphenated suffix", "TITR-ის გასწვრივ", []string{"corridor:TITR"}},
		{"kazakh suffix", "Орта дәлізінің әлеуеті", []string{"corridor:Орта дәлізінің"}},
		{"kazakh agreement suffix", "келісімге қол қойылды", []string{"agreement:келісімге"}},
		{"azerbaijani suffix", "Orta Dəhlizin inkişafı", []string{"corridor:Orta Dəhlizin"}},
		{"azerbaijani without diacritics", "Orta Dehliz", []string{"corridor:Orta Dehliz"}},
		{"turkish suffix after apostrophe", "Orta Koridor'un önemi", []string{"corridor:Orta Koridor"}},
		{"turkish suffix", "Orta Koridorun önemi", []string{"corridor:Orta Koridorun"}},
		{"turkish capitals", "ORTA KORİDOR", []string{"corridor:ORTA KORİDOR"}},
		{"turkish dispute is no agreement", "taraflar arasındaki anlaşmazlık", nil},
		{"excluded: in the pipeline", "More reforms are in the pipeline.", nil},
		{"excluded: data pipeline", "The data pipeline failed.", nil},
		{"excluded: user agreement", "Read the user agreement.", nil},
		{"excluded: in agreement with", "We are in agreement with the plan.", nil},
		{"exclusion leaves other mentions", "A data pipeline and a gas pipeline.", []string{"pipeline:gas pipeline"}},
		{"longest mention wins", "the BTC pipeline", []string{"pipeline:BTC pipeline"}},
		{"several topics", "The memorandum covers the Middle Corridor and the TANAP pipeline.",
			[]string{"agreement:memorandum", "corridor:Middle Corridor", "pipeline:TANAP", "pipeline:pipeline"}},
		{"no mention", "Nothing relevant happened today.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &newsmon.Article{Text: tt.text}
			tg.Tag(a)
			if got := mentionList(a); !slices.Equal(got, tt.want) {
				t.Errorf("mentions = %q, want %q", got, tt.want)
			}
			checkMentions(t, a)
		})
	}
}

func TestExcludeOwnTopic(t *testing.T) {
	tg, err := NewTagger([]newsmon.Topic{
		{Name: "corridor", Terms: map[string][]string{"en": {"corridor"}},
			Exclude: map[string][]string{"en": {"corridor of power"}}},
		{Name: "power", Terms: map[string][]string{"en": {"power"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"excluded phrase", "a corridor of power", []string{"power:power"}},
		{"plural of the excluded phrase", "He walked the corridors of power.", []string{"power:power"}},
		{"term elsewhere counts", "A new corridor opened.", []string{"corridor:corridor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &newsmon.Article{Text: tt.text}
			tg.Tag(a)
			if got := mentionList(a); !slices.Equal(got, tt.want) {
				t.Errorf("mentions = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTitleMentions(t *testing.T) {
	tg := shippedTagger(t)
	tests := []struct {
		name, title, text string
		topics            []string
		mentions          int
	}{
		{"title only decides topics", "Middle Corridor cargo doubles", "Freight volumes rose.", []string{"corridor"}, 0},
		{"title and text", "Pipeline news", "The gas pipeline opened.", []string{"pipeline"}, 1},
		{"ambiguous title term with context in first paragraph", "CPC exports rise", "Crude oil shipments grew.\n\nOther news.", []string{"pipeline"}, 0},
		{"ambiguous title term without context", "CPC plenum opens", "Delegates gathered.", []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &newsmon.Article{Title: tt.title, Text: tt.text}
			tg.Tag(a)
			if !slices.Equal(a.Topics, tt.topics) {
				t.Errorf("topics = %q, want %q", a.Topics, tt.topics)
			}
			if len(a.Mentions) != tt.mentions {
				t.Errorf("%d mentions, want %d: %q", len(a.Mentions), tt.mentions, mentionList(a))
			}
			checkMentions(t, a)
		})
	}
}

func TestSentenceAt(t *testing.T) {
	tests := []struct {
		name, text, word, want string
	}{
		{"plain", "First one. Second corridor here. Third.", "corridor", "Second corridor here."},
		{"US abbreviation", "Talks with the U.S. delegation on the corridor went well. Next.", "corridor",
			"Talks with the U.S. delegation on the corridor went well."},
		{"dotted abbreviation not listed", "Ministers of the U.A.E. Government backed the corridor. Next.", "corridor",
			"Ministers of the U.A.E. Government backed the corridor."},
		{"title abbreviation", "Dr. Smith praised the corridor. Next.", "corridor", "Dr. Smith praised the corridor."},
		{"decimal number", "Shipments reached 1.5 million tons via the corridor. Next.", "corridor",
			"Shipments reached 1.5 million tons via the corridor."},
		{"initials", "J. K. Smith spoke about the corridor. Next.", "corridor", "J. K. Smith spoke about the corridor."},
		{"russian year abbreviation", "В 2024 г. Казахстан развивал коридор. Далее.", "коридор",
			"В 2024 г. Казахстан развивал коридор."},
		{"russian that is", "Маршрут, т.е. коридор, важен. Далее.", "коридор", "Маршрут, т.е. коридор, важен."},
		{"question and exclamation", "Why? The corridor! Yes.", "corridor", "The corridor!"},
		{"closing quote", "He said: \"Done.\" The corridor grew. Next.", "corridor", "The corridor grew."},
		{"line break", "Headline about the corridor\nBody text.", "corridor", "Headline about the corridor"},
		{"paragraph", "One.\n\nThe corridor.", "corridor", "The corridor."},
		{"lower case after period", "See e.g. the corridor. Next.", "corridor", "See e.g. the corridor."},
		{"no terminator", "just the corridor", "corridor", "just the corridor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos := strings.Index(tt.text, tt.word)
			sp := sentenceAt(tt.text, pos)
			if got := tt.text[sp.start:sp.end]; got != tt.want {
				t.Errorf("sentence = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewTaggerErrors(t *testing.T) {
	topic := newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {"corridor"}}}
	tests := []struct {
		name    string
		topic   newsmon.Topic
		parties []newsmon.Party
		want    string
	}{
		{"term without letters", newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {"--"}}}, nil, `term "--"`},
		{"term too long", newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {strings.Repeat("word ", 13)}}}, nil, "more than 12 words"},
		{"empty context word", newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {"CPC | oil, -"}}}, nil, `context "-"`},
		{"empty unless word", newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {"CPC | oil, !-"}}}, nil, `term "CPC | oil, !-": context "-"`},
		{"exact term without letters", newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {"="}}}, nil, `term "="`},
		{"exclusion without letters", newsmon.Topic{Name: "x", Terms: map[string][]string{"en": {"a"}},
			Exclude: map[string][]string{"en": {"!!"}}}, nil, `exclude "!!"`},
		{"party without name", topic, []newsmon.Party{{Kind: "country"}}, "party[0]: no name"},
		{"alias without letters", topic, []newsmon.Party{{Name: "X", Aliases: map[string][]string{"en": {"=-"}}}}, `alias "-"`},
		{"party exclusion without letters", topic, []newsmon.Party{{Name: "X", Exclude: map[string][]string{"en": {"()"}}}}, `exclude "()"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTaggerWithParties([]newsmon.Topic{tt.topic}, tt.parties)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTagHostileInput(t *testing.T) {
	tg := shippedTagger(t)
	tests := []struct {
		name string
		text string
	}{
		{"one endless sentence of terms", strings.Repeat("pipeline agreement Middle Corridor ", 100000)},
		{"invalid utf8 around terms", strings.Repeat("\xff\xfeMiddle\xc3 Corridor\xe2\x80 pipeline.\x00 ", 20000)},
		{"endless periods", strings.Repeat("U.S. Dr. г. т.е. pipeline ", 50000)},
		{"long words", strings.Repeat("a", 1<<20) + " pipeline " + strings.Repeat("б", 1<<19)},
		{"many phrase starts", strings.Repeat("in the in the in agreement of their own ", 50000)},
		{"a sentence per instrument", strings.Repeat("An agreement. ", 400000)},
		{"instruments between parties", strings.Repeat("Kazakhstan and the memorandum. ", 100000)},
		{"money everywhere", strings.Repeat("signed an agreement on $1,000,000,000 and 4 млрд долларов ", 20000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &newsmon.Article{Title: tt.text[:min(len(tt.text), 300)], Text: tt.text}
			tg.Tag(a)
			if len(a.Mentions) > maxMentions {
				t.Errorf("%d mentions, want at most %d", len(a.Mentions), maxMentions)
			}
			if len(a.Agreements) > maxAgreements {
				t.Errorf("%d agreements, want at most %d", len(a.Agreements), maxAgreements)
			}
			for _, m := range a.Mentions {
				if len(m.Sentence) > maxSentenceBytes+8 {
					t.Fatalf("sentence of %d bytes, want at most about %d", len(m.Sentence), maxSentenceBytes)
				}
			}
			for _, ag := range a.Agreements {
				if len(ag.Sentence) > 2*maxSentenceBytes+8 {
					t.Fatalf("agreement sentence of %d bytes", len(ag.Sentence))
				}
			}
			checkMentions(t, a)
		})
	}
}

func TestTagConcurrent(t *testing.T) {
	tg := shippedTagger(t)
	seed, err := os.ReadFile("testdata/seed-article.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{string(seed), "Среднего коридора и соглашения.", "Orta Dəhlizin inkişafı. The BTC pipeline."}
	want := make([]string, len(texts))
	for i, text := range texts {
		a := &newsmon.Article{Text: text}
		tg.Tag(a)
		want[i] = fmt.Sprint(a.Topics, a.Mentions, a.Agreements)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				i := (g + k) % len(texts)
				a := &newsmon.Article{Text: texts[i]}
				tg.Tag(a)
				if got := fmt.Sprint(a.Topics, a.Mentions, a.Agreements); got != want[i] {
					errs <- fmt.Sprintf("text %d: concurrent result differs", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestSentenceTextWindow(t *testing.T) {
	text := strings.Repeat("слово ", 400) + "коридор" + strings.Repeat(" слово", 400)
	ms := strings.Index(text, "коридор")
	me := ms + len("коридор")
	got := sentenceText(text, textSpan{0, len(text)}, ms, me)
	if !strings.Contains(got, "коридор") || len(got) > maxSentenceBytes+4 || !utf8.ValidString(got) {
		t.Errorf("window of %d bytes, valid %v, holds match %v", len(got), utf8.ValidString(got), strings.Contains(got, "коридор"))
	}
}

// FuzzTag checks that no text makes tagging panic, and that mentions and
// events keep their invariants.
func FuzzTag(f *testing.F) {
	for _, s := range []string{
		"Kazakhstan and Azerbaijan signed a memorandum in Aktau on Tuesday, 14 May 2024.",
		"Меморандум подписан 20 марта в Баку.\n\nСредний коридор; ТМТМ.",
		"Bakıda 7 martda saziş imzalanıb. Türkiye ile anlaşma Ankara'da imzalandı.",
		"Астанада келісімге қол қойылды. 2024-05-14 03.03.2025 $300 million",
		"in in in the the deal deal with a great deal’s ’da 'da",
	} {
		f.Add("title", s)
	}
	tg := shippedTagger(f)
	published := time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, text string) {
		a := &newsmon.Article{Title: title, Text: text, Published: &published}
		tg.Tag(a)
		checkMentions(t, a)
		for _, ev := range a.Agreements {
			if ev.Sentence == "" || !strings.Contains(text, ev.Sentence) {
				t.Errorf("event sentence %q is not a part of the text", ev.Sentence)
			}
			if len(ev.Parties) == 0 {
				t.Errorf("event %+v names no party", ev)
			}
		}
	})
}
