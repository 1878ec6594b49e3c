package pattern

import (
	"encoding/json"
	"strconv"
	"strings"
)

// byteGen derives patterns and events from fuzz input bytes with a small grammar, so that
// most inputs give a valid pattern and event over a vocabulary small enough to collide.
type byteGen struct {
	b []byte
	i int
}

// n returns a number in [0, k) taken from the input (0 once it is used up).
func (g *byteGen) n(k int) int {
	if g.i >= len(g.b) {
		return 0
	}
	v := int(g.b[g.i]) % k
	g.i++
	return v
}

func (g *byteGen) pick(xs []string) string { return xs[g.n(len(xs))] }

// hot picks from the first few of xs half of the time, so patterns and events share values.
func (g *byteGen) hot(xs []string) string {
	if g.n(2) == 0 {
		return xs[g.n(min(6, len(xs)))]
	}
	return g.pick(xs)
}

var (
	genKeys    = []string{"a", "b", "c", "d", "a.b", "$or"}
	genStrings = []string{"", "a", "ab", "abc", "A", "AB", "x.png", "X.PNG", "init", "initializing",
		"10.0.0.1", "10.0.1.5", "192.168.1.1", "::1", "2001:db8::1", "2001:DB8::1", "2001:0db8:0:0:0:0:0:1",
		"ſ", "S", "straße", "STRASSE", "a*b", `a\b`, "300", "true", "null", "Kelvin K", "kelvin k",
		"dir/x.png", "dir/sub/x.PNG", "ab*", "éÉ", "\u2028", "a\"b"}
	genNumbers   = []string{"0", "-0", "1", "1.5", "300", "300.0", "3e2", "-5", "5", "0.1", "100", "200.0", "-1e-7", "1E2", "123456789012345678", "1e400"}
	genPrefixes  = []string{"", "a", "ab", "A", "x", "init", "10.", "2001:", "dir/", "é", "ſ"}
	genSuffixes  = []string{"", "b", "c", ".png", ".PNG", "ing", "1", "k", "É"}
	genWildcards = []string{"*", "a*", "*b", "a*b", "*.png", "dir/*.png", "a\\*b", "a\\\\b", "*a*", "d*/*/x.*", "ab", "", "*S*"}
	genCIDRs     = []string{"10.0.0.0/24", "10.0.0.0/8", "10.0.0.7/24", "0.0.0.0/0", "192.168.0.0/16", "2001:db8::/32", "::/0", "::1/127"}
)

// str renders a JSON string, escaping some characters with \u at random.
func (g *byteGen) str(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	esc := g.n(4) == 0
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || (esc && r < 0x10000 && g.n(2) == 0):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// pattern renders a pattern object of up to depth levels.
func (g *byteGen) pattern(depth int) string {
	var b strings.Builder
	b.WriteByte('{')
	members := 1 + g.n(3)
	for i := 0; i < members; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		switch k := g.n(8); {
		case k == 0 && depth > 0:
			b.WriteString(`"$or":[`)
			alts := 2 + g.n(2)
			for j := 0; j < alts; j++ {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(g.pattern(depth - 1))
			}
			b.WriteByte(']')
		case k <= 2 && depth > 0:
			b.WriteString(g.str(g.pick(genKeys[:4])) + ":" + g.pattern(depth-1))
		default:
			b.WriteString(g.str(g.pick(genKeys)) + ":" + g.matchList())
		}
	}
	b.WriteByte('}')
	return b.String()
}

func (g *byteGen) matchList() string {
	if g.n(8) == 0 {
		return `[{"exists":` + []string{"true", "false"}[g.n(2)] + `}]`
	}
	n := 1 + g.n(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.matchValue()
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (g *byteGen) strList(xs []string) string {
	if g.n(2) == 0 {
		return g.str(g.pick(xs))
	}
	n := 1 + g.n(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.str(g.pick(xs))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (g *byteGen) matchValue() string {
	switch g.n(16) {
	case 0, 1, 2:
		return g.str(g.hot(genStrings))
	case 3, 4:
		return g.hot(genNumbers[:14])
	case 5:
		return []string{"true", "false", "null"}[g.n(3)]
	case 6:
		if g.n(2) == 0 {
			return `{"prefix":` + g.str(g.pick(genPrefixes)) + `}`
		}
		return `{"prefix":{"equals-ignore-case":` + g.str(g.pick(genPrefixes)) + `}}`
	case 7:
		if g.n(2) == 0 {
			return `{"suffix":` + g.str(g.pick(genSuffixes)) + `}`
		}
		return `{"suffix":{"equals-ignore-case":` + g.str(g.pick(genSuffixes)) + `}}`
	case 8:
		return `{"equals-ignore-case":` + g.str(g.pick(genStrings)) + `}`
	case 9, 10:
		return `{"anything-but":` + g.anythingBut() + `}`
	case 11, 12:
		return `{"numeric":` + g.numeric() + `}`
	case 13:
		return `{"cidr":` + g.str(g.pick(genCIDRs)) + `}`
	default:
		return `{"wildcard":` + g.str(g.pick(genWildcards)) + `}`
	}
}

func (g *byteGen) anythingBut() string {
	switch g.n(7) {
	case 0:
		return g.str(g.pick(genStrings))
	case 1:
		return g.pick(genNumbers[:14])
	case 2:
		n := 1 + g.n(3)
		parts := make([]string, n)
		num := g.n(2) == 0
		for i := range parts {
			if num {
				parts[i] = g.pick(genNumbers[:14])
			} else {
				parts[i] = g.str(g.pick(genStrings))
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	case 3:
		return `{"prefix":` + g.strList(genPrefixes[1:]) + `}`
	case 4:
		return `{"suffix":` + g.strList(genSuffixes[1:]) + `}`
	case 5:
		return `{"equals-ignore-case":` + g.strList(genStrings) + `}`
	}
	return `{"wildcard":` + g.strList(genWildcards) + `}`
}

func (g *byteGen) numeric() string {
	ops := []string{"=", "<", "<=", ">", ">="}
	if g.n(2) == 0 {
		return `["` + ops[g.n(5)] + `",` + g.pick(genNumbers[:14]) + `]`
	}
	lo := []string{"-5", "0", "1", "1.5", "100"}
	hi := []string{"5", "300", "3e2", "1000", "200.0"}
	return `["` + []string{">", ">="}[g.n(2)] + `",` + g.pick(lo) + `,"` + []string{"<", "<="}[g.n(2)] + `",` + g.pick(hi) + `]`
}

// event renders an event object of up to depth levels. Each key of the vocabulary is likely
// present, so that patterns often find their fields; some keys are repeated.
func (g *byteGen) event(depth int) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for i, k := range genKeys {
		for rep := 0; rep < 2; rep++ {
			if (i < 4 && g.n(4) == 0) || (i >= 4 && g.n(4) != 0) || (rep == 1 && g.n(8) != 0) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(g.str(k))
			b.WriteByte(':')
			b.WriteString(g.eventValue(depth))
		}
	}
	b.WriteByte('}')
	return b.String()
}

func (g *byteGen) eventValue(depth int) string {
	switch k := g.n(10); {
	case k <= 2 && depth > 0:
		return g.event(depth - 1)
	case k <= 4 && depth > 0:
		n := g.n(4)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = g.eventValue(depth - 1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case k <= 6:
		return g.str(g.hot(genStrings))
	case k <= 8:
		return g.hot(genNumbers)
	}
	return []string{"true", "false", "null"}[g.n(3)]
}

// guidedEvent renders an event meant to come close to matching the pattern src: for each
// condition it usually supplies a value derived from the pattern's operands, sometimes a
// random one, sometimes wraps values in arrays with other elements, and adds noise keys.
func (g *byteGen) guidedEvent(src string) string {
	pat, err := refDecode([]byte(src))
	m, ok := pat.(map[string]any)
	if err != nil || !ok {
		return g.event(2)
	}
	var b strings.Builder
	g.guidedObject(&b, m, 0)
	return b.String()
}

func (g *byteGen) guidedObject(b *strings.Builder, m map[string]any, depth int) {
	b.WriteByte('{')
	first := true
	member := func(k string, write func()) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(g.str(k))
		b.WriteByte(':')
		write()
	}
	for k, v := range m {
		switch x := v.(type) {
		case []any:
			if k == "$or" && refIsOr(x) {
				alt := x[g.n(len(x))].(map[string]any)
				for k2, v2 := range alt { // flattened into this object
					member(k2, func() { g.guidedValue(b, v2, depth) })
				}
				continue
			}
			if ex, isExists := refExists(x); isExists && !ex && g.n(4) != 0 {
				continue
			}
			member(k, func() { g.guidedValue(b, x, depth) })
		default:
			member(k, func() { g.guidedValue(b, x, depth) })
		}
	}
	if g.n(3) == 0 {
		member(g.pick(genKeys), func() { b.WriteString(g.eventValue(1)) })
	}
	b.WriteByte('}')
}

// guidedValue writes a value for pattern value v (an object or a match list), possibly as
// an array holding it among other elements.
func (g *byteGen) guidedValue(b *strings.Builder, v any, depth int) {
	one := func() {
		switch x := v.(type) {
		case map[string]any:
			if depth < 3 {
				g.guidedObject(b, x, depth+1)
			} else {
				b.WriteString(g.eventValue(0))
			}
		case []any:
			if g.n(5) == 0 {
				b.WriteString(g.eventValue(0))
			} else {
				b.WriteString(g.satisfying(x[g.n(len(x))]))
			}
		}
	}
	if g.n(3) != 0 {
		one()
		return
	}
	b.WriteByte('[')
	n := 1 + g.n(3)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		one()
	}
	b.WriteByte(']')
}

// satisfying renders a value that likely satisfies match value p.
func (g *byteGen) satisfying(p any) string {
	switch x := p.(type) {
	case string:
		return g.str(x)
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return string(x)
		}
		return []string{string(x), string(x) + ".0", string(x) + "e0"}[g.n(3)]
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	case map[string]any:
		for op, arg := range x {
			return g.satisfyingOp(op, arg)
		}
	}
	return "null"
}

func (g *byteGen) satisfyingOp(op string, arg any) string {
	s, _ := arg.(string)
	if m, ok := arg.(map[string]any); ok {
		s, _ = m["equals-ignore-case"].(string)
		s = strings.ToUpper(s)
	}
	switch op {
	case "prefix":
		return g.str(s + g.pick(genStrings[:6]))
	case "suffix":
		return g.str(g.pick(genStrings[:6]) + s)
	case "equals-ignore-case":
		return g.str([]string{strings.ToUpper(s), strings.ToLower(s), s}[g.n(3)])
	case "wildcard":
		return g.str(strings.ReplaceAll(strings.ReplaceAll(s, `\*`, "*"), "*", g.pick([]string{"", "q", "*", "/"})))
	case "cidr":
		return g.str(g.pick([]string{"10.0.0.1", "10.0.0.255", "10.1.0.1", "192.168.4.4", "2001:db8::5", "2001:DB8:0::1", "::1", "::", "0.0.0.0"}))
	case "numeric":
		ops, _ := arg.([]any)
		if len(ops) >= 2 {
			return string(ops[1].(json.Number))
		}
	case "anything-but", "exists":
		return g.eventValue(0)
	}
	return g.eventValue(0)
}
