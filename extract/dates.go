package extract

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxDateInput bounds the text ParseDate looks at: dates are short, and a
// hostile attribute must not make the scan expensive.
const maxDateInput = 400

// isoLayouts are tried, in order, on the whole trimmed string before the
// token scanner: machine-written dates from meta tags, JSON-LD, feeds and
// sitemaps.
var isoLayouts = []struct {
	layout string
	zoned  bool
}{
	{time.RFC3339Nano, true},
	{"2006-01-02T15:04:05.999999999Z0700", true},
	{"2006-01-02T15:04Z07:00", true},
	{"2006-01-02T15:04Z0700", true},
	{"2006-01-02T15:04:05Z07", true},
	{"2006-01-02 15:04:05Z07:00", true},
	{"2006-01-02 15:04:05 Z07:00", true},
	{"2006-01-02 15:04:05 -0700", true},
	{"2006-01-02 15:04:05.999999999 -0700 MST", true},
	{time.RFC1123Z, true},
	{time.RFC1123, true},
	{"Mon, 2 Jan 2006 15:04:05 -0700", true},
	{"Mon, 2 Jan 2006 15:04:05 MST", true},
	{"Mon, 2 Jan 2006 15:04 -0700", true},
	{"2 Jan 2006 15:04:05 -0700", true},
	{time.RFC822Z, true},
	{time.RFC822, true},
	{"Mon, 2 Jan 06 15:04:05 -0700", true},
	{"Mon, 2 Jan 06 15:04:05 MST", true},
	{time.RFC850, true},
	{time.RubyDate, true},
	{time.UnixDate, true},
	{"2006-01-02T15:04:05.999999999", false},
	{"2006-01-02T15:04", false},
	{"2006-01-02 15:04:05", false},
	{"2006-01-02 15:04", false},
	{"2006-01-02", false},
	{"20060102", false},
	{time.ANSIC, false},
}

// monthNames maps folded month names and abbreviations in the languages
// the monitored outlets write in to month numbers. Keys are folded with
// foldDateWord.
var monthNames = map[string]time.Month{}

func init() {
	add := func(m time.Month, names ...string) {
		for _, n := range names {
			monthNames[foldDateWord(n)] = m
		}
	}
	// English, German, French, Spanish, Italian, Portuguese.
	add(time.January, "january", "jan", "januar", "janvier", "janv", "enero", "ene", "gennaio", "janeiro", "jänner")
	add(time.February, "february", "feb", "febr", "februar", "février", "fevrier", "févr", "fev", "febrero", "febbraio", "fevereiro")
	add(time.March, "march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco")
	add(time.April, "april", "apr", "avril", "avr", "abril", "abr", "aprile")
	add(time.May, "may", "mai", "mayo", "maggio", "maio")
	add(time.June, "june", "jun", "juni", "juin", "junio", "giugno", "junho")
	add(time.July, "july", "jul", "juli", "juillet", "juil", "julio", "luglio", "julho")
	add(time.August, "august", "aug", "août", "aout", "agosto", "ago")
	add(time.September, "september", "sep", "sept", "septembre", "septiembre", "settembre", "setembro", "set")
	add(time.October, "october", "oct", "okt", "oktober", "octobre", "octubre", "ottobre", "outubro", "out")
	add(time.November, "november", "nov", "novembre", "noviembre", "novembro")
	add(time.December, "december", "dec", "dez", "dezember", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro")
	// Russian: genitive (as in dates), nominative and abbreviations.
	add(time.January, "января", "январь", "янв")
	add(time.February, "февраля", "февраль", "фев", "февр")
	add(time.March, "марта", "март", "мар")
	add(time.April, "апреля", "апрель", "апр")
	add(time.May, "мая", "май")
	add(time.June, "июня", "июнь", "июн")
	add(time.July, "июля", "июль", "июл")
	add(time.August, "августа", "август", "авг")
	add(time.September, "сентября", "сентябрь", "сен", "сент")
	add(time.October, "октября", "октябрь", "окт")
	add(time.November, "ноября", "ноябрь", "ноя", "нояб")
	add(time.December, "декабря", "декабрь", "дек")
	// Kazakh, with the genitive/locative forms seen in dates.
	add(time.January, "қаңтар", "қаңтардағы", "қаңтарда")
	add(time.February, "ақпан", "ақпандағы", "ақпанда")
	add(time.March, "наурыз", "наурыздағы", "наурызда")
	add(time.April, "сәуір", "сәуірдегі", "сәуірде")
	add(time.May, "мамыр", "мамырдағы", "мамырда")
	add(time.June, "маусым", "маусымдағы", "маусымда")
	add(time.July, "шілде", "шілдедегі", "шілдеде")
	add(time.August, "тамыз", "тамыздағы", "тамызда")
	add(time.September, "қыркүйек", "қыркүйектегі", "қыркүйекте")
	add(time.October, "қазан", "қазандағы", "қазанда")
	add(time.November, "қараша", "қарашадағы", "қарашада")
	add(time.December, "желтоқсан", "желтоқсандағы", "желтоқсанда")
	// Azerbaijani (Latin).
	add(time.January, "yanvar")
	add(time.February, "fevral")
	add(time.March, "mart")
	add(time.April, "aprel")
	add(time.May, "may")
	add(time.June, "iyun")
	add(time.July, "iyul")
	add(time.August, "avqust")
	add(time.September, "sentyabr")
	add(time.October, "oktyabr")
	add(time.November, "noyabr")
	add(time.December, "dekabr")
	// Turkish.
	add(time.January, "ocak", "oca")
	add(time.February, "şubat", "şub", "sub")
	add(time.April, "nisan", "nis")
	add(time.May, "mayıs", "mayis")
	add(time.June, "haziran", "haz")
	add(time.July, "temmuz", "tem")
	add(time.August, "ağustos", "agustos", "ağu")
	add(time.September, "eylül", "eylul", "eyl")
	add(time.October, "ekim", "eki")
	add(time.November, "kasım", "kasim", "kas")
	add(time.December, "aralık", "aralik", "ara")
}

// zoneOffsets are the zone abbreviations a visible date may carry, in
// seconds east of UTC. Ambiguous abbreviations (IST, CST in Asia) are left
// out on purpose: a wrong zone is worse than the source's own.
var zoneOffsets = map[string]int{
	"utc": 0, "gmt": 0, "z": 0, "ut": 0,
	"est": -5 * 3600, "edt": -4 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"bst": 3600, "cet": 3600, "cest": 2 * 3600, "eet": 2 * 3600, "eest": 3 * 3600,
	"msk": 3 * 3600, "трт": 3 * 3600, "trt": 3 * 3600, "azt": 4 * 3600, "get": 4 * 3600,
	"almt": 5 * 3600, "aqtt": 5 * 3600, "мск": 3 * 3600,
}

// foldDateWord lowercases a word and removes the differences between
// Turkish dotted and dotless i and trailing dots of abbreviations.
func foldDateWord(s string) string {
	s = strings.TrimRight(s, ".")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'İ', 'I', 'ı':
			r = 'i'
		case '\u0307': // combining dot above, left by lowercasing İ
			continue
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseDate parses a date as machines write it (ISO 8601, RFC 3339, RFC
// 1123 and relatives) or as news pages show it in English, Russian, Kazakh,
// Azerbaijani, Turkish and a few other languages: "14 March 2024", "March
// 14, 2024 09:00", "14 марта 2024 года", "14.03.2024 14:30", "6 Dekabr 2025
// 15:49 (UTC +04:00)", "22 Nisan 2024 Pazartesi". A date with no zone is in
// loc (UTC when loc is nil). Text around the date is allowed; a string
// without a day, a month and a year gives false, so a copyright year or a
// month alone is never taken for a date.
func ParseDate(s string, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > maxDateInput {
		s = s[:maxDateInput]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if len(s) <= 64 {
		for _, l := range isoLayouts {
			var t time.Time
			var err error
			if l.zoned {
				t, err = time.Parse(l.layout, s)
			} else {
				t, err = time.ParseInLocation(l.layout, s, loc)
			}
			if err == nil && plausibleYear(t.Year()) {
				if strings.Contains(l.layout, "MST") {
					t = fixZoneAbbreviation(t)
				}
				return t, true
			}
		}
	}
	return scanDate(s, loc)
}

func plausibleYear(y int) bool { return y >= 1900 && y <= 2100 }

// dateToken is one run of digits, letters or a single other character.
type dateToken struct {
	kind byte // 'n' number, 'w' word, 'p' punctuation, ' ' space
	text string
	num  int
}

func tokenizeDate(s string) []dateToken {
	var toks []dateToken
	for i := 0; i < len(s) && len(toks) < 200; {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i
			n := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if j-i < 9 {
					n = n*10 + int(s[j]-'0')
				}
				j++
			}
			toks = append(toks, dateToken{kind: 'n', text: s[i:j], num: n})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && r2 != '\u0307' {
					break
				}
				j += sz
			}
			toks = append(toks, dateToken{kind: 'w', text: s[i:j]})
			i = j
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b':
			j := i + size
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) && r2 != '\u00a0' && r2 != '\u200b' {
					break
				}
				j += sz
			}
			toks = append(toks, dateToken{kind: ' ', text: " "})
			i = j
		default:
			toks = append(toks, dateToken{kind: 'p', text: s[i : i+size]})
			i += size
		}
	}
	return toks
}

// dateMatch is a calendar day found in tokens [start, end).
type dateMatch struct {
	y, d       int
	m          time.Month
	start, end int
}

// scanDate finds the first day-month-year in s, then a time of day and a
// zone next to it.
func scanDate(s string, loc *time.Location) (time.Time, bool) {
	toks := tokenizeDate(s)
	// Work on tokens without spaces, remembering whether a space preceded.
	var ts []dateToken
	var spacedBefore []bool
	spaced := false
	for _, t := range toks {
		if t.kind == ' ' {
			spaced = true
			continue
		}
		ts = append(ts, t)
		spacedBefore = append(spacedBefore, spaced)
		spaced = false
	}
	month := func(i int) (time.Month, bool) {
		if i < 0 || i >= len(ts) || ts[i].kind != 'w' {
			return 0, false
		}
		m, ok := monthNames[foldDateWord(ts[i].text)]
		return m, ok
	}
	isNum := func(i, minLen, maxLen int) bool {
		return i >= 0 && i < len(ts) && ts[i].kind == 'n' && len(ts[i].text) >= minLen && len(ts[i].text) <= maxLen
	}
	isPunct := func(i int, set string) bool {
		return i >= 0 && i < len(ts) && ts[i].kind == 'p' && strings.Contains(set, ts[i].text)
	}
	// skipOrdinal steps over "st", "nd", "th", "-го", "." after a day.
	skipDayTail := func(i int) int {
		if i < len(ts) && ts[i].kind == 'w' && !spacedBefore[i] {
			switch strings.ToLower(ts[i].text) {
			case "st", "nd", "rd", "th", "er", "e":
				return i + 1
			}
		}
		if isPunct(i, ".") {
			return i + 1
		}
		if isPunct(i, "-") && i+1 < len(ts) && ts[i+1].kind == 'w' && !spacedBefore[i+1] && len(ts[i+1].text) <= 4 {
			if _, ok := month(i + 1); !ok {
				return i + 2
			}
		}
		return i
	}
	var found *dateMatch
	for i := 0; i < len(ts) && found == nil; i++ {
		switch {
		case isNum(i, 4, 4) && isPunct(i+1, "-/.") && isNum(i+2, 1, 2) && isPunct(i+3, ts[i+1].text) && isNum(i+4, 1, 2):
			// 2024-03-14, 2024/03/14, 2024.03.14
			found = &dateMatch{y: ts[i].num, m: time.Month(ts[i+2].num), d: ts[i+4].num, start: i, end: i + 5}
		case isNum(i, 1, 2) && isPunct(i+1, "./-") && isNum(i+2, 1, 2) && isPunct(i+3, ts[i+1].text) && isNum(i+4, 2, 4) && (len(ts[i+4].text) == 4 || len(ts[i+4].text) == 2):
			a, b := ts[i].num, ts[i+2].num
			y := ts[i+4].num
			if len(ts[i+4].text) == 2 {
				y += 2000
			}
			d, m := a, b
			if ts[i+1].text == "/" && a <= 12 && b > 12 {
				d, m = b, a
			} else if ts[i+1].text == "/" && a <= 12 && b <= 12 {
				// 03/04/2024 is ambiguous; American sites write the month first.
				d, m = b, a
			} else if a <= 12 && b > 12 {
				d, m = b, a
			}
			found = &dateMatch{y: y, m: time.Month(m), d: d, start: i, end: i + 5}
		case isNum(i, 1, 2):
			// 14 March 2024, 14. März 2024, 14-Mar-2024, 21 наурыз 2024 ж.
			j := skipDayTail(i + 1)
			if isPunct(j, "-/") {
				j++
			}
			j = skipLinkWord(ts, j)
			m, ok := month(j)
			if !ok {
				continue
			}
			k := j + 1
			if isPunct(k, ".,-/") {
				k++
			}
			k = skipLinkWord(ts, k)
			if isNum(k, 4, 4) {
				found = &dateMatch{y: ts[k].num, m: m, d: ts[i].num, start: i, end: k + 1}
			}
		case isNum(i, 4, 4):
			// 2024 жылғы 21 наурыз, 2024. március 14., 2024 March 14
			j := i + 1
			if isPunct(j, ".,") {
				j++
			}
			if j < len(ts) && ts[j].kind == 'w' {
				if _, ok := month(j); !ok && strings.HasPrefix(foldDateWord(ts[j].text), "ж") {
					j++ // "жылғы", "ж."
					if isPunct(j, ".") {
						j++
					}
				}
			}
			if isNum(j, 1, 2) {
				if m, ok := month(j + 1); ok {
					found = &dateMatch{y: ts[i].num, m: m, d: ts[j].num, start: i, end: j + 2}
				}
			} else if m, ok := month(j); ok && isNum(j+1, 1, 2) {
				found = &dateMatch{y: ts[i].num, m: m, d: ts[j+1].num, start: i, end: j + 2}
			}
		case ts[i].kind == 'w':
			// March 14, 2024; Mar. 14th 2024
			m, ok := month(i)
			if !ok {
				continue
			}
			j := i + 1
			if isPunct(j, ".") {
				j++
			}
			if !isNum(j, 1, 2) {
				continue
			}
			k := skipDayTail(j + 1)
			if isPunct(k, ",") {
				k++
			}
			if isNum(k, 4, 4) {
				found = &dateMatch{y: ts[k].num, m: m, d: ts[j].num, start: i, end: k + 1}
			}
		}
		if found != nil && !validDay(found.y, found.m, found.d) {
			found = nil
		}
	}
	if found == nil {
		return time.Time{}, false
	}
	// A time of day: after the date within a few tokens, or just before it.
	hh, mm, ss := 0, 0, 0
	timeEnd := -1
	parseClock := func(i int) (int, bool) {
		if !isNum(i, 1, 2) || !isPunct(i+1, ":") || !isNum(i+2, 2, 2) {
			return 0, false
		}
		h, m := ts[i].num, ts[i+2].num
		end := i + 3
		s := 0
		if isPunct(end, ":") && isNum(end+1, 2, 2) {
			s = ts[end+1].num
			end += 2
			if isPunct(end, ".,") && isNum(end+1, 1, 9) {
				end += 2 // fractional seconds
			}
		}
		if end < len(ts) && ts[end].kind == 'w' {
			switch strings.ToLower(strings.ReplaceAll(ts[end].text, ".", "")) {
			case "pm", "p":
				if h < 12 {
					h += 12
				}
				end++
			case "am", "a":
				if h == 12 {
					h = 0
				}
				end++
			}
			if isPunct(end, ".") && end+1 < len(ts) && strings.EqualFold(ts[end+1].text, "m") {
				end += 2
			}
		}
		if h > 23 || m > 59 || s > 60 {
			return 0, false
		}
		hh, mm, ss = h, m, s
		return end, true
	}
	for i := found.end; i < len(ts) && i <= found.end+4; i++ {
		if e, ok := parseClock(i); ok {
			timeEnd = e
			break
		}
		if ts[i].kind == 'n' && len(ts[i].text) == 4 {
			break
		}
	}
	if timeEnd < 0 {
		for i := found.start - 5; i < found.start; i++ {
			if i < 0 {
				continue
			}
			if e, ok := parseClock(i); ok && e <= found.start {
				timeEnd = e
				break
			}
		}
	}
	// A zone right after the time (or the date when there is no time).
	after := found.end
	if timeEnd > after {
		after = timeEnd
	}
	offset, zoned := 0, false
	for i := after; i < len(ts) && i <= after+2 && !zoned; i++ {
		t := ts[i]
		if t.kind == 'p' && (t.text == "(" || t.text == "[") {
			continue
		}
		if t.kind == 'w' {
			off, ok := zoneOffsets[strings.ToLower(t.text)]
			if !ok {
				break
			}
			offset, zoned = off, true
			if o, n := signedOffset(ts, i+1); n > 0 {
				offset = o
			}
			break
		}
		if t.kind == 'p' && (t.text == "+" || t.text == "-" || t.text == "−") && timeEnd >= 0 {
			if o, n := signedOffset(ts, i); n > 0 {
				offset, zoned = o, true
			}
			break
		}
		if t.kind != 'p' {
			break
		}
	}
	if zoned {
		loc = time.FixedZone("", offset)
	}
	return time.Date(found.y, found.m, found.d, hh, mm, ss, 0, loc), true
}

// signedOffset reads "+04:00", "+0400", "+4", "-03" starting at i and
// returns the offset in seconds and the tokens used (0 when none).
func signedOffset(ts []dateToken, i int) (int, int) {
	at := func(j int) dateToken { return ts[j] }
	if i >= len(ts) {
		return 0, 0
	}
	sign := at(i)
	if sign.kind != 'p' || (sign.text != "+" && sign.text != "-" && sign.text != "−") {
		return 0, 0
	}
	if i+1 >= len(ts) || at(i+1).kind != 'n' {
		return 0, 0
	}
	n := at(i + 1)
	h, m, used := 0, 0, 2
	switch len(n.text) {
	case 1, 2:
		h = n.num
		if i+3 < len(ts) && at(i+2).text == ":" && at(i+3).kind == 'n' && len(at(i+3).text) == 2 {
			m = at(i + 3).num
			used = 4
		}
	case 4:
		h, m = n.num/100, n.num%100
	default:
		return 0, 0
	}
	if h > 14 || m > 59 {
		return 0, 0
	}
	off := h*3600 + m*60
	if sign.text != "+" {
		off = -off
	}
	return off, used
}

func validDay(y int, m time.Month, d int) bool {
	if !plausibleYear(y) || m < time.January || m > time.December || d < 1 || d > 31 {
		return false
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() == d
}

// dateFromURL finds a /2024/03/14/ or /2024-03-14/ style day in a URL
// path. It is the last resort: only the day is known, at midnight in loc.
func dateFromURL(u string, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if len(u) > 2048 {
		return time.Time{}, false
	}
	parts := strings.FieldsFunc(u, func(r rune) bool { return r == '/' })
	num := func(s string, n int) (int, bool) {
		if len(s) != n {
			return 0, false
		}
		v := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			v = v*10 + int(s[i]-'0')
		}
		return v, true
	}
	for i := 1; i < len(parts); i++ {
		// /2024/03/14/
		if y, ok := num(parts[i], 4); ok && i+2 < len(parts) {
			m, ok1 := num(parts[i+1], 2)
			d, ok2 := num(parts[i+2], 2)
			if ok1 && ok2 && validDay(y, time.Month(m), d) {
				return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
			}
		}
		// /2024-03-14/ or /2024-03-14-some-slug
		p := parts[i]
		if len(p) >= 10 && p[4] == '-' && p[7] == '-' && (len(p) == 10 || p[10] == '-' || p[10] == '_') {
			y, ok := num(p[:4], 4)
			m, ok1 := num(p[5:7], 2)
			d, ok2 := num(p[8:10], 2)
			if ok && ok1 && ok2 && validDay(y, time.Month(m), d) {
				return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
			}
		}
	}
	return time.Time{}, false
}

// skipLinkWord steps over the words that join the parts of a date in
// Spanish, Portuguese and English: "5 de marzo de 2024", "14th of March".
func skipLinkWord(ts []dateToken, i int) int {
	if i < len(ts) && ts[i].kind == 'w' {
		switch strings.ToLower(ts[i].text) {
		case "de", "del", "of":
			return i + 1
		}
	}
	return i
}

// fixZoneAbbreviation gives a time parsed with a zone abbreviation the
// offset the abbreviation stands for: time.Parse makes up a zero offset
// for abbreviations the local zone does not know ("EST" on a UTC machine).
func fixZoneAbbreviation(t time.Time) time.Time {
	name, off := t.Zone()
	if want, ok := zoneOffsets[strings.ToLower(name)]; ok && want != off {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(name, want))
	}
	return t
}
