package rule

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokLParen           // (
	tokRParen           // )
	tokQuoted           // "…" where a keyword was expected
	tokWord             // a run of anything else
)

type token struct {
	kind   tokenKind
	text   string
	offset int
}

// next skips whitespace and consumes one token. Alarm names are not read
// through next: they follow their own rules (see parser.call).
func (p *parser) next() token {
	t := p.peek()
	p.pos = t.offset + len(t.text)
	return t
}

// peek returns the next token without consuming it.
func (p *parser) peek() token {
	p.skipSpace()
	s, i := p.src, p.pos
	if i >= len(s) {
		return token{kind: tokEOF, offset: i}
	}
	switch s[i] {
	case '(':
		return token{kind: tokLParen, text: "(", offset: i}
	case ')':
		return token{kind: tokRParen, text: ")", offset: i}
	case '"':
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return token{kind: tokQuoted, text: s[i:], offset: i}
		}
		return token{kind: tokQuoted, text: s[i : i+end+2], offset: i}
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && s[j] != '(' && s[j] != ')' && s[j] != '"' {
		j++
	}
	return token{kind: tokWord, text: s[i:j], offset: i}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// isSpace reports ASCII whitespace, the only whitespace that separates
// tokens; other Unicode spaces are part of names.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v':
		return true
	}
	return false
}

// describe names a token for an error message, shortening long ones.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "end of input"
	}
	const maxShown = 32
	text := t.text
	if len(text) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return strconv.Quote(text)
}
