// Package channel is the one place where notification channels are registered: each
// channel lives in its own package below this one and is listed in Factories. A channel
// missing here cannot be configured; there is no other list to keep in step.
package channel

import (
	"github.com/tocsin/tocsin/internal/notify"
	"github.com/tocsin/tocsin/internal/notify/channel/discord"
	"github.com/tocsin/tocsin/internal/notify/channel/email"
	"github.com/tocsin/tocsin/internal/notify/channel/pagerduty"
	"github.com/tocsin/tocsin/internal/notify/channel/slack"
	"github.com/tocsin/tocsin/internal/notify/channel/sms"
	"github.com/tocsin/tocsin/internal/notify/channel/webhook"
)

// Factories builds every channel kind a subscription may use (the stack's subscription
// keys).
func Factories() notify.Factories {
	return notify.Factories{
		"email":     email.New,
		"slack":     slack.New,
		"discord":   discord.New,
		"webhook":   webhook.New,
		"pagerduty": pagerduty.New,
		"sms":       sms.New,
	}
}
