package esdb

import "time"

// SetPageTimeout shortens the deadline of one page read for a test; the
// returned func restores it.
func SetPageTimeout(d time.Duration) func() {
	old := pageTimeout
	pageTimeout = d
	return func() { pageTimeout = old }
}
