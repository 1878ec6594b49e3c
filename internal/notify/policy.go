package notify

import (
	"math"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
)

// Backoff functions of a delivery policy (spec C5).
const (
	BackoffLinear      = "linear"
	BackoffArithmetic  = "arithmetic"
	BackoffGeometric   = "geometric"
	BackoffExponential = "exponential"
)

// HTTPRetryLimit is SNS's hard limit on the total retry time of an HTTP/S delivery policy:
// the sum of the delays before all retries may not exceed it.
const HTTPRetryLimit = 3600 * time.Second

// Policy is an SNS delivery retry policy (spec C5). After the first attempt fails, up to
// NumRetries retries follow in four phases, in this order:
//
//  1. immediate: NoDelay retries with no delay;
//  2. pre-backoff: MinDelayRetries retries, each MinDelay after the previous attempt;
//  3. backoff: NumRetries − NoDelay − MinDelayRetries − MaxDelayRetries retries whose
//     delays rise from MinDelay (first) to MaxDelay (last) following Backoff;
//  4. post-backoff: MaxDelayRetries retries, each MaxDelay after the previous attempt.
//
// Counting: NumRetries does not include the first attempt, so a policy makes
// Attempts() = 1 + Retries() sends at most (the HTTP default: 3 retries, 4 attempts).
//
// The delays are the targets; jitter is the caller's business and is not part of Delay.
// Policy is a value with no state: the retry number comes from the outbox.
type Policy struct {
	MinDelay, MaxDelay time.Duration
	NumRetries         int // total retries of all phases, not counting the first attempt
	NoDelay            int // retries of the immediate phase
	MinDelayRetries    int // retries of the pre-backoff phase
	MaxDelayRetries    int // retries of the post-backoff phase
	Backoff            string
	// MaxTotal caps the sum of the delays (0: no cap). Retries whose delay would take the
	// sum past it are not made. PolicyFor sets HTTPRetryLimit for HTTP channels.
	MaxTotal time.Duration
}

// HTTPPolicy is SNS's default HTTP/S policy: 3 retries, 20 s apart (linear, min = max =
// 20 s), 4 attempts over about a minute.
func HTTPPolicy() Policy {
	return Policy{
		MinDelay:   20 * time.Second,
		MaxDelay:   20 * time.Second,
		NumRetries: 3,
		Backoff:    BackoffLinear,
		MaxTotal:   HTTPRetryLimit,
	}
}

// CustomerManagedPolicy is SNS's fixed policy for customer-managed endpoints (SMTP, SMS):
// no immediate retries, 2 retries 10 s apart, 10 retries backing off exponentially from
// 10 s to 600 s, then retries 600 s apart — 50 attempts over about six and a half hours.
//
// SNS's table lists 0 + 2 + 10 + 38 = 50 as "total attempts", counting the entries of the
// phases; 50 retries would be 51 sends. tocsin counts attempts as sends (the first attempt
// plus the retries, as SNS does for HTTP: "3 retries, i.e. 4 attempts"), so to make the 50
// attempts SNS promises the post-backoff phase has 37 retries: NumRetries is 49. The backoff
// function is not in spec C5; SNS's documentation says exponential.
func CustomerManagedPolicy() Policy {
	return Policy{
		MinDelay:        10 * time.Second,
		MaxDelay:        600 * time.Second,
		NumRetries:      49,
		MinDelayRetries: 2,
		MaxDelayRetries: 37,
		Backoff:         BackoffExponential,
	}
}

// customerManaged reports whether a channel talks to a customer-managed endpoint (SNS's
// SMTP and SMS) rather than an HTTP one.
func customerManaged(channel string) bool {
	return channel == "email" || channel == "sms"
}

// PolicyFor is the policy of a subscription of the given channel ("email", "slack", …, as
// stack.Subscription.Channel says). Without a delivery_policy it is the channel's default:
// CustomerManagedPolicy for email and SMS, HTTPPolicy for the others. With one, its fields
// are used and zero values take SNS's defaults (20 s, 20 s — or min_delay_target when that
// is larger —, 3 retries, linear).
//
// The 3600 s limit on the total retry time (MaxTotal) is SNS's limit on HTTP/S policies, so
// it applies to HTTP channels only; an e-mail or SMS policy may retry for longer, as the
// customer-managed default does.
func PolicyFor(channel string, p *stack.DeliveryPolicy) Policy {
	if p == nil {
		if customerManaged(channel) {
			return CustomerManagedPolicy()
		}
		return HTTPPolicy()
	}
	minD, maxD := p.MinDelayTarget, p.MaxDelayTarget
	if minD <= 0 {
		minD = 20
	}
	if maxD <= 0 {
		maxD = max(20, minD)
	}
	minD = min(minD, maxD) // an invalid policy (stack rejects it) still gives rising delays
	retries := 3
	if p.NumRetries != nil {
		retries = *p.NumRetries
	}
	backoff := p.BackoffFunction
	if backoff == "" {
		backoff = BackoffLinear
	}
	pol := Policy{
		MinDelay:        time.Duration(minD) * time.Second,
		MaxDelay:        time.Duration(maxD) * time.Second,
		NumRetries:      retries,
		NoDelay:         p.NumNoDelayRetries,
		MinDelayRetries: p.NumMinDelayRetries,
		MaxDelayRetries: p.NumMaxDelayRetries,
		Backoff:         backoff,
	}
	if !customerManaged(channel) {
		pol.MaxTotal = HTTPRetryLimit
	}
	return pol
}

// Delay is the delay before retry number retry (1 for the first retry, which follows the
// first attempt). It reports false when the policy has no such retry: retry is beyond
// NumRetries, or the delays up to and including it add up to more than MaxTotal.
func (p Policy) Delay(retry int) (time.Duration, bool) {
	if retry < 1 || retry > p.NumRetries {
		return 0, false
	}
	if p.MaxTotal > 0 {
		var total time.Duration
		for r := 1; r <= retry; r++ {
			total += p.delay(r)
		}
		if total > p.MaxTotal {
			return 0, false
		}
	}
	return p.delay(retry), true
}

// Retries is the number of retries the policy makes: NumRetries, or fewer when MaxTotal
// cuts the policy short.
func (p Policy) Retries() int {
	n := max(p.NumRetries, 0)
	if p.MaxTotal <= 0 {
		return n
	}
	var total time.Duration
	for r := 1; r <= n; r++ {
		if total += p.delay(r); total > p.MaxTotal {
			return r - 1
		}
	}
	return n
}

// Attempts is the number of sends the policy allows: the first attempt and the retries.
func (p Policy) Attempts() int { return 1 + p.Retries() }

// delay is the target delay before retry r (1 ≤ r ≤ NumRetries), by phase. When the fixed
// counts add up to more than NumRetries (stack rejects that), the later phases are cut.
func (p Policy) delay(r int) time.Duration {
	noDelay, minRetries, maxRetries := max(p.NoDelay, 0), max(p.MinDelayRetries, 0), max(p.MaxDelayRetries, 0)
	if r <= noDelay {
		return 0
	}
	r -= noDelay
	if r <= minRetries {
		return p.MinDelay
	}
	r -= minRetries
	k := max(p.NumRetries-noDelay-minRetries-maxRetries, 0)
	if r <= k {
		return p.backoff(r-1, k)
	}
	return p.MaxDelay
}

// backoff is the delay of backoff retry i of k (i = 0…k−1), with f = i/(k−1) (0 when
// k = 1), rounded to the millisecond:
//
//	linear       min + (max−min)·f
//	arithmetic   min + (max−min)·f²
//	geometric    min·(max/min)^f
//	exponential  min + (max−min)·(2^(10f)−1)/(2^10−1)
//
// An unknown function is taken as linear, and so is geometric when min is not positive.
func (p Policy) backoff(i, k int) time.Duration {
	lo, hi := float64(p.MinDelay), float64(max(p.MaxDelay, p.MinDelay))
	f := 0.0
	if k > 1 {
		f = float64(i) / float64(k-1)
	}
	var d float64
	switch p.Backoff {
	case BackoffArithmetic:
		d = lo + (hi-lo)*f*f
	case BackoffGeometric:
		if lo > 0 {
			d = lo * math.Pow(hi/lo, f)
			break
		}
		d = lo + (hi-lo)*f
	case BackoffExponential:
		d = lo + (hi-lo)*(math.Exp2(10*f)-1)/(math.Exp2(10)-1)
	default:
		d = lo + (hi-lo)*f
	}
	return time.Duration(math.Round(d/float64(time.Millisecond))) * time.Millisecond
}
