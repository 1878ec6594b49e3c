package notify_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/notify"
)

// An endpoint's Retry-After is read in both forms, relative to the given clock, capped,
// and ignored when it is not a valid wait.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tc := range []struct {
		value string
		want  time.Duration
	}{
		{"120", 2 * time.Minute},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"3600", time.Hour},
		{"3601", notify.MaxRetryAfter},
		{"86400", notify.MaxRetryAfter},
		{"99999999999999999999999999", notify.MaxRetryAfter}, // overflows int64
		{date(90 * time.Second), 90 * time.Second},
		{now.Add(5 * time.Minute).Format(time.RFC850), 5 * time.Minute},
		{now.Add(45 * time.Second).Format(time.ANSIC), 45 * time.Second},
		{date(48 * time.Hour), notify.MaxRetryAfter},
		{date(-time.Minute), 0}, // already past
		{date(0), 0},
		{"", 0},
		{"-5", 0},
		{"+5", 0},
		{"1.5", 0},
		{"120s", 0},
		{"soon", 0},
		{"Sun, 22 Nov 2026 10:01:00", 0}, // no zone
	} {
		if got := notify.RetryAfter(tc.value, now); got != tc.want {
			t.Errorf("RetryAfter(%q) = %s, want %s", tc.value, got, tc.want)
		}
	}
	// A date with whole seconds against a clock between seconds: never earlier than asked.
	if got := notify.RetryAfter(date(10*time.Second), now.Add(300*time.Millisecond)); got != 10*time.Second {
		t.Errorf("a date 9.7 s ahead gave %s, want 10s", got)
	}
}

// ClassifyResponse keeps a Retry-After for retryable statuses only, says the wait in the
// message as parsed (never the header as sent), and notes the cap.
func TestClassifyResponseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration
		retryable  bool
		says       string
	}{
		{"429 seconds", 429, "30", 30 * time.Second, true, "the endpoint answered 429 Too Many Requests, Retry-After 30s: busy"},
		{"503 date", 503, now.Add(2 * time.Minute).Format(http.TimeFormat), 2 * time.Minute, true, "503 Service Unavailable, Retry-After 2m0s: busy"},
		{"503 a day", 503, "86400", time.Hour, true, "Retry-After capped at 1h0m0s: busy"},
		{"429 garbage", 429, "token=SECRETVALUE", 0, true, "the endpoint answered 429 Too Many Requests: busy"},
		{"429 none", 429, "", 0, true, "the endpoint answered 429 Too Many Requests: busy"},
		{"400 ignores it", 400, "30", 0, false, "the endpoint answered 400 Bad Request: busy"},
		{"301 ignores it", 301, "30", 0, false, "the endpoint answered 301 Moved Permanently: busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			if tc.retryAfter != "" {
				resp.Header.Set("Retry-After", tc.retryAfter)
			}
			var f *notify.Failure
			if err := notify.ClassifyResponse(resp, now, "busy"); !errors.As(err, &f) {
				t.Fatalf("got %v, want a *notify.Failure", err)
			}
			if f.RetryAfter != tc.want || f.Retryable != tc.retryable {
				t.Errorf("RetryAfter %s retryable %v, want %s %v", f.RetryAfter, f.Retryable, tc.want, tc.retryable)
			}
			if f.Message != tc.says && !strings.HasSuffix(f.Message, tc.says) {
				t.Errorf("message %q, want it to end %q", f.Message, tc.says)
			}
			if strings.Contains(f.Message, "SECRETVALUE") {
				t.Errorf("message %q quotes the header", f.Message)
			}
		})
	}
	if err := notify.ClassifyResponse(&http.Response{StatusCode: 202, Header: http.Header{"Retry-After": {"30"}}}, now, ""); err != nil {
		t.Errorf("202 gave %v", err)
	}
}
