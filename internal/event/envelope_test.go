package event

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// AppendJSON writes exactly what json.Marshal writes.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	for _, s := range []string{"plain", `q"uote\back`, "<html>&amp;", "ctl\x00\x01\x1f\n\r\t\b\f", "bad\xffutf8", "sep\u2028\u2029", "ünïcødé ✓", ""} {
		ev, err := New("prod"+s, s, s, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), []string{s, "arn:x"}, map[string]string{"k": s})
		if err != nil {
			t.Fatal(err)
		}
		ev.Account, ev.Region = s, s
		want, _ := json.Marshal(ev)
		if got := ev.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("aws.ec2", "EC2 Instance State-change Notification", "i-1")
	f.Fuzz(func(t *testing.T, source, detailType, resource string) {
		ev, err := New("production", source, detailType, time.Unix(1700000000, 0), []string{resource}, map[string]string{"r": resource})
		if err != nil {
			t.Skip()
		}
		want, _ := json.Marshal(ev)
		if got := ev.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

func TestNewIDIsTimeOrderedUUIDv7(t *testing.T) {
	a := NewID()
	time.Sleep(2 * time.Millisecond)
	b := NewID()
	if len(a) != 36 || a[14] != '7' || !strings.ContainsRune("89ab", rune(a[19])) || a[:13] >= b[:13] {
		t.Errorf("ids %s, %s", a, b)
	}
}
