package putmetric

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/metric"
)

func decodeOK(t *testing.T, dst *Request, b string) []metric.Datum {
	t.Helper()
	errs, err := Decode([]byte(b), now, Limits{}, dst)
	if err != nil || errs != nil {
		t.Fatalf("Decode(%s) = %v, %v", b, errs, err)
	}
	return dst.Datums
}

func TestDecodeValueForms(t *testing.T) {
	var dst Request
	got := decodeOK(t, &dst, `{"environment":"staging","namespace":"My App/x",
	 "metric_data":[
	  {"name":"Latency","dimensions":{"Region":"eu","Host":"a"},"unit":"Milliseconds","value":12.5,"storage_resolution":1},
	  {"name":"Latency","values":[1,2.5,-3e2],"counts":[4,0,1.5]},
	  {"name":"Size","values":[7]},
	  {"name":"Req","unit":"Count","statistic_values":{"maximum":9,"minimum":-1,"sum":20,"sample_count":5}}]}`)
	key := func(name string, unit metric.Unit, dims ...metric.Dim) metric.SeriesKey {
		return metric.SeriesKey{Env: "staging", Namespace: "My App/x", Name: name, Unit: unit, Dims: dims}
	}
	want := []metric.Datum{
		{Key: key("Latency", metric.UnitMilliseconds, metric.Dim{Name: "Host", Value: "a"}, metric.Dim{Name: "Region", Value: "eu"}),
			Time: now, Resolution: 1, Value: 12.5, HasValue: true},
		{Key: key("Latency", metric.UnitNone), Time: now, Resolution: 60, Values: []float64{1, 2.5, -300}, Counts: []float64{4, 0, 1.5}},
		{Key: key("Size", metric.UnitNone), Time: now, Resolution: 60, Values: []float64{7}},
		{Key: key("Req", metric.UnitCount), Time: now, Resolution: 60, Stats: &metric.StatSet{SampleCount: 5, Sum: 20, Minimum: -1, Maximum: 9}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("datums =\n%+v\nwant\n%+v", got, want)
	}
	if dst.Environment != "staging" || dst.Namespace != "My App/x" {
		t.Errorf("envelope = %q %q", dst.Environment, dst.Namespace)
	}
}

func TestDecodeTimestamps(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"2026-03-01T11:00:00Z"`, at("2026-03-01T11:00:00Z")},
		{`"2026-03-01T11:00:00.25Z"`, at("2026-03-01T11:00:00.25Z")},
		{`"2026-03-01T11:00:00.1234567891Z"`, at("2026-03-01T11:00:00.123456789Z")},
		{`"2026-03-01T13:30:00+02:30"`, at("2026-03-01T11:00:00Z")},
		{`"2026-03-01T05:00:00.5-06:00"`, at("2026-03-01T11:00:00.5Z")},
		{`"2026-02-28T23:59:59Z"`, at("2026-02-28T23:59:59Z")},
		{`1772362800`, at("2026-03-01T11:00:00Z")},
		{`1772362800.25`, at("2026-03-01T11:00:00.25Z")},
		{`1.7723628e9`, at("2026-03-01T11:00:00Z")},
		{`1772362800123`, at("2026-03-01T11:00:00.123Z")},
		{`1772362800123.5`, at("2026-03-01T11:00:00.1235Z")},
		{`1772362800000000e-3`, at("2026-03-01T11:00:00Z")},
	}
	for _, tt := range tests {
		var dst Request
		got := decodeOK(t, &dst, body(`{"name":"L","value":1,"timestamp":`+tt.in+`}`))
		if !got[0].Time.Equal(tt.want) {
			t.Errorf("timestamp %s = %v, want %v", tt.in, got[0].Time, tt.want)
		}
	}
}

func TestDecodeEscapes(t *testing.T) {
	var dst Request
	got := decodeOK(t, &dst, body(`{"n\u0061me":"caf\u00e9 \ud83d\ude00 \ud800x \udc00 \ud800\u0041 \udbff\udfff \/\\\" é",`+
		`"dimensions":{"H\u006fst":"a\/b","Zone":"\u0041\u0042"},"value":1}`))
	wantName := "café 😀 \uFFFDx \uFFFD \uFFFDA \U0010FFFF /\\\" é"
	if got[0].Key.Name != wantName {
		t.Errorf("name = %q, want %q", got[0].Key.Name, wantName)
	}
	wantDims := []metric.Dim{{Name: "Host", Value: "a/b"}, {Name: "Zone", Value: "AB"}}
	if !reflect.DeepEqual(got[0].Key.Dims, wantDims) {
		t.Errorf("dims = %q, want %q", got[0].Key.Dims, wantDims)
	}
}

// Escaped control characters decode, and are then refused in a name.
func TestDecodeEscapedControlCharacters(t *testing.T) {
	var dst Request
	errs, err := Decode([]byte(body(`{"name":"a\nb","value":1}`)), time.Now(), Limits{}, &dst)
	if err != nil || len(errs) != 1 || errs[0].Field != "metric_data[0].name" || !strings.Contains(errs[0].Message, "control") {
		t.Fatalf("got %v %v", errs, err)
	}
}

func TestDecodeNumbers(t *testing.T) {
	for _, in := range []string{"0", "-0", "1", "0.1", "-12.5", "1e5", "1E-5", "2.5e+3", "123456789012345", "1234567890123456789",
		"0.30000000000000004", "9007199254740993", "1097236467763017.882", "4501365353.55787322", "1.7976931348623157e100", "-2.2250738585072014e-308", "4.9e-324", "1e-400", "123.456e-7", "100000000000000000000000"} {
		var dst Request
		got := decodeOK(t, &dst, body(`{"name":"L","values":[`+in+`]}`))
		want, _ := refNumber([]byte(in))
		if v := got[0].Values[0]; math.Float64bits(v) != math.Float64bits(want) {
			t.Errorf("%s = %v, want %v", in, v, want)
		}
	}
}

func TestSortDimsMatchesMetric(t *testing.T) {
	var d []metric.Dim
	for _, n := range []string{"b", "a", "d", "c", "A", "", "ab", "B"} {
		d = append(d, metric.Dim{Name: n, Value: "v" + n})
	}
	want := slices.Clone(d)
	metric.SortDims(want)
	sortDims(d)
	if !reflect.DeepEqual(d, want) {
		t.Errorf("sortDims = %v, want %v", d, want)
	}
}

// TestDecodeReuse decodes a large body and then a small one into the same Request: the
// second result must be exactly right, with no leftovers of the first.
func TestDecodeReuse(t *testing.T) {
	var dst Request
	decodeOK(t, &dst, benchBody(300))
	first := dst.Datums[len(dst.Datums)-1].Key.Name
	got := decodeOK(t, &dst, body(`{"name":"A","values":[1,2]}`, `{"name":"B","dimensions":{"K":"v"},"value":3}`))
	want := []metric.Datum{
		{Key: metric.SeriesKey{Namespace: "App", Name: "A", Unit: metric.UnitNone}, Time: now, Resolution: 60, Values: []float64{1, 2}},
		{Key: metric.SeriesKey{Namespace: "App", Name: "B", Unit: metric.UnitNone, Dims: []metric.Dim{{Name: "K", Value: "v"}}},
			Time: now, Resolution: 60, Value: 3, HasValue: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("second decode =\n%+v\nwant\n%+v", got, want)
	}
	if first == "" {
		t.Error("strings of an earlier decode must stay valid")
	}
}

// TestDecodeSteadyStateAllocs: with a reused Request, decoding a realistic body does not
// allocate at all.
func TestDecodeSteadyStateAllocs(t *testing.T) {
	b := []byte(benchBody(1000))
	var dst Request
	allocs := testing.AllocsPerRun(20, func() {
		if errs, err := Decode(b, benchNow, Limits{}, &dst); err != nil || errs != nil {
			t.Fatal(errs, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per 1000-datum body, want 0", allocs)
	}
}

// TestDecodeCacheBounded: a dimension with unbounded values neither grows the string cache
// without bound nor corrupts the strings decoded.
func TestDecodeCacheBounded(t *testing.T) {
	var dst Request
	long := strings.Repeat("x", maxInternSize+1)
	for round := 0; round < 10; round++ {
		var datums []string
		for i := 0; i < 1000; i++ {
			datums = append(datums, fmt.Sprintf(`{"name":"L","dimensions":{"Id":"%d-%d","Long":"%s"},"value":1}`, round, i, long))
		}
		got := decodeOK(t, &dst, body(datums...))
		for i, d := range got {
			if want := fmt.Sprintf("%d-%d", round, i); d.Key.Dims[0].Value != want || d.Key.Dims[1].Value != long {
				t.Fatalf("round %d datum %d: dims %v", round, i, d.Key.Dims)
			}
		}
		if n := len(dst.strs.all); n > maxInterned {
			t.Fatalf("cache holds %d strings, more than %d", n, maxInterned)
		}
	}
}

func TestDecodeNDJSON(t *testing.T) {
	var dst Request
	in := "{\"environment\":\"prod\",\"namespace\":\"App\"}\r\n\n" +
		"{\"name\":\"A\",\"value\":1}\n  \n" +
		"{\"name\":\"B\",\"values\":[1,2],\"dimensions\":{\"H\":\"x\"}}\n"
	errs, err := DecodeNDJSON([]byte(in), now, Limits{}, &dst)
	if err != nil || errs != nil {
		t.Fatal(errs, err)
	}
	want := []metric.Datum{
		{Key: metric.SeriesKey{Env: "prod", Namespace: "App", Name: "A", Unit: metric.UnitNone}, Time: now, Resolution: 60, Value: 1, HasValue: true},
		{Key: metric.SeriesKey{Env: "prod", Namespace: "App", Name: "B", Unit: metric.UnitNone, Dims: []metric.Dim{{Name: "H", Value: "x"}}},
			Time: now, Resolution: 60, Values: []float64{1, 2}},
	}
	if !reflect.DeepEqual(dst.Datums, want) {
		t.Errorf("datums =\n%+v\nwant\n%+v", dst.Datums, want)
	}

	bad := []struct{ in, field, msg string }{
		{"", "", `the body is empty; its first line must be {"namespace": ...}`},
		{`{"namespace":"App"}`, "metric_data", "must hold at least one datum"},
		{`{"namespace":"App","metric_data":[]}`, "metric_data", "unknown key"},
		{"{\"namespace\":\"App\"}\n{\"name\":\"A\",\n\"value\":1}", "metric_data[0]", "invalid JSON at line 2, byte offset 32: expected a string key, found end of input"},
		{"{\"namespace\":\"App\"}\n{\"name\":\"A\",\"value\":1} {}", "metric_data[0]", "invalid JSON at line 2, byte offset 43: unexpected '{' after the object; NDJSON holds one object per line"},
		{"{\"namespace\":\"App\"}\n{}\n{}\n{}", "metric_data", "at most 2 datums per request, got 3"},
	}
	for _, tt := range bad {
		_, err := DecodeNDJSON([]byte(tt.in), now, Limits{MaxDatums: 2}, &dst)
		if e, ok := err.(*Error); !ok || e.Field != tt.field || e.Message != tt.msg {
			t.Errorf("DecodeNDJSON(%q) = %v\nwant %s: %s", tt.in, err, tt.field, tt.msg)
		}
	}
	errs, err = DecodeNDJSON([]byte("{\"namespace\":\"App\"}\n{\"name\":\"A\",\"value\":1}\n{\"name\":\"B\",\"valu\":1}\n"), now, Limits{}, &dst)
	if err != nil || len(errs) != 1 || errs[0] != (DatumError{1, "metric_data[1].valu", "unknown key"}) {
		t.Errorf("DecodeNDJSON datum error = %v, %v", errs, err)
	}
}
