//go:build !unix

package esdb

// processAlive cannot tell elsewhere: a file that may be in use is kept.
func processAlive(int) bool { return true }
