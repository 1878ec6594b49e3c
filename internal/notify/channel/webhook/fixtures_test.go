package webhook

import (
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/notifytest"
)

var (
	num          = notifytest.Num
	diskItem     = notifytest.DiskItem
	alarmMessage = notifytest.Alarm
	okMessage    = notifytest.OK
	groupMessage = notifytest.Group
	eventMessage = notifytest.Event
	mustTemplate = notifytest.Template
)

// The fixtures are the same in every channel package, so their goldens compare.

var (
	t0 = notifytest.T0
	// A URL whose path carries a token, as many webhook URLs do.
	secretPath = "/hooks/tocsin/SECRETPATH"
)

type fixture struct {
	name     string
	msg      *notify.Message
	template string // the subscription's template, "" for none
}

func fixtures() []fixture {
	return []fixture{
		{name: "alarm", msg: alarmMessage()},
		{name: "ok", msg: okMessage()},
		{name: "group", msg: groupMessage(40)},
		{name: "event", msg: eventMessage()},
		{name: "template", msg: alarmMessage(), template: jsonTemplate},
	}
}

// jsonTemplate is a subscription template producing a receiver's own JSON shape.
const jsonTemplate = `{"summary": {{printf "%q" .Title}}, "id": "{{.ID}}", "severity": "{{if eq .State "ALARM"}}critical{{else}}info{{end}}", "alarms": {{len .Alarms}}, "ack": "{{.Links.Acknowledge}}"}`
