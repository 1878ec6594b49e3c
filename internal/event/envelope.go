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

// NewID returns a random UUID (version 4) in its usual text form.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
