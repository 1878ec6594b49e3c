package pattern
import "testing"
func TestShowRule1(t *testing.T) { g := newScaledBenchGen(1, 1); t.Log(g.rule()) }
