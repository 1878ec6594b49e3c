// Package putmetric decodes and validates the bodies of POST /api/v1/metrics (spec A1):
// one JSON object {"environment", "namespace", "metric_data": [...]} or its
// newline-delimited variant. It is pure: no I/O, no logging, no package state.
//
// It is on the ingest hot path, so it is a hand-written single-pass scanner rather than
// encoding/json: a reused Request keeps its buffers and a small cache of the strings it has
// seen, so decoding allocates nothing per datum in steady state. Strictness is not traded for
// speed: unknown and duplicate keys, wrong types, NaN and Infinity, and every rule of
// metric.Datum.Validate are errors naming the offending field.
//
// It must not know about storage, authorisation or environments beyond the syntax of their
// names: the caller resolves and authorises the environment and stores the datums.
package putmetric
