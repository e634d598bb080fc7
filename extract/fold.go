package extract

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldedText is a text prepared for dictionary matching: lower case,
// diacritics removed where that is safe, and every run of characters that
// are neither letters nor digits turned into one space, so that
// "Baku–Tbilisi-Ceyhan" and "baku tbilisi  ceyhan" fold alike. It always
// ends with a space, so every word is followed by one.
//
// Offsets map back to the source through anchors rather than a table per
// byte: most folded bytes stand at a fixed distance from their source
// bytes (ASCII and Cyrillic keep their lengths), and an anchor is written
// only where that distance changes (a run of separators, a dropped mark, a
// letter that loses its diacritic). paras holds the folded offsets at
// which a paragraph (after a blank line) begins; paras[0] is 0.
type foldedText struct {
	buf     []byte
	anchors []foldAnchor
	paras   []int32
}

// foldAnchor says that folded byte f came from source byte o, and the
// bytes after it from the bytes after o, up to the next anchor.
type foldAnchor struct{ f, o int32 }

// origAt returns the source offset of folded byte fp: for a word's first
// byte where the word starts; for a space where the separators before the
// next word start, that is where the word before it ends.
func (f *foldedText) origAt(fp int32) int {
	a := f.anchors
	lo, hi := 0, len(a)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a[m].f <= fp {
			lo = m + 1
		} else {
			hi = m
		}
	}
	x := a[lo-1]
	return int(x.o + fp - x.f)
}

// origAtFrom is origAt for a caller whose offsets mostly grow: *hint is
// the index of the anchor after the last offset's, and a search forward
// from it costs the logarithm of the distance, not of the text. The
// result is origAt's.
func (f *foldedText) origAtFrom(fp int32, hint *int) int {
	a := f.anchors
	lo, hi := *hint, len(a)
	switch {
	case lo < 1 || lo > len(a):
		lo = 1 // anchors[0] is at folded byte 0
	case a[lo-1].f > fp:
		lo, hi = 1, lo-1
	default:
		// Galloping forward: steps of 1, 2, 4… until an anchor past fp,
		// then halves between the last two probes.
		hi = lo
		for step := 1; hi < len(a) && a[hi].f <= fp; step <<= 1 {
			lo = hi + 1
			hi += step
		}
		hi = min(hi, len(a))
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a[m].f <= fp {
			lo = m + 1
		} else {
			hi = m
		}
	}
	*hint = lo
	x := a[lo-1]
	return int(x.o + fp - x.f)
}

// Markers in foldTable besides folded runes.
const (
	foldSep  = 0  // a word separator
	foldDrop = -1 // nothing: combining marks, soft hyphens, zero-width characters
)

// foldTable folds every rune below 0x800 (ASCII, Latin, Greek, Cyrillic,
// Armenian, Hebrew, Arabic) and foldExtra the Latin Extended Additional
// block; other runes go through unicode.ToLower.
var (
	foldTable [0x800]int32
	foldExtra [0x100]int32 // U+1E00..U+1EFF
)

func init() {
	for r := rune(0); r < 0x800; r++ {
		foldTable[r] = foldRuneSlow(r)
	}
	for r := rune(0x1E00); r < 0x1F00; r++ {
		foldExtra[r-0x1E00] = foldRuneSlow(r)
	}
}

// foldRuneSlow is the definition of folding that the tables cache.
//
// Latin letters lose their diacritics (Türkiye = Turkiye, Dəhliz = Dehliz
// through ə → e, the Turkish dotless ı and dotted İ both become i), because
// writers drop them and transliterate freely. Cyrillic keeps its letters
// apart (й is not и, and the Kazakh ә, қ, ң, ө, ұ, ү, і are letters of their
// own), except ё, which Russian spelling writes as е.
func foldRuneSlow(r rune) int32 {
	switch {
	case r == 0xAD || r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF:
		return foldDrop
	case unicode.Is(unicode.Mn, r):
		return foldDrop
	case r == 'ı' || r == 'İ' || r == 'I':
		return 'i'
	case r == 'ə' || r == 'Ə':
		return 'e'
	case r == 'ё' || r == 'Ё':
		return 'е'
	case !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return foldSep
	}
	l := unicode.ToLower(r)
	if (l >= 0xC0 && l < 0x250) || (l >= 0x1E00 && l < 0x1F00) {
		// Keep the base letter of a decomposition into a letter and marks.
		d := norm.NFD.String(string(l))
		base, n := utf8.DecodeRuneInString(d)
		if n < len(d) && base < 0x80 && unicode.IsLetter(base) {
			rest := d[n:]
			marks := true
			for _, m := range rest {
				if !unicode.Is(unicode.Mn, m) {
					marks = false
				}
			}
			if marks {
				return base
			}
		}
	}
	return l
}

// foldRune folds one rune with the tables.
func foldRune(r rune) int32 {
	switch {
	case r < 0x800:
		return foldTable[r]
	case r >= 0x1E00 && r < 0x1F00:
		return foldExtra[r-0x1E00]
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF:
		return foldDrop
	case r == 0x2029: // paragraph separator
		return foldSep
	}
	return foldRuneSlow(r)
}

// asciiFold folds ASCII bytes: lower-case letters and digits, 0 for
// separators.
var asciiFold [128]byte

func init() {
	for c := 0; c < 128; c++ {
		if fr := foldTable[c]; fr > 0 {
			asciiFold[c] = byte(fr)
		}
	}
}

// load64 returns the eight bytes of s from i as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// asciiWordPrefix returns how many of the eight bytes of x, from the
// lowest, are ASCII letters or digits, and x with its capitals in lower
// case (what it holds above those bytes is undefined). It folds as
// asciiFold does, eight bytes at once: a lane below 0x80 plus 0x80-lo sets
// its high bit exactly when it is at least lo, and carries only out of
// lanes at or above 0x80, which end the word anyway. words reports that
// the eight bytes are ASCII words parted by single spaces, beginning and
// ending inside a word: they then fold, spaces and all, to the lower-case
// x, at the same distance from the source. fold has this body written
// out, as the call is not inlined; TestWordPrefixes checks this function
// and TestFoldMatchesReference the copy.
func asciiWordPrefix(x uint64) (k int, low uint64, words bool) {
	const l, h = 0x0101010101010101, 0x8080808080808080
	upper := (x + (0x80-'A')*l) &^ (x + (0x80-'Z'-1)*l)
	word := ((x+(0x80-'0')*l)&^(x+(0x80-'9'-1)*l) | upper | (x+(0x80-'a')*l)&^(x+(0x80-'z'-1)*l)) & h
	space := zeroBytes(x^' '*l) & ^word
	words = x&h == 0 && word|space == h && word&0x8000000000000080 == 0x8000000000000080 && space&(space<<8) == 0
	return bits.TrailingZeros64((^word|x)&h) >> 3, x + (upper&h)>>2, words
}

// russianSmallPrefix returns how many of the eight bytes of x, from the
// lowest, are Russian small letters а-я (U+0430-U+044F, which fold to
// themselves) in two-byte lanes: D0 B0-BF or D1 80-8F.
func russianSmallPrefix(x uint64) int {
	const lanes, high = 0x7FFF7FFF7FFF7FFF, 0x8000800080008000
	m := x & 0xF0FFF0FFF0FFF0FF
	za, zb := m^0xB0D0B0D0B0D0B0D0, m^0x80D180D180D180D1
	// A lane is zero when neither its high bit nor, added to 0x7FFF,
	// its other bits carry into the high bit.
	zeroA := ^((za&lanes + lanes) | za) & high
	zeroB := ^((zb&lanes + lanes) | zb) & high
	bad := ^(zeroA | zeroB) & high
	return bits.TrailingZeros64(bad) >> 4 << 1
}

// fold folds s into f, reusing f's buffers.
func (f *foldedText) fold(s string) {
	// Folding never lengthens ASCII; other runes may grow by a byte or two,
	// which the non-ASCII path checks for.
	buf := f.buf[:cap(f.buf)]
	if len(buf) < len(s)+16+foldPad {
		buf = make([]byte, len(s)+16+foldPad)
	}
	anchors := append(f.anchors[:0], foldAnchor{0, 0})
	shift := int32(0) // source offset minus folded offset since the last anchor
	paras := append(f.paras[:0], 0)
	n := 0
	sepStart := 0    // offset in s of the separator run being read, -1 inside a word
	newlines := 2    // newlines in that run; a blank line starts a paragraph
	started := false // a word has been written
	var enc [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiFold[c] != 0 {
				if sepStart >= 0 {
					if started {
						if int32(sepStart-n) != shift {
							shift = int32(sepStart - n)
							anchors = append(anchors, foldAnchor{int32(n), int32(sepStart)})
						}
						buf[n] = ' '
						n++
						if newlines >= 2 {
							paras = append(paras, int32(n))
						}
					}
					sepStart, newlines, started = -1, 0, true
				}
				if int32(i-n) != shift {
					shift = int32(i - n)
					anchors = append(anchors, foldAnchor{int32(n), int32(i)})
				}
				for {
					// An ASCII word keeps the distance to the source; it
					// is folded eight bytes at a time.
					ended := false
					for i+8 <= len(s) && n+8 <= len(buf) {
						// asciiWordPrefix, by hand: the call is not inlined.
						const l, h = 0x0101010101010101, 0x8080808080808080
						x := load64(s, i)
						upper := (x + (0x80-'A')*l) &^ (x + (0x80-'Z'-1)*l)
						word := ((x+(0x80-'0')*l)&^(x+(0x80-'9'-1)*l) | upper | (x+(0x80-'a')*l)&^(x+(0x80-'z'-1)*l)) & h
						binary.LittleEndian.PutUint64(buf[n:], x+(upper&h)>>2)
						if space := zeroBytes(x^' '*l) & ^word; x&h == 0 && word|space == h &&
							word&0x8000000000000080 == 0x8000000000000080 && space&(space<<8) == 0 {
							n += 8
							i += 8
							continue
						}
						k := bits.TrailingZeros64((^word|x)&h) >> 3
						n += k
						i += k
						if k < 8 {
							ended = true
							break
						}
					}
					for !ended && i < len(s) && s[i] < utf8.RuneSelf && asciiFold[s[i]] != 0 {
						buf[n] = asciiFold[s[i]]
						n++
						i++
					}
					// One space before another ASCII word, the commonest
					// separator, keeps the distance too and starts no
					// paragraph.
					if i+1 < len(s) && s[i] == ' ' && s[i+1] < utf8.RuneSelf && asciiFold[s[i+1]] != 0 {
						buf[n] = ' '
						n++
						i++
						continue
					}
					break
				}
				continue
			} else {
				if sepStart < 0 {
					sepStart = i
				}
				if c == '\n' {
					newlines++
				}
			}
			i++
			continue
		}
		var r rune
		var fr int32
		size := 2
		if c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			// Two-byte runes (Latin, Cyrillic) straight from the table.
			r = rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
			fr = foldTable[r]
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			fr = foldRune(r)
		}
		switch {
		case fr > 0:
			if n+utf8.UTFMax+2 > len(buf) {
				buf = append(buf[:n], make([]byte, len(buf)+len(s)-i+16-n)...)
			}
			if sepStart >= 0 {
				if started {
					if int32(sepStart-n) != shift {
						shift = int32(sepStart - n)
						anchors = append(anchors, foldAnchor{int32(n), int32(sepStart)})
					}
					buf[n] = ' '
					n++
					if newlines >= 2 {
						paras = append(paras, int32(n))
					}
				}
				sepStart, newlines, started = -1, 0, true
			}
			if int32(i-n) != shift {
				shift = int32(i - n)
				anchors = append(anchors, foldAnchor{int32(n), int32(i)})
			}
			if fr < utf8.RuneSelf {
				buf[n] = byte(fr)
				n++
			} else if fr < 0x800 {
				buf[n] = byte(0xC0 | fr>>6)
				buf[n+1] = byte(0x80 | fr&0x3F)
				n += 2
				for size == 2 {
					// The rest of a Cyrillic word keeps the distance too;
					// runs of Russian small letters are copied eight bytes
					// at a time.
					for i+10 <= len(s) && n+8 <= len(buf) {
						x := load64(s, i+2)
						k := russianSmallPrefix(x)
						binary.LittleEndian.PutUint64(buf[n:], x)
						n += k
						i += k
						if k < 8 {
							break
						}
					}
					for i+3 < len(s) {
						c2 := s[i+2]
						if c2 < 0xC2 || c2 >= 0xE0 || s[i+3]&0xC0 != 0x80 {
							break
						}
						f2 := foldTable[rune(c2&0x1F)<<6|rune(s[i+3]&0x3F)]
						if f2 < 0x80 || f2 >= 0x800 {
							break
						}
						buf[n] = byte(0xC0 | f2>>6)
						buf[n+1] = byte(0x80 | f2&0x3F)
						n += 2
						i += 2
					}
					// So does one space before another such word.
					if i+5 > len(s) || s[i+2] != ' ' {
						break
					}
					c2 := s[i+3]
					if c2 < 0xC2 || c2 >= 0xE0 || s[i+4]&0xC0 != 0x80 {
						break
					}
					f2 := foldTable[rune(c2&0x1F)<<6|rune(s[i+4]&0x3F)]
					if f2 < 0x80 || f2 >= 0x800 {
						break
					}
					buf[n] = ' '
					buf[n+1] = byte(0xC0 | f2>>6)
					buf[n+2] = byte(0x80 | f2&0x3F)
					n += 3
					i += 3
				}
			} else {
				k := utf8.EncodeRune(enc[:], fr)
				copy(buf[n:], enc[:k])
				n += k
			}
		case fr == foldSep:
			if sepStart < 0 {
				sepStart = i
			}
			if r == 0x2029 {
				newlines += 2
			}
		}
		i += size
	}
	end := len(s)
	if sepStart >= 0 && started {
		end = sepStart
	}
	if n >= len(buf) {
		buf = append(buf[:n], 0)
	}
	if int32(end-n) != shift {
		anchors = append(anchors, foldAnchor{int32(n), int32(end)})
	}
	buf[n] = ' '
	n++
	if len(buf) < n+foldPad {
		buf = append(buf[:n], make([]byte, foldPad)...)
	}
	f.buf, f.anchors, f.paras = buf[:n], anchors, paras
}

// foldPad is the number of bytes after a folded text that its buffer
// keeps, so that the first 32 bytes of any word load in whole eight-byte reads.
const foldPad = 32

// padded returns the folded text with the foldPad bytes after it, whose
// values are undefined.
func (f *foldedText) padded() []byte { return f.buf[:len(f.buf)+foldPad] }

// foldString returns s folded, without the final space.
func foldString(s string) string {
	var f foldedText
	f.fold(s)
	return string(f.buf[:len(f.buf)-1])
}

// wordPattern matches one folded word: the stem followed by at most
// maxSuffix more letters or digits (counted in runes).
type wordPattern struct {
	stem      string
	maxSuffix int
}

// Inflection allowances. Russian declines every word of a phrase, with
// endings of up to three letters once the stem is cut; the Turkic languages
// (Kazakh, Azerbaijani, Turkish) stack suffixes on the last word only;
// English gets its plurals.
const (
	russianSuffix = 3
	turkicSuffix  = 6
	minStemRunes  = 3
)

// russianEndings are the inflectional endings cut from a Russian term word
// before any ending is allowed after it; longest first.
var russianEndings = []string{
	"иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией",
	"ой", "ей", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ия", "ье", "ья",
	"ов", "ев", "ах", "ях", "ам", "ям", "ом", "ем", "ую", "юю",
	"а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
}

// termWordPatterns returns the alternatives of word i of n of a term in
// language lang: folded is the folded word, caps says it was written in
// capitals (an abbreviation, matched as it is).
func termWordPatterns(folded string, caps bool, lang string, i, n int) []wordPattern {
	runes := utf8.RuneCountInString(folded)
	if caps || runes < minStemRunes {
		return []wordPattern{{stem: folded}}
	}
	switch lang {
	case "ru", "uk", "be":
		stem := folded
		for _, e := range russianEndings {
			if strings.HasSuffix(folded, e) && utf8.RuneCountInString(folded)-utf8.RuneCountInString(e) >= minStemRunes {
				stem = folded[:len(folded)-len(e)]
				break
			}
		}
		return []wordPattern{{stem: stem, maxSuffix: russianSuffix}}
	case "kk", "az", "tr", "ky", "uz", "tk":
		if i == n-1 && runes >= 4 {
			return []wordPattern{{stem: folded, maxSuffix: turkicSuffix}}
		}
		return []wordPattern{{stem: folded}}
	case "en":
		out := []wordPattern{{stem: folded}}
		for _, p := range englishPlurals(folded) {
			out = append(out, wordPattern{stem: p})
		}
		return out
	}
	return []wordPattern{{stem: folded}}
}

// englishPlurals returns the plural forms of an English noun; irregular
// ones used in agreements are listed.
func englishPlurals(w string) []string {
	switch w {
	case "memorandum":
		return []string{"memoranda", "memorandums"}
	case "memoranda", "memorandums":
		return nil
	}
	last := w[len(w)-1]
	switch {
	case last < 'a' || last > 'z':
		return nil
	case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z") ||
		strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh"):
		return []string{w + "es"}
	case last == 'y' && len(w) > 1 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return []string{w[:len(w)-1] + "ies"}
	}
	return []string{w + "s"}
}

// isCapsWord reports whether a word of a term is written in capitals: two
// or more letters, none of them lower case ("CPC", "ТМТМ", "BTC").
func isCapsWord(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// hasLowerLetter reports whether s holds a lower-case letter.
func hasLowerLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}
