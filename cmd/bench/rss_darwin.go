package main

import (
	"os"
	"syscall"
)

func peakRSS(p *os.ProcessState) int64 {
	if ru, ok := p.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss / 1024 // bytes on macOS
	}
	return 0
}
