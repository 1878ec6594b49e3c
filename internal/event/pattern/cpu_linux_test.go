package pattern

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling OS thread has used (Linux RUSAGE_THREAD), so
// that benchmarks can report figures less disturbed by other load on the machine.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
