package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of one entry of an ingest request (EventBridge's PutEvents limits where it has
// them).
const (
	MaxEntryBytes      = 256 << 10
	MaxDetailTypeChars = 128
	MaxSourceChars     = 256
	MaxResources       = 100
)

// Entry is one event as a client sends it: the envelope's fields that a producer sets.
// tocsin assigns the id (an id sent is ignored), and the time defaults to now.
type Entry struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	Time       string          `json:"time"`
	Resources  []string        `json:"resources"`
	Account    string          `json:"account"`
	Region     string          `json:"region"`
	// Accepted so that whole EventBridge events can be posted as they are.
	Version string `json:"version"`
	ID      string `json:"id"`
}

// EntryError is an invalid entry: the field at fault and why (PutEvents' ErrorCode and
// ErrorMessage).
type EntryError struct {
	Field, Code, Message string
}

func (e *EntryError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) *EntryError {
	return &EntryError{Field: field, Code: "InvalidArgument", Message: fmt.Sprintf(format, args...)}
}

func tooLarge(n int) *EntryError {
	return &EntryError{Code: "EntryTooLarge", Message: fmt.Sprintf("an entry may be at most %d bytes, this one is %d", MaxEntryBytes, n)}
}

// Envelope validates a decoded entry and returns its envelope in env.
func (e *Entry) Envelope(env, reserved string, now time.Time) (Envelope, *EntryError) {
	if n := len(e.Detail) + len(e.Source) + len(e.DetailType); n > MaxEntryBytes {
		return Envelope{}, tooLarge(n)
	}
	switch {
	case e.Source == "":
		return Envelope{}, invalid("source", "source is required")
	case len(e.Source) > MaxSourceChars:
		return Envelope{}, invalid("source", "source may be at most %d characters", MaxSourceChars)
	case e.Source == reserved || strings.HasPrefix(e.Source, reserved+"."):
		return Envelope{}, &EntryError{Field: "source", Code: "ReservedSource", Message: fmt.Sprintf("the source %q is reserved for tocsin's own events", e.Source)}
	case e.DetailType == "":
		return Envelope{}, invalid("detail-type", "detail-type is required")
	case utf8.RuneCountInString(e.DetailType) > MaxDetailTypeChars:
		return Envelope{}, invalid("detail-type", "detail-type may be at most %d characters", MaxDetailTypeChars)
	case len(e.Resources) > MaxResources:
		return Envelope{}, invalid("resources", "at most %d resources per event", MaxResources)
	}
	detail, err := detailObject(e.Detail)
	if err != nil {
		return Envelope{}, err
	}
	at := now
	if e.Time != "" {
		t, perr := time.Parse(time.RFC3339Nano, e.Time)
		if perr != nil {
			return Envelope{}, invalid("time", "time must be an RFC 3339 time such as 2026-01-02T15:04:05Z, got %q", e.Time)
		}
		at = t
	}
	ev := Envelope{Version: "0", ID: NewID(), DetailType: e.DetailType, Source: e.Source, Account: e.Account, Region: e.Region,
		Time: at.UTC().Truncate(time.Second), Resources: e.Resources, Detail: detail, Environment: env}
	if ev.Account == "" {
		ev.Account = "tocsin"
	}
	if ev.Region == "" {
		ev.Region = "local"
	}
	if ev.Resources == nil {
		ev.Resources = []string{}
	}
	return ev, nil
}

// detailObject accepts the detail as a JSON object, or as a string holding one
// (PutEvents' Detail is a string); an absent detail is {}. raw comes from the JSON
// decoder, so it is valid JSON; it is kept as sent (whitespace included).
func detailObject(raw json.RawMessage) (json.RawMessage, *EntryError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}"), nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid("detail", "detail is not a valid JSON string")
		}
		raw = bytes.TrimSpace([]byte(s))
		if !json.Valid(raw) {
			return nil, invalid("detail", "detail is a string that does not hold valid JSON")
		}
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, invalid("detail", "detail must be a JSON object")
	}
	return raw, nil
}
