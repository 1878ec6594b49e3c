package rule

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of spec A5.
const (
	MaxLength   = 10240 // characters in a rule
	MaxChildren = 100   // distinct child alarms in a rule
	// MaxElements bounds the elements of a rule: child-alarm references
	// (ALARM(x) and friends, each occurrence), TRUE, FALSE and grouping
	// parentheses. AWS does not say whether a pair of parentheses is one
	// element or two; this package counts each parenthesis, the stricter
	// reading.
	MaxElements = 500
)

// SyntaxError reports where and why a rule failed to parse.
type SyntaxError struct {
	Offset int // 0-based byte offset into the rule
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("at offset %d: %s", e.Offset, e.Msg)
}

// Parse parses an AlarmRule (spec A5):
//
//	expr   := term { "OR" term }
//	term   := factor { "AND" factor }
//	factor := "NOT" factor | "(" expr ")" | func | "TRUE" | "FALSE"
//	func   := ("ALARM" | "OK" | "INSUFFICIENT_DATA") "(" ref ")"
//	ref    := name | '"' name '"'
//
// NOT binds tighter than AND, AND tighter than OR. Keywords are upper-case
// only; whitespace between tokens is optional. An unquoted name runs until
// whitespace or ')'; a quoted one until the next '"' and may hold spaces and
// parentheses (there is no escape for '"'). Every error is a *SyntaxError.
func Parse(s string) (*Expr, error) {
	if n := utf8.RuneCountInString(s); n > MaxLength {
		return nil, &SyntaxError{Offset: runeOffset(s, MaxLength),
			Msg: fmt.Sprintf("rule is %d characters long, the maximum is %d", n, MaxLength)}
	}
	return parse(s, true)
}

// parse parses s, enforcing the element and child limits only when limits
// is set (String round-trip tests turn them off: canonical text adds
// parentheses).
func parse(s string, limits bool) (*Expr, error) {
	p := &parser{src: s, limits: limits, children: map[string]bool{}}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.kind != tokEOF {
		return nil, p.unexpected(t, "AND, OR or end of input")
	}
	return e, nil
}

type parser struct {
	src      string
	pos      int
	limits   bool
	elements int
	children map[string]bool
}

func (p *parser) expr() (*Expr, error) {
	return p.chain(OpOr, "OR", p.term)
}

func (p *parser) term() (*Expr, error) {
	return p.chain(OpAnd, "AND", p.factor)
}

// chain parses operand { keyword operand } into one op node, or returns
// the lone operand.
func (p *parser) chain(op Op, keyword string, operand func() (*Expr, error)) (*Expr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []*Expr{first}
	for {
		save := p.pos
		if t := p.next(); t.kind != tokWord || t.text != keyword {
			p.pos = save
			break
		}
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &Expr{Op: op, Args: args}, nil
}

const factorStart = "ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '('"

func (p *parser) factor() (*Expr, error) {
	t := p.next()
	switch {
	case t.kind == tokLParen:
		if err := p.element(t); err != nil {
			return nil, err
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		closing := p.next()
		if closing.kind != tokRParen {
			return nil, p.unexpected(closing, "AND, OR or ')'")
		}
		if err := p.element(closing); err != nil {
			return nil, err
		}
		return e, nil
	case t.kind != tokWord:
		return nil, p.unexpected(t, factorStart)
	}
	switch t.text {
	case "NOT":
		e, err := p.factor()
		if err != nil {
			return nil, err
		}
		return &Expr{Op: OpNot, Args: []*Expr{e}}, nil
	case "TRUE", "FALSE":
		if err := p.element(t); err != nil {
			return nil, err
		}
		if t.text == "TRUE" {
			return &Expr{Op: OpTrue}, nil
		}
		return &Expr{Op: OpFalse}, nil
	case StateAlarm, StateOK, StateInsufficientData:
		return p.call(t)
	}
	return nil, p.unexpected(t, factorStart)
}

// call parses the "(" ref ")" after a state keyword.
func (p *parser) call(keyword token) (*Expr, error) {
	if t := p.next(); t.kind != tokLParen {
		return nil, p.unexpected(t, fmt.Sprintf("'(' after %s", keyword.text))
	}
	p.skipSpace()
	start := p.pos
	var name string
	if start < len(p.src) && p.src[start] == '"' {
		end := strings.IndexByte(p.src[start+1:], '"')
		if end < 0 {
			return nil, &SyntaxError{Offset: start, Msg: "unterminated quoted alarm name"}
		}
		name = p.src[start+1 : start+1+end]
		p.pos = start + end + 2
		if name == "" {
			return nil, &SyntaxError{Offset: start, Msg: "empty alarm name"}
		}
	} else {
		for p.pos < len(p.src) && p.src[p.pos] != ')' && !isSpace(p.src[p.pos]) {
			p.pos++
		}
		name = p.src[start:p.pos]
		if name == "" {
			return nil, p.unexpected(p.peek(), "an alarm name or ARN")
		}
	}
	if t := p.next(); t.kind != tokRParen {
		return nil, p.unexpected(t, "')' after the alarm name")
	}
	if err := p.element(keyword); err != nil {
		return nil, err
	}
	if p.limits && !p.children[name] && len(p.children) == MaxChildren {
		return nil, &SyntaxError{Offset: start,
			Msg: fmt.Sprintf("more than %d distinct child alarms", MaxChildren)}
	}
	p.children[name] = true
	return &Expr{Op: OpState, State: keyword.text, Alarm: name}, nil
}

// element counts one element towards MaxElements.
func (p *parser) element(t token) error {
	p.elements++
	if p.limits && p.elements > MaxElements {
		return &SyntaxError{Offset: t.offset, Msg: fmt.Sprintf(
			"more than %d elements (child-alarm references, TRUE, FALSE and parentheses)", MaxElements)}
	}
	return nil
}

func (p *parser) unexpected(t token, want string) *SyntaxError {
	return &SyntaxError{Offset: t.offset, Msg: "expected " + want + " but found " + t.describe()}
}

func runeOffset(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	return len(s)
}
