package web

import (
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/metricstore"
)

// linesChart is the metrics explorer's chart: one statistic of several series, one
// line each. app.js draws it with uPlot.
type linesChart struct {
	Start, End time.Time // End is exclusive
	Period     time.Duration
	Stat       string // values key of the statistic
	Unit       string
	Lines      []line
}

type line struct {
	Label  string
	Points []metricstore.Datapoint // in time order
}

// appendJSON encodes the chart in app.js's format, one slot per period so that missing
// data shows as gaps:
//
//	{"kind":"lines","start":S,"end":E,"period":P,"stat":"p99","unit":"…",
//	 "t":[…],"lines":[{"label":"Host=a","v":[…]},…]}
//
// Times are Unix seconds; absent values are null. Strings go through encoding/json,
// which escapes <, > and &, so the result is safe inside a <script> element.
func (c *linesChart) appendJSON(b []byte) []byte {
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
	b = append(b, `{"kind":"lines","start":`...)
	b = strconv.AppendInt(b, start, 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, end, 10)
	b = append(b, `,"period":`...)
	b = strconv.AppendInt(b, period, 10)
	b = append(b, `,"stat":`...)
	b = appendString(b, c.Stat)
	b = append(b, `,"unit":`...)
	b = appendString(b, c.Unit)
	b = append(b, `,"t":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, start+int64(i)*period, 10)
	}
	b = append(b, `],"lines":[`...)
	slot := make([]int, n)
	for li, l := range c.Lines {
		for i := range slot {
			slot[i] = -1
		}
		for j, dp := range l.Points {
			if ts := dp.Timestamp.Unix(); ts >= start {
				if k := (ts - start) / period; k < int64(n) {
					slot[k] = j
				}
			}
		}
		if li > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"label":`...)
		b = appendString(b, l.Label)
		b = append(b, `,"v":[`...)
		for i, j := range slot {
			if i > 0 {
				b = append(b, ',')
			}
			if v, ok := value(l.Points, j, c.Stat); ok {
				b = appendFloat(b, v)
			} else {
				b = append(b, "null"...)
			}
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}
