package jsonlex

// DefaultMaxDepth is the MaxDepth of a Lexer that sets none.
const DefaultMaxDepth = 1000

// Lexer reads JSON tokens from B at Pos. The decoder moves Pos itself past the bytes it has
// looked at with Peek ('{', '[' and the like); the methods move it past what they read.
// A syntax error panics with an Error. The zero value, given B, takes standard JSON.
type Lexer struct {
	B   []byte
	Pos int
	// MaxDepth bounds the nesting of a value Skip passes over, counting the value itself as
	// 1: an array in an array is 2 deep. 0 means DefaultMaxDepth.
	MaxDepth int
	// ReplaceInvalidUTF8 makes invalid UTF-8 in a string read as U+FFFD, as encoding/json
	// has it, rather than an ErrUTF8.
	ReplaceInvalidUTF8 bool
	// Scratch holds the decoded strings that hold escapes; a decoder may keep it from one
	// input to the next to reuse its memory.
	Scratch []byte
}

// Peek skips whitespace and returns the next byte, or 0 at the end of the input (a NUL byte
// also reads as 0: it is never valid where a value or delimiter is expected).
func (l *Lexer) Peek() byte {
	for l.Pos < len(l.B) {
		switch c := l.B[l.Pos]; c {
		case ' ', '\t', '\n', '\r':
			l.Pos++
		default:
			return c
		}
	}
	return 0
}

// More reports whether another member follows in the object or array being read, after
// consuming the comma before it, or else consumes the closing bracket. n counts members and
// starts at 0:
//
//	for n := 0; l.More('}', &n); { key := l.Key(); … }
func (l *Lexer) More(closing byte, n *int) bool {
	c := l.Peek()
	if c == closing {
		l.Pos++
		return false
	}
	if *n > 0 {
		if c != ',' {
			panic(Error{Code: ErrMore, Offset: l.Pos, Closing: closing})
		}
		l.Pos++
	}
	*n++
	return true
}

// Key reads an object key and the colon after it. The result is valid until the next string
// is read (see Str).
func (l *Lexer) Key() []byte {
	if l.Peek() != '"' {
		l.fail(ErrKey)
	}
	k := l.Str()
	if l.Peek() != ':' {
		l.fail(ErrColon)
	}
	l.Pos++
	return k
}

// Literal reads word (true, false or null), which the byte at Pos has announced.
func (l *Lexer) Literal(word string) {
	if len(l.B)-l.Pos < len(word) || string(l.B[l.Pos:l.Pos+len(word)]) != word {
		l.fail(ErrLiteral)
	}
	l.Pos += len(word)
}

// Skip validates and passes over one value of any type, nested at most MaxDepth deep.
// Numbers are not converted; strings are read with Str (escapes decoded into Scratch,
// which costs about what validating them alone would).
func (l *Lexer) Skip() {
	levels := l.MaxDepth
	if levels <= 0 {
		levels = DefaultMaxDepth
	}
	l.skip(levels)
}

// skip passes over a value that may hold levels levels, itself included (at least 1).
func (l *Lexer) skip(levels int) {
	switch c := l.Peek(); c {
	case '"':
		l.Str()
	case '{':
		l.Pos++
		for n := 0; l.More('}', &n); {
			if l.Peek() != '"' {
				l.fail(ErrKey)
			}
			l.Str()
			if l.Peek() != ':' {
				l.fail(ErrColon)
			}
			l.Pos++
			l.nest(levels, '}')
		}
	case '[':
		l.Pos++
		for n := 0; l.More(']', &n); {
			l.nest(levels, ']')
		}
	case 't':
		l.Literal("true")
	case 'f':
		l.Literal("false")
	case 'n':
		l.Literal("null")
	default:
		if kinds[c] != Number {
			l.fail(ErrValue)
		}
		l.number()
	}
}

// nest skips a member of a value that may hold levels levels; closing closes that value.
func (l *Lexer) nest(levels int, closing byte) {
	if levels <= 1 {
		panic(Error{Code: ErrDepth, Offset: l.Pos, Closing: closing})
	}
	l.skip(levels - 1)
}

// Kind is the JSON type of a value.
type Kind uint8

// The kinds of value; Invalid is a byte that starts none.
const (
	Invalid Kind = iota
	String
	Number
	Object
	Array
	Bool
	Null
)

var kinds = func() (t [256]Kind) {
	t['"'], t['{'], t['['], t['t'], t['f'], t['n'], t['-'] = String, Object, Array, Bool, Bool, Null, Number
	for c := '0'; c <= '9'; c++ {
		t[c] = Number
	}
	return t
}()

// KindOf returns the kind of the value that starts with c (Invalid when none does), as far
// as its first byte tells: "nul" starts a Null that Literal will refuse.
func KindOf(c byte) Kind { return kinds[c] }
