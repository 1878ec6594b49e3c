package schedule

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// checkSeq asserts that repeated Next calls from `from` yield want, in order. An empty
// string in want means the zero time (the schedule is exhausted).
func checkSeq(t *testing.T, s Schedule, from string, want ...string) {
	t.Helper()
	cur := at(from)
	for i, w := range want {
		got := s.Next(cur)
		if w == "" {
			if !got.IsZero() {
				t.Fatalf("%s: Next #%d after %s = %s, want zero time", s, i+1, cur.Format(time.RFC3339), got.Format(time.RFC3339))
			}
			return
		}
		if !got.Equal(at(w)) || got.Location() != time.UTC {
			t.Fatalf("%s: Next #%d after %s = %s, want %s", s, i+1, cur.Format(time.RFC3339), got, w)
		}
		cur = got
	}
}

func mustParse(t *testing.T, expr string, anchor time.Time) Schedule {
	t.Helper()
	s, err := Parse(expr, anchor)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return s
}

func TestRate(t *testing.T) {
	anchor := at("2025-03-10T09:58:42Z")
	cases := []struct {
		expr, from string
		want       []string
	}{
		{"rate(1 minute)", "2025-03-10T09:00:00Z", []string{"2025-03-10T09:59:00Z", "2025-03-10T10:00:00Z"}},
		{"rate(5 minutes)", "2025-03-10T10:03:00Z", []string{"2025-03-10T10:08:00Z", "2025-03-10T10:13:00Z"}},
		{"rate(5 minutes)", "2025-03-10T10:02:59Z", []string{"2025-03-10T10:03:00Z"}},
		{"rate(1 hour)", "2025-03-10T09:58:42Z", []string{"2025-03-10T10:58:00Z", "2025-03-10T11:58:00Z"}},
		{"rate(2 hours)", "2025-03-11T00:00:00Z", []string{"2025-03-11T01:58:00Z"}},
		{"rate(1 day)", "2025-03-20T12:00:00Z", []string{"2025-03-21T09:58:00Z", "2025-03-22T09:58:00Z"}},
		{"rate(7 days)", "2025-03-10T09:58:00Z", []string{"2025-03-17T09:58:00Z"}},
		{"  rate(3  minutes) ", "2025-03-10T10:04:00Z", []string{"2025-03-10T10:07:00Z"}},
	}
	for _, c := range cases {
		checkSeq(t, mustParse(t, c.expr, anchor), c.from, c.want...)
	}
	if got := mustParse(t, " rate(2 days) ", anchor).String(); got != "rate(2 days)" {
		t.Errorf("String() = %q", got)
	}
}

func TestCronWorkedExamples(t *testing.T) {
	cases := []struct {
		expr, from string
		want       []string
	}{
		{"cron(0 10 * * ? *)", "2025-03-10T09:59:30Z", []string{"2025-03-10T10:00:00Z", "2025-03-11T10:00:00Z"}},
		{"cron(0 10 * * ? *)", "2025-12-31T10:00:00Z", []string{"2026-01-01T10:00:00Z"}},
		{"cron(0/15 * * * ? *)", "2025-03-10T10:07:00Z", []string{"2025-03-10T10:15:00Z", "2025-03-10T10:30:00Z", "2025-03-10T10:45:00Z", "2025-03-10T11:00:00Z"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", "2025-03-14T17:50:00Z", []string{"2025-03-14T17:55:00Z", "2025-03-17T08:00:00Z", "2025-03-17T08:05:00Z"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", "2025-03-16T07:00:00Z", []string{"2025-03-17T08:00:00Z"}},
		{"cron(15 10 ? * 6L 2019-2022)", "2000-06-01T00:00:00Z", []string{"2019-01-25T10:15:00Z", "2019-02-22T10:15:00Z", "2019-03-29T10:15:00Z"}},
		{"cron(15 10 ? * 6L 2019-2022)", "2022-12-01T00:00:00Z", []string{"2022-12-30T10:15:00Z", ""}},
		{"cron(15 10 ? * 6L 2019-2022)", "2030-01-01T00:00:00Z", []string{""}},
		{"cron(0 18 ? * MON-FRI *)", "2025-03-14T18:00:00Z", []string{"2025-03-17T18:00:00Z", "2025-03-18T18:00:00Z"}},
		{"cron(0 8 1 * ? *)", "2025-01-15T00:00:00Z", []string{"2025-02-01T08:00:00Z", "2025-03-01T08:00:00Z"}},
		{"cron(0 12 L * ? *)", "2024-01-31T12:00:00Z", []string{"2024-02-29T12:00:00Z", "2024-03-31T12:00:00Z", "2024-04-30T12:00:00Z"}},
		{"cron(0 12 L * ? *)", "2023-02-01T00:00:00Z", []string{"2023-02-28T12:00:00Z"}},
		{"cron(0 12 L 2 ? *)", "2099-03-01T00:00:00Z", []string{"2100-02-28T12:00:00Z", "2101-02-28T12:00:00Z"}},
		{"cron(0 12 L 2 ? *)", "1999-03-01T00:00:00Z", []string{"2000-02-29T12:00:00Z"}},
		// 2025-03-15 is a Saturday, 2025-06-15 a Sunday, 2025-03-01 a Saturday.
		{"cron(0 9 15W * ? *)", "2025-03-01T00:00:00Z", []string{"2025-03-14T09:00:00Z"}},
		{"cron(0 9 15W * ? *)", "2025-06-01T00:00:00Z", []string{"2025-06-16T09:00:00Z", "2025-07-15T09:00:00Z"}},
		{"cron(0 9 1W * ? *)", "2025-02-15T00:00:00Z", []string{"2025-03-03T09:00:00Z"}},
		// 2025-08-31 is a Sunday, 2025-05-31 a Saturday.
		{"cron(0 9 31W * ? *)", "2025-08-01T00:00:00Z", []string{"2025-08-29T09:00:00Z", "2025-10-31T09:00:00Z"}},
		{"cron(0 9 LW * ? *)", "2025-05-01T00:00:00Z", []string{"2025-05-30T09:00:00Z", "2025-06-30T09:00:00Z", "2025-07-31T09:00:00Z", "2025-08-29T09:00:00Z"}},
		{"cron(0 0 ? * 3#2 *)", "2025-03-01T00:00:00Z", []string{"2025-03-11T00:00:00Z", "2025-04-08T00:00:00Z"}},
		{"cron(0 0 ? * TUE#2 *)", "2025-03-11T00:00:00Z", []string{"2025-04-08T00:00:00Z"}},
		{"cron(0 0 ? * 6#5 *)", "2025-01-01T00:00:00Z", []string{"2025-01-31T00:00:00Z", "2025-05-30T00:00:00Z"}},
		{"cron(30 6 ? * L *)", "2025-03-10T00:00:00Z", []string{"2025-03-15T06:30:00Z", "2025-03-22T06:30:00Z"}},
		{"cron(0 0 ? * SUN,sat *)", "2025-03-10T00:00:00Z", []string{"2025-03-15T00:00:00Z", "2025-03-16T00:00:00Z", "2025-03-22T00:00:00Z"}},
		{"cron(0 0 1 jan-MAR/2 ? 2025/2)", "2025-01-01T00:00:00Z", []string{"2025-03-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
		{"cron(5,10-12 */6 1,L * ? *)", "2025-04-30T11:00:00Z", []string{"2025-04-30T12:05:00Z", "2025-04-30T12:10:00Z", "2025-04-30T12:11:00Z", "2025-04-30T12:12:00Z", "2025-04-30T18:05:00Z"}},
		{"cron(0 0 30 2 ? *)", "2025-01-01T00:00:00Z", []string{""}},
		{"cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:59Z", []string{"2199-12-31T23:59:00Z", ""}},
		{"cron(0 0 1 1 ? *)", "1960-05-05T00:00:00Z", []string{"1970-01-01T00:00:00Z", "1971-01-01T00:00:00Z"}},
	}
	for _, c := range cases {
		checkSeq(t, mustParse(t, c.expr, time.Time{}), c.from, c.want...)
	}
}

func TestNextIsStrictlyAfterAndUTC(t *testing.T) {
	s := mustParse(t, "cron(0/15 * * * ? *)", time.Time{})
	loc := time.FixedZone("X", 5*3600+1800)
	from := time.Date(2025, 3, 10, 15, 45, 0, 0, loc) // 10:15 UTC
	if got, want := s.Next(from), at("2025-03-10T10:30:00Z"); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Next = %v, want %v in UTC", got, want)
	}
	if got, want := s.Next(from.Add(-time.Nanosecond)), at("2025-03-10T10:15:00Z"); !got.Equal(want) {
		t.Fatalf("Next just before a firing = %v, want %v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"rate(1 hours)", `value 1 needs the singular unit "hour"`},
		{"rate(5 hour)", `value 5 needs the plural unit "hours"`},
		{"rate(0 minutes)", "must be positive"},
		{"rate(-1 minutes)", "not a positive integer"},
		{"rate(1.5 minutes)", "not a positive integer"},
		{"rate(5 weeks)", `unit "weeks"`},
		{"rate(5)", "want rate(value unit)"},
		{"rate(99999999999 minutes)", "out of range"},
		{"every 5 minutes", "want rate(value unit) or cron("},
		{"cron(0 10 * * ?)", "want 6 fields"},
		{"cron(0 10 * * ? * *)", "got 7"},
		{"cron(0 24 * * ? *)", "cron field Hours: value 24 out of range 0-23"},
		{"cron(60 0 * * ? *)", "cron field Minutes: value 60 out of range 0-59"},
		{"cron(0 0 32 * ? *)", "cron field Day-of-month: value 32 out of range 1-31"},
		{"cron(0 0 0 * ? *)", "cron field Day-of-month: value 0 out of range 1-31"},
		{"cron(0 0 * 13 ? *)", "cron field Month: value 13 out of range 1-12"},
		{"cron(0 0 * FOO ? *)", `cron field Month: invalid value "FOO"`},
		{"cron(0 0 ? * 8 *)", "cron field Day-of-week: value 8 out of range 1-7"},
		{"cron(0 0 ? * FUN *)", `cron field Day-of-week: invalid value "FUN"`},
		{"cron(0 0 * * ? 1969)", "cron field Year: value 1969 out of range 1970-2199"},
		{"cron(0 0 * * ? 2200)", "cron field Year: value 2200 out of range 1970-2199"},
		{"cron(1,,2 0 * * ? *)", `cron field Minutes: empty list item in "1,,2"`},
		{"cron(1, 0 * * ? *)", `cron field Minutes: empty list item`},
		{"cron(0/0 0 * * ? *)", `cron field Minutes: step 0 in "0/0"`},
		{"cron(*/x 0 * * ? *)", `cron field Minutes: invalid step "x"`},
		{"cron(0 5-3 * * ? *)", `cron field Hours: range "5-3" starts after it ends`},
		{"cron(0 -3 * * ? *)", `cron field Hours: missing value`},
		{"cron(0 0 * * * *)", "exactly one of Day-of-month and Day-of-week"},
		{"cron(0 0 ? * ? *)", "exactly one of Day-of-month and Day-of-week"},
		{"cron(0 0 ? * 1/2 *)", `cron field Day-of-week: step not allowed in "1/2"`},
		{"cron(0 0 ? * 3#2,5 *)", "cron field Day-of-week: \"3#2,5\": # allows only one expression"},
		{"cron(0 0 ? * 3#6 *)", `cron field Day-of-week: invalid occurrence "6"`},
		{"cron(0 0 ? * 9#1 *)", "cron field Day-of-week: value 9 out of range 1-7"},
		{"cron(0 0 ? * 8L *)", "cron field Day-of-week: value 8 out of range 1-7"},
		{"cron(0 0 32W * ? *)", "cron field Day-of-month: value 32 out of range 1-31"},
		{"cron(0 0 XW * ? *)", `cron field Day-of-month: invalid value "XW"`},
		{"cron(0 0 1,? * ? *)", `cron field Day-of-month: "?" must be the whole field`},
		{"cron(L 0 * * ? *)", `cron field Minutes: invalid value "L"`},
		{"cron(0 0 * * ? */300)", `cron field Year: step 300`},
		{"cron(" + strings.Repeat("0,", 200) + "0 0 * * ? *)", "longer than 256"},
	}
	for _, c := range cases {
		err := Validate(c.expr)
		if err == nil {
			t.Errorf("Validate(%q) = nil, want error containing %q", c.expr, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%q) = %q, want it to contain %q", c.expr, err, c.want)
		}
	}
}

func TestValidAccepted(t *testing.T) {
	for _, expr := range []string{
		"rate(1 minute)", "rate(10 minutes)", "rate(1 day)", "rate(365 days)",
		"cron(0 10 * * ? *)", "cron(0/15 * * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)",
		"cron(15 10 ? * 6L 2019-2022)", "cron(0 12 L * ? *)", "cron(0 9 15W * ? *)",
		"cron(0 9 LW * ? *)", "cron(0 0 ? * 3#2 *)", "cron(0 0 ? * L *)", "cron(0 0 1-10/3 * ? *)",
		"cron(0 0 ? dec-DEC SAT 2199)", "cron(59 23 31 12 ? 1970-2199/10)",
	} {
		if err := Validate(expr); err != nil {
			t.Errorf("Validate(%q) = %v", expr, err)
		}
	}
}

// A sparse schedule (a few firings a year) must be walked quickly: Next jumps straight to
// candidate months and days. 10,000 calls would take minutes at one step per minute.
func TestNextManySparse(t *testing.T) {
	s := mustParse(t, "cron(15 10 ? FEB 6#5 *)", time.Time{}) // fifth Friday of February: leap years only
	cur := at("1970-01-01T00:00:00Z")
	n := 0
	for ; n < 10000; n++ {
		next := s.Next(cur)
		if next.IsZero() {
			break
		}
		if next.Month() != time.February || next.Day() != 29 || next.Weekday() != time.Friday {
			t.Fatalf("firing %s is not a fifth Friday of February", next)
		}
		cur = next
	}
	if n == 0 || n > 10 {
		t.Fatalf("got %d firings between 1970 and 2199, want a handful", n)
	}
	dense := mustParse(t, "cron(30 2 ? * MON *)", time.Time{})
	cur = at("1970-01-01T00:00:00Z")
	for i := 0; i < 10000; i++ {
		next := dense.Next(cur)
		if next.IsZero() {
			t.Fatalf("ran out after %d firings at %s", i, cur)
		}
		if !next.After(cur) || next.Weekday() != time.Monday || next.Sub(cur) > 7*24*time.Hour {
			t.Fatalf("bad firing %s after %s", next, cur)
		}
		cur = next
	}
}
