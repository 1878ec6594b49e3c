package notify

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAckLinks(t *testing.T) {
	a := AckLinks{Key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Unix(1_800_000_000, 0)
	link := a.URL("https://tocsin.example.com/", "production", 42, now.Add(time.Hour))
	if !strings.HasPrefix(link, "https://tocsin.example.com/ack?") {
		t.Fatalf("link %s", link)
	}
	u, _ := url.Parse(link)
	env, id, err := a.Check(u.Query(), now)
	if err != nil || env != "production" || id != 42 {
		t.Fatalf("check: %s %d %v", env, id, err)
	}
	if _, _, err := a.Check(u.Query(), now.Add(2*time.Hour)); err != ErrBadLink {
		t.Errorf("expired link accepted: %v", err)
	}
	q := u.Query()
	q.Set("incident", "43")
	if _, _, err := a.Check(q, now); err != ErrBadLink {
		t.Errorf("altered link accepted: %v", err)
	}
	if _, _, err := (AckLinks{Key: []byte("another key of thirty-two bytes!")}).Check(u.Query(), now); err != ErrBadLink {
		t.Errorf("link of another key accepted: %v", err)
	}
	if a.URL("", "production", 1, now) != "" {
		t.Error("a link without a public URL")
	}
}
