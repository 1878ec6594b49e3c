package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLargeStack writes a stack of n alarms across three environments with overlays,
// the size of a team running a few hundred services.
func writeLargeStack(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, "environments"), 0o755)
	os.WriteFile(filepath.Join(dir, "tocsin.yaml"), []byte("environments: [ci, staging, production]\nvariables: {threshold: 100}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "topics.yaml"), []byte("topics:\n  - name: alarms\n    subscriptions:\n      - webhook: {url: 'https://hooks.example.com/ops'}\n"), 0o644)
	var alarms, overlay strings.Builder
	alarms.WriteString("alarms:\n")
	overlay.WriteString("variables: {threshold: 50}\nalarms:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&alarms, `  - name: service-%d-errors
    metric: {namespace: Services, name: Errors, unit: Count, dimensions: {Service: svc-%d, Env: "${environment}"}}
    statistic: Sum
    period: 1m
    evaluation_periods: 5
    datapoints_to_alarm: 3
    threshold: ${threshold}
    comparison: GreaterThanThreshold
    treat_missing_data: notBreaching
    actions: {alarm: [alarms], ok: [alarms]}
`, i, i)
		if i%10 == 0 {
			fmt.Fprintf(&overlay, "  - name: service-%d-errors\n    evaluation_periods: 3\n", i)
		}
	}
	os.WriteFile(filepath.Join(dir, "alarms.yaml"), []byte(alarms.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "environments", "production.yaml"), []byte(overlay.String()), 0o644)
	return dir
}

// BenchmarkLoad500 measures a full load (parse, overlay, interpolate, decode, validate,
// references) of 500 alarms × 3 environments: the cost of every reload.
func BenchmarkLoad500(b *testing.B) {
	dir := writeLargeStack(b, 500)
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Load(dir, Options{}); diags.HasErrors() {
			b.Fatal(diags.Strings()[0])
		}
	}
}

// BenchmarkParity500 measures the parity matrix of the same stack (after loading).
func BenchmarkParity500(b *testing.B) {
	st, diags := Load(writeLargeStack(b, 500), Options{})
	if diags.HasErrors() {
		b.Fatal(diags.Strings()[0])
	}
	b.ReportAllocs()
	for b.Loop() {
		Parity(st)
	}
}
