// Package cpuclock reads the CPU time the process has used, for
// benchmarks: on a machine shared with other jobs it measures our own work,
// which wall time does not.
package cpuclock

import (
	"syscall"
	"time"
)

// Used is the CPU time this process has used so far (user and system, all
// threads), or 0 when the system does not say.
func Used() time.Duration { return used(syscall.RUSAGE_SELF) }

// Thread is the CPU time the calling OS thread has used so far (user and
// system), or 0 when the system does not say; the caller must hold its
// thread (runtime.LockOSThread, or a cgo call in between) for two readings
// to measure one piece of work.
func Thread() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD, Linux
	return used(rusageThread)
}

func used(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
