package engine

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// retire drops template instances silent for longer than forget_after.
func (e *Engine) retire(ctx context.Context, d *definition, now time.Time) []store.HistoryItem {
	var items []store.HistoryItem
	for id, inst := range e.inst[d] {
		if inst.stream == nil || hasData(inst.datapoints) || now.Sub(e.opts.Metrics.LastSeen(inst.stream)) < d.forgetAfter {
			continue
		}
		delete(e.inst[d], id)
		e.opts.Store.DeleteAlarmStates(ctx, d.env, d.name, []string{id})
		items = append(items, e.configItem(d, id, now.UTC(), fmt.Sprintf("Alarm instance %s retired after %s without data", InstanceName(d.name, id), d.forgetAfter)))
	}
	return items
}

// RetireInstances retires the instances of template alarm name in env whose dimensions
// include every one of dims (an instance-termination event retiring the instance's alarms).
// A retired instance comes back only when its series reports after the retirement. It
// returns the retired instance ids, sorted; ErrNoAlarm when env has no such template.
func (e *Engine) RetireInstances(ctx context.Context, env, name string, dims map[string]string, why string) ([]string, error) {
	e.mu.Lock()
	d := e.defs[env][name]
	if d == nil || !d.template {
		e.mu.Unlock()
		return nil, ErrNoAlarm
	}
	now := e.opts.Now().UTC()
	var ids []string
	var history []store.HistoryItem
	for id, inst := range e.inst[d] {
		if !hasDims(inst, dims) {
			continue
		}
		delete(e.inst[d], id)
		if d.retiredAt == nil {
			d.retiredAt = map[string]time.Time{}
		}
		d.retiredAt[id] = now
		ids = append(ids, id)
		history = append(history, e.configItem(d, id, now, fmt.Sprintf("Alarm instance %s retired: %s", InstanceName(d.name, id), why)))
	}
	e.mu.Unlock()
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids)
	if err := e.opts.Store.DeleteAlarmStates(ctx, env, name, ids); err != nil {
		return nil, err
	}
	return ids, e.opts.Store.SaveAlarmStates(ctx, nil, history)
}

// hasDims reports whether the instance's dimensions include every name=value of want.
func hasDims(inst *instance, want map[string]string) bool {
	for name, value := range want {
		found := false
		for _, dim := range inst.dims {
			if dim.Name == name && dim.Value == value {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(want) > 0
}
