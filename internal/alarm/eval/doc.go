// Package eval is the CloudWatch alarm decision of spec A3–A4 — pure:
// (alarm, slots, previous state, now) → new state, reason and reason data.
//
// SlotStarts says which periods an evaluation at a given instant looks at
// (A4.1); the caller fills one metric.Bucket per slot and calls Evaluate,
// which applies the A4.3 reference algorithm, the A3 breach predicates and
// the low-sample-count rule, and renders StateReason (A4.5) and
// StateReasonData. It must not do I/O, read a clock, log or keep state
// between calls: time and data arrive as arguments, and the same arguments
// always give the same Result. It knows nothing about actions, history
// storage or notifications; deciding what to do with a Result is the
// caller's job (A4.4).
//
// # Reason text
//
// Threshold Crossed reasons follow the A4.5 template. A decision for ALARM
// lists the breaching datapoints and names the "OK -> ALARM" transition with
// minimum M; a decision for OK lists the datapoints that were not breaching
// and names "ALARM -> OK" with minimum N−M+1 (the fewest non-breaching
// datapoints that bring an M-of-N alarm back to OK). The labels depend on
// the decision only, not on the previous state, so an alarm that stays in a
// state, or leaves INSUFFICIENT_DATA, reads like CloudWatch's own reasons.
// Values and the threshold are printed like Java's Double.toString (50.0,
// 1.0E7); datapoints are listed newest first with dd/MM/yy HH:mm:ss UTC
// timestamps; a reason longer than 1023 characters drops the oldest listed
// datapoints and ends the list with "...".
//
// When filled missing data decides (TreatMissingData breaching or
// notBreaching), tocsin uses CloudWatch's wording: with no datapoint at all
//
//	Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].
//
// and otherwise the template above with the filled slots appended before
// the minimum clause:
//
//	Threshold Crossed: 1 out of the last 3 datapoints [5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) and 2 missing datapoints were treated as [Breaching] (minimum 3 datapoints for OK -> ALARM transition).
//
// An ALARM reached under TreatMissingData missing through the "premature
// alarm" rule (A4.3, e.g. "- - X - -" with M=3) says how many newer slots
// were missing instead: "... was greater than the threshold (1.0) and 2 more
// recent datapoints were missing (minimum 3 datapoints ...)". An OK that no
// non-breaching datapoint explains (e.g. "- - - - X" with M=3) reports the
// breaching datapoints against the OK -> ALARM minimum they did not reach.
//
// # Reason data
//
// ReasonData marshals to the A4.5 StateReasonData JSON. As a tocsin
// extension every evaluated datapoint with a value also carries "minimum",
// "average" and "maximum" (next to CloudWatch's "sampleCount" and "value")
// so that, for example, a flapping Average can be told apart from one
// outlier. Clients that follow CloudWatch's schema ignore the extra keys.
package eval
