package backtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/ingest/putmetric"
	"github.com/tocsin/tocsin/internal/metricstore"
	"github.com/tocsin/tocsin/internal/stack"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// Modify returns alarm a with fields changed, each "path=value" (statistic=Sum,
// threshold=50, metric.unit=Count; a value is JSON when it parses as JSON, else a string),
// validated like an alarm sent to the API against env.
func Modify(env *stack.Env, a *stack.Alarm, sets []string) (*stack.Alarm, error) {
	m, err := stack.Canonical(a)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"only", "except", "reason"} {
		delete(m, k)
	}
	for _, s := range sets {
		path, raw, ok := strings.Cut(s, "=")
		if !ok || path == "" {
			return nil, fmt.Errorf("--set takes field=value, got %q", s)
		}
		var v any
		if json.Unmarshal([]byte(raw), &v) != nil {
			v = raw
		}
		cur := m
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		cur[parts[len(parts)-1]] = v
	}
	body, _ := json.Marshal(m)
	en, diags := stack.DecodeRuntime(env, stack.KindByName("alarms"), a.Name, body)
	if diags.HasErrors() {
		return nil, fmt.Errorf("the modified alarm is invalid: %s", strings.Join(diags.Errors().Strings(), "; "))
	}
	return en.Resource.(*stack.Alarm), nil
}

// LoadData opens a scratch metric store in dir holding the datums of a file: a
// PutMetricData JSON body or its newline-delimited form, timestamps accepted up to two
// weeks before asOf.
func LoadData(ctx context.Context, dir, env, file string, asOf time.Time) (*metricstore.Store, func(), error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	var req putmetric.Request
	lim := putmetric.Limits{MaxDatums: 10_000_000, MaxBodyBytes: 1 << 30}
	decode := putmetric.Decode
	if strings.HasSuffix(file, ".ndjson") || strings.HasSuffix(file, ".jsonl") {
		decode = putmetric.DecodeNDJSON
	}
	derrs, err := decode(data, asOf, lim, &req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(derrs) > 0 {
		return nil, nil, fmt.Errorf("%s: datum %d: %s: %s (and %d more)", file, derrs[0].Index, derrs[0].Field, derrs[0].Message, len(derrs)-1)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "backtest.db"))
	if err != nil {
		return nil, nil, err
	}
	ms, err := metricstore.Open(ctx, metricstore.Options{Dir: filepath.Join(dir, "wal"), Backend: db, Now: func() time.Time { return asOf }})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	for i := range req.Datums {
		req.Datums[i].Key.Env = env
	}
	if err := ms.Ingest(ctx, req.Datums); err != nil {
		db.Close()
		return nil, nil, err
	}
	return ms, func() { ms.Close(ctx); db.Close() }, nil
}
