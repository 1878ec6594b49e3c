package notify

import (
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/stack"
)

func intp(n int) *int { return &n }

// delays lists every delay a policy allows, walking Delay until it reports false.
func delays(t *testing.T, p Policy) []time.Duration {
	t.Helper()
	var ds []time.Duration
	for r := 1; ; r++ {
		d, ok := p.Delay(r)
		if !ok {
			break
		}
		if r > 1000 {
			t.Fatalf("policy %+v does not end", p)
		}
		ds = append(ds, d)
	}
	if len(ds) != p.Retries() {
		t.Errorf("Delay allows %d retries, Retries() says %d", len(ds), p.Retries())
	}
	return ds
}

func sum(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

func TestPolicyDocExample(t *testing.T) {
	// {"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,
	//  "numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"}
	p := PolicyFor("webhook", &stack.DeliveryPolicy{
		MinDelayTarget: 1, MaxDelayTarget: 60, NumRetries: intp(50),
		NumNoDelayRetries: 3, NumMinDelayRetries: 2, NumMaxDelayRetries: 35,
		BackoffFunction: "exponential",
	})
	ds := delays(t, p)
	if len(ds) != 50 || p.Attempts() != 51 {
		t.Fatalf("got %d retries, %d attempts; want 50, 51", len(ds), p.Attempts())
	}
	for i, d := range ds[:3] {
		if d != 0 {
			t.Errorf("immediate retry %d: delay %v, want 0", i+1, d)
		}
	}
	for i, d := range ds[3:5] {
		if d != time.Second {
			t.Errorf("pre-backoff retry %d: delay %v, want 1s", i+4, d)
		}
	}
	backoff := ds[5:15]
	if backoff[0] != time.Second || backoff[9] != time.Minute {
		t.Errorf("backoff runs %v → %v, want 1s → 1m", backoff[0], backoff[9])
	}
	for i := 1; i < len(backoff); i++ {
		if backoff[i] <= backoff[i-1] {
			t.Errorf("backoff does not rise at retry %d: %v after %v", i+6, backoff[i], backoff[i-1])
		}
	}
	for i, d := range ds[15:] {
		if d != time.Minute {
			t.Errorf("post-backoff retry %d: delay %v, want 1m", i+16, d)
		}
	}
	if _, ok := p.Delay(51); ok {
		t.Error("retry 51 allowed")
	}
}

func TestPolicyHTTPDefault(t *testing.T) {
	for name, p := range map[string]Policy{
		"HTTPPolicy":          HTTPPolicy(),
		"PolicyFor nil":       PolicyFor("slack", nil),
		"PolicyFor zero":      PolicyFor("webhook", &stack.DeliveryPolicy{}),
		"PolicyFor pagerduty": PolicyFor("pagerduty", nil),
	} {
		t.Run(name, func(t *testing.T) {
			ds := delays(t, p)
			want := []time.Duration{20 * time.Second, 20 * time.Second, 20 * time.Second}
			if len(ds) != len(want) {
				t.Fatalf("delays %v, want %v", ds, want)
			}
			for i := range want {
				if ds[i] != want[i] {
					t.Errorf("retry %d: %v, want %v", i+1, ds[i], want[i])
				}
			}
			if p.Attempts() != 4 {
				t.Errorf("Attempts() = %d, want 4", p.Attempts())
			}
			if _, ok := p.Delay(4); ok {
				t.Error("a fourth retry is allowed")
			}
		})
	}
}

func TestPolicyNoRetries(t *testing.T) {
	for _, channel := range []string{"webhook", "email"} {
		p := PolicyFor(channel, &stack.DeliveryPolicy{NumRetries: intp(0)})
		if d, ok := p.Delay(1); ok {
			t.Errorf("%s: retry 1 allowed after %v", channel, d)
		}
		if p.Retries() != 0 || p.Attempts() != 1 {
			t.Errorf("%s: Retries() = %d, Attempts() = %d; want 0, 1", channel, p.Retries(), p.Attempts())
		}
	}
	if _, ok := HTTPPolicy().Delay(0); ok {
		t.Error("retry 0 allowed")
	}
}

func TestPolicyBackoffFunctions(t *testing.T) {
	// Three backoff retries from 10 s to 100 s: f = 0, 0.5, 1.
	for _, tc := range []struct {
		backoff string
		middle  time.Duration
	}{
		{"linear", 55 * time.Second},
		{"", 55 * time.Second},                    // the default
		{"arithmetic", 32500 * time.Millisecond},  // 10 + 90·0.25
		{"geometric", 31623 * time.Millisecond},   // 10·√10
		{"exponential", 12727 * time.Millisecond}, // 10 + 90·31/1023
		{"no-such-function", 55 * time.Second},    // taken as linear
	} {
		t.Run(tc.backoff, func(t *testing.T) {
			p := PolicyFor("webhook", &stack.DeliveryPolicy{MinDelayTarget: 10, MaxDelayTarget: 100, NumRetries: intp(3), BackoffFunction: tc.backoff})
			ds := delays(t, p)
			want := []time.Duration{10 * time.Second, tc.middle, 100 * time.Second}
			if len(ds) != 3 || ds[0] != want[0] || ds[1] != want[1] || ds[2] != want[2] {
				t.Errorf("delays %v, want %v", ds, want)
			}
		})
	}
	// One backoff retry: f = 0, so the delay is min.
	p := Policy{MinDelay: 5 * time.Second, MaxDelay: time.Minute, NumRetries: 1, Backoff: BackoffExponential}
	if d, ok := p.Delay(1); !ok || d != 5*time.Second {
		t.Errorf("single backoff retry: %v %v, want 5s", d, ok)
	}
}

func TestPolicyCustomerManaged(t *testing.T) {
	for name, p := range map[string]Policy{
		"CustomerManagedPolicy": CustomerManagedPolicy(),
		"email":                 PolicyFor("email", nil),
		"sms":                   PolicyFor("sms", nil),
	} {
		t.Run(name, func(t *testing.T) {
			ds := delays(t, p)
			if p.Attempts() != 50 || len(ds) != 49 {
				t.Fatalf("%d attempts (%d retries), want 50 attempts", p.Attempts(), len(ds))
			}
			if ds[0] != 10*time.Second || ds[1] != 10*time.Second {
				t.Errorf("pre-backoff %v, want 10s 10s", ds[:2])
			}
			if ds[2] != 10*time.Second || ds[11] != 10*time.Minute {
				t.Errorf("backoff runs %v → %v, want 10s → 10m", ds[2], ds[11])
			}
			for i, d := range ds[12:] {
				if d != 10*time.Minute {
					t.Errorf("post-backoff retry %d: %v, want 10m", i+13, d)
				}
			}
			// "50 attempts over 6 hours": 20 s + ~1195 s of backoff + 37 × 600 s.
			if total := sum(ds); total < 6*time.Hour || total > 7*time.Hour {
				t.Errorf("total retry time %v, want 6–7 h", total)
			}
		})
	}
}

func TestPolicyHTTPRetryLimit(t *testing.T) {
	dp := &stack.DeliveryPolicy{MinDelayTarget: 100, MaxDelayTarget: 100, NumRetries: intp(50)}

	// HTTP: 36 × 100 s = 3600 s is the most SNS allows.
	p := PolicyFor("webhook", dp)
	ds := delays(t, p)
	if len(ds) != 36 || sum(ds) != HTTPRetryLimit {
		t.Errorf("HTTP: %d retries over %v, want 36 over 1h", len(ds), sum(ds))
	}
	if _, ok := p.Delay(37); ok {
		t.Error("HTTP: retry 37 allowed past the 3600 s limit")
	}

	// E-mail and SMS are not HTTP/S endpoints: the limit does not apply.
	if n := PolicyFor("sms", dp).Retries(); n != 50 {
		t.Errorf("sms: %d retries, want 50", n)
	}
}

func TestPolicyForDefaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dp       stack.DeliveryPolicy
		min, max time.Duration
	}{
		{"min only, above 20", stack.DeliveryPolicy{MinDelayTarget: 30}, 30 * time.Second, 30 * time.Second},
		{"min only, below 20", stack.DeliveryPolicy{MinDelayTarget: 5}, 5 * time.Second, 20 * time.Second},
		{"max only", stack.DeliveryPolicy{MaxDelayTarget: 300}, 20 * time.Second, 300 * time.Second},
		{"max below default min", stack.DeliveryPolicy{MaxDelayTarget: 10}, 10 * time.Second, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PolicyFor("webhook", &tc.dp)
			if p.MinDelay != tc.min || p.MaxDelay != tc.max || p.NumRetries != 3 || p.Backoff != BackoffLinear {
				t.Errorf("got %+v, want min %v max %v, 3 retries, linear", p, tc.min, tc.max)
			}
		})
	}
}

func TestPolicyFixedCountsBeyondNumRetries(t *testing.T) {
	// An invalid policy (stack rejects it) still ends after NumRetries.
	p := Policy{MinDelay: time.Second, MaxDelay: time.Minute, NumRetries: 3, NoDelay: 2, MinDelayRetries: 2, MaxDelayRetries: 2}
	ds := delays(t, p)
	if len(ds) != 3 || ds[0] != 0 || ds[1] != 0 || ds[2] != time.Second {
		t.Errorf("delays %v, want [0 0 1s]", ds)
	}
}
