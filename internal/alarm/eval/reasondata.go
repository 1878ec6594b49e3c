package eval

import (
	"encoding/json"
	"math"
	"time"
)

// ReasonData is StateReasonData (A4.5). Marshalled with encoding/json it
// gives CloudWatch's keys in CloudWatch's order, numbers printed the Java
// way (50.0) and timestamps as yyyy-MM-dd'T'HH:mm:ss.SSS+0000.
type ReasonData struct {
	Version   string    `json:"version"`
	QueryDate Timestamp `json:"queryDate"`
	// StartDate is the oldest evaluated slot; it is omitted when no
	// evaluated datapoint has a value, as CloudWatch does.
	StartDate Timestamp `json:"startDate,omitzero"`
	Statistic string    `json:"statistic,omitempty"`
	Unit      string    `json:"unit,omitempty"`
	Period    int       `json:"period"` // seconds
	// RecentDatapoints are the values of the evaluated datapoints, oldest
	// first; never null.
	RecentDatapoints []Number `json:"recentDatapoints"`
	Threshold        Number   `json:"threshold"`
	// EvaluatedDatapoints are newest first.
	EvaluatedDatapoints []EvaluatedDatapoint `json:"evaluatedDatapoints"`
}

// EvaluatedDatapoint is one entry of evaluatedDatapoints. A missing slot
// (Present false) marshals as {"timestamp": …} alone; otherwise it carries
// CloudWatch's sampleCount and value plus tocsin's minimum, average and
// maximum.
type EvaluatedDatapoint struct {
	Timestamp   Timestamp
	Present     bool
	SampleCount Number
	Value       Number
	Minimum     Number
	Average     Number
	Maximum     Number
}

// evaluatedJSON is the wire form of EvaluatedDatapoint.
type evaluatedJSON struct {
	Timestamp   Timestamp `json:"timestamp"`
	SampleCount *Number   `json:"sampleCount,omitempty"`
	Value       *Number   `json:"value,omitempty"`
	Minimum     *Number   `json:"minimum,omitempty"`
	Average     *Number   `json:"average,omitempty"`
	Maximum     *Number   `json:"maximum,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (d EvaluatedDatapoint) MarshalJSON() ([]byte, error) {
	w := evaluatedJSON{Timestamp: d.Timestamp}
	if d.Present {
		w.SampleCount, w.Value = &d.SampleCount, &d.Value
		w.Minimum, w.Average, w.Maximum = &d.Minimum, &d.Average, &d.Maximum
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler; an entry with a value is
// Present.
func (d *EvaluatedDatapoint) UnmarshalJSON(data []byte) error {
	var w evaluatedJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*d = EvaluatedDatapoint{Timestamp: w.Timestamp, Present: w.Value != nil}
	for _, f := range []struct{ dst, src *Number }{
		{&d.SampleCount, w.SampleCount}, {&d.Value, w.Value},
		{&d.Minimum, w.Minimum}, {&d.Average, w.Average}, {&d.Maximum, w.Maximum},
	} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	return nil
}

// Number is a float64 that marshals as Java's Double.toString prints it
// (5.0, 99.50160229693434, 1.0E7), and NaN or ±Inf as null.
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	v := float64(n)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return appendJava(make([]byte, 0, 24), v), nil
}

// Timestamp is a time that marshals as CloudWatch's
// yyyy-MM-dd'T'HH:mm:ss.SSS+0000 (UTC).
type Timestamp time.Time

const timestampLayout = "2006-01-02T15:04:05.000-0700"

// Time returns t as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

// IsZero reports whether t is the zero time (used by omitzero).
func (t Timestamp) IsZero() bool { return time.Time(t).IsZero() }

// MarshalJSON implements json.Marshaler.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 30)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, timestampLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	v, err := time.Parse(timestampLayout, s)
	if err != nil {
		return err
	}
	*t = Timestamp(v.UTC())
	return nil
}

// reasonData builds the reason data of an evaluation; eval holds the
// evaluated datapoints' indices, newest first.
func reasonData(cfg *Config, dps []Datapoint, eval []int, now time.Time) ReasonData {
	rd := ReasonData{
		Version:             "1.0",
		QueryDate:           Timestamp(now),
		Statistic:           statisticName(cfg),
		Unit:                cfg.Unit,
		Period:              int(cfg.Period / time.Second),
		Threshold:           Number(cfg.Threshold),
		EvaluatedDatapoints: make([]EvaluatedDatapoint, len(eval)),
	}
	present := 0
	for k, i := range eval {
		dp := &dps[i]
		e := EvaluatedDatapoint{Timestamp: Timestamp(dp.Timestamp), Present: dp.Present}
		if dp.Present {
			present++
			e.SampleCount, e.Value = Number(dp.SampleCount), Number(dp.Value)
			e.Minimum, e.Average, e.Maximum = Number(dp.Minimum), Number(dp.Average), Number(dp.Maximum)
		}
		rd.EvaluatedDatapoints[k] = e
	}
	rd.RecentDatapoints = make([]Number, 0, present)
	for k := len(eval) - 1; k >= 0; k-- {
		if dp := &dps[eval[k]]; dp.Present {
			rd.RecentDatapoints = append(rd.RecentDatapoints, Number(dp.Value))
		}
	}
	if present > 0 {
		rd.StartDate = Timestamp(dps[eval[len(eval)-1]].Timestamp)
	}
	return rd
}

// statisticName is the statistic as the alarm gave it.
func statisticName(cfg *Config) string {
	if cfg.Statistic.Text != "" {
		return cfg.Statistic.Text
	}
	if cfg.Statistic.Kind == 0 {
		return ""
	}
	return cfg.Statistic.String()
}
