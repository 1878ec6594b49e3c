package transform

import (
	"strings"
	"testing"
)

// BenchmarkApplyTemplate renders an I03-style template on a 1 KB event.
func BenchmarkApplyTemplate(b *testing.B) {
	event := []byte(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"EC2 Instance State-change Notification",` +
		`"source":"aws.ec2","account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1",` +
		`"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],"environment":"prod",` +
		`"detail":{"padding":"` + strings.Repeat("x", 640) + `","instance-id":"i-1234567890abcdef0","state":"terminated"}}`)
	if len(event) < 1000 || len(event) > 1100 {
		b.Fatalf("event is %d bytes, want about 1 KB", len(event))
	}
	tr, err := Compile(Spec{
		InputPaths:    map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state"},
		InputTemplate: `{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}`,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(event)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tr.Apply(event, ctx); err != nil {
			b.Fatal(err)
		}
	}
}
