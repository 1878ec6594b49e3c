package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AckLinks signs and checks the acknowledge links put in escalation messages: whoever
// holds the link may acknowledge that one incident until it expires, without a token.
type AckLinks struct {
	Key []byte // secret; at least 32 random bytes kept in the data directory
}

// ErrBadLink is returned for a link that is forged, altered or expired.
var ErrBadLink = errors.New("this acknowledge link is invalid or has expired")

// URL returns the link for incident id of env, valid until expires.
func (a AckLinks) URL(publicURL, env string, id int64, expires time.Time) string {
	if publicURL == "" {
		return ""
	}
	q := url.Values{"env": {env}, "incident": {strconv.FormatInt(id, 10)}, "expires": {strconv.FormatInt(expires.Unix(), 10)}}
	q.Set("sig", a.sign(env, id, expires.Unix()))
	return strings.TrimRight(publicURL, "/") + "/ack?" + q.Encode()
}

// Check verifies a link's query and returns the environment and incident it names.
func (a AckLinks) Check(q url.Values, now time.Time) (string, int64, error) {
	env := q.Get("env")
	id, err1 := strconv.ParseInt(q.Get("incident"), 10, 64)
	exp, err2 := strconv.ParseInt(q.Get("expires"), 10, 64)
	if env == "" || err1 != nil || err2 != nil {
		return "", 0, ErrBadLink
	}
	want := a.sign(env, id, exp)
	if !hmac.Equal([]byte(want), []byte(q.Get("sig"))) || now.Unix() > exp {
		return "", 0, ErrBadLink
	}
	return env, id, nil
}

func (a AckLinks) sign(env string, id, exp int64) string {
	h := hmac.New(sha256.New, a.Key)
	fmt.Fprintf(h, "ack\n%s\n%d\n%d", env, id, exp)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// CheckAckLink verifies an acknowledge link's query at the current time.
func (n *Notifier) CheckAckLink(q url.Values) (string, int64, error) {
	return n.opts.AckLinks.Check(q, n.opts.Now())
}
