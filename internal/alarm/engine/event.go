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
	// EventActionsDetailType is a composite's actions released after its suppressor's
	// wait or extension period: no state change, but the actions of the current state run.
	EventActionsDetailType = "Alarm Actions Released"
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
		config = map[string]any{"description": a.Description, "comparisonOperator": a.Comparison, "threshold": a.Threshold,
			"evaluationPeriods": a.EvaluationPeriods, "datapointsToAlarm": a.DatapointsToAlarm, "metrics": []any{map[string]any{
				"id": "m1", "returnData": true,
				"metricStat": map[string]any{"metric": map[string]any{"namespace": a.Metric.Namespace, "name": a.Metric.Name, "dimensions": metricDims},
					"period": int(a.Period.Std() / time.Second), "stat": a.Statistic, "unit": a.Metric.Unit}}}}
	}
	actions := c.Actions
	if actions == nil {
		actions = []string{} // "exists" patterns match null but not []
	}
	detail := map[string]any{
		"alarmName": name, "alarm": c.Alarm, "instance": c.Instance, "environment": c.Env, "dimensions": dims,
		"configuration": config,
		"previousState": map[string]any{"value": c.Old, "timestamp": c.PreviousAt.UTC().Format(reasonTimeLayout)},
		"state":         map[string]any{"value": c.New, "reason": c.Reason, "reasonData": string(c.ReasonData), "timestamp": c.At.UTC().Format(reasonTimeLayout)},
		"actions":       actions,
	}
	detailType := EventDetailType
	if c.ActionsOnly {
		detailType = EventActionsDetailType
	}
	return event.New(c.Env, EventSource, detailType, c.At, []string{"tocsin:alarm:" + c.Env + ":" + name}, detail)
}
