package eval

import (
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// State is an alarm state value (A4.4).
type State string

// The alarm states.
const (
	OK               State = "OK"
	Alarm            State = "ALARM"
	InsufficientData State = "INSUFFICIENT_DATA"
)

// Comparison operators of the static-threshold form (A3).
const (
	GreaterThanThreshold          = "GreaterThanThreshold"
	GreaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold"
	LessThanThreshold             = "LessThanThreshold"
	LessThanOrEqualToThreshold    = "LessThanOrEqualToThreshold"
)

// TreatMissingData modes (A3). The empty string means TreatMissing.
const (
	TreatMissing      = "missing"
	TreatNotBreaching = "notBreaching"
	TreatBreaching    = "breaching"
	TreatIgnore       = "ignore"
)

// EvaluateLowSampleCountPercentile modes (A3). The empty string means
// LowSampleEvaluate.
const (
	LowSampleEvaluate = "evaluate"
	LowSampleIgnore   = "ignore"
)

// Config is what Evaluate needs of an alarm definition. It is assumed to be
// validated by the alarm definition's loader (A3); Evaluate only fills in
// the documented defaults, and never reports an error: an unknown
// Comparison breaches nothing, an unknown TreatMissing acts as "missing".
type Config struct {
	Statistic metric.Statistic
	Period    time.Duration
	// N is EvaluationPeriods, M DatapointsToAlarm (0 means N).
	N, M       int
	Threshold  float64
	Comparison string // GreaterThanThreshold, …, LessThanOrEqualToThreshold
	// TreatMissing is missing (default), notBreaching, breaching or ignore.
	TreatMissing string
	// LowSample is "evaluate" (default) or "ignore"; it matters for
	// percentile (pNN) statistics only.
	LowSample string
	// Unit goes into the reason data only; filtering by unit is the
	// caller's business.
	Unit string
	// Range is R, the number of slots fetched (A4.2); 0 means N+2, and a
	// value below N counts as N.
	Range int
}

// n returns N, at least 1.
func (c *Config) n() int { return max(c.N, 1) }

// m returns M, defaulting to N and clamped to 1..N.
func (c *Config) m() int {
	if c.M <= 0 || c.M > c.n() {
		return c.n()
	}
	return c.M
}

// rangeLen returns R.
func (c *Config) rangeLen() int {
	if c.Range <= 0 {
		return c.n() + 2
	}
	return max(c.Range, c.n())
}

// Slot is one period of the evaluation range.
type Slot struct {
	Start  time.Time
	Bucket metric.Bucket // empty bucket = missing
}

// SlotStarts returns the R slot starts for an evaluation at now per spec
// A4.1, oldest first: with e = floor(now, 60 s) (floor(now, 10 s) when
// Period < 60 s), slot j = 1 (newest) … R covers [e − j·Period,
// e − (j−1)·Period) and is stamped with its start. The times are UTC.
func SlotStarts(cfg Config, now time.Time) []time.Time {
	step := time.Minute
	if cfg.Period < time.Minute {
		step = 10 * time.Second
	}
	e := now.UTC().Truncate(step)
	r := cfg.rangeLen()
	starts := make([]time.Time, r)
	for i := range starts {
		starts[i] = e.Add(-time.Duration(r-i) * cfg.Period)
	}
	return starts
}

// Datapoint is one slot as the evaluation saw it.
type Datapoint struct {
	Timestamp time.Time `json:"timestamp"` // the slot start
	Value     float64   `json:"value"`     // the alarm statistic; 0 when !Present
	Present   bool      `json:"present"`   // false: missing (no samples, or statistic unavailable)
	// The slot's sample summary, also when the statistic is unavailable;
	// all 0 for an empty slot.
	SampleCount float64 `json:"sample_count"`
	Minimum     float64 `json:"minimum"`
	Average     float64 `json:"average"`
	Maximum     float64 `json:"maximum"`
	Breaching   bool    `json:"breaching"` // Present and the predicate holds
}

// Result is the outcome of one evaluation.
type Result struct {
	State State
	// Retained is true when the evaluation changes nothing and leaves no
	// history item: TreatMissingData ignore kept the state, or the
	// low-sample rule skipped the evaluation. State is then prev, and
	// Reason only explains why; the stored reason stays as it was.
	Retained bool
	// Reason is the StateReason text (A4.5), at most MaxReasonLen bytes.
	// It is set even when State equals the previous state.
	Reason     string
	ReasonData ReasonData
	// Datapoints are the slots, oldest first.
	Datapoints []Datapoint
}

// MaxReasonLen is the longest StateReason (A3, A4.5).
const MaxReasonLen = 1023

// InitialReason is the StateReason of a newly created alarm (A3).
func InitialReason() string { return "Unchecked: Initial alarm creation" }

// breaches applies the A3 predicate: v is the left operand, compared
// exactly.
func breaches(op string, v, t float64) bool {
	switch op {
	case GreaterThanThreshold:
		return v > t
	case GreaterThanOrEqualToThreshold:
		return v >= t
	case LessThanThreshold:
		return v < t
	case LessThanOrEqualToThreshold:
		return v <= t
	}
	return false
}

// Evaluate decides the state of an alarm from its slots (oldest first, as
// SlotStarts gives them) and its previous state (the empty State counts as
// INSUFFICIENT_DATA). now is the query date of the reason data.
func Evaluate(cfg Config, slots []Slot, prev State, now time.Time) Result {
	if prev == "" {
		prev = InsufficientData
	}
	dps := make([]Datapoint, len(slots))
	for i := range slots {
		dps[i] = datapoint(&cfg, &slots[i])
	}
	d := decide(&cfg, dps, prev)
	res := Result{State: d.state, Retained: d.retained, Datapoints: dps}
	if low, need := lowSample(&cfg, dps, d.eval); low > 0 {
		res.State, res.Retained = prev, true
		res.Reason = lowSampleReason(&cfg, low, need)
	} else {
		res.Reason = reason(&cfg, dps, &d)
	}
	res.ReasonData = reasonData(&cfg, dps, d.eval, now)
	return res
}

// Decide is Evaluate without the reason text and reason data: the state, whether it is
// retained, and the datapoints. Engines call it on every evaluation and Evaluate only when
// the state changes, since most evaluations change nothing.
func Decide(cfg Config, slots []Slot, prev State) (State, bool, []Datapoint) {
	return DecideInto(nil, cfg, slots, prev)
}

// DecideInto is Decide writing the datapoints into dst's memory when it is large enough.
func DecideInto(dst []Datapoint, cfg Config, slots []Slot, prev State) (State, bool, []Datapoint) {
	if prev == "" {
		prev = InsufficientData
	}
	dps := dst[:0]
	if cap(dps) < len(slots) {
		dps = make([]Datapoint, len(slots))
	}
	dps = dps[:len(slots)]
	for i := range slots {
		dps[i] = datapoint(&cfg, &slots[i])
	}
	d := decide(&cfg, dps, prev)
	if low, _ := lowSample(&cfg, dps, d.eval); low > 0 {
		return prev, true, dps
	}
	return d.state, d.retained, dps
}

// datapoint computes the value of one slot and classifies it.
func datapoint(cfg *Config, s *Slot) Datapoint {
	b := &s.Bucket
	dp := Datapoint{Timestamp: s.Start, SampleCount: b.SampleCount(),
		Minimum: b.Min(), Average: b.Average(), Maximum: b.Max()}
	dp.Value, dp.Present = b.Statistic(cfg.Statistic)
	if !dp.Present {
		dp.Value = 0
		return dp
	}
	dp.Breaching = breaches(cfg.Comparison, dp.Value, cfg.Threshold)
	return dp
}

// decision is the outcome of the A4.3 procedure and what the reason text
// needs to explain it.
type decision struct {
	state    State
	retained bool
	// kind selects the reason template.
	kind reasonKind
	// wouldBe is the state the reason text explains: state, or for a
	// retained decision the state TreatMissingData missing would give.
	wouldBe State
	// eval holds the indices of the evaluated datapoints, newest first.
	eval []int
	// filled is the number of missing datapoints treated as breaching or
	// not breaching; recentMissing the number of missing slots newer than
	// the oldest breaching one when the premature-alarm rule fired.
	filled, recentMissing int
}

type reasonKind uint8

const (
	kindCrossed      reasonKind = iota // Threshold Crossed: k out of the last n …
	kindNoData                         // no datapoints were received …
	kindInsufficient                   // Insufficient Data: …
)

// decide is the reference algorithm of spec A4.3.
func decide(cfg *Config, dps []Datapoint, prev State) decision {
	n, m := cfg.n(), cfg.m()
	real, b := 0, 0
	for i := range dps {
		if dps[i].Present {
			real++
			if dps[i].Breaching {
				b++
			}
		}
	}
	d := decision{kind: kindCrossed}
	switch {
	case real == 0: // step 1
		d.eval = newest(dps, 0, n)
		d.kind, d.filled = kindNoData, n
		switch cfg.TreatMissing {
		case TreatBreaching:
			d.state = Alarm
		case TreatNotBreaching:
			d.state = OK
		case TreatIgnore:
			d.kind, d.filled = kindInsufficient, 0
			d.state, d.retained, d.wouldBe = prev, true, InsufficientData
		default:
			d.kind, d.filled = kindInsufficient, 0
			d.state = InsufficientData
		}
	case real >= n: // step 2: real datapoints only, reaching back past gaps
		d.eval = newest(dps, n, 0)
		d.state = OK
		if countBreaching(dps, d.eval) >= m {
			d.state = Alarm
		}
	default: // step 3
		k := n - real
		d.eval = newest(dps, real, k)
		d.state = OK
		switch cfg.TreatMissing {
		case TreatBreaching:
			d.filled = k
			if b+k >= m {
				d.state = Alarm
			}
		case TreatNotBreaching:
			d.filled = k
			if b >= m {
				d.state = Alarm
			}
		default: // missing, ignore
			if b >= m {
				d.state = Alarm
			} else if age, ok := premature(dps, m); ok {
				d.recentMissing = age - b
				d.wouldBe = Alarm
				if cfg.TreatMissing == TreatIgnore {
					d.state, d.retained = prev, true
				} else {
					d.state = Alarm
				}
			}
		}
	}
	if d.wouldBe == "" {
		d.wouldBe = d.state
	}
	return d
}

// premature reports whether the A4.3 premature-alarm rule holds: no real
// non-breaching slot in the range, and the oldest breaching slot has age
// ≥ m (newest slot = 1). It also returns that age.
func premature(dps []Datapoint, m int) (int, bool) {
	age := 0
	for i := range dps {
		if dps[i].Present {
			if !dps[i].Breaching {
				return 0, false
			}
			if age == 0 {
				age = len(dps) - i
			}
		}
	}
	return age, age >= m
}

// newest returns the indices, newest first, of the newest real datapoints
// (up to real of them) together with the newest missing ones (up to
// missing of them).
func newest(dps []Datapoint, real, missing int) []int {
	idx := make([]int, 0, real+missing)
	for i := len(dps) - 1; i >= 0 && (real > 0 || missing > 0); i-- {
		switch {
		case dps[i].Present && real > 0:
			real--
		case !dps[i].Present && missing > 0:
			missing--
		default:
			continue
		}
		idx = append(idx, i)
	}
	return idx
}

func countBreaching(dps []Datapoint, idx []int) int {
	c := 0
	for _, i := range idx {
		if dps[i].Breaching {
			c++
		}
	}
	return c
}

// lowSample applies the A3 low-sample rule: with LowSample "ignore" and a
// percentile statistic, it returns how many evaluated datapoints have
// fewer samples than needed, and the number needed.
func lowSample(cfg *Config, dps []Datapoint, eval []int) (int, float64) {
	if cfg.LowSample != LowSampleIgnore {
		return 0, 0
	}
	p, ok := cfg.Statistic.PercentileFraction()
	if !ok {
		return 0, 0
	}
	need := metric.LowSampleThreshold(p)
	low := 0
	for _, i := range eval {
		if dps[i].Present && dps[i].SampleCount < need {
			low++
		}
	}
	return low, need
}
