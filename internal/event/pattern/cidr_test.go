package pattern

import (
	"net/netip"
	"testing"
)

var ipSamples = []string{
	"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3",
	"1.2.3.4 ", "", ".", ":", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::",
	"::1:2:3:4:5:6:7", "1::2::3", "12345::", "::ffff:1.2.3.4", "::ffff:1.2.3", "1:2:3:4:5:6:1.2.3.4",
	"1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4", "fe80::1%eth0", "fe80::1%", "2001:DB8::1", "2001:db8:0:0:0:0:0:1",
	"::g", "1:2:3:4:5:6:7:8::", ":1::", "1:", "1::2:", "abcd:ef01::", "0:0:0:0:0:0:0:0", "::0.0.0.0",
	"1.2.3.4%x", "%", "1.2.3.04", "00.0.0.0",
}

func checkParseIP(t *testing.T, s string) {
	ip, v4, ok := parseIP([]byte(s))
	a, err := netip.ParseAddr(s)
	wantOK := err == nil && a.Zone() == ""
	if ok != wantOK {
		t.Fatalf("parseIP(%q) ok = %v, netip says %v (%v)", s, ok, wantOK, err)
	}
	if !ok {
		return
	}
	if v4 != a.Is4() {
		t.Fatalf("parseIP(%q) v4 = %v", s, v4)
	}
	if a.Is4() {
		if b := a.As4(); [4]byte(ip[:4]) != b {
			t.Fatalf("parseIP(%q) = %v, want %v", s, ip[:4], b)
		}
	} else if ip != a.As16() {
		t.Fatalf("parseIP(%q) = %v, want %v", s, ip, a.As16())
	}
}

func TestParseIP(t *testing.T) {
	for _, s := range ipSamples {
		checkParseIP(t, s)
	}
}

// FuzzParseIP checks the allocation-free address parser against netip.ParseAddr.
func FuzzParseIP(f *testing.F) {
	for _, s := range ipSamples {
		f.Add(s)
	}
	f.Fuzz(checkParseIP)
}
