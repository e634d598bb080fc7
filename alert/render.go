package alert

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsmon/newsmon"
)

// Limits on what one message shows. Titles and sentences come from crawled
// pages, so a hostile page must not make a message unbounded.
const (
	maxHeadline   = 200  // runes in a subject or title line
	maxField      = 1000 // runes in one title, sentence or problem
	maxListed     = 500  // reports listed in one alert; the rest are counted
	maxDigestSize = 500  // alerts in one digest
)

// Digest is the alerts one rule raised in one digest period, sent as one
// message. ID is the delivery's id ("digest:<rule>:<unix start>") and the
// webhook's Idempotency-Key.
type Digest struct {
	ID     string
	Rule   string
	Start  time.Time
	Alerts []newsmon.Alert
}

// DigestNotifier is a Notifier that can also send a digest as one message.
// Webhook and Email implement it.
type DigestNotifier interface {
	NotifyDigest(ctx context.Context, rule newsmon.AlertRule, d *Digest) error
}

// clean makes untrusted text fit for one line: control characters and runs
// of white space become one space, invalid UTF-8 is replaced, and the text
// is cut at max runes.
func clean(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if n >= max {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// headline is the one-line summary of an alert: an email's subject, an Atom
// entry's title, a Slack message's fallback text. For an agreement it reads
// "Signed: memorandum — Azerbaijan, Kazakhstan".
func headline(a *newsmon.Alert) string {
	var s string
	switch {
	case a.Event != nil:
		status := a.Event.Status
		if status == "" {
			status = "agreement"
		}
		r, size := utf8.DecodeRuneInString(status)
		s = string(unicode.ToUpper(r)) + status[size:] + ": " + a.Event.Instrument
		if len(a.Event.Parties) > 0 {
			s += " — " + strings.Join(a.Event.Parties, ", ")
		}
	case a.Kind == newsmon.AlertSourceHealth:
		s = "Source health: " + a.Source
		if a.Problem != "" {
			s += " — " + a.Problem
		}
	default:
		s = "Search " + a.Rule
		if len(a.Articles) > 0 {
			s += ": " + a.Articles[0].Title
		}
	}
	return clean(s, maxHeadline)
}

// digestHeadline is the one-line summary of a digest.
func digestHeadline(d *Digest) string {
	noun := "alerts"
	if len(d.Alerts) == 1 {
		noun = "alert"
	}
	return clean(fmt.Sprintf("Digest %s: %d %s since %s", d.Rule, len(d.Alerts), noun, d.Start.UTC().Format("2006-01-02 15:04 MST")), maxHeadline)
}

// alertView is an alert prepared for the templates and the plain text:
// every field cleaned and bounded, the reports cut at maxListed.
type alertView struct {
	Headline   string
	Kind       string
	Event      *eventView
	Source     string
	Problem    string
	Articles   []articleView
	MoreCount  int
	Updated    string
	Version    int
	Evidence   string // the sentence to highlight
	HasReports bool
}

type eventView struct {
	Parties    string
	Instrument string
	Status     string
	Value      string
}

type articleView struct {
	URL       string
	Title     string
	Source    string
	Published string
	Sentence  string
}

func viewOf(a *newsmon.Alert) alertView {
	v := alertView{
		Headline: headline(a),
		Kind:     a.Kind,
		Source:   clean(a.Source, maxField),
		Problem:  clean(a.Problem, maxField),
		Version:  a.Version,
	}
	if !a.Updated.IsZero() {
		v.Updated = a.Updated.UTC().Format(time.RFC3339)
	}
	if e := a.Event; e != nil {
		v.Event = &eventView{
			Parties:    clean(strings.Join(e.Parties, ", "), maxField),
			Instrument: clean(e.Instrument, maxField),
			Status:     clean(e.Status, maxField),
			Value:      clean(e.Value, maxField),
		}
		v.Evidence = clean(e.Sentence, maxField)
	}
	arts := a.Articles
	if len(arts) > maxListed {
		v.MoreCount = len(arts) - maxListed
		arts = arts[:maxListed]
	}
	for _, art := range arts {
		av := articleView{
			URL:      strings.TrimSpace(art.URL),
			Title:    clean(art.Title, maxField),
			Source:   clean(art.Source, maxField),
			Sentence: clean(art.Sentence, maxField),
		}
		if av.Title == "" {
			av.Title = av.URL
		}
		if art.Published != nil {
			av.Published = art.Published.UTC().Format("2006-01-02 15:04 MST")
		}
		if av.Sentence == v.Evidence {
			av.Sentence = "" // shown once, at the top
		}
		v.Articles = append(v.Articles, av)
	}
	if v.Evidence == "" && len(v.Articles) > 0 && v.Articles[0].Sentence != "" {
		v.Evidence, v.Articles[0].Sentence = v.Articles[0].Sentence, ""
	}
	v.HasReports = len(v.Articles) > 0
	return v
}

// alertTemplates render alerts as HTML. html/template escapes every title
// and sentence (they come from crawled pages) and refuses javascript: and
// other unsafe URLs in links.
var alertTemplates = template.Must(template.New("alert").Parse(`
{{- define "alert" -}}
<h2>{{.Headline}}</h2>
{{- with .Event}}
<table>
<tr><th align="left">Parties</th><td>{{.Parties}}</td></tr>
<tr><th align="left">Instrument</th><td>{{.Instrument}}</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
{{- if .Value}}
<tr><th align="left">Value</th><td>{{.Value}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Source}}
<p>Source <strong>{{.Source}}</strong>: {{.Problem}}</p>
{{- end}}
{{- if .Evidence}}
<p><mark style="background:#fff3a0">{{.Evidence}}</mark></p>
{{- end}}
{{- if .HasReports}}
<p>Reports:</p>
<ul>
{{- range .Articles}}
<li><a href="{{.URL}}">{{.Title}}</a>{{if .Source}} — {{.Source}}{{end}}{{if .Published}}, {{.Published}}{{end}}
{{- if .Sentence}}<br><mark style="background:#fff3a0">{{.Sentence}}</mark>{{end}}</li>
{{- end}}
{{- if .MoreCount}}
<li>and {{.MoreCount}} more</li>
{{- end}}
</ul>
{{- end}}
{{- end}}

{{- define "message" -}}
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Headline}}</title></head>
<body>
{{template "alert" .}}
<p style="color:#777">Sent by newsmon.</p>
</body></html>
{{- end}}

{{- define "digest" -}}
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Headline}}</title></head>
<body>
<h1>{{.Headline}}</h1>
{{- range .Alerts}}
<hr>
{{template "alert" .}}
{{- end}}
{{- if .MoreCount}}
<p>and {{.MoreCount}} more alerts</p>
{{- end}}
<p style="color:#777">Sent by newsmon.</p>
</body></html>
{{- end}}
`))

// digestView is a digest prepared for the "digest" template.
type digestView struct {
	Headline  string
	Alerts    []alertView
	MoreCount int
}

func digestViewOf(d *Digest) digestView {
	v := digestView{Headline: digestHeadline(d)}
	alerts := d.Alerts
	if len(alerts) > maxDigestSize {
		v.MoreCount = len(alerts) - maxDigestSize
		alerts = alerts[:maxDigestSize]
	}
	for i := range alerts {
		v.Alerts = append(v.Alerts, viewOf(&alerts[i]))
	}
	return v
}

// renderHTML executes one of alertTemplates.
func renderHTML(name string, data any) (string, error) {
	var b strings.Builder
	if err := alertTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}

// writeText writes the plain-text form of one alert.
func writeText(b *strings.Builder, v alertView) {
	b.WriteString(v.Headline + "\n\n")
	if e := v.Event; e != nil {
		fmt.Fprintf(b, "Parties:    %s\nInstrument: %s\nStatus:     %s\n", e.Parties, e.Instrument, e.Status)
		if e.Value != "" {
			fmt.Fprintf(b, "Value:      %s\n", e.Value)
		}
		b.WriteString("\n")
	}
	if v.Source != "" {
		fmt.Fprintf(b, "Source %s: %s\n\n", v.Source, v.Problem)
	}
	if v.Evidence != "" {
		fmt.Fprintf(b, ">> %s\n\n", v.Evidence)
	}
	if v.HasReports {
		b.WriteString("Reports:\n")
		for _, a := range v.Articles {
			fmt.Fprintf(b, "- %s", a.Title)
			if a.Source != "" {
				fmt.Fprintf(b, " (%s", a.Source)
				if a.Published != "" {
					fmt.Fprintf(b, ", %s", a.Published)
				}
				b.WriteString(")")
			}
			fmt.Fprintf(b, "\n  %s\n", a.URL)
			if a.Sentence != "" {
				fmt.Fprintf(b, "  >> %s\n", a.Sentence)
			}
		}
		if v.MoreCount > 0 {
			fmt.Fprintf(b, "- and %d more\n", v.MoreCount)
		}
	}
}

func alertText(a *newsmon.Alert) string {
	var b strings.Builder
	writeText(&b, viewOf(a))
	b.WriteString("\n-- \nSent by newsmon.\n")
	return b.String()
}

func digestText(d *Digest) string {
	v := digestViewOf(d)
	var b strings.Builder
	b.WriteString(v.Headline + "\n")
	for _, av := range v.Alerts {
		b.WriteString("\n========================================\n\n")
		writeText(&b, av)
	}
	if v.MoreCount > 0 {
		fmt.Fprintf(&b, "\nand %d more alerts\n", v.MoreCount)
	}
	b.WriteString("\n-- \nSent by newsmon.\n")
	return b.String()
}
