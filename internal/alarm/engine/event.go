package engine

import (
	"time"

	"github.com/tocsin/tocsin/internal/event"
)

// Event source and detail type of alarm state changes (CloudWatch uses aws.cloudwatch and
// "CloudWatch Alarm State Change", spec A4.7).
const (
	EventSource     = "tocsin.alarm"
	EventDetailType = "Alarm State Change"
)

const reasonTimeLayout = "2006-01-02T15:04:05.000+0000"

// Event renders a state change as an event in the EventBridge envelope, with a detail
// shaped like CloudWatch's alarm state-change event plus the environment, the instance
// and its dimensions.
func (c Change) Event() (event.Envelope, error) {
	name := InstanceName(c.Alarm, c.Instance)
	dims := map[string]string{}
	for _, d := range c.Dims {
		dims[d.Name] = d.Value
	}
	config := map[string]any{}
	if a := c.Source; a != nil {
		metricDims := map[string]string{}
		for k, v := range a.Metric.Dimensions {
			metricDims[k] = v
		}
		for k, v := range dims {
			metricDims[k] = v // an instance's own values instead of the template's patterns
		}
		config = map[string]any{"description": a.Description, "metrics": []any{map[string]any{
			"id": "m1", "returnData": true,
			"metricStat": map[string]any{"metric": map[string]any{"namespace": a.Metric.Namespace, "name": a.Metric.Name, "dimensions": metricDims},
				"period": int(a.Period.Std() / time.Second), "stat": a.Statistic, "unit": a.Metric.Unit}}}}
	}
	detail := map[string]any{
		"alarmName": name, "alarm": c.Alarm, "instance": c.Instance, "environment": c.Env, "dimensions": dims,
		"configuration": config,
		"previousState": map[string]any{"value": c.Old, "timestamp": c.PreviousAt.UTC().Format(reasonTimeLayout)},
		"state":         map[string]any{"value": c.New, "reason": c.Reason, "reasonData": string(c.ReasonData), "timestamp": c.At.UTC().Format(reasonTimeLayout)},
		"actions":       c.Actions,
	}
	return event.New(c.Env, EventSource, EventDetailType, c.At, []string{"tocsin:alarm:" + c.Env + ":" + name}, detail)
}
