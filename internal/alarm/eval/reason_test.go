package eval

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func TestReasonText(t *testing.T) {
	tests := []struct {
		name  string
		n, m  int
		mode  string
		prev  State
		slots string
		want  string
	}{
		{"brief example", 3, 3, "", OK, "- - X X X",
			"Threshold Crossed: 3 out of the last 3 datapoints [5.0 (05/01/26 10:04:00), 5.0 (05/01/26 10:03:00), 5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."},
		{"same state keeps the text", 3, 3, "", Alarm, "- - X X X",
			"Threshold Crossed: 3 out of the last 3 datapoints [5.0 (05/01/26 10:04:00), 5.0 (05/01/26 10:03:00), 5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."},
		{"from INSUFFICIENT_DATA", 3, 3, "", InsufficientData, "- - X X X",
			"Threshold Crossed: 3 out of the last 3 datapoints [5.0 (05/01/26 10:04:00), 5.0 (05/01/26 10:03:00), 5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."},
		{"M of N alarm reaches past a gap", 3, 2, "", OK, "0 - X - X",
			"Threshold Crossed: 2 out of the last 3 datapoints [5.0 (05/01/26 10:04:00), 5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition)."},
		{"M of N back to OK", 3, 2, "", Alarm, "- - X 0 0",
			"Threshold Crossed: 2 out of the last 3 datapoints [0.0 (05/01/26 10:04:00), 0.0 (05/01/26 10:03:00)] was not greater than the threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition)."},
		{"insufficient", 3, 3, TreatMissing, OK, "- - - - -",
			"Insufficient Data: 3 datapoints were unknown."},
		{"insufficient, one", 1, 1, "", OK, "- - -",
			"Insufficient Data: 1 datapoint was unknown."},
		{"ignore, no data (retained)", 3, 3, TreatIgnore, OK, "- - - - -",
			"Insufficient Data: 3 datapoints were unknown."},
		{"no data, breaching", 3, 3, TreatBreaching, OK, "- - - - -",
			"Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching]."},
		{"no data, notBreaching", 1, 1, TreatNotBreaching, Alarm, "- - -",
			"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."},
		{"filled breaching to ALARM", 3, 3, TreatBreaching, OK, "- - X - -",
			"Threshold Crossed: 1 out of the last 3 datapoints [5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) and 2 missing datapoints were treated as [Breaching] (minimum 3 datapoints for OK -> ALARM transition)."},
		{"filled breaching, still OK", 3, 3, TreatBreaching, Alarm, "- - - 0 -",
			"Threshold Crossed: 1 out of the last 3 datapoints [0.0 (05/01/26 10:03:00)] was not greater than the threshold (1.0) and 2 missing datapoints were treated as [Breaching] (minimum 1 datapoint for ALARM -> OK transition)."},
		{"filled breaching, none breaching", 3, 2, TreatBreaching, OK, "- - - - 0",
			"Threshold Crossed: 0 out of the last 3 datapoints [] was greater than the threshold (1.0) and 2 missing datapoints were treated as [Breaching] (minimum 2 datapoints for OK -> ALARM transition)."},
		{"filled notBreaching to OK", 3, 3, TreatNotBreaching, Alarm, "- - X - -",
			"Threshold Crossed: 0 out of the last 3 datapoints [] was not greater than the threshold (1.0) and 2 missing datapoints were treated as [NonBreaching] (minimum 1 datapoint for ALARM -> OK transition)."},
		{"premature alarm under missing", 3, 3, TreatMissing, OK, "- - X - -",
			"Threshold Crossed: 1 out of the last 3 datapoints [5.0 (05/01/26 10:02:00)] was greater than the threshold (1.0) and 2 more recent datapoints were missing (minimum 3 datapoints for OK -> ALARM transition)."},
		{"premature, one more recent", 4, 4, TreatMissing, OK, "- - - X X X -",
			"Threshold Crossed: 3 out of the last 4 datapoints [5.0 (05/01/26 10:03:00), 5.0 (05/01/26 10:02:00), 5.0 (05/01/26 10:01:00)] was greater than the threshold (1.0) and 1 more recent datapoint was missing (minimum 4 datapoints for OK -> ALARM transition)."},
		{"OK for want of data", 3, 3, TreatMissing, OK, "- - - - X",
			"Threshold Crossed: 1 out of the last 3 datapoints [5.0 (05/01/26 10:04:00)] was greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition)."},
		{"OK with some data", 3, 3, TreatMissing, Alarm, "0 - - - -",
			"Threshold Crossed: 1 out of the last 3 datapoints [0.0 (05/01/26 10:00:00)] was not greater than the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(baseConfig(t, tc.n, tc.m, tc.mode), slotsOf(t, tc.slots), tc.prev, slotEnd)
			if got.Reason != tc.want {
				t.Errorf("reason\n got %q\nwant %q", got.Reason, tc.want)
			}
		})
	}
}

// valueAt returns a one-datapoint alarm range whose newest slot holds v.
func valueAt(start time.Time, vs ...float64) []Slot {
	return []Slot{{Start: start.Add(-time.Minute)}, {Start: start, Bucket: bucketOf(vs...)}}
}

func TestReasonNumbersAndOperators(t *testing.T) {
	at := time.Date(2019, 10, 1, 13, 46, 0, 0, time.UTC)
	tests := []struct {
		op        string
		threshold float64
		value     float64
		want      string
	}{
		// CloudWatch's own text (AWS sample event, 2019).
		{GreaterThanThreshold, 50, 0.0666851903306472,
			"Threshold Crossed: 1 out of the last 1 datapoints [0.0666851903306472 (01/10/19 13:46:00)] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition)."},
		{GreaterThanThreshold, 50, 99.50160229693434,
			"Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (01/10/19 13:46:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition)."},
		{GreaterThanOrEqualToThreshold, -2.5, 0.001,
			"Threshold Crossed: 1 out of the last 1 datapoints [0.001 (01/10/19 13:46:00)] was greater than or equal to the threshold (-2.5) (minimum 1 datapoint for OK -> ALARM transition)."},
		{LessThanThreshold, 0.5, 12345678.9,
			"Threshold Crossed: 1 out of the last 1 datapoints [1.23456789E7 (01/10/19 13:46:00)] was not less than the threshold (0.5) (minimum 1 datapoint for ALARM -> OK transition)."},
		{LessThanOrEqualToThreshold, 1e7, 1e-4,
			"Threshold Crossed: 1 out of the last 1 datapoints [1.0E-4 (01/10/19 13:46:00)] was less than or equal to the threshold (1.0E7) (minimum 1 datapoint for OK -> ALARM transition)."},
	}
	for _, tc := range tests {
		cfg := Config{Statistic: stat(t, "Maximum"), Period: 5 * time.Minute, N: 1,
			Threshold: tc.threshold, Comparison: tc.op}
		got := Evaluate(cfg, valueAt(at, tc.value), OK, at.Add(10*time.Minute))
		if got.Reason != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.op, got.Reason, tc.want)
		}
	}
}

// A long list keeps the newest datapoints and stays within 1023 bytes.
func TestReasonTruncated(t *testing.T) {
	cfg := baseConfig(t, 100, 100, "")
	slots := slotsOf(t, strings.Repeat("X ", 102))
	for i := range slots {
		slots[i].Bucket = bucketOf(99.50160229693434)
	}
	r := Evaluate(cfg, slots, OK, slotEnd).Reason
	head := "Threshold Crossed: 100 out of the last 100 datapoints [99.50160229693434 (05/01/26 10:04:00), 99.50160229693434 (05/01/26 10:03:00), "
	tail := ", ...] was greater than the threshold (1.0) (minimum 100 datapoints for OK -> ALARM transition)."
	if len(r) > MaxReasonLen || len(r) < MaxReasonLen-40 || !strings.HasPrefix(r, head) || !strings.HasSuffix(r, tail) {
		t.Errorf("len %d: %q", len(r), r)
	}
}

func TestJavaNumbers(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1, "1.0"}, {50, "50.0"}, {100, "100.0"},
		{-7, "-7.0"}, {99.50160229693434, "99.50160229693434"}, {1.0 / 3, "0.3333333333333333"},
		{0.001, "0.001"}, {0.000999, "9.99E-4"}, {1e-4, "1.0E-4"}, {-3.25e-10, "-3.25E-10"},
		{9999999, "9999999.0"}, {1e7, "1.0E7"}, {12345678.9, "1.23456789E7"}, {1.5e300, "1.5E300"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
	}
	for _, tc := range tests {
		if got := javaString(tc.v); got != tc.want {
			t.Errorf("javaString(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// spec A4.5's StateReasonData sample, verbatim.
const specSample = `{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000","startDate":"2019-10-02T16:59:00.000+0000",` +
	`"statistic":"Average","unit":"Percent","period":300,"recentDatapoints":[99.50160229693434],"threshold":50.0,` +
	`"evaluatedDatapoints":[{"timestamp":"2019-10-02T16:59:00.000+0000","sampleCount":5.0,"value":99.50160229693434}]}`

func TestReasonDataGolden(t *testing.T) {
	queryDate := time.Date(2019, 10, 2, 17, 4, 40, 985e6, time.UTC)
	spec := Config{Statistic: stat(t, "Average"), Period: 300 * time.Second, N: 1, Threshold: 50,
		Comparison: GreaterThanThreshold, Unit: "Percent"}
	starts := SlotStarts(spec, queryDate)
	specSlots := make([]Slot, len(starts))
	for i := range starts {
		specSlots[i].Start = starts[i]
	}
	v := 99.50160229693434 // a variable: 5*v must round like the run-time sum does
	specSlots[len(specSlots)-1].Bucket.AddSet(metric.StatSet{SampleCount: 5, Sum: 5 * v, Minimum: v, Maximum: v})

	tests := []struct {
		name  string
		cfg   Config
		slots []Slot
		now   time.Time
	}{
		{"spec_sample", spec, specSlots, queryDate},
		{"premature_with_missing", baseConfig(t, 3, 3, TreatMissing), slotsOf(t, "0 - X - -"), slotEnd.Add(1500 * time.Millisecond)},
		{"insufficient", baseConfig(t, 1, 1, TreatMissing), slotsOf(t, "- - -"), slotEnd},
		{"p99_flapping", Config{Statistic: stat(t, "p99"), Period: time.Minute, N: 2, M: 2, Threshold: 10,
			Comparison: LessThanThreshold, TreatMissing: TreatBreaching}, valueAt(slotEnd.Add(-time.Minute), 1, 2, 30), slotEnd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Evaluate(tc.cfg, tc.slots, OK, tc.now)
			got, err := json.Marshal(res.ReasonData)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("reason data\n got %s\nwant %s", got, want)
			}
			// It reads back into the same value.
			var back ReasonData
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(back)
			if string(again)+"\n" != string(got) {
				t.Errorf("round trip\n got %s\nwant %s", again, got)
			}
		})
	}
}

// Without tocsin's extension keys, the reason data is CloudWatch's.
func TestReasonDataMatchesSpecSample(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "spec_sample.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	ext := regexp.MustCompile(`,"(minimum|average|maximum)":[^,}]+`)
	if got := ext.ReplaceAllString(strings.TrimSpace(string(golden)), ""); got != specSample {
		t.Errorf("reason data without extension keys\n got %s\nwant %s", got, specSample)
	}
	if !strings.Contains(string(golden), `"minimum":99.50160229693434,"average":99.50160229693434,"maximum":99.50160229693434`) {
		t.Errorf("extension keys missing: %s", golden)
	}
}
