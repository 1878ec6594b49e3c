package pattern

import (
	"errors"
	"strings"
	"testing"
)

// TestInvalidPatterns checks that invalid patterns are rejected with a message naming the
// problem and the path of the offending element.
func TestInvalidPatterns(t *testing.T) {
	cases := []struct{ pattern, path, msg string }{
		{`[]`, "", "must be a JSON object"},
		{`{}`, "", "empty objects are not allowed"},
		{`{"a":{}}`, "a", "empty objects are not allowed"},
		{`{"a":1}`, "a", `"a" must be an object or an array`},
		{`{"a":null}`, "a", `"a" must be an object or an array`},
		{`{"a":[[1]]}`, "a[0]", "not an array"},
		{`{"a":[{}]}`, "a[0]", "empty match expression"},
		{`{"a":["x",{"exists":true}]}`, "a[1]", "exists must be the only element"},
		{`{"a":[{"prefix":1}]}`, "a[0].prefix", "prefix match pattern must be a string"},
		{`{"a":[{"prefix":{"equals-ignore-case":1}}]}`, "a[0].prefix", "prefix match pattern must be a string"},
		{`{"a":[{"suffix":{"foo":"x"}}]}`, "a[0].suffix", "suffix match pattern must be a string"},
		{`{"a":[{"equals-ignore-case":["x"]}]}`, "a[0].equals-ignore-case", "must be a string"},
		{`{"a":[{"anything-but":true}]}`, "a[0].anything-but", "must be a string, a number, a list or an object"},
		{`{"a":[{"anything-but":null}]}`, "a[0].anything-but", "must be a string, a number, a list or an object"},
		{`{"a":[{"anything-but":[]}]}`, "a[0].anything-but", "must not be empty"},
		{`{"a":[{"anything-but":[null]}]}`, "a[0].anything-but[0]", "must be strings or numbers"},
		{`{"a":[{"anything-but":[1,"a"]}]}`, "a[0].anything-but[1]", "mixed type"},
		{`{"a":[{"anything-but":{"prefix":""}}]}`, "a[0].anything-but.prefix", "must not be empty"},
		{`{"a":[{"anything-but":{"suffix":["x",""]}}]}`, "a[0].anything-but.suffix", "must not be empty"},
		{`{"a":[{"anything-but":{"prefix":5}}]}`, "a[0].anything-but.prefix", "must be a string or a list of strings"},
		{`{"a":[{"anything-but":{"prefix":[]}}]}`, "a[0].anything-but.prefix", "must not be empty"},
		{`{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "a[0].anything-but", "unrecognized anything-but match type numeric"},
		{`{"a":[{"anything-but":{"prefix":"a","suffix":"b"}}]}`, "a[0].anything-but", "exactly one key"},
		{`{"a":[{"anything-but":{"wildcard":"a**"}}]}`, "a[0].anything-but.wildcard", "consecutive wildcard characters at position 2"},
		{`{"a":[{"numeric":">"}]}`, "a[0].numeric", "must be an array"},
		{`{"a":[{"numeric":[">"]}]}`, "a[0].numeric", "2 elements"},
		{`{"a":[{"numeric":[">",1,"<"]}]}`, "a[0].numeric", "2 elements"},
		{`{"a":[{"numeric":[">",1,"<",2,3]}]}`, "a[0].numeric", "too many elements"},
		{`{"a":[{"numeric":["!=",1]}]}`, "a[0].numeric[0]", "unrecognized numeric operator"},
		{`{"a":[{"numeric":[">","1"]}]}`, "a[0].numeric[1]", "must be a number"},
		{`{"a":[{"numeric":["=",1,"<",2]}]}`, "a[0].numeric[2]", "too many elements"},
		{`{"a":[{"numeric":[">",1,">",2]}]}`, "a[0].numeric[2]", "too many elements"},
		{`{"a":[{"numeric":[">",5,"<",5]}]}`, "a[0].numeric[3]", "lower bound must be less than the upper bound"},
		{`{"a":[{"numeric":[">",1e999]}]}`, "a[0].numeric[1]", "out of range"},
		{`{"a":[{"exists":1}]}`, "a[0].exists", "either true or false"},
		{`{"a":[{"cidr":"10.0.0.0"}]}`, "a[0].cidr", "not a valid CIDR block"},
		{`{"a":[{"cidr":"10.0.0.0/33"}]}`, "a[0].cidr", "not a valid CIDR block"},
		{`{"a":[{"cidr":"10.0.0.1/32"}]}`, "a[0].cidr", "fewer than 32 bits"},
		{`{"a":[{"cidr":"2001:db8::1/128"}]}`, "a[0].cidr", "fewer than 128 bits"},
		{`{"a":[{"cidr":"fe80::/10%eth0"}]}`, "a[0].cidr", "not a valid CIDR block"},
		{`{"a":[{"cidr":5}]}`, "a[0].cidr", "must be a string"},
		{`{"a":[{"wildcard":"**"}]}`, "a[0].wildcard", "consecutive wildcard characters at position 1"},
		{`{"a":[{"wildcard":"ab\\"}]}`, "a[0].wildcard", "invalid escape character at position 3"},
		{`{"a":[{"wildcard":"\\a"}]}`, "a[0].wildcard", "invalid escape character at position 1"},
		{`{"a":[{"wildcard":7}]}`, "a[0].wildcard", "must be a string"},
		{`{"a":[{"exactly":"x"}]}`, "a[0]", "unrecognized match type exactly"},
		{`{"$or":[{"a":[1]}]}`, "$or", "at least 2 alternatives"},
		{`{"$or":[]}`, "$or", "at least 2 alternatives"},
		{`{"$or":[{"a":[1]},{}]}`, "$or[1]", "empty objects are not allowed"},
		{`{"$or":[{"a":[1]},{"b":2}]}`, "$or[1].b", `"b" must be an object or an array`},
		{`{"x":{"$or":[{"a":[1]},{"b":[{"foo":1}]}]}}`, "x.$or[1].b[0]", "unrecognized match type foo"},
		{`{"$or":[{"a":[1]},"x"]}`, "$or[0]", "unrecognized match type a"},
		{`{"a":["x",]}`, "a[1]", "unexpected character ']'"},
		{`{"a":["x"]`, "", "unexpected end of input"},
		{`{"a":["x"]} {}`, "", "after the pattern"},
		{`{"a":["\x"]}`, "a[0]", "invalid escape sequence"},
		{"{\"a\":[\"\x01\"]}", "a[0]", "control character"},
		{`{"a":[01]}`, "a", "expected ',' or ']'"},
		{`{"a":[-]}`, "a[0]", "invalid number"},
		{`{"a":[tru]}`, "a[0]", "expected true"},
		{`{a:[1]}`, "", "member name in double quotes"},
		{``, "", "unexpected end of input"},
	}
	for _, c := range cases {
		_, err := Compile([]byte(c.pattern))
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Compile(%s) = %v, want an *Error", c.pattern, err)
			continue
		}
		if pe.Path != c.path || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("Compile(%s):\n got path %q msg %q\nwant path %q msg containing %q", c.pattern, pe.Path, pe.Msg, c.path, c.msg)
		}
		if Validate([]byte(c.pattern)) == nil {
			t.Errorf("Validate(%s) = nil", c.pattern)
		}
	}
}

func TestErrorPosition(t *testing.T) {
	src := "{\n  \"detail\": {\n    \"state\": [\"a\", {\"numeric\": [\"<\"]}]\n  }\n}"
	_, err := Compile([]byte(src))
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
	want := Error{Path: "detail.state[1].numeric", Offset: strings.Index(src, `["<"]`), Line: 3, Col: 32, Msg: pe.Msg}
	if *pe != want {
		t.Errorf("got %+v, want %+v", *pe, want)
	}
	if got := pe.Error(); got != "invalid event pattern at line 3, column 32 (detail.state[1].numeric): "+pe.Msg {
		t.Errorf("Error() = %q", got)
	}

	// Columns count characters, not bytes.
	_, err = Compile([]byte(`{"é":[{"foo":1}]}`))
	if !errors.As(err, &pe) || pe.Line != 1 || pe.Col != 8 || pe.Offset != 8 || pe.Path != "é[0]" {
		t.Errorf("got %+v", pe)
	}

	// No path at the root.
	_, err = Compile([]byte("\n\n  [1]"))
	if !errors.As(err, &pe) || pe.Error() != "invalid event pattern at line 3, column 3: a pattern must be a JSON object" {
		t.Errorf("got %v", err)
	}
}

func TestLimits(t *testing.T) {
	// Size: 4096 bytes are allowed, 4097 are not.
	pad := func(n int) string {
		p := `{"a":["` + strings.Repeat("x", n) + `"]}`
		return p
	}
	if _, err := Compile([]byte(pad(4096 - len(pad(0))))); err != nil {
		t.Errorf("4096-byte pattern: %v", err)
	}
	_, err := Compile([]byte(pad(4097 - len(pad(0)))))
	if err == nil || !strings.Contains(err.Error(), "pattern is 4097 bytes, more than the limit of 4096") {
		t.Errorf("4097-byte pattern: %v", err)
	}

	// Nesting.
	deep := func(n int) string {
		return strings.Repeat(`{"a":`, n-1) + `{"b":[1]}` + strings.Repeat(`}`, n-1)
	}
	if _, err := Compile([]byte(deep(99))); err != nil {
		t.Errorf("99 levels: %v", err)
	}
	if _, err := Compile([]byte(deep(101))); err == nil || !strings.Contains(err.Error(), "nested deeper than 100") {
		t.Errorf("101 levels: %v", err)
	}

	// $or combinations: 10 × 100 = 1000 are allowed, 32 × 32 = 1024 are not; nested ones
	// count by expansion.
	alts := func(n int, key string) string {
		var b []string
		for i := 0; i < n; i++ {
			b = append(b, `{"`+key+`":[`+strings.Repeat("1", 1+i%3)+`]}`)
		}
		return `[` + strings.Join(b, ",") + `]`
	}
	p1000 := `{"x":{"$or":` + alts(10, "a") + `},"$or":` + alts(100, "b") + `}`
	if p, err := Compile([]byte(p1000)); err != nil || len(p.branches) != 1000 {
		t.Errorf("1000 combinations: %v", err)
	}
	p1024 := `{"x":{"$or":` + alts(32, "a") + `},"$or":` + alts(32, "b") + `}`
	if _, err := Compile([]byte(p1024)); err == nil || !strings.Contains(err.Error(), "more than 1000 combinations") {
		t.Errorf("1024 combinations: %v", err)
	}
	nested := `{"$or":[{"$or":` + alts(10, "a") + `,"z":{"$or":` + alts(10, "b") + `}},{"$or":` + alts(10, "c") + `,"y":{"$or":` + alts(10, "d") + `}}]}`
	if p, err := Compile([]byte(nested)); err != nil || len(p.branches) != 200 {
		t.Errorf("nested $or: %v", err)
	}
}

func TestString(t *testing.T) {
	cases := map[string]string{
		`{ "b" : [ 1.50, "x\u0041" ], "a": {"c":[null,true,false]} }`: `{"a":{"c":[null,true,false]},"b":[1.50,"xA"]}`,
		`{"a":["x"],"a":["y"]}`: `{"a":["y"]}`,
		`{"a":[{"numeric":[">",3.018e2]}],"$or":[{"b":["\n\t\"\\"]},{"c":["é"]}]}`: `{"$or":[{"b":["\n\t\"\\"]},{"c":["é"]}],"a":[{"numeric":[">",3.018e2]}]}`,
	}
	for src, want := range cases {
		p := mustCompile(t, src)
		if got := p.String(); got != want {
			t.Errorf("String(%s) = %s, want %s", src, got, want)
		}
		if q := mustCompile(t, p.String()); q.String() != want {
			t.Errorf("String not stable: %s", q)
		}
	}
}
