package notify

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps the wait an endpoint may ask for with Retry-After: a longer wait (or
// a date further ahead) counts as MaxRetryAfter, so that a broken or hostile endpoint
// cannot park a message for days. It is SNS's limit on the delays of a whole HTTP policy
// (HTTPRetryLimit).
const MaxRetryAfter = HTTPRetryLimit

// RetryAfter reads a Retry-After header value (RFC 9110 §10.2.3): delta-seconds ("120")
// or an HTTP-date, taken relative to now and rounded up to the second. It returns 0 for
// an empty, malformed or negative value and for a date that is not after now, and at most
// MaxRetryAfter.
func RetryAfter(value string, now time.Time) time.Duration {
	d, _ := parseRetryAfter(value, now)
	return d
}

// parseRetryAfter is RetryAfter that also reports whether the wait was cut to
// MaxRetryAfter.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if strings.Trim(v, "0123456789") == "" { // delta-seconds = 1*DIGIT: no sign, no fraction
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true // only digits, so err is an overflow: a huge wait
		}
		d = time.Duration(n) * time.Second
	} else {
		at, err := http.ParseTime(v)
		if err != nil {
			return 0, false
		}
		// Sub saturates instead of overflowing; the date has whole seconds, now may not.
		if d = at.Sub(now); d%time.Second != 0 && d > 0 {
			d = d.Truncate(time.Second) + time.Second
		}
	}
	switch {
	case d <= 0:
		return 0, false
	case d > MaxRetryAfter:
		return MaxRetryAfter, true
	}
	return d, false
}
