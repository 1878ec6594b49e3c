package alarmtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/metric"
)

// Value is one slot of a series' `values`: a number, or Missing for `_` (no datapoint).
type Value struct {
	Number  float64
	Missing bool
}

// MaxValues bounds what one `values` string may expand to (100,000 one-minute values
// cover more than two months).
const MaxValues = 100_000

// ParseValues expands promtool's series notation (Prometheus unit-testing rules, "series"),
// following its grammar exactly where tocsin has the concept:
//
//	a        one value: a number (1, -2, +0.5, .5, 1e3); hexadecimal is not accepted,
//	         as in promtool, where the x of 0x1 means repetition
//	_        no datapoint
//	axn      n+1 values a a … a (shorthand for a+0xn)
//	a+bxn    n+1 values a a+b a+2b … a+nb (b added n times, as promtool does)
//	a-bxn    n+1 values a a-b a-2b … a-nb
//	_xn      n missing values — n, not n+1 as for numbers: promtool's own asymmetry
//
// Tokens are separated by spaces, tabs or newlines; "1 + 2x3" is three bad tokens, not a
// ramp. Not accepted, each with its own message: Inf and NaN (CloudWatch rejects them),
// promtool's `stale` marker, and its native-histogram {{…}} values. Every value must be
// accepted by CloudWatch (finite, within ±2^360), and the whole string may expand to at
// most MaxValues values. An error names the token and the character it starts at.
func ParseValues(s string) ([]Value, error) {
	var out []Value
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		tok := s[i:j]
		var err error
		if out, err = expand(out, tok); err == nil && len(out) > MaxValues {
			err = fmt.Errorf("expands to more than %d values", MaxValues)
		}
		if err != nil {
			return nil, fmt.Errorf("token %q at character %d: %v", tok, utf8.RuneCountInString(s[:i])+1, err)
		}
		i = j
	}
	return out, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// expand appends the values of one token to out.
func expand(out []Value, tok string) ([]Value, error) {
	if rest, ok := strings.CutPrefix(tok, "_"); ok {
		switch {
		case rest == "":
			return append(out, Value{Missing: true}), nil
		case rest[0] == 'x':
			n, err := count(rest[1:], len(out), 0)
			if err != nil {
				return nil, err
			}
			for ; n > 0; n-- {
				out = append(out, Value{Missing: true})
			}
			return out, nil
		}
		return nil, fmt.Errorf("unexpected %q after _ (write _ or _xN)", rest)
	}
	a, rest, err := scanValue(tok)
	if err != nil {
		return nil, err
	}
	if err := metric.ValidateValue(a); err != nil {
		return nil, err
	}
	if rest == "" {
		return append(out, Value{Number: a}), nil
	}
	step := 0.0
	switch rest[0] {
	case 'x':
		rest = rest[1:]
	case '+', '-':
		b, after, err := scanNumber(rest[1:])
		if err != nil {
			return nil, fmt.Errorf("after %q: %v", rest[:1], err)
		}
		if rest[0] == '-' {
			b = -b
		}
		if after == "" || after[0] != 'x' {
			return nil, fmt.Errorf("a ramp needs a repetition count: A%sBxN", rest[:1])
		}
		step, rest = b, after[1:]
	default:
		return nil, fmt.Errorf("unexpected %q after the number (expected x, +B or -B)", rest)
	}
	n, err := count(rest, len(out), 1)
	if err != nil {
		return nil, err
	}
	v := a
	for k := uint64(0); k <= n; k++ {
		if err := metric.ValidateValue(v); err != nil {
			return nil, fmt.Errorf("value %d of the ramp: %v", k+1, err)
		}
		out = append(out, Value{Number: v})
		v += step
	}
	return out, nil
}

// count parses the N after x; the token adds N+extra values to have values.
func count(s string, have int, extra uint64) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("expected a repetition count after x")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("repetition count %q is not a whole number", s)
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > MaxValues || have+int(n+extra) > MaxValues {
		return 0, fmt.Errorf("expands to more than %d values", MaxValues)
	}
	return n, nil
}

// scanValue reads an optionally signed number at the start of s. Words (Inf, NaN,
// stale) get their own messages.
func scanValue(s string) (float64, string, error) {
	sign, body := 1.0, s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	if body != "" && isLetter(body[0]) {
		word := body
		if i := strings.IndexFunc(body, func(r rune) bool { return r > 0x7f || !isLetter(byte(r)) }); i >= 0 {
			word = body[:i]
		}
		switch strings.ToLower(word) {
		case "inf", "infinity", "nan":
			return 0, "", fmt.Errorf("%s is not accepted: CloudWatch takes only finite values", word)
		case "stale":
			return 0, "", fmt.Errorf("stale markers are Prometheus-only; write _ for a missing datapoint")
		}
		return 0, "", fmt.Errorf("expected a number or _, got %q", word)
	}
	if strings.HasPrefix(body, "{{") {
		return 0, "", fmt.Errorf("native-histogram values are Prometheus-only; use datapoints with values and counts")
	}
	v, rest, err := scanNumber(body)
	return sign * v, rest, err
}

// scanNumber reads an unsigned decimal number (digits, an optional fraction and an
// optional exponent) at the start of s.
func scanNumber(s string) (float64, string, error) {
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		if s == "" {
			return 0, "", fmt.Errorf("expected a number")
		}
		return 0, "", fmt.Errorf("expected a number, got %q", s)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j {
			return 0, "", fmt.Errorf("exponent of %q has no digits", s[:k])
		}
		i = k
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a number CloudWatch accepts (beyond ±2^360)", s[:i])
	}
	return v, s[i:], nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
