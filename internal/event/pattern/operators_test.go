package pattern

import "testing"

// matchCase is one pattern and event with the expected result.
type matchCase struct {
	name, pattern, event string
	want                 bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := mustCompile(t, c.pattern).Match([]byte(c.event))
			if err != nil {
				t.Fatalf("Match(%s): %v", c.event, err)
			}
			if got != c.want {
				t.Errorf("pattern %s, event %s: got %v, want %v", c.pattern, c.event, got, c.want)
			}
			ref, err := refMatch([]byte(c.pattern), []byte(c.event))
			if err != nil || ref != c.want {
				t.Errorf("reference disagrees: %v (%v)", ref, err)
			}
		})
	}
}

func TestExactAndStructure(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"array of arrays transparent", `{"a":["x"]}`, `{"a":["y",["x"]]}`, true},
		{"empty event array", `{"a":["x"]}`, `{"a":[]}`, false},
		{"pattern list is OR", `{"a":["x","y"]}`, `{"a":"y"}`, true},
		{"AND across fields", `{"a":["x"],"b":["y"]}`, `{"a":"x","b":"z"}`, false},
		{"nested object in array", `{"a":{"b":["x"]}}`, `{"a":[{"b":"y"},{"b":"x"}]}`, true},
		{"nesting respected", `{"a":{"b":{"c":["x"]}}}`, `{"a":{"b.c":"x"}}`, false},
		{"dotted key is a key", `{"a.b":["x"]}`, `{"a":{"b":"x"}}`, false},
		{"dotted key matches dotted key", `{"a.b":["x"]}`, `{"a.b":"x"}`, true},
		{"object is not a leaf", `{"a":["x"]}`, `{"a":{"b":"x"}}`, false},
		{"null literal", `{"a":[null]}`, `{"a":"null"}`, false},
		{"null missing", `{"a":[null]}`, `{}`, false},
		{"true literal", `{"a":[true]}`, `{"a":true}`, true},
		{"false is not true", `{"a":[true]}`, `{"a":false}`, false},
		{"false literal", `{"a":[false]}`, `{"a":[1,false]}`, true},
		{"empty string", `{"a":[""]}`, `{"a":""}`, true},
		{"case-sensitive", `{"a":["abc"]}`, `{"a":"ABC"}`, false},
		{"no IP normalisation", `{"a":["2001:db8::1"]}`, `{"a":"2001:0db8:0:0:0:0:0:1"}`, false},
		{"unicode not normalised", `{"a":["é"]}`, `{"a":"e\u0301"}`, false},
		{"deep path", `{"a":{"b":{"c":{"d":["x"]}}}}`, `{"a":{"b":{"c":{"d":"x"}}}}`, true},
		{"path prefix is not enough", `{"a":{"b":["x"]}}`, `{"a":"x"}`, false},
		{"same key two levels", `{"a":{"a":["x"]}}`, `{"a":{"a":"x"}}`, true},
		{"other fields ignored", `{"a":["x"]}`, `{"z":{"y":[1,2,{"q":null}]},"a":"x","w":true}`, true},
		{"key with escapes in pattern", `{"\u0061":["x"]}`, `{"a":"x"}`, true},
		{"key with escapes in event", `{"ab":["x"]}`, `{"a\u0062":"x"}`, true},
		{"value with escapes", `{"a":["abc"]}`, `{"a":"a\u0062c"}`, true},
		{"escaped quote and slash", `{"a":["x\"/y"]}`, `{"a":"x\u0022\/y"}`, true},
		{"surrogate pair", `{"a":["😀"]}`, `{"a":"\ud83d\ude00"}`, true},
		{"lone surrogate is U+FFFD", `{"a":["\ufffd"]}`, `{"a":"\ud800"}`, true},
		{"invalid UTF-8 is U+FFFD", `{"a":["\ufffdx"]}`, "{\"a\":\"\xffx\"}", true},
		{"duplicate pattern key: last wins", `{"a":["x"],"a":["y"]}`, `{"a":"y"}`, true},
		{"duplicate pattern key: first lost", `{"a":["x"],"a":["y"]}`, `{"a":"x"}`, false},
		{"duplicate event key: last wins", `{"a":["x"]}`, `{"a":"x","a":"y"}`, false},
		{"duplicate event key: last matches", `{"a":["y"]}`, `{"a":"x","a":"y"}`, true},
		{"duplicate event key: object replaced", `{"a":{"b":[1]}}`, `{"a":{"b":1},"a":2}`, false},
		{"duplicate nested event key", `{"a":{"b":[1],"c":[2]}}`, `{"a":{"b":1,"c":3,"c":2}}`, true},
		{"white space everywhere", `{ "a" : [ "x" ] }`, " \n{ \"a\" :\t[ \"x\" ]\r\n} ", true},
	})
}

func TestNumbers(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"exponent", `{"x":[300]}`, `{"x":3e2}`, true},
		{"exponent with fraction", `{"x":[300]}`, `{"x":3.0E+2}`, true},
		{"trailing zeros", `{"x":[300]}`, `{"x":300.000}`, true},
		{"close is not equal", `{"x":[300]}`, `{"x":299.9999999}`, false},
		{"negative", `{"x":[-5]}`, `{"x":-5.0}`, true},
		{"negative zero", `{"x":[0]}`, `{"x":-0.0}`, true},
		{"pattern negative zero", `{"x":[-0]}`, `{"x":0}`, true},
		{"decimal", `{"x":[0.1]}`, `{"x":0.10}`, true},
		{"large", `{"x":[1e20]}`, `{"x":100000000000000000000}`, true},
		{"float64 equality of big integers", `{"x":[9007199254740993]}`, `{"x":9007199254740992}`, true},
		{"long mantissa", `{"x":[0.30000000000000004]}`, `{"x":0.30000000000000004441}`, true},
		{"number list", `{"x":[1,2,3]}`, `{"x":[5,2.0]}`, true},
		{"number is not bool", `{"x":[1]}`, `{"x":true}`, false},
		{"numeric less", `{"x":[{"numeric":["<",0]}]}`, `{"x":-1}`, true},
		{"numeric less not equal", `{"x":[{"numeric":["<",0]}]}`, `{"x":-0.0}`, false},
		{"numeric less or equal", `{"x":[{"numeric":["<=",0]}]}`, `{"x":0}`, true},
		{"numeric greater", `{"x":[{"numeric":[">",1e300]}]}`, `{"x":1e308}`, true},
		{"numeric greater or equal", `{"x":[{"numeric":[">=",5]}]}`, `{"x":4.999}`, false},
		{"numeric equal", `{"x":[{"numeric":["=",-3]}]}`, `{"x":-3.0}`, true},
		{"numeric range low open", `{"x":[{"numeric":[">",0,"<",10]}]}`, `{"x":0}`, false},
		{"numeric range low closed", `{"x":[{"numeric":[">=",0,"<",10]}]}`, `{"x":0}`, true},
		{"numeric range high open", `{"x":[{"numeric":[">=",0,"<",10]}]}`, `{"x":10}`, false},
		{"numeric range high closed", `{"x":[{"numeric":[">=",0,"<=",10]}]}`, `{"x":10}`, true},
		{"numeric not string", `{"x":[{"numeric":[">",0]}]}`, `{"x":"5"}`, false},
		{"numeric not bool or null", `{"x":[{"numeric":[">",0]}]}`, `{"x":[true,null]}`, false},
		{"numeric in array", `{"x":[{"numeric":[">",10]}]}`, `{"x":[1,2,30]}`, true},
		{"two numeric ORed", `{"x":[{"numeric":["<",0]},{"numeric":[">",10]}]}`, `{"x":5}`, false},
		{"two numeric ORed hit", `{"x":[{"numeric":["<",0]},{"numeric":[">",10]}]}`, `{"x":11}`, true},
		{"huge event number", `{"x":[{"numeric":[">",1e308]}]}`, `{"x":1e400}`, true},
		{"numeric and exact mixed", `{"x":[7,{"numeric":[">",100]}]}`, `{"x":7.0}`, true},
	})
}

func TestStringOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"prefix", `{"a":[{"prefix":"ab"}]}`, `{"a":"abc"}`, true},
		{"prefix whole", `{"a":[{"prefix":"abc"}]}`, `{"a":"abc"}`, true},
		{"prefix longer", `{"a":[{"prefix":"abcd"}]}`, `{"a":"abc"}`, false},
		{"empty prefix matches every string", `{"a":[{"prefix":""}]}`, `{"a":""}`, true},
		{"empty prefix not numbers", `{"a":[{"prefix":""}]}`, `{"a":1}`, false},
		{"prefix case", `{"a":[{"prefix":"AB"}]}`, `{"a":"abc"}`, false},
		{"prefix ignore case", `{"a":[{"prefix":{"equals-ignore-case":"AB"}}]}`, `{"a":"abc"}`, true},
		{"prefix ignore case non-ASCII", `{"a":[{"prefix":{"equals-ignore-case":"ÉT"}}]}`, `{"a":"été"}`, true},
		{"suffix", `{"a":[{"suffix":".png"}]}`, `{"a":"x.png"}`, true},
		{"suffix miss", `{"a":[{"suffix":".png"}]}`, `{"a":"x.pngx"}`, false},
		{"suffix ignore case", `{"a":[{"suffix":{"equals-ignore-case":".PNG"}}]}`, `{"a":"x.png"}`, true},
		{"suffix not number", `{"a":[{"suffix":"0"}]}`, `{"a":100}`, false},
		{"equals-ignore-case", `{"a":[{"equals-ignore-case":"AbC"}]}`, `{"a":"aBc"}`, true},
		{"equals-ignore-case length", `{"a":[{"equals-ignore-case":"abc"}]}`, `{"a":"abcd"}`, false},
		{"simple folding only", `{"a":[{"equals-ignore-case":"straße"}]}`, `{"a":"STRASSE"}`, false},
		{"sharp s capital", `{"a":[{"equals-ignore-case":"straße"}]}`, `{"a":"STRAẞE"}`, true},
		{"kelvin sign", `{"a":[{"equals-ignore-case":"k"}]}`, `{"a":"\u212a"}`, true},
		{"long s", `{"a":[{"equals-ignore-case":"S"}]}`, `{"a":"ſ"}`, true},
		{"ignore case not number", `{"a":[{"equals-ignore-case":"1"}]}`, `{"a":1}`, false},
		{"wildcard star alone", `{"a":[{"wildcard":"*"}]}`, `{"a":""}`, true},
		{"wildcard star not number", `{"a":[{"wildcard":"*"}]}`, `{"a":5}`, false},
		{"wildcard trailing", `{"a":[{"wildcard":"a*"}]}`, `{"a":"a"}`, true},
		{"wildcard leading", `{"a":[{"wildcard":"*a"}]}`, `{"a":"ba"}`, true},
		{"wildcard middle", `{"a":[{"wildcard":"a*b*c"}]}`, `{"a":"aXbYc"}`, true},
		{"wildcard order", `{"a":[{"wildcard":"a*b*c"}]}`, `{"a":"acb"}`, false},
		{"wildcard overlap", `{"a":[{"wildcard":"ab*ba"}]}`, `{"a":"aba"}`, false},
		{"wildcard backtracking", `{"a":[{"wildcard":"*ab*abc"}]}`, `{"a":"xabababc"}`, true},
		{"wildcard no star is exact", `{"a":[{"wildcard":"abc"}]}`, `{"a":"abcd"}`, false},
		{"wildcard escaped star", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"a*b"}`, true},
		{"wildcard escaped star is literal", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"aXb"}`, false},
		{"wildcard escaped backslash", `{"a":[{"wildcard":"a\\\\b"}]}`, `{"a":"a\\b"}`, true},
		{"wildcard escaped backslash then star", `{"a":[{"wildcard":"a\\\\*"}]}`, `{"a":"a\\zz"}`, true},
		{"wildcard path", `{"a":[{"wildcard":"dir/*.png"}]}`, `{"a":"dir/sub/x.png"}`, true},
		{"wildcard case", `{"a":[{"wildcard":"*.PNG"}]}`, `{"a":"x.png"}`, false},
	})
}

func TestCIDR(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"inside", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.0.255"}`, true},
		{"outside", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.1.0"}`, false},
		{"not an address", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.0.1.5"}`, false},
		{"leading zero", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"010.0.0.1"}`, false},
		{"number", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":10}`, false},
		{"host bits ignored", `{"ip":[{"cidr":"220.160.154.255/24"}]}`, `{"ip":"220.160.154.1"}`, true},
		{"odd mask", `{"ip":[{"cidr":"10.0.0.0/9"}]}`, `{"ip":"10.127.255.255"}`, true},
		{"odd mask outside", `{"ip":[{"cidr":"10.0.0.0/9"}]}`, `{"ip":"10.128.0.0"}`, false},
		{"everything IPv4", `{"ip":[{"cidr":"0.0.0.0/0"}]}`, `{"ip":"1.2.3.4"}`, true},
		{"families differ", `{"ip":[{"cidr":"0.0.0.0/0"}]}`, `{"ip":"::1"}`, false},
		{"mapped is IPv6", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"::ffff:10.0.0.1"}`, false},
		{"IPv6 by value", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:DB8:0:0:1::1"}`, true},
		{"IPv6 outside", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
		{"IPv6 embedded IPv4", `{"ip":[{"cidr":"::ffff:0:0/96"}]}`, `{"ip":"::ffff:1.2.3.4"}`, true},
		{"IPv6 zone never matches", `{"ip":[{"cidr":"fe80::/10"}]}`, `{"ip":"fe80::1%eth0"}`, false},
		{"IPv6 malformed", `{"ip":[{"cidr":"::/0"}]}`, `{"ip":"1::2::3"}`, false},
		{"in array", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":["x","192.168.0.1","10.9.9.9"]}`, true},
	})
}

func TestAnythingBut(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"string vs null", `{"a":[{"anything-but":"x"}]}`, `{"a":null}`, true},
		{"string vs number", `{"a":[{"anything-but":"x"}]}`, `{"a":5}`, true},
		{"missing", `{"a":[{"anything-but":"x"}]}`, `{"b":"y"}`, false},
		{"empty array", `{"a":[{"anything-but":"x"}]}`, `{"a":[]}`, false},
		{"object value", `{"a":[{"anything-but":"x"}]}`, `{"a":{"b":"y"}}`, false},
		{"number list numeric equality", `{"a":[{"anything-but":[100,200]}]}`, `{"a":1e2}`, false},
		{"number list vs string", `{"a":[{"anything-but":[100,200]}]}`, `{"a":"100"}`, true},
		{"single number", `{"a":[{"anything-but":5}]}`, `{"a":6}`, true},
		{"all elements excluded", `{"a":[{"anything-but":["x","y"]}]}`, `{"a":["x","y","x"]}`, false},
		{"prefix", `{"a":[{"anything-but":{"prefix":"in"}}]}`, `{"a":"out"}`, true},
		{"prefix list", `{"a":[{"anything-but":{"prefix":["a","b"]}}]}`, `{"a":"bc"}`, false},
		{"prefix list miss", `{"a":[{"anything-but":{"prefix":["a","b"]}}]}`, `{"a":"cd"}`, true},
		{"prefix vs number", `{"a":[{"anything-but":{"prefix":"1"}}]}`, `{"a":12}`, true},
		{"suffix list", `{"a":[{"anything-but":{"suffix":[".png",".jpg"]}}]}`, `{"a":"x.jpg"}`, false},
		{"ignore case single", `{"a":[{"anything-but":{"equals-ignore-case":"stopped"}}]}`, `{"a":"Stopped"}`, false},
		{"ignore case other", `{"a":[{"anything-but":{"equals-ignore-case":"stopped"}}]}`, `{"a":"running"}`, true},
		{"wildcard list", `{"a":[{"anything-but":{"wildcard":["*/lib/*","*.so"]}}]}`, `{"a":"/usr/bin/x.so"}`, false},
		{"wildcard list miss", `{"a":[{"anything-but":{"wildcard":["*/lib/*","*.so"]}}]}`, `{"a":"/usr/bin/x"}`, true},
		{"with another value", `{"a":["x",{"anything-but":"y"}]}`, `{"a":"x"}`, true},
	})
}

func TestExists(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"false missing", `{"a":[{"exists":false}]}`, `{"b":1}`, true},
		{"false null", `{"a":[{"exists":false}]}`, `{"a":null}`, false},
		{"false object", `{"a":[{"exists":false}]}`, `{"a":{"b":1}}`, true},
		{"false empty array", `{"a":[{"exists":false}]}`, `{"a":[]}`, true},
		{"false array", `{"a":[{"exists":false}]}`, `{"a":[1]}`, false},
		{"true empty array", `{"a":[{"exists":true}]}`, `{"a":[]}`, false},
		{"true array of null", `{"a":[{"exists":true}]}`, `{"a":[null]}`, true},
		{"true in array of objects", `{"a":{"b":[{"exists":true}]}}`, `{"a":[{"c":1},{"b":2}]}`, true},
		{"false in array of objects", `{"a":{"b":[{"exists":false}]}}`, `{"a":[{"c":1},{"b":2}]}`, false},
		{"false nested missing parent", `{"a":{"b":[{"exists":false}]}}`, `{}`, true},
		{"false with another field", `{"a":[{"exists":false}],"b":["x"]}`, `{"b":"x"}`, true},
		{"only exists false on empty event", `{"a":[{"exists":false}]}`, `{}`, true},
	})
}

func TestOr(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"either", `{"$or":[{"a":[1]},{"b":[2]}]}`, `{"b":2}`, true},
		{"neither", `{"$or":[{"a":[1]},{"b":[2]}]}`, `{"c":3}`, false},
		{"nested", `{"$or":[{"a":[1]},{"$or":[{"b":[2]},{"c":[3]}]}]}`, `{"c":3}`, true},
		{"inside an object", `{"x":{"$or":[{"a":[1]},{"b":[2]}]}}`, `{"x":{"b":2}}`, true},
		{"inside an object is relative", `{"x":{"$or":[{"a":[1]},{"b":[2]}]}}`, `{"b":2}`, false},
		{"with a sibling", `{"s":["y"],"$or":[{"a":[1]},{"b":[2]}]}`, `{"s":"y","a":1}`, true},
		{"sibling required", `{"s":["y"],"$or":[{"a":[1]},{"b":[2]}]}`, `{"a":1}`, false},
		{"two $or both needed", `{"x":{"$or":[{"a":[1]},{"b":[2]}]},"$or":[{"c":[3]},{"d":[4]}]}`, `{"x":{"a":1},"d":4}`, true},
		{"two $or one missing", `{"x":{"$or":[{"a":[1]},{"b":[2]}]},"$or":[{"c":[3]},{"d":[4]}]}`, `{"x":{"a":1}}`, false},
		{"alternatives with exists false", `{"$or":[{"a":[{"exists":false}]},{"a":["x"]}]}`, `{"a":"x"}`, true},
		{"back-compat: scalars make a field", `{"$or":["a","b"]}`, `{"$or":"b"}`, true},
		{"back-compat: operators make a field", `{"$or":[{"prefix":"a"},{"suffix":"z"}]}`, `{"$or":"xyz"}`, true},
		{"back-compat: object is a field", `{"$or":{"a":[1]}}`, `{"$or":{"a":1}}`, true},
	})
}
