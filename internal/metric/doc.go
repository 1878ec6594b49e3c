// Package metric is the metric model: identity, units, validation and
// statistics — pure, no I/O.
//
// It owns the rules of spec A1–A3 that can be checked on a single value
// without any state: namespace, metric-name and dimension validation
// (ValidateNamespace and friends), the closed list of units (ParseUnit),
// the statistic grammar (ParseStatistic) and the low-sample-count rule for
// percentile alarms (LowSampleThreshold), the datum model (Datum, SeriesKey), and the
// mergeable statistic Bucket every datapoint updates: exact percentile-family statistics
// while it holds at most 1,000 distinct values, a relative-error sketch beyond.
//
// It must not read files, talk to the network, log, or keep mutable package
// state: the stack validator and the alarm engine both call it, and both
// rely on every function being deterministic and safe for concurrent use.
package metric
