// Package jsonlex is the lexical layer of tocsin's hand-written one-pass JSON decoders (event
// batches, metric bodies): whitespace, the commas, colons and brackets of objects and arrays,
// strings with their escapes, numbers, literals, and skipping a whole value, validating the
// grammar of RFC 8259 as it goes, without allocating.
//
// A decoder walks its document with a Lexer and keeps its own grammar: which fields it reads,
// what a wrong type means and what every error says. A syntax error panics with an Error
// (a code and an offset, no prose); the decoder recovers it at its entry point and words it.
// Where the decoders differ in what JSON they take, the difference is a field of Lexer
// (ReplaceInvalidUTF8, MaxDepth), not a copy of the code.
//
// It must not know about events, metrics or HTTP, and must not allocate per value in steady
// state: it is on the ingest hot paths.
package jsonlex
