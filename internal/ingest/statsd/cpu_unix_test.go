//go:build unix

package statsd

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time the test process has used, for figures that do not
// depend on what else the machine is running.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
