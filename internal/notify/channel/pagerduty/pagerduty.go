package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/notify"
)

// Limits of the Events API v2 and of what tocsin keeps of an answer.
const (
	maxSummary = 1024     // characters of payload.summary
	maxExcerpt = 200      // bytes of PagerDuty's error message put into a Failure
	maxAnswer  = 64 << 10 // bytes of an answer read at all
)

// event is an Events API v2 request. Acknowledge and resolve carry only the first three
// fields.
type event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key,omitempty"`
	Payload     *payload `json:"payload,omitempty"`
	Links       []link   `json:"links,omitempty"`
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
}

type payload struct {
	Summary       string  `json:"summary"`
	Source        string  `json:"source"`
	Severity      string  `json:"severity"`
	Timestamp     string  `json:"timestamp,omitempty"`
	Component     string  `json:"component,omitempty"`
	Group         string  `json:"group,omitempty"`
	Class         string  `json:"class,omitempty"`
	CustomDetails details `json:"custom_details"`
}

type details struct {
	Text        string       `json:"text,omitempty"`
	Alarms      []alarm      `json:"alarms,omitempty"`
	Annotations []annotation `json:"annotations,omitempty"`
}

type alarm struct {
	Name       string   `json:"name"`
	State      string   `json:"state"`
	Reason     string   `json:"reason,omitempty"`
	Min        *float64 `json:"min,omitempty"`
	Avg        *float64 `json:"avg,omitempty"`
	Max        *float64 `json:"max,omitempty"`
	Comparison string   `json:"comparison,omitempty"`
	Threshold  *float64 `json:"threshold,omitempty"`
	Unit       string   `json:"unit,omitempty"`
}

type annotation struct {
	Time string `json:"time"`
	Text string `json:"text"`
}

type link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// answer is PagerDuty's response body: {"status":"success","dedup_key":…} on 202, a
// message and a list of errors on 400.
type answer struct {
	Status  string   `json:"status"`
	Message string   `json:"message"`
	Errors  []string `json:"errors"`
}

// Send posts one event. PagerDuty answers 202 when it took the event; 400 (a malformed
// event) is not retryable, 429 and 5xx are, after the Retry-After PagerDuty may send
// (notify.ClassifyResponse decides).
func (p *PagerDuty) Send(ctx context.Context, m *notify.Message) error {
	if m.Kind != notify.KindAlarm || len(m.Alarms) < 2 {
		return p.sendOne(ctx, m)
	}
	// A group becomes one PagerDuty event per instance, each with the instance's own
	// dedup key, so that each one's later resolve meets its trigger. A retry sends them
	// all again; PagerDuty merges repeats by dedup key.
	for i, a := range m.Alarms {
		one := *m
		one.ID = fmt.Sprintf("%s/%d", m.ID, i)
		one.Alarms = []notify.AlarmItem{a}
		one.State, one.DedupKey, one.Action = a.State, notify.DedupKey(m.Environment, a.Name), notify.ActionTrigger
		if a.State == "OK" {
			one.Action = notify.ActionResolve
		}
		notify.Describe(&one)
		if err := p.sendOne(ctx, &one); err != nil {
			return err
		}
	}
	return nil
}

func (p *PagerDuty) sendOne(ctx context.Context, m *notify.Message) error {
	ev, err := p.event(m)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return &notify.Failure{Code: "INTERNAL", Message: "encoding the event: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, &body)
	if err != nil {
		return &notify.Failure{Code: "INTERNAL", Message: "the PagerDuty URL is not valid"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if m.ID != "" {
		req.Header.Set("Idempotency-Key", m.ID)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return notify.ClassifyHTTP(0, err, "")
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return notify.ClassifyResponse(resp, p.now(), p.excerpt(raw))
}

// event builds the request for a message: a full event for a trigger, the routing key,
// action and dedup key for an acknowledge or resolve.
func (p *PagerDuty) event(m *notify.Message) (*event, error) {
	action := m.Action
	if action == "" {
		action = notify.ActionTrigger
	}
	dedup := m.DedupKey
	if dedup == "" {
		dedup = m.ID
	}
	ev := &event{RoutingKey: p.key.Reveal(), EventAction: action, DedupKey: dedup}
	switch action {
	case notify.ActionTrigger:
	case notify.ActionAcknowledge, notify.ActionResolve:
		if dedup == "" {
			return nil, &notify.Failure{Code: "INVALID", Message: "pagerduty: an " + action + " needs a dedup key"}
		}
		return ev, nil
	default:
		return nil, &notify.Failure{Code: "INVALID", Message: "pagerduty: unknown event action " + action}
	}

	text := m.Text
	if p.template != nil {
		var err error
		if text, err = notify.Body(m, &notify.Config{Template: p.template}); err != nil {
			return nil, err
		}
	}
	at := m.Time
	if at.IsZero() {
		at = p.now()
	}
	source := "tocsin"
	if m.Environment != "" {
		source += "/" + m.Environment
	}
	summary := m.Title
	if summary == "" {
		summary = "tocsin " + m.Kind + " notification"
	}
	pl := &payload{
		Summary:       truncate(summary, maxSummary),
		Source:        source,
		Severity:      severity(m.State),
		Timestamp:     at.UTC().Format(time.RFC3339),
		Group:         m.Environment,
		Class:         m.Kind,
		CustomDetails: details{Text: text},
	}
	if len(m.Alarms) > 0 {
		pl.Component = m.Alarms[0].Alarm
	}
	for _, a := range m.Alarms {
		pl.CustomDetails.Alarms = append(pl.CustomDetails.Alarms, alarm{
			Name: a.Name, State: a.State, Reason: a.Reason,
			Min: a.Min, Avg: a.Avg, Max: a.Max,
			Comparison: a.Comparison, Threshold: a.Threshold, Unit: a.Unit,
		})
	}
	for _, a := range m.Annotations {
		pl.CustomDetails.Annotations = append(pl.CustomDetails.Annotations, annotation{Time: a.Time.UTC().Format(time.RFC3339), Text: a.Text})
	}
	ev.Payload = pl
	ev.Client = "tocsin"
	if m.Links.Alarm != "" {
		ev.Links = append(ev.Links, link{Href: m.Links.Alarm, Text: "Alarm in tocsin"})
		ev.ClientURL = m.Links.Alarm
	}
	if m.Links.Incident != "" {
		ev.Links = append(ev.Links, link{Href: m.Links.Incident, Text: "Incident in tocsin"})
		if ev.ClientURL == "" {
			ev.ClientURL = m.Links.Incident
		}
	}
	return ev, nil
}

// severity maps an alarm state to PagerDuty's severities.
func severity(state string) string {
	switch state {
	case "ALARM":
		return "critical"
	case "INSUFFICIENT_DATA":
		return "warning"
	}
	return "info"
}

// excerpt is what PagerDuty said about a failed event — its message and errors, or the raw
// answer when that is not PagerDuty's JSON — with the routing key scrubbed, in at most
// maxExcerpt bytes.
func (p *PagerDuty) excerpt(raw []byte) string {
	var a answer
	s := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &a) == nil && (a.Message != "" || len(a.Errors) > 0) {
		s = a.Message
		if len(a.Errors) > 0 {
			if s != "" {
				s += ": "
			}
			s += strings.Join(a.Errors, "; ")
		}
	}
	if key := p.key.Reveal(); key != "" {
		s = strings.ReplaceAll(s, key, "<secret>")
	}
	s = strings.Join(strings.Fields(s), " ")
	return truncateBytes(s, maxExcerpt)
}

// truncate cuts s to at most n characters, ending with "…" when it was cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// truncateBytes cuts s to at most n bytes on a character boundary, ending with "…" when it
// was cut.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
