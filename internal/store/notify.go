package store

import (
	"context"
	"time"
)

// Outbox message states.
const (
	OutboxPending = "pending" // waiting for its next attempt
	OutboxMuted   = "muted"   // held back by a silence or maintenance window, not sent
	OutboxSent    = "sent"
	OutboxDead    = "dead"    // failed for good: a dead letter, can be replayed
	OutboxDropped = "dropped" // was muted, and no longer mattered when the silence ended
)

// OutboxMessage is one notification to send through one subscription: the durable outbox.
// Rows stay after they finish (sent, dead, dropped) as the delivery log, until pruned.
//
// For every record of this file: times come back in UTC, and a zero time stays zero;
// []byte fields (Message, Item, Matchers, Data) come back byte for byte, an empty one
// (nil or not) as nil; an empty Notified comes back nil. Environment is required.
type OutboxMessage struct {
	ID           int64  // assigned by the store
	Key          string // idempotency key (unique across environments): the same on every attempt
	Environment  string
	Topic        string
	Subscription string // stable label of the subscription within its topic
	Channel      string // email, slack, discord, webhook, pagerduty, sms
	// Subject is what the message is about: an alarm instance name, an event id, or
	// "incident/ID". Muted messages are released or dropped by it.
	Subject    string
	IncidentID int64  // 0 when not about an incident
	Message    []byte // notify.Message as JSON
	State      string // one of the Outbox* states (stores refuse any other)
	MutedBy    string // "silence/ID" or "maintenance/NAME" when muted
	CreatedAt  time.Time
	NextAt     time.Time // pending: when the next attempt is due
	Attempts   int
	LastError  string    // "CODE: message" of the last failed attempt
	ErrorCode  string    // CODE of the last failed attempt
	FinishedAt time.Time // when it was sent, died or was dropped; zero otherwise
}

// DeliveryAttempt is one try to send an outbox message: the delivery log.
type DeliveryAttempt struct {
	ID          int64 // assigned by the store
	OutboxID    int64
	Environment string
	Attempt     int // 1 for the first
	At          time.Time
	Duration    time.Duration
	Outcome     string // "sent", "retry", "dead"
	ErrorCode   string // "" when sent
	Error       string
}

// HeldNotice is one notification waiting for its group to be sent (group_wait and
// group_interval): all notices of one (Environment, Topic, Subscription, GroupKey) that
// are due go out as one message.
type HeldNotice struct {
	ID           int64 // assigned by the store
	Environment  string
	Topic        string
	Subscription string
	Channel      string
	GroupKey     string
	Subject      string
	DueAt        time.Time
	CreatedAt    time.Time
	Item         []byte // the notification (notify's JSON)
}

// OutboxQuery selects outbox messages of one environment, newest (ID) first.
type OutboxQuery struct {
	Environment string // required
	State       string // optional
	IncidentID  int64  // optional
	Subject     string // optional exact
	BeforeID    int64  // optional cursor: only ID < BeforeID
	Limit       int    // ≤ 0 means 100
}

// Notifications keeps the grouping stage, the outbox and the delivery log.
type Notifications interface {
	// Enqueue stores held notices and outbox messages in ONE transaction, filling their
	// IDs. The event deliveries fromDeliveries (topic, escalation-policy and alarm-action
	// targets, see Events) are removed in the same transaction, and if any of them no
	// longer exists nothing is stored and ErrNotFound is returned: a fan-out happens once
	// even when it is retried after a crash (an ID repeated in fromDeliveries counts as
	// gone). An outbox Key that already exists, or is repeated in msgs, fails the whole
	// call with an error wrapping ErrDuplicate. On error no ID is filled in.
	Enqueue(ctx context.Context, fromDeliveries []int64, notices []HeldNotice, msgs []OutboxMessage) error
	// DueNotices returns up to limit (≤ 0 means 1000) held notices with DueAt ≤ now,
	// ordered by (Environment, Topic, Subscription, GroupKey, ID).
	DueNotices(ctx context.Context, now time.Time, limit int) ([]HeldNotice, error)
	// NextNoticeAt returns the earliest DueAt of the held notices, false when none.
	NextNoticeAt(ctx context.Context) (time.Time, bool, error)
	// FlushGroup removes the held notices ids and stores msg (filling its ID) in one
	// transaction, and records msg.CreatedAt as the last send of the group (msg's
	// Environment, Topic and Subscription, and groupKey). If any of ids is gone (or
	// repeated), nothing changes and ErrNotFound is returned; ErrDuplicate as for Enqueue.
	FlushGroup(ctx context.Context, ids []int64, msg *OutboxMessage, groupKey string) error
	// GroupLastSent returns when a group last flushed, false when never (or pruned since).
	GroupLastSent(ctx context.Context, env, topic, subscription, groupKey string) (time.Time, bool, error)

	// DueOutbox returns up to limit (≤ 0 means 100) pending messages with NextAt ≤ now,
	// of every environment, oldest NextAt (then ID) first.
	DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxMessage, error)
	// NextOutboxAt returns the earliest NextAt of the pending messages, false when none.
	NextOutboxAt(ctx context.Context) (time.Time, bool, error)
	// RecordAttempts stores the outcomes of attempts in ONE transaction: each message's
	// State, Attempts, NextAt, LastError, ErrorCode and FinishedAt are set from ms[i]
	// (found by ID; MutedBy is left alone), and as[i] is appended to the log, with its ID,
	// OutboxID and Environment filled from the message. Entries apply in order (two
	// attempts on one message: the later wins). len(ms) must equal len(as). ErrNotFound
	// (and nothing stored) if a message is absent.
	RecordAttempts(ctx context.Context, ms []OutboxMessage, as []*DeliveryAttempt) error
	// ListOutbox returns messages newest (ID) first; an empty Environment is an error.
	ListOutbox(ctx context.Context, q OutboxQuery) ([]OutboxMessage, error)
	// GetOutbox returns one message of env, or ErrNotFound.
	GetOutbox(ctx context.Context, env string, id int64) (OutboxMessage, error)
	// ListAttempts returns the attempts of env, of one message only when outboxID ≠ 0
	// (none if that message is of another environment), newest (ID) first, up to limit
	// (≤ 0 means 100).
	ListAttempts(ctx context.Context, env string, outboxID int64, limit int) ([]DeliveryAttempt, error)
	// ReplayOutbox makes a dead message pending again: Attempts 0, NextAt = now, no error,
	// no FinishedAt (MutedBy and the attempts logged stay). ErrNotFound if absent, of
	// another environment or not dead.
	ReplayOutbox(ctx context.Context, env string, id int64, now time.Time) error
	// MutedOutbox returns up to limit (≤ 0 means 1000) muted messages of every
	// environment, oldest (ID) first.
	MutedOutbox(ctx context.Context, limit int) ([]OutboxMessage, error)
	// ReleaseMuted makes a muted message pending with NextAt = now (send) or dropped with
	// FinishedAt = now (send=false); MutedBy stays, saying why it was held. ErrNotFound if
	// absent or not muted.
	ReleaseMuted(ctx context.Context, id int64, now time.Time, send bool) error
	// OutboxDepth counts pending messages (not muted ones) and returns the oldest
	// CreatedAt among them, the zero time when none.
	OutboxDepth(ctx context.Context) (int, time.Time, error)
	// PruneNotifications deletes finished messages (sent, dead, dropped with FinishedAt <
	// before), their attempts, and group records last sent before it, in one transaction;
	// it returns how many messages it deleted. Pending and muted messages (and their
	// attempts) and held notices are never pruned.
	PruneNotifications(ctx context.Context, before time.Time) (int64, error)
}

// Incident states.
const (
	IncidentOpen         = "open"
	IncidentAcknowledged = "acknowledged"
	IncidentResolved     = "resolved"
)

// Incident is one alarm instance (or event) in trouble, from open to resolved.
type Incident struct {
	ID          int64 // assigned by the store
	Environment string
	// Key identifies what it is about: the alarm instance name, or "event:RULE" (one
	// incident per rule at a time; later matching events join its timeline). At
	// most one incident per (Environment, Key) is open or acknowledged at a time.
	Key        string
	Policy     string // escalation policy
	Source     string // "alarm" or "event"
	Title      string
	State      string // one of the Incident* states
	OpenedAt   time.Time
	AckedAt    time.Time // zero unless acknowledged
	AckedBy    string
	ResolvedAt time.Time // zero unless resolved
	ResolvedBy string
	Step       int       // the next step to notify (index into the policy's steps)
	Cycle      int       // how many times the steps were repeated so far
	NextAt     time.Time // when the next step is due; zero when none
	// AckDeadline re-opens an acknowledged incident when it passes (ack timeout); zero when none.
	AckDeadline   time.Time
	AutoResolveAt time.Time // event incidents: resolve then; zero when none
	Notified      []string  // topics notified so far (they hear about the resolution)
	Message       []byte    // notify.Message JSON describing what it is about
	UpdatedAt     time.Time
}

// TimelineEntry is one line of an incident's timeline.
type TimelineEntry struct {
	ID         int64 // assigned by the store
	IncidentID int64
	At         time.Time
	Kind       string // opened, state, notified, failed, acknowledged, reopened, resolved, annotation, muted
	Text       string
	Data       []byte // optional JSON
}

// IncidentQuery selects incidents of one environment, newest (ID) first.
type IncidentQuery struct {
	Environment string   // required
	States      []string // optional: any of
	BeforeID    int64    // optional cursor
	Limit       int      // ≤ 0 means 100
}

// Incidents keeps incidents and their timelines.
type Incidents interface {
	// OpenIncident stores inc (State open) with its first timeline entry unless an
	// incident with the same (Environment, Key) is open or acknowledged: then it returns
	// that incident and false, storing nothing. The entry is stored with the new
	// incident's ID (entry.IncidentID is ignored); the incident returned is as stored (ID
	// set, State open). Environment and Key are required.
	OpenIncident(ctx context.Context, inc Incident, entry TimelineEntry) (Incident, bool, error)
	// UpdateIncident replaces the incident inc.ID's mutable fields (State, Acked*,
	// Resolved*, Step, Cycle, NextAt, AckDeadline, AutoResolveAt, Notified, Message,
	// UpdatedAt) and appends the timeline entries and outbox messages, in ONE transaction;
	// its other fields are ignored. The entries go to inc's timeline (their IncidentID is
	// set to inc.ID); IDs are filled in once committed. ErrNotFound if inc.ID is absent or
	// not of inc.Environment; ErrDuplicate if it would make a second open or acknowledged
	// incident of its key, or an outbox Key exists. On error nothing is stored.
	UpdateIncident(ctx context.Context, inc Incident, entries []TimelineEntry, msgs []OutboxMessage) error
	// AppendTimeline adds entries to incidents' timelines in one transaction, filling their
	// IDs; ErrNotFound (and nothing stored) if an entry's incident is absent.
	AppendTimeline(ctx context.Context, entries []TimelineEntry) error
	// GetIncident returns one incident of env, or ErrNotFound.
	GetIncident(ctx context.Context, env string, id int64) (Incident, error)
	// ListIncidents returns incidents newest (ID) first; an empty Environment is an error.
	ListIncidents(ctx context.Context, q IncidentQuery) ([]Incident, error)
	// ActiveIncidents returns every open or acknowledged incident of every environment,
	// oldest (ID) first.
	ActiveIncidents(ctx context.Context) ([]Incident, error)
	// Timeline returns an incident's entries oldest first (by At, then ID); none for an
	// unknown incident.
	Timeline(ctx context.Context, incidentID int64) ([]TimelineEntry, error)
	// PruneIncidents deletes the resolved incidents with ResolvedAt < before, with their
	// timelines, in one transaction; it returns how many incidents it deleted. Open and
	// acknowledged incidents are never pruned, and neither is one that an outbox message
	// PruneNotifications(before) would keep (pending, muted, or finished at or after
	// before) is about: its sender still writes to the timeline, and the delivery log
	// still links to it. The outbox itself is left to PruneNotifications.
	PruneIncidents(ctx context.Context, before time.Time) (int64, error)
}

// Silence mutes notifications that match it between StartsAt and EndsAt.
type Silence struct {
	ID          int64 // assigned by the store
	Environment string
	Matchers    []byte // notify's matcher JSON
	StartsAt    time.Time
	EndsAt      time.Time
	CreatedBy   string
	Comment     string
	CreatedAt   time.Time
}

// Silences keeps ad hoc silences.
type Silences interface {
	// AddSilence stores s and returns its ID.
	AddSilence(ctx context.Context, s Silence) (int64, error)
	// GetSilence returns one silence of env, or ErrNotFound.
	GetSilence(ctx context.Context, env string, id int64) (Silence, error)
	// ListSilences returns the silences of env (every environment when env is ""), newest
	// (ID) first, up to limit (≤ 0 means 100); unless expired is true, those with EndsAt ≤ now
	// are left out.
	ListSilences(ctx context.Context, env string, now time.Time, expired bool, limit int) ([]Silence, error)
	// ActiveSilences returns every silence of every environment with StartsAt ≤ now <
	// EndsAt, oldest (ID) first.
	ActiveSilences(ctx context.Context, now time.Time) ([]Silence, error)
	// ExpireSilence sets EndsAt = now if it is later (it only ever shortens; a silence not
	// started yet then never starts). ErrNotFound if absent or of another env.
	ExpireSilence(ctx context.Context, env string, id int64, now time.Time) error
	// PruneSilences deletes the silences of every environment that ended (expired, or
	// were ended early) before before — EndsAt < before — in one transaction, and returns
	// how many. Those with EndsAt ≥ before (active, future, or ended since) are kept.
	PruneSilences(ctx context.Context, before time.Time) (int64, error)
}
