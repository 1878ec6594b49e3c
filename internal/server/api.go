package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin/internal/ingest/putmetric"
	"github.com/tocsin/tocsin/internal/stack"
)

// apiError is the JSON error body of every API failure:
// {"error": {"code", "message", "field", "details"}}.
type apiError struct {
	Status  int      `json:"-"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Field   string   `json:"field,omitempty"`
	Details []string `json:"details,omitempty"`
	// DatumErrors lists each invalid datum of a metrics batch.
	DatumErrors []putmetric.DatumError `json:"datum_errors,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func badRequest(field, format string, args ...any) error {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid", Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// invalidConfig turns stack diagnostics into a 422 naming the first field at fault.
func invalidConfig(diags stack.Diagnostics) error {
	errs := diags.Errors()
	e := &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_resource", Details: errs.Strings()}
	if len(errs) > 0 {
		e.Field = errs[0].Path
		e.Message = errs[0].Message
		if len(errs) > 1 {
			e.Message += fmt.Sprintf(" (and %d more problems)", len(errs)-1)
		}
	}
	return e
}

// apiFunc handles a request and returns a value to write as JSON, or an error.
type apiFunc func(r *http.Request) (any, error)

// maxBody is the largest request body the configuration API accepts.
const maxBody = 1 << 20

// serveJSON adapts an apiFunc: it writes the value as JSON, or the error as the error body
// with its status (500 for unexpected errors, whose text is logged, not sent).
func (s *Server) serveJSON(f apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		v, err := f(r)
		if err != nil {
			var ae *apiError
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &ae):
			case errors.As(err, &mbe):
				ae = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the request body exceeds %d bytes", maxBody)}
			default:
				s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; see the server log"}
			}
			writeJSON(w, ae.Status, map[string]any{"error": ae})
			return
		}
		status := http.StatusOK
		if c, ok := v.(created); ok {
			status, v = http.StatusCreated, c.v
		}
		writeJSON(w, status, v)
	}
}

// created marks a value as the result of a creation (201).
type created struct{ v any }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// readJSONBody reads a request body that must be a JSON object.
func readJSONBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send Content-Type: application/json"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, badRequest("", "the body is not valid JSON")
	}
	return body, nil
}
