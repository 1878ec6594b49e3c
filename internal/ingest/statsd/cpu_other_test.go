//go:build !unix

package statsd

import "time"

// processCPU is not measured off Unix; the figures that use it read 0.
func processCPU() time.Duration { return 0 }
