package statsd

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

type value struct {
	v      float64
	signed bool
}

type tag struct{ name, value string }

func values(l Line) []value {
	var out []value
	for it := l.Values(); ; {
		v, signed, ok := it.Next()
		if !ok {
			return out
		}
		out = append(out, value{v, signed})
	}
}

func tags(l Line) []tag {
	var out []tag
	for it := l.Tags(); ; {
		n, v, ok := it.Next()
		if !ok {
			return out
		}
		out = append(out, tag{string(n), string(v)})
	}
}

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line   string
		name   string
		typ    Type
		values []value // nil for sets
		member string  // sets
		rate   float64
		tags   []tag
	}{
		{line: "hits:1|c", name: "hits", typ: Counter, values: []value{{1, false}}, rate: 1},
		{line: "hits:3|c|@0.1", name: "hits", typ: Counter, values: []value{{3, false}}, rate: 0.1},
		{line: "hits:-2.5|c\r", name: "hits", typ: Counter, values: []value{{-2.5, true}}, rate: 1},
		{line: "temp:21.5|g", name: "temp", typ: Gauge, values: []value{{21.5, false}}, rate: 1},
		{line: "temp:+3|g", name: "temp", typ: Gauge, values: []value{{3, true}}, rate: 1},
		{line: "temp:-3|g", name: "temp", typ: Gauge, values: []value{{-3, true}}, rate: 1},
		{line: "lat:320|ms", name: "lat", typ: Timer, values: []value{{320, false}}, rate: 1},
		{line: "lat:1:2:3|ms|@0.5", name: "lat", typ: Timer, values: []value{{1, false}, {2, false}, {3, false}}, rate: 0.5},
		{line: "size:1e3|h", name: "size", typ: Histogram, values: []value{{1000, false}}, rate: 1},
		{line: "size:.5|d", name: "size", typ: Distribution, values: []value{{0.5, false}}, rate: 1},
		{line: "big:12345678901234567890|d", name: "big", typ: Distribution, values: []value{{12345678901234567890, false}}, rate: 1},
		{line: "users:alice|s", name: "users", typ: Set, member: "alice", rate: 1},
		{line: "users:a:b|s", name: "users", typ: Set, member: "a:b", rate: 1},
		{line: "req:1|c|#env:prod,host:a:b,canary,,team:|c:abc123|T1656581400", name: "req", typ: Counter,
			values: []value{{1, false}}, rate: 1,
			tags: []tag{{"env", "prod"}, {"host", "a:b"}, {"canary", ""}, {"team", ""}}},
		{line: "req:1|c|@1|#a:1|e:it-false,cn-r,pu-9|card:low|future", name: "req", typ: Counter, values: []value{{1, false}}, rate: 1,
			tags: []tag{{"a", "1"}}},
		{line: "dotted.name-with_all/sorts of chars é:1|c", name: "dotted.name-with_all/sorts of chars é", typ: Counter, values: []value{{1, false}}, rate: 1},
	} {
		t.Run(tc.line, func(t *testing.T) {
			l, err := ParseLine([]byte(tc.line))
			if err != nil {
				t.Fatalf("ParseLine: %v", err)
			}
			if string(l.Name) != tc.name || l.Type != tc.typ || l.Rate != tc.rate {
				t.Errorf("got name %q type %v rate %g, want %q %v %g", l.Name, l.Type, l.Rate, tc.name, tc.typ, tc.rate)
			}
			if tc.typ == Set {
				if string(l.RawValue) != tc.member {
					t.Errorf("member %q, want %q", l.RawValue, tc.member)
				}
			} else if got := values(l); !slices.Equal(got, tc.values) {
				t.Errorf("values %v, want %v", got, tc.values)
			}
			if got := tags(l); !slices.Equal(got, tc.tags) {
				t.Errorf("tags %q, want %q", got, tc.tags)
			}
		})
	}
}

func TestParseLineRejects(t *testing.T) {
	long := strings.Repeat("x", 256)
	for _, tc := range []struct {
		line string
		want *ParseError
	}{
		{":1|c", ErrEmptyName},
		{long + ":1|c", ErrBadName},
		{"a\tb:1|c", ErrBadName},
		{"a\x00b:1|c", ErrBadName},
		{"\xff\xfe:1|c", ErrBadName},
		{"hits", ErrBadValue},
		{"hits:|c", ErrBadValue},
		{"hits:abc|c", ErrBadValue},
		{"hits:1:|c", ErrBadValue},
		{"hits:NaN|c", ErrBadValue},
		{"hits:Inf|g", ErrBadValue},
		{"hits:0x10|c", ErrBadValue},
		{"hits:1e400|c", ErrBadValue},
		{"hits:1e300|c", ErrBadValue}, // beyond ±2^360
		{"hits:1.2.3|ms", ErrBadValue},
		{"hits:-|ms", ErrBadValue},
		{"users:|s", ErrBadValue},
		{"hits:1", ErrBadType},
		{"hits:1|", ErrBadType},
		{"hits:1|x", ErrBadType},
		{"hits:1|C", ErrBadType},
		{"hits:1|c |@0.1", ErrBadType},
		{"hits:1|mss", ErrBadType},
		{"hits:1|c|@0", ErrBadRate},
		{"hits:1|c|@1.5", ErrBadRate},
		{"hits:1|c|@-0.5", ErrBadRate},
		{"hits:1|c|@", ErrBadRate},
		{"hits:1|c|@x", ErrBadRate},
		{"hits:1|c|@0.5|@0.5", ErrBadRate},
		{"hits:1|c|#:v", ErrBadTag},
		{"hits:1|c|#a:1|#b:2", ErrBadTag},
		{"hits:1|c|#caf\xc3\xa9:1", ErrBadTag},
		{"hits:1|c|#a:\x01", ErrBadTag},
		{"hits:1|c|# :1", ErrBadTag},
		{"hits:1|c|#a:" + strings.Repeat("v", 1025), ErrBadTag},
		{"hits:1|c|#" + long + ":v", ErrBadTag},
		{"_e{5,4}:title|text", ErrUnsupported},
		{"_sc|check|0", ErrUnsupported},
	} {
		t.Run(tc.line[:min(len(tc.line), 40)], func(t *testing.T) {
			_, err := ParseLine([]byte(tc.line))
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParseLine(%q) = %v, want %v", tc.line, err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !slices.Contains(Reasons(), pe.Reason) {
				t.Fatalf("reason of %v is not one of Reasons()", err)
			}
		})
	}
}

func TestParseNumberMatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "+1", "0.1", "123.456", "999999999999999", "0.000000000000001",
		"3.141592653589793", "1e-5", "2.5E+10", "00012", "7."} {
		got, ok := parseNumber([]byte(s))
		if !ok {
			t.Fatalf("parseNumber(%q) refused", s)
		}
		want, _ := parseSlow([]byte(s))
		if got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("parseNumber(%q) = %v, strconv says %v", s, got, want)
		}
	}
}

func TestParseLineDoesNotAllocate(t *testing.T) {
	lines := [][]byte{
		[]byte("api.requests:1:2:3.5|ms|@0.25|#env:prod,host:web-1,region:eu-west-1|c:abc|T1656581400"),
		[]byte("users:alice|s|#a:b"),
		[]byte("hits:1|c|@x"), // rejects allocate nothing either
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, b := range lines {
			l, _ := ParseLine(b)
			for it := l.Values(); ; {
				if _, _, ok := it.Next(); !ok {
					break
				}
			}
			for it := l.Tags(); ; {
				if _, _, ok := it.Next(); !ok {
					break
				}
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("ParseLine allocated %v times per run", allocs)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"hits:1|c", "lat:1:2:3|ms|@0.5|#a:b,c", "temp:-3|g", "u:x|s|#", "_e{1,1}:a|b",
		"x:1e5|d|T123|c:abc", "x:1|c|@0.1|@0.2", ":|", "a:1|h|#a:1,a:2,b", "a:1.|c\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLine(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !slices.Contains(Reasons(), pe.Reason) {
				t.Fatalf("error %v has no known reason", err)
			}
			return
		}
		if len(l.Name) == 0 || l.Type == 0 || !(l.Rate > 0 && l.Rate <= 1) {
			t.Fatalf("accepted %q as %+v", b, l)
		}
		n := 0
		for it := l.Values(); l.Type != Set; n++ {
			v, _, ok := it.Next()
			if !ok {
				break
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted non-finite value in %q", b)
			}
		}
		if l.Type != Set && n == 0 {
			t.Fatalf("accepted %q without values", b)
		}
		// Whatever is accepted must aggregate into valid datums.
		a := NewAggregator(Options{})
		a.AddLine(&l)
		for _, d := range a.Flush(fuzzNow) {
			if err := d.Validate(fuzzNow); err != nil {
				t.Fatalf("line %q gave invalid datum %+v: %v", b, d, err)
			}
		}
	})
}
