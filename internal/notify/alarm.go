package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// alarmEvent is the part of a tocsin.alarm state-change event the notifier reads.
type alarmEvent struct {
	ID     string    `json:"id"`
	Time   time.Time `json:"time"`
	Detail struct {
		AlarmName     string            `json:"alarmName"`
		Alarm         string            `json:"alarm"`
		Instance      string            `json:"instance"`
		Environment   string            `json:"environment"`
		Dimensions    map[string]string `json:"dimensions"`
		Actions       []string          `json:"actions"`
		State         alarmState        `json:"state"`
		PreviousState alarmState        `json:"previousState"`
		Configuration struct {
			Description string   `json:"description"`
			Comparison  string   `json:"comparisonOperator"`
			Threshold   *float64 `json:"threshold"`
			Metrics     []struct {
				MetricStat struct {
					Metric struct {
						Namespace string `json:"namespace"`
						Name      string `json:"name"`
					} `json:"metric"`
					Period int    `json:"period"`
					Stat   string `json:"stat"`
					Unit   string `json:"unit"`
				} `json:"metricStat"`
			} `json:"metrics"`
		} `json:"configuration"`
	} `json:"detail"`
}

type alarmState struct {
	Value      string `json:"value"`
	Reason     string `json:"reason"`
	ReasonData string `json:"reasonData"`
	Timestamp  string `json:"timestamp"`
}

type reasonData struct {
	Recent    []float64 `json:"recentDatapoints"`
	Evaluated []struct {
		SampleCount *float64 `json:"sampleCount"`
		Minimum     *float64 `json:"minimum"`
		Average     *float64 `json:"average"`
		Maximum     *float64 `json:"maximum"`
	} `json:"evaluatedDatapoints"`
}

// AlarmChange is an alarm state change as the notifier sees it.
type AlarmChange struct {
	EventID string
	Env     string
	Actions []string // topics and escalation policies to notify
	Item    AlarmItem
	Subject Subject
	Period  time.Duration
	// Namespace and MetricName are the metric's (Item.Metric joins them for people).
	Namespace, MetricName string
}

// ParseAlarmChange reads a tocsin.alarm "Alarm State Change" event.
func ParseAlarmChange(event []byte) (*AlarmChange, error) {
	var ev alarmEvent
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, fmt.Errorf("alarm state-change event: %w", err)
	}
	d := &ev.Detail
	if d.AlarmName == "" || d.State.Value == "" {
		return nil, fmt.Errorf("alarm state-change event %s lacks alarmName or state", ev.ID)
	}
	alarm := d.Alarm
	if alarm == "" {
		alarm = d.AlarmName
	}
	it := AlarmItem{Name: d.AlarmName, Alarm: alarm, Instance: d.Instance, Dimensions: d.Dimensions, State: d.State.Value,
		PreviousState: d.PreviousState.Value, Since: ev.Time.UTC(), Reason: d.State.Reason,
		Comparison: d.Configuration.Comparison, Threshold: d.Configuration.Threshold, Description: d.Configuration.Description}
	if ts, err := time.Parse("2006-01-02T15:04:05.000-0700", d.State.Timestamp); err == nil {
		it.Since = ts.UTC()
	}
	ch := &AlarmChange{EventID: ev.ID, Env: d.Environment, Actions: d.Actions}
	if ms := d.Configuration.Metrics; len(ms) > 0 {
		st := ms[0].MetricStat
		it.Metric, it.Statistic, it.Unit = st.Metric.Namespace+"/"+st.Metric.Name, st.Stat, st.Unit
		ch.Period = time.Duration(st.Period) * time.Second
		ch.Namespace, ch.MetricName = st.Metric.Namespace, st.Metric.Name
	}
	evaluatedStats(&it, d.State.ReasonData)
	ch.Item = it
	ch.Subject = Subject{Alarm: alarm, Name: d.AlarmName, Dimensions: d.Dimensions, Event: event}
	return ch, nil
}

// evaluatedStats fills the min/avg/max over the evaluated periods from the reason data.
func evaluatedStats(it *AlarmItem, raw string) {
	var rd reasonData
	if raw == "" || json.Unmarshal([]byte(raw), &rd) != nil {
		return
	}
	it.Values = rd.Recent
	var sum, n float64
	for _, dp := range rd.Evaluated {
		if dp.SampleCount == nil || *dp.SampleCount == 0 {
			continue
		}
		c := *dp.SampleCount
		it.Samples += c
		if dp.Minimum != nil && (it.Min == nil || *dp.Minimum < *it.Min) {
			it.Min = ptr(*dp.Minimum)
		}
		if dp.Maximum != nil && (it.Max == nil || *dp.Maximum > *it.Max) {
			it.Max = ptr(*dp.Maximum)
		}
		if dp.Average != nil {
			sum += *dp.Average * c
			n += c
		}
	}
	if n > 0 {
		it.Avg = ptr(sum / n)
	}
}

func ptr(v float64) *float64 { return &v }

// AlarmMessage is the message about one alarm instance's change.
func AlarmMessage(ch *AlarmChange, publicURL string) *Message {
	it := ch.Item
	it.URL = AlarmURL(publicURL, ch.Env, it.Alarm, it.Name)
	m := &Message{Kind: KindAlarm, Environment: ch.Env, Time: it.Since, State: it.State, Alarms: []AlarmItem{it},
		DedupKey: DedupKey(ch.Env, it.Name), Action: ActionTrigger, Links: Links{Alarm: it.URL}}
	if it.State == "OK" {
		m.Action = ActionResolve
	}
	Describe(m)
	return m
}

// Describe writes a message's Title and Text from its alarms: one instance in words with
// its numbers, or a group counted by state.
func Describe(m *Message) {
	switch len(m.Alarms) {
	case 0:
		return
	case 1:
		a := &m.Alarms[0]
		m.Title = fmt.Sprintf("%s: %s in %s", a.State, a.Name, m.Environment)
		var b strings.Builder
		fmt.Fprintf(&b, "%s is %s", a.Name, a.State)
		if a.PreviousState != "" {
			fmt.Fprintf(&b, " (was %s)", a.PreviousState)
		}
		fmt.Fprintf(&b, " in %s since %s.", m.Environment, a.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
		if a.Description != "" {
			b.WriteString("\n" + a.Description)
		}
		if a.Reason != "" {
			b.WriteString("\n" + a.Reason)
		}
		if v := Values(a); v != "" {
			b.WriteString("\n" + v)
		}
		m.Text = b.String()
	default:
		counts := map[string]int{}
		var order []string
		for _, a := range m.Alarms {
			if counts[a.State] == 0 {
				order = append(order, a.State)
			}
			counts[a.State]++
		}
		var parts []string
		for _, s := range order {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
		m.State = worstState(m.Alarms)
		m.Title = fmt.Sprintf("%s: %d instances of %s in %s", m.State, len(m.Alarms), m.Alarms[0].Alarm, m.Environment)
		m.Text = fmt.Sprintf("%d alarm instances changed state in %s: %s.", len(m.Alarms), m.Environment, strings.Join(parts, ", "))
	}
}

// worstState is ALARM if any instance is in ALARM, else INSUFFICIENT_DATA if any, else OK.
func worstState(items []AlarmItem) string {
	best := "OK"
	for _, a := range items {
		switch a.State {
		case "ALARM":
			return "ALARM"
		case "INSUFFICIENT_DATA":
			best = "INSUFFICIENT_DATA"
		}
	}
	return best
}

// DedupKey is stable per alarm instance: PagerDuty's dedup_key, so trigger and resolve
// meet.
func DedupKey(env, name string) string { return "tocsin/" + env + "/" + name }

// AlarmURL is the alarm's page in the web UI ("" without a public URL).
func AlarmURL(publicURL, env, alarm, instance string) string {
	if publicURL == "" {
		return ""
	}
	u := strings.TrimRight(publicURL, "/") + "/ui/environments/" + url.PathEscape(env) + "/alarms/" + url.PathEscape(alarm)
	if instance != "" && instance != alarm {
		u += "?instance=" + url.QueryEscape(instance)
	}
	return u
}
