//go:build !linux

package pattern

import "time"

// threadCPU is not available here; benchmarks then report wall-clock figures only.
func threadCPU() time.Duration { return 0 }
