package pattern

import "testing"

// consistencyCases exercise array consistency (spec B2.3 rule 4): conditions on fields of
// objects in one event array must be satisfied by the same element.
var consistencyCases = []struct {
	name, pattern, event string
	want                 bool
}{
	{"split across elements", `{"a":{"b":["x"],"c":["y"]}}`, `{"a":[{"b":"x","c":"z"},{"b":"w","c":"y"}]}`, false},
	{"same element", `{"a":{"b":["x"],"c":["y"]}}`, `{"a":[{"b":"x","c":"y"}]}`, true},
	{"second element", `{"a":{"b":["x"],"c":["y"]}}`, `{"a":[{"b":"x","c":"z"},{"b":"x","c":"y"}]}`, true},
	{"outside the array is free", `{"a":{"b":["x"]},"d":["y"]}`, `{"a":[{"b":"x"},{"b":"w"}],"d":"y"}`, true},
	{"sibling arrays independent", `{"a":{"b":["x"]},"c":{"d":["y"]}}`, `{"a":[{"b":"w"},{"b":"x"}],"c":[{"d":"y"},{"d":"q"}]}`, true},
	{"nested arrays same inner element", `{"a":{"b":{"c":["1"],"d":["2"]}}}`, `{"a":[{"b":[{"c":"1","d":"9"},{"c":"0","d":"2"}]}]}`, false},
	{"nested arrays ok", `{"a":{"b":{"c":["1"],"d":["2"]}}}`, `{"a":[{"b":[{"c":"1","d":"9"}]},{"b":[{"c":"1","d":"2"}]}]}`, true},
	{"outer element shared", `{"a":{"x":["1"],"b":{"d":["2"]}}}`, `{"a":[{"x":"1","b":[{"d":"3"}]},{"x":"0","b":[{"d":"2"}]}]}`, false},
	{"outer element shared ok", `{"a":{"x":["1"],"b":{"d":["2"]}}}`, `{"a":[{"x":"0","b":[{"d":"2"}]},{"x":"1","b":[{"d":"5"},{"d":"2"}]}]}`, true},
	{"leaf arrays are not elements", `{"a":{"b":["x"],"c":["y"]}}`, `{"a":{"b":["x","q"],"c":["q","y"]}}`, true},
	{"exists true counts", `{"a":{"b":["x"],"c":[{"exists":true}]}}`, `{"a":[{"b":"x"},{"c":null}]}`, false},
	{"exists false is global", `{"a":{"b":["x"],"c":[{"exists":false}]}}`, `{"a":[{"b":"x"},{"c":1}]}`, false},
	{"anything-but per element", `{"a":{"b":["x"],"c":[{"anything-but":"y"}]}}`, `{"a":[{"b":"x","c":"y"},{"b":"w","c":"z"}]}`, false},
	{"array of arrays of objects", `{"a":{"b":["x"],"c":["y"]}}`, `{"a":[[{"b":"x"}],[{"c":"y"}]]}`, false},
	{"array of arrays same", `{"a":{"b":["x"],"c":["y"]}}`, `{"a":[[{"b":"x","c":"y"}]]}`, true},
	{"or branch each consistent", `{"a":{"$or":[{"b":["x"],"c":["y"]},{"b":["w"]}]}}`, `{"a":[{"b":"x","c":"z"},{"b":"q","c":"y"}]}`, false},
	{"same path twice", `{"a":{"b":["x"]},"$or":[{"a":{"b":["y"]}},{"z":[1]}]}`, `{"a":[{"b":"x"},{"b":"y"}]}`, false},
	{"same path twice same element array", `{"a":{"b":["x"]},"$or":[{"a":{"b":["y"]}},{"z":[1]}]}`, `{"a":[{"b":["x","y"]}]}`, true},
	{"three conditions", `{"a":{"b":["1"],"c":["2"],"d":["3"]}}`, `{"a":[{"b":"1","c":"2"},{"b":"1","d":"3"},{"c":"2","d":"3"},{"b":"1","c":"2","d":"3"}]}`, true},
	{"three conditions never together", `{"a":{"b":["1"],"c":["2"],"d":["3"]}}`, `{"a":[{"b":"1","c":"2"},{"b":"1","d":"3"},{"c":"2","d":"3"}]}`, false},
}

func TestArrayConsistency(t *testing.T) {
	for _, c := range consistencyCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := mustCompile(t, c.pattern).Match([]byte(c.event))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("pattern %s, event %s: got %v, want %v", c.pattern, c.event, got, c.want)
			}
			ref, err := refMatch([]byte(c.pattern), []byte(c.event))
			if err != nil || ref != c.want {
				t.Errorf("reference: got %v (%v), want %v", ref, err, c.want)
			}
		})
	}
}
