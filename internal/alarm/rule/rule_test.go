package rule

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func st(state, name string) *Expr { return &Expr{Op: OpState, State: state, Alarm: name} }
func not(e *Expr) *Expr           { return &Expr{Op: OpNot, Args: []*Expr{e}} }
func and(args ...*Expr) *Expr     { return &Expr{Op: OpAnd, Args: args} }
func or(args ...*Expr) *Expr      { return &Expr{Op: OpOr, Args: args} }

var (
	tru = &Expr{Op: OpTrue}
	fls = &Expr{Op: OpFalse}
)

func TestParseTree(t *testing.T) {
	tests := []struct {
		in        string
		want      *Expr
		canonical string
	}{
		{"ALARM(a) OR ALARM(b) AND NOT OK(c)",
			or(st("ALARM", "a"), and(st("ALARM", "b"), not(st("OK", "c")))),
			"(ALARM(a) OR (ALARM(b) AND NOT OK(c)))"},
		{"NOT ALARM(a) AND ALARM(b)", and(not(st("ALARM", "a")), st("ALARM", "b")),
			"(NOT ALARM(a) AND ALARM(b))"},
		{"NOT (ALARM(a) AND ALARM(b))", not(and(st("ALARM", "a"), st("ALARM", "b"))),
			"NOT (ALARM(a) AND ALARM(b))"},
		{"ALARM(a) AND ALARM(b) OR ALARM(c) AND ALARM(d)",
			or(and(st("ALARM", "a"), st("ALARM", "b")), and(st("ALARM", "c"), st("ALARM", "d"))),
			"((ALARM(a) AND ALARM(b)) OR (ALARM(c) AND ALARM(d)))"},
		{"ALARM(a) AND ALARM(b) AND ALARM(c)", and(st("ALARM", "a"), st("ALARM", "b"), st("ALARM", "c")),
			"(ALARM(a) AND ALARM(b) AND ALARM(c))"},
		{"(ALARM(a) AND ALARM(b)) AND ALARM(c)", and(and(st("ALARM", "a"), st("ALARM", "b")), st("ALARM", "c")),
			"((ALARM(a) AND ALARM(b)) AND ALARM(c))"},
		{"(ALARM(A) OR ALARM(B)) AND OK(C)", and(or(st("ALARM", "A"), st("ALARM", "B")), st("OK", "C")),
			"((ALARM(A) OR ALARM(B)) AND OK(C))"},
		{"NOT NOT TRUE", not(not(tru)), "NOT NOT TRUE"},
		{"TRUE", tru, "TRUE"},
		{"FALSE", fls, "FALSE"},
		{"((FALSE))", fls, "FALSE"},
		{"INSUFFICIENT_DATA(x)", st("INSUFFICIENT_DATA", "x"), "INSUFFICIENT_DATA(x)"},
		// Whitespace is optional between tokens and free around them.
		{"ALARM(a)AND(ALARM(b))", and(st("ALARM", "a"), st("ALARM", "b")), "(ALARM(a) AND ALARM(b))"},
		{"NOT(TRUE)", not(tru), "NOT TRUE"},
		{" \t\nALARM ( a )\n OR\tOK(b) ", or(st("ALARM", "a"), st("OK", "b")), "(ALARM(a) OR OK(b))"},
		// Quoting.
		{`ALARM("my alarm")`, st("ALARM", "my alarm"), `ALARM("my alarm")`},
		{`ALARM("cpu (high)")`, st("ALARM", "cpu (high)"), `ALARM("cpu (high)")`},
		{`ALARM("AND OR NOT )(")`, st("ALARM", "AND OR NOT )("), `ALARM("AND OR NOT )(")`},
		{`ALARM("plain")`, st("ALARM", "plain"), "ALARM(plain)"},
		{`ALARM( " padded " )`, st("ALARM", " padded "), `ALARM(" padded ")`},
		{`OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx)`,
			st("OK", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx"),
			"OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx)"},
		// Unquoted names run until whitespace or ')', so they may hold '(' and '"'.
		{`ALARM(f(x)`, st("ALARM", "f(x"), `ALARM("f(x")`},
		{`ALARM(a"b)`, st("ALARM", `a"b`), `ALARM(a"b)`},
		{`ALARM(AND)`, st("ALARM", "AND"), "ALARM(AND)"},
		{"ALARM(café)", st("ALARM", "café"), "ALARM(café)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tree = %s, want %s", dump(got), dump(tt.want))
			}
			canon := got.String()
			if canon != tt.canonical {
				t.Errorf("String() = %q, want %q", canon, tt.canonical)
			}
			again, err := Parse(canon)
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("String() %q re-parses to %s, %v", canon, dump(again), err)
			}
		})
	}
}

// dump prints a tree with its structure visible, for failure messages.
func dump(e *Expr) string {
	if e == nil {
		return "<nil>"
	}
	switch e.Op {
	case OpState:
		return fmt.Sprintf("%s[%q]", e.State, e.Alarm)
	case OpTrue:
		return "TRUE"
	case OpFalse:
		return "FALSE"
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = dump(a)
	}
	return fmt.Sprintf("%d{%s}", e.Op, strings.Join(parts, ", "))
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found end of input"},
		{"   ", 3, "expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found end of input"},
		{"alarm(a)", 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "alarm"`},
		{"ALARM(a) and ALARM(b)", 9, `expected AND, OR or end of input but found "and"`},
		{"ALARM(a) AND not OK(b)", 13, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "not"`},
		{"true", 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "true"`},
		{"Ok(a)", 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "Ok"`},
		{"(ALARM(a)", 9, "expected AND, OR or ')' but found end of input"},
		{"((ALARM(a) OR OK(b))", 20, "expected AND, OR or ')' but found end of input"},
		{"ALARM(a))", 8, `expected AND, OR or end of input but found ")"`},
		{")", 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found ")"`},
		{"()", 1, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found ")"`},
		{"ALARM(a) garbage", 9, `expected AND, OR or end of input but found "garbage"`},
		{"ALARM(a) OK(b)", 9, `expected AND, OR or end of input but found "OK"`},
		{"ALARM(a) AND", 12, "expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found end of input"},
		{"ALARM(a) OR OR ALARM(b)", 12, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "OR"`},
		{"NOT", 3, "expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found end of input"},
		{"NOTTRUE", 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "NOTTRUE"`},
		{"TRUEAND FALSE", 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "TRUEAND"`},
		{"ALARM a", 6, `expected '(' after ALARM but found "a"`},
		{"ALARM", 5, "expected '(' after ALARM but found end of input"},
		{"ALARM()", 6, `expected an alarm name or ARN but found ")"`},
		{"ALARM(", 6, "expected an alarm name or ARN but found end of input"},
		{"ALARM(a", 7, "expected ')' after the alarm name but found end of input"},
		{"ALARM(my alarm)", 9, `expected ')' after the alarm name but found "alarm"`},
		{`ALARM("my alarm)`, 6, "unterminated quoted alarm name"},
		{`ALARM("")`, 6, "empty alarm name"},
		{`ALARM("a"b)`, 9, `expected ')' after the alarm name but found "b"`},
		{`"a"`, 0, `expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "\"a\""`},
		{"TRUE FALSE", 5, `expected AND, OR or end of input but found "FALSE"`},
		{"ALARM(a) AND " + strings.Repeat("x", 100), 13,
			`expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found "` + strings.Repeat("x", 32) + `…"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("accepted as %s; want error at offset %d", dump(e), tt.offset)
			}
			if e != nil {
				t.Errorf("returned a tree along with the error")
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, not *SyntaxError", err, err)
			}
			if se.Offset != tt.offset || se.Msg != tt.msg {
				t.Errorf("got offset %d, %q\nwant offset %d, %q", se.Offset, se.Msg, tt.offset, tt.msg)
			}
			if want := fmt.Sprintf("at offset %d: %s", tt.offset, tt.msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

// joinRefs builds "ALARM(a0) OR ALARM(a1) OR …" with n distinct children.
func joinRefs(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("ALARM(a%d)", i)
	}
	return strings.Join(parts, " OR ")
}

func TestParseLimits(t *testing.T) {
	// Length: 10 240 characters, counted as characters, not bytes.
	pad := func(rule string, n int) string { return rule + strings.Repeat(" ", n-len(rule)) }
	if _, err := Parse(pad("TRUE", MaxLength)); err != nil {
		t.Errorf("rule of exactly %d characters: %v", MaxLength, err)
	}
	long := `ALARM("` + strings.Repeat("é", MaxLength-9) + `")`
	if _, err := Parse(long); err != nil {
		t.Errorf("%d characters in %d bytes rejected: %v", MaxLength, len(long), err)
	}
	checkErr(t, pad("TRUE", MaxLength+1), MaxLength, "rule is 10241 characters long, the maximum is 10240")

	// Children: at most 100 distinct; repeats do not count again.
	if _, err := Parse(joinRefs(MaxChildren)); err != nil {
		t.Errorf("%d children: %v", MaxChildren, err)
	}
	if _, err := Parse(joinRefs(MaxChildren) + " OR OK(a0) OR OK(a99)"); err != nil {
		t.Errorf("%d children referenced twice: %v", MaxChildren, err)
	}
	rule := joinRefs(MaxChildren + 1)
	checkErr(t, rule, strings.LastIndex(rule, "a100"), "more than 100 distinct child alarms")

	// Elements: child references, TRUE/FALSE and each grouping parenthesis.
	checkOK(t, strings.TrimSuffix(strings.Repeat("TRUE OR ", MaxElements), " OR "))
	rule = strings.Repeat("TRUE OR ", MaxElements) + "FALSE"
	checkErr(t, rule, len(rule)-len("FALSE"), "more than 500 elements (child-alarm references, TRUE, FALSE and parentheses)")
	checkOK(t, strings.Repeat("(", 249)+"TRUE AND OK(a) "+strings.Repeat(")", 249))                      // 498 + 2
	checkErr(t, strings.Repeat("(", 250)+"TRUE"+strings.Repeat(")", 250), 503, "more than 500 elements") // the last ")"
	checkOK(t, strings.Repeat("ALARM(x) AND ", MaxElements-1)+"ALARM(x)")
	checkErr(t, strings.Repeat("ALARM(x) AND ", MaxElements)+"ALARM(x)", 13*MaxElements, "more than 500 elements")
}

func checkOK(t *testing.T, rule string) {
	t.Helper()
	if _, err := Parse(rule); err != nil {
		t.Errorf("rejected: %v", err)
	}
}

func checkErr(t *testing.T, rule string, offset int, msg string) {
	t.Helper()
	_, err := Parse(rule)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != offset || !strings.HasPrefix(se.Msg, msg) {
		t.Errorf("error = %v; want *SyntaxError at offset %d starting %q", err, offset, msg)
	}
}

func TestRefs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"TRUE", nil},
		{"ALARM(b) OR OK(a) AND NOT INSUFFICIENT_DATA(b) OR ALARM(c) OR OK(a)", []string{"b", "a", "c"}},
		{`ALARM("x y") AND OK(x)`, []string{"x y", "x"}},
		{"NOT (OK(z) OR (ALARM(y) AND OK(x)))", []string{"z", "y", "x"}},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := e.Refs(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Refs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		id, rule string
		states   map[string]string
		want     bool
	}{
		// The composite vectors of the spec (true = composite in ALARM).
		{"C01", "ALARM(A) AND ALARM(B)", map[string]string{"A": "ALARM", "B": "OK"}, false},
		{"C02", "ALARM(A) OR ALARM(B)", map[string]string{"A": "OK", "B": "ALARM"}, true},
		{"C03", "ALARM(A) AND NOT ALARM(B)", map[string]string{"A": "ALARM", "B": "INSUFFICIENT_DATA"}, true},
		{"C04", "(ALARM(A) OR ALARM(B)) AND OK(C)", map[string]string{"A": "ALARM", "B": "OK", "C": "ALARM"}, false},
		{"C05", "TRUE", nil, true},
		{"C06", "FALSE", nil, false},
		// Precedence: NOT > AND > OR.
		{"prec1", "ALARM(a) OR ALARM(b) AND NOT OK(c)", map[string]string{"a": "ALARM", "b": "OK", "c": "OK"}, true},
		{"prec2", "ALARM(a) OR ALARM(b) AND NOT OK(c)", map[string]string{"a": "OK", "b": "ALARM", "c": "OK"}, false},
		{"prec3", "ALARM(a) OR ALARM(b) AND NOT OK(c)", map[string]string{"a": "OK", "b": "ALARM", "c": "ALARM"}, true},
		{"prec4", "NOT ALARM(a) AND ALARM(b)", map[string]string{"a": "OK", "b": "OK"}, false},
		{"insufficient", "INSUFFICIENT_DATA(a)", map[string]string{"a": "INSUFFICIENT_DATA"}, true},
		{"ok-vs-insufficient", "OK(a)", map[string]string{"a": "INSUFFICIENT_DATA"}, false},
		{"quoted", `ALARM("db (primary)")`, map[string]string{"db (primary)": "ALARM"}, true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.rule)
		if err != nil {
			t.Fatalf("%s: Parse(%q): %v", tt.id, tt.rule, err)
		}
		if got := e.Eval(func(name string) string { return tt.states[name] }); got != tt.want {
			t.Errorf("%s: Eval(%q) with %v = %v, want %v", tt.id, tt.rule, tt.states, got, tt.want)
		}
	}
}
