package notify

import (
	"encoding/json"
	"time"
)

// Kinds of message.
const (
	KindAlarm    = "alarm"    // alarm instances changed state (one, or a group)
	KindEvent    = "event"    // an event routed to a topic by a rule
	KindIncident = "incident" // an incident was opened, escalated, acknowledged or resolved
	KindFlapping = "flapping" // an alarm changes state too often; further flaps are held back
	KindTest     = "test"     // `tocsin notify test`
)

// Incident actions (PagerDuty's event actions).
const (
	ActionTrigger     = "trigger"
	ActionAcknowledge = "acknowledge"
	ActionResolve     = "resolve"
)

// Message is one notification as a channel sends it. It is stored in the outbox as JSON
// and rendered by the channel at send time, so a retry sends the same content.
type Message struct {
	// ID is the idempotency key: the same on every attempt of this message, and sent by
	// every channel that has a place for it.
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	Environment  string    `json:"environment"`
	Topic        string    `json:"topic,omitempty"`
	Subscription string    `json:"subscription,omitempty"` // label used in logs and the delivery log
	Time         time.Time `json:"time"`                   // when the thing happened (UTC)

	// Title is one line saying what is wrong and where, e.g.
	// "ALARM: disk-space[InstanceId=i-1] in production". Text says it in words, with the
	// evaluated numbers. Both are written by the notifier; channels only lay them out.
	Title string `json:"title"`
	Text  string `json:"text"`
	// State drives colours: ALARM, OK, INSUFFICIENT_DATA, or "" (events, tests).
	State string `json:"state,omitempty"`

	Alarms      []AlarmItem     `json:"alarms,omitempty"`   // one, or a group of instances
	Event       json.RawMessage `json:"event,omitempty"`    // the (shaped) event of an event notification
	Incident    *IncidentRef    `json:"incident,omitempty"` // set for incident notifications
	Annotations []Annotation    `json:"annotations,omitempty"`
	Links       Links           `json:"links,omitzero"`
	Graph       *Graph          `json:"graph,omitempty"` // the metric around the breach (e-mail's PNG)

	// DedupKey is stable per alarm instance (or incident) across trigger, acknowledge and
	// resolve; Action is one of ActionTrigger, ActionAcknowledge, ActionResolve
	// (PagerDuty's Events API v2; other channels may ignore them).
	DedupKey string `json:"dedup_key,omitempty"`
	Action   string `json:"action,omitempty"`
}

// AlarmItem is one alarm instance in a message.
type AlarmItem struct {
	Name          string            `json:"name"`               // full instance name, e.g. disk[InstanceId=i-1]
	Alarm         string            `json:"alarm"`              // the alarm (template) name
	Instance      string            `json:"instance,omitempty"` // "" for a plain alarm
	Dimensions    map[string]string `json:"dimensions,omitempty"`
	State         string            `json:"state"`
	PreviousState string            `json:"previous_state,omitempty"`
	Since         time.Time         `json:"since"` // when it entered State
	Reason        string            `json:"reason,omitempty"`
	Metric        string            `json:"metric,omitempty"` // NAMESPACE/NAME
	Statistic     string            `json:"statistic,omitempty"`
	Comparison    string            `json:"comparison,omitempty"` // e.g. GreaterThanThreshold
	Threshold     *float64          `json:"threshold,omitempty"`
	Unit          string            `json:"unit,omitempty"`
	Description   string            `json:"description,omitempty"` // the alarm's description
	// Values are the statistic of each evaluated period, oldest first (what was compared
	// with the threshold).
	Values []float64 `json:"values,omitempty"`
	// The raw samples' minimum, average and maximum over the evaluated periods (nil when
	// none), whatever the statistic.
	Min     *float64 `json:"min,omitempty"`
	Avg     *float64 `json:"avg,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Samples float64  `json:"samples,omitempty"`
	URL     string   `json:"url,omitempty"` // the alarm in the web UI
}

// IncidentRef says which incident a message is about and how far it has escalated.
type IncidentRef struct {
	ID      int64     `json:"id"`
	Policy  string    `json:"policy"`
	State   string    `json:"state"` // open, acknowledged, resolved
	Step    int       `json:"step"`  // the step being notified (0-based)
	Cycle   int       `json:"cycle"` // 0 for the first pass through the steps
	Opened  time.Time `json:"opened"`
	By      string    `json:"by,omitempty"` // who acknowledged or resolved it
	Subject string    `json:"subject"`      // the alarm instance or event it is about
}

// Annotation is a marker near the breach (a deployment, say).
type Annotation struct {
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// Links point people at tocsin's web UI; empty when server.public_url is not set.
type Links struct {
	Alarm       string `json:"alarm,omitempty"`
	Incident    string `json:"incident,omitempty"`
	Acknowledge string `json:"acknowledge,omitempty"` // a signed, expiring link (escalations)
}

// Graph is a metric around the breach, drawn as a PNG for e-mail.
type Graph struct {
	Title     string    `json:"title"`
	Unit      string    `json:"unit,omitempty"`
	Threshold *float64  `json:"threshold,omitempty"`
	Points    []Point   `json:"points"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Mark      time.Time `json:"mark,omitzero"` // the state change, drawn as a vertical line
}

// Point is one value of a Graph.
type Point struct {
	T time.Time `json:"t"`
	V float64   `json:"v"`
}
