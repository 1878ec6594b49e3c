package metric

import (
	"strings"
	"testing"
)

func TestParseUnit(t *testing.T) {
	for _, u := range Units() {
		got, err := ParseUnit(string(u))
		if err != nil || got != u {
			t.Errorf("ParseUnit(%q) = %q, %v; want %q, nil", u, got, err, u)
		}
	}
	tests := []struct {
		in, wantErr string
	}{
		{"count", `did you mean "Count"?`},
		{"COUNT/SECOND", `did you mean "Count/Second"?`},
		{"Second", `did you mean "Seconds"?`},
		{"Kilobyte", `did you mean "Kilobytes"?`},
		{"Percnt", `did you mean "Percent"?`},
		{"none", `did you mean "None"?`},
		{"furlongs", `valid units are Seconds, Microseconds`},
		{"", "must not be empty"},
		{" Count", `did you mean "Count"?`},
	}
	for _, tt := range tests {
		_, err := ParseUnit(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseUnit(%q) error = %v; want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestUnitsIsTheSpecList(t *testing.T) {
	const spec = "Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, " +
		"Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, " +
		"Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, " +
		"Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None"
	var names []string
	for _, u := range Units() {
		names = append(names, string(u))
	}
	if got := strings.Join(names, ", "); got != spec {
		t.Errorf("Units() =\n%s\nwant\n%s", got, spec)
	}
	u := Units()
	u[0] = "mutated"
	if Units()[0] != UnitSeconds {
		t.Error("Units() shares its backing array between calls")
	}
}

func TestUnitIsCount(t *testing.T) {
	for _, u := range Units() {
		want := u == "Count" || u == "Count/Second"
		if got := u.IsCount(); got != want {
			t.Errorf("%q.IsCount() = %v, want %v", u, got, want)
		}
	}
}
