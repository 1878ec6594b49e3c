package transform

import (
	"bytes"
	"encoding/json"
)

// The scanner below walks raw JSON without decoding it. It assumes well-formed input
// (Transformer.Apply checks the event first) but never panics on malformed input: a
// structural surprise ends the walk with a "not found" answer.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"', or -1.
func skipString(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		// The quote ends the string unless an odd number of backslashes precede it.
		bs := 0
		for bs < j-i-1 && b[j-1-bs] == '\\' {
			bs++
		}
		if bs%2 == 0 {
			return j + 1
		}
		j++
	}
}

// skipValue returns the index just past the value starting at b[i] (no leading space), or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = skipString(b, j); j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ':' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// eachMember calls fn with the raw (still escaped) key and the value bounds of each member
// of the object starting at b[i] == '{'. It reports false for a malformed object.
func eachMember(b []byte, i int, fn func(key []byte, vs, ve int)) bool {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		if b[i] != '"' {
			return false
		}
		ke := skipString(b, i)
		if ke < 0 {
			return false
		}
		key := b[i+1 : ke-1]
		i = skipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		vs := skipSpace(b, i+1)
		ve := skipValue(b, vs)
		if ve < 0 {
			return false
		}
		fn(key, vs, ve)
		i = skipSpace(b, ve)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return true
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
	return false
}

// member finds key in the object starting at b[i] == '{' and returns the bounds of its value.
// With duplicate keys the last one wins, as in encoding/json.
func member(b []byte, i int, key string) (start, end int, ok bool) {
	wf := eachMember(b, i, func(k []byte, vs, ve int) {
		if keyEquals(k, key) {
			start, end, ok = vs, ve, true
		}
	})
	return start, end, ok && wf
}

// withoutMember returns the object at b[i:end] without its members named key.
func withoutMember(b []byte, i, end int, key string) []byte {
	out := make([]byte, 0, end-i)
	out = append(out, '{')
	ok := eachMember(b, i, func(k []byte, vs, ve int) {
		if keyEquals(k, key) {
			return
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, k...)
		out = append(out, '"', ':')
		out = append(out, b[vs:ve]...)
	})
	if !ok {
		return b[i:end]
	}
	return append(out, '}')
}

// element returns the bounds of the n-th element of the array starting at b[i] == '['.
func element(b []byte, i, n int) (start, end int, ok bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return 0, 0, false
	}
	for k := 0; i < len(b); k++ {
		ve := skipValue(b, i)
		if ve < 0 {
			return 0, 0, false
		}
		if k == n {
			return i, ve, true
		}
		i = skipSpace(b, ve)
		if i >= len(b) || b[i] != ',' {
			return 0, 0, false
		}
		i = skipSpace(b, i+1)
	}
	return 0, 0, false
}

// keyEquals compares a raw (still escaped) JSON key with key.
func keyEquals(raw []byte, key string) bool {
	for _, c := range raw {
		if c == '\\' {
			var s string
			q := make([]byte, 0, len(raw)+2)
			q = append(append(append(q, '"'), raw...), '"')
			return json.Unmarshal(q, &s) == nil && s == key
		}
	}
	return string(raw) == key
}
