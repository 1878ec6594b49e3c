package putmetric

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/metric"
)

// FuzzDecode compares Decode with the encoding/json reference decoder: both reject the body
// or both accept it; when neither rejects the body as a whole they find the same invalid
// datums, and when all datums are valid they decode the same datums, and DecodeNDJSON
// decodes them too. Decode must never panic. One Request is reused across inputs, as the
// server does. Each input is tried as a body and as the datums of a valid envelope, so that
// mutations reach the datum rules rather than mostly breaking the envelope.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		benchBody(3),
		body(`{"name":"L","value":1}`),
		body(`{"name":"caf\u00e9\ud83d\ude00\ud800","dimensions":{"H\"":"a\/b"},"values":[1,2e-3],"counts":[1,0]}`),
		body(`{"name":"L","statistic_values":{"sample_count":1,"sum":1,"minimum":1,"maximum":1},"storage_resolution":1}`),
		body(`{"name":"L","value":1,"timestamp":"2026-03-01T11:00:00.5+01:00"}`, `{"name":"L","value":-0.0,"timestamp":1772362800123}`),
		body(`{"name":"L","value":1,"value":2}`, `{"name":"L","value":"x"}`, `{"name":"L","value":1e400}`),
		`{"environment":"prod","namespace":"A","metric_data":[{"name":"L","value":1,"unit":"Count"}]}`,
		`{"namespace":"A","metric_data":[1,{"name":"L","x":[{"y":null,"z":true}],"value":1}]}`,
		`{"name":"Latency","dimensions":{"Host":"a","Az":"b"},"unit":"Milliseconds","value":12.5,"timestamp":1772362800}`,
		`{"name":"L","values":[1,2,3],"counts":[1,1,2],"timestamp":"2026-03-01T11:00:00Z"},{"name":"M","value":0}`,
		`{"name":"L","statistic_values":{"sample_count":2,"sum":3,"minimum":1,"maximum":2}}`,
		`{"name":"\u00e9\ud83d\ude00","dimensions":{"a\/b":"\u0041"},"value":-1.5e-3,"storage_resolution":60}`,
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxDatums: 4, MaxBodyBytes: 4096}
	var dst Request
	f.Fuzz(func(t *testing.T, in []byte) {
		differential(t, in, lim, &dst)
		differential(t, []byte(body(string(in))), lim, &dst)
	})
}

func differential(t *testing.T, in []byte, lim Limits, dst *Request) {
	t.Helper()
	errs, err := Decode(in, now, lim, dst)
	ref, bad, items, refErr := refDecode(in, now, lim)
	failed, refFailed := err != nil || len(errs) > 0, refErr != nil || len(bad) > 0
	if failed != refFailed {
		t.Fatalf("Decode: %v %v\nreference: %v %v", err, errs, refErr, bad)
	}
	if err != nil || refErr != nil {
		return
	}
	var idx []int
	for _, e := range errs {
		idx = append(idx, e.Index)
	}
	if !slices.Equal(idx, bad) {
		t.Fatalf("invalid datums %v (%v), reference %v", idx, errs, bad)
	}
	if failed {
		return
	}
	if dst.Environment != ref.Environment || dst.Namespace != ref.Namespace || len(dst.Datums) != len(ref.Datums) {
		t.Fatalf("envelope %q %q %d, reference %q %q %d", dst.Environment, dst.Namespace, len(dst.Datums),
			ref.Environment, ref.Namespace, len(ref.Datums))
	}
	for i := range dst.Datums {
		if msg := datumDiff(&dst.Datums[i], &ref.Datums[i]); msg != "" {
			t.Fatalf("datum %d: %s\ngot  %+v\nwant %+v", i, msg, dst.Datums[i], ref.Datums[i])
		}
	}

	// The same request as NDJSON decodes to the same datums.
	nd := ndjson(t, ref.Environment, ref.Namespace, items)
	if errs, err := DecodeNDJSON(nd, now, lim, dst); err != nil || errs != nil {
		t.Fatalf("DecodeNDJSON(%s) = %v, %v", nd, errs, err)
	}
	for i := range dst.Datums {
		if msg := datumDiff(&dst.Datums[i], &ref.Datums[i]); msg != "" {
			t.Fatalf("NDJSON datum %d: %s\ngot  %+v\nwant %+v", i, msg, dst.Datums[i], ref.Datums[i])
		}
	}
}

func ndjson(t *testing.T, env, ns string, items []json.RawMessage) []byte {
	head := map[string]string{"namespace": ns}
	if env != "" {
		head["environment"] = env
	}
	out, err := json.Marshal(head)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		var line bytes.Buffer
		if err := json.Compact(&line, it); err != nil {
			t.Fatal(err)
		}
		out = append(append(out, '\n'), line.Bytes()...)
	}
	return out
}

func datumDiff(a, b *metric.Datum) string {
	ka, kb := a.Key, b.Key
	same := func(x, y []float64) bool {
		return (x == nil) == (y == nil) && slices.EqualFunc(x, y, func(p, q float64) bool { return math.Float64bits(p) == math.Float64bits(q) })
	}
	switch {
	case ka.Env != kb.Env || ka.Namespace != kb.Namespace || ka.Name != kb.Name || ka.Unit != kb.Unit || !slices.Equal(ka.Dims, kb.Dims):
		return "key"
	case !a.Time.Equal(b.Time):
		return "time"
	case a.Resolution != b.Resolution || a.HasValue != b.HasValue || math.Float64bits(a.Value) != math.Float64bits(b.Value):
		return "value"
	case !same(a.Values, b.Values) || !same(a.Counts, b.Counts):
		return "values"
	case !reflect.DeepEqual(a.Stats, b.Stats):
		return "stats"
	}
	return ""
}

// TestDecodeMatchesReference runs the differential check on generated bodies, which
// byte-level fuzzing seldom makes valid: half have only valid datums, with members in random
// order; the others mix in invalid members.
func TestDecodeMatchesReference(t *testing.T) {
	type pool struct{ good, bad []string }
	pools := map[string]pool{
		"name": {[]string{`"Latency"`, `"caf\u00e9 \ud83d\ude00"`, `"L"`, `"a\"b"`}, []string{`""`, `5`}},
		"unit": {[]string{`"Count"`, `"Milliseconds"`, `"Bytes/Second"`}, []string{`"count"`, `""`, `null`}},
		"dimensions": {[]string{`{}`, `{"Host":"a"}`, `{"B":"1","A":"2","C":"3"}`, `{"H\u0041":"\u0042\/"}`, dims(30)},
			[]string{`{"Host":"a","Host":"b"}`, `{":x":"y"}`, `{"H":""}`, `{"H\u00e9":"v"}`, dims(31), `[]`}},
		"timestamp": {[]string{`1772362800`, `1772362800.5`, `1772362800123`, `1772362800123.25`, `"2026-03-01T11:00:00Z"`,
			`"2026-03-01T11:00:00.123456789123+01:00"`, `"2026-03-01T06:30:00.5-04:30"`},
			[]string{`"2026-02-30T00:00:00Z"`, `"2026-03-01T11:00:00+24:00"`, `"2026-03-01t11:00:00Z"`, `1`, `1e300`, `"x"`, `true`}},
		"storage_resolution": {[]string{`1`, `60`, `60.0`, `6e1`}, []string{`30`, `"1"`}},
		"value": {[]string{`0`, `-0`, `12.5`, `1e-7`, `123456789.123456789`, `2.3485425827738e108`, `-4.9e-324`},
			[]string{`2.4e108`, `1e400`, `"1"`, `[1]`}},
		"values": {[]string{`[1,2]`, `[0.5,-1e-300]`, numbers(150)}, []string{`[]`, numbers(151), `[1,"x"]`, `{}`}},
		"counts": {[]string{`[1,1]`, `[0,2.5]`}, []string{`[1]`, `[-1,1]`, numbers(151)}},
		"statistic_values": {[]string{`{"sample_count":2,"sum":3,"minimum":1,"maximum":2}`, `{"maximum":2,"minimum":-1,"sum":1e10,"sample_count":0.5}`},
			[]string{`{"sample_count":2,"sum":3,"minimum":1}`, `{"sample_count":0,"sum":3,"minimum":1,"maximum":2}`,
				`{"sample_count":2,"sum":3,"minimum":3,"maximum":2}`, `{"sample_count":2,"sum":3,"minimum":1,"maximum":2,"avg":1}`}},
		"valeu": {nil, []string{`1`}},
	}
	keys := slices.Sorted(maps.Keys(pools))
	forms := []string{"value", "values", "statistic_values"}
	rng := rand.New(rand.NewPCG(1, 2))
	member := func(k string, valid bool) string {
		p := pools[k]
		choice := p.good
		if !valid && rng.IntN(2) == 0 || len(p.good) == 0 {
			choice = p.bad
		}
		if k == "counts" && valid { // counts must match the two-element values
			return `"counts":` + choice[rng.IntN(len(choice))]
		}
		return strconv.Quote(k) + ":" + choice[rng.IntN(len(choice))]
	}
	var dst Request
	for i := range 6000 {
		valid := i%2 == 0
		var datums []string
		for range 1 + rng.IntN(6) {
			members := []string{member("name", valid)}
			form := forms[rng.IntN(len(forms))]
			for _, k := range keys {
				switch {
				case k == "name":
				case k == form || !valid && rng.IntN(4) == 0:
					members = append(members, member(k, valid))
				case valid && k != "counts" && !slices.Contains(forms, k) && k != "valeu" && rng.IntN(2) == 0:
					members = append(members, member(k, valid))
				}
			}
			if valid && form == "values" && rng.IntN(2) == 0 {
				members[len(members)-1] = `"values":[1,2]`
				members = append(members, member("counts", valid))
			}
			rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
			if !valid && rng.IntN(20) == 0 {
				members = append(members, members[0])
			}
			datums = append(datums, "{"+strings.Join(members, ",")+"}")
		}
		b := body(datums...)
		if rng.IntN(4) == 0 {
			b = `{"environment":"prod",` + b[1:]
		}
		errs, err := Decode([]byte(b), now, Limits{}, &dst)
		if valid && (err != nil || errs != nil) {
			t.Fatalf("valid body %s: %v %v", b, errs, err)
		}
		differential(t, []byte(b), Limits{}, &dst)
	}
}
