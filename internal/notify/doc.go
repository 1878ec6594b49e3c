// Package notify turns what people must hear about — alarm state changes, events routed to
// a topic, incidents walking an escalation policy — into messages sent through channels.
//
// The path of a notification: a topic or escalation-policy delivery from the event
// pipeline is fanned out to the topic's subscriptions (filter policies applied), checked
// against silences and maintenance windows (muted ones are recorded, not sent), held for
// grouping (group_wait / group_interval), and written to the durable outbox. Workers send
// outbox messages through channels (notify/channel/...), classify each failure once, retry
// with the SNS-style delivery policy and move what is exhausted to the dead letters.
//
// This package owns the message model, the Channel interface, the retry policy and the
// decisions (silences, grouping, flapping, escalation). It does no SQL (store does) and
// knows no channel's wire format (each channel package does).
package notify
