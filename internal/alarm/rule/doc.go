// Package rule is the composite-alarm rule language of spec A5: parse and
// evaluate — pure.
//
// Parse turns an AlarmRule such as
//
//	(ALARM(web-5xx) OR ALARM("db latency")) AND NOT OK(canary)
//
// into an Expr tree, enforcing the grammar and the A5 limits (10 240
// characters, 100 distinct child alarms, 500 elements). An Expr lists the
// child alarms it reads (Refs), evaluates against a snapshot of child states
// supplied by the caller (Eval), and renders itself canonically (String).
//
// The package knows nothing about where child states come from: it must not
// do I/O, keep state between calls, or resolve ARNs to alarm names.
package rule
