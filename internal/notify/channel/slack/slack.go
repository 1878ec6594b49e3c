// Package slack sends notifications to a Slack incoming webhook as Block Kit messages.
//
// The message's title is the notification fallback (`text`); one attachment carries the
// state's colour and the blocks: a header, the text (or the subscription's template
// output), the members of a group, environment and time, recent changes and link
// buttons. Everything placed in mrkdwn is escaped (&, <, >), template output included, so
// alarm data cannot mention people or forge links. The webhook URL is a credential: it
// is never logged or put in an error.
package slack

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

// Slack's limits (https://api.slack.com/reference/block-kit/blocks).
const (
	headerLimit  = 150  // header block text
	textLimit    = 3000 // section and context element text
	urlLimit     = 3000 // button url
	membersShown = 20   // group members listed before "…and N more"
	changesShown = 10   // annotations listed before "…and N more"
)

// Send posts m to the webhook.
func (s *Slack) Send(ctx context.Context, m *notify.Message) error {
	body, err := s.render(m)
	if err != nil {
		return err
	}
	return notify.PostJSON(ctx, s.client, s.now, s.url.Reveal(), m.ID, body)
}

// render builds the JSON payload of m.
func (s *Slack) render(m *notify.Message) ([]byte, error) {
	text := m.Text
	if s.template != nil {
		out, err := notify.Body(m, &notify.Config{Template: s.template})
		if err != nil {
			f := notify.AsFailure(err)
			return nil, &notify.Failure{Code: "TEMPLATE", Message: f.Message, Retryable: false}
		}
		text = out
	}
	fallback := m.Title
	if fallback == "" {
		fallback = "tocsin notification"
	}
	p := payload{
		Text: escape(fallback),
		Attachments: []attachment{{
			Color:  fmt.Sprintf("#%06x", notify.StateColor(m.State)),
			Blocks: blocks(m, text),
		}},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, &notify.Failure{Code: "INTERNAL", Message: "cannot encode the payload: " + err.Error()}
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// blocks lays m out; text is the message's words (or the template output), unescaped.
func blocks(m *notify.Message, text string) []block {
	var bs []block
	if t := strings.TrimSpace(m.Title); t != "" {
		bs = append(bs, block{Type: "header", Text: &textObj{Type: "plain_text", Text: truncate(t, headerLimit), Emoji: true}})
	}
	if t := strings.TrimSpace(text); t != "" {
		bs = append(bs, section(escape(t)))
	}
	if n := len(m.Alarms); n > 1 {
		head := fmt.Sprintf("*%d alarms:*\n", n)
		lines := make([]string, n)
		for i := range m.Alarms {
			lines[i] = "• " + escape(notify.ItemLine(&m.Alarms[i]))
		}
		bs = append(bs, section(head+list(lines, membersShown, textLimit-len(head))))
	}
	var about []textObj
	if m.Environment != "" {
		about = append(about, mrkdwn("*Environment:* "+escape(m.Environment)))
	}
	if m.Incident != nil {
		about = append(about, mrkdwn(fmt.Sprintf("*Incident:* #%d (%s)", m.Incident.ID, escape(m.Incident.State))))
	}
	if !m.Time.IsZero() {
		about = append(about, mrkdwn(date(m.Time)))
	}
	if len(about) > 0 {
		bs = append(bs, block{Type: "context", Elements: about})
	}
	if len(m.Annotations) > 0 {
		head := "*Recent changes:*\n"
		var lines []string
		for _, a := range m.Annotations {
			lines = append(lines, "• "+date(a.Time)+" "+truncateEscaped(escape(a.Text), 300))
		}
		bs = append(bs, block{Type: "context", Elements: []textObj{mrkdwn(head + list(lines, changesShown, textLimit-len(head)))}})
	}
	var buttons []element
	for _, l := range []struct{ id, label, url, style string }{
		{"open_alarm", "Open alarm", m.Links.Alarm, ""},
		{"open_incident", "Open incident", m.Links.Incident, ""},
		{"acknowledge", "Acknowledge", m.Links.Acknowledge, "primary"},
	} {
		if l.url != "" && len(l.url) <= urlLimit {
			buttons = append(buttons, element{Type: "button", ActionID: l.id, URL: l.url, Style: l.style,
				Text: textObj{Type: "plain_text", Text: l.label}})
		}
	}
	if len(buttons) > 0 {
		bs = append(bs, block{Type: "actions", Elements: buttons})
	}
	if len(bs) == 0 {
		bs = append(bs, section("tocsin notification"))
	}
	return bs
}

func section(mrkdwnText string) block {
	t := mrkdwn(mrkdwnText)
	return block{Type: "section", Text: &t}
}

func mrkdwn(s string) textObj { return textObj{Type: "mrkdwn", Text: truncateEscaped(s, textLimit)} }

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
		if i > 0 {
			b.WriteString("\n")
		}
		n := utf8.RuneCountInString(l) + 1 // and a line break
		if i == shown || used+n+utf8.RuneCountInString(more) > limit {
			fmt.Fprintf(&b, "…and %d more", len(lines)-i)
			break
		}
		b.WriteString(l)
		used += n
	}
	return b.String()
}

// date is Slack's localised date with a UTC fallback for clients that cannot format it.
func date(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format(time.RFC3339))
}

// escape applies Slack's mrkdwn escaping: &, < and > are control characters.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// truncate cuts s to at most n characters, ending it with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// truncateEscaped is truncate for escaped text: it does not leave half an entity.
func truncateEscaped(s string, n int) string {
	t := truncate(s, n)
	if t == s {
		return s
	}
	body := strings.TrimSuffix(t, "…")
	if amp := strings.LastIndexByte(body, '&'); amp >= 0 && !strings.Contains(body[amp:], ";") {
		body = body[:amp]
	}
	return body + "…"
}
