package eval

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// reasonTimeLayout is dd/MM/yy HH:mm:ss.
const reasonTimeLayout = "02/01/06 15:04:05"

var opWords = map[string]string{
	GreaterThanThreshold:          "greater than",
	GreaterThanOrEqualToThreshold: "greater than or equal to",
	LessThanThreshold:             "less than",
	LessThanOrEqualToThreshold:    "less than or equal to",
}

// reason renders the StateReason of a decision (see the package doc).
func reason(cfg *Config, dps []Datapoint, d *decision) string {
	n := cfg.n()
	switch d.kind {
	case kindInsufficient:
		return "Insufficient Data: " + count(n, "datapoint") + " " + wasWere(n) + " unknown."
	case kindNoData:
		return "Threshold Crossed: no datapoints were received for " + count(n, "period") +
			" and " + count(n, "missing datapoint") + " " + wasWere(n) + " treated as [" + fillName(cfg) + "]."
	}
	// ALARM lists the breaching datapoints; OK the others, unless there are
	// none, in which case the breaching ones explain why ALARM was not
	// reached.
	breaching := d.wouldBe == Alarm
	if !breaching && d.filled == 0 && countNot(dps, d.eval) == 0 {
		breaching = true
	}
	minimum, transition := cfg.m(), "OK -> ALARM"
	if !breaching {
		minimum, transition = n-cfg.m()+1, "ALARM -> OK"
	}
	items := make([]int, 0, len(d.eval))
	for _, i := range d.eval {
		if dps[i].Present && dps[i].Breaching == breaching {
			items = append(items, i)
		}
	}

	head := make([]byte, 0, 64)
	head = append(head, "Threshold Crossed: "...)
	head = strconv.AppendInt(head, int64(len(items)), 10)
	head = append(head, " out of the last "...)
	head = strconv.AppendInt(head, int64(n), 10)
	head = append(head, " datapoints ["...)

	tail := make([]byte, 0, 160)
	tail = append(tail, "] was "...)
	if !breaching {
		tail = append(tail, "not "...)
	}
	tail = append(tail, opWords[cfg.Comparison]...)
	tail = append(tail, " the threshold ("...)
	tail = appendJava(tail, cfg.Threshold)
	tail = append(tail, ')')
	switch {
	case d.filled > 0:
		tail = append(tail, " and "...)
		tail = appendCount(tail, d.filled, "missing datapoint")
		tail = append(tail, " "+wasWere(d.filled)+" treated as ["...)
		tail = append(tail, fillName(cfg)...)
		tail = append(tail, ']')
	case d.recentMissing > 0:
		tail = append(tail, " and "...)
		tail = appendCount(tail, d.recentMissing, "more recent datapoint")
		tail = append(tail, " "+wasWere(d.recentMissing)+" missing"...)
	}
	tail = append(tail, " (minimum "...)
	tail = appendCount(tail, minimum, "datapoint")
	tail = append(tail, " for "+transition+" transition)."...)

	return string(appendList(head, tail, dps, items))
}

// appendList appends to head the datapoints idx ("v (dd/MM/yy HH:mm:ss)",
// comma-separated) and tail, dropping the last (oldest) datapoints for
// "..." when the whole would exceed MaxReasonLen.
func appendList(head, tail []byte, dps []Datapoint, idx []int) []byte {
	const more = ", ..."
	b := head
	ends := make([]int, 0, len(idx)) // end offset of each item in b
	for k, i := range idx {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = appendJava(b, dps[i].Value)
		b = append(b, " ("...)
		b = dps[i].Timestamp.UTC().AppendFormat(b, reasonTimeLayout)
		b = append(b, ')')
		ends = append(ends, len(b))
	}
	if len(b)+len(tail) > MaxReasonLen {
		cut := len(head)
		for _, e := range ends {
			if e+len(more)+len(tail) > MaxReasonLen {
				break
			}
			cut = e
		}
		b = b[:cut]
		if cut == len(head) {
			b = append(b, "..."...)
		} else {
			b = append(b, more...)
		}
	}
	b = append(b, tail...)
	if len(b) > MaxReasonLen {
		b = b[:MaxReasonLen]
	}
	return b
}

// lowSampleReason explains a skipped evaluation (tocsin's own text; the
// state and stored reason do not change).
func lowSampleReason(cfg *Config, low int, need float64) string {
	var b strings.Builder
	b.WriteString("Low Sample Count: ")
	b.WriteString(count(low, "evaluated datapoint"))
	if low == 1 {
		b.WriteString(" has fewer than ")
	} else {
		b.WriteString(" have fewer than ")
	}
	b.WriteString(strconv.FormatFloat(need, 'f', -1, 64))
	b.WriteString(" samples, the minimum for ")
	b.WriteString(statisticName(cfg))
	b.WriteString("; evaluation skipped (EvaluateLowSampleCountPercentile is ignore).")
	return b.String()
}

func countNot(dps []Datapoint, idx []int) int {
	c := 0
	for _, i := range idx {
		if dps[i].Present && !dps[i].Breaching {
			c++
		}
	}
	return c
}

// fillName is CloudWatch's bracketed name for the filling mode.
func fillName(cfg *Config) string {
	if cfg.TreatMissing == TreatBreaching {
		return "Breaching"
	}
	return "NonBreaching"
}

// count returns "1 noun" or "n nouns".
func count(n int, noun string) string { return string(appendCount(nil, n, noun)) }

// appendCount appends "1 noun" or "n nouns".
func appendCount(b []byte, n int, noun string) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	b = append(b, noun...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// appendJava appends v as Java's Double.toString prints it: at least one
// fractional digit ("50.0"), the shortest digits that round-trip, and
// computerized scientific notation ("1.0E7", "1.0E-4") outside
// [10⁻³, 10⁷).
func appendJava(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "Infinity"...)
	case math.IsInf(v, -1):
		return append(b, "-Infinity"...)
	case v == 0:
		if math.Signbit(v) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if a := math.Abs(v); a >= 1e-3 && a < 1e7 {
		start := len(b)
		b = strconv.AppendFloat(b, v, 'f', -1, 64)
		if bytes.IndexByte(b[start:], '.') < 0 {
			b = append(b, ".0"...)
		}
		return b
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], v, 'e', -1, 64) // d[.ddd]e±XX
	e := bytes.IndexByte(s, 'e')
	b = append(b, s[:e]...)
	if bytes.IndexByte(s[:e], '.') < 0 {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	exp := s[e+1:]
	if exp[0] == '-' {
		b = append(b, '-')
	}
	exp = exp[1:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(b, exp...)
}

// javaString is appendJava as a string.
func javaString(v float64) string { return string(appendJava(nil, v)) }
