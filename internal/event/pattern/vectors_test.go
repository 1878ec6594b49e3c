package pattern

import (
	"errors"
	"strings"
	"testing"
)

// The T-EP vectors of the spec (spec-cloudwatch-eventbridge-sns.md), copied literally.
var epVectors = []struct {
	id, pattern, event string
	want               bool
}{
	{"EP01", `{"source":["aws.ec2"]}`, `{"source":"aws.ec2"}`, true},
	{"EP02", `{"source":["AWS.EC2"]}`, `{"source":"aws.ec2"}`, false},
	{"EP03", `{"detail":{"state":["running","stopped"]}}`, `{"detail":{"state":"stopped"}}`, true},
	{"EP04", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, `{"source":"aws.ec2","detail":{"state":"stopped"}}`, false},
	{"EP05", `{"detail":{"state":["running"]}}`, `{"detail":{"instance-id":"i-1"}}`, false},
	{"EP06", `{"resources":["arn:b","arn:c"]}`, `{"resources":["arn:a","arn:b"]}`, true},
	{"EP07", `{"resources":["arn:x"]}`, `{"resources":["arn:a","arn:b"]}`, false},
	{"EP08", `{"detail":{"state":{"status":["running"]}}}`, `{"detail":{"state.status":"running"}}`, false},
	{"EP09", `{"detail":{"responseElements":[null]}}`, `{"detail":{"responseElements":null}}`, true},
	{"EP10", `{"detail":{"responseElements":[""]}}`, `{"detail":{"responseElements":null}}`, false},
	{"EP11", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":""}}`, true},
	{"EP12", `{"x":[300]}`, `{"x":300}`, true},
	{"EP13", `{"x":[300]}`, `{"x":300.0}`, true},
	{"EP14", `{"x":[300]}`, `{"x":"300"}`, false},
	{"EP15", `{"x":["300"]}`, `{"x":300}`, false},
	{"EP16", `{"b":[true]}`, `{"b":"true"}`, false},
	{"EP17", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
	{"EP18", `{"x":[{"prefix":"3"}]}`, `{"x":300}`, false},
	{"EP19", `{"source":[{"prefix":{"equals-ignore-case":"EC2"}}]}`, `{"source":"ec2-instance"}`, true},
	{"EP20", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"photo.PNG"}`, false},
	{"EP21", `{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"FileName":"photo.PNG"}`, true},
	{"EP22", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, `{"detail-type":"EC2 Instance State-change Notification"}`, true},
	{"EP23", `{"state":[{"anything-but":"initializing"}]}`, `{"state":"running"}`, true},
	{"EP24", `{"state":[{"anything-but":"initializing"}]}`, `{"other":"x"}`, false},
	{"EP25", `{"state":[{"anything-but":["stopped","overloaded"]}]}`, `{"state":"stopped"}`, false},
	{"EP26", `{"x":[{"anything-but":[100,200,300]}]}`, `{"x":200.0}`, false},
	{"EP27", `{"x":[{"anything-but":[100,200,300]}]}`, `{"x":"200"}`, true},
	{"EP28", `{"state":[{"anything-but":{"prefix":"init"}}]}`, `{"state":"initializing"}`, false},
	{"EP29", `{"f":[{"anything-but":{"suffix":".png"}}]}`, `{"f":"a.jpg"}`, true},
	{"EP30", `{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}`, `{"state":"STOPPED"}`, false},
	{"EP31", `{"path":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"path":"/usr/lib/x.so"}`, false},
	{"EP32", `{"c":[{"anything-but":["rugby","tennis"]}]}`, `{"c":["rugby","baseball"]}`, true},
	{"EP33", `{"c":[{"anything-but":["rugby","tennis"]}]}`, `{"c":["rugby"]}`, false},
	{"EP34", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":5}`, true},
	{"EP35", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":0}`, false},
	{"EP36", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":"3"}`, false},
	{"EP37", `{"x":[{"numeric":["=",3.018e2]}]}`, `{"x":301.8}`, true},
	{"EP38", `{"a":[{"exists":true}]}`, `{"a":null}`, true},
	{"EP39", `{"a":[{"exists":true}]}`, `{"a":{"b":1}}`, false},
	{"EP40", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"c-count":{"c1":100}}}`, true},
}

// The invalid-pattern vectors IP01–IP09, with a fragment of the expected message.
var ipVectors = []struct {
	id, pattern, msg string
}{
	{"IP01", `{"source":"aws.ec2"}`, `"source" must be an object or an array`},
	{"IP02", `{"source":[]}`, "empty arrays are not allowed"},
	{"IP03", `{"x":[{"anything-but":["a",1]}]}`, "mixed type is not supported"},
	{"IP04", `{"x":[{"numeric":["<",10,">",0]}]}`, "too many elements in numeric expression"},
	{"IP05", `{"x":[{"wildcard":"a**b"}]}`, "consecutive wildcard characters at position 2"},
	{"IP06", `{"x":[{"wildcard":"a\\xb"}]}`, "invalid escape character at position 2"},
	{"IP07", `{"x":[{"foo":"bar"}]}`, "unrecognized match type foo"},
	{"IP08", `{"x":[{"prefix":"a","suffix":"b"}]}`, "only one key allowed in match expression"},
	{"IP09", `{"x":[{"exists":"yes"}]}`, "exists match pattern must be either true or false"},
}

func TestVectorsEP(t *testing.T) {
	for _, v := range epVectors {
		t.Run(v.id, func(t *testing.T) {
			p, err := Compile([]byte(v.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", v.pattern, err)
			}
			got, err := p.Match([]byte(v.event))
			if err != nil {
				t.Fatalf("Match(%s): %v", v.event, err)
			}
			if got != v.want {
				t.Errorf("pattern %s, event %s: got %v, want %v", v.pattern, v.event, got, v.want)
			}
		})
	}
}

func TestVectorsIP(t *testing.T) {
	for _, v := range ipVectors {
		t.Run(v.id, func(t *testing.T) {
			_, err := Compile([]byte(v.pattern))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%s) = %v, want an *Error", v.pattern, err)
			}
			if !strings.HasPrefix(err.Error(), "invalid event pattern at line 1, column ") || !strings.Contains(err.Error(), v.msg) {
				t.Errorf("Compile(%s) error %q, want one containing %q", v.pattern, err, v.msg)
			}
		})
	}
}
