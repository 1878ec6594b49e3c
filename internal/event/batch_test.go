package event

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// referenceBatch decodes a batch the slow, obviously right way: encoding/json for the
// envelope, then each entry on its own.
func referenceBatch(body []byte) (env string, entries []Entry, failed []bool, ok bool) {
	var req struct {
		Environment string            `json:"environment"`
		Entries     []json.RawMessage `json:"entries"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return "", nil, nil, false
	}
	if len(bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n")) > 0 {
		return "", nil, nil, false // trailing data
	}
	for _, raw := range req.Entries {
		var e Entry
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		err := d.Decode(&e)
		entries = append(entries, e)
		failed = append(failed, err != nil || string(bytes.TrimSpace(raw)) == "null")
	}
	return req.Environment, entries, failed, true
}

func TestDecodeBatch(t *testing.T) {
	b, err := DecodeBatch([]byte(`{"environment":"prod","entries":[
		{"source":"a\u00e9\ud83d\ude00","detail-type":"T","detail":{"x":[1,2.5e3,-0,true,null,"s\n"]},"resources":["r1",null],"time":"2026-01-02T03:04:05Z"},
		{"Source":"case","DETAIL-TYPE":"insensitive"},
		{"source":5},
		{"source":"a","colour":"red"},
		{"source":"a","resources":"x"},
		null,
		[1]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if b.Environment != "prod" || len(b.Entries) != 7 {
		t.Fatalf("%+v", b)
	}
	e := b.Entries[0]
	if e.Source != "aé😀" || string(e.Detail) != `{"x":[1,2.5e3,-0,true,null,"s\n"]}` || !reflect.DeepEqual(e.Resources, []string{"r1", ""}) || b.Errors[0] != nil {
		t.Errorf("entry 0: %+v %v", e, b.Errors[0])
	}
	if b.Entries[1].Source != "case" || b.Entries[1].DetailType != "insensitive" || b.Errors[1] != nil {
		t.Errorf("entry 1: %+v", b.Entries[1])
	}
	for i, field := range map[int]string{2: "source", 3: "colour", 4: "resources", 5: "", 6: ""} {
		if b.Errors[i] == nil || b.Errors[i].Field != field {
			t.Errorf("entry %d: %+v", i, b.Errors[i])
		}
	}
	for _, bad := range []string{``, `[]`, `{"entries":[{]}`, `{"entries":[{"source":"a"}]} x`, `{"environment":5}`, `{"entries":5}`,
		`{"entries":[{"detail":{"a":01}}]}`, `{"entries":[{"detail":"\x01"}]}`, `{"entries":[{"detail":"\q"}]}`, `{"other":1}`,
		`{"entries":[{"detail":` + strings.Repeat("[", 1002) + strings.Repeat("]", 1002) + `}]}`} {
		if _, err := DecodeBatch([]byte(bad)); err == nil {
			t.Errorf("%.60q was accepted", bad)
		}
	}
}

// FuzzDecodeBatch holds DecodeBatch to encoding/json: the same bodies are accepted, the
// same entries decoded to the same values, the same entries failed.
func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"environment":"p","entries":[{"source":"a","detail-type":"b","detail":{"k":"v"},"resources":["x"]}]}`,
		`{"entries":[{"source":"\u00e9\ud800","detail":"{\"a\":1}"},null,5,{"x":1}]}`,
		`{"entries":[{"SOURCE":"x","Detail":[1,{"a":null}],"time":null,"resources":null}]} `,
		`{"entries":[{"source":"a\xffb"}],"environment":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := DecodeBatch(body)
		env, entries, failed, ok := referenceBatch(body)
		if (err == nil) != ok {
			t.Fatalf("DecodeBatch: %v, encoding/json ok: %v", err, ok)
		}
		if !ok {
			return
		}
		if b.Environment != env || len(b.Entries) != len(entries) {
			t.Fatalf("env %q/%q, %d/%d entries", b.Environment, env, len(b.Entries), len(entries))
		}
		for i := range entries {
			if (b.Errors[i] != nil) != failed[i] {
				t.Fatalf("entry %d: error %v, reference failed %v", i, b.Errors[i], failed[i])
			}
			if failed[i] {
				continue
			}
			got, want := b.Entries[i], entries[i]
			if !bytes.Equal(got.Detail, want.Detail) {
				t.Fatalf("entry %d detail %q, want %q", i, got.Detail, want.Detail)
			}
			got.Detail, want.Detail = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("entry %d: %+v, want %+v", i, got, want)
			}
		}
	})
}
