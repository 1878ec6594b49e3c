package alarmtest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every bad fixture and every diagnostic it must produce, in order; nothing else may be
// reported. Paths are relative to this package (stack files are named where they are).
var invalidFixtures = map[string][]string{
	"alarms.yaml": {
		"testdata/invalid/alarms.yaml:8:21: tests[0].initial_state.missing-one: no alarm or composite alarm \"missing-one\" in environment production (known: broker-backend-errors, broker-down, combined, disk-60)",
		"testdata/invalid/alarms.yaml:8:51: tests[0].initial_state.broker-down: must be one of OK, ALARM, INSUFFICIENT_DATA, got \"ok\"",
		"testdata/invalid/alarms.yaml:10:25: tests[0].expect[0].alarm: no alarm or composite alarm \"broker-backend-error\" in environment production (known: broker-backend-errors, broker-down, combined, disk-60)",
		"testdata/invalid/alarms.yaml:11:25: tests[0].expect[1].alarm: alarm \"disk-60\" is a template: name one instance, e.g. disk-60[InstanceId=…]",
		"testdata/invalid/alarms.yaml:12:25: tests[0].expect[2].alarm: instance of disk-60: InstanceId=j-1 does not match the template's pattern \"i-*\"",
		"testdata/invalid/alarms.yaml:13:25: tests[0].expect[3].alarm: instance of disk-60: path is not a pattern dimension (it is always \"/\"): name only InstanceId",
		"testdata/invalid/alarms.yaml:14:25: tests[0].expect[4].alarm: instance of disk-60: dimension InstanceId is given twice",
		"testdata/invalid/alarms.yaml:15:25: tests[0].expect[5].alarm: composite alarm \"broker-down\" has no instances",
		"testdata/invalid/alarms.yaml:16:25: tests[0].expect[6].alarm: alarm \"broker-backend-errors\" is not a template (no dimension value has * or ?), so it has no instances",
		"testdata/invalid/alarms.yaml:16:82: tests[0].expect[6].state: must be one of OK, ALARM, INSUFFICIENT_DATA, got \"ALARMED\"",
		"testdata/invalid/alarms.yaml:17:14: tests[0].expect[7].at: must be at most 14d after start, got 15d",
		"testdata/invalid/alarms.yaml:17:26: tests[0].expect[7].alarm: alarm \"canary-latency\" is left out of environment production by only/except (the canary runs in staging only)",
		"testdata/invalid/alarms.yaml:18:11: tests[1].name: duplicate test name \"names\" (first at line 7)",
	},
	"bad-start.yaml": {
		"testdata/invalid/bad-start.yaml:1:8: start: expected an RFC 3339 time such as 2026-01-05T10:00:00Z, got \"2026-01-05 10:00\"",
		"testdata/invalid/bad-start.yaml:3:11: tests[0].name: must not be empty",
		"testdata/invalid/bad-start.yaml:4:13: tests[0].expect: no expectations: a test without one cannot fail",
	},
	"empty.yaml": {
		"testdata/invalid/empty.yaml:1:1: expected a mapping, got null",
	},
	"header.yaml": {
		"testdata/invalid/header.yaml:1:14: environment: invalid environment name \"Production\": use 1–63 lowercase letters, digits and -, starting with a letter",
		"testdata/invalid/header.yaml:2:8: start: must be a whole minute (alarms evaluate at minute boundaries), got 2026-01-05T10:00:30Z",
		"testdata/invalid/header.yaml:3:19: evaluation_delay: duration \"-5s\" must not be negative",
	},
	"inline.yaml": {
		"testdata/invalid/inline.yaml:4:11: alarms[broker-backend-errors].name: duplicate alarm name \"broker-backend-errors\" (first defined at testdata/stack/alarms.yaml:2:5)",
		"testdata/invalid/inline.yaml:12:11: alarms[typo].only: only is not allowed here: the alarm applies to environment production",
		"testdata/invalid/inline.yaml:13:13: alarms[typo].reason: reason is not allowed here: the alarm applies to environment production",
		"testdata/invalid/inline.yaml:15:16: alarms[typo].statistic: statistic \"Summ\": unknown statistic; did you mean \"Sum\"?",
		"testdata/invalid/inline.yaml:20:23: alarms[typo].actions.alarm[0]: topic or escalation policy \"nobody\" does not exist",
		"testdata/invalid/inline.yaml:21:11: alarms[2].name: names cannot use variables: other resources, overlays and parity refer to them by their literal text",
		"testdata/invalid/inline.yaml:23:25: alarms[undefined-variable].metric.namespace: undefined variable \"undefined\"",
		"testdata/invalid/inline.yaml:31:11: composite_alarms[c].rule: at offset 17: expected ALARM, OK, INSUFFICIENT_DATA, NOT, TRUE, FALSE or '(' but found end of input",
	},
	"instances.yaml": {
		"testdata/invalid/instances.yaml:12:25: tests[0].expect[0].alarm: instance of disk: missing dimension Mount (give every pattern dimension: InstanceId, Mount)",
		"testdata/invalid/instances.yaml:13:25: tests[0].expect[1].alarm: instance of disk: Host is not a pattern dimension (it is always \"web\"): name only InstanceId, Mount",
		"testdata/invalid/instances.yaml:14:25: tests[0].expect[2].alarm: instance of disk: expected Dim=value with Dim one of the template's pattern dimensions (InstanceId, Mount), got \"\"",
		"testdata/invalid/instances.yaml:15:25: tests[0].expect[3].alarm: no alarm or composite alarm \"disk[InstanceId=i-1\" in environment test (known: disk)",
	},
	"invalid-stack.yaml": {
		"testdata/badstack/alarms.yaml:4:16: alarms[a].statistic: statistic \"Summ\": unknown statistic; did you mean \"Sum\"?",
	},
	"missing-stack.yaml": {
		"testdata/invalid/missing-stack.yaml:1:8: stack: no stack directory at testdata/no-such-stack (the path is relative to the test file)",
	},
	"no-tests.yaml": {
		"testdata/invalid/no-tests.yaml:2:8: tests: no tests: give at least one",
	},
	"series.yaml": {
		"testdata/invalid/series.yaml:12:29: tests[0].series[0].metric.namespace: must not start with ':'",
		"testdata/invalid/series.yaml:12:57: tests[0].series[0].metric.unit: unknown unit \"count\"; did you mean \"Count\"?",
		"testdata/invalid/series.yaml:12:83: tests[0].series[0].metric.dimensions.Host: \"web-*\" is a pattern, but a series is data: give the value one instance reports (e.g. i-1)",
		"testdata/invalid/series.yaml:12:96: tests[0].series[0].metric.dimensions.: dimension name: must be 1–255 characters, got 0",
		"testdata/invalid/series.yaml:13:19: tests[0].series[0].interval: must be greater than 0",
		"testdata/invalid/series.yaml:14:29: tests[0].series[0].storage_resolution: must be 1 (high resolution) or 60, got 5",
		"testdata/invalid/series.yaml:16:17: tests[0].series[1].metric.namespace: missing required field \"namespace\"",
		"testdata/invalid/series.yaml:19:13: tests[0].series[1].datapoints[0]: give exactly one of value, values (with optional counts) or statistic_values",
		"testdata/invalid/series.yaml:20:13: tests[0].series[1].datapoints[1]: give exactly one of value, values (with optional counts) or statistic_values",
		"testdata/invalid/series.yaml:21:47: tests[0].series[1].datapoints[2].counts: must have as many entries as values (2), got 1",
		"testdata/invalid/series.yaml:22:76: tests[0].series[1].datapoints[3].statistic_values.minimum: 5 is greater than maximum 1",
		"testdata/invalid/series.yaml:23:51: tests[0].series[1].datapoints[4].counts[1]: must be a finite number ≥ 0, got -1",
		"testdata/invalid/series.yaml:24:41: tests[0].series[1].datapoints[5].statistic_values.minimum: missing required field \"minimum\"",
		"testdata/invalid/series.yaml:24:41: tests[0].series[1].datapoints[5].statistic_values.maximum: missing required field \"maximum\"",
		"testdata/invalid/series.yaml:25:13: tests[0].series[1].datapoints[6].at: missing required field \"at\"",
	},
	"stack-without-environment.yaml": {
		"testdata/invalid/stack-without-environment.yaml:1:1: environment: missing required field \"environment\": name the stack's environment whose alarms are tested",
	},
	"undeclared-environment.yaml": {
		"testdata/invalid/undeclared-environment.yaml:2:14: environment: environment \"prod\" is not declared in testdata/stack/tocsin.yaml (declared: staging, production)",
	},
	"unknown-field.yaml": {
		"testdata/invalid/unknown-field.yaml:9:1: strat: unknown field \"strat\" (did you mean \"start\"?)",
		"testdata/invalid/unknown-field.yaml:11:5: tests[0].nmae: unknown field \"nmae\" (did you mean \"name\"?)",
		"testdata/invalid/unknown-field.yaml:11:5: tests[0].name: missing required field \"name\"",
		"testdata/invalid/unknown-field.yaml:13:39: tests[0].expect[0].reason: unknown field \"reason\"",
	},
	"values.yaml": {
		"testdata/invalid/values.yaml:13:17: tests[0].series[0].values: token \"3x\" at character 5: expected a repetition count after x",
		"testdata/invalid/values.yaml:15:17: tests[0].series[1].values: token \"1+2\" at character 1: a ramp needs a repetition count: A+BxN",
		"testdata/invalid/values.yaml:17:17: tests[0].series[2].values: token \"Inf\" at character 3: Inf is not accepted: CloudWatch takes only finite values",
		"testdata/invalid/values.yaml:19:17: tests[0].series[3].values: token \"stale\" at character 3: stale markers are Prometheus-only; write _ for a missing datapoint",
		"testdata/invalid/values.yaml:21:17: tests[0].series[4].values: token \"1e108+1e108x2\" at character 1: value 3 of the ramp: 3.0000000000000004e+108 is outside ±2^360",
		"testdata/invalid/values.yaml:23:17: tests[0].series[5].values: token \"1x100000\" at character 1: expands to more than 100000 values",
		"testdata/invalid/values.yaml:24:9: tests[0].series[6]: no data: give values, datapoints or both",
	},
	"yaml-syntax.yaml": {
		"testdata/invalid/yaml-syntax.yaml:3:1: invalid YAML: did not find expected node content",
	},
}

func TestLoadInvalid(t *testing.T) {
	paths, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, p := range paths {
		if _, ok := invalidFixtures[p[len("testdata/invalid/"):]]; !ok {
			t.Errorf("%s has no entry in invalidFixtures", p)
		}
	}
	for name, want := range invalidFixtures {
		t.Run(name, func(t *testing.T) {
			f, diags := Load("testdata/invalid/"+name, noEnv)
			if f != nil {
				t.Errorf("an invalid file returned a File")
			}
			if !diags.HasErrors() {
				t.Errorf("no errors")
			}
			if got := diags.Strings(); !slices.Equal(got, want) {
				t.Errorf("diagnostics differ\n--- got\n%s\n--- want\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
