package putmetric

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/metric"
)

// refDecode is the slow reference decoder of the differential fuzz test: encoding/json does
// the tokenising and unescaping, and the rules are restated as plainly as possible. It
// returns a body-level error, or the datums, the indices of the invalid ones and the text
// of each datum.
func refDecode(body []byte, now time.Time, lim Limits) (req Request, bad []int, items []json.RawMessage, err error) {
	lim = lim.withDefaults()
	if len(body) > lim.MaxBodyBytes || !utf8.Valid(body) || !json.Valid(body) {
		return req, nil, nil, errors.New("malformed")
	}
	members, err := refObject(body)
	if err != nil {
		return req, nil, nil, err
	}
	hasNS, hasData := false, false
	for _, m := range members {
		switch m.key {
		case "environment":
			if err := json.Unmarshal(m.raw, &req.Environment); err != nil || m.raw[0] != '"' || !regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`).MatchString(req.Environment) {
				return req, nil, nil, errors.New("environment")
			}
		case "namespace":
			if err := json.Unmarshal(m.raw, &req.Namespace); err != nil || m.raw[0] != '"' || metric.ValidateNamespace(req.Namespace) != nil {
				return req, nil, nil, errors.New("namespace")
			}
			hasNS = true
		case "metric_data":
			if m.raw[0] != '[' {
				return req, nil, nil, errors.New("metric_data")
			}
			if err := json.Unmarshal(m.raw, &items); err != nil {
				return req, nil, nil, err
			}
			hasData = true
		default:
			return req, nil, nil, errors.New("unknown key")
		}
	}
	if !hasNS || !hasData || len(items) == 0 || len(items) > lim.MaxDatums {
		return req, nil, nil, errors.New("envelope")
	}
	for i, item := range items {
		d, ok := refDatum(item, now)
		d.Key.Env, d.Key.Namespace = req.Environment, req.Namespace
		if ok && d.Validate(now) != nil {
			ok = false
		}
		if !ok {
			bad = append(bad, i)
		}
		req.Datums = append(req.Datums, d)
	}
	return req, bad, items, nil
}

type refMember struct {
	key string
	raw json.RawMessage
}

// refObject splits a JSON object into its members, rejecting duplicate keys.
func refObject(raw []byte) ([]refMember, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errors.New("not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []refMember
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var m refMember
		m.key = tok.(string)
		if err := dec.Decode(&m.raw); err != nil {
			return nil, err
		}
		if seen[m.key] {
			return nil, fmt.Errorf("duplicate key %q", m.key)
		}
		seen[m.key] = true
		out = append(out, m)
	}
	return out, nil
}

func refString(raw []byte) (string, bool) {
	var s string
	return s, raw[0] == '"' && json.Unmarshal(raw, &s) == nil
}

func refNumber(raw []byte) (float64, bool) {
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	return v, err == nil || !math.IsInf(v, 0)
}

func refNumbers(raw []byte) ([]float64, bool) {
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	out := []float64{}
	for _, it := range items {
		v, ok := refNumber(it)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

var refTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

// refDatum decodes one datum; ok is false when it is invalid before Validate.
func refDatum(raw []byte, now time.Time) (d metric.Datum, ok bool) {
	d = metric.Datum{Key: metric.SeriesKey{Unit: metric.UnitNone}, Time: now, Resolution: 60}
	members, err := refObject(raw)
	if err != nil {
		return d, false
	}
	has := map[string]bool{}
	for _, m := range members {
		has[m.key] = true
		switch m.key {
		case "name", "unit":
			s, ok := refString(m.raw)
			if !ok || m.key == "unit" && s == "" {
				return d, false
			}
			if m.key == "name" {
				d.Key.Name = s
			} else {
				d.Key.Unit = metric.Unit(s)
			}
		case "dimensions":
			dims, err := refObject(m.raw)
			if err != nil || len(dims) > metric.MaxDimensions {
				return d, false
			}
			for _, dm := range dims {
				v, ok := refString(dm.raw)
				if !ok {
					return d, false
				}
				d.Key.Dims = append(d.Key.Dims, metric.Dim{Name: dm.key, Value: v})
			}
			metric.SortDims(d.Key.Dims)
		case "timestamp":
			if s, ok := refString(m.raw); ok {
				if !refTimeRE.MatchString(s) {
					return d, false
				}
				if d.Time, err = time.Parse(time.RFC3339Nano, s); err != nil {
					return d, false
				}
			} else if v, ok := refNumber(m.raw); ok {
				if d.Time, ok = unixTime(v); !ok {
					return d, false
				}
			} else {
				return d, false
			}
		case "storage_resolution":
			v, ok := refNumber(m.raw)
			if !ok || v != 1 && v != 60 {
				return d, false
			}
			d.Resolution = int(v)
		case "value":
			if d.Value, d.HasValue = refNumber(m.raw); !d.HasValue {
				return d, false
			}
		case "values", "counts":
			v, ok := refNumbers(m.raw)
			if !ok {
				return d, false
			}
			if m.key == "values" {
				d.Values = v
			} else {
				d.Counts = v
			}
		case "statistic_values":
			if d.Stats, ok = refStats(m.raw); !ok {
				return d, false
			}
		default:
			return d, false
		}
	}
	return d, has["name"] && (!has["counts"] || has["values"])
}

func refStats(raw []byte) (*metric.StatSet, bool) {
	members, err := refObject(raw)
	if err != nil || len(members) != 4 {
		return nil, false
	}
	var s metric.StatSet
	for _, m := range members {
		v, ok := refNumber(m.raw)
		if !ok {
			return nil, false
		}
		switch m.key {
		case "sample_count":
			s.SampleCount = v
		case "sum":
			s.Sum = v
		case "minimum":
			s.Minimum = v
		case "maximum":
			s.Maximum = v
		default:
			return nil, false
		}
	}
	return &s, true
}
