package stack

import "fmt"

// Token is an API token of one environment: it can only touch that environment's data.
type Token struct {
	Meta   `yaml:",inline"`
	Value  Secret   `yaml:"value" json:"value" tocsin:"required" doc:"The token; use ${env:NAME} or ${file:PATH}."`
	Scopes []string `yaml:"scopes,omitempty" json:"scopes,omitempty" doc:"ingest (default), read, write."`
}

// Token scopes.
const (
	ScopeIngest = "ingest"
	ScopeRead   = "read"
	ScopeWrite  = "write"
)

// MinTokenLength is the shortest token value accepted.
const MinTokenLength = 16

func (t *Token) setDefaults() {
	if len(t.Scopes) == 0 {
		t.Scopes = []string{ScopeIngest}
	}
}

// HasScope reports whether the token grants scope.
func (t *Token) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

func (t *Token) Validate(c *Check) {
	if t.Value.Resolved() && !t.Value.IsZero() && len(t.Value.Reveal()) < MinTokenLength {
		c.Errorf("value", "tokens must be at least %d characters", MinTokenLength)
	}
	if !t.Value.IsZero() && t.Value.Ref() == "" {
		c.Warnf("value", "the token is written in the stack in plain text; use ${env:NAME} or ${file:PATH}")
	}
	for i, s := range t.Scopes {
		c.OneOf(fmt.Sprintf("scopes[%d]", i), s, ScopeIngest, ScopeRead, ScopeWrite)
	}
}
