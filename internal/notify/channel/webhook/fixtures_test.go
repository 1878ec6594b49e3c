package webhook

import "github.com/tocsin/tocsin/internal/notify/notifytest"

var (
	num          = notifytest.Num
	diskItem     = notifytest.DiskItem
	alarmMessage = notifytest.Alarm
	okMessage    = notifytest.OK
	groupMessage = notifytest.Group
	eventMessage = notifytest.Event
	mustTemplate = notifytest.Template
)

var (
	t0 = notifytest.T0
	// A URL whose path carries a token, as many webhook URLs do.
	secretPath = "/hooks/tocsin/SECRETPATH"
)

// fixtures are notifytest's, with a template that makes a receiver's own JSON shape.
func fixtures() []notifytest.Fixture {
	fs := notifytest.Fixtures()
	for i := range fs {
		if fs[i].Template != "" {
			fs[i].Template = jsonTemplate
		}
	}
	return fs
}

// jsonTemplate is a subscription template producing a receiver's own JSON shape.
const jsonTemplate = `{"summary": {{printf "%q" .Title}}, "id": "{{.ID}}", "severity": "{{if eq .State "ALARM"}}critical{{else}}info{{end}}", "alarms": {{len .Alarms}}, "ack": "{{.Links.Acknowledge}}"}`
