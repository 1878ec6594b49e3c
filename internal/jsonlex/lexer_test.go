package jsonlex

import (
	"errors"
	"strings"
	"testing"
)

// lex runs read on a Lexer over in and returns the syntax error it panics with, if any.
func lex(l *Lexer, read func(*Lexer)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(Error)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	read(l)
	return nil
}

// checkErr compares the outcome of a read with the error a table wants (none when code is 0).
func checkErr(t *testing.T, in string, err error, want Error) {
	t.Helper()
	var got Error
	switch {
	case want.Code == 0 && err != nil:
		t.Errorf("%q: %v", in, err)
	case want.Code == 0:
	case !errors.As(err, &got):
		t.Errorf("%q: no error, want %v at %d", in, want.Code, want.Offset)
	case got != want:
		t.Errorf("%q: error %+v (%v), want %+v", in, got, got.Code, want)
	}
}

func TestStr(t *testing.T) {
	tests := []struct {
		in, want string
		lossy    bool  // ReplaceInvalidUTF8
		err      Error // Code 0: none
	}{
		{in: `""`, want: ""},
		{in: `"plain ascii, long enough for the 8-byte loop"`, want: "plain ascii, long enough for the 8-byte loop"},
		{in: `"\"\\\/\b\f\n\r\t"`, want: "\"\\/\b\f\n\r\t"},
		{in: `"\u0041\u00e9\u20AC\uffff\u0000"`, want: "Aé€\uffff\x00"},
		{in: `"é😀 and a \u00e9 after"`, want: "é😀 and a é after"},
		{in: `"\ud83d\ude00"`, want: "😀"},
		{in: `"\uD83D\uDE00x"`, want: "😀x"},
		{in: `"\ud800"`, want: "\ufffd"},
		{in: `"\ud800x"`, want: "\ufffdx"},
		{in: `"\ud800\u0041"`, want: "\ufffdA"},
		{in: `"\udc00\ud800"`, want: "\ufffd\ufffd"},
		{in: `"\ud800\ud800\udc00"`, want: "\ufffd𐀀"},
		{in: `"\ud800\n"`, want: "\ufffd\n"},
		{in: "\"\x7f is no control\"", want: "\x7f is no control"},
		{in: "\"\xef\xbf\xbd is U+FFFD\"", want: "\ufffd is U+FFFD"},
		{in: "\"a\tb\"", err: Error{Code: ErrControl, Offset: 2}},
		{in: "\"a\x00\"", err: Error{Code: ErrControl, Offset: 2}},
		{in: "\"\\n\x1f\"", err: Error{Code: ErrControl, Offset: 3}},
		{in: "\"a\xffb\"", err: Error{Code: ErrUTF8, Offset: 2}},
		{in: "\"\\n\xc3\"", err: Error{Code: ErrUTF8, Offset: 3}},
		{in: "\"\xed\xa0\x80\"", err: Error{Code: ErrUTF8, Offset: 1}}, // an encoded surrogate
		{in: "\"a\xffb\"", want: "a\ufffdb", lossy: true},
		{in: "\"\\n\xc3\"", want: "\n\ufffd", lossy: true},
		{in: "\"\xed\xa0\x80é\"", want: "\ufffd\ufffd\ufffdé", lossy: true},
		{in: `"abc`, err: Error{Code: ErrUnterminated, Offset: 4}},
		{in: `"a\n`, err: Error{Code: ErrUnterminated, Offset: 4}},
		{in: `"a\`, err: Error{Code: ErrUnterminated, Offset: 2}},
		{in: `"a\q"`, err: Error{Code: ErrEscape, Offset: 2, Escape: 2}},
		{in: `"a\U0041"`, err: Error{Code: ErrEscape, Offset: 2, Escape: 2}},
		{in: `"a\u12x4"`, err: Error{Code: ErrHex, Offset: 6, Escape: 2}},
		{in: `"a\u12`, err: Error{Code: ErrHex, Offset: 6, Escape: 2}},
		{in: `"\ud800\u12g4"`, err: Error{Code: ErrHex, Offset: 11, Escape: 7}},
	}
	for _, tt := range tests {
		l := &Lexer{B: []byte(tt.in), ReplaceInvalidUTF8: tt.lossy}
		var got []byte
		err := lex(l, func(l *Lexer) { got = l.Str() })
		checkErr(t, tt.in, err, tt.err)
		if err == nil && (string(got) != tt.want || l.Pos != len(tt.in)) {
			t.Errorf("%q: %q, read %d bytes; want %q", tt.in, got, l.Pos, tt.want)
		}
		// Skip validates what Str decodes, with the same errors.
		l = &Lexer{B: []byte(tt.in), ReplaceInvalidUTF8: tt.lossy}
		err = lex(l, (*Lexer).Skip)
		checkErr(t, tt.in, err, tt.err)
	}
}

// A string without escapes is not copied; one with escapes is decoded into Scratch, which
// is reused.
func TestStrAliases(t *testing.T) {
	in := []byte(`"plain" "esc\n" "again\t"`)
	l := &Lexer{B: in}
	if s := l.Str(); &s[0] != &in[1] {
		t.Error("a plain string was copied")
	}
	l.Peek()
	first := l.Str()
	l.Peek()
	if second := l.Str(); string(second) != "again\t" || &first[0] != &second[0] {
		t.Errorf("%q: Scratch was not reused", second)
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in   string
		read int // bytes read, when not all
		want float64
		ok   bool
		err  Error
	}{
		{in: "0", want: 0, ok: true},
		{in: "-0", want: 0, ok: true},
		{in: "-12.5", want: -12.5, ok: true},
		{in: "1e5", want: 1e5, ok: true},
		{in: "1E-5", want: 1e-5, ok: true},
		{in: "2.5e+3", want: 2500, ok: true},
		{in: "0.000001", want: 1e-6, ok: true},
		{in: "123456789012345678901234567890", want: 1.2345678901234568e29, ok: true},
		{in: "1e400", ok: false},
		{in: "-1e400", ok: false},
		{in: "1e-400", want: 0, ok: true},
		{in: "01", read: 1, want: 0, ok: true}, // the caller sees the '1'
		{in: "1.5.", read: 3, want: 1.5, ok: true},
		{in: "-", err: Error{Code: ErrNumber, Offset: 1}},
		{in: "-a", err: Error{Code: ErrNumber, Offset: 1}},
		{in: "-Infinity", err: Error{Code: ErrNumber, Offset: 1}},
		{in: "1.", err: Error{Code: ErrFraction, Offset: 2}},
		{in: "1.e5", err: Error{Code: ErrFraction, Offset: 2}},
		{in: "1e", err: Error{Code: ErrExponent, Offset: 2}},
		{in: "1e+", err: Error{Code: ErrExponent, Offset: 3}},
		{in: "1E-x", err: Error{Code: ErrExponent, Offset: 3}},
	}
	for _, tt := range tests {
		l := &Lexer{B: []byte(tt.in)}
		var v float64
		var raw []byte
		var ok bool
		err := lex(l, func(l *Lexer) { v, raw, ok = l.Number() })
		checkErr(t, tt.in, err, tt.err)
		if tt.read == 0 {
			tt.read = len(tt.in)
		}
		if err == nil && (ok != tt.ok || ok && v != tt.want || string(raw) != tt.in[:tt.read] || l.Pos != tt.read) {
			t.Errorf("%q: %v %q %v, read %d bytes; want %v %v, %d bytes", tt.in, v, raw, ok, l.Pos, tt.want, tt.ok, tt.read)
		}
	}
}

func TestSkip(t *testing.T) {
	tests := []struct {
		in    string
		read  int // bytes read, when not all
		depth int // MaxDepth
		err   Error
	}{
		{in: `true`},
		{in: `false`},
		{in: ` null`},
		{in: `nullx`, read: 4},
		{in: `nul`, err: Error{Code: ErrLiteral}},
		{in: `tru`, err: Error{Code: ErrLiteral}},
		{in: `fals e`, err: Error{Code: ErrLiteral}},
		{in: `-1.5e3`},
		{in: `"s\u00e9\ud800"`},
		{in: ` { "a" : [ 1 , {"b":null} , "c", [] , {} ] , "d":{} } `, read: 53}, // not the space after it
		{in: `[1 2]`, err: Error{Code: ErrMore, Offset: 3, Closing: ']'}},
		{in: `{"a":1 "b":2}`, err: Error{Code: ErrMore, Offset: 7, Closing: '}'}},
		{in: `{"a" 1}`, err: Error{Code: ErrColon, Offset: 5}},
		{in: `{1:2}`, err: Error{Code: ErrKey, Offset: 1}},
		{in: `{"a":1,}`, err: Error{Code: ErrKey, Offset: 7}},
		{in: `[1,]`, err: Error{Code: ErrValue, Offset: 3}},
		{in: `[`, err: Error{Code: ErrValue, Offset: 1}},
		{in: `{"a":`, err: Error{Code: ErrValue, Offset: 5}},
		{in: `{`, err: Error{Code: ErrKey, Offset: 1}},
		{in: `]`, err: Error{Code: ErrValue}},
		{in: ``, err: Error{Code: ErrValue}},
		{in: "\x00", err: Error{Code: ErrValue}},
		{in: `+1`, err: Error{Code: ErrValue}},
		{in: `.5`, err: Error{Code: ErrValue}},
		{in: `[NaN]`, err: Error{Code: ErrValue, Offset: 1}},
		{in: `{"k\q":1}`, err: Error{Code: ErrEscape, Offset: 3, Escape: 3}},
		{in: "[\"\xff\"]", err: Error{Code: ErrUTF8, Offset: 2}},
		// depth: the value skipped is 1 deep, a member of it 2, and so on
		{in: `[[1]]`, depth: 3},
		{in: `[[[1]]]`, depth: 3, err: Error{Code: ErrDepth, Offset: 3, Closing: ']'}},
		{in: `[0, [1, []], [2, [3]]]`, depth: 3, err: Error{Code: ErrDepth, Offset: 18, Closing: ']'}},
		{in: `{"a": {"b": {"c": 1}}}`, depth: 3, err: Error{Code: ErrDepth, Offset: 17, Closing: '}'}},
		{in: `[[[]]]`, depth: 3},
		{in: strings.Repeat("[", 1000) + strings.Repeat("]", 1000)},
		{in: strings.Repeat("[", 1001) + strings.Repeat("]", 1001), err: Error{Code: ErrDepth, Offset: 1000, Closing: ']'}},
		{in: strings.Repeat("[", 1001) + strings.Repeat("]", 1001), depth: 1001},
	}
	for _, tt := range tests {
		l := &Lexer{B: []byte(tt.in), MaxDepth: tt.depth}
		err := lex(l, (*Lexer).Skip)
		checkErr(t, tt.in, err, tt.err)
		if tt.read == 0 {
			tt.read = len(tt.in)
		}
		if err == nil && l.Pos != tt.read {
			t.Errorf("%q: read %d bytes, want %d", tt.in, l.Pos, tt.read)
		}
	}
}

// TestWalk reads a document with Peek, More, Key, Literal and Str, as a decoder does.
func TestWalk(t *testing.T) {
	l := &Lexer{B: []byte(" \t\r\n{\"a\" : [\"x\" , null],\n\"b\\u0041\":true}\x00")}
	var got []string
	if l.Peek() != '{' {
		t.Fatal("no object")
	}
	l.Pos++
	for n := 0; l.More('}', &n); {
		got = append(got, "key "+string(l.Key()))
		switch KindOf(l.Peek()) {
		case Array:
			l.Pos++
			for m := 0; l.More(']', &m); {
				if l.Peek() == 'n' {
					l.Literal("null")
					got = append(got, "null")
				} else {
					got = append(got, string(l.Str()))
				}
			}
		case Bool:
			l.Literal("true")
			got = append(got, "true")
		}
	}
	if want := "key a,x,null,key bA,true"; strings.Join(got, ",") != want {
		t.Errorf("read %s, want %s", strings.Join(got, ","), want)
	}
	if c := l.Peek(); c != 0 || l.Pos != len(l.B)-1 {
		t.Errorf("after the object: %q at %d", c, l.Pos)
	}
}

func TestKindOf(t *testing.T) {
	want := map[byte]Kind{'"': String, '-': Number, '{': Object, '[': Array, 't': Bool, 'f': Bool, 'n': Null}
	for c := byte('0'); c <= '9'; c++ {
		want[c] = Number
	}
	for c := 0; c < 256; c++ {
		if got := KindOf(byte(c)); got != want[byte(c)] {
			t.Errorf("KindOf(%q) = %v, want %v", byte(c), got, want[byte(c)])
		}
	}
}
