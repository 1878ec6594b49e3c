// Package composite is composite-alarm evaluation and the actions-suppressor
// state machine of spec A5 — pure; time is passed in.
//
// State evaluates a parsed rule (package rule) against child states supplied
// by a resolver, with alarm templates: ALARM(disk) is true when any instance
// of the template disk is in ALARM, ALARM(disk[*]) when every instance is.
// It also names the children whose states decided the result.
//
// Actions decides when a composite takes the actions for its state, given
// its changes, its suppressor's changes and the current time. It keeps its
// timers explicit (NextDeadline) and is JSON-serialisable for persistence.
//
// The package owns no clock, no goroutine and no I/O: it must not look up
// alarms, send notifications or read the time itself.
package composite
