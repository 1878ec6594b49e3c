package putmetric

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// body wraps datum objects in an envelope with namespace "App".
func body(datums ...string) string {
	return `{"namespace":"App","metric_data":[` + strings.Join(datums, ",") + `]}`
}

func dims(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"D%02d":"v"`, i)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func numbers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestDecodeRejectsBody covers the problems that make the whole body unusable.
func TestDecodeRejectsBody(t *testing.T) {
	ok := `{"name":"L","value":1}`
	tests := []struct {
		name, body   string
		lim          Limits
		field, msg   string
		offset       int // checked when > 0
		wantNoDatums bool
	}{
		{name: "not JSON", body: `{"namespace" "App"}`, msg: "invalid JSON at byte offset 13: expected ':' after a key, found '\"'", offset: 13},
		{name: "trailing comma", body: body(`{"name":"L","value":1,}`), field: "metric_data[0]",
			msg: "invalid JSON at byte offset 56: expected a string key, found '}'", offset: 56},
		{name: "missing comma", body: body(`{"name":"L" "value":1}`), field: "metric_data[0]",
			msg: "invalid JSON at byte offset 46: expected ',' or '}', found '\"'"},
		{name: "truncated", body: body(ok)[:40], field: "metric_data[0]", msg: "invalid JSON at byte offset 40: unterminated string"},
		{name: "trailing data", body: body(ok) + " x", msg: "invalid JSON at byte offset 59: unexpected 'x' after the top-level object"},
		{name: "leading zero", body: body(`{"name":"L","value":01}`), field: "metric_data[0]", msg: "invalid JSON at byte offset 55: expected ',' or '}', found '1'"},
		{name: "bare decimal point", body: body(`{"name":"L","value":1.}`), field: "metric_data[0].value",
			msg: "invalid JSON at byte offset 56: expected a digit after the decimal point, found '}'"},
		{name: "NaN", body: body(`{"name":"L","value":NaN}`), field: "metric_data[0].value",
			msg: "invalid JSON at byte offset 54: NaN and Infinity are not JSON numbers and are not accepted"},
		{name: "Infinity", body: body(`{"name":"L","values":[1,Infinity]}`), field: "metric_data[0].values",
			msg: "invalid JSON at byte offset 58: NaN and Infinity are not JSON numbers and are not accepted"},
		{name: "-Infinity", body: body(`{"name":"L","value":-Infinity}`), field: "metric_data[0].value",
			msg: "invalid JSON at byte offset 55: NaN and Infinity are not JSON numbers and are not accepted"},
		{name: "control character", body: body("{\"name\":\"a\tb\",\"value\":1}"), field: "metric_data[0].name",
			msg: "invalid JSON at byte offset 44: control character U+0009 in a string"},
		{name: "bad escape", body: body(`{"name":"a\qb","value":1}`), field: "metric_data[0].name",
			msg: `invalid JSON at byte offset 44: invalid escape '\q' in a string`},
		{name: "bad unicode escape", body: body(`{"name":"a\u12x4","value":1}`), field: "metric_data[0].name",
			msg: `invalid JSON at byte offset 48: invalid hexadecimal digit 'x' in a \u escape`},
		{name: "invalid UTF-8", body: body("{\"name\":\"a\xffb\",\"value\":1}"), field: "metric_data[0].name",
			msg: "invalid JSON at byte offset 44: invalid UTF-8 in a string"},
		{name: "too deep", body: body(`{"name":"L","value":1,"x":` + strings.Repeat("[", 1002) + strings.Repeat("]", 1002) + `}`),
			field: "metric_data[0]", msg: "invalid JSON at byte offset 1060: values nested more than 1000 deep"},
		{name: "not an object", body: `[1]`, msg: "the body must be a JSON object, got an array"},
		{name: "empty", body: ``, msg: "invalid JSON at byte offset 0: expected a value, found end of input"},
		{name: "unknown envelope key", body: `{"namespace":"App","metrics_data":[]}`, field: "metrics_data", msg: "unknown key"},
		{name: "duplicate envelope key", body: `{"namespace":"App","namespace":"App"}`, field: "namespace", msg: "duplicate key"},
		{name: "namespace missing", body: `{"metric_data":[` + ok + `]}`, field: "namespace", msg: "required"},
		{name: "namespace number", body: `{"namespace":7,"metric_data":[]}`, field: "namespace", msg: "must be a string, got a number"},
		{name: "namespace null", body: `{"namespace":null}`, field: "namespace", msg: "must be a string, got null"},
		{name: "bad namespace", body: `{"namespace":":App","metric_data":[` + ok + `]}`, field: "namespace", msg: "must not start with ':'"},
		{name: "namespace character", body: `{"namespace":"App!","metric_data":[` + ok + `]}`, field: "namespace",
			msg: "may contain only 0-9 A-Z a-z . - _ / # : and space, found '!' at character 4"},
		{name: "bad environment", body: `{"environment":"Prod","namespace":"App","metric_data":[` + ok + `]}`, field: "environment",
			msg: `invalid environment name "Prod": use lower-case letters, digits and -, starting with a letter`},
		{name: "metric_data missing", body: `{"namespace":"App"}`, field: "metric_data", msg: "required"},
		{name: "metric_data object", body: `{"namespace":"App","metric_data":{}}`, field: "metric_data", msg: "must be an array, got an object"},
		{name: "metric_data empty", body: body(), field: "metric_data", msg: "must hold at least one datum"},
		{name: "too many datums", body: body(ok, ok, ok), lim: Limits{MaxDatums: 2}, field: "metric_data", msg: "at most 2 datums per request, got 3"},
		{name: "body too large", body: body(ok), lim: Limits{MaxBodyBytes: 20}, msg: "the body is 58 bytes, more than the limit of 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst Request
			errs, err := Decode([]byte(tt.body), now, tt.lim, &dst)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode = %v, %v; want an *Error", errs, err)
			}
			if e.Field != tt.field || e.Message != tt.msg {
				t.Errorf("error = field %q, message %q\nwant  field %q, message %q", e.Field, e.Message, tt.field, tt.msg)
			}
			if want := strings.TrimPrefix(tt.field+": "+tt.msg, ": "); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if tt.offset > 0 && e.Offset != tt.offset {
				t.Errorf("offset = %d, want %d", e.Offset, tt.offset)
			}
			if errs != nil {
				t.Errorf("datum errors %v alongside a body error", errs)
			}
		})
	}
}

// TestDecodeRejectsDatum covers the problems of one datum: the body decodes, and the
// datum's first problem is reported with its full path.
func TestDecodeRejectsDatum(t *testing.T) {
	old := now.Add(-15 * 24 * time.Hour).Format(time.RFC3339)
	late := now.Add(3 * time.Hour).Unix()
	tests := []struct{ name, datum, field, msg string }{
		{"value string", `{"name":"L","value":"1"}`, "value", "must be a number, got a string"},
		{"value null", `{"name":"L","value":null}`, "value", "must be a number, got null"},
		{"name number", `{"name":5,"value":1}`, "name", "must be a string, got a number"},
		{"unit array", `{"name":"L","unit":["Count"],"value":1}`, "unit", "must be a string, got an array"},
		{"dimensions array", `{"name":"L","dimensions":["Host"],"value":1}`, "dimensions", "must be an object, got an array"},
		{"dimension value number", `{"name":"L","dimensions":{"Host":1},"value":1}`, "dimensions.Host", "must be a string, got a number"},
		{"values element", `{"name":"L","values":[1,true]}`, "values[1]", "must be a number, got a boolean"},
		{"timestamp bool", `{"name":"L","value":1,"timestamp":false}`, "timestamp",
			"must be an RFC 3339 string or a number of Unix seconds or milliseconds, got a boolean"},
		{"datum not object", `7`, "", "must be an object, got a number"},
		{"unknown key", `{"name":"L","vaule":1}`, "vaule", "unknown key"},
		{"unknown stats key", `{"name":"L","statistic_values":{"sample_count":1,"sum":1,"minimum":1,"maximum":1,"avg":1}}`,
			"statistic_values.avg", "unknown key"},
		{"duplicate key", `{"name":"L","value":1,"value":2}`, "value", "duplicate key"},
		{"duplicate stats key", `{"name":"L","statistic_values":{"sum":1,"sum":1}}`, "statistic_values.sum", "duplicate key"},
		{"duplicate dimension", `{"name":"L","dimensions":{"Host":"a","Host":"b"},"value":1}`, "dimensions.Host", "duplicate dimension"},
		{"duplicate dimension and value", `{"name":"L","dimensions":{"Host":"a","Host":"a"},"value":1}`, "dimensions.Host", "duplicate dimension"},
		{"above 2^360", `{"name":"L","value":2.4e108}`, "value", "2.4e+108 is outside ±2^360"},
		{"below -2^360", `{"name":"L","values":[1,-1e200]}`, "values[1]", "-1e+200 is outside ±2^360"},
		{"beyond float64", `{"name":"L","value":-1e400}`, "value", "-1e400 is outside ±2^360"},
		{"stats beyond 2^360", `{"name":"L","statistic_values":{"sample_count":1,"sum":1e300,"minimum":1,"maximum":1}}`,
			"statistic_values.sum", "1e+300 is outside ±2^360"},
		{"timestamp too old", `{"name":"L","value":1,"timestamp":"` + old + `"}`, "timestamp", old + " is more than 2 weeks in the past"},
		{"timestamp too new", fmt.Sprintf(`{"name":"L","value":1,"timestamp":%d}`, late), "timestamp",
			now.Add(3*time.Hour).Format(time.RFC3339) + " is more than 2 hours in the future"},
		{"timestamp not RFC 3339", `{"name":"L","value":1,"timestamp":"2026-03-01 12:00:00"}`, "timestamp",
			`"2026-03-01 12:00:00" is not an RFC 3339 time such as 2006-01-02T15:04:05Z`},
		{"timestamp February 30", `{"name":"L","value":1,"timestamp":"2026-02-30T12:00:00Z"}`, "timestamp",
			`"2026-02-30T12:00:00Z" is not an RFC 3339 time such as 2006-01-02T15:04:05Z`},
		{"timestamp huge", `{"name":"L","value":1,"timestamp":1e20}`, "timestamp", "1e20 is out of the range of Unix times"},
		{"31 dimensions", `{"name":"L","value":1,"dimensions":` + dims(31) + `}`, "dimensions", "at most 30 dimensions, got 31"},
		{"dimension name colon", `{"name":"L","dimensions":{":x":"a"},"value":1}`, "dimensions.:x", "name must not start with ':'"},
		{"dimension value empty", `{"name":"L","dimensions":{"Host":""},"value":1}`, "dimensions.Host", "value must be 1–1024 characters, got 0"},
		{"dimension value control", `{"name":"L","dimensions":{"Host":"a\u0007"},"value":1}`, "dimensions.Host",
			"value must not contain control characters, found U+0007 at character 2"},
		{"name empty", `{"name":"","value":1}`, "name", "must be 1–255 characters, got 0"},
		{"name missing", `{"value":1}`, "name", "required"},
		{"unknown unit", `{"name":"L","unit":"Milisecond","value":1}`, "unit", `unknown unit "Milisecond"; did you mean "Milliseconds"?`},
		{"empty unit", `{"name":"L","unit":"","value":1}`, "unit", `unit must not be empty (omit it for "None")`},
		{"storage resolution", `{"name":"L","value":1,"storage_resolution":30}`, "storage_resolution", "must be 1 or 60, got 30"},
		{"counts without values", `{"name":"L","value":1,"counts":[1]}`, "counts", "given without values"},
		{"counts mismatch", `{"name":"L","values":[1,2],"counts":[1]}`, "counts", "must have as many entries as values (2), got 1"},
		{"negative count", `{"name":"L","values":[1,2],"counts":[1,-1]}`, "counts[1]", "must be a finite number ≥ 0, got -1"},
		{"151 values", `{"name":"L","values":` + numbers(151) + `}`, "values", "must hold 1–150 values, got 151"},
		{"151 counts", `{"name":"L","values":` + numbers(150) + `,"counts":` + numbers(151) + `}`, "counts",
			"must have as many entries as values (150), got 151"},
		{"no values", `{"name":"L","values":[]}`, "values", "must hold 1–150 values, got 0"},
		{"no value form", `{"name":"L"}`, "value", "give exactly one of value, values (with counts) or statistic_values"},
		{"two value forms", `{"name":"L","value":1,"values":[1]}`, "value", "give exactly one of value, values (with counts) or statistic_values"},
		{"stats missing member", `{"name":"L","statistic_values":{"sample_count":1,"sum":1,"minimum":1}}`,
			"statistic_values.maximum", "required"},
		{"stats zero samples", `{"name":"L","statistic_values":{"sample_count":0,"sum":1,"minimum":1,"maximum":1}}`,
			"statistic_values.sample_count", "must be greater than 0, got 0"},
	}
	// warm has decoded, and so cached as valid, the strings of valid datums like the cases'.
	var warm Request
	if errs, err := Decode([]byte(body(`{"name":"L","value":1,"unit":"Count","dimensions":{"Host":"a","Region":"eu",":x":"a"}}`)),
		now, Limits{}, &warm); err != nil || len(errs) != 1 || errs[0].Field != "metric_data[0].dimensions.:x" {
		t.Fatal(errs, err)
	}
	if errs, err := Decode([]byte(body(`{"name":"L","value":1,"unit":"Count","dimensions":{"Host":"a","Region":"eu"}}`)),
		now, Limits{}, &warm); err != nil || errs != nil {
		t.Fatal(errs, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok := `{"name":"OK","value":1}`
			for _, dst := range []*Request{{}, &warm} {
				errs, err := Decode([]byte(body(ok, tt.datum, ok)), now, Limits{}, dst)
				if err != nil {
					t.Fatalf("body error %v", err)
				}
				want := DatumError{Index: 1, Field: datumPath(1, tt.field), Message: tt.msg}
				if len(errs) != 1 || errs[0] != want {
					t.Errorf("errors = %q\nwant     [%q]", errs, want)
				}
			}
		})
	}
}

// TestDecodeReportsEveryDatum: one error per invalid datum, in index order, whether found
// while decoding or by validation.
func TestDecodeReportsEveryDatum(t *testing.T) {
	b := body(`{"name":"A","value":1,"storage_resolution":5}`, `{"name":"B","value":"x"}`,
		`{"name":"C","value":1}`, `{"name":"D","value":1e300,"unit":"Bytes"}`, `{"name":"E","value":1,"x":1,"y":2}`)
	var dst Request
	errs, err := Decode([]byte(b), now, Limits{}, &dst)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(errs)
	want := "[metric_data[0].storage_resolution: must be 1 or 60, got 5 metric_data[1].value: must be a number, got a string " +
		"metric_data[3].value: 1e+300 is outside ±2^360 metric_data[4].x: unknown key]"
	if got != want {
		t.Errorf("errors =\n%s\nwant\n%s", got, want)
	}
}
