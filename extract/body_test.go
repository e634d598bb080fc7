package extract

import (
	"strings"
	"testing"

	newsmon "github.com/newsmon/newsmon"
)

func TestBoilerplateLines(t *testing.T) {
	b := newBodyExtractor("Ports Expand in Aktau", "Aida Nurlanova", 0)
	cases := []struct {
		name string
		line string
		drop bool
	}{
		{"read also", "READ ALSO: Middle Corridor Cargo Volumes Grow", true},
		{"russian read also", "Читайте также: Порт Актау расширяется", true},
		{"azerbaijani read also", "Həmçinin oxu: Ələt limanında yük dövriyyəsi artıb", true},
		{"newsletter", "Sign up for our newsletter to get the top stories.", true},
		{"telegram", "Trend-in Telegram kanalına abunə olun", true},
		{"photo credit", "Photo credit: the press service of the ministry", true},
		{"repeated byline", "By Aida Nurlanova", true},
		{"repeated title", "Ports Expand in Aktau", true},
		{"tags line", "Tags: Azerbaijan, Middle Corridor, pipeline", true},
		{"lone word", "Advertisement", true},
		{"shortcode", `[button link="/x"]Send us your review[/button]`, true},
		{"address alone", "jane.roe@example.org", true},
		{"real sentence that mentions reading", "Officials said they read more than 200 proposals before choosing the route.", false},
		{"long paragraph starting with related", strings.Repeat("Related talks between the ministries continued through the week. ", 5), false},
		{"ordinary sentence", "The ministers signed the memorandum in Baku on Thursday.", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := b.isBoilerplateLine(c.line); got != c.drop {
				t.Errorf("isBoilerplateLine(%q) = %v, want %v", c.line, got, c.drop)
			}
		})
	}
}

func TestFurniture(t *testing.T) {
	cases := []struct {
		line string
		drop bool
	}{
		{"6 Dekabr 2025 15:49 (UTC +04:00)", true},
		{"Updated 1:33 am CST, Wednesday, November 20, 2019", true},
		{"1 245", true},
		{"By Jane Roe and John Doe", true},
		{"By the end of the year the port will double its capacity, officials said on Monday.", false},
		{"BAKI, Trend", false},
		{"On 14 March 2024 the two ministers met in Baku to sign the memorandum on the hub.", false},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			if got := isFurniture(c.line); got != c.drop {
				t.Errorf("isFurniture(%q) = %v, want %v", c.line, got, c.drop)
			}
		})
	}
}

func TestGenericBodyChoosesTheArticle(t *testing.T) {
	article := `<div class="entry-content">
<p>By Aida Nurlanova</p>
<p>The ministers of transport of Kazakhstan and Azerbaijan signed a memorandum on a joint freight hub, officials said on Thursday, in Baku.</p>
<figure><img src="/a.jpg"><figcaption>The port of Aktau. Photo: press service</figcaption></figure>
<p>The hub will handle containers, bulk cargo and ferries, and the parties expect volumes to double by 2030, the statement said.</p>
<p><a href="/other-story">A cross-link to another story about ports</a></p>
<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a></div>
<p>Cargo traffic along the route grew by two thirds last year, according to the association of the route.</p>
</div>`
	sidebar := `<div class="sidebar"><h3>Most read</h3><ul>` + strings.Repeat(`<li><a href="/x">Another corridor headline with several words in it</a></li>`, 10) + `</ul></div>`
	comments := `<div id="comments"><p>First comment, with an opinion about the corridor, the port, the pipeline.</p><p>Second comment, with another opinion about the corridor and the port.</p></div>`
	page := `<html><head><meta name="author" content="Aida Nurlanova"></head><body><div class="wrap">` + article + sidebar + comments + `</div></body></html>`
	e, _ := New(nil)
	a, err := e.Extract(&newsmon.Page{URL: "https://example.org/a", Body: []byte(page)})
	if err != nil {
		t.Fatal(err)
	}
	want := "The ministers of transport of Kazakhstan and Azerbaijan signed a memorandum on a joint freight hub, officials said on Thursday, in Baku.\n\n" +
		"The hub will handle containers, bulk cargo and ferries, and the parties expect volumes to double by 2030, the statement said.\n\n" +
		"Cargo traffic along the route grew by two thirds last year, according to the association of the route."
	if a.Text != want {
		t.Errorf("text = %q\nwant %q", a.Text, want)
	}
}
