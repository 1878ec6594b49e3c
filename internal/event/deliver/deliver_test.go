package deliver

import (
	"errors"
	"net"
	"testing"
	"time"
)

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	for _, c := range []struct {
		attempt  int
		lo, high time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{5, 8 * time.Second, 16 * time.Second},
		{9, 128 * time.Second, 256 * time.Second},
		{10, 150 * time.Second, 300 * time.Second},
		{185, 150 * time.Second, 300 * time.Second},
	} {
		if lo, hi := Backoff(c.attempt, 0), Backoff(c.attempt, 0.999999); lo != c.lo || hi > c.high || hi < c.high-time.Millisecond {
			t.Errorf("attempt %d: %s..%s, want %s..%s", c.attempt, lo, hi, c.lo, c.high)
		}
	}
	// With the defaults, a receiver that stays down is tried for many hours.
	var total time.Duration
	for n := 1; n <= 185; n++ {
		total += Backoff(n, 0.5)
	}
	if total < 10*time.Hour {
		t.Errorf("185 retries span only %s", total)
	}
}

func TestClassify(t *testing.T) {
	for code, want := range map[int]struct {
		code      string
		retryable bool
	}{
		200: {"", false}, 204: {"", false},
		408: {"HTTP_408", true}, 429: {"THROTTLING", true}, 500: {"HTTP_500", true}, 503: {"HTTP_503", true},
		400: {"HTTP_400", false}, 401: {"NO_PERMISSIONS", false}, 403: {"NO_PERMISSIONS", false},
		404: {"NO_RESOURCE", false}, 410: {"NO_RESOURCE", false}, 422: {"HTTP_422", false},
	} {
		err := classifyStatus(code)
		if want.code == "" {
			if err != nil {
				t.Errorf("%d: %v", code, err)
			}
			continue
		}
		f := asFailure(err)
		if f.Code != want.code || f.Retryable != want.retryable {
			t.Errorf("%d: %+v, want %+v", code, f, want)
		}
	}
	timeout := &net.OpError{Op: "dial", Err: &timeoutErr{}}
	if f := asFailure(classifyError(timeout)); f.Code != "TIMEOUT" || !f.Retryable {
		t.Errorf("timeout: %+v", f)
	}
	refused := &net.OpError{Op: "dial", Err: errors.New("connect: connection refused")}
	if f := asFailure(classifyError(refused)); f.Code != "CONNECTION" || !f.Retryable {
		t.Errorf("refused: %+v", f)
	}
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }
