// Package clienttest is what the tests that need a real client (Chromium,
// LibreOffice, ECharts, Python and pandas) do when it is missing: under CI,
// where .ci/run installs every one, fail; elsewhere skip, and say so on the
// terminal, since go test shows a passing package's output only with -v and
// a newcomer would otherwise take "ok" for "checked".
package clienttest

import (
	"fmt"
	"os"
	"testing"
)

// Missing ends t for want of a client: what was not checked, and how to
// install what it needs.
func Missing(t testing.TB, check, install string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s was not checked: its client is missing, and CI installs every client (%s)", check, install)
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintf(tty, "statledger tests: NOT CHECKED: %s (install: %s)\n", check, install)
		tty.Close()
	}
	t.Skipf("%s was not checked (install: %s)", check, install)
}
