package pattern

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestInvalidEvents(t *testing.T) {
	p := mustCompile(t, `{"a":{"b":["x"]},"c":[1]}`)
	cases := []struct {
		event string
		off   int
		msg   string
	}{
		{``, 0, "unexpected end of input"},
		{`   `, 3, "unexpected end of input"},
		{`[]`, 0, "must be a JSON object"},
		{`"x"`, 0, "must be a JSON object"},
		{`{"a":`, 5, "unexpected end of input"},
		{`{"a":{"b":"x"`, 13, "expected ',' or '}'"},
		{`{"z":{"b":"x"`, 13, "expected ',' or '}'"},
		{`{} {}`, 3, "unexpected data after the event"},
		{`{"a":1,}`, 7, "member name in double quotes"},
		{`{'a':1}`, 1, "member name in double quotes"},
		{`{"a" 1}`, 5, "expected ':'"},
		{`{"c":1 "b":2}`, 7, "expected ',' or '}'"},
		{`{"c":01}`, 6, "expected ',' or '}'"},
		{`{"z":01}`, 6, "expected ',' or '}'"},
		{`{"c":-}`, 6, "invalid number"},
		{`{"c":1.}`, 7, "invalid number"},
		{`{"c":1e}`, 7, "invalid number"},
		{`{"c":.5}`, 5, "invalid number"},
		{`{"c":NaN}`, 5, "invalid number"},
		{`{"c":tru}`, 5, "invalid literal"},
		{`{"z":[nul]}`, 6, "invalid literal"},
		{`{"a":"\x"}`, 6, "invalid escape"},
		{`{"z":"\u12G4"}`, 6, "invalid escape"},
		{"{\"a\":\"\x01\"}", 6, "control character"},
		{"{\"z\":\"\t\"}", 6, "control character"},
		{`{"a":"x`, 7, "unterminated string"},
		{`{"z":[1,2}`, 9, "expected ',' or ']'"},
		{`{"z":{"y":[1,2}}`, 14, "expected ',' or ']'"},
		{`{"a":[{"b":"x"]}`, 14, "expected ',' or '}'"},
		{`{"c":[1,]}`, 8, "invalid number"},
	}
	for _, c := range cases {
		_, err := p.Match([]byte(c.event))
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Match(%q) = %v, want an *Error", c.event, err)
			continue
		}
		if pe.Offset != c.off || !strings.HasPrefix(pe.Msg, "invalid event: ") || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("Match(%q): got offset %d msg %q, want offset %d msg containing %q", c.event, pe.Offset, pe.Msg, c.off, c.msg)
		}
		if !strings.HasPrefix(pe.Error(), "invalid event at line 1, column ") {
			t.Errorf("Error() = %q", pe.Error())
		}
	}
}

func TestEventNesting(t *testing.T) {
	p := mustCompile(t, `{"a":["x"]}`)
	nest := func(n int, open, close, leaf string) string {
		return strings.Repeat(open, n) + leaf + strings.Repeat(close, n)
	}
	cases := []struct {
		event string
		ok    bool // valid (depth ≤ 1000)
		match bool
	}{
		{`{"a":` + nest(999, "[", "]", `"x"`) + `}`, true, true},
		{`{"a":` + nest(1000, "[", "]", `"x"`) + `}`, false, false},
		{`{"z":` + nest(998, `{"z":`, "}", `{}`) + `,"a":"x"}`, true, true},
		{`{"z":` + nest(999, `{"z":`, "}", `{}`) + `,"a":"x"}`, false, false},
		{`{"z":` + nest(999, "[", "]", "1") + `,"a":"x"}`, true, true},
		{`{"z":` + nest(1000, "[", "]", "1") + `,"a":"x"}`, false, false},
		{`{"z":` + nest(300, `[{"y":`, "}]", "1") + `,"a":"x"}`, true, true},
		{`{"z":` + nest(300, `[{"y":`, "]}", "1") + `,"a":"x"}`, false, false},
		{`{"z":` + nest(200, `[{"y":`, "}]", "[]") + `,"a":"x"}`, true, true},
	}
	for i, c := range cases {
		got, err := p.Match([]byte(c.event))
		if (err == nil) != c.ok || got != c.match {
			t.Errorf("case %d: got %v, %v; want valid %v match %v", i, got, err, c.ok, c.match)
		}
	}
}

func TestMatcherAPI(t *testing.T) {
	m := NewMatcher()
	if m.Len() != 0 {
		t.Fatal("new matcher not empty")
	}
	if ids, err := m.Match([]byte(`{"a":1}`), nil); err != nil || len(ids) != 0 {
		t.Fatalf("empty matcher: %v %v", ids, err)
	}
	if _, err := m.Match([]byte(`{"a":`), nil); err == nil {
		t.Fatal("empty matcher accepted invalid JSON")
	}
	m.Add(30, mustCompile(t, `{"a":[1]}`))
	m.Add(10, mustCompile(t, `{"$or":[{"a":[1]},{"a":[{"numeric":[">",0]}]}]}`))
	m.Add(20, mustCompile(t, `{"a":[2]}`))
	m.Add(5, mustCompile(t, `{"b":[{"exists":false}]}`))
	if m.Len() != 4 {
		t.Fatalf("Len = %d", m.Len())
	}
	dst := []int{99}
	ids, err := m.Match([]byte(`{"a":1}`), dst)
	if err != nil || !slices.Equal(ids, []int{99, 5, 10, 30}) {
		t.Errorf("Match appended %v, %v; want [99 5 10 30] (dst kept, ascending ids, each once)", ids, err)
	}
	m.Add(1, mustCompile(t, `{"a":[{"numeric":["<",5]}]}`)) // adding after matching rebuilds
	if ids, _ := m.Match([]byte(`{"a":2,"b":null}`), nil); !slices.Equal(ids, []int{1, 10, 20}) {
		t.Errorf("after Add: %v", ids)
	}
	if ids, err := m.Match([]byte(`{"a":`), []int{7}); err == nil || !slices.Equal(ids, []int{7}) {
		t.Errorf("invalid event: %v %v", ids, err)
	}
}

func TestMatchConcurrent(t *testing.T) {
	m, events := benchWorkload(t, 2000)
	want := make([][]int, 200)
	for i := range want {
		want[i], _ = m.Match(events[i], nil)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []int
			for r := 0; r < 5; r++ {
				for i := range want {
					dst, _ = m.Match(events[i], dst[:0])
					if !slices.Equal(dst, want[i]) {
						t.Errorf("concurrent Match of event %d = %v, want %v", i, dst, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestMatchAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	m, events := benchWorkload(t, 2000)
	dst := make([]int, 0, 64)
	for _, e := range events { // warm the scratch buffers
		dst, _ = m.Match(e, dst[:0])
	}
	i := 0
	allocs := testing.AllocsPerRun(2000, func() {
		dst, _ = m.Match(events[i%len(events)], dst[:0])
		i++
	})
	if allocs != 0 {
		t.Errorf("Match allocates %.2f times per call", allocs)
	}
}
