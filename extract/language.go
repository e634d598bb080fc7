package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLanguageSample bounds the text the detector reads.
const maxLanguageSample = 8 << 10

// normalizeLanguage turns a declared language ("en-US", "ru_RU", "kk") into
// its lowercase primary subtag, or "" when it does not look like one.
func normalizeLanguage(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_,; "); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return ""
		}
	}
	return s
}

// stopwords are frequent short words per language, for telling apart the
// languages that share a script. The lists are small on purpose: a few
// hundred words of text give clear counts.
var stopwords = map[string][]string{
	"en": {"the", "and", "of", "to", "in", "is", "that", "for", "it", "with", "was", "on", "as", "are", "by", "this", "be", "from", "has", "have", "said", "which", "will", "at", "an"},
	"de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "zu", "sich", "auf", "ein", "eine", "auch", "für", "dem", "im", "wird", "sind", "es"},
	"fr": {"le", "la", "les", "des", "et", "est", "une", "du", "dans", "pour", "que", "qui", "pas", "sur", "au", "avec", "il", "ce", "sont", "par", "en"},
	"es": {"el", "la", "los", "las", "del", "que", "y", "en", "una", "por", "con", "para", "es", "se", "su", "al", "lo", "como", "más", "pero"},
	"it": {"il", "di", "che", "della", "per", "una", "sono", "del", "non", "con", "gli", "nel", "alla", "anche", "è", "le", "si", "da"},
	"pt": {"o", "os", "que", "do", "da", "em", "um", "uma", "para", "com", "não", "dos", "das", "no", "na", "se", "ao", "foi", "é", "mais"},
	"nl": {"de", "het", "een", "van", "en", "is", "dat", "op", "te", "niet", "zijn", "voor", "met", "die", "ook", "wordt", "naar"},
	"tr": {"ve", "bir", "bu", "da", "de", "için", "ile", "olarak", "çok", "daha", "olan", "gibi", "en", "kadar", "sonra", "ise", "değil"},
	"az": {"və", "bir", "bu", "ilə", "üçün", "da", "də", "olan", "olaraq", "daha", "çox", "edib", "qeyd", "isə", "görə", "artıq"},
	"pl": {"i", "w", "na", "nie", "się", "z", "że", "do", "jest", "to", "od", "jak", "po", "przez", "ale", "czy"},
	"cs": {"a", "v", "se", "na", "je", "že", "do", "to", "s", "z", "o", "pro", "jsou", "ale", "jako", "by", "který"},
	"sv": {"och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har", "inte", "om"},
	"ru": {"и", "в", "не", "на", "что", "с", "по", "это", "как", "из", "для", "его", "к", "о", "от", "также", "года", "был", "была"},
	"uk": {"і", "та", "що", "не", "на", "з", "до", "як", "це", "від", "для", "також", "року", "який"},
	"kk": {"және", "бен", "мен", "үшін", "бұл", "да", "де", "деп", "жылы", "бойынша", "болып", "осы", "туралы", "еді", "екенін"},
}

var stopwordIndex = func() map[string][]string {
	idx := map[string][]string{}
	for lang, words := range stopwords {
		for _, w := range words {
			idx[w] = append(idx[w], lang)
		}
	}
	return idx
}()

// detectLanguage guesses the language of text from its script and its
// most frequent words. It returns "" when the text is too short to tell.
func detectLanguage(text string) string {
	if len(text) > maxLanguageSample {
		text = text[:maxLanguageSample]
	}
	var latin, cyrillic, arabic, han, kana, hangul, greek, hebrew, georgian, armenian, thai, devanagari, letters int
	var kkLetters, ukLetters, azSchwa, trLetters, persian int
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case r < 0x2B0:
			latin++
			switch r {
			case 'ə', 'Ə':
				azSchwa++
			case 'ğ', 'Ğ', 'ı', 'İ', 'ş', 'Ş':
				trLetters++
			}
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
			switch r {
			case 'ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'һ', 'Ә', 'Ғ', 'Қ', 'Ң', 'Ө', 'Ұ', 'Һ':
				kkLetters++
			case 'ї', 'є', 'ґ', 'Ї', 'Є', 'Ґ':
				ukLetters++
			}
		case unicode.Is(unicode.Arabic, r):
			arabic++
			switch r {
			case 'پ', 'چ', 'ژ', 'گ', 'ی':
				persian++
			}
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Georgian, r):
			georgian++
		case unicode.Is(unicode.Armenian, r):
			armenian++
		case unicode.Is(unicode.Thai, r):
			thai++
		case unicode.Is(unicode.Devanagari, r):
			devanagari++
		}
	}
	if letters < 20 {
		return ""
	}
	major := func(n int) bool { return n*2 > letters }
	switch {
	case major(kana + han):
		if kana*10 > han {
			return "ja"
		}
		return "zh"
	case major(hangul):
		return "ko"
	case major(greek):
		return "el"
	case major(hebrew):
		return "he"
	case major(georgian):
		return "ka"
	case major(armenian):
		return "hy"
	case major(thai):
		return "th"
	case major(devanagari):
		return "hi"
	case major(arabic):
		if persian*50 > arabic {
			return "fa"
		}
		return "ar"
	case major(cyrillic):
		if kkLetters*100 > cyrillic {
			return "kk"
		}
		if ukLetters*200 > cyrillic {
			return "uk"
		}
		return bestByStopwords(text, "ru", "uk", "kk")
	case major(latin):
		if azSchwa*200 > latin {
			return "az"
		}
		lang := bestByStopwords(text, "en", "de", "fr", "es", "it", "pt", "nl", "tr", "az", "pl", "cs", "sv")
		if lang == "" && trLetters*100 > latin {
			return "tr"
		}
		return lang
	}
	return ""
}

// bestByStopwords counts the stopwords of each candidate language in text
// and returns the language with the most, or "" when none is found.
func bestByStopwords(text string, candidates ...string) string {
	counts := map[string]int{}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r2, sz := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r2) {
				break
			}
			j += sz
		}
		w := text[i:j]
		if len(w) <= 16 {
			for _, lang := range stopwordIndex[strings.ToLower(w)] {
				counts[lang]++
			}
		}
		i = j
	}
	best, bestN := "", 0
	for _, c := range candidates {
		if counts[c] > bestN {
			best, bestN = c, counts[c]
		}
	}
	if bestN < 3 {
		return ""
	}
	return best
}
