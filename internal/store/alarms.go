package store

import (
	"context"
	"time"
)

// AlarmState is the persisted state of one alarm instance.
type AlarmState struct {
	Environment  string
	Alarm        string // the alarm's name
	Instance     string // "" for a plain alarm; "Dim=value,…" for a template instance
	State        string // OK, ALARM, INSUFFICIENT_DATA
	Reason       string
	ReasonData   []byte    // JSON
	UpdatedAt    time.Time // last evaluation that changed or confirmed the state
	TransitionAt time.Time // last change of State
	Extra        []byte    // engine-owned JSON (e.g. composite suppressor timers)
}

// HistoryItem is one alarm history record (spec A4.6).
type HistoryItem struct {
	ID          int64
	Environment string
	Alarm       string
	Instance    string
	At          time.Time
	Type        string // StateUpdate, ConfigurationUpdate, Action
	Summary     string
	Data        []byte // JSON
}

// HistoryQuery selects history items, newest first.
type HistoryQuery struct {
	Environment, Alarm string
	Instance           *string // nil: every instance
	Type               string  // "" for all
	From, To           time.Time
	Limit              int
}

// Alarms persists alarm states and history.
type Alarms interface {
	// LoadAlarmStates returns the states of an environment's alarm instances.
	LoadAlarmStates(ctx context.Context, env string) ([]AlarmState, error)
	// SaveAlarmStates upserts states and appends history items in one transaction.
	SaveAlarmStates(ctx context.Context, states []AlarmState, history []HistoryItem) error
	// DeleteAlarmStates forgets instances (the history stays).
	DeleteAlarmStates(ctx context.Context, env, alarm string, instances []string) error
	ListHistory(ctx context.Context, q HistoryQuery) ([]HistoryItem, error)
	// PruneHistory deletes history items older than before.
	PruneHistory(ctx context.Context, before time.Time) (int64, error)
}
