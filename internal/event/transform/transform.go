package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"text/template"
	"time"
)

// maxTemplateOutput bounds a Go template's output (EventBridge's event size limit).
const maxTemplateOutput = 256 << 10

type mode int

const (
	modeEvent mode = iota
	modeInput
	modePath
	modeInputTemplate
	modeGoTemplate
)

// Transformer is a compiled Spec. It is immutable and safe for concurrent use; a nil
// *Transformer passes the whole event through.
type Transformer struct {
	mode   mode
	input  []byte
	path   Path
	tmpl   *inputTemplate
	gotmpl *template.Template
}

// Context carries the predefined variables of an InputTemplate.
type Context struct {
	RuleName, RuleARN string
	IngestionTime     time.Time
}

// ErrOutputTooLarge is returned when a Go template writes more than 256 KiB.
var ErrOutputTooLarge = errors.New("transform: template output exceeds 256 KiB")

// Apply returns the message body for one event. isJSON reports whether out is JSON: true for
// the whole event, Input, InputPath and JSON-shaped InputTemplates; false for a plain-text
// InputTemplate; for a Go template, whether its output parses as JSON. An InputPath that
// selects nothing gives `null`. out never aliases event.
func (t *Transformer) Apply(event []byte, ctx Context) (out []byte, isJSON bool, err error) {
	if !json.Valid(event) {
		return nil, false, errors.New("transform: event is not valid JSON")
	}
	if t == nil {
		return slices.Clone(event), true, nil
	}
	switch t.mode {
	case modeInput:
		return slices.Clone(t.input), true, nil
	case modePath:
		v, ok := t.path.Get(event)
		if !ok {
			return []byte("null"), true, nil
		}
		return slices.Clone(v), true, nil
	case modeInputTemplate:
		return t.tmpl.render(event, ctx), t.tmpl.form != formText, nil
	case modeGoTemplate:
		return t.execute(event)
	}
	return slices.Clone(event), true, nil
}

func (t *Transformer) execute(event []byte) ([]byte, bool, error) {
	var data any
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return nil, false, fmt.Errorf("transform: decoding event: %w", err)
	}
	w := &limitWriter{max: maxTemplateOutput}
	if err := t.gotmpl.Execute(w, data); err != nil {
		if errors.Is(err, ErrOutputTooLarge) {
			return nil, false, ErrOutputTooLarge
		}
		return nil, false, fmt.Errorf("transform: template: %w", err)
	}
	// missingkey=zero still prints a missing map entry as "<no value>" (the zero value of
	// an interface); render it as nothing, as Helm does.
	out := bytes.ReplaceAll(w.buf, []byte("<no value>"), nil)
	return out, json.Valid(out), nil
}

type limitWriter struct {
	buf []byte
	max int
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > w.max {
		return 0, ErrOutputTooLarge
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
