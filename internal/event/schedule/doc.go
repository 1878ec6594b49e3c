// Package schedule parses EventBridge schedule expressions (spec B3) and computes their
// firing times: `rate(value unit)` and the six-field `cron(Minutes Hours Day-of-month Month
// Day-of-week Year)` with the L, W and # extensions.
//
// It is pure: no clock, no timers, no I/O. Callers pass the time to compute from; all firing
// times are whole minutes in UTC. Running a schedule (timers, catch-up after downtime,
// spreading load) belongs to the caller.
package schedule
