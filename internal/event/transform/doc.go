// Package transform shapes the message a rule target receives from an event (spec B3):
// EventBridge's Input, InputPath and InputTransformer (InputPathsMap + InputTemplate), plus a
// Go text/template alternative, and JSONPath lookups on raw event JSON.
//
// It is pure: events are raw JSON bytes, time and rule identity are passed in a Context, and
// nothing is read or sent. A compiled Transformer is immutable and safe for concurrent use.
// Delivering the message, retrying and dead-lettering belong to the caller.
package transform
