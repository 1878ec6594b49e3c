package store

import (
	"context"
	"errors"
	"time"
)

// ErrDuplicate is returned when a record would repeat the key of a stored one (an event id
// already kept in its environment, or twice in one batch).
var ErrDuplicate = errors.New("duplicate")

// EventRecord is one event kept in the event store.
type EventRecord struct {
	Seq         int64  // assigned by the store, increasing
	ID          string // the event's id (UUID)
	Environment string
	Source      string
	DetailType  string
	Time        time.Time // the event's time (UTC)
	Ingested    time.Time // when tocsin accepted it (UTC)
	Body        []byte    // the full envelope as compact JSON
	Rules       []string  // names of the rules it matched; nil when none
}

// EventQuery selects events of one environment, newest first.
type EventQuery struct {
	Environment string    // required
	From, To    time.Time // on the event's Time; zero = unbounded; From inclusive, To exclusive
	Source      string    // optional exact filter
	// Optional cursor: only events after (BeforeTime, BeforeSeq) in the list's order (time
	// desc, seq desc). With a zero BeforeTime, only Seq < BeforeSeq (0 = none).
	BeforeSeq  int64
	BeforeTime time.Time
	Limit      int // ≤ 0 means 100
}

// Annotation marks a moment on metric graphs, made by a rule from an event or through the API.
type Annotation struct {
	ID          int64 // assigned by the store
	Environment string
	Time        time.Time
	Text        string
	Tags        map[string]string // nil when none
	Dimensions  map[string]string // metric dimensions it concerns; empty = global
	EventID     string            // the event it came from ("" when made through the API)
	Rule        string
}

// AnnotationQuery selects annotations of one environment, oldest first.
type AnnotationQuery struct {
	Environment string
	From, To    time.Time // on Time; zero = unbounded; From inclusive, To exclusive
	// Dimensions filters by the dimensions of a graph: an annotation matches when every one
	// of ITS dimensions is in this map with the same value, so global annotations always
	// match. A nil map applies no dimension filter at all.
	Dimensions map[string]string
	Limit      int // ≤ 0 means 1000
}

// Delivery is one pending or finished delivery of an event to a rule target (webhook):
// the durable outbox.
type Delivery struct {
	ID          int64 // assigned by the store; kept by the dead letter it may become
	Environment string
	Rule        string
	Target      string // target id within the rule, e.g. "0" or a name
	Kind        string // "webhook", "topic", "escalation_policy"
	EventID     string
	Payload     []byte // the shaped message
	Destination []byte // JSON of what the sender needs (url, method, headers); may hold secrets, never logged
	Attempts    int
	FirstAt     time.Time // when it was enqueued
	NextAt      time.Time // when the next attempt is due
	LastError   string
	// Policy
	MaxAttempts int
	MaxAge      time.Duration
}

// DeadLetter is a delivery that failed for good (spec B3 DLQ attributes). Its ID is the
// ID the delivery had.
type DeadLetter struct {
	Delivery                  // as it was at the last attempt
	ErrorCode          string // e.g. "HTTP_500", "TIMEOUT", "NO_RESOURCE", "CONNECTION"
	ErrorMessage       string
	ExhaustedCondition string // "MaximumRetryAttempts", "MaximumEventAgeInSeconds" or "" for non-retryable
	DeadAt             time.Time
}

// Events keeps events, the annotations rules made from them, and the outbox of their
// deliveries with its dead letters.
type Events interface {
	// AppendEvents stores events, annotations and deliveries in ONE transaction (all or
	// nothing); once committed it fills Seq and the annotation and delivery IDs in place,
	// and on error it stores and changes nothing. An event id already stored in its
	// environment, or repeated in the batch, fails the whole call with an error wrapping
	// ErrDuplicate. Every record needs an Environment; events need an ID.
	AppendEvents(ctx context.Context, events []EventRecord, annotations []Annotation, deliveries []Delivery) error
	// ListEvents returns events newest first: by Time desc, then Seq desc.
	ListEvents(ctx context.Context, q EventQuery) ([]EventRecord, error)
	// GetEvent returns one event, or ErrNotFound.
	GetEvent(ctx context.Context, env, id string) (EventRecord, error)
	// PruneEvents deletes the events (by Time) and annotations older than before, in every
	// environment, and returns how many events it deleted.
	PruneEvents(ctx context.Context, before time.Time) (int64, error)
	// ListAnnotations returns annotations oldest first (by Time, then ID).
	ListAnnotations(ctx context.Context, q AnnotationQuery) ([]Annotation, error)

	// DueDeliveries returns up to limit (≤ 0 means 100) deliveries with NextAt ≤ now,
	// oldest NextAt first.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// NextDeliveryAt returns the earliest NextAt among pending deliveries, and false when
	// none is pending.
	NextDeliveryAt(ctx context.Context) (time.Time, bool, error)
	// PendingDeliveries counts the pending deliveries of every environment.
	PendingDeliveries(ctx context.Context) (int, error)
	// FinishDelivery removes a pending delivery after success; ErrNotFound if absent.
	FinishDelivery(ctx context.Context, id int64) error
	// RetryDelivery records a failed attempt of the pending delivery d.ID: it sets Attempts,
	// NextAt and LastError from d. ErrNotFound if absent.
	RetryDelivery(ctx context.Context, d Delivery) error
	// KillDelivery moves the pending delivery dl.ID (of dl.Environment) to the dead letters
	// in one transaction. Attempts, NextAt and LastError come from dl (the last attempt);
	// the other Delivery fields are those stored. ErrNotFound if absent.
	KillDelivery(ctx context.Context, dl DeadLetter) error
	// ListDeadLetters returns up to limit (≤ 0 means 100) dead letters of env, newest
	// (DeadAt) first.
	ListDeadLetters(ctx context.Context, env string, limit int) ([]DeadLetter, error)
	// ReplayDeadLetter moves a dead letter back to the pending deliveries with Attempts 0,
	// FirstAt = NextAt = now and no LastError, and returns the new pending Delivery (with a
	// new ID). ErrNotFound if absent or of another environment.
	ReplayDeadLetter(ctx context.Context, env string, id int64, now time.Time) (Delivery, error)
	// DeleteDeadLetter forgets a dead letter. ErrNotFound if absent or of another environment.
	DeleteDeadLetter(ctx context.Context, env string, id int64) error
}
