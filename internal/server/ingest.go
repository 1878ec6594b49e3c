package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/tocsin/tocsin/internal/ingest/putmetric"
	"github.com/tocsin/tocsin/internal/stack"
)

// Ingest limits (documented in docs/api/openapi.yaml and docs/metrics.md).
const (
	maxIngestDatums  = 1000
	maxIngestDecoded = 4 << 20 // a gzip body may expand to this much
)

// ingestState is reused across requests: decoding a batch allocates nothing in the
// steady state.
type ingestState struct {
	body bytes.Buffer
	req  putmetric.Request
	gz   *gzip.Reader
}

var ingestPool = sync.Pool{New: func() any { return new(ingestState) }}

// postMetrics is POST /api/v1/metrics: a batch is validated whole (any invalid datum
// rejects the request and stores nothing) and acknowledged once durable.
func (s *Server) postMetrics(r *http.Request) (any, error) {
	st := ingestPool.Get().(*ingestState)
	defer ingestPool.Put(st)
	if err := st.read(r); err != nil {
		return nil, err
	}
	lim := putmetric.Limits{MaxDatums: maxIngestDatums, MaxBodyBytes: maxIngestDecoded}
	decode := putmetric.Decode
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-ndjson") {
		decode = putmetric.DecodeNDJSON
	} else if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send application/json or application/x-ndjson"}
	}
	derrs, err := decode(st.body.Bytes(), s.opts.Now(), lim, &st.req)
	if err != nil {
		s.metrics.rejected("body")
		return nil, decodeError(err)
	}
	env, err := s.ingestEnv(principalFrom(r.Context()), st.req.Environment)
	if err != nil {
		return nil, err
	}
	if len(derrs) > 0 {
		for _, d := range derrs {
			s.metrics.rejected(reasonOf(d.Field))
		}
		return nil, &apiError{Status: http.StatusBadRequest, Code: "invalid_datums", Field: derrs[0].Field,
			Message: fmt.Sprintf("%d invalid datum(s); nothing was stored. First: %s", len(derrs), derrs[0].Message), DatumErrors: derrs}
	}
	for i := range st.req.Datums {
		st.req.Datums[i].Key.Env = env
	}
	if err := s.metricStore.Ingest(r.Context(), st.req.Datums); err != nil {
		return nil, err
	}
	s.metrics.accepted("http", len(st.req.Datums))
	return map[string]int{"accepted": len(st.req.Datums)}, nil
}

// read reads the (possibly gzip-compressed) body into st.body.
func (st *ingestState) read(r *http.Request) error {
	st.body.Reset()
	var src io.Reader = r.Body
	if enc := r.Header.Get("Content-Encoding"); enc == "gzip" {
		var err error
		if st.gz == nil {
			st.gz, err = gzip.NewReader(r.Body)
		} else {
			err = st.gz.Reset(r.Body)
		}
		if err != nil {
			return badRequest("", "the body is not valid gzip: %v", err)
		}
		src = st.gz
	} else if enc != "" && enc != "identity" {
		return &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_encoding", Message: fmt.Sprintf("Content-Encoding %q is not supported (use gzip)", enc)}
	}
	n, err := st.body.ReadFrom(io.LimitReader(src, maxIngestDecoded+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err // the wrapper answers 413
	case err != nil:
		return badRequest("", "reading the body: %v", err)
	case n > maxIngestDecoded:
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the decompressed body exceeds %d bytes", maxIngestDecoded)}
	}
	return nil
}

// ingestEnv decides the environment of a batch: the one it names, else the token's only
// environment with the ingest scope. The token must be allowed to ingest there.
func (s *Server) ingestEnv(p *principal, named string) (string, error) {
	env := named
	if env == "" {
		if p.Admin {
			return "", badRequest("environment", "an admin token must name the environment")
		}
		var candidates []string
		for e := range p.Scopes {
			if p.can(stack.ScopeIngest, e) {
				candidates = append(candidates, e)
			}
		}
		switch len(candidates) {
		case 0:
			return "", forbidden("token %q may not ingest metrics", p.Name)
		case 1:
		default:
			return "", badRequest("environment", "this token may ingest into %d environments; name one", len(candidates))
		}
		env = candidates[0]
	}
	if s.cfg.get().effective[env] == nil {
		return "", badRequest("environment", "environment %q is not served here", env)
	}
	if !p.can(stack.ScopeIngest, env) {
		return "", forbidden("token %q may not ingest into environment %q", p.Name, env)
	}
	return env, nil
}

// decodeError maps a malformed body to a 400 naming the field.
func decodeError(err error) error {
	var pe *putmetric.Error
	if errors.As(err, &pe) {
		return badRequest(pe.Field, "%s", pe.Message)
	}
	return badRequest("", "%v", err)
}

// reasonLabels are the values of the reason label of rejected datums: the datum fields.
var reasonLabels = map[string]bool{"name": true, "dimensions": true, "unit": true, "timestamp": true,
	"storage_resolution": true, "value": true, "values": true, "counts": true, "statistic_values": true, "namespace": true}

// reasonOf turns a datum error's field into a bounded metrics label: the field name
// without indexes or dimension names ("metric_data[3].dimensions.Host" → "dimensions");
// anything else (an unknown key a client sent) is "unknown_field".
func reasonOf(field string) string {
	for _, p := range strings.Split(field, ".") {
		name, _, _ := strings.Cut(p, "[")
		if name == "metric_data" || name == "" {
			continue
		}
		if reasonLabels[name] {
			return name
		}
		return "unknown_field"
	}
	return "datum"
}
