package checkpoint

import (
	"testing"

	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
)

// A view as of an earlier size reads facts all over the file; what it reads
// counts towards releasing the mapped pages, so they do not pile up in the
// resident set (1M events: a report as of 900k peaked at 385 MB, a chart at
// 655 MB).
func TestViewReleasesPages(t *testing.T) {
	defer func(n, b int64) { viewRelease, bolt.MappedBudget = n, b }(viewRelease, bolt.MappedBudget)
	viewRelease, bolt.MappedBudget = 8, 0 // release at every check
	s, recs := ledgerOf(t, 20_000)
	appendRecs(t, s, recs)
	if _, err := Update(ctx, s.KV(), s, nil); err != nil {
		t.Fatal(err)
	}
	head, done, err := View(s.KV(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	s.KV().ReleasePages()
	before := storetest.ResidentFileKB(t)
	// As of an earlier size nothing comes from the head's cached cells:
	// every month is counted again from its facts.
	old := head.At(15_000)
	n := 0
	for _, m := range old.Months() {
		n += len(old.Incidents(m))
		old.MonthSummary(m)
	}
	if n < 10_000 {
		t.Fatalf("as of 15000 the view read only %d incidents", n)
	}
	if grew := storetest.ResidentFileKB(t) - before; grew > 4<<10 {
		t.Fatalf("reading %d incidents as of an earlier size left %d KB of the file resident", n, grew)
	}
}
