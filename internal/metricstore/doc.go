// Package metricstore keeps metric series and their statistic buckets: it applies
// ingested datums to in-memory buckets at each series' base resolution, makes every
// acknowledged batch durable in a write-ahead log (group commit), checkpoints buckets to
// the store, rolls them up and expires them by age (spec A7), and answers statistics
// queries by merging buckets.
//
// Invariants: for slots newer than the hot window, memory is authoritative; older slots
// live in the store, and late data for them is held as a delta merged at the next
// checkpoint. A checkpoint persists exactly the effect of the WAL segments it covers,
// so recovery (store state + replay of later segments) counts every datum once.
package metricstore
