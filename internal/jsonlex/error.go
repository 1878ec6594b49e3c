package jsonlex

import "fmt"

// Code says what is wrong at an Error's offset.
type Code uint8

// The syntax errors a Lexer finds.
const (
	ErrValue        Code = iota + 1 // no value starts here
	ErrLiteral                      // a word other than true, false or null
	ErrNumber                       // no digit after a number's minus sign
	ErrFraction                     // no digit after a decimal point
	ErrExponent                     // no digit in an exponent
	ErrMore                         // neither ',' nor the closing bracket (Error.Closing)
	ErrKey                          // an object key that is not a string
	ErrColon                        // no ':' after a key
	ErrControl                      // an unescaped control character in a string
	ErrUTF8                         // invalid UTF-8 in a string, when not replaced
	ErrEscape                       // an escape other than \" \\ \/ \b \f \n \r \t \uXXXX
	ErrHex                          // a \u escape without four hexadecimal digits
	ErrUnterminated                 // a string cut short by the end of the input
	ErrDepth                        // a value nested deeper than Lexer.MaxDepth
)

var codeText = [...]string{
	ErrValue:        "expected a value",
	ErrLiteral:      "invalid literal",
	ErrNumber:       "expected a digit",
	ErrFraction:     "expected a digit after the decimal point",
	ErrExponent:     "expected a digit in the exponent",
	ErrMore:         "expected ',' or a closing bracket",
	ErrKey:          "expected a string key",
	ErrColon:        "expected ':' after a key",
	ErrControl:      "control character in a string",
	ErrUTF8:         "invalid UTF-8 in a string",
	ErrEscape:       "invalid escape in a string",
	ErrHex:          "invalid \\u escape",
	ErrUnterminated: "unterminated string",
	ErrDepth:        "nested too deeply",
}

func (c Code) String() string {
	if int(c) < len(codeText) && codeText[c] != "" {
		return codeText[c]
	}
	return fmt.Sprintf("Code(%d)", c)
}

// Error is a syntax error: what (Code) and where (Offset). A Lexer panics with it; the
// decoder recovers it and words it (the texts of Code are for tests and stray panics).
type Error struct {
	Code   Code
	Offset int // index in Lexer.B of the byte at fault; len(B) at the end of the input
	// Escape is, for ErrEscape and ErrHex, the index of the escape's backslash.
	Escape int
	// Closing is, for ErrMore, the bracket that was expected; for ErrDepth, the bracket that
	// closes the object or array holding the value too deep.
	Closing byte
}

func (e Error) Error() string {
	return fmt.Sprintf("invalid JSON at byte offset %d: %v", e.Offset, e.Code)
}

// fail ends the lexing with an error of code at the current position.
func (l *Lexer) fail(code Code) {
	panic(Error{Code: code, Offset: l.Pos})
}
