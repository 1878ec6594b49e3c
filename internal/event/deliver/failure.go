package deliver

import (
	"errors"
	"math/rand/v2"
	"time"
)

// Failure is a failed send, classified once: Retryable failures are tried again,
// the others go straight to the dead letters (spec B3).
type Failure struct {
	Code      string // HTTP_503, TIMEOUT, CONNECTION, NO_RESOURCE, NO_PERMISSIONS, …
	Message   string
	Retryable bool
}

func (f *Failure) Error() string { return f.Code + ": " + f.Message }

func asFailure(err error) *Failure {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	return &Failure{Code: "INTERNAL", Message: err.Error(), Retryable: true}
}

// Backoff is the delay after the attempt-th failed attempt: exponential from 1 s, capped
// at 5 minutes, with "equal jitter" (half fixed, half random; jitter in [0,1)). With the
// defaults (185 retries, 24 h) a target that stays down is tried for the whole day.
func Backoff(attempt int, jitter float64) time.Duration {
	d := 5 * time.Minute
	if attempt < 10 {
		d = min(d, time.Second<<(attempt-1))
	}
	return d/2 + time.Duration(jitter*float64(d/2))
}

func defaultJitter() float64 { return rand.Float64() }
