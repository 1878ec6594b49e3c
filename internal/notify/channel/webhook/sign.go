package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signature headers and scheme; see the package documentation.
const (
	TimestampHeader = "X-Tocsin-Timestamp"
	SignatureHeader = "X-Tocsin-Signature"
	// DefaultTolerance is how far a timestamp may be from the receiver's clock when
	// Verify is given no tolerance.
	DefaultTolerance = 5 * time.Minute
)

// Errors of Verify, for errors.Is; the returned errors add what exactly is wrong.
var (
	ErrUnsigned  = errors.New("webhook: the request is not signed")
	ErrStale     = errors.New("webhook: the signature timestamp is outside the tolerance")
	ErrSignature = errors.New("webhook: the signature does not match the body")
)

// sign is the v1 signature of body sent at the Unix time ts: lowercase hex of
// HMAC-SHA256(secret, ts + "." + body).
func sign(secret string, ts int64, body []byte) string {
	return hex.EncodeToString(mac(secret, strconv.FormatInt(ts, 10), body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a signed request as a receiver: header holds X-Tocsin-Timestamp and
// X-Tocsin-Signature, body is the request body exactly as received, now is the
// receiver's clock and tolerance how far the timestamp may be from it (in either
// direction; DefaultTolerance when not positive). The signature header may list several
// comma-separated "v1=" values; one match is enough. Signatures are compared in constant
// time. Errors wrap ErrUnsigned, ErrStale or ErrSignature and never contain the secret.
func Verify(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return errors.New("webhook: no signing secret to verify with")
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts := header.Get(TimestampHeader)
	if ts == "" {
		return fmt.Errorf("%w: no %s header", ErrUnsigned, TimestampHeader)
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s is not a Unix time in seconds", ErrUnsigned, TimestampHeader)
	}
	switch age := now.Sub(time.Unix(unix, 0)); {
	case age > tolerance:
		return fmt.Errorf("%w: signed %s ago, more than %s", ErrStale, age.Round(time.Second), tolerance)
	case -age > tolerance:
		return fmt.Errorf("%w: signed %s in the future, more than %s", ErrStale, (-age).Round(time.Second), tolerance)
	}
	values := header.Values(SignatureHeader)
	if len(values) == 0 {
		return fmt.Errorf("%w: no %s header", ErrUnsigned, SignatureHeader)
	}
	want := mac(secret, ts, body)
	found := false
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			hexSig, ok := strings.CutPrefix(strings.TrimSpace(part), "v1=")
			if !ok {
				continue // another scheme
			}
			found = true
			if got, err := hex.DecodeString(hexSig); err == nil && hmac.Equal(got, want) {
				return nil
			}
		}
	}
	if !found {
		return fmt.Errorf("%w: %s has no v1= value", ErrUnsigned, SignatureHeader)
	}
	return fmt.Errorf("%w (wrong secret, or the body or timestamp changed on the way)", ErrSignature)
}
