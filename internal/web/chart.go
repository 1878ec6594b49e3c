package web

import (
	"encoding/json"
	"html/template"
	"sort"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/store"
)

// chartSeries is one alarm instance's chart: the alarm statistic with the slot's
// minimum, average, maximum and sample count, the threshold, annotations and the state
// timeline. app.js draws it with uPlot.
type chartSeries struct {
	Start, End time.Time // End is exclusive
	Period     time.Duration
	Stat       string    // values key of the alarm statistic ("p99", "Sum"…)
	Keys       [4]string // values keys of Minimum, Average, Maximum, SampleCount
	Threshold  *float64
	Unit       string
	Points     []metricstore.Datapoint // in time order
	Notes      []store.Annotation
	States     []stateSpan
}

// stateSpan is a stretch of time in one state.
type stateSpan struct {
	From, To time.Time
	State    eval.State
}

// appendJSON encodes the chart in app.js's format, one slot per period so that missing
// data shows as gaps:
//
//	{"start":S,"end":E,"period":P,"stat":"p99","unit":"…","threshold":T|null,
//	 "t":[…],"v":[…],"min":[…],"avg":[…],"max":[…],"n":[…],
//	 "ann":[[t,"text"],…],"states":[[from,to,"ALARM"],…]}
//
// Times are Unix seconds; absent values are null. Strings go through encoding/json,
// which escapes <, > and &, so the result is safe inside a <script> element.
func (c *chartSeries) appendJSON(b []byte) []byte {
	period := int64(c.Period / time.Second)
	if period <= 0 {
		period = 60
	}
	start := c.Start.Unix() / period * period
	end := c.End.Unix()
	n := 0
	if end > start {
		n = int((end - start + period - 1) / period)
	}
	b = append(b, `{"start":`...)
	b = strconv.AppendInt(b, start, 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, end, 10)
	b = append(b, `,"period":`...)
	b = strconv.AppendInt(b, period, 10)
	b = append(b, `,"stat":`...)
	b = appendString(b, c.Stat)
	b = append(b, `,"unit":`...)
	b = appendString(b, c.Unit)
	b = append(b, `,"threshold":`...)
	if c.Threshold != nil {
		b = appendFloat(b, *c.Threshold)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"t":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, start+int64(i)*period, 10)
	}
	b = append(b, ']')
	// slot index of each point: points outside the window are dropped.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = -1
	}
	for j, dp := range c.Points {
		if k := (dp.Timestamp.Unix() - start) / period; k >= 0 && k < int64(n) && dp.Timestamp.Unix() >= start {
			idx[k] = j
		}
	}
	for _, f := range []struct{ name, key string }{{"v", c.Stat}, {"min", c.Keys[0]}, {"avg", c.Keys[1]}, {"max", c.Keys[2]}, {"n", c.Keys[3]}} {
		b = append(b, `,"`...)
		b = append(b, f.name...)
		b = append(b, `":[`...)
		for i, j := range idx {
			if i > 0 {
				b = append(b, ',')
			}
			if v, ok := value(c.Points, j, f.key); ok {
				b = appendFloat(b, v)
			} else {
				b = append(b, "null"...)
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"ann":[`...)
	for i, a := range c.Notes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, a.Time.Unix(), 10)
		b = append(b, ',')
		b = appendString(b, a.Text)
		b = append(b, ']')
	}
	b = append(b, `],"states":[`...)
	for i, s := range c.States {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, s.From.Unix(), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, s.To.Unix(), 10)
		b = append(b, ',')
		b = appendString(b, string(s.State))
		b = append(b, ']')
	}
	return append(b, "]}"...)
}

func value(points []metricstore.Datapoint, j int, key string) (float64, bool) {
	if j < 0 {
		return 0, false
	}
	v, ok := points[j].Values[key]
	return v, ok
}

func appendFloat(b []byte, v float64) []byte {
	if v != v || v > 1e308 || v < -1e308 { // NaN and ±Inf are not JSON
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// stateSpans turns an instance's history (newest first, as the store returns it) into
// the states over [from, to); current is the state now.
func stateSpans(history []store.HistoryItem, from, to time.Time, current eval.State) []stateSpan {
	type change struct {
		at       time.Time
		old, new eval.State
	}
	var changes []change
	for _, h := range history {
		if h.Type != "StateUpdate" || h.At.Before(from) || !h.At.Before(to) {
			continue
		}
		var d struct {
			Old struct{ StateValue eval.State } `json:"oldState"`
			New struct{ StateValue eval.State } `json:"newState"`
		}
		if json.Unmarshal(h.Data, &d) != nil || d.New.StateValue == "" {
			continue
		}
		changes = append(changes, change{h.At, d.Old.StateValue, d.New.StateValue})
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].at.Before(changes[j].at) })
	state := current
	if len(changes) > 0 && changes[0].old != "" {
		state = changes[0].old
	}
	var out []stateSpan
	at := from
	for _, c := range changes {
		if c.at.After(at) {
			out = append(out, stateSpan{at, c.at, state})
		}
		at, state = c.at, c.new
	}
	return append(out, stateSpan{at, to, state})
}

// sparkline draws recent datapoints as a small inline SVG (decorative: the state and
// the datapoints table say the same in words).
func sparkline(dps []eval.Datapoint) template.HTML {
	lo, hi, n := 0.0, 0.0, 0
	for _, d := range dps {
		if !d.Present {
			continue
		}
		if n == 0 || d.Value < lo {
			lo = d.Value
		}
		if n == 0 || d.Value > hi {
			hi = d.Value
		}
		n++
	}
	if n < 2 {
		return ""
	}
	b := make([]byte, 0, 128+16*len(dps))
	b = append(b, `<svg class="spark" viewBox="0 0 60 16" width="60" height="16" aria-hidden="true" focusable="false"><polyline points="`...)
	step := 60.0 / float64(len(dps)-1)
	for i, d := range dps {
		if !d.Present {
			continue
		}
		y := 8.0
		if hi > lo {
			y = 15 - (d.Value-lo)/(hi-lo)*14
		}
		b = strconv.AppendFloat(b, float64(i)*step, 'f', 1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, y, 'f', 1, 64)
		b = append(b, ' ')
	}
	return template.HTML(append(b, `"/></svg>`...))
}
