package slack

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
	// A URL whose path is the credential, as Slack's and Discord's are.
	secretPath = "/services/T000/SECRETPATH"
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
		{name: "template", msg: alarmMessage(), template: "{{.Title}} <{{.Environment}}> & {{len .Alarms}} alarm(s); acknowledge at {{.Links.Acknowledge}}"},
	}
}
