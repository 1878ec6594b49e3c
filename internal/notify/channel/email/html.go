package email

import (
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

//go:embed email.html
var htmlSource string

// htmlTemplate lays a message out for mail clients: tables and inline styles only.
// html/template escapes every value, and drops link URLs that are not http(s) or mailto.
var htmlTemplate = template.Must(template.New("email.html").Parse(htmlSource))

// view is what email.html shows.
type view struct {
	Title    string
	State    string
	Color    template.CSS // of the state
	Lines    []string     // the text (or the template's output), line by line
	Graph    bool         // whether the cid:graph@tocsin image is attached
	GraphAlt string
	Items    []item
	Changes  []change
	Links    []link
	Footer   string
}

type item struct {
	Name, URL, State, Since, Numbers string
	Color                            template.CSS
}

type change struct{ Time, Text string }

type link struct {
	Name, URL string
	Color     template.CSS
}

// renderHTML renders m; custom, when not empty, is the subscription template's output and
// replaces m.Text.
func renderHTML(m *notify.Message, custom string, hasGraph bool) (string, error) {
	v := view{
		Title:  m.Title,
		State:  m.State,
		Color:  color(m.State),
		Lines:  lines(m.Text),
		Graph:  hasGraph,
		Footer: footer(m),
	}
	if custom != "" {
		v.Lines = lines(custom)
	}
	if hasGraph {
		v.GraphAlt = m.Graph.Title
	}
	for _, a := range m.Alarms {
		numbers := notify.Stats(&a)
		if numbers == "" {
			numbers = a.Reason
		}
		v.Items = append(v.Items, item{Name: a.Name, URL: a.URL, State: a.State, Color: color(a.State),
			Since: since(a.Since, m.Time), Numbers: numbers})
	}
	for _, a := range m.Annotations {
		v.Changes = append(v.Changes, change{Time: a.Time.UTC().Format("2006-01-02 15:04 UTC"), Text: a.Text})
	}
	for _, l := range []link{
		{"Acknowledge", m.Links.Acknowledge, color("ALARM")},
		{"Open incident", m.Links.Incident, color("")},
		{"Open alarm", m.Links.Alarm, color("")},
	} {
		if l.URL != "" {
			v.Links = append(v.Links, l)
		}
	}
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

func color(state string) template.CSS {
	return template.CSS(fmt.Sprintf("#%06x", notify.StateColor(state)))
}

// lines splits text into lines without trailing blank ones.
func lines(text string) []string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n ")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// since is when an alarm entered its state: the time of day, with the date when that is
// not the message's day.
func since(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.UTC(), now.UTC()
	if y, m, d := t.Date(); now.IsZero() || y != now.Year() || m != now.Month() || d != now.Day() {
		return t.Format("2006-01-02 15:04 UTC")
	}
	return t.Format("15:04 UTC")
}

func footer(m *notify.Message) string {
	parts := []string{"tocsin"}
	if m.Environment != "" {
		parts = append(parts, m.Environment)
	}
	if m.Topic != "" {
		parts = append(parts, "topic "+m.Topic)
	}
	if !m.Time.IsZero() {
		parts = append(parts, m.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return strings.Join(parts, " · ")
}
