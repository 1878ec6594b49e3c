// Package statsd is StatsD and DogStatsD ingest: parse, aggregate per flush interval, emit
// datums; never fatal on bad input.
//
// It owns the wire format (parse.go), the per-interval aggregation into metric.Datum values
// (aggregate.go) and the UDP and TCP listeners with their flush loop (server.go). Per flush,
// each series (name, type, sorted tags) that received data gives: counters their sum (Count),
// gauges their current value (None), sets their number of distinct members (Count), timers
// their values with counts (Milliseconds; histograms and distributions: None), at most 150
// values a datum. Tags `k:v` become dimensions; a tag without a value becomes k=true; names
// beyond 30 are dropped and counted. A malformed line is counted (Options.OnLine), logged at
// most once per 10 s and dropped; it never stops a listener. The package publishes nothing
// itself: datums go to Options.Sink, which owns storage and retries.
package statsd
