package pattern

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// eventPrefix starts the Msg of every error about an event rather than a pattern.
const eventPrefix = "invalid event: "

// Error is an invalid pattern (or invalid event JSON). Path is the JSON path of the
// offending element in the pattern, like `detail.state[1]` or `detail.$or[0].x` ("" for the
// root, and always "" for events); Offset is the byte offset in the source; Line and Col are
// 1-based, Col counting characters.
type Error struct {
	Path      string
	Offset    int
	Line, Col int
	Msg       string
}

// Error renders "invalid event pattern at line L, column C (PATH): MSG", leaving out
// " (PATH)" when Path is empty. An error about an event (Msg starting with "invalid event: ")
// renders as "invalid event at line L, column C: REST".
func (e *Error) Error() string {
	var b strings.Builder
	msg := e.Msg
	if rest, ok := strings.CutPrefix(msg, eventPrefix); ok {
		b.WriteString("invalid event")
		msg = rest
	} else {
		b.WriteString("invalid event pattern")
	}
	b.WriteString(" at line ")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(", column ")
	b.WriteString(strconv.Itoa(e.Col))
	if e.Path != "" {
		b.WriteString(" (")
		b.WriteString(e.Path)
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

// newError builds an *Error at byte offset off of src, computing the line and column.
func newError(src []byte, off int, path, msg string) *Error {
	off = min(max(off, 0), len(src))
	line, lineStart := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return &Error{Path: path, Offset: off, Line: line, Col: utf8.RuneCount(src[lineStart:off]) + 1, Msg: msg}
}

// quote renders s for an error message.
func quote(s string) string { return strconv.Quote(s) }
