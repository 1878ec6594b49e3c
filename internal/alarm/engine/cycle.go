package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/alarm/eval"
	"github.com/tocsin/tocsin/internal/metric"
	"github.com/tocsin/tocsin/internal/store"
)

// Cycle evaluates every alarm instance whose next evaluation instant has come: the end
// of its minute (10 s for high-resolution periods) plus its evaluation delay. It is the
// engine's loop body: call it often (every 100 ms); when nothing is due it returns at
// once, so alarms are decided within that much of their due time.
func (e *Engine) Cycle(ctx context.Context) error {
	now := e.opts.Now()
	e.mu.Lock()
	due := !now.Before(e.nextDue)
	e.mu.Unlock()
	if !due {
		return nil
	}
	return e.EvaluateAt(ctx, now)
}

// updateNextDue computes when the next evaluation is due (mu held).
func (e *Engine) updateNextDue(now time.Time) {
	next := now.Add(time.Hour)
	for _, comps := range e.comps { // a suppressor's wait or extension ends
		for _, c := range comps {
			if dl, ok := c.machine.NextDeadline(); ok && dl.Before(next) {
				next = dl
			}
		}
	}
	for _, m := range e.defs {
		for _, d := range m {
			point := now.Add(-d.delay).Truncate(d.step).Add(d.step).Add(d.delay)
			if point.Before(next) {
				next = point
			}
		}
	}
	e.nextDue = next
}

// EvaluateAt runs the evaluations due at now (tests and backtests drive it with their own
// clock).
func (e *Engine) EvaluateAt(ctx context.Context, now time.Time) error {
	e.mu.Lock()
	var saves []store.AlarmState
	var history []store.HistoryItem
	var changes []Change
	var firstErr error
	var work []job
	for _, d := range e.sortedDefs() {
		point := now.Add(-d.delay).Truncate(d.step)
		starts := eval.SlotStarts(d.cfg, point) // shared by the definition's instances
		if d.template {
			e.discover(d, now)
			history = append(history, e.retire(ctx, d, now)...)
		}
		for _, inst := range e.inst[d] {
			if point.After(inst.lastEval) {
				work = append(work, job{d: d, inst: inst, point: point, starts: starts})
			}
		}
	}
	// Instances are independent: evaluate them on every core (each worker owns its
	// scratch and its instances), then record the changes in a stable order.
	workers := min(runtime.GOMAXPROCS(0), max(1, len(work)/256))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var scratch scratch
			for i := w; i < len(work); i += workers {
				work[i].change, work[i].err = e.evaluate(ctx, work[i].d, work[i].inst, work[i].point, work[i].starts, now, &scratch)
			}
		}(w)
	}
	wg.Wait()
	for _, j := range work {
		if j.err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("alarm %s: %w", InstanceName(j.d.name, j.inst.id), j.err)
			}
			continue
		}
		if j.change != nil {
			saves = append(saves, e.record(j.d, j.inst))
			history = append(history, transitionItems(j.d, j.inst, j.change)...)
			changes = append(changes, *j.change)
		}
	}
	cs, ch, cc := e.evaluateComposites(now)
	saves, history, changes = append(saves, cs...), append(history, ch...), append(changes, cc...)
	e.updateNextDue(now)
	e.mu.Unlock()
	// Report first, then persist: detection latency does not wait for the store, and a
	// crash in between makes the engine decide (and report) the change again after the
	// restart — at least once, never lost.
	if e.opts.OnChange != nil {
		for _, ch := range changes {
			e.opts.OnChange(ch)
		}
	}
	if err := e.opts.Store.SaveAlarmStates(ctx, saves, history); err != nil {
		return err
	}
	return firstErr
}

// job is one instance to evaluate in a round, and its outcome.
type job struct {
	d      *definition
	inst   *instance
	point  time.Time
	starts []time.Time
	change *Change
	err    error
}

// discover creates an instance for every stream a template matches that reported within
// forget_after (a retired instance comes back when its series reports again). It looks
// again only when series were created, or a minute after it last looked (for series
// that came back after a retirement).
func (e *Engine) discover(d *definition, now time.Time) {
	gen := e.opts.Metrics.Generation()
	if gen == d.discoveredGen && now.Sub(d.discoveredAt) < time.Minute {
		return
	}
	d.discoveredGen, d.discoveredAt = gen, now
	streams := e.opts.Metrics.Streams(d.sel)
	for i := range streams {
		id := d.instanceID(streams[i].Dims)
		if inst := e.inst[d][id]; inst != nil {
			inst.stream = &streams[i]
			continue
		}
		seen := e.opts.Metrics.LastSeen(&streams[i])
		if now.Sub(seen) >= d.forgetAfter || !seen.After(d.retiredAt[id]) {
			continue
		}
		inst, _ := e.claim(d, id, streams[i].Dims, now)
		inst.stream = &streams[i]
	}
}

// evaluate decides one instance at point; it returns the change, if any.
// scratch is a worker's reusable memory for windows.
type scratch struct {
	buckets []metric.Bucket
	unix    []int64
	slots   []eval.Slot
}

func (e *Engine) evaluate(ctx context.Context, d *definition, inst *instance, point time.Time, starts []time.Time, now time.Time, sc *scratch) (*Change, error) {
	if inst.stream == nil && !d.template { // a template instance's stream comes from discover
		streams := e.opts.Metrics.Streams(d.sel)
		if len(streams) > 0 {
			inst.stream = &streams[0]
		}
	}
	n := len(starts)
	if cap(sc.buckets) < n {
		sc.buckets, sc.unix, sc.slots = make([]metric.Bucket, n), make([]int64, n), make([]eval.Slot, n)
	}
	slots := sc.slots[:n]
	if inst.stream != nil && d.cfg.Period < time.Minute && e.opts.Metrics.Resolution(inst.stream) == 60 && !d.warnedRes.Swap(true) {
		e.log.Warn("a sub-minute alarm watches standard-resolution data: most periods will be missing; use a 1m period or send the data with storage_resolution 1",
			"environment", d.env, "alarm", d.name, "period", d.cfg.Period)
	}
	if inst.stream != nil {
		unix, buckets := sc.unix[:n], sc.buckets[:n]
		for i, s := range starts {
			unix[i] = s.Unix()
		}
		if err := e.opts.Metrics.Window(ctx, inst.stream, unix, int64(d.cfg.Period/time.Second), buckets); err != nil {
			return nil, err
		}
		for i := range slots {
			slots[i] = eval.Slot{Start: starts[i], Bucket: buckets[i]}
		}
	} else {
		for i := range slots {
			slots[i] = eval.Slot{Start: starts[i]}
		}
	}
	inst.lastEval = point
	state, retained, dps := eval.DecideInto(inst.datapoints, d.cfg, slots, inst.state)
	inst.datapoints = dps
	if retained || state == inst.state {
		return nil, nil
	}
	res := eval.Evaluate(d.cfg, slots, inst.state, point) // the reason, now that it is needed
	data, _ := json.Marshal(res.ReasonData)
	ch := &Change{Env: d.env, Alarm: d.name, Instance: inst.id, Dims: inst.dims, Old: inst.state, New: res.State,
		Reason: res.Reason, ReasonData: data, At: now.UTC(), PreviousAt: inst.transitioned, DueAt: point.Add(d.delay), Source: d.source}
	if d.actionsEnabled {
		ch.Actions = d.actionsFor(res.State)
	}
	inst.state, inst.reason, inst.reasonData = res.State, res.Reason, data
	inst.updated, inst.transitioned = now.UTC(), now.UTC()
	return ch, nil
}

// hasData reports whether the last evaluation saw any datapoint (then the instance is
// certainly not silent).
func hasData(dps []eval.Datapoint) bool {
	for _, dp := range dps {
		if dp.SampleCount > 0 {
			return true
		}
	}
	return false
}

// transitionItems are the history of a change: the StateUpdate, and one Action item per
// action taken.
func transitionItems(d *definition, inst *instance, ch *Change) []store.HistoryItem {
	data, _ := json.Marshal(map[string]any{"version": "1.0",
		"oldState": map[string]any{"stateValue": ch.Old},
		"newState": map[string]any{"stateValue": ch.New, "stateReason": ch.Reason, "stateReasonData": ch.ReasonData}})
	items := []store.HistoryItem{{Environment: d.env, Alarm: d.name, Instance: inst.id, At: ch.At, Type: "StateUpdate",
		Summary: fmt.Sprintf("Alarm updated from %s to %s", ch.Old, ch.New), Data: data}}
	for _, a := range ch.Actions {
		ad, _ := json.Marshal(map[string]any{"actionState": "Queued", "notificationResource": a, "stateUpdateTimestamp": ch.At})
		items = append(items, store.HistoryItem{Environment: d.env, Alarm: d.name, Instance: inst.id, At: ch.At, Type: "Action",
			Summary: fmt.Sprintf("Action for %s: %s notified (see its notifications and incidents)", ch.New, a), Data: ad})
	}
	return items
}

// actionsFor returns the actions of a state.
func (d *definition) actionsFor(s eval.State) []string { return actionsFor(d.actions, s) }
