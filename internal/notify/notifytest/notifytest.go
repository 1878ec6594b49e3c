// Package notifytest holds the messages the channel packages' tests render: the same
// fixtures everywhere, so that every channel's golden files show the same situations.
package notifytest

import (
	"encoding/json"
	"fmt"
	"text/template"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

// T0 is the fixtures' time.
var T0 = time.Date(2026, 3, 14, 10, 4, 0, 0, time.UTC)

// Num makes a *float64.
func Num(v float64) *float64 { return &v }

// DiskItem is an instance of the disk-space template alarm.
func DiskItem(instance, state string, maxV float64) notify.AlarmItem {
	return notify.AlarmItem{
		Name: "disk-space[InstanceId=" + instance + "]", Alarm: "disk-space", Instance: "InstanceId=" + instance,
		Dimensions: map[string]string{"InstanceId": instance}, State: state, PreviousState: "OK",
		Since: T0, Reason: "Threshold crossed: 3 datapoints were greater than the threshold (90.0).",
		Metric: "CWAgent/disk_used_percent", Statistic: "Maximum", Comparison: "GreaterThanThreshold",
		Threshold: Num(90), Unit: "Percent", Min: Num(91.25), Avg: Num(94.5), Max: Num(maxV), Samples: 3,
		URL: "https://tocsin.example.com/alarms/disk-space?instance=" + instance,
	}
}

// Alarm is one instance entering ALARM, with numbers, links and two annotations.
func Alarm() *notify.Message {
	return &notify.Message{
		ID: "msg-0001", Kind: notify.KindAlarm, Environment: "production", Topic: "ops",
		Subscription: "chat", Time: T0,
		Title: "ALARM: disk-space[InstanceId=i-1] in production",
		Text:  "disk-space[InstanceId=i-1] went from OK to ALARM: Maximum of CWAgent/disk_used_percent was 97% over 3 periods of 1m (threshold > 90%, min 91.25%, avg 94.5%). Free space < 3% & falling.",
		State: "ALARM", Alarms: []notify.AlarmItem{DiskItem("i-1", "ALARM", 97)},
		Annotations: []notify.Annotation{
			{Time: T0.Add(-12 * time.Minute), Text: "deploy api v1.42 (by <ci>)"},
			{Time: T0.Add(-3 * time.Minute), Text: "log level raised to debug"},
		},
		Links: notify.Links{
			Alarm:       "https://tocsin.example.com/alarms/disk-space?instance=i-1",
			Acknowledge: "https://tocsin.example.com/ack/inc-7?sig=abc123&exp=1773485040",
		},
		DedupKey: "disk-space[InstanceId=i-1]", Action: notify.ActionTrigger,
	}
}

// OK is the same instance back to OK 25 minutes later.
func OK() *notify.Message {
	item := DiskItem("i-1", "OK", 62)
	item.PreviousState, item.Since = "ALARM", T0.Add(25*time.Minute)
	item.Min, item.Avg, item.Reason = Num(58), Num(60.5), "Threshold crossed: 3 datapoints were not greater than the threshold (90.0)."
	return &notify.Message{
		ID: "msg-0002", Kind: notify.KindAlarm, Environment: "production", Topic: "ops", Time: T0.Add(25 * time.Minute),
		Title: "OK: disk-space[InstanceId=i-1] in production",
		Text:  "disk-space[InstanceId=i-1] is back to OK after 25m: Maximum of CWAgent/disk_used_percent was 62% (threshold > 90%).",
		State: "OK", Alarms: []notify.AlarmItem{item},
		Links:    notify.Links{Alarm: "https://tocsin.example.com/alarms/disk-space?instance=i-1"},
		DedupKey: "disk-space[InstanceId=i-1]", Action: notify.ActionResolve,
	}
}

// Group is n instances entering ALARM together (a grouped message).
func Group(n int) *notify.Message {
	m := &notify.Message{
		ID: "msg-0003", Kind: notify.KindAlarm, Environment: "staging", Topic: "ops", Time: T0,
		Title: fmt.Sprintf("ALARM: disk-space, %d instances in staging", n),
		Text:  fmt.Sprintf("%d instances of disk-space went to ALARM within 30s.", n),
		State: "ALARM",
		Links: notify.Links{Alarm: "https://tocsin.example.com/alarms/disk-space"},
	}
	for i := range n {
		m.Alarms = append(m.Alarms, DiskItem(fmt.Sprintf("i-%03d", i+1), "ALARM", float64(91+i%9)))
	}
	return m
}

// Event is an event routed to a topic.
func Event() *notify.Message {
	return &notify.Message{
		ID: "msg-0004", Kind: notify.KindEvent, Environment: "production", Topic: "deploys", Time: T0,
		Title: "ECS service api scaled from 4 to 8 tasks",
		Text:  "Service api in cluster main: desired count changed from 4 to 8 (reason: target tracking `cpu_high`).",
		Event: json.RawMessage(`{"source":"aws.ecs","detail-type":"ECS Service Action","detail":{"cluster":"main","service":"api","desired":8}}`),
	}
}

// Template parses a subscription template (for the template fixture).
func Template(text string) *template.Template {
	return template.Must(template.New("subscription").Parse(text))
}

// Fixture is one message every HTTP channel renders for its goldens; Template is the
// subscription's template, "" for none.
type Fixture struct {
	Name     string
	Msg      *notify.Message
	Template string
}

// Fixtures are the same in every channel package, so that their goldens compare.
func Fixtures() []Fixture {
	return []Fixture{
		{Name: "alarm", Msg: Alarm()},
		{Name: "ok", Msg: OK()},
		{Name: "group", Msg: Group(40)},
		{Name: "event", Msg: Event()},
		{Name: "template", Msg: Alarm(), Template: "{{.Title}} <{{.Environment}}> & {{len .Alarms}} alarm(s); acknowledge at {{.Links.Acknowledge}}"},
	}
}
