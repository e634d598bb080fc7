// Topic mentions and agreement events (tag.go, fold.go, agreement.go).
//
// Everything here is hand-written on the standard library; only the table
// that strips Latin diacritics is derived at start-up from Unicode
// decompositions with golang.org/x/text/unicode/norm. A regular expression
// per term is three orders of magnitude too slow for hundreds of terms, and
// no Go Aho–Corasick package folds case and diacritics, keeps offsets into
// the original text, and knows Russian and Turkic inflection. So a text is
// folded once into a reusable buffer (lower case, diacritics off, every run
// of separators one space, offsets kept by anchors), and one pass walks a
// byte trie of word patterns (stem plus a bounded suffix) and a trie of
// phrases over them, for every term of every topic, the agreement lexicon
// and the party gazetteer at once. Sentences are found only around
// matches.
//
// Speed: folding reads runs of ASCII letters and of Russian small letters
// eight bytes at a time, and folds "word word" without leaving them. The
// scan finds each word's end in eight-byte loads and looks the word up in
// a small direct-mapped memo of the patterns of words seen before (news
// repeats its words), walking the byte trie only on a miss; a bitmap of
// the trie's two-byte prefixes turns many words away before the memo, and
// words of up to eight bytes are looked up without a call. Phrase edges
// sit in an open-addressed table. Source offsets are found by galloping
// from the last one, and the sentences found for mentions are reused by
// the agreement events at the same offsets. No cost per word grows with the size of
// the dictionary. The dictionaries are data: topics and parties come from
// config.toml; only the words of agreement (instruments, status cues) are
// written here, as they are language, not configuration.

package extract

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	newsmon "github.com/newsmon/newsmon"
)

// Tagging limits: a hostile text must not make tagging slow or its output
// huge.
const (
	maxTagBytes      = 16 << 20 // the part of a text that is tagged
	maxMentions      = 2000     // per article
	maxPhraseWords   = 12       // words in a dictionary phrase
	maxWordHits      = 16       // patterns one word can match
	maxSentenceBytes = 600      // a longer sentence is cut around the match
)

// Kinds of dictionary output.
const (
	outMention         uint8 = iota // a topic term
	outExclude                      // a topic's excluded phrase
	outContext                      // a context word of an ambiguous term
	outInstrument                   // agreement lexicon: an instrument
	outInstrumentBlock              // a phrase in which an instrument word is no instrument
	outCue                          // a status cue
	outParty                        // a country, capital, demonym, leader or company
	outPartyBlock                   // a phrase in which party names are no parties
)

// dictOutput is what a matched phrase means.
type dictOutput struct {
	kind   uint8
	group  int32  // topic, context group, instrument, cue or party index
	label  string // the dictionary term as written
	caps   uint32 // bit i: word i of the phrase must stand in capitals
	ctx    int32  // for ambiguous terms the context group that must occur nearby, else -1
	unless int32  // the context group that must not occur nearby, else -1
	weight int32  // folded length of the phrase; the more specific wins a tie
}

// rawMatch is one phrase found in a folded text: output out over the folded
// bytes [fs, fe).
type rawMatch struct {
	out    int32
	fs, fe int32
}

// endsFlag marks a byte-trie transition whose target ends patterns.
const endsFlag = -1 << 31

type patEnd struct {
	pat       int32
	maxSuffix int32
}

// trieEdge is a transition of a sparse node of the byte trie.
type trieEdge struct {
	class  uint8
	target int32
}

// denseDepth is the depth of the byte trie down to which nodes have a
// full row of transitions, as do deeper nodes with more than maxSparse
// children: the shallow and branching nodes, which most words visit, stay
// in a few cache lines; the others, most with one child, keep a short list
// of edges, so that a dictionary ten times as large does not spill the
// table out of the cache.
const (
	denseDepth = 2
	maxSparse  = 3
)

// dictionary finds every phrase of a word-level dictionary in one pass over
// a folded text. Words are found by walking a byte trie of word patterns
// (stems with an allowance of suffix runes); phrases by a trie over word
// patterns. Most words leave the byte trie at their first or second byte,
// so the cost is close to that of reading the text.
type dictionary struct {
	class [256]uint8
	// prefix2 has bit c0|c1<<8 set when a word whose folded text starts
	// with bytes c0 c1 (c1 the space after a one-byte word) may match a
	// pattern: the first two bytes are a path of the byte trie, or the
	// first ends patterns. It spares many words that match nothing the
	// memo.
	prefix2 [1 << 16 / 64]uint64
	nclass  int
	trans   []int32 // byte trie, the dense nodes' rows: row+class → node, 0 for none
	// ref[n] is the row of node n in trans when it is dense, else -1 minus
	// the index of its first edge in edges, and nedges[n] its edge count.
	ref      []int32
	nedges   []uint8
	edges    []trieEdge
	ends     [][]patEnd
	rootNext []int32          // phrase trie root: pattern → node, 0 for none
	next     map[uint64]int32 // phrase trie: node<<32|pattern → node; construction only
	// nextTable is next frozen into an open-addressed table.
	nextTable edgeTable
	hasNext   []bool    // construction only
	outs      [][]int32 // per phrase node its outputs; construction only
	// nodes and outList are the phrase trie's nodes frozen into one
	// record each, so that a walk reads one cache line per node.
	nodes   []phraseNode
	outList []int32
	outputs []dictOutput
	kinds   []uint8 // kinds[o] is outputs[o].kind, in a table small enough to stay in the cache

	// Construction state, dropped by freeze.
	bnodes   []map[byte]int32
	bends    [][]patEnd
	patIndex map[wordPattern]int32
	pnodes   int32
	proot    map[int32]int32
}

func newDictionary() *dictionary {
	return &dictionary{
		bnodes:   []map[byte]int32{{}},
		bends:    [][]patEnd{nil},
		patIndex: map[wordPattern]int32{},
		next:     map[uint64]int32{},
		proot:    map[int32]int32{},
		pnodes:   1,
		hasNext:  []bool{false},
		outs:     [][]int32{nil},
	}
}

// pattern returns the index of a word pattern, adding it to the byte trie.
func (d *dictionary) pattern(p wordPattern) int32 {
	if id, ok := d.patIndex[p]; ok {
		return id
	}
	id := int32(len(d.patIndex))
	d.patIndex[p] = id
	n := int32(0)
	for i := 0; i < len(p.stem); i++ {
		c := p.stem[i]
		child, ok := d.bnodes[n][c]
		if !ok {
			child = int32(len(d.bnodes))
			d.bnodes = append(d.bnodes, map[byte]int32{})
			d.bends = append(d.bends, nil)
			d.bnodes[n][c] = child
		}
		n = child
	}
	d.bends[n] = append(d.bends[n], patEnd{pat: id, maxSuffix: int32(p.maxSuffix)})
	return id
}

// phraseChild returns the phrase-trie child of node on pattern p, creating it.
func (d *dictionary) phraseChild(node, p int32) int32 {
	if node == 0 {
		if c, ok := d.proot[p]; ok {
			return c
		}
	} else if c, ok := d.next[uint64(node)<<32|uint64(p)]; ok {
		return c
	}
	c := d.pnodes
	d.pnodes++
	d.hasNext = append(d.hasNext, false)
	d.outs = append(d.outs, nil)
	d.hasNext[node] = true
	if node == 0 {
		d.proot[p] = c
	} else {
		d.next[uint64(node)<<32|uint64(p)] = c
	}
	return c
}

// add compiles phrase, written in language lang, with output out. lang "="
// means the phrase's words are matched exactly as folded, with no
// inflection.
func (d *dictionary) add(phrase, lang string, out dictOutput) error {
	var f foldedText
	f.fold(phrase)
	folded := f.buf[:len(f.buf)-1]
	if len(folded) == 0 {
		return fmt.Errorf("no letters or digits")
	}
	words := bytes.Split(folded, []byte{' '})
	if len(words) > maxPhraseWords {
		return fmt.Errorf("more than %d words", maxPhraseWords)
	}
	nodes := []int32{0}
	pos := 0
	for i, w := range words {
		ostart, oend := f.origAt(int32(pos)), f.origAt(int32(pos+len(w)))
		pos += len(w) + 1
		caps := isCapsWord(phrase[ostart:oend])
		if caps {
			out.caps |= 1 << i
		}
		var pats []wordPattern
		if lang == "=" {
			pats = []wordPattern{{stem: string(w)}}
		} else {
			pats = termWordPatterns(string(w), caps, lang, i, len(words))
		}
		var nextNodes []int32
		for _, n := range nodes {
			for _, p := range pats {
				nextNodes = append(nextNodes, d.phraseChild(n, d.pattern(p)))
			}
		}
		nodes = nextNodes
	}
	out.weight = int32(len(folded))
	id := int32(len(d.outputs))
	d.outputs = append(d.outputs, out)
	for _, n := range nodes {
		d.outs[n] = append(d.outs[n], id)
	}
	return nil
}

// freeze turns the construction maps into the tables scan reads.
func (d *dictionary) freeze() {
	used := [256]bool{}
	for _, m := range d.bnodes {
		for c := range m {
			used[c] = true
		}
	}
	d.nclass = 1
	for c := 0; c < 256; c++ {
		if used[c] {
			d.class[c] = uint8(d.nclass)
			d.nclass++
		}
	}
	for c0, n1 := range d.bnodes[0] {
		if d.bends[n1] != nil {
			for c1 := 0; c1 < 256; c1++ {
				k := int(c0) | c1<<8
				d.prefix2[k>>6] |= 1 << (k & 63)
			}
		}
		for c1 := range d.bnodes[n1] {
			k := int(c0) | int(c1)<<8
			d.prefix2[k>>6] |= 1 << (k & 63)
		}
	}
	// Number the nodes breadth first, so that the shallow nodes every word
	// visits share a few cache lines, and mark in the sign bit of a
	// transition that its target ends patterns.
	order := make([]int32, 0, len(d.bnodes))
	renum := make([]int32, len(d.bnodes))
	depth := make([]int, len(d.bnodes))
	order = append(order, 0)
	for k := 0; k < len(order); k++ {
		old := order[k]
		m := d.bnodes[old]
		cs := make([]int, 0, len(m))
		for c := range m {
			cs = append(cs, int(c))
		}
		sort.Ints(cs)
		for _, c := range cs {
			child := m[byte(c)]
			renum[child] = int32(len(order))
			depth[child] = depth[old] + 1
			order = append(order, child)
		}
	}
	target := func(child int32) int32 {
		t := renum[child]
		if d.bends[child] != nil {
			t |= endsFlag
		}
		return t
	}
	d.trans = d.trans[:0]
	d.ends = make([][]patEnd, len(d.bnodes))
	d.ref = make([]int32, len(order))
	d.nedges = make([]uint8, len(order))
	d.edges = d.edges[:0]
	for n, old := range order {
		d.ends[n] = d.bends[old]
		m := d.bnodes[old]
		if depth[old] <= denseDepth || len(m) > maxSparse {
			row := len(d.trans)
			d.ref[n] = int32(row)
			d.trans = append(d.trans, make([]int32, d.nclass)...)
			for c, child := range m {
				d.trans[row+int(d.class[c])] = target(child)
			}
			continue
		}
		d.ref[n] = -1 - int32(len(d.edges))
		d.nedges[n] = uint8(len(m))
		for c, child := range m {
			d.edges = append(d.edges, trieEdge{class: d.class[c], target: target(child)})
		}
	}
	first := make([]byte, len(d.patIndex))
	for p, id := range d.patIndex {
		first[id] = p.stem[0]
	}
	d.nodes = make([]phraseNode, d.pnodes)
	for key := range d.next {
		c := first[int32(key&0xFFFFFFFF)]
		d.nodes[key>>32].nextFirst[c>>6] |= 1 << (c & 63)
	}
	d.outList = d.outList[:0]
	for n, os := range d.outs {
		d.nodes[n].outStart = int32(len(d.outList))
		d.outList = append(d.outList, os...)
		d.nodes[n].outEnd = int32(len(d.outList))
	}
	d.outs, d.hasNext = nil, nil
	d.kinds = make([]uint8, len(d.outputs))
	for o, out := range d.outputs {
		d.kinds[o] = out.kind
	}
	d.rootNext = make([]int32, len(d.patIndex))
	for p, c := range d.proot {
		d.rootNext[p] = c
	}
	d.nextTable = newEdgeTable(d.next)
	d.bnodes, d.bends, d.patIndex, d.proot, d.next = nil, nil, nil, nil, nil
}

// phraseNode is a node of the phrase trie: its outputs are
// outList[outStart:outEnd], and nextFirst has bit c set when a word
// starting with byte c may continue a phrase from it (none when no phrase
// does): a cheap test that spares most words after "the" or "in" a walk
// of the byte trie.
type phraseNode struct {
	outStart, outEnd int32
	nextFirst        [4]uint64
}

// edgeTable maps the keys of the phrase trie's edges (node<<32|pattern,
// never 0, as node 0 is the root, whose edges are in rootNext) to their
// target nodes, by linear probing in a table at most half full: a lookup
// reads one or two adjacent slots, where a Go map hashes and probes groups.
type edgeTable struct {
	slots []edgeSlot
	shift uint
}

type edgeSlot struct {
	key    uint64
	target int32
}

func newEdgeTable(m map[uint64]int32) edgeTable {
	logSize := uint(4)
	for 1<<logSize < 2*len(m) {
		logSize++
	}
	t := edgeTable{slots: make([]edgeSlot, 1<<logSize), shift: 64 - logSize}
	mask := uint64(len(t.slots) - 1)
	for k, v := range m {
		i := (k * 0x9E3779B97F4A7C15) >> t.shift
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = edgeSlot{k, v}
	}
	return t
}

// get returns the target of the edge key, 0 for none.
func (t *edgeTable) get(key uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	for i := (key * 0x9E3779B97F4A7C15) >> t.shift; ; i = (i + 1) & mask {
		switch t.slots[i].key {
		case key:
			return t.slots[i].target
		case 0:
			return 0
		}
	}
}

// matchWord writes to hits the patterns that the folded word w matches and
// returns how many.
func (d *dictionary) matchWord(w []byte, hits *[maxWordHits]int32) int {
	n := int32(0)
	cnt := 0
	for i := 0; i < len(w); i++ {
		c := d.class[w[i]]
		if c == 0 {
			break
		}
		var t int32
		if ref := d.ref[n]; ref >= 0 {
			t = d.trans[int(ref)+int(c)]
		} else {
			start := int(-1 - ref)
			for _, e := range d.edges[start : start+int(d.nedges[n])] {
				if e.class == c {
					t = e.target
					break
				}
			}
		}
		if t == 0 {
			break
		}
		n = t &^ endsFlag
		if t&endsFlag != 0 {
			es := d.ends[n]
			rest := w[i+1:]
			for _, pe := range es {
				if len(rest) == 0 || (pe.maxSuffix > 0 && len(rest) <= utf8.UTFMax*int(pe.maxSuffix) &&
					utf8.RuneCount(rest) <= int(pe.maxSuffix)) {
					if cnt < maxWordHits {
						hits[cnt] = pe.pat
						cnt++
					}
				}
			}
		}
	}
	return cnt
}

// phraseScan is the state of one scan: the folded text, its source and
// the word spans of the phrase being followed.
type phraseScan struct {
	ft    *foldedText
	src   string
	full  []byte // ft.buf with its padding
	memo  *wordMemo
	words [maxPhraseWords][2]int32
	out   []rawMatch
}

// scan appends to dst every phrase of the dictionary found in ft, the
// folding of src, in order of their start. memo, when not nil, keeps the
// patterns of words seen before.
//
// Words are read eight bytes at a time: a folded text holds no byte below
// '0' but the space between words, so the first such byte of a word's
// eight-byte load ends it, and the same loads key the word memo.
func (d *dictionary) scan(ft *foldedText, src string, memo *wordMemo, dst []rawMatch) []rawMatch {
	ps := phraseScan{ft: ft, src: src, full: ft.padded(), memo: memo, out: dst}
	full := ps.full
	end := len(ft.buf) - 1 // the final space is no word
	var hits [maxWordHits]int32
	for pos := 0; pos < end; {
		x := binary.LittleEndian.Uint64(full[pos:])
		e := pos
		for m := x; ; {
			if sp := spaceBytes(m); sp != 0 {
				e += bits.TrailingZeros64(sp) >> 3
				break
			}
			e += 8
			m = binary.LittleEndian.Uint64(full[e:])
		}
		if k := uint16(x); d.prefix2[k>>6]&(1<<(k&63)) == 0 {
			pos = e + 1 // wordHits' first test, without the call
			continue
		}
		// wordHits' memo lookup for words of up to eight bytes, without
		// the call; a copy of the entry, as walks may overwrite it.
		var nh int
		if n := e - pos; n <= 8 && memo != nil {
			x0 := x
			if n < 8 {
				x0 &= 1<<(8*n) - 1
			}
			if en := &memo.entries[((x0^uint64(n)<<58)*0x9E3779B97F4A7C15)>>(64-memoLog)]; en.n == uint8(n) && en.x[0] == x0 {
				*(*[memoHits]int32)(hits[:memoHits]) = en.hits
				nh = int(en.nh)
			} else {
				nh = d.wordHits(&ps, pos, e, x, &hits)
			}
		} else {
			nh = d.wordHits(&ps, pos, e, x, &hits)
		}
		for _, p := range hits[:nh] {
			if n := d.rootNext[p]; n != 0 {
				ps.words[0] = [2]int32{int32(pos), int32(e)}
				d.walk(&ps, n, 0)
			}
		}
		pos = e + 1
	}
	return ps.out
}

// spaceBytes marks the high bit of every byte of x (eight bytes of a
// folded text) that is below '0', that is a space; the lowest mark is
// exact, higher ones may be false.
func spaceBytes(x uint64) uint64 {
	return (x - 0x3030303030303030) & ^x & 0x8080808080808080
}

// Word memo: the patterns of a word depend on the word alone, and news
// repeats its words ("the", "в", "году", "agreement"), so a direct-mapped
// table of 8192 words of up to memoBytes bytes (384 KB per scratch)
// spares most of them the walk of the byte trie; 2048 entries missed too
// often on the labelled set's vocabulary. Its cost per word does not
// depend on the size of the dictionary.
const (
	memoLog   = 13
	memoBytes = 32
	memoHits  = 3 // a word with more patterns is walked each time
)

type memoEntry struct {
	x    [memoBytes / 8]uint64 // the word's bytes, zero after them
	n    uint8                 // its length; 0 for an empty entry
	nh   uint8
	hits [memoHits]int32
}

type wordMemo struct {
	entries [1 << memoLog]memoEntry
}

// wordHits writes to hits the patterns that the folded word full[s:e]
// matches and returns how many; x0 holds the word's first eight bytes
// (and what follows it).
func (d *dictionary) wordHits(ps *phraseScan, s, e int, x0 uint64, hits *[maxWordHits]int32) int {
	if k := uint16(x0); d.prefix2[k>>6]&(1<<(k&63)) == 0 {
		return 0 // no pattern starts with its first two bytes
	}
	n := e - s
	if ps.memo == nil || n > memoBytes {
		return d.matchWord(ps.full[s:e], hits)
	}
	if n <= 8 {
		// Most words: x0 alone, the others zero; the slot and the entry
		// are those of the general case below.
		if n < 8 {
			x0 &= 1<<(8*n) - 1
		}
		en := &ps.memo.entries[((x0^uint64(n)<<58)*0x9E3779B97F4A7C15)>>(64-memoLog)]
		if en.n == uint8(n) && en.x[0] == x0 {
			*(*[memoHits]int32)(hits[:memoHits]) = en.hits
			return int(en.nh)
		}
		nh := d.matchWord(ps.full[s:e], hits)
		if nh <= memoHits {
			en.x, en.n, en.nh = [memoBytes / 8]uint64{x0}, uint8(n), uint8(nh)
			copy(en.hits[:], hits[:nh])
		}
		return nh
	}
	// The word's bytes in four words, zero after its end.
	full := ps.full[s : s+memoBytes]
	x1 := binary.LittleEndian.Uint64(full[8:])
	x2 := binary.LittleEndian.Uint64(full[16:])
	x3 := binary.LittleEndian.Uint64(full[24:])
	switch {
	case n < 8:
		x0, x1, x2, x3 = x0&(1<<(8*n)-1), 0, 0, 0
	case n < 16:
		x1, x2, x3 = x1&(1<<(8*(n-8))-1), 0, 0
	case n < 24:
		x2, x3 = x2&(1<<(8*(n-16))-1), 0
	case n < 32:
		x3 &= 1<<(8*(n-24)) - 1
	}
	x := [memoBytes / 8]uint64{x0, x1, x2, x3}
	// One multiplication on the path from x0, which most words fill
	// alone, to the slot: the memo is a cache, any spread will do.
	h := (x0 ^ x1*0xC2B2AE3D27D4EB4F ^ x2*0x165667B19E3779F9 ^ x3*0x27D4EB2F165667C5 ^ uint64(n)<<58) * 0x9E3779B97F4A7C15
	en := &ps.memo.entries[h>>(64-memoLog)]
	if en.n == uint8(n) && en.x == x {
		*(*[memoHits]int32)(hits[:memoHits]) = en.hits // the whole array, without a call
		return int(en.nh)
	}
	nh := d.matchWord(ps.full[s:e], hits)
	if nh <= memoHits {
		en.x, en.n, en.nh = x, uint8(n), uint8(nh)
		copy(en.hits[:], hits[:nh])
	}
	return nh
}

// walk records the outputs of phrase node n, reached with words[0..depth],
// and follows the phrase into the next word.
func (d *dictionary) walk(ps *phraseScan, n int32, depth int) {
	nd := &d.nodes[n]
	for _, o := range d.outList[nd.outStart:nd.outEnd] {
		if caps := d.outputs[o].caps; caps != 0 && !ps.capsHold(caps, depth) {
			continue
		}
		ps.out = append(ps.out, rawMatch{out: o, fs: ps.words[0][0], fe: ps.words[depth][1]})
	}
	if nd.nextFirst == [4]uint64{} || depth+1 >= maxPhraseWords {
		return
	}
	buf := ps.ft.buf
	s := int(ps.words[depth][1]) + 1
	if s >= len(buf) {
		return
	}
	if c := buf[s]; nd.nextFirst[c>>6]&(1<<(c&63)) == 0 {
		return
	}
	// The word's end, as scan finds it: no call for a short word.
	x := binary.LittleEndian.Uint64(ps.full[s:])
	e := s
	for m := x; ; {
		if sp := spaceBytes(m); sp != 0 {
			e += bits.TrailingZeros64(sp) >> 3
			break
		}
		e += 8
		m = binary.LittleEndian.Uint64(ps.full[e:])
	}
	var hits [maxWordHits]int32
	nh := d.wordHits(ps, s, e, x, &hits)
	for _, p := range hits[:nh] {
		if c := d.nextTable.get(uint64(n)<<32 | uint64(p)); c != 0 {
			ps.words[depth+1] = [2]int32{int32(s), int32(e)}
			d.walk(ps, c, depth+1)
		}
	}
}

// capsHold reports whether every word marked in caps stands in the source
// without a lower-case letter.
func (ps *phraseScan) capsHold(caps uint32, depth int) bool {
	for i := 0; i <= depth; i++ {
		if caps&(1<<i) == 0 {
			continue
		}
		w := ps.words[i]
		if hasLowerLetter(ps.src[ps.ft.origAt(w[0]):ps.ft.origAt(w[1])]) {
			return false
		}
	}
	return true
}

// Tagger finds topic mentions and agreement events in articles. It is safe
// for concurrent use.
//
// Terms are matched case-insensitively on word boundaries after folding
// (see foldedText): diacritics of Latin letters are ignored, hyphens,
// dashes and spaces are equivalent. Russian term words match their
// inflected forms, the last word of a Kazakh, Azerbaijani or Turkish term
// its suffixed forms, English words their plurals. A term word written in
// capitals ("CPC", "ТМТМ") matches only words in capitals, so "CPCs" and
// "tap" do not match. A term may end with "| word, word…": it then counts
// only where one of those context words stands in the same paragraph (for
// the title: in the title or the first paragraph), which keeps "CPC" the
// pipeline and not the Communist Party of China. A context word written
// "!word" works the other way: the term does not count where it stands
// ("contract | !striker, !season" keeps footballers' contracts out).
//
// A mention inside an excluded phrase of its topic does not count; of
// overlapping mentions of one topic the leftmost longest counts. Mentions
// in the title decide the article's topics but are not listed in
// Mentions, whose offsets are into the text.
//
// Topics are decided from the counted mentions: a topic is the article's
// when one of them stands in the title or in the lead (the first two
// paragraphs of the text), or when they stand in two sentences or more.
// Mentions lists every counted mention, also the passing ones that do not
// make a topic.
type Tagger struct {
	topics      []string
	dict        *dictionary
	ctxGroups   int
	instruments int
	partyNames  [][]string // per party: the names its agreements are filed under
	pool        sync.Pool
}

// tagScratch holds the buffers of one Tag call.
type tagScratch struct {
	text, title  foldedText
	raw, rawT    []rawMatch
	kept         []rawMatch
	ctxHits      [][]int32 // per context group: folded offsets in the text
	ctxHitsTitle []bool
	ctxTouched   []int32 // the groups with hits, to clear
	exclEnd      []int32
	lex          []lexHit
	sentences    []topicSentences
	words        []sentenceWord
	memo         *wordMemo
	found        []bool
	sentAt       []sentenceMemo // the sentences found for mentions, in order of pos
	years        []int
}

// sentenceMemo is sentenceAt(text, pos) for the text being tagged: the
// agreement events look up the sentences of instruments the mentions
// found already.
type sentenceMemo struct {
	pos  int
	span textSpan
}

// topicSentences counts the sentences that mention a topic.
type topicSentences struct {
	count int
	last  int // start of the last sentence counted
}

// leadParagraphs is the number of paragraphs at the start of a text in
// which one mention makes a topic.
const leadParagraphs = 2

// NewTagger compiles the topics' dictionaries together with the agreement
// lexicon, with no gazetteer: agreement events then name no parties. It
// fails on a term with no letters or digits or with more than twelve words.
func NewTagger(topics []newsmon.Topic) (*Tagger, error) {
	return NewTaggerWithParties(topics, nil)
}

// NewTaggerWithParties is NewTagger with a gazetteer of agreement parties,
// as configured in [[party]] tables: agreement events name the parties
// whose aliases their sentences hold, by the parties' names.
func NewTaggerWithParties(topics []newsmon.Topic, parties []newsmon.Party) (*Tagger, error) {
	t := &Tagger{dict: newDictionary(), partyNames: partyNames(parties)}
	ctxGroups := map[string]int32{}
	for i, topic := range topics {
		t.topics = append(t.topics, topic.Name)
		for _, lang := range sortedLangs(topic.Terms) {
			for _, term := range topic.Terms[lang] {
				phrase, ctx, hasCtx := strings.Cut(term, "|")
				phrase = strings.TrimSpace(phrase)
				termLang := lang
				if rest, ok := strings.CutPrefix(phrase, "="); ok {
					phrase, termLang = rest, "="
				}
				out := dictOutput{kind: outMention, group: int32(i), label: phrase, ctx: -1, unless: -1}
				if hasCtx {
					// Terms with the same context words in the same
					// language share their groups, so that each such word
					// is matched once, not once per term.
					type ctxWord struct {
						word string
						not  bool
					}
					var words []ctxWord
					var with, without []string
					for _, c := range strings.Split(ctx, ",") {
						c = strings.TrimSpace(c)
						w := ctxWord{word: c}
						if rest, ok := strings.CutPrefix(c, "!"); ok {
							w = ctxWord{word: strings.TrimSpace(rest), not: true}
						}
						if w.word == "" {
							continue
						}
						words = append(words, w)
						if w.not {
							without = append(without, w.word)
						} else {
							with = append(with, w.word)
						}
					}
					newWith, newWithout := false, false
					if len(with) > 0 {
						out.ctx, newWith = t.contextGroup(ctxGroups, "+"+lang, with)
					}
					if len(without) > 0 {
						out.unless, newWithout = t.contextGroup(ctxGroups, "!"+lang, without)
					}
					for _, w := range words {
						group, isNew := out.ctx, newWith
						if w.not {
							group, isNew = out.unless, newWithout
						}
						if !isNew {
							continue
						}
						if err := t.dict.add(w.word, lang, dictOutput{kind: outContext, group: group, ctx: -1}); err != nil {
							return nil, fmt.Errorf("topic %q: term %q: context %q: %w", topic.Name, term, w.word, err)
						}
					}
				}
				if err := t.dict.add(phrase, termLang, out); err != nil {
					return nil, fmt.Errorf("topic %q: term %q: %w", topic.Name, term, err)
				}
			}
		}
		for _, lang := range sortedLangs(topic.Exclude) {
			for _, ex := range topic.Exclude[lang] {
				if err := t.dict.add(ex, lang, dictOutput{kind: outExclude, group: int32(i), ctx: -1}); err != nil {
					return nil, fmt.Errorf("topic %q: exclude %q: %w", topic.Name, ex, err)
				}
			}
		}
	}
	if err := addAgreementLexicon(t.dict, parties); err != nil {
		return nil, err
	}
	t.dict.freeze()
	t.pool.New = func() any { return &tagScratch{} }
	return t, nil
}

// contextGroup returns the context group of the words list, kind ("+"
// or "!") and language key, and whether it is new, in which case its
// words are to be added to the dictionary.
func (t *Tagger) contextGroup(groups map[string]int32, key string, list []string) (int32, bool) {
	key += "\x00" + strings.Join(list, "\x00")
	if g, ok := groups[key]; ok {
		return g, false
	}
	g := int32(t.ctxGroups)
	t.ctxGroups++
	groups[key] = g
	return g, true
}

func sortedLangs(m map[string][]string) []string {
	langs := make([]string, 0, len(m))
	for l := range m {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	return langs
}

// Tag fills a.Mentions, a.Topics and a.Agreements from a.Title and a.Text.
// Only the first 16 MB of a text are tagged, and at most 2000 mentions are
// listed.
func (t *Tagger) Tag(a *newsmon.Article) {
	s := t.pool.Get().(*tagScratch)
	defer t.pool.Put(s)
	text := a.Text
	if len(text) > maxTagBytes {
		cut := maxTagBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	if s.memo == nil {
		s.memo = new(wordMemo)
	}
	s.text.fold(text)
	s.raw = t.dict.scan(&s.text, text, s.memo, s.raw[:0])
	s.title.fold(a.Title)
	s.rawT = t.dict.scan(&s.title, a.Title, s.memo, s.rawT[:0])

	// Context words, exclusions and overlaps decide which mentions count.
	// Only the groups the last text touched are cleared: the work per
	// text does not grow with the number of context groups.
	if len(s.ctxHits) != t.ctxGroups {
		s.ctxHits = make([][]int32, t.ctxGroups)
		s.ctxHitsTitle = make([]bool, t.ctxGroups)
		s.ctxTouched = s.ctxTouched[:0]
	}
	for _, g := range s.ctxTouched {
		s.ctxHits[g] = s.ctxHits[g][:0]
		s.ctxHitsTitle[g] = false
	}
	s.ctxTouched = s.ctxTouched[:0]
	kinds := t.dict.kinds
	for _, m := range s.raw {
		if kinds[m.out] == outContext {
			g := t.dict.outputs[m.out].group
			if len(s.ctxHits[g]) == 0 && !s.ctxHitsTitle[g] {
				s.ctxTouched = append(s.ctxTouched, g)
			}
			s.ctxHits[g] = append(s.ctxHits[g], m.fs)
		}
	}
	for _, m := range s.rawT {
		if kinds[m.out] == outContext {
			g := t.dict.outputs[m.out].group
			if len(s.ctxHits[g]) == 0 && !s.ctxHitsTitle[g] {
				s.ctxTouched = append(s.ctxTouched, g)
			}
			s.ctxHitsTitle[g] = true
		}
	}

	// A topic is the article's when a mention of it stands in the title
	// or the lead (the first two paragraphs), or mentions of it stand in
	// two sentences or more: a passing word deep in a story on something
	// else does not make the story about the topic, though the mention is
	// listed.
	if cap(s.found) < len(t.topics) {
		s.found = make([]bool, len(t.topics))
	}
	found := s.found[:len(t.topics)]
	clear(found)
	s.kept = t.countedMentions(s, s.rawT, true, s.kept[:0])
	for _, m := range s.kept {
		found[t.dict.outputs[m.out].group] = true
	}
	leadEnd := int32(len(s.text.buf))
	if len(s.text.paras) > leadParagraphs {
		leadEnd = s.text.paras[leadParagraphs]
	}
	if cap(s.sentences) < len(t.topics) {
		s.sentences = make([]topicSentences, len(t.topics))
	}
	seen := s.sentences[:len(t.topics)]
	clear(seen)
	s.kept = t.countedMentions(s, s.raw, false, s.kept[:0])
	mentions := make([]newsmon.Mention, 0, min(len(s.kept), maxMentions))
	var sent textSpan
	hs, he := 0, 0 // origAtFrom hints for starts and ends
	s.sentAt = s.sentAt[:0]
	for _, m := range s.kept {
		o := &t.dict.outputs[m.out]
		if m.fs < leadEnd {
			found[o.group] = true
		}
		if len(mentions) == maxMentions {
			found[o.group] = found[o.group] || seen[o.group].count > 0
			continue
		}
		start, end := s.text.origAtFrom(m.fs, &hs), s.text.origAtFrom(m.fe, &he)
		if start < sent.start || start >= sent.end {
			sent = sentenceAt(text, start)
			s.sentAt = append(s.sentAt, sentenceMemo{start, sent})
		}
		if ts := &seen[o.group]; ts.count == 0 || ts.last != sent.start {
			ts.count++
			ts.last = sent.start
			if ts.count >= 2 {
				found[o.group] = true
			}
		}
		mentions = append(mentions, newsmon.Mention{
			Topic:    t.topics[o.group],
			Term:     o.label,
			Matched:  text[start:end],
			Sentence: sentenceText(text, sent, start, end),
			Start:    start,
			End:      end,
		})
	}
	topics := make([]string, 0, len(found))
	for i, ok := range found {
		if ok {
			topics = append(topics, t.topics[i])
		}
	}
	sort.Strings(topics)
	topics = uniqueSorted(topics)
	a.Mentions, a.Topics = mentions, topics
	a.Agreements = t.agreementEvents(s, text, a)
}

// countedMentions appends to dst the topic matches of raw (a scan of the
// title when inTitle) that count: their context is present, no excluded
// phrase of their topic covers them, and no other counted mention of their
// topic overlaps them. dst comes out in order of start.
func (t *Tagger) countedMentions(s *tagScratch, raw []rawMatch, inTitle bool, dst []rawMatch) []rawMatch {
	ft := &s.text
	if inTitle {
		ft = &s.title
	}
	outs, kinds := t.dict.outputs, t.dict.kinds
	start := len(dst)
	// raw is in order of start; an excluded phrase covers a mention when it
	// starts at or before it and ends at or after it, so the furthest end of
	// the exclusions started so far decides. Exclusions starting where the
	// mention starts may follow it in raw: look ahead over those.
	if cap(s.exclEnd) < len(t.topics) {
		s.exclEnd = make([]int32, len(t.topics))
	}
	exclEnd := s.exclEnd[:len(t.topics)]
	for i := range exclEnd {
		exclEnd[i] = -1
	}
	for i := 0; i < len(raw); {
		j := i
		for j < len(raw) && raw[j].fs == raw[i].fs {
			if kinds[raw[j].out] != outExclude {
				j++
				continue
			}
			if o := &outs[raw[j].out]; raw[j].fe > exclEnd[o.group] {
				exclEnd[o.group] = raw[j].fe
			}
			j++
		}
		for _, m := range raw[i:j] {
			if kinds[m.out] != outMention {
				continue
			}
			o := &outs[m.out]
			if exclEnd[o.group] >= m.fe {
				continue
			}
			if o.ctx >= 0 && !t.contextNear(s, ft, o.ctx, m, inTitle) {
				continue
			}
			if o.unless >= 0 && t.contextNear(s, ft, o.unless, m, inTitle) {
				continue
			}
			dst = append(dst, m)
		}
		i = j
	}
	cands := dst[start:]
	// Leftmost longest per topic: sort by start, then longer first.
	// The candidates mostly come in that order already.
	order := func(a, b rawMatch) int {
		if a.fs != b.fs {
			return cmp.Compare(a.fs, b.fs)
		}
		if a.fe != b.fe {
			return cmp.Compare(b.fe, a.fe)
		}
		return cmp.Compare(outs[b.out].weight, outs[a.out].weight)
	}
	if !slices.IsSortedFunc(cands, order) {
		slices.SortStableFunc(cands, order)
	}
	lastEnd := exclEnd // per topic: the end of its last counted mention, -1 for none
	for i := range lastEnd {
		lastEnd[i] = -1
	}
	kept := dst[:start]
	for _, m := range cands {
		g := outs[m.out].group
		if m.fs < lastEnd[g] {
			continue
		}
		lastEnd[g] = m.fe
		kept = append(kept, m)
	}
	return kept
}

// contextNear reports whether a context word of group g stands in the
// paragraph of m (for the title: in the title or the text's first
// paragraph).
func (t *Tagger) contextNear(s *tagScratch, ft *foldedText, g int32, m rawMatch, inTitle bool) bool {
	hits := s.ctxHits[g]
	lo, hi := int32(0), int32(len(s.text.buf))
	if inTitle {
		if s.ctxHitsTitle[g] {
			return true
		}
		if len(s.text.paras) > 1 {
			hi = s.text.paras[1]
		}
	} else {
		paras := ft.paras
		k := sort.Search(len(paras), func(i int) bool { return paras[i] > m.fs }) - 1
		if k >= 0 {
			lo = paras[k]
		}
		if k+1 < len(paras) {
			hi = paras[k+1]
		}
	}
	k := sort.Search(len(hits), func(i int) bool { return hits[i] >= lo })
	return k < len(hits) && hits[k] < hi
}

func uniqueSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// textSpan is a byte range of a text.
type textSpan struct{ start, end int }

// Sentence boundaries are found locally around a position, so that only
// the sentences holding a match are ever looked for, and no further than
// maxSentenceScan bytes either way.
const maxSentenceScan = 4000

// sentenceAbbreviations end with a period that does not end a sentence
// (lower case, without that period).
var sentenceAbbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "sr": true, "jr": true,
	"gen": true, "gov": true, "sen": true, "rep": true, "col": true, "lt": true, "capt": true, "sgt": true,
	"no": true, "nos": true, "vs": true, "approx": true, "est": true, "fig": true, "vol": true, "pp": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "mt": true, "ft": true,
	"inc": true, "ltd": true, "corp": true, "co": true, "e.g": true, "i.e": true, "u.s": true, "u.k": true,
	"u.n": true, "a.m": true, "p.m": true,
	// Russian and Kazakh.
	"г": true, "гг": true, "т.е": true, "т.к": true, "им": true, "ул": true, "пр": true, "тыс": true,
	"млн": true, "млрд": true, "трлн": true, "руб": true, "долл": true, "ст": true, "чел": true, "см": true,
	"напр": true, "проф": true, "акад": true, "обл": true, "р": true, "ж": true, "жж": true,
	"с": true, "д": true,
	// Azerbaijani and Turkish.
	"örn": true, "bkz": true, "doç": true, "sn": true, "b.e": true,
}

// lowerTable caches unicode.ToLower below U+0800; abbreviationKeys holds
// sentenceAbbreviations packed by packBytes, all of them eight bytes or
// shorter, as the init function checks.
var (
	lowerTable       [0x800]rune
	abbreviationKeys = newKeySet(len(sentenceAbbreviations))
)

func init() {
	for r := range lowerTable {
		lowerTable[r] = unicode.ToLower(rune(r))
	}
	for a := range sentenceAbbreviations {
		if len(a) > 8 || strings.IndexByte(a, 0) >= 0 {
			panic("extract: abbreviation " + a + " is longer than eight bytes or holds a zero byte")
		}
		abbreviationKeys.add(packBytes([]byte(a)))
	}
}

// packBytes packs up to eight bytes into a word, the first lowest; words
// without zero bytes pack to distinct non-zero keys.
func packBytes(b []byte) uint64 {
	var x uint64
	for i := len(b) - 1; i >= 0; i-- {
		x = x<<8 | uint64(b[i])
	}
	return x
}

// keySet is a set of non-zero words, open-addressed and at most half
// full: a lookup hashes one word, where a map of strings hashes bytes.
type keySet struct {
	slots []uint64
	shift uint
}

func newKeySet(n int) keySet {
	logSize := uint(4)
	for 1<<logSize < 2*n {
		logSize++
	}
	return keySet{slots: make([]uint64, 1<<logSize), shift: 64 - logSize}
}

func (k *keySet) add(key uint64) {
	mask := uint64(len(k.slots) - 1)
	i := (key * 0x9E3779B97F4A7C15) >> k.shift
	for k.slots[i] != 0 && k.slots[i] != key {
		i = (i + 1) & mask
	}
	k.slots[i] = key
}

func (k *keySet) has(key uint64) bool {
	mask := uint64(len(k.slots) - 1)
	for i := (key * 0x9E3779B97F4A7C15) >> k.shift; ; i = (i + 1) & mask {
		switch k.slots[i] {
		case key:
			return true
		case 0:
			return false
		}
	}
}

// sentenceEndAt reports whether the terminator at text[i] ('.', '!', '?',
// '…' or a line end) ends a sentence, and where that sentence ends
// (after closing quotes and brackets).
func sentenceEndAt(text string, i int) (int, bool) {
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
	if ascii := func() bool {
		for k := 0; k < len(tok); k++ {
			if tok[k] >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}(); ascii {
		// The tests below on ASCII, without lowering tok: packed lower
		// case for the keys, and isDottedAbbreviation ignores case there.
		if len(tok) <= 8 && strings.IndexByte(tok, 0) < 0 {
			var key uint64
			for k := len(tok) - 1; k >= 0; k-- {
				c := tok[k]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				key = key<<8 | uint64(c)
			}
			if abbreviationKeys.has(key) {
				return 0, false
			}
		}
		if strings.IndexByte(tok, '.') >= 0 && isDottedAbbreviation(tok) {
			return 0, false
		}
		return j, true
	}
	// strings.ToLower(tok), without its allocation: it maps every rune
	// with unicode.ToLower and every invalid byte to U+FFFD.
	var lb [4 * 24]byte
	low := lb[:0]
	for _, r := range tok {
		if r < rune(len(lowerTable)) {
			r = lowerTable[r]
		} else {
			r = unicode.ToLower(r)
		}
		low = utf8.AppendRune(low, r)
	}
	if len(low) <= 8 && bytes.IndexByte(low, 0) < 0 && abbreviationKeys.has(packBytes(low)) {
		return 0, false
	}
	if bytes.IndexByte(low, '.') >= 0 && isDottedAbbreviation(string(low)) {
		return 0, false
	}
	return j, true
}

// isDottedAbbreviation reports whether tok is letters in groups of one or
// two separated by periods ("u.s", "т.е").
func isDottedAbbreviation(tok string) bool {
	n := 0
	for _, r := range tok {
		if r == '.' {
			if n == 0 {
				return false
			}
			n = 0
			continue
		}
		if !unicode.IsLetter(r) {
			return false
		}
		n++
		if n > 2 {
			return false
		}
	}
	return n > 0
}

// isTerminatorByte reports whether text[i] may end a sentence: '.', '!',
// '?', a line end, or the first byte of '…'.
func isTerminatorByte(text string, i int) bool {
	switch text[i] {
	case '.', '!', '?', '\n':
		return true
	case 0xE2:
		return strings.HasPrefix(text[i:], "…")
	}
	return false
}

// terminatorLead marks the bytes that isTerminatorByte may accept, so that
// the scans for sentence ends test one table entry per byte.
var terminatorLead = [256]bool{'.': true, '!': true, '?': true, '\n': true, 0xE2: true}

// terminatorBytes marks the high bit of every byte of x that is in
// terminatorLead.
func terminatorBytes(x uint64) uint64 {
	const l = 0x0101010101010101
	return zeroBytes(x^'.'*l) | zeroBytes(x^'!'*l) | zeroBytes(x^'?'*l) | zeroBytes(x^'\n'*l) | zeroBytes(x^0xE2*l)
}

// zeroBytes marks the high bit of every zero byte of v, exactly: no lane
// carries into the next.
func zeroBytes(v uint64) uint64 {
	const low7 = 0x7F7F7F7F7F7F7F7F
	return ^((v&low7 + low7) | v | low7)
}

// sentenceAt returns the span of the sentence holding byte pos of text,
// without surrounding white space. The scans for terminators read eight
// bytes at a time.
func sentenceAt(text string, pos int) textSpan {
	lo := max(0, pos-maxSentenceScan)
	start := lo
	found := false
	i := pos // the bytes [lo, i) are left to scan backwards
	for ; !found && i-8 >= lo; i -= 8 {
		m := terminatorBytes(load64(text, i-8))
		for m != 0 {
			k := (bits.Len64(m) - 1) >> 3 // the nearest first
			m &^= 0x80 << (8 * k)
			if t := i - 8 + k; isTerminatorByte(text, t) {
				if e, ok := sentenceEndAt(text, t); ok && e <= pos {
					start, found = e, true
					break
				}
			}
		}
	}
	for i--; !found && i >= lo; i-- {
		if terminatorLead[text[i]] && isTerminatorByte(text, i) {
			if e, ok := sentenceEndAt(text, i); ok && e <= pos {
				start, found = e, true
			}
		}
	}
	hi := min(len(text), pos+maxSentenceScan)
	end := hi
	found = false
	j := pos
	for ; !found && j+8 <= hi; j += 8 {
		m := terminatorBytes(load64(text, j))
		for m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			m &= m - 1
			if isTerminatorByte(text, j+k) {
				if e, ok := sentenceEndAt(text, j+k); ok {
					end, found = e, true
					break
				}
			}
		}
	}
	for ; !found && j < hi; j++ {
		if terminatorLead[text[j]] && isTerminatorByte(text, j) {
			if e, ok := sentenceEndAt(text, j); ok {
				end, found = e, true
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

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// sentenceText returns the sentence sp, cut to a window around [ms, me)
// when it is longer than maxSentenceBytes.
func sentenceText(text string, sp textSpan, ms, me int) string {
	if sp.end-sp.start <= maxSentenceBytes {
		return text[sp.start:sp.end]
	}
	half := max(0, (maxSentenceBytes-(me-ms))/2)
	a, b := max(sp.start, ms-half), min(sp.end, me+half)
	for a > sp.start && !utf8.RuneStart(text[a]) {
		a--
	}
	for b < sp.end && !utf8.RuneStart(text[b]) {
		b++
	}
	return strings.TrimSpace(text[a:b])
}
