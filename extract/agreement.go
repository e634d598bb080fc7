package extract

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

// Agreement events are found sentence by sentence from the same scan that
// finds topic mentions: the agreement lexicon below (instruments and status
// cues, which are language, not configuration) and the aliases of the
// configured [[party]] gazetteer are compiled into the Tagger's dictionary.
// A sentence with an instrument yields one event: its first instrument, a
// status from the cues, the parties it names (or, when it names none, those
// of the nearest sentence of its paragraph that does) under their gazetteer
// names, the first amount of money in it, and the place and date it gives
// (the date resolved against the article's publication date). An event
// with no party is dropped as noise, and a signing reported again in a
// later sentence is one event.

// agreementTopic is the name of the topic whose articles have agreement
// events: when the tagger has such a topic, an article without it has
// none.
const agreementTopic = "agreement"

// Limits that keep a hostile text cheap: events per article, sentences
// examined for events, and lexicon hits looked through for the parties of
// a sentence that names none.
const (
	maxAgreements     = 100
	maxEventSentences = 2000
	maxPartyLookback  = 200
)

// instrumentNames are the instruments, indexed by the lexicon's groups.
var instrumentNames = []string{
	"agreement", "memorandum", "contract", "treaty", "protocol",
	"roadmap", "declaration", "joint venture", "fund",
}

const (
	instAgreement = iota
	instMemorandum
	instContract
	instTreaty
	instProtocol
	instRoadmap
	instDeclaration
	instJointVenture
	instFund
)

// Status cues.
const (
	cueSigned     = iota // signed, concluded, established, created
	cueRatified          // ratified
	cuePlanned           // will sign, plans, intends, discussed, draft
	cueAgreed            // agreed (to): an agreement reached in words, not yet an instrument
	cueBackground        // similar, previously, last year: history, not news
	cueNone              // phrases that only look like cues: "agreed that"
	cueNegated           // not signed, no agreement, yet to: whatever else the sentence says, not signed
)

// lexiconRow is a group of phrases of one kind and language; lang "=" means
// the forms are listed in full and matched exactly.
type lexiconRow struct {
	kind    uint8
	group   int32
	lang    string
	phrases []string
}

// instrumentLexicon names the instruments in the five languages, and the
// phrases in which their words name something else.
var instrumentLexicon = []lexiconRow{
	{outInstrument, instAgreement, "en", []string{"agreement", "accord"}},
	// "deal" is also a verb and an amount: see the blocks below.
	{outInstrument, instAgreement, "=", []string{"deal", "deals", "pact", "pacts"}},
	{outInstrument, instAgreement, "ru", []string{"соглашение", "договорённость", "сделка"}},
	{outInstrument, instAgreement, "kk", []string{"келісім"}},
	{outInstrument, instAgreement, "az", []string{"saziş", "razılaşma"}},
	{outInstrument, instAgreement, "tr", []string{"anlaşma"}},
	{outInstrument, instMemorandum, "en", []string{"memorandum", "MoU", "memorandum of understanding"}},
	{outInstrument, instMemorandum, "ru", []string{"меморандум"}},
	{outInstrument, instMemorandum, "kk", []string{"меморандум"}},
	{outInstrument, instMemorandum, "az", []string{"memorandum", "anlaşma memorandumu"}},
	{outInstrument, instMemorandum, "tr", []string{"mutabakat zaptı", "mutabakat muhtırası", "memorandum"}},
	{outInstrument, instContract, "en", []string{"contract"}},
	{outInstrument, instContract, "ru", []string{"контракт"}},
	{outInstrument, instContract, "kk", []string{"келісімшарт"}},
	{outInstrument, instContract, "az", []string{"müqavilə", "kontrakt"}},
	{outInstrument, instContract, "tr", []string{"sözleşme", "kontrat"}},
	{outInstrument, instTreaty, "en", []string{"treaty", "convention"}},
	{outInstrument, instTreaty, "ru", []string{"договор", "конвенция"}},
	{outInstrument, instTreaty, "kk", []string{"конвенция"}},
	{outInstrument, instTreaty, "=", []string{"шартқа", "шартына", "шартты", "шарттың", "шартын"}},
	{outInstrument, instTreaty, "az", []string{"müahidə", "konvensiya"}},
	{outInstrument, instTreaty, "tr", []string{"antlaşma", "konvansiyon"}},
	{outInstrument, instProtocol, "en", []string{"protocol"}},
	{outInstrument, instProtocol, "ru", []string{"протокол"}},
	{outInstrument, instProtocol, "kk", []string{"хаттама"}},
	{outInstrument, instProtocol, "az", []string{"protokol"}},
	{outInstrument, instProtocol, "tr", []string{"protokol"}},
	{outInstrument, instRoadmap, "en", []string{"roadmap", "road map"}},
	{outInstrument, instRoadmap, "ru", []string{"дорожная карта"}},
	{outInstrument, instRoadmap, "kk", []string{"жол картасы"}},
	{outInstrument, instRoadmap, "az", []string{"yol xəritəsi"}},
	{outInstrument, instRoadmap, "tr", []string{"yol haritası"}},
	{outInstrument, instDeclaration, "en", []string{"declaration", "joint statement"}},
	{outInstrument, instDeclaration, "ru", []string{"декларация", "совместное заявление"}},
	{outInstrument, instDeclaration, "kk", []string{"декларация", "бірлескен мәлімдеме"}},
	{outInstrument, instDeclaration, "az", []string{"bəyannamə", "birgə bəyanat"}},
	{outInstrument, instDeclaration, "tr", []string{"deklarasyon", "ortak bildiri"}},
	{outInstrument, instJointVenture, "en", []string{"joint venture"}},
	{outInstrument, instJointVenture, "ru", []string{"совместное предприятие"}},
	{outInstrument, instJointVenture, "kk", []string{"бірлескен кәсіпорын"}},
	{outInstrument, instJointVenture, "az", []string{"birgə müəssisə"}},
	{outInstrument, instJointVenture, "tr", []string{"ortak girişim"}},
	{outInstrument, instFund, "en", []string{"fund"}},
	{outInstrument, instFund, "ru", []string{"фонд"}},
	{outInstrument, instFund, "=", []string{
		"инвестициялық қор", "инвестициялық қоры", "инвестициялық қорын", "инвестициялық қорының",
		"бірлескен қор", "бірлескен қоры", "бірлескен қорын", "бірлескен қорының",
		"ortak fon", "ortak fonu", "ortak fonun", "ortak fonunun",
	}},
	{outInstrument, instFund, "az", []string{"fond"}},
	{outInstrument, instFund, "tr", []string{"yatırım fonu"}},

	{outInstrumentBlock, 0, "=", []string{"deal with", "deals with", "dealt with", "great deal", "good deal",
		"big deal", "deal in", "deals in", "deal a blow", "real deal", "New Deal", "Green Deal"}},
	{outInstrumentBlock, 0, "en", []string{
		"in agreement with", "user agreement", "license agreement", "licence agreement",
		"in accord with", "of its own accord", "of their own accord",
		"monetary fund", "pension fund", "hedge fund", "mutual fund", "National Fund",
		"Oil Fund", "wealth fund", "charity fund", "fund manager",
		"security protocol", "according to protocol", "diplomatic protocol", "protocol service",
		"Internet Protocol", "network protocol", "treatment protocol",
		"customs declaration", "tax declaration", "income declaration",
	}},
	{outInstrumentBlock, 0, "ru", []string{
		"пользовательское соглашение", "лицензионное соглашение",
		"Национальный фонд", "Нефтяной фонд", "пенсионный фонд", "валютный фонд", "благотворительный фонд",
		"фонд оплаты труда", "жилищный фонд", "налоговая декларация", "таможенная декларация",
		"протокол об административном правонарушении", "административный протокол",
		"протокол задержания", "протокол заседания", "трудовой договор",
	}},
	{outInstrumentBlock, 0, "kk", []string{"Ұлттық қор", "валюта қоры", "зейнетақы қоры"}},
	{outInstrumentBlock, 0, "az", []string{"Neft Fondu", "Valyuta Fondu", "Pensiya Fondu"}},
	{outInstrumentBlock, 0, "tr", []string{"Para Fonu", "emeklilik fonu", "anlaşmazlık"}},
}

// cueLexicon holds the status cues. Verb forms are listed in full: a stem
// would let a future form pass for a past one.
var cueLexicon = []lexiconRow{
	{outCue, cueSigned, "=", []string{
		"signed", "inked", "concluded", "finalized", "finalised", "sealed", "struck", "clinched",
		"established", "created", "set up", "launched", "initialed", "initialled",
		"reached an agreement", "reached agreement", "signing ceremony", "entered into", "adopted",
		"reached a deal", "struck a deal",
		"have signed", "has signed", "were signed", "was signed",
		// ru
		"подписали", "подписал", "подписала", "подписало", "подписан", "подписана", "подписано",
		"подписаны", "подписанный", "подписанное", "подписанная", "подписанные", "подписанного",
		"подписанным", "подписанному", "подписанной", "подписанном", "подписанных накануне", "подписанных", "подписанными", "подписанную", "заключили", "заключил", "заключила", "заключено", "заключен", "заключена",
		"заключены", "учредили", "учрежден", "учреждена", "учреждено", "создали", "создан", "создана",
		"создано", "созданы", "парафировали", "достигли договоренности", "достигнута договоренность",
		"заключило", "учредило", "создало", "заключают", "подписывают", "приняли декларацию",
		"состоялось подписание", "прошло подписание", "прошла церемония подписания",
		"состоялась церемония подписания",
		"принята декларация", "принята совместная декларация", "приняли совместную декларацию",
		// kk
		"қол қойылды", "қол қойды", "қол қойысты", "қол қойылған", "құрылды", "жасалды",
		"қол қойыпты", "қол қойылып", "бекітілді", "құрды", "құрысты", "жасады", "жасасты",
		"қол қою рәсімі",
		// az
		"imzalanıb", "imzalandı", "imzaladı", "imzaladılar", "imzalayıblar", "imzalayıb",
		"imzalanmışdır", "təsis edilib", "təsis edildi", "yaradılıb", "yaradıldı", "bağlanıb", "bağlandı",
		"yaradıblar", "yaradıb", "yaratdılar", "yaratdı", "təsis ediblər", "təsis etdilər", "təsis edib",
		"bağladılar", "bağlayıblar", "imzalanmışdır", "imzalayıblar", "imza atıblar", "imzalanma mərasimi",
		// tr
		"imzalandı", "imzaladı", "imzaladılar", "imzalanmıştır", "imza attı", "imza attılar",
		"imza atıldı", "kuruldu", "akdedildi", "kurdu", "kurdular", "kurmuştur", "kurulmuştur",
		"imzalamıştır", "imzalamışlardır", "imzalar atıldı", "imza töreni", "imza töreninde",
		"imzalanan", "imzalanmış",
	}},
	{outCue, cueRatified, "=", []string{
		"ratified", "ratifies", "ratifying", "approved the ratification", "approved ratification",
		"ратифицировал", "ратифицировала", "ратифицировали", "ратифицирован", "ратифицирована",
		"ратифицировано", "ратификациялады", "ратификацияланды",
		"ratifikasiya edib", "ratifikasiya etdi", "ratifikasiya edilib", "ratifikasiya edildi",
		"onayladı", "onaylandı",
	}},
	{outCue, cuePlanned, "=", []string{
		"will sign", "to sign", "would sign", "sign", "will be signed", "to be signed",
		"would be signed", "expected to", "is expected", "are expected", "plan", "plans", "planned",
		"planning", "intend", "intends", "intention", "proposed", "propose", "discussed", "discuss",
		"discussing", "negotiate", "negotiating", "negotiations", "draft", "drafting", "prepare",
		"preparing", "considering", "could", "would", "aim", "aims", "ready to", "will establish",
		"will create", "to establish", "to create", "to set up", "will be established",
		"to be established", "will be created", "to be created", "will be set up", "to be set up",
		"will launch", "to launch", "ratify", "ratification", "could be signed", "may be signed",
		"might be signed", "can be signed", "is to sign", "are to sign", "due to sign", "set to sign",
		"hopes to", "hope to", "in talks", "talks on", "studying", "seeking", "weighs", "weighing",
		// Beginnings: a signed word inside them signs nothing.
		"launched negotiations", "launched talks",
		"set up a working group", "established a working group",
		// ru
		"подпишут", "подпишет", "будет подписано", "будет подписан", "будет подписана",
		"будут подписаны", "подписать", "планируется", "планируют", "планирует", "планируем",
		"намерены", "намерен", "намерение", "готовят", "готовится", "обсудили", "обсуждают",
		"обсудят", "проект соглашения", "проекта соглашения", "создать", "создадут", "учредить",
		"будет создан", "будет создано", "будет создана", "ратифицировать", "ратификации",
		"может быть подписан", "может быть подписано", "может быть подписана", "могут быть подписаны",
		"может быть заключено", "может быть заключен", "заключат", "рассчитывают", "ожидается",
		"обсуждается", "обсуждают", "одобрило проект", "одобрили проект", "планируют создать",
		"запланировано", "запланирована", "запланирован", "подписание запланировано",
		"не был подписан", "не было подписано", "создали рабочую группу", "создана рабочая группа",
		// kk
		"қол қойылады", "қол қою", "қол қоюы", "қол қояды", "қол қоймақ", "қол қоятын",
		"жоспарлануда", "жоспарлап отыр", "құру", "құрылады", "талқылады", "жоспарланған",
		"әзірлеп жатыр", "әзірленуде", "талқылануда", "қол қоймақшы",
		// az
		"imzalanacaq", "imzalayacaq", "imzalayacaqlar", "planlaşdırılır", "nəzərdə tutulur",
		"gözlənilir", "imzalamaq", "imzalanması", "yaradılacaq", "müzakirə edib", "müzakirə etdilər",
		"müzakirə ediblər", "müzakirə edilib", "hazırlanır", "layihəsi", "imzalamağı",
		// tr
		"imzalanacak", "imzalayacak", "imzalayacaklar", "bekleniyor", "planlanıyor", "imzalamak",
		"imzalaması", "imzalanması", "imza atacak", "kurulacak", "kurulması", "görüştü", "ele aldı",
		"görüşüyor", "müzakere", "müzakereler", "taslağı", "hazırlanıyor",
	}},
	{outCue, cueAgreed, "=", []string{
		"agreed", "agree",
		"договорились", "договорились о", "условились",
		"уағдаласты", "уағдаласқан",
		"razılaşdılar", "razılaşıblar", "razılaşdı",
		"anlaştı", "anlaştılar", "uzlaştı",
	}},
	{outCue, cueNegated, "=", []string{
		"no agreement", "no deal", "no contract", "no memorandum", "no documents", "not been signed",
		"not yet", "yet to", "has not", "have not", "hasn't", "haven't", "never", "failed to", "refused to",
		"did not", "didn't", "without signing", "not signed", "not sign",
		"так и не", "пока не", "ещё не", "еще не", "не удалось", "не был", "не было", "не были",
		"не подписали", "не подписал", "не подписан", "не подписано", "не подписана", "не подписаны",
		"нет соглашения", "отказались",
		"қол қойылмады", "қол қойылмаған", "қол қоймады", "әлі",
		"imzalanmayıb", "imzalanmadı", "imzalamayıb", "imzalamadı", "hələ",
		"imzalanmamış", "imzalanmamıştır", "henüz", "hiçbir zaman", "yürürlüğe girmedi",
	}},
	{outCue, cueNone, "=", []string{
		"agreed that", "agree that", "agreed with", "agree with", "would agree", "sign of", "signs of",
		"signed up", "согласились с тем", "согласны с тем",
		// Fresh news, not history.
		"earlier today", "earlier this week", "earlier this month", "earlier on", "earlier in the day",
		"earlier on Monday", "earlier on Tuesday", "earlier on Wednesday", "earlier on Thursday",
		"earlier on Friday", "earlier on Saturday", "earlier on Sunday",
	}},
	{outCue, cueBackground, "=", []string{
		"similar", "previously", "in the past", "last year", "years ago", "back in", "formerly",
		"had signed", "had been signed", "had agreed", "had established", "since then",
		"earlier", "as reported", "it will be recalled", "recall that",
		"напомним", "как сообщалось", "как известно", "ранее сообщалось", "еске сала кетейік", "еске салайық",
		"xatırladaq ki", "xatırladaq", "qeyd edək ki", "hatırlanacağı üzere", "hatırlatalım",
		"ранее", "прежде", "аналогичные", "аналогичных", "аналогичный", "аналогичное", "подобные",
		"подобных", "в прошлом году", "лет назад", "в свое время",
		"бұған дейін", "бұрын", "ұқсас", "өткен жылы",
		"əvvəl", "bundan əvvəl", "oxşar", "bənzər", "keçən il",
		"daha önce", "benzer", "geçen yıl", "önceki", "yıllar önce", "imzalanmıştı", "imzalamıştı",
	}},
}

// addAgreementLexicon compiles the agreement lexicon and the parties'
// aliases into d. A party's name is always one of its aliases; an alias
// starting with "=" is matched exactly, with no inflection.
func addAgreementLexicon(d *dictionary, parties []newsmon.Party) error {
	rows := append(append([]lexiconRow{}, instrumentLexicon...), cueLexicon...)
	for _, r := range rows {
		for _, ph := range r.phrases {
			if err := d.add(ph, r.lang, dictOutput{kind: r.kind, group: r.group, label: ph, ctx: -1}); err != nil {
				return fmt.Errorf("agreement lexicon %q: %w", ph, err)
			}
		}
	}
	for i, p := range parties {
		out := dictOutput{kind: outParty, group: int32(i), label: p.Name, ctx: -1}
		if strings.TrimSpace(p.Name) == "" {
			return fmt.Errorf("party[%d]: no name", i)
		}
		named := false
		for _, lang := range sortedLangs(p.Aliases) {
			for _, alias := range p.Aliases[lang] {
				l := lang
				if rest, ok := strings.CutPrefix(alias, "="); ok {
					alias, l = rest, "="
				}
				named = named || alias == p.Name
				if err := d.add(alias, l, out); err != nil {
					return fmt.Errorf("party %q: alias %q: %w", p.Name, alias, err)
				}
			}
		}
		if !named {
			if err := d.add(p.Name, "=", out); err != nil {
				return fmt.Errorf("party %q: name: %w", p.Name, err)
			}
		}
		for _, lang := range sortedLangs(p.Exclude) {
			for _, ex := range p.Exclude[lang] {
				l := lang
				if rest, ok := strings.CutPrefix(ex, "="); ok {
					ex, l = rest, "="
				}
				if err := d.add(ex, l, dictOutput{kind: outPartyBlock, ctx: -1}); err != nil {
					return fmt.Errorf("party %q: exclude %q: %w", p.Name, ex, err)
				}
			}
		}
	}
	return nil
}

// partyNames returns for each party the names an agreement it signs is
// filed under: a ministry stands for its country, a company or an
// organisation of a country for itself and that country.
func partyNames(parties []newsmon.Party) [][]string {
	out := make([][]string, len(parties))
	for i, p := range parties {
		switch {
		case p.Kind == "ministry" && p.Country != "":
			out[i] = []string{p.Country}
		case p.Country != "" && p.Country != p.Name:
			out[i] = []string{p.Name, p.Country}
		default:
			out[i] = []string{p.Name}
		}
	}
	return out
}

// lexHit is a lexicon match with byte offsets into the text.
type lexHit struct {
	kind       uint8
	group      int32
	start, end int
}

// agreementEvents finds the agreement events of a text from the scan in s.
// An event names at least one party. A later sentence that reports the
// same signing again (same instrument and status, not mentioned, parties a
// subset of the first report's) adds to the first report its value, place
// and date when the first lacks them, and no event of its own; events
// that only mention agreements stay apart, each its own piece of history.
func (t *Tagger) agreementEvents(s *tagScratch, text string, a *newsmon.Article) []newsmon.Agreement {
	events := []newsmon.Agreement{}
	// In a story that is not about agreements (a footballer's contract, a
	// passing mention) only a signing, ratification or plan whose
	// sentence names its parties is an event; "a $2bn gas deal" inked by
	// two countries is one, though "deal" makes no topic.
	offTopic := slices.Contains(t.topics, agreementTopic) && !slices.Contains(a.Topics, agreementTopic)
	hits := t.lexiconHits(s, s.lex[:0])
	s.lex = hits
	refYear := -1 // computed when a sentence names a year
	examined := 0
	var done textSpan
	lang := ""
	memoAt := 0 // the first of s.sentAt that may be at or after h.start
	for i, h := range hits {
		if h.kind != outInstrument && !(h.kind == outCue && h.group == cueAgreed) {
			continue
		}
		if h.start >= done.start && h.start < done.end {
			continue // one event per sentence
		}
		if examined++; examined > maxEventSentences {
			break
		}
		for memoAt < len(s.sentAt) && s.sentAt[memoAt].pos < h.start {
			memoAt++
		}
		var sent textSpan
		if memoAt < len(s.sentAt) && s.sentAt[memoAt].pos == h.start {
			sent = s.sentAt[memoAt].span
		} else {
			sent = sentenceAt(text, h.start)
		}
		done = sent
		years := yearsIn(text[sent.start:sent.end], 16, s.years[:0])
		s.years = years
		if refYear < 0 && len(years) > 0 {
			refYear = referenceYear(a)
		}
		ev, own, ok := t.sentenceEvent(text, hits, i, sent, pastYearsOnly(years, refYear))
		if !ok {
			continue
		}
		if offTopic && (!own || ev.Status == newsmon.StatusMentioned) {
			continue
		}
		if !own && backReference(events, ev) {
			// "Under the contract, …": the signing reported before.
			continue
		}
		if lang == "" {
			lang = textLanguage(a.Language, text[sent.start:sent.end])
		}
		sentence := text[sent.start:sent.end]
		s.words = sentenceWords(sentence, s.words[:0], maxEventWords)
		ev.Place = eventPlace(sentence, s.words, lang)
		ev.Date = eventDate(sentence, s.words, a.Published, ev.Status == newsmon.StatusPlanned)
		if k := sameEvent(events, ev); k >= 0 && ev.Status != newsmon.StatusMentioned {
			first := &events[k]
			first.Value = cmp.Or(first.Value, ev.Value)
			first.Place = cmp.Or(first.Place, ev.Place)
			first.Date = cmp.Or(first.Date, ev.Date)
			continue
		}
		if len(events) == maxAgreements {
			break
		}
		events = append(events, ev)
	}
	return events
}

// sameEvent returns the index of the event of events that ev reports
// again, or -1.
func sameEvent(events []newsmon.Agreement, ev newsmon.Agreement) int {
	for k := range events {
		e := &events[k]
		if e.Instrument != ev.Instrument || e.Status != ev.Status {
			continue
		}
		subset := true
		for _, p := range ev.Parties {
			if !slices.Contains(e.Parties, p) {
				subset = false
				break
			}
		}
		if subset {
			return k
		}
	}
	return -1
}

// lexiconHits returns the agreement lexicon's matches in the text of s, in
// order of start, with instruments and parties inside their blocking
// phrases dropped and overlaps of one kind resolved leftmost longest.
func (t *Tagger) lexiconHits(s *tagScratch, dst []lexHit) []lexHit {
	outs, kinds := t.dict.outputs, t.dict.kinds
	var instBlockEnd, partyBlockEnd int32 = -1, -1
	var lastEnd [8]int32
	for k := range lastEnd {
		lastEnd[k] = -1
	}
	raw := s.raw
	hs, he := 0, 0 // origAtFrom hints for starts and ends
	for i := 0; i < len(raw); {
		j := i
		for j < len(raw) && raw[j].fs == raw[i].fs {
			switch kinds[raw[j].out] {
			case outInstrumentBlock:
				instBlockEnd = max(instBlockEnd, raw[j].fe)
			case outPartyBlock:
				partyBlockEnd = max(partyBlockEnd, raw[j].fe)
			}
			j++
		}
		// Longest first among the matches starting here, per kind:
		// instruments, cues, parties (slots 0, 1, 2).
		var best [3]rawMatch
		var have [3]bool
		for _, m := range raw[i:j] {
			kind := kinds[m.out]
			var slot int
			switch kind {
			case outInstrument:
				if instBlockEnd >= m.fe {
					continue
				}
				slot = 0
			case outCue:
				slot = 1
			case outParty:
				if partyBlockEnd >= m.fe {
					continue
				}
				slot = 2
			default:
				continue
			}
			if b := best[slot]; !have[slot] || m.fe > b.fe || (m.fe == b.fe && outs[m.out].weight > outs[b.out].weight) {
				best[slot], have[slot] = m, true
			}
		}
		for slot, kind := range [3]uint8{outInstrument, outCue, outParty} {
			m := best[slot]
			if !have[slot] || m.fs < lastEnd[kind] {
				continue
			}
			lastEnd[kind] = m.fe
			o := &outs[m.out]
			dst = append(dst, lexHit{kind: kind, group: o.group,
				start: s.text.origAtFrom(m.fs, &hs), end: s.text.origAtFrom(m.fe, &he)})
		}
		i = j
	}
	return dst
}

// sentenceEvent builds the event of the sentence sent, whose first
// instrument (or "agreed") is hits[first]; past says the sentence dates
// itself before the article. The status is, in order: mentioned for a
// sentence about the past (a background cue, or only years before the
// article's); planned for a negated one ("has not been signed", "no
// agreement"); ratified, signed, or planned by the cues; mentioned else. A
// sentence that names no party takes those of the nearest sentence of its
// paragraph that does, unless it only mentions an agreement; an event
// with no party at all is dropped. own says the sentence names its
// parties itself.
func (t *Tagger) sentenceEvent(text string, hits []lexHit, first int, sent textSpan, past bool) (ev newsmon.Agreement, own, ok bool) {
	instrument := -1
	var cues [cueNegated + 1]bool
	for _, h := range hits[first:] {
		if h.start >= sent.end {
			break
		}
		switch h.kind {
		case outInstrument:
			if instrument < 0 {
				instrument = int(h.group)
			}
		case outCue:
			cues[h.group] = true
		}
	}
	// Cues before the first instrument of the sentence.
	for k := first - 1; k >= 0 && hits[k].start >= sent.start; k-- {
		if hits[k].kind == outCue {
			cues[hits[k].group] = true
		}
	}
	status := newsmon.StatusMentioned
	switch {
	case cues[cueBackground] || past:
	case cues[cueNegated]:
		status = newsmon.StatusPlanned
	case cues[cueRatified]:
		status = newsmon.StatusRatified
	case cues[cueSigned]:
		status = newsmon.StatusSigned
	case cues[cuePlanned] || cues[cueAgreed]:
		status = newsmon.StatusPlanned
	}
	parties := map[string]bool{}
	t.partiesIn(hits, sent, parties)
	own = len(parties) > 0
	// A sentence that only mentions an agreement must name its parties
	// itself: "officials in both countries said the contract…" borrows
	// no parties from its neighbours.
	if !own && status != newsmon.StatusMentioned {
		if sp, ok := nearestPartySentence(text, hits, sent); ok {
			t.partiesIn(hits, sp, parties)
		}
	}
	if len(parties) == 0 {
		return newsmon.Agreement{}, own, false
	}
	if instrument < 0 {
		instrument = instAgreement // "agreed"
	}
	names := make([]string, 0, len(parties))
	for p := range parties {
		names = append(names, p)
	}
	sort.Strings(names)
	sentence := text[sent.start:sent.end]
	out := sentence
	if len(out) > 2*maxSentenceBytes {
		out = sentenceText(text, sent, sent.start, sent.start)
	}
	return newsmon.Agreement{
		Instrument: instrumentNames[instrument],
		Status:     status,
		Parties:    names,
		Value:      moneyValue(sentence),
		Sentence:   out,
	}, own, true
}

// partiesIn adds to set the parties of the hits inside sp.
func (t *Tagger) partiesIn(hits []lexHit, sp textSpan, set map[string]bool) {
	k := sort.Search(len(hits), func(i int) bool { return hits[i].start >= sp.start })
	for ; k < len(hits) && hits[k].start < sp.end; k++ {
		if hits[k].kind == outParty {
			for _, name := range t.partyNames[hits[k].group] {
				set[name] = true
			}
		}
	}
}

// nearestPartySentence returns the sentence of the paragraph of sent that
// names a party and is nearest to it, looking back first.
func nearestPartySentence(text string, hits []lexHit, sent textSpan) (textSpan, bool) {
	const maxParagraph = 20000
	lo := max(0, sent.start-maxParagraph)
	paraStart := lo
	if k := strings.LastIndex(text[lo:sent.start], "\n\n"); k >= 0 {
		paraStart = lo + k + 2
	}
	hi := min(len(text), sent.end+maxParagraph)
	paraEnd := hi
	if k := strings.Index(text[sent.end:hi], "\n\n"); k >= 0 {
		paraEnd = sent.end + k
	}
	k := sort.Search(len(hits), func(i int) bool { return hits[i].start >= sent.start })
	for j := k - 1; j >= 0 && j >= k-maxPartyLookback && hits[j].start >= paraStart; j-- {
		if hits[j].kind == outParty {
			return sentenceAt(text, hits[j].start), true
		}
	}
	for j := k; j < len(hits) && j < k+maxPartyLookback && hits[j].start < paraEnd; j++ {
		if hits[j].kind == outParty && hits[j].start >= sent.end {
			return sentenceAt(text, hits[j].start), true
		}
	}
	return textSpan{}, false
}

// referenceYear is the year an article speaks from: its publication year,
// or else the current year ("was signed in 2022" on an undated page is
// history).
func referenceYear(a *newsmon.Article) int {
	if a.Published != nil {
		return a.Published.Year()
	}
	return time.Now().Year()
}

// backReference reports whether ev, from a sentence that names no party
// of its own, speaks of an instrument of the article's earlier events
// ("the contract had been prepared for a year", "under the memorandum"):
// it is then that event again, not a new one.
func backReference(events []newsmon.Agreement, ev newsmon.Agreement) bool {
	for _, e := range events {
		if e.Instrument == ev.Instrument && e.Status != newsmon.StatusMentioned {
			return true
		}
	}
	return false
}

// yearsIn appends to ys, and returns, up to limit four-digit years
// (1950-2099) standing alone in s; ys is empty or a buffer to reuse.
func yearsIn(s string, limit int, ys []int) []int {
	for i := 0; i+4 <= len(s) && len(ys) < limit; i++ {
		// Eight bytes without a digit at a time.
		for i+8 <= len(s) && digitBytes(load64(s, i)) == 0 {
			i += 8
		}
		if i+4 > len(s) {
			break
		}
		if !isDigitByte(s[i]) || (i > 0 && (isDigitByte(s[i-1]) || isASCIILetter(s[i-1]))) {
			continue
		}
		if !isDigitByte(s[i+1]) || !isDigitByte(s[i+2]) || !isDigitByte(s[i+3]) {
			i += 1
			continue
		}
		if i+4 < len(s) && (isDigitByte(s[i+4]) || isASCIILetter(s[i+4])) {
			i += 4
			continue
		}
		y := int(s[i]-'0')*1000 + int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
		if y >= 1950 && y < 2100 {
			ys = append(ys, y)
		}
		i += 3
	}
	return ys
}

// digitBytes marks the high bit of every byte of x that is an ASCII
// digit. Each lane is cut to seven bits before the additions, so that none
// carries into the next.
func digitBytes(x uint64) uint64 {
	const l, h = 0x0101010101010101, 0x8080808080808080
	y := x &^ h
	return (y + (0x80-'0')*l) &^ (y + (0x80-'9'-1)*l) &^ x & h
}

func isDigitByte(c byte) bool   { return c >= '0' && c <= '9' }
func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// pastYearsOnly reports whether the years a sentence names date it before
// the reference year: one before it and none from it on.
func pastYearsOnly(years []int, refYear int) bool {
	if refYear <= 0 || len(years) == 0 {
		return false
	}
	for _, y := range years {
		if y >= refYear {
			return false
		}
	}
	return true
}

// moneyPattern finds amounts of money: "$300 million", "€10 billion",
// "4 млрд долларов", "300 milyon dollar", "1,5 миллиард теңге".
var moneyPattern = regexp.MustCompile(`(?i)` +
	`[$€£₽₸¥₼]\s?\d+(?:[.,  ]\d{3})*(?:[.,]\d+)?(?:\s?(?:million|billion|trillion|mln|bn\b|mn\b|m\b|млн|млрд|трлн|milyon|milyar|milyard|миллион\p{L}*|миллиард\p{L}*)\.?)?` +
	`|\d+(?:[.,  ]\d{3})*(?:[.,]\d+)?\s?(?:million|billion|trillion|mln|bn|млн|млрд|трлн|тыс|milyon|milyar|milyard|миллион\p{L}*|миллиард\p{L}*)\.?\s?(?:US\s)?(?:dollars?|euros?|USD|EUR|AZN|KZT|RUB|CNY|долл\p{L}*|евро|руб\p{L}*|тенге|теңге|манат\p{L}*|manat|dollar|dolar|avro|yuan|юан\p{L}*|lira|лир\p{L}*)` +
	`|\d+(?:[.,  ]\d{3})*(?:[.,]\d+)?\s?(?:US dollars|dollars|euros|USD|EUR|AZN|KZT|долларов|евро|тенге|теңге|manat|dollar|dolar|avro)`)

// moneyValue returns the first amount of money in s, or "".
func moneyValue(s string) string {
	if !mayHoldMoney(s) {
		return ""
	}
	v := moneyPattern.FindString(s)
	return strings.TrimRight(strings.TrimSpace(v), ".,")
}

// moneyWords are the currency signs and words moneyPattern knows, lower
// case: a sentence without one holds no amount.
var moneyWords = []string{"$", "€", "£", "₽", "₸", "¥", "₼", "dollar", "dolar", "euro", "usd", "eur",
	"azn", "kzt", "rub", "cny", "manat", "avro", "yuan", "lira", "долл", "евро", "руб", "тенге", "теңге",
	"манат", "юан", "лир"}

// mayHoldMoney is a cheap test that spares most sentences the regular
// expression: a digit and a currency sign or word.
func mayHoldMoney(s string) bool {
	if !strings.ContainsAny(s, "0123456789") {
		return false
	}
	// An ASCII sentence, the common case, is lowered into a buffer on
	// the stack: strings.ToLower would allocate, and lowers only A-Z.
	var lb [512]byte
	if ascii := len(s) <= len(lb) && func() bool {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}(); ascii {
		low := lb[:len(s)]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		for _, w := range moneyWords {
			if bytes.Contains(low, []byte(w)) {
				return true
			}
		}
		return false
	}
	low := strings.ToLower(s)
	for _, w := range moneyWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// textLanguage returns lang, or when it is empty a guess from the letters
// of the start of text: the event place rules differ between English,
// Russian and the Turkic languages.
func textLanguage(lang, text string) string {
	if lang != "" {
		return lang
	}
	var latin, cyr, kk, az, tr int
	for i, r := range text {
		if i > 4000 {
			break
		}
		switch {
		case r == 'ə' || r == 'Ə':
			az++
		case strings.ContainsRune("әқңғүұөһіӘҚҢҒҮҰӨҺІ", r):
			kk++
		case r == 'ğ' || r == 'ş' || r == 'ı' || r == 'İ' || r == 'Ş' || r == 'Ğ':
			tr++
		case r >= 0x400 && r < 0x530:
			cyr++
		case r < 0x250 && unicode.IsLetter(r):
			latin++
		}
	}
	switch {
	case kk > 0 && kk*40 >= cyr:
		return "kk"
	case cyr > latin:
		return "ru"
	case az > 0 && az >= tr/4:
		return "az"
	case tr > 0:
		return "tr"
	}
	return "en"
}

// sentenceWord is a word of a sentence: its text and byte span.
type sentenceWord struct {
	text       string
	start, end int
}

// maxEventWords bounds the words of a sentence looked through for the
// place and date of its event.
const maxEventWords = 200

// sentenceWords appends to ws the words of s, letters and digits, up to
// limit of them; an apostrophe ends a word ("Ankara'da" is "Ankara",
// "da"), as do hyphens.
func sentenceWords(s string, ws []sentenceWord, limit int) []sentenceWord {
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			ws = append(ws, sentenceWord{s[start:i], start, i})
			start = -1
			if len(ws) == limit {
				return ws
			}
		}
	}
	if start >= 0 {
		ws = append(ws, sentenceWord{s[start:], start, len(s)})
	}
	return ws
}

func isCapitalized(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// placeStopWords are capitalised words after "in" that name no place.
var placeStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "his": true, "her": true, "its": true, "their": true,
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "this": true, "that": true, "which": true, "addition": true,
	"order": true, "particular": true, "total": true, "response": true, "presence": true,
}

// turkicLocatives are the locative suffixes ("in") of Kazakh, Azerbaijani
// and Turkish, longest first.
var turkicLocatives = []string{"нда", "нде", "да", "де", "та", "те", "da", "də", "de", "ta", "tə", "te"}

// eventPlace returns the place a sentence names for its event: "in Aktau",
// "в Астане", "Bakıda", "Ankara'da"; the first one, as written (without a
// Turkic locative suffix), or "".
func eventPlace(sentence string, ws []sentenceWord, lang string) string {
	for i := 0; i+1 < len(ws); i++ {
		w := ws[i]
		next := ws[i+1]
		switch lang {
		case "en":
			if w.text != "in" || !isCapitalized(next.text) || placeStopWords[strings.ToLower(next.text)] {
				continue
			}
			if strings.HasSuffix(next.text, "ian") || strings.HasSuffix(next.text, "ish") || strings.HasSuffix(next.text, "ese") {
				continue
			}
			// Up to three capitalised words: "Abu Dhabi", "New Delhi".
			end := next.end
			for k := i + 2; k < len(ws) && k < i+4 && isCapitalized(ws[k].text) && ws[k].start-end <= 1 &&
				!placeStopWords[strings.ToLower(ws[k].text)]; k++ {
				end = ws[k].end
			}
			return sentence[next.start:end]
		case "ru":
			if (w.text != "в" && w.text != "во") || !isCapitalized(next.text) {
				continue
			}
			end := next.end
			if i+2 < len(ws) && sentence[next.end:ws[i+2].start] == "-" {
				end = ws[i+2].end // "Абу-Даби", "Нур-Султане"
			}
			return sentence[next.start:end]
		}
	}
	if lang != "kk" && lang != "az" && lang != "tr" {
		return ""
	}
	for i, w := range ws {
		if low := strings.ToLower(w.text); monthOf(low) > 0 || placeStopWords[low] {
			continue
		}
		if _, ok := weekdayOf(strings.ToLower(w.text)); ok {
			continue
		}
		// Turkish writes the suffix after an apostrophe: "Ankara'da".
		if apostrophe := strings.HasPrefix(sentence[w.end:], "'") || strings.HasPrefix(sentence[w.end:], "’"); apostrophe {
			if isCapitalized(w.text) && i+1 < len(ws) && ws[i+1].start-w.end <= len("’") &&
				slices.Contains(turkicLocatives, ws[i+1].text) {
				return w.text
			}
			continue
		}
		if !isCapitalized(w.text) || utf8.RuneCountInString(w.text) < 5 {
			continue
		}
		for _, suf := range turkicLocatives {
			if strings.HasSuffix(w.text, suf) {
				return strings.TrimSuffix(w.text, suf)
			}
		}
	}
	return ""
}

// monthStems name the months in the five languages: a word is a month
// when it is the stem followed by at most maxMonthSuffix runes (Turkic
// case endings, Russian genitives), or exactly the stem for short stems.
var monthStems = []struct {
	stem  string
	month time.Month
	exact bool
}{
	{"january", 1, false}, {"february", 2, false}, {"march", 3, true}, {"april", 4, true}, {"may", 5, true},
	{"june", 6, true}, {"july", 7, true}, {"august", 8, true}, {"september", 9, true}, {"october", 10, true},
	{"november", 11, true}, {"december", 12, true}, {"jan", 1, true}, {"feb", 2, true}, {"mar", 3, true},
	{"apr", 4, true}, {"jun", 6, true}, {"jul", 7, true}, {"aug", 8, true}, {"sep", 9, true},
	{"sept", 9, true}, {"oct", 10, true}, {"nov", 11, true}, {"dec", 12, true},
	{"январ", 1, false}, {"феврал", 2, false}, {"март", 3, false}, {"апрел", 4, false}, {"мая", 5, true},
	{"май", 5, true}, {"мае", 5, true}, {"июн", 6, false}, {"июл", 7, false}, {"август", 8, false},
	{"сентябр", 9, false}, {"октябр", 10, false}, {"ноябр", 11, false}, {"декабр", 12, false},
	{"қаңтар", 1, false}, {"ақпан", 2, false}, {"наурыз", 3, false}, {"сәуір", 4, false}, {"мамыр", 5, false},
	{"маусым", 6, false}, {"шілде", 7, false}, {"тамыз", 8, false}, {"қыркүйек", 9, false}, {"қазан", 10, false},
	{"қараша", 11, false}, {"желтоқсан", 12, false},
	{"yanvar", 1, false}, {"fevral", 2, false}, {"mart", 3, false}, {"aprel", 4, false}, {"may", 5, false},
	{"iyun", 6, false}, {"iyul", 7, false}, {"avqust", 8, false}, {"sentyabr", 9, false}, {"oktyabr", 10, false},
	{"noyabr", 11, false}, {"dekabr", 12, false},
	{"ocak", 1, false}, {"şubat", 2, false}, {"nisan", 4, false}, {"mayıs", 5, false}, {"haziran", 6, false},
	{"temmuz", 7, false}, {"ağustos", 8, false}, {"eylül", 9, false}, {"ekim", 10, false}, {"kasım", 11, false},
	{"aralık", 12, false},
}

const maxMonthSuffix = 5

// monthOf returns the month a lower-case word names, or 0.
func monthOf(w string) time.Month {
	for _, m := range monthStems {
		if w == m.stem {
			return m.month
		}
		if !m.exact && strings.HasPrefix(w, m.stem) && utf8.RuneCountInString(w[len(m.stem):]) <= maxMonthSuffix {
			return m.month
		}
	}
	return 0
}

// weekdayStems name the days of the week; the same suffix rule as months.
var weekdayStems = []struct {
	stem string
	day  time.Weekday
}{
	{"monday", time.Monday}, {"tuesday", time.Tuesday}, {"wednesday", time.Wednesday},
	{"thursday", time.Thursday}, {"friday", time.Friday}, {"saturday", time.Saturday}, {"sunday", time.Sunday},
	{"понедельник", time.Monday}, {"вторник", time.Tuesday}, {"сред", time.Wednesday}, {"четверг", time.Thursday},
	{"пятниц", time.Friday}, {"суббот", time.Saturday}, {"воскресень", time.Sunday},
	{"дүйсенбі", time.Monday}, {"сейсенбі", time.Tuesday}, {"сәрсенбі", time.Wednesday},
	{"бейсенбі", time.Thursday}, {"жексенбі", time.Sunday},
	{"pazartesi", time.Monday}, {"salı", time.Tuesday}, {"çarşamba", time.Wednesday},
	{"perşembe", time.Thursday}, {"cumartesi", time.Saturday},
}

func weekdayOf(w string) (time.Weekday, bool) {
	for _, d := range weekdayStems {
		if strings.HasPrefix(w, d.stem) && utf8.RuneCountInString(w[len(d.stem):]) <= 3 {
			return d.day, true
		}
	}
	return 0, false
}

// relativeDays are words that name a day by its distance from the day of
// publication.
var relativeDays = map[string]int{
	"yesterday": -1, "today": 0, "вчера": -1, "накануне": -1, "сегодня": 0, "кеше": -1, "бүгін": 0,
	"dünən": -1, "dün": -1, "bugün": 0,
}

// eventDate returns the date a sentence gives for its event as
// YYYY-MM-DD, or YYYY-MM or YYYY when it gives no more; days and months
// without a year, weekdays and "yesterday" are resolved against the
// publication date (towards the past, or the future for planned events).
// It returns "" when the sentence gives no date or it cannot be resolved.
func eventDate(sentence string, words []sentenceWord, published *time.Time, planned bool) string {
	if published == nil && !strings.ContainsAny(sentence, "0123456789") {
		return ""
	}
	// 2024-05-14 and 14.05.2024 are three words apart by one separator.
	sepIs := func(i int, c byte) bool { return words[i+1].start-words[i].end == 1 && sentence[words[i].end] == c }
	for i := 0; i+2 < len(words); i++ {
		a, b, c := words[i].text, words[i+1].text, words[i+2].text
		if !isDigitByte(a[0]) || !isDigitByte(b[0]) || !isDigitByte(c[0]) {
			continue
		}
		if yearWord(a) > 0 && len(b) == 2 && len(c) == 2 && sepIs(i, '-') && sepIs(i+1, '-') {
			if d, ok := makeDate(a, b, c); ok {
				return d.Format("2006-01-02")
			}
		}
		if yearWord(c) > 0 && len(a) <= 2 && len(b) <= 2 && sepIs(i, '.') && sepIs(i+1, '.') {
			if d, ok := makeDate(c, b, a); ok {
				return d.Format("2006-01-02")
			}
		}
	}
	ws := make([]sentenceWord, len(words))
	for i, w := range words {
		ws[i] = sentenceWord{strings.ToLower(w.text), w.start, w.end}
	}
	yearNear := func(i int) int {
		for k := max(0, i-3); k < len(ws) && k <= i+3; k++ {
			if y := yearWord(ws[k].text); y > 0 {
				return y
			}
		}
		return 0
	}
	for i, w := range ws {
		day := dayWord(w.text)
		var month time.Month
		switch {
		case day > 0 && i+1 < len(ws) && monthOf(ws[i+1].text) > 0:
			month = monthOf(ws[i+1].text) // 14 May, 14 мая, 14 mayda
		case day > 0 && i+2 < len(ws) && ws[i+1].text == "of" && monthOf(ws[i+2].text) > 0:
			month = monthOf(ws[i+2].text)
		case i+1 < len(ws) && dayWord(ws[i+1].text) > 0 && utf8.RuneCountInString(w.text) > 2 && monthOf(w.text) > 0:
			month, day = monthOf(w.text), dayWord(ws[i+1].text) // May 14
		}
		if month == 0 {
			continue
		}
		if y := yearNear(i); y > 0 {
			return fmt.Sprintf("%04d-%02d-%02d", y, month, day)
		}
		if published == nil {
			return ""
		}
		pub := published.UTC()
		d := time.Date(pub.Year(), month, day, 0, 0, 0, 0, time.UTC)
		switch {
		case !planned && d.After(pub.AddDate(0, 0, 2)):
			d = d.AddDate(-1, 0, 0)
		case planned && d.Before(pub.AddDate(0, 0, -2)):
			d = d.AddDate(1, 0, 0)
		}
		return d.Format("2006-01-02")
	}
	if published != nil {
		pub := published.UTC()
		pubDay := time.Date(pub.Year(), pub.Month(), pub.Day(), 0, 0, 0, 0, time.UTC)
		for _, w := range ws {
			if n, ok := relativeDays[w.text]; ok {
				return pubDay.AddDate(0, 0, n).Format("2006-01-02")
			}
			if wd, ok := weekdayOf(w.text); ok {
				delta := int(pubDay.Weekday()-wd+7) % 7
				if planned {
					delta = -((int(wd-pubDay.Weekday()) + 7) % 7)
					if delta == 0 {
						delta = -7
					}
				}
				return pubDay.AddDate(0, 0, -delta).Format("2006-01-02")
			}
		}
	}
	for i, w := range ws {
		if y := yearWord(w.text); y > 0 {
			for k := max(0, i-2); k < len(ws) && k <= i+2; k++ {
				if m := monthOf(ws[k].text); m > 0 && utf8.RuneCountInString(ws[k].text) > 3 {
					return fmt.Sprintf("%04d-%02d", y, m)
				}
			}
			if published == nil || y <= published.Year() {
				return fmt.Sprintf("%04d", y)
			}
		}
	}
	return ""
}

// dayWord returns the day of the month a word of one or two digits names,
// or 0.
func dayWord(w string) int {
	if len(w) == 0 || len(w) > 2 || !isDigitByte(w[0]) || (len(w) == 2 && !isDigitByte(w[1])) {
		return 0
	}
	d := int(w[0] - '0')
	if len(w) == 2 {
		d = d*10 + int(w[1]-'0')
	}
	if d < 1 || d > 31 {
		return 0
	}
	return d
}

// yearWord returns the year a word of four digits (1950-2099) names, with
// or without a Turkic or Russian ending ("2024-cü", "2024-го"), or 0.
func yearWord(w string) int {
	if len(w) != 4 {
		return 0
	}
	ys := yearsIn(w, 1, nil)
	if len(ys) == 0 {
		return 0
	}
	return ys[0]
}

// makeDate builds a valid date from year, month and day digits.
func makeDate(y, m, d string) (time.Time, bool) {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	if mi < 1 || mi > 12 || di < 1 || di > 31 {
		return time.Time{}, false
	}
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Day() != di {
		return time.Time{}, false
	}
	return t, true
}
