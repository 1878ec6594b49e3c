package discord

import "github.com/tocsin/tocsin/internal/notify/notifytest"

var (
	num          = notifytest.Num
	diskItem     = notifytest.DiskItem
	alarmMessage = notifytest.Alarm
	okMessage    = notifytest.OK
	groupMessage = notifytest.Group
	eventMessage = notifytest.Event
	mustTemplate = notifytest.Template
	fixtures     = notifytest.Fixtures
)

var (
	t0 = notifytest.T0
	// A URL whose path is the credential, as Discord's is.
	secretPath = "/api/webhooks/1234/SECRETPATH"
)
