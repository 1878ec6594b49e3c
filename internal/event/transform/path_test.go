package transform

import (
	"strings"
	"testing"
)

const pathEvent = `{
  "version": "0", "detail-type": "EC2 Instance State-change Notification",
  "resources": ["arn:aws:ec2:us-east-1:1:instance/i-1", "arn:2"],
  "detail": {"instance-id": "i-0123", "state": "RUNNING", "count": 12.5e1, "ok": true, "none": null,
    "msg": "say \"hi\"\n\u00e9", "matrix": [[1, 2], [3, [4, {"deep": "x"}]]],
    "Details": {"Availability Zone": "us-west-2b", "a.b": 1, "it's": 2},
    "esc\u0061ped": "key with escape", "dup": 1, "dup": 2, "empty": {}, "list": []}
}`

func TestGet(t *testing.T) {
	cases := []struct {
		path, want string // want "" means absent
	}{
		{"$", strings.TrimSpace(pathEvent)},
		{"$.version", `"0"`},
		{"$.detail-type", `"EC2 Instance State-change Notification"`},
		{"$.detail.instance-id", `"i-0123"`},
		{"$.detail.count", `12.5e1`},
		{"$.detail.ok", `true`},
		{"$.detail.none", `null`},
		{"$.detail.msg", `"say \"hi\"\n\u00e9"`},
		{"$.resources[0]", `"arn:aws:ec2:us-east-1:1:instance/i-1"`},
		{"$.resources[1]", `"arn:2"`},
		{"$.resources[2]", ""},
		{"$.detail.matrix[1][1][1].deep", `"x"`},
		{"$.detail.matrix[0]", `[1, 2]`},
		{"$.detail.matrix[1][1][2]", ""},
		{"$['detail']['Details']['Availability Zone']", `"us-west-2b"`},
		{`$.detail.Details["a.b"]`, `1`},
		{`$.detail.Details['it\'s']`, `2`},
		{"$.detail.escaped", `"key with escape"`},
		{"$.detail.dup", `2`},
		{"$.detail.empty", `{}`},
		{"$.detail.list", `[]`},
		{"$.detail.list[0]", ""},
		{"$.detail.missing", ""},
		{"$.detail.state.inner", ""},
		{"$.resources.x", ""},
		{"$.detail[0]", ""},
		{"$.nope.deeper", ""},
	}
	for _, c := range cases {
		p, err := ParsePath(c.path)
		if err != nil {
			t.Fatalf("ParsePath(%q): %v", c.path, err)
		}
		got, ok := p.Get([]byte(pathEvent))
		if c.want == "" {
			if ok {
				t.Errorf("%s: got %s, want absent", c.path, got)
			}
			continue
		}
		if !ok || string(got) != c.want {
			t.Errorf("%s: got %q (ok=%v), want %q", c.path, got, ok, c.want)
		}
		if p.String() != c.path {
			t.Errorf("String() = %q, want %q", p.String(), c.path)
		}
	}
}

func TestGetMalformed(t *testing.T) {
	p, _ := ParsePath("$.a.b")
	for _, ev := range []string{"", "{", `{"a":`, `{"a":{"b"`, `{"a" 1}`, `[1,`, `"abc`, `{"a":{"b":1}`, `{"a":{"b":1,}}`} {
		if v, ok := p.Get([]byte(ev)); ok {
			t.Errorf("Get(%q) = %q, want absent", ev, v)
		}
	}
}

func TestParsePathErrors(t *testing.T) {
	cases := []struct{ path, want string }{
		{"", `want a leading "$"`},
		{"detail.state", `want a leading "$"`},
		{"$.", "missing member name"},
		{"$..a", "recursive descent not supported"},
		{"$.a.*", "wildcards not supported"},
		{"$.a[*]", "wildcards not supported"},
		{"$.a[]", "want [index]"},
		{"$.a[-1]", "want [index]"},
		{"$.a[1", "want [index]"},
		{"$.a['b'", "unterminated bracket"},
		{"$.a b", `unexpected ' '`},
		{"$a", `unexpected 'a'`},
		{"$.a[99999999999999999999]", "index out of range"},
	}
	for _, c := range cases {
		_, err := ParsePath(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePath(%q) = %v, want error containing %q", c.path, err, c.want)
		}
	}
	if _, err := parsePath("$.a['b']", false); err == nil || !strings.Contains(err.Error(), "bracket notation not allowed") {
		t.Errorf("dot-only parse of bracket name: %v", err)
	}
	if _, err := parsePath("$.a[0].b-c", false); err != nil {
		t.Errorf("dot-only parse of index: %v", err)
	}
}

func TestRaw(t *testing.T) {
	cases := map[string]string{
		`"plain"`:            "plain",
		`"say \"hi\"\u00e9"`: `say "hi"é`,
		`12.5e1`:             "12.5e1",
		`true`:               "true",
		`null`:               "null",
		`{"a": 1}`:           `{"a": 1}`,
		`""`:                 "",
	}
	for in, want := range cases {
		if got := Raw([]byte(in)); got != want {
			t.Errorf("Raw(%s) = %q, want %q", in, got, want)
		}
	}
}
