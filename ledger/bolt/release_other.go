//go:build !linux

package bolt

import bbolt "go.etcd.io/bbolt"

// ReleasePages is a no-op where the resident set is not worth managing.
func ReleasePages(db *bbolt.DB) {}

func mappedOverBudget() bool { return true }
