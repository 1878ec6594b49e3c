package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// FuzzDifferential checks the Matcher against the reference matcher. An input starting with
// 'J' is a literal "pattern\x00event" pair; any other input drives a grammar that derives one
// to three patterns, an event shaped after each and a random event. Every input is also compiled as a pattern as it is.
func FuzzDifferential(f *testing.F) {
	for _, v := range epVectors {
		f.Add([]byte("J" + v.pattern + "\x00" + v.event))
	}
	for _, c := range consistencyCases {
		f.Add([]byte("J" + c.pattern + "\x00" + c.event))
	}
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add(bytes.Repeat([]byte{3, 200, 17, 99}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		Compile(data) // must not panic
		var pats, events []string
		if p, e, ok := bytes.Cut(data, []byte{0}); ok && len(data) > 0 && data[0] == 'J' {
			pats, events = []string{string(p[1:])}, []string{string(e)}
		} else {
			g := &byteGen{b: data}
			for n := 1 + g.n(3); n > 0; n-- {
				pats = append(pats, g.pattern(2))
			}
			for _, p := range pats {
				events = append(events, g.guidedEvent(p))
			}
			events = append(events, g.event(2))
		}
		differential(t, pats, events)
	})
}

// differential compiles pats and asserts that a Matcher of all valid ones, and each Pattern
// alone, agree with the reference on every event.
func differential(t *testing.T, pats, events []string) {
	t.Helper()
	m := NewMatcher()
	var valid []int
	compiled := map[int]*Pattern{}
	for i, src := range pats {
		p, err := Compile([]byte(src))
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%s) error %T, want *Error", src, err)
			}
			continue
		}
		m.Add(i, p)
		valid = append(valid, i)
		compiled[i] = p
	}
	for _, ev := range events {
		if !json.Valid([]byte(ev)) || firstByte([]byte(ev)) != '{' || jsonDepth([]byte(ev)) > maxEventDepth {
			continue
		}
		var want []int
		for _, i := range valid {
			ok, err := refMatch([]byte(pats[i]), []byte(ev))
			if errors.Is(err, errTooCostly) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatalf("reference(%s, %s): %v", pats[i], ev, err)
			}
			if ok {
				want = append(want, i)
			}
			got, err := compiled[i].Match([]byte(ev))
			if err != nil || got != ok {
				t.Errorf("Pattern.Match:\npattern %s\nevent   %s\ngot %v (%v), reference %v", pats[i], ev, got, err, ok)
			}
		}
		got, err := m.Match([]byte(ev), nil)
		if err != nil {
			t.Fatalf("Match(%s): %v", ev, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Matcher.Match:\npatterns %q\nevent    %s\ngot %v, reference %v", pats, ev, got, want)
		}
		if got, err := m.MatchValid([]byte(ev), nil); err != nil || !slices.Equal(got, want) {
			t.Errorf("Matcher.MatchValid:\npatterns %q\nevent    %s\ngot %v (%v), reference %v", pats, ev, got, err, want)
		}
	}
}

// FuzzCompile compiles arbitrary input: no panic, only *Error, never accepting invalid JSON,
// and the canonical form compiles to itself.
func FuzzCompile(f *testing.F) {
	for _, v := range epVectors {
		f.Add([]byte(v.pattern))
	}
	for _, v := range ipVectors {
		f.Add([]byte(v.pattern))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Compile(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T, want *Error", err)
			}
			_ = pe.Error()
			return
		}
		if !json.Valid(src) {
			t.Fatalf("Compile accepted invalid JSON %q", src)
		}
		q, err := Compile([]byte(p.String()))
		if err != nil {
			t.Fatalf("canonical form %s of %s does not compile: %v", p, src, err)
		}
		if q.String() != p.String() {
			t.Fatalf("canonical form not stable: %s then %s", p, q)
		}
	})
}

// fuzzEventPatterns cover every operator over a few paths, for FuzzMatchEvent.
var fuzzEventPatterns = []string{
	`{"a":["x", 1, true, null]}`,
	`{"a":{"b":[{"prefix":"x"}, {"suffix":"y"}]}}`,
	`{"a":[{"equals-ignore-case":"X"}], "b":[{"exists":true}]}`,
	`{"b":[{"exists":false}], "$or":[{"a":[{"numeric":[">",0]}]}, {"c":[{"wildcard":"*z*"}]}]}`,
	`{"a":[{"anything-but":["x","y"]}]}`,
	`{"a":{"b":[{"cidr":"10.0.0.0/8"}], "c":[{"anything-but":{"prefix":"q"}}]}}`,
	`{"c":[{"prefix":{"equals-ignore-case":"é"}}]}`,
}

// FuzzMatchEvent matches arbitrary bytes as an event: no panic, an error exactly when the
// input is not a valid JSON object nested at most 1000 deep, and otherwise the reference's
// answers, which MatchValid gives too (on invalid input it must only return).
func FuzzMatchEvent(f *testing.F) {
	for _, v := range epVectors {
		f.Add([]byte(v.event))
	}
	f.Add([]byte(`{"a":[{"b":"x","c":"z"},{"b":"w","c":"y"}]}`))
	f.Add([]byte(`{"a":"\u0078","a":{"b":"10.1.2.3"}}`))
	f.Add([]byte(` {"a" : [ 1 , 2.5e3 , -0 , "\ud800x" ] } `))
	m := NewMatcher()
	for i, src := range fuzzEventPatterns {
		m.Add(i, mustCompile(f, src))
	}
	f.Fuzz(func(t *testing.T, ev []byte) {
		got, err := m.Match(ev, nil)
		trusted, terr := m.MatchValid(ev, nil)
		valid := json.Valid(ev) && jsonDepth(ev) <= maxEventDepth && firstByte(ev) == '{'
		if (err == nil) != valid {
			t.Fatalf("Match(%q) error %v, but valid object = %v", ev, err, valid)
		}
		if !valid {
			var pe *Error
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(ev) {
				t.Fatalf("Match(%q) error %#v, want an *Error within the input", ev, err)
			}
			return
		}
		var want []int
		for i, src := range fuzzEventPatterns {
			ok, err := refMatch([]byte(src), ev)
			if errors.Is(err, errTooCostly) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatalf("reference: %v", err)
			}
			if ok {
				want = append(want, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Match(%q) = %v, reference %v", ev, got, want)
		}
		if terr != nil || !slices.Equal(trusted, want) {
			t.Fatalf("MatchValid(%q) = %v (%v), reference %v", ev, trusted, terr, want)
		}
	})
}

func mustCompile(tb testing.TB, src string) *Pattern {
	tb.Helper()
	p, err := Compile([]byte(src))
	if err != nil {
		tb.Fatalf("Compile(%s): %v", src, err)
	}
	return p
}

// jsonDepth returns the deepest nesting of objects and arrays in valid JSON b.
func jsonDepth(b []byte) int {
	depth, deepest, inStr := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}
