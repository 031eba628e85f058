// Package synth makes realistic synthetic ledgers for trying statledger at
// scale and for benchmarks: every event type, ~5% corrections and ~2%
// retractions, vague counts and dates, Unicode text. The same n and seed
// always give the same events.
package synth

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/statledger/statledger/ledger"
)

var (
	nationalities = []string{"KR", "KR", "KR", "CN", "CN", "VN", "TH", "ID", "MY", "PH", "MM", "LA", "JP", "TW", "IN", "KH"}
	countries     = []string{"KH", "KH", "KH", "KH", "MM", "LA", "TH", "PH"}
	locations     = []string{"Phnom Penh", "ភ្នំពេញ", "Sihanoukville", "ក្រុងព្រះសីហនុ", "Bavet", "Poipet", "Kampot",
		"캄보디아 시아누크빌", "เมียวดี", "Mỹ Thạnh", "Shwe Kokko", "Golden Triangle SEZ", ""}
	agencies = [][]string{{"Cambodian National Police"}, {"Ministry of Interior"}, {"Korean National Police Agency", "Cambodian National Police"},
		{"General Department of Immigration"}, nil}
	publishers = []string{"Khmer Times", "Yonhap", "The Korea Herald", "Phnom Penh Post", "연합뉴스", "VnExpress", "Ministry of Interior"}
	types      = []ledger.Type{ledger.Arrest, ledger.Arrest, ledger.Arrest, ledger.Repatriation, ledger.Repatriation, ledger.Rescue, ledger.Rescue, ledger.Death, ledger.Deportation, ledger.Deportation}
	qualifiers = []string{"exact", "exact", "exact", "exact", "exact", "at_least", "at_least", "approx", "approx", "at_most"}
	precisions = []string{"day", "day", "day", "day", "week", "month"}
)

// Generate calls fn with n events, deterministic for seed. Incidents span the
// ten years before 2026; corrections and retractions name earlier incidents.
func Generate(n int, seed uint64, fn func(ledger.Event) error) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	var incidents []string // ids of generated incidents, for corrections
	retracted := map[int]bool{}
	taskforces := 0
	for i := range n {
		var e ledger.Event
		roll := rng.IntN(1000)
		switch {
		case roll < 50 && len(incidents) > 0: // ~5% corrections
			j := rng.IntN(len(incidents))
			ch := &ledger.Changes{}
			switch rng.IntN(3) {
			case 0:
				c := int64(rng.IntN(300))
				q := "exact"
				ch.Count, ch.CountQualifier = &c, &q
			case 1:
				d := date(rng)
				ch.Date = &d
			default:
				notes := fmt.Sprintf("corrected figure %d, ministry list", i)
				c := int64(rng.IntN(300))
				ch.Count, ch.Notes = &c, &notes
			}
			e = ledger.Event{Type: ledger.Correction, Corrects: incidents[j], Changes: ch, Reason: fmt.Sprintf("official figure received (%d)", i)}
		case roll < 70 && len(incidents) > 0: // ~2% retractions
			j := rng.IntN(len(incidents))
			if retracted[j] {
				j = len(incidents) - 1
			}
			retracted[j] = true
			e = ledger.Event{Type: ledger.Retraction, Retracts: incidents[j], Reason: fmt.Sprintf("duplicate report (%d)", i)}
		case roll < 73: // task forces
			taskforces++
			e = ledger.Event{Type: ledger.TaskforceTypes[taskforces%3], Taskforce: fmt.Sprintf("jwg-%d", taskforces/3),
				Name: fmt.Sprintf("Joint working group %d / 합동 실무단", taskforces/3), Members: []string{"KH", pick(nationalities[:14])},
				Date: date(rng)}
			if e.Members[1] == "KH" {
				e.Members = e.Members[:1]
			}
		default:
			count := int64(rng.IntN(60))
			if rng.IntN(20) == 0 {
				count = int64(100 + rng.IntN(900))
			}
			e = ledger.Event{Type: types[rng.IntN(len(types))], Date: date(rng), DatePrecision: pick(precisions),
				Count: &count, CountQualifier: pick(qualifiers), Nationality: pick(nationalities), Country: pick(countries),
				Location: pick(locations), Agencies: agencies[rng.IntN(len(agencies))], Crime: "online_scam",
				Source: &ledger.Source{Publisher: pick(publishers), URL: fmt.Sprintf("https://news.example/%d", i), Published: date(rng)},
				Notes:  fmt.Sprintf("synthetic event %d", i)}
		}
		ledger.Normalize(&e)
		if e.Type.IsIncident() {
			incidents = append(incidents, e.ID)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func date(rng *rand.Rand) string {
	return fmt.Sprintf("%d-%02d-%02d", 2016+rng.IntN(10), 1+rng.IntN(12), 1+rng.IntN(28))
}

// WriteFiles writes n synthetic events to dir/events.jsonl and
// dir/events.csv and returns the JSONL's path. progress, if not nil, is
// told every 16k events (1M take about 8 s).
func WriteFiles(dir string, n int, seed uint64, progress func(done, total uint64)) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot create %s", dir)
	}
	jp, cp := filepath.Join(dir, "events.jsonl"), filepath.Join(dir, "events.csv")
	jf, err := os.Create(jp)
	if err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", jp)
	}
	defer jf.Close()
	cf, err := os.Create(cp)
	if err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot write %s", cp)
	}
	defer cf.Close()
	jw, cw := bufio.NewWriterSize(jf, 1<<20), bufio.NewWriterSize(cf, 1<<20)
	ew := ledger.NewCSVWriter(cw)
	done := 0
	err = Generate(n, seed, func(e ledger.Event) error {
		if done++; progress != nil && (done%(16<<10) == 0 || done == n) && n > 16<<10 {
			progress(uint64(done), uint64(n))
		}
		jw.Write(e.Canonical())
		jw.WriteByte('\n')
		return ew.Write(&e)
	})
	if err == nil {
		err = ew.Flush()
	}
	for _, w := range []*bufio.Writer{jw, cw} {
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
	}
	if err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "cannot write the synthetic events")
	}
	return jp, nil
}
