package event

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// benchBatch is a realistic body of n entries of about 1 KB: EventBridge-style envelopes
// whose detail holds nested objects, numbers, booleans, a few escapes and non-ASCII text.
func benchBatch(n int) []byte {
	states := []string{"running", "stopped", "pending", "shutting-down"}
	note := strings.Repeat("Instance passed its status checks; ", 12) + `caf\u00e9 \"quoted\" \n\tend ü`
	var b strings.Builder
	b.WriteString(`{"environment":"production","entries":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","time":"2026-03-01T12:%02d:%02dZ",`+
			`"account":"123456789012","region":"eu-west-1","resources":["arn:aws:ec2:eu-west-1:123456789012:instance/i-%08x"],`+
			`"detail":{"instance-id":"i-%08x","state":%q,"launch":{"ami":"ami-0abc%04d","cores":%d,"ebs":true,"spot":null,`+
			`"tags":[{"key":"Name","value":"web-%02d"},{"key":"Team","value":"Zürich"}]},"cpu":%d.%d,"bytes":-%d,"ratio":1.5e-3,"note":"%s"}}`,
			i/60%60, i%60, i, i, states[i%len(states)], i%100, 1<<(i%4), i%50, i%100, i%10, i*4096, note)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkDecodeBatch decodes a batch of 1,000 entries of about 1 KB, the size
// POST /api/v1/events is benchmarked with in internal/server.
func BenchmarkDecodeBatch(b *testing.B) {
	body := benchBatch(1000)
	if bt, err := DecodeBatch(body); err != nil || len(bt.Entries) != 1000 || slices.ContainsFunc(bt.Errors, func(e *EntryError) bool { return e != nil }) {
		b.Fatalf("the body does not decode cleanly: %v", err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if bt, err := DecodeBatch(body); err != nil || len(bt.Entries) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/entry")
}
