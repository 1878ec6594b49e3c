package rule

import (
	"errors"
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"ALARM(a) OR ALARM(b) AND NOT OK(c)", "(ALARM(A) OR ALARM(B)) AND OK(C)", "TRUE", "FALSE",
		`ALARM("my alarm (x)") AND NOT INSUFFICIENT_DATA(arn:aws:cloudwatch:r:1:alarm:y)`,
		`ALARM(a"b)`, "ALARM(f(x)", "NOT NOT (TRUE)", "", "alarm(a)", "ALARM(a))", `ALARM("a`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || e != nil {
				t.Fatalf("Parse(%q) = %v, %v; want nil and a *SyntaxError", in, e, err)
			}
			if se.Offset < 0 || se.Offset > len(in) {
				t.Fatalf("Parse(%q): offset %d outside the input", in, se.Offset)
			}
			return
		}
		canon := e.String()
		// Canonical text adds parentheses and may exceed the limits the
		// input met, so re-parse without them.
		again, err := parse(canon, false)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but String() %q does not re-parse: %v", in, canon, err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("round trip of %q via %q: got %s, want %s", in, canon, dump(again), dump(e))
		}
		if again.String() != canon {
			t.Fatalf("String() is not canonical: %q then %q", canon, again.String())
		}
		// Evaluation is total and consistent with Refs.
		refs := map[string]bool{}
		for _, r := range e.Refs() {
			refs[r] = true
		}
		e.Eval(func(name string) string {
			if !refs[name] {
				t.Fatalf("Eval asked for %q, which Refs does not list", name)
			}
			return StateAlarm
		})
	})
}
