// Package alarmtest reads `tocsin test` files: unit tests for alarms (issue 4, item 8).
//
// Load decodes a file strictly (unknown keys, wrong types and every other problem are
// reported as FILE:LINE:COL: path: message), loads the alarms of its stack environment,
// adds the inline alarms and composite alarms, and checks that every alarm a test names
// exists. ParseValues expands promtool's series notation; Series.Datums and Test.Datums
// turn a test's series into the datums to publish.
//
// The package only reads: driving the alarm engine with a clock and comparing states is
// the runner's job, and it must not evaluate alarms or do I/O beyond reading the files.
package alarmtest
