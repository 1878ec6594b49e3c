package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEventsTestPattern(t *testing.T) {
	dir := t.TempDir()
	ev := filepath.Join(dir, "event.json")
	os.WriteFile(ev, []byte(`{"source":"aws.autoscaling","detail":{"Cause":"… in response to an ELB system health check failure."}}`), 0o644)
	for _, c := range []struct {
		pattern, event string
		code           int
		out, errOut    string
	}{
		{`{"detail":{"Cause":[{"suffix":"ELB system health check failure."}]}}`, "@" + ev, 0, "true\n", ""},
		{`{"source":["aws.ec2"]}`, "@" + ev, 0, "false\n", ""},
		{`{"source":"aws.ec2"}`, "@" + ev, 2, "", "invalid event pattern at line 1, column 11 (source)"},
		{`{"x":[{"wildcard":"a**b"}]}`, `{"x":"ab"}`, 2, "", "wildcard"},
		{`{"source":["a"]}`, `{"source":`, 2, "", "invalid event"},
		{`{"source":["a"]}`, "@" + filepath.Join(dir, "missing.json"), 2, "", "no such file"},
	} {
		code, out, errOut := run(t, nil, "events", "test-pattern", "--pattern", c.pattern, "--event", c.event)
		if code != c.code || out != c.out || !strings.Contains(errOut, c.errOut) {
			t.Errorf("%s vs %s: %d %q %q", c.pattern, c.event, code, out, errOut)
		}
	}
	if code, _, errOut := run(t, nil, "events", "test-pattern", "--pattern", `{}`); code != 2 || !strings.Contains(errOut, "needs --pattern and --event") {
		t.Errorf("missing --event: %d %s", code, errOut)
	}
}

// send, list and the dead-letter commands talk to a real server.
func TestEventsSendAndList(t *testing.T) {
	env := map[string]string{"TOCSIN_TOKEN": admin, "TOCSIN_URL": startServer(t)}
	code, out, errOut := run(t, env, "events", "send", "--env", "production", "--source", "my.deploy", "--detail-type", "Deployment", "--detail", `{"app":"api"}`)
	if code != 0 || !strings.Contains(out, "stored") {
		t.Fatalf("send: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "events", "send", "--env", "production", "--source", "my.deploy", "--detail-type", "")
	if code != 1 || !strings.Contains(errOut, "detail-type is required") {
		t.Errorf("send without detail-type: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "events", "list", "--env", "production", "--pattern", `{"detail":{"app":["api"]}}`)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"source":"my.deploy"`) {
		t.Errorf("list: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := run(t, env, "events", "dead-letters", "--env", "production"); code != 0 || out != "" {
		t.Errorf("dead-letters: %d %q %s", code, out, errOut)
	}
	if code, _, errOut := run(t, env, "events", "replay", "9", "--env", "production"); code != 1 || !strings.Contains(errOut, "no dead letter 9") {
		t.Errorf("replay: %d %s", code, errOut)
	}
}

// The example of docs/events.md §2 works as written.
func TestEventsDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	const pattern = `{"detail":{"Cause":[{"suffix":"ELB system health check failure."}]}}`
	if !strings.Contains(string(doc), "--pattern '"+pattern+"'") || !strings.Contains(string(doc), "--event @examples/aws-events/events/asg-terminate-health-check.json") {
		t.Fatal("docs/events.md no longer shows this example; update the test with it")
	}
	code, out, errOut := run(t, nil, "events", "test-pattern", "--pattern", pattern, "--event", "@../../examples/aws-events/events/asg-terminate-health-check.json")
	if code != 0 || out != "true\n" {
		t.Errorf("%d %q %s", code, out, errOut)
	}
}
