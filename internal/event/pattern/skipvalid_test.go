package pattern

import "testing"

// TestSkipValid: each value is delimited exactly, whatever its strings hold (brackets,
// escaped quotes and backslashes, long runs across the eight-byte steps).
func TestSkipValid(t *testing.T) {
	for _, v := range []string{
		`"x"`, `""`, `"a \"quoted\" word"`, `"ends with a backslash \\"`, `"\\\\\\\""`,
		`"brackets } ] { [ inside, and a long run of bytes after them"`, `"\u0022"`,
		`0`, `-12.5e+3`, `true`, `false`, `null`,
		`{}`, `[]`, `{"a":{"b":[1,{"c":"}"}]},"d":"]"}`, `[[[[]]],{"x":"\"}"}]`,
		`{ "a" : [ 1 , 2 ] , "b" : { } }`, `["\\", "\\\"", "{"]`,
	} {
		for _, after := range []string{"", ",", "}", " ]"} {
			b := []byte(v + after)
			if got := skipValid(b, 0); got != len(v) {
				t.Errorf("skipValid(%s) = %d, want %d", b, got, len(v))
			}
		}
	}
}
