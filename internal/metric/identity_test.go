package metric

import (
	"strings"
	"testing"
)

type identityCase struct {
	name    string
	in      string
	wantErr string // "" means valid
}

func runIdentity(t *testing.T, fn func(string) error, tests []identityCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fn(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("no error; want one containing %q", tt.wantErr)
			case tt.wantErr != "" && err.Error() != tt.wantErr:
				t.Errorf("error = %q; want %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateNamespace(t *testing.T) {
	runIdentity(t, ValidateNamespace, []identityCase{
		{"simple", "MyApp", ""},
		{"all allowed chars", "My.App-1_x/y#z:w", ""},
		{"space allowed", "My App", ""},
		{"AWS prefix is only a lint", "AWS/EC2", ""},
		{"colon inside", "a:b", ""},
		{"255 chars", strings.Repeat("n", 255), ""},
		{"empty", "", "must be 1–255 characters, got 0"},
		{"256 chars", strings.Repeat("n", 256), "must be 1–255 characters, got 256"},
		{"300 chars", strings.Repeat("n", 300), "must be 1–255 characters, got 300"},
		{"leading colon", ":ns", "must not start with ':'"},
		{"only spaces", "   ", "must contain at least one non-whitespace character"},
		{"non-ASCII", "Café", `must be ASCII, found 'é' at character 4`},
		{"invalid UTF-8", "a\xffb", `must be ASCII, found '�' at character 2`},
		{"control char", "a\x07b", "must not contain control characters, found U+0007 at character 2"},
		{"tab", "a\tb", "must not contain control characters, found U+0009 at character 2"},
		{"DEL", "a\x7f", "must not contain control characters, found U+007F at character 2"},
		{"disallowed punctuation", "my@app", "may contain only 0-9 A-Z a-z . - _ / # : and space, found '@' at character 3"},
		{"length counts characters", strings.Repeat("é", 200), "must be ASCII, found 'é' at character 1"},
	})
}

func TestIsReservedNamespace(t *testing.T) {
	for in, want := range map[string]bool{
		"AWS/EC2": true, "AWS/": true, "aws/ec2": false, "AWS": false, "MyAWS/x": false, "": false,
	} {
		if got := IsReservedNamespace(in); got != want {
			t.Errorf("IsReservedNamespace(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestValidateMetricName(t *testing.T) {
	runIdentity(t, ValidateMetricName, []identityCase{
		{"simple", "CPUUtilization", ""},
		{"punctuation", "latency p99 (ms)", ""},
		{"255 multibyte chars", strings.Repeat("é", 255), ""},
		{"empty", "", "must be 1–255 characters, got 0"},
		{"256 multibyte chars", strings.Repeat("é", 256), "must be 1–255 characters, got 256"},
	})
}

func TestValidateDimensionName(t *testing.T) {
	runIdentity(t, ValidateDimensionName, []identityCase{
		{"simple", "InstanceId", ""},
		{"punctuation and spaces", "my dim@1", ""},
		{"255 chars", strings.Repeat("d", 255), ""},
		{"empty", "", "must be 1–255 characters, got 0"},
		{"256 chars", strings.Repeat("d", 256), "must be 1–255 characters, got 256"},
		{"leading colon", ":x", "must not start with ':'"},
		{"only spaces", " ", "must contain at least one non-whitespace character"},
		{"newline", "a\nb", "must not contain control characters, found U+000A at character 2"},
		{"non-ASCII", "größe", "must be ASCII, found 'ö' at character 3"},
	})
}

func TestValidateDimensionValue(t *testing.T) {
	runIdentity(t, ValidateDimensionValue, []identityCase{
		{"simple", "i-0123456789abcdef0", ""},
		{"leading colon allowed", ":8080", ""},
		{"1024 chars", strings.Repeat("v", 1024), ""},
		{"empty", "", "must be 1–1024 characters, got 0"},
		{"1025 chars", strings.Repeat("v", 1025), "must be 1–1024 characters, got 1025"},
		{"only spaces", "  ", "must contain at least one non-whitespace character"},
		{"control char", "\x00", "must not contain control characters, found U+0000 at character 1"},
		{"non-ASCII", "naïve", "must be ASCII, found 'ï' at character 3"},
	})
}
