// Package event is tocsin's event model and in-process bus: the EventBridge envelope
// (spec B1) and the publication of events to subscribers. Everything a person may want to
// be told about is an event first; alarm state changes are the first producer.
//
// It owns no delivery to the outside (rules and targets come with the events milestone).
package event

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Envelope is an event in the EventBridge envelope, plus the environment it belongs to.
type Envelope struct {
	Version     string          `json:"version"`
	ID          string          `json:"id"`
	DetailType  string          `json:"detail-type"`
	Source      string          `json:"source"`
	Account     string          `json:"account"`
	Time        time.Time       `json:"time"`
	Region      string          `json:"region"`
	Resources   []string        `json:"resources"`
	Detail      json.RawMessage `json:"detail"`
	Environment string          `json:"environment"`
}

// New returns an envelope with a fresh id, version "0" and the time truncated to seconds
// (EventBridge's precision).
func New(env, source, detailType string, at time.Time, resources []string, detail any) (Envelope, error) {
	d, err := json.Marshal(detail)
	if err != nil {
		return Envelope{}, fmt.Errorf("event: detail: %w", err)
	}
	if resources == nil {
		resources = []string{}
	}
	return Envelope{Version: "0", ID: NewID(), DetailType: detailType, Source: source, Account: "tocsin", Region: "local",
		Time: at.UTC().Truncate(time.Second), Resources: resources, Detail: d, Environment: env}, nil
}

// NewID returns a UUID version 7 in its usual text form: 48 bits of Unix milliseconds,
// then random bits. Time-ordered ids keep the event store's id index appending at its
// end instead of touching a random page per event (twice the ingest rate); the time they
// reveal is the event's anyway.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	ms := uint64(time.Now().UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// AppendJSON appends the envelope as JSON, as json.Marshal would write it but several
// times faster (events are encoded once per event on the ingest path). Detail must be
// valid JSON, as New and DecodeBatch make it; it is copied as it is (Marshal would
// compact it).
func (e *Envelope) AppendJSON(b []byte) []byte {
	b = append(b, `{"version":`...)
	b = appendString(b, e.Version)
	b = append(b, `,"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"detail-type":`...)
	b = appendString(b, e.DetailType)
	b = append(b, `,"source":`...)
	b = appendString(b, e.Source)
	b = append(b, `,"account":`...)
	b = appendString(b, e.Account)
	b = append(b, `,"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","region":`...)
	b = appendString(b, e.Region)
	b = append(b, `,"resources":[`...)
	for i, r := range e.Resources {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, r)
	}
	b = append(b, `],"detail":`...)
	if len(e.Detail) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Detail...)
	}
	b = append(b, `,"environment":`...)
	b = appendString(b, e.Environment)
	return append(b, '}')
}

// appendString appends s as a JSON string with encoding/json's escaping (HTML-safe
// characters and invalid UTF-8 included), so the output is byte-identical to Marshal's.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
