package main

import (
	"strings"
	"testing"
)

// TestGeneratorShares checks that the planted terms reach the document
// shares the query classes are named after, and that mentions point at
// their text.
func TestGeneratorShares(t *testing.T) {
	const n = 4000
	g := newGenerator(n)
	count := map[string]int{}
	words := 0
	for i := range n {
		a := g.article(i)
		words += len(strings.Fields(a.Text))
		doc := a.Title + " " + a.Text
		for _, w := range []string{"Kazakhstan", "Казахстан", "Kazakistan", "pipeline", "Middle Corridor", "Aktau"} {
			if strings.Contains(doc, w) {
				count[w]++
			}
		}
		for _, m := range a.Mentions {
			if a.Text[m.Start:m.End] != m.Matched {
				t.Fatalf("article %d: mention %+v does not point at its text", i, m)
			}
		}
		if b := g.article(i); b.Text != a.Text || b.Title != a.Title {
			t.Fatalf("article %d differs between two calls", i)
		}
	}
	kz := float64(count["Kazakhstan"]) / n
	pipe := float64(count["pipeline"]) / n
	t.Logf("avg words %d, shares: %v, kz %.3f pipe %.3f", words/n, count, kz, pipe)
	if kz < 0.55 || kz > 0.65 {
		t.Errorf("Kazakhstan in %.2f of documents, want 0.60", kz)
	}
	if pipe < 0.08 || pipe > 0.12 {
		t.Errorf("pipeline in %.2f of documents, want 0.10", pipe)
	}
	if avg := words / n; avg < 500 || avg > 800 {
		t.Errorf("%d words an article on average, want 400-900", avg)
	}
}
