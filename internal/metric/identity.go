package metric

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxDimensions is the largest number of dimensions one metric may have.
const MaxDimensions = 30

// Length limits of spec A1, in characters.
const (
	maxNamespaceLen      = 255
	maxMetricNameLen     = 255
	maxDimensionNameLen  = 255
	maxDimensionValueLen = 1024
)

// ValidateNamespace checks a metric namespace against spec A1: 1–255
// characters, ASCII without control characters, not starting with ':',
// at least one non-whitespace character, and only the characters
// 0-9 A-Z a-z . - _ / # : and space.
//
// The space is allowed although the spec's transcription of the user guide
// leaves it out: the CloudWatch user guide lists "the space character"
// among the allowed ones, and the spec's own "at least one non-whitespace
// character" rule would be meaningless without it.
//
// A namespace starting with "AWS/" is valid here; see IsReservedNamespace.
func ValidateNamespace(s string) error {
	if err := checkText(s, maxNamespaceLen, true); err != nil {
		return err
	}
	for i, c := range []byte(s) {
		if !namespaceByte(c) {
			return fmt.Errorf("may contain only 0-9 A-Z a-z . - _ / # : and space, found %q at character %d", c, i+1)
		}
	}
	return nil
}

// IsReservedNamespace reports whether s starts with "AWS/", the prefix
// CloudWatch reserves for its own services. Publishing there is allowed but
// should be linted: it invites collisions with real AWS metrics.
func IsReservedNamespace(s string) bool {
	return strings.HasPrefix(s, "AWS/")
}

// ValidateMetricName checks a metric name against spec A1, which constrains
// only its length: 1–255 characters.
//
// Control characters are refused too: they have no place in a name, and tocsin's storage
// keys use two of them as separators.
func ValidateMetricName(s string) error {
	if err := checkLength(s, maxMetricNameLen); err != nil {
		return err
	}
	for i, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("must not contain control characters, found %U at character %d", r, utf8.RuneCountInString(s[:i])+1)
		}
	}
	return nil
}

// ValidateDimensionName checks a dimension name against spec A1: 1–255
// characters, ASCII without control characters, not starting with ':', and
// at least one non-whitespace character.
func ValidateDimensionName(s string) error {
	return checkText(s, maxDimensionNameLen, true)
}

// ValidateDimensionValue checks a dimension value against spec A1: 1–1024
// characters, ASCII without control characters, and at least one
// non-whitespace character. Unlike names, values may start with ':'.
func ValidateDimensionValue(s string) error {
	return checkText(s, maxDimensionValueLen, false)
}

// checkText applies the rules shared by namespaces and dimensions, each
// failure naming the rule broken. Once the text is known to be ASCII,
// characters and bytes coincide, so positions are reported 1-based.
func checkText(s string, maxLen int, noLeadingColon bool) error {
	if err := checkLength(s, maxLen); err != nil {
		return err
	}
	nonSpace := false
	for i, r := range s {
		switch {
		case r == utf8.RuneError || r > 0x7f:
			return fmt.Errorf("must be ASCII, found %q at character %d", r, utf8.RuneCountInString(s[:i])+1)
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("must not contain control characters, found %U at character %d", r, i+1)
		case r != ' ':
			nonSpace = true
		}
	}
	if noLeadingColon && s[0] == ':' {
		return fmt.Errorf("must not start with ':'")
	}
	if !nonSpace {
		return fmt.Errorf("must contain at least one non-whitespace character")
	}
	return nil
}

// checkLength enforces 1–maxLen characters (not bytes).
func checkLength(s string, maxLen int) error {
	if n := utf8.RuneCountInString(s); n < 1 || n > maxLen {
		return fmt.Errorf("must be 1–%d characters, got %d", maxLen, n)
	}
	return nil
}

func namespaceByte(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	}
	return strings.IndexByte(".-_/#: ", c) >= 0
}
