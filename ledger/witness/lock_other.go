//go:build !unix

package witness

// lock is a no-op where flock is missing: there, run one cosign at a time.
func lock(string) (func(), error) { return func() {}, nil }
