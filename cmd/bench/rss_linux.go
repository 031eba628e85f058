package main

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident set of a finished process, in KiB.
func peakRSS(p *os.ProcessState) int64 {
	if ru, ok := p.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss // KiB on Linux
	}
	return 0
}
