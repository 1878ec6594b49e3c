// Package discord sends notifications to a Discord webhook as one embed.
//
// The embed has the message's title (linked to the alarm), its text or the
// subscription's template output with the members of a group, the state's colour, the
// time, and fields for environment, state, links and recent changes. Discord's limits
// are respected by cutting text with "…". allowed_mentions is empty, so nothing in a
// message can ping anyone. Alarm data is escaped for Discord's markdown; template output
// is sent as written. The webhook URL holds its token: it is never logged or put in an
// error.
package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/notify"
)

// Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
const (
	titleLimit       = 256
	descriptionLimit = 4096
	fieldValueLimit  = 1024
	embedLimit       = 6000 // title, description, field names and values, footer together
	membersShown     = 20   // group members listed before "…and N more"
	changesShown     = 10   // annotations listed before "…and N more"
)

// Send posts m to the webhook; Discord answers 204 No Content.
func (d *Discord) Send(ctx context.Context, m *notify.Message) error {
	body, err := d.render(m)
	if err != nil {
		return err
	}
	return notify.PostJSON(ctx, d.client, d.now, d.url.Reveal(), m.ID, body)
}

// render builds the JSON payload of m.
func (d *Discord) render(m *notify.Message) ([]byte, error) {
	text := escape(m.Text)
	if d.template != nil {
		out, err := notify.Body(m, &notify.Config{Template: d.template})
		if err != nil {
			f := notify.AsFailure(err)
			return nil, &notify.Failure{Code: "TEMPLATE", Message: f.Message, Retryable: false}
		}
		text = out
	}
	e := embed{
		Title:       truncate(strings.TrimSpace(m.Title), titleLimit),
		URL:         m.Links.Alarm,
		Color:       notify.StateColor(m.State),
		Fields:      fields(m),
		Footer:      footer{Text: "tocsin"},
		Description: description(m, text),
	}
	if !m.Time.IsZero() {
		e.Timestamp = m.Time.UTC().Format(time.RFC3339)
	}
	if e.Title == "" && e.Description == "" {
		e.Title = "tocsin notification"
	}
	if over := size(&e) - embedLimit; over > 0 {
		e.Description = truncate(e.Description, utf8.RuneCountInString(e.Description)-over)
	}
	p := payload{Username: "tocsin", Embeds: []embed{e}, AllowedMentions: mentions{Parse: []string{}}}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, &notify.Failure{Code: "INTERNAL", Message: "cannot encode the payload: " + err.Error()}
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// description is the text followed by the members of a group, within Discord's limit.
func description(m *notify.Message, text string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(text))
	if n := len(m.Alarms); n > 1 {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "**%d alarms:**\n", n)
		lines := make([]string, n)
		for i := range m.Alarms {
			lines[i] = "• " + escape(notify.ItemLine(&m.Alarms[i]))
		}
		b.WriteString(list(lines, membersShown, descriptionLimit-utf8.RuneCountInString(b.String())))
	}
	return truncate(b.String(), descriptionLimit)
}

// list joins up to shown lines, fewer when they would not fit in limit characters, and
// says how many were left out.
func list(lines []string, shown, limit int) string {
	var b strings.Builder
	used := 0
	for i, l := range lines {
		more := ""
		if rest := len(lines) - i - 1; rest > 0 {
			more = fmt.Sprintf("\n…and %d more", rest)
		}
		n := utf8.RuneCountInString(l) + 1 // and a line break
		if i > 0 {
			b.WriteString("\n")
		}
		if i == shown || used+n+utf8.RuneCountInString(more) > limit {
			fmt.Fprintf(&b, "…and %d more", len(lines)-i)
			break
		}
		b.WriteString(l)
		used += n
	}
	return b.String()
}

func fields(m *notify.Message) []field {
	var fs []field
	add := func(name, value string, inline bool) {
		if value != "" {
			fs = append(fs, field{Name: name, Value: truncate(value, fieldValueLimit), Inline: inline})
		}
	}
	add("Environment", escape(m.Environment), true)
	add("State", m.State, true)
	if inc := m.Incident; inc != nil {
		add("Incident", fmt.Sprintf("#%d %s (%s)", inc.ID, escape(inc.State), escape(inc.Policy)), true)
	}
	// A link cut short is worse than none.
	if l := link("Open incident", m.Links.Incident); len(l) <= fieldValueLimit {
		add("Open incident", l, true)
	}
	if l := link("Acknowledge", m.Links.Acknowledge); len(l) <= fieldValueLimit {
		add("Acknowledge", l, false)
	}
	if len(m.Annotations) > 0 {
		var lines []string
		for _, a := range m.Annotations {
			lines = append(lines, fmt.Sprintf("• <t:%d:f> %s", a.Time.Unix(), escape(truncate(a.Text, 300))))
		}
		add("Recent changes", list(lines, changesShown, fieldValueLimit), false)
	}
	return fs
}

// link is a markdown link ("" without a URL); a ")" in the URL would end it early.
func link(label, url string) string {
	if url == "" {
		return ""
	}
	return "[" + label + "](" + strings.ReplaceAll(url, ")", "%29") + ")"
}

// size counts the characters Discord counts towards an embed's total.
func size(e *embed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description) + utf8.RuneCountInString(e.Footer.Text)
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

// escape keeps alarm data from turning into Discord markdown.
var escape = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`).Replace

// truncate cuts s to at most n characters, ending it with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	// A backslash left at the end would escape the ellipsis.
	return strings.TrimRight(string(r[:n-1]), " \n\\") + "…"
}
