package extract

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

// equivalenceDocs returns n documents that exercise the tagger's fast
// paths: paragraphs of the labelled set cut and joined at random, the
// configured terms and party aliases in upper, title and mixed case with
// inflections, glued to separators, digits, marks, invalid bytes and words
// just longer or shorter than eight bytes.
func equivalenceDocs(t testing.TB, n int) []newsmon.Article {
	t.Helper()
	cfg, err := newsmon.Load("../config.toml")
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	var terms []string
	for _, tp := range cfg.Topics {
		for _, lang := range sortedLangs(tp.Terms) {
			for _, term := range tp.Terms[lang] {
				phrase, _, _ := strings.Cut(term, "|")
				terms = append(terms, strings.TrimPrefix(strings.TrimSpace(phrase), "="))
			}
		}
		for _, lang := range sortedLangs(tp.Exclude) {
			terms = append(terms, tp.Exclude[lang]...)
		}
	}
	for _, p := range cfg.Parties {
		for _, lang := range sortedLangs(p.Aliases) {
			for _, a := range p.Aliases[lang] {
				terms = append(terms, strings.TrimPrefix(a, "="))
			}
		}
	}
	var paras []string
	files, _ := filepath.Glob("testdata/labelled/*/*.txt")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, text, _ := strings.Cut(string(data), "\n---\n")
		for _, p := range strings.Split(text, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				paras = append(paras, p)
			}
		}
	}
	if len(terms) == 0 || len(paras) == 0 {
		t.Fatal("no terms or no labelled paragraphs")
	}
	suffixes := []string{"", "", "", "s", "es", "а", "ов", "ами", "ого", "ын", "nin", "ları", "lerinden", "ский", "x", "1", "abcdefgh"}
	seps := []string{" ", " ", " ", ", ", "–", "-", ". ", "\n", "\n\n", "\u00a0", "«", "»", "\u00ad", "\u200b", "’", " \xff ", "/", "\u2029"}
	noise := []string{"the", "a", "in", "and", "и", "в", "signed", "подписали", "2024", "May", "14", "Mr.", "U.S.", "г.",
		"abcdefg", "abcdefgh", "abcdefghi", "строчка", "ДЛИННОЕСЛОВО", "Ⱥb", "x\u0301", "日本", "İŞIK", "ТМТМ", "CPC", "BTC"}
	r := rand.New(rand.NewPCG(20, 26))
	mangle := func(s string) string {
		switch r.IntN(6) {
		case 0:
			return strings.ToUpper(s)
		case 1:
			return strings.ToLower(s)
		case 2:
			b := []rune(s)
			for i := range b {
				if r.IntN(3) == 0 {
					b[i] = []rune(strings.ToUpper(string(b[i])))[0]
				}
			}
			return string(b)
		}
		return s
	}
	docs := make([]newsmon.Article, 0, n)
	for len(docs) < n {
		var b strings.Builder
		for k := 1 + r.IntN(12); k > 0; k-- {
			switch r.IntN(4) {
			case 0:
				p := paras[r.IntN(len(paras))]
				i, j := r.IntN(len(p)+1), r.IntN(len(p)+1)
				if r.IntN(2) == 0 {
					i, j = 0, len(p)
				}
				b.WriteString(p[min(i, j):max(i, j)])
			case 1:
				b.WriteString(mangle(terms[r.IntN(len(terms))]) + suffixes[r.IntN(len(suffixes))])
			default:
				b.WriteString(mangle(noise[r.IntN(len(noise))]))
			}
			b.WriteString(seps[r.IntN(len(seps))])
		}
		title := ""
		if r.IntN(2) == 0 {
			title = mangle(terms[r.IntN(len(terms))]) + " " + noise[r.IntN(len(noise))]
		}
		docs = append(docs, newsmon.Article{Title: title, Text: b.String()})
	}
	return docs
}

// TestFoldMatchesReference checks that fold, with its eight-byte paths,
// writes what foldReference writes: the same folded bytes, paragraph
// starts and source offset for every folded byte.
func TestFoldMatchesReference(t *testing.T) {
	var texts []string
	for _, a := range equivalenceDocs(t, 400) {
		texts = append(texts, a.Text, a.Title)
	}
	fragments := []string{"abcdefgh", "ABCDEFGHIJ", "Ab9", "0123456789", "zZ@[`{", "строчные", "СТРОЧНЫЕ",
		"ёжик", "Ёлка", "ӘӨ", "абвгдежзийклмнопрстуфхцчшщъыьэюя", "аaбb", "я\xd1", "\xd0\xb0\xd0", "Türkiye", " ", "-", "\n\n", "\xff", "İ"}
	r := rand.New(rand.NewPCG(5, 8))
	for n := 0; n < 2000; n++ {
		var b strings.Builder
		for k := r.IntN(12); k >= 0; k-- {
			b.WriteString(fragments[r.IntN(len(fragments))])
		}
		texts = append(texts, b.String())
	}
	for _, in := range texts {
		var got, want foldedText
		got.fold(in)
		want.foldReference(in)
		if string(got.buf) != string(want.buf) {
			t.Fatalf("fold(%q) = %q, want %q", in, got.buf, want.buf)
		}
		if !slices.Equal(got.paras, want.paras) {
			t.Fatalf("fold(%q): paragraphs %v, want %v", in, got.paras, want.paras)
		}
		for p := range got.buf {
			if g, w := got.origAt(int32(p)), want.origAt(int32(p)); g != w {
				t.Fatalf("fold(%q): folded byte %d from source byte %d, want %d", in, p, g, w)
			}
		}
		if len(got.padded()) != len(got.buf)+foldPad {
			t.Fatalf("fold(%q): %d bytes of padding, want %d", in, len(got.padded())-len(got.buf), foldPad)
		}
	}
}

// TestWordPrefixes checks the eight-byte word, space and digit tests against their byte by
// byte definitions on every kind of byte in every lane.
func TestWordPrefixes(t *testing.T) {
	bytesToTry := []byte{0, ' ', '/', '0', '9', ':', '@', 'A', 'I', 'Z', '[', '`', 'a', 'z', '{', 0x7F,
		0x80, 0x8F, 0x90, 0xAF, 0xB0, 0xBF, 0xC0, 0xD0, 0xD1, 0xD2, 0xFF}
	r := rand.New(rand.NewPCG(9, 9))
	wordRuns := 0
	for n := 0; n < 200000; n++ {
		var b [8]byte
		for i := range b {
			b[i] = bytesToTry[r.IntN(len(bytesToTry))]
			switch r.IntN(6) { // runs of letters and single spaces are the common case
			case 0, 1:
				b[i] = "aZ5\xd0\xb0\xd1\x8f"[r.IntN(7)]
			case 2, 3:
				b[i] = "aZz09 "[r.IntN(6)]
			}
		}
		x := binary.LittleEndian.Uint64(b[:])
		wantK := 0
		for wantK < 8 && b[wantK] < utf8.RuneSelf && asciiFold[b[wantK]] != 0 {
			wantK++
		}
		k, low, words := asciiWordPrefix(x)
		if k != wantK {
			t.Fatalf("asciiWordPrefix(% x) = %d, want %d", b, k, wantK)
		}
		wantWords := true
		for i, c := range b {
			isWord := c < utf8.RuneSelf && asciiFold[c] != 0
			switch {
			case (i == 0 || i == 7) && !isWord:
				wantWords = false
			case c == ' ' && b[i-1] == ' ':
				wantWords = false
			case !isWord && c != ' ':
				wantWords = false
			}
		}
		if words != wantWords {
			t.Fatalf("asciiWordPrefix(% x) says words %v, want %v", b, words, wantWords)
		}
		if wantWords {
			wordRuns++
		}
		var lb [8]byte
		binary.LittleEndian.PutUint64(lb[:], low)
		for i := 0; i < k; i++ {
			if lb[i] != asciiFold[b[i]] {
				t.Fatalf("asciiWordPrefix(% x) folds byte %d to %q, want %q", b, i, lb[i], asciiFold[b[i]])
			}
		}
		wantR := 0
		for wantR < 8 {
			r, size := utf8.DecodeRune(b[wantR:])
			if size != 2 || r < 0x430 || r > 0x44F {
				break
			}
			wantR += 2
		}
		if got := russianSmallPrefix(x); got != wantR {
			t.Fatalf("russianSmallPrefix(% x) = %d, want %d", b, got, wantR)
		}
		// spaceBytes' lowest mark is the first space of a folded text.
		var fb [8]byte
		for i := range fb {
			fb[i] = "az09 \x80\xbf\xd0"[r.IntN(8)]
		}
		wantS := slices.Index(fb[:], ' ')
		gotS := -1
		if m := spaceBytes(binary.LittleEndian.Uint64(fb[:])); m != 0 {
			gotS = bits.TrailingZeros64(m) >> 3
		}
		if gotS != wantS {
			t.Fatalf("spaceBytes(% x) marks byte %d first, want %d", fb, gotS, wantS)
		}
		var wantD uint64
		for i, c := range b {
			if isDigitByte(c) {
				wantD |= 0x80 << (8 * i)
			}
		}
		if got := digitBytes(x); got != wantD {
			t.Fatalf("digitBytes(% x) = %x, want %x", b, got, wantD)
		}
	}
	if wordRuns < 100 {
		t.Errorf("only %d of the eight-byte samples were words and single spaces", wordRuns)
	}
}

// TestOrigAtFrom checks that origAtFrom, with its hint, maps every folded
// offset as origAt does, whichever order the offsets come in.
func TestOrigAtFrom(t *testing.T) {
	tests := []struct {
		name  string
		order func(n int, r *rand.Rand) []int32
	}{
		{"ascending", func(n int, _ *rand.Rand) []int32 {
			out := make([]int32, n)
			for i := range out {
				out[i] = int32(i)
			}
			return out
		}},
		{"descending", func(n int, _ *rand.Rand) []int32 {
			out := make([]int32, n)
			for i := range out {
				out[i] = int32(n - 1 - i)
			}
			return out
		}},
		{"random", func(n int, r *rand.Rand) []int32 {
			out := make([]int32, n)
			for i := range out {
				out[i] = int32(r.IntN(n))
			}
			return out
		}},
		{"start and end pairs", func(n int, r *rand.Rand) []int32 {
			var out []int32
			for s := 0; s < n; s += 1 + r.IntN(40) {
				out = append(out, int32(s), int32(min(n-1, s+r.IntN(60))))
			}
			return out
		}},
	}
	docs := equivalenceDocs(t, 300)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 8))
			for i, a := range docs {
				var f foldedText
				f.fold(a.Text)
				hint := r.IntN(len(f.anchors)+3) - 1 // also out of range
				for _, fp := range tt.order(len(f.buf), r) {
					if got, want := f.origAtFrom(fp, &hint), f.origAt(fp); got != want {
						t.Fatalf("document %d: origAtFrom(%d) = %d, origAt = %d", i, fp, got, want)
					}
				}
			}
		})
	}
}

// TestScanMemo checks that the word memo changes nothing: scans with and
// without it find the same phrases, also when the memo is shared by many
// texts, as a pooled scratch shares it.
func TestScanMemo(t *testing.T) {
	tg := shippedTagger(t)
	memo := new(wordMemo)
	for i, a := range equivalenceDocs(t, 600) {
		for _, text := range []string{a.Text, a.Title} {
			var f foldedText
			f.fold(text)
			want := tg.dict.scan(&f, text, nil, nil)
			got := tg.dict.scan(&f, text, memo, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("document %d: scan with the memo found %v, without %v", i, got, want)
			}
		}
	}
}

// TestSentenceAtMatchesReference checks sentenceAt, with its eight-byte
// scans and allocation-free lower-casing, against the byte-by-byte
// definition, at every offset of texts full of terminators, abbreviations,
// closing quotes, initials and multi-byte letters.
func TestSentenceAtMatchesReference(t *testing.T) {
	fragments := []string{"word", "Word", "слово", "Слово", ".", ". ", "! ", "? ", "…", "… ", "\n", "\n\n", " ", "  ",
		"Mr. ", "U.S. ", "т.е. ", "г. ", "J. ", "Н. ", "”", "» ", "\")", "1.5", "example.com", "\u00a0", "\xe2", "\xe2\x80",
		"İ. ", "APPROX. ", "e.g. ", "Gen\x00. ", "Örn. ", "ЖЖ. ", "Млрд. ", "напр. ", "г\x00. ", "a", "б", "\xff", "(", "\""}
	r := rand.New(rand.NewPCG(13, 17))
	for n := 0; n < 1500; n++ {
		var b strings.Builder
		for k := r.IntN(40); k >= 0; k-- {
			b.WriteString(fragments[r.IntN(len(fragments))])
		}
		text := b.String()
		for pos := 0; pos < len(text); pos++ {
			if got, want := sentenceAt(text, pos), sentenceAtReference(text, pos); got != want {
				t.Fatalf("sentenceAt(%q, %d) = %v, want %v", text, pos, got, want)
			}
		}
	}
}

// TestSentenceEndAbbreviations checks the allocation-free lower-casing of
// ASCII tokens before a period against strings.ToLower's.
func TestSentenceEndAbbreviations(t *testing.T) {
	tests := []struct {
		name, text string
		ends       bool
	}{
		{"abbreviation in capitals", "See FIG. 3 here", false},
		{"abbreviation mixed case", "Gen. Smith came", false},
		{"dotted in capitals", "the U.S. Army", false},
		{"ordinary word", "in March. Then", true},
		{"cyrillic abbreviation", "в 2020 Г. Астана", false},
		{"cyrillic word", "в году. Затем", true},
		{"long token", "Supercalifragilisticexpialidocious. Then", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.Index(tt.text, ". ")
			_, ok := sentenceEndAt(tt.text, i)
			if ok != tt.ends {
				t.Errorf("sentenceEndAt(%q, %d) ends = %v, want %v", tt.text, i, ok, tt.ends)
			}
		})
	}
}

// foldReference is fold as it was before its eight-byte paths: the
// definition the fast paths are tested against.
func (f *foldedText) foldReference(s string) {
	// Folding never lengthens ASCII; other runes may grow by a byte or two,
	// which the non-ASCII path checks for.
	buf := f.buf[:cap(f.buf)]
	if len(buf) < len(s)+16 {
		buf = make([]byte, len(s)+16)
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
			if fc := asciiFold[c]; fc != 0 {
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
				buf[n] = fc
				n++
				// The rest of an ASCII word keeps the distance to the source.
				for i+1 < len(s) {
					c2 := s[i+1]
					if c2 >= utf8.RuneSelf || asciiFold[c2] == 0 {
						break
					}
					buf[n] = asciiFold[c2]
					n++
					i++
				}
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
				if size == 2 {
					// The rest of a Cyrillic word keeps the distance too.
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

// sentenceAtReference is sentenceAt as it was before its eight-byte
// scans: the span of the sentence holding byte pos of text,
// without surrounding white space.
func sentenceAtReference(text string, pos int) textSpan {
	start := max(0, pos-maxSentenceScan)
	for i := pos - 1; i >= 0 && i >= pos-maxSentenceScan; i-- {
		if isTerminatorByte(text, i) {
			if e, ok := sentenceEndAtReference(text, i); ok && e <= pos {
				start = e
				break
			}
		}
	}
	end := min(len(text), pos+maxSentenceScan)
	for i := pos; i < len(text) && i < pos+maxSentenceScan; i++ {
		if isTerminatorByte(text, i) {
			if e, ok := sentenceEndAtReference(text, i); ok {
				end = e
				break
			}
		}
	}
	for start < end && isSpaceByte(text[start]) {
		start++
	}
	for end > start && isSpaceByte(text[end-1]) {
		end--
	}
	for start < len(text) && !utf8.RuneStart(text[start]) {
		start++
	}
	for end < len(text) && end > start && !utf8.RuneStart(text[end]) {
		end--
	}
	return textSpan{start, end}
}

// sentenceEndAtReference is sentenceEndAt as it was before it lowered tokens without allocating; it reports whether the terminator at text[i] ('.', '!', '?',
// '…' or a line end) ends a sentence, and where that sentence ends
// (after closing quotes and brackets).
func sentenceEndAtReference(text string, i int) (int, bool) {
	c := text[i]
	if c == '\n' {
		return i, true
	}
	j := i + 1
	if c == 0xE2 { // …
		j = i + 3
	}
	for j < len(text) {
		switch text[j] {
		case '.', '!', '?', '"', '\'', ')', ']':
			j++
			continue
		}
		if r, n := utf8.DecodeRuneInString(text[j:]); r == '”' || r == '’' || r == '»' || r == '…' {
			j += n
			continue
		}
		break
	}
	if j < len(text) && text[j] != ' ' && text[j] != '\n' && text[j] != '\t' && text[j] != '\r' {
		if r, _ := utf8.DecodeRuneInString(text[j:]); r != 0xA0 {
			return 0, false // "1.5", "U.S.A", "example.com"
		}
	}
	// The next word: a lower-case start continues the sentence.
	k := j
	for k < len(text) && k < j+8 && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r') {
		k++
	}
	if k < len(text) {
		r, _ := utf8.DecodeRuneInString(text[k:])
		if r != '\n' && unicode.IsLower(r) {
			return 0, false
		}
	}
	if c != '.' {
		return j, true
	}
	// The token before the period: an abbreviation or an initial.
	b := i
	for b > 0 && i-b < 24 && text[b-1] != ' ' && text[b-1] != '\n' && text[b-1] != '(' && text[b-1] != '"' {
		b--
	}
	tok := text[b:i]
	if tok == "" {
		return j, true
	}
	if r, n := utf8.DecodeRuneInString(tok); n == len(tok) && unicode.IsUpper(r) {
		return 0, false // an initial: "J. Smith", "Н. Назарбаев"
	}
	low := strings.ToLower(tok)
	if sentenceAbbreviations[low] {
		return 0, false
	}
	if strings.Contains(low, ".") && isDottedAbbreviation(low) {
		return 0, false
	}
	return j, true
}

// FuzzFoldAndSentences checks fold and sentenceAt against their byte by
// byte references on any text.
func FuzzFoldAndSentences(f *testing.F) {
	for _, s := range []string{"The Middle Corridor, TITR. Mr. Smith", "Среднего коридора в 2024 г. ТМТМ…",
		"Orta Dəhliz İŞIK\n\n“quoted.” (x) 1.5", "abcdefgh ijklmnop qr", "слово слово Слово СЛОВО"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var got, want foldedText
		got.fold(text)
		want.foldReference(text)
		if string(got.buf) != string(want.buf) || !slices.Equal(got.paras, want.paras) {
			t.Fatalf("fold(%q) = %q %v, want %q %v", text, got.buf, got.paras, want.buf, want.paras)
		}
		for p := range got.buf {
			if g, w := got.origAt(int32(p)), want.origAt(int32(p)); g != w {
				t.Fatalf("fold(%q): folded byte %d from %d, want %d", text, p, g, w)
			}
		}
		for pos := 0; pos < len(text) && pos < 2000; pos++ {
			if g, w := sentenceAt(text, pos), sentenceAtReference(text, pos); g != w {
				t.Fatalf("sentenceAt(%q, %d) = %v, want %v", text, pos, g, w)
			}
		}
	})
}
