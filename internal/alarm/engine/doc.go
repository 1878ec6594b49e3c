// Package engine runs alarms: it turns each environment's alarm definitions into
// instances (one per matching series for templates), evaluates them when their minute
// (or 10 seconds) closes plus the evaluation delay, persists states and history, and
// reports every state change.
//
// The decision itself is eval.Evaluate (pure); this package owns scheduling, instances,
// persistence and the clock. It reads metrics only through metricstore.
package engine
