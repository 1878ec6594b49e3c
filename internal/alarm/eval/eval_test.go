package eval

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

// stat parses a statistic or fails the test.
func stat(t testing.TB, text string) metric.Statistic {
	t.Helper()
	s, err := metric.ParseStatistic(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bucketOf(vs ...float64) metric.Bucket {
	var b metric.Bucket
	for _, v := range vs {
		b.Add(v)
	}
	return b
}

// seq returns 1, 2, …, n.
func seq(n int) []float64 {
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = float64(i + 1)
	}
	return vs
}

// slotEnd is the end of the newest slot in the slot-string tests.
var slotEnd = time.Date(2026, 1, 5, 10, 5, 0, 0, time.UTC)

// slotsOf turns a slot string of the spec ("0 - X - X", oldest → newest)
// into one-minute slots ending at slotEnd: X holds the value 5, 0 the value
// 0 and - nothing. With GreaterThanThreshold 1 (baseConfig) X breaches.
func slotsOf(t testing.TB, spec string) []Slot {
	t.Helper()
	tokens := strings.Fields(spec)
	slots := make([]Slot, len(tokens))
	for i, tok := range tokens {
		slots[i].Start = slotEnd.Add(-time.Duration(len(tokens)-i) * time.Minute)
		switch tok {
		case "X":
			slots[i].Bucket = bucketOf(5)
		case "0":
			slots[i].Bucket = bucketOf(0)
		case "-":
		default:
			t.Fatalf("slot string %q: bad token %q", spec, tok)
		}
	}
	return slots
}

func baseConfig(t testing.TB, n, m int, mode string) Config {
	return Config{Statistic: stat(t, "Average"), Period: time.Minute, N: n, M: m,
		Threshold: 1, Comparison: GreaterThanThreshold, TreatMissing: mode}
}

var allStates = []State{OK, Alarm, InsufficientData}

// tAlarm is the T-ALARM block of the spec, verbatim.
const tAlarm = `
T01 | 3 | 3 | missing/ignore/breaching/notBreaching | any | 0 - X - X | OK/OK/OK/OK
T02 | 3 | 3 | missing/ignore/breaching/notBreaching | any | 0 - - - - | OK/OK/OK/OK
T03 | 3 | 3 | missing/ignore/breaching/notBreaching | prev | - - - - - | INSUFFICIENT_DATA/retain/ALARM/OK
T04 | 3 | 3 | missing/ignore/breaching/notBreaching | any | 0 X X - X | ALARM/ALARM/ALARM/ALARM
T05 | 3 | 3 | missing/ignore/breaching/notBreaching | prev | - - X - - | ALARM/retain/ALARM/OK
T06 | 3 | 2 | missing/ignore/breaching/notBreaching | any | 0 - X - X | ALARM/ALARM/ALARM/ALARM
T07 | 3 | 2 | missing/ignore/breaching/notBreaching | any | 0 0 X 0 X | ALARM/ALARM/ALARM/ALARM
T08 | 3 | 2 | missing/ignore/breaching/notBreaching | any | 0 - X - - | OK/OK/ALARM/OK
T09 | 3 | 2 | missing/ignore/breaching/notBreaching | any | - - - - 0 | OK/OK/ALARM/OK
T10 | 3 | 2 | missing/ignore/breaching/notBreaching | prev | - - - X - | ALARM/retain/ALARM/OK
T11 | 1 | 1 | missing      | OK    | - - X           | ALARM
T12 | 1 | 1 | breaching    | ALARM | 0 - -           | OK      (real >= N: missing setting not consulted)
T13 | 1 | 1 | breaching    | OK    | - - -           | ALARM
T14 | 1 | 1 | missing      | OK    | - - -           | INSUFFICIENT_DATA
T15 | 5 | 3 | missing      | OK    | X 0 X 0 X - -   | ALARM   (5 real points reach back past the gap)
T16 | 5 | 3 | breaching    | ALARM | X X X 0 0 0 0   | OK      (only newest 5: X 0 0 0 0)
T17 | 4 | 2 | missing      | OK    | - - - X X -     | ALARM   (b=2 >= M)
T18 | 4 | 2 | ignore       | OK    | - - - X X -     | ALARM
T19 | 4 | 4 | missing      | OK    | - - X X - -     | ALARM   (premature rule: oldest X age 4 >= 4)
T20 | 4 | 4 | ignore       | OK    | - - X X - -     | OK      (retain)
`

func TestTAlarm(t *testing.T) {
	rows := 0
	for line := range strings.Lines(strings.TrimSpace(tAlarm)) {
		f := strings.Split(line, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		id, slots := f[0], f[5]
		n, _ := strconv.Atoi(f[1])
		m, _ := strconv.Atoi(f[2])
		modes := strings.Split(f[3], "/")
		wants := strings.Split(strings.Fields(f[6])[0], "/")
		if len(modes) != len(wants) || n == 0 || m == 0 {
			t.Fatalf("%s: bad row %q", id, line)
		}
		prevs := allStates
		if p := State(f[4]); p == OK || p == Alarm || p == InsufficientData {
			prevs = []State{p}
		}
		for k, mode := range modes {
			for _, prev := range prevs {
				rows++
				name := fmt.Sprintf("%s/%s/%s", id, mode, prev)
				got := Evaluate(baseConfig(t, n, m, mode), slotsOf(t, slots), prev, slotEnd)
				// "retain", or T20's "OK (retain)" with prev OK.
				retain := wants[k] == "retain" || strings.Contains(f[6], "(retain)")
				want := State(wants[k])
				if retain {
					want = prev
				}
				if got.State != want || got.Retained != retain {
					t.Errorf("%s: %s N=%d M=%d: got %s retained=%v, want %s retained=%v (%s)",
						name, slots, n, m, got.State, got.Retained, want, retain, got.Reason)
				}
			}
		}
	}
	if rows < 100 {
		t.Fatalf("only %d cases ran", rows)
	}
}

// oneSlot returns a range of three one-minute slots whose newest holds b.
func oneSlot(b metric.Bucket) []Slot {
	return []Slot{
		{Start: slotEnd.Add(-3 * time.Minute)},
		{Start: slotEnd.Add(-2 * time.Minute)},
		{Start: slotEnd.Add(-time.Minute), Bucket: b},
	}
}

func TestStatisticVectors(t *testing.T) {
	var s03 metric.Bucket
	s03.AddN(1, 3)
	s03.AddN(2, 1)
	tests := []struct {
		id, stat  string
		bucket    metric.Bucket
		op        string
		threshold float64
		lowSample string
		want      State
		retained  bool
		value     float64 // when evaluated
		samples   float64
	}{
		{"S01", "Average", bucketOf(2, 4, 5), GreaterThanThreshold, 3.5, "", Alarm, false, 11.0 / 3, 3},
		{"S02", "Average", bucketOf(2, 4, 5), GreaterThanThreshold, 11.0 / 3, "", OK, false, 11.0 / 3, 3},
		{"S03", "Sum", s03, GreaterThanOrEqualToThreshold, 5, "", Alarm, false, 5, 4},
		{"S03/just above", "Sum", s03, GreaterThanOrEqualToThreshold, 5.000000001, "", OK, false, 5, 4},
		{"S04", "p90", bucketOf(seq(10)...), GreaterThanThreshold, 8.5, "", Alarm, false, 9, 10},
		{"S05", "p50", bucketOf(1, 2, 3, 4), LessThanOrEqualToThreshold, 2, "", Alarm, false, 2, 4},
		{"S05/strict", "p50", bucketOf(1, 2, 3, 4), LessThanThreshold, 2, "", OK, false, 2, 4},
		{"S06", "p99", bucketOf(seq(200)...), GreaterThanThreshold, 198, "", OK, false, 198, 200},
		{"S07", "p99", bucketOf(seq(50)...), GreaterThanThreshold, 10, LowSampleIgnore, OK, true, 50, 50},
		{"S08", "p99", bucketOf(seq(50)...), GreaterThanThreshold, 10, LowSampleEvaluate, Alarm, false, 50, 50},
		{"S08/default", "p99", bucketOf(seq(50)...), GreaterThanThreshold, 10, "", Alarm, false, 50, 50},
		{"S09", "p10", bucketOf(seq(99)...), GreaterThanThreshold, 0, LowSampleIgnore, OK, true, 10, 99},
		{"S09/100 samples", "p10", bucketOf(seq(100)...), GreaterThanThreshold, 0, LowSampleIgnore, Alarm, false, 10, 100},
		{"S10", "p50", bucketOf(seq(19)...), GreaterThanThreshold, 0, LowSampleIgnore, OK, true, 10, 19},
		{"S10/20 samples", "p50", bucketOf(seq(20)...), GreaterThanThreshold, 0, LowSampleIgnore, Alarm, false, 10, 20},
		{"ignore/not a percentile", "tm90", bucketOf(1, 2, 3), GreaterThanThreshold, 0, LowSampleIgnore, Alarm, false, 1.5, 3},
		{"unavailable is missing", "p50", bucketOf(-1, 2), GreaterThanThreshold, 0, "", InsufficientData, false, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			cfg := Config{Statistic: stat(t, tc.stat), Period: time.Minute, N: 1, M: 1,
				Threshold: tc.threshold, Comparison: tc.op, LowSample: tc.lowSample}
			got := Evaluate(cfg, oneSlot(tc.bucket), OK, slotEnd)
			if got.State != tc.want || got.Retained != tc.retained {
				t.Fatalf("got %s retained=%v, want %s retained=%v (%s)",
					got.State, got.Retained, tc.want, tc.retained, got.Reason)
			}
			dp := got.Datapoints[2]
			present := tc.want != InsufficientData
			if dp.Present != present || dp.Value != tc.value || dp.SampleCount != tc.samples {
				t.Errorf("datapoint %+v, want value %v present %v sample count %v", dp, tc.value, present, tc.samples)
			}
		})
	}
}

// The low-sample rule looks at the evaluated datapoints only.
func TestLowSampleWindow(t *testing.T) {
	cfg := Config{Statistic: stat(t, "p90"), Period: time.Minute, N: 2, M: 2,
		Threshold: 0, Comparison: GreaterThanThreshold, LowSample: LowSampleIgnore}
	enough, few := bucketOf(seq(100)...), bucketOf(seq(99)...)
	slots := func(bs ...metric.Bucket) []Slot {
		s := make([]Slot, len(bs))
		for i := range bs {
			s[i] = Slot{Start: slotEnd.Add(-time.Duration(len(bs)-i) * time.Minute), Bucket: bs[i]}
		}
		return s
	}
	var none metric.Bucket
	tests := []struct {
		name     string
		slots    []Slot
		retained bool
	}{
		{"all enough", slots(none, enough, enough, enough), false},
		{"low outside the window", slots(few, none, enough, enough), false},
		{"low newest", slots(none, enough, enough, few), true},
		{"low reached past a gap", slots(none, few, none, enough), true},
	}
	for _, tc := range tests {
		got := Evaluate(cfg, tc.slots, InsufficientData, slotEnd)
		if got.Retained != tc.retained {
			t.Errorf("%s: retained=%v, want %v (%s)", tc.name, got.Retained, tc.retained, got.Reason)
		}
		if tc.retained && (got.State != InsufficientData ||
			got.Reason != "Low Sample Count: 1 evaluated datapoint has fewer than 100 samples, the minimum for p90; evaluation skipped (EvaluateLowSampleCountPercentile is ignore).") {
			t.Errorf("%s: got %s %q", tc.name, got.State, got.Reason)
		}
		if !tc.retained && got.State != Alarm {
			t.Errorf("%s: got %s, want ALARM", tc.name, got.State)
		}
	}
}

func TestBreachPredicates(t *testing.T) {
	tests := []struct {
		op             string
		below, eq, abv bool
	}{
		{GreaterThanThreshold, false, false, true},
		{GreaterThanOrEqualToThreshold, false, true, true},
		{LessThanThreshold, true, false, false},
		{LessThanOrEqualToThreshold, true, true, false},
		{"LessThanLowerOrGreaterThanUpperThreshold", false, false, false}, // no band: never
	}
	// Run-time float arithmetic: 0.1+0.2 is 0.30000000000000004 > 0.3.
	a, b, th := 0.1, 0.2, 0.3
	for _, tc := range tests {
		got := [3]bool{breaches(tc.op, a+b-a, th), breaches(tc.op, th, th), breaches(tc.op, a+b, th)}
		if got != [3]bool{tc.below, tc.eq, tc.abv} {
			t.Errorf("%s: below/equal/above = %v", tc.op, got)
		}
	}
}

func TestSlotStarts(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02T15:04:05.000", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		period time.Duration
		n, r   int
		now    string
		want   []string // oldest first, HH:mm:ss
	}{
		{"spec example", 300 * time.Second, 1, 0, "2019-10-02T17:04:40.985", []string{"16:49:00", "16:54:00", "16:59:00"}},
		{"on the minute", 300 * time.Second, 1, 0, "2019-10-02T17:05:00.000", []string{"16:50:00", "16:55:00", "17:00:00"}},
		{"just before", 60 * time.Second, 2, 0, "2026-01-05T10:04:59.999", []string{"10:00:00", "10:01:00", "10:02:00", "10:03:00"}},
		{"explicit range", time.Hour, 1, 4, "2026-01-05T10:04:59.999", []string{"06:04:00", "07:04:00", "08:04:00", "09:04:00"}},
		{"range below N", time.Minute, 3, 2, "2026-01-05T10:04:30.000", []string{"10:01:00", "10:02:00", "10:03:00"}},
		{"10 s", 10 * time.Second, 1, 0, "2026-01-05T12:00:37.500", []string{"12:00:00", "12:00:10", "12:00:20"}},
		{"30 s", 30 * time.Second, 2, 0, "2026-01-05T12:00:37.500", []string{"11:58:30", "11:59:00", "11:59:30", "12:00:00"}},
		{"20 s on 10 s", 20 * time.Second, 1, 0, "2026-01-05T12:00:19.000", []string{"11:59:10", "11:59:30", "11:59:50"}},
	}
	for _, tc := range tests {
		cfg := Config{Period: tc.period, N: tc.n, Range: tc.r}
		got := SlotStarts(cfg, at(tc.now))
		var s []string
		for _, g := range got {
			s = append(s, g.Format("15:04:05"))
			if g.Location() != time.UTC {
				t.Errorf("%s: %v not UTC", tc.name, g)
			}
		}
		if strings.Join(s, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s: got %v, want %v", tc.name, s, tc.want)
		}
	}
	// The instant decides, not the location it is shown in.
	ny, err := time.LoadLocation("America/New_York")
	if err == nil {
		now := at("2019-10-02T17:04:40.985")
		a := SlotStarts(Config{Period: 300 * time.Second, N: 1}, now)
		b := SlotStarts(Config{Period: 300 * time.Second, N: 1}, now.In(ny))
		if !a[2].Equal(b[2]) {
			t.Errorf("location changed the slots: %v vs %v", a[2], b[2])
		}
	}
}

// Evaluate reports every slot with its summary, including a slot whose
// statistic is unavailable.
func TestDatapoints(t *testing.T) {
	slots := oneSlot(bucketOf(1, 2, 6))
	slots[0].Bucket = bucketOf(-4, 4) // p50 unavailable: negative value
	cfg := Config{Statistic: stat(t, "p50"), Period: time.Minute, N: 2, M: 1,
		Threshold: 1, Comparison: GreaterThanThreshold, TreatMissing: TreatMissing}
	got := Evaluate(cfg, slots, OK, slotEnd)
	want := []Datapoint{
		{Timestamp: slots[0].Start, SampleCount: 2, Minimum: -4, Average: 0, Maximum: 4},
		{Timestamp: slots[1].Start},
		{Timestamp: slots[2].Start, Value: 2, Present: true, SampleCount: 3, Minimum: 1, Average: 3, Maximum: 6, Breaching: true},
	}
	if fmt.Sprint(got.Datapoints) != fmt.Sprint(want) {
		t.Errorf("datapoints\n got %+v\nwant %+v", got.Datapoints, want)
	}
	if got.State != Alarm {
		t.Errorf("state %s, want ALARM", got.State)
	}
}

func TestInitialReason(t *testing.T) {
	if got := InitialReason(); got != "Unchecked: Initial alarm creation" {
		t.Errorf("InitialReason() = %q", got)
	}
}
