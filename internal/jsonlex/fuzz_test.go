package jsonlex

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzValid holds a Lexer to encoding/json: a document is valid for Skip exactly when
// json.Valid says so (and, for the strict lexer, when it is valid UTF-8), and a string or a
// number decodes to what json.Unmarshal makes of it.
func FuzzValid(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e+3,true,false,null,"s"],"b":{}}`,
		`"\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"`,
		`"\ud800" "\udc00\ud800" "\ud800\u0041" "\ud800\ud800\udc00"`,
		"\"a\xffb\" \"\xed\xa0\x80\"",
		"\"a\x01b\"", `"\q"`, `"\u12x4"`, `"\u12`, `"abc`,
		`0`, `-0`, `01`, `-`, `1.`, `1e`, `1e+5`, `.5`, `+1`, `1e400`, `123456789012345678901234567890`,
		`nul`, `truex`, `[1 2]`, `{"a" 1}`, `{1:2}`, `[1,]`, `{"a":1,}`, `[`, `]`, ``, " \t\r\n",
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if bytes.Count(in, []byte("["))+bytes.Count(in, []byte("{")) > 5000 {
			return // beyond encoding/json's depth limit, which counts differently
		}
		want := json.Valid(in)
		for _, lossy := range []bool{true, false} {
			l := &Lexer{B: in, MaxDepth: 1 << 20, ReplaceInvalidUTF8: lossy}
			err := lex(l, func(l *Lexer) {
				l.Skip()
				if l.Peek(); l.Pos < len(l.B) {
					panic(Error{Code: ErrValue, Offset: l.Pos}) // trailing data
				}
			})
			if want := want && (lossy || utf8.Valid(in)); (err == nil) != want {
				t.Fatalf("lossy %v: Skip: %v; encoding/json valid: %v", lossy, err, want)
			}
		}
		if !want {
			return
		}
		l := &Lexer{B: in, ReplaceInvalidUTF8: true}
		switch KindOf(l.Peek()) {
		case String:
			var s string
			if err := json.Unmarshal(in, &s); err != nil {
				t.Fatal(err)
			}
			if got := l.Str(); string(got) != s {
				t.Fatalf("Str = %q, encoding/json %q", got, s)
			}
		case Number:
			var v float64
			jerr := json.Unmarshal(in, &v)
			got, _, ok := l.Number()
			if ok != (jerr == nil) || ok && math.Float64bits(got) != math.Float64bits(v) {
				t.Fatalf("Number = %v %v, encoding/json %v %v", got, ok, v, jerr)
			}
		}
	})
}

// TestNumberMatchesParseFloat checks the fast path on random decimals around its limits.
func TestNumberMatchesParseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		digits := strconv.FormatUint(1e18+rng.Uint64N(9e18), 10)[:1+rng.IntN(19)]
		in := digits
		if k := rng.IntN(len(digits) + 1); k > 0 && k < len(digits) {
			in = digits[:k] + "." + digits[k:]
		} else if k == 0 {
			in = "0.00" + digits
		}
		if rng.IntN(2) == 0 {
			in += "e" + strconv.Itoa(rng.IntN(60)-30)
		}
		if rng.IntN(2) == 0 {
			in = "-" + in
		}
		l := Lexer{B: []byte(in)}
		got, _, _ := l.Number()
		want, _ := strconv.ParseFloat(in, 64)
		if math.Float64bits(got) != math.Float64bits(want) || l.Pos != len(in) {
			t.Fatalf("%s = %v (read %d bytes), want %v", in, got, l.Pos, want)
		}
	}
}
