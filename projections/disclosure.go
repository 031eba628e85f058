package projections

import (
	"slices"
	"strings"

	"github.com/statledger/statledger/ledger"
)

// Status says whether a published figure is shown, and if not, why. The
// letters are SDMX's confidentiality codes (CL_CONF_STATUS).
type Status byte

const (
	Free      Status = 'F' // published
	Primary   Status = 'A' // suppressed: a count of persons from 1 to the threshold less one
	Secondary Status = 'D' // suppressed so that no primary one can be worked out from totals
)

// Suppressed reports whether the figure is withheld.
func (s Status) Suppressed() bool { return s == Primary || s == Secondary }

// Disclosure is the suppression pattern of one month's published tables:
// persons (and, with them, events) by nationality × incident type and by
// country × incident type, with their margins: each type's total over
// nationalities or countries (which the Summary shows), each nationality's
// or country's total over types, and the month's total of persons.
//
// The same pattern holds for every output (workbook, chart page, summary,
// SDMX), so that no two outputs of one ledger together reveal what either
// withholds.
type Disclosure struct {
	Below     int // the threshold; 0 when nothing is suppressed
	status    map[string]Status
	primaries int
}

// Entry keys of the tables. A nationality or country code never holds "|".
func natKey(code string, t ledger.Type) string     { return "N|" + code + "|" + string(t) }
func countryKey(code string, t ledger.Type) string { return "C|" + code + "|" + string(t) }
func natTotalKey(code string) string               { return "NT|" + code }
func countryTotalKey(code string) string           { return "CT|" + code }
func typeTotalKey(t ledger.Type) string            { return "T|" + string(t) }

const grandTotalKey = "G"

// NoDisclosureControl publishes every figure.
var NoDisclosureControl = Disclosure{}

// Nationality is the status of a cell of the nationality × type table.
func (d Disclosure) Nationality(code string, t ledger.Type) Status {
	return d.get(natKey(code, t))
}

// Country is the status of a cell of the country × type table.
func (d Disclosure) Country(code string, t ledger.Type) Status { return d.get(countryKey(code, t)) }

// NationalityTotal is the status of a nationality's persons over all types.
func (d Disclosure) NationalityTotal(code string) Status { return d.get(natTotalKey(code)) }

// CountryTotal is the status of a country's persons over all types.
func (d Disclosure) CountryTotal(code string) Status { return d.get(countryTotalKey(code)) }

// Type is the status of a type's total for the month (a Summary row).
func (d Disclosure) Type(t ledger.Type) Status { return d.get(typeTotalKey(t)) }

// Total is the status of the month's persons over all types.
func (d Disclosure) Total() Status { return d.get(grandTotalKey) }

// Any reports whether anything of the month is suppressed.
func (d Disclosure) Any() bool { return len(d.status) > 0 }

func (d Disclosure) get(k string) Status {
	if s, ok := d.status[k]; ok {
		return s
	}
	return Free
}

// line is a set of figures and the figure that is their sum: if exactly one
// of them were withheld, the others would give it away.
type line struct {
	entries []string
	total   string
}

// Suppress computes the pattern for a month with threshold below (no
// suppression when below < 2).
//
// Primary: every breakdown cell counting 1 to below-1 persons. Secondary:
// while some line (a row or a column of either table, with its total; or the
// margins with the month's total) has exactly one figure withheld, the
// smallest other figure of that line with persons is withheld too (ties by
// key, so the pattern is the same on every run); when the line has none, its
// total is. Totals otherwise stay published. The loop only ever withholds
// more, so it ends.
func Suppress(sum Summary, byNat, byCountry Breakdown, below int) Disclosure {
	d := Disclosure{Below: below, status: map[string]Status{}}
	if below < 2 {
		d.Below = 0
		return d
	}
	value := map[string]int64{}
	var lines []line
	table := func(bd Breakdown, cellKey func(string, ledger.Type) string, rowTotal func(string) string) {
		keys := bd.Keys()
		margin := line{total: grandTotalKey}
		for _, k := range keys {
			row := line{total: rowTotal(k)}
			for _, t := range ledger.IncidentTypes {
				ck := cellKey(k, t)
				v := bd[k][t].Persons
				value[ck] = v
				value[row.total] += v
				if v >= 1 && v < int64(below) {
					d.status[ck] = Primary
					d.primaries++
				}
				row.entries = append(row.entries, ck)
			}
			lines = append(lines, row)
			margin.entries = append(margin.entries, row.total)
		}
		for _, t := range ledger.IncidentTypes {
			col := line{total: typeTotalKey(t)}
			for _, k := range keys {
				col.entries = append(col.entries, cellKey(k, t))
			}
			lines = append(lines, col)
		}
		lines = append(lines, margin)
	}
	table(byNat, natKey, natTotalKey)
	table(byCountry, countryKey, countryTotalKey)
	types := line{total: grandTotalKey}
	for _, t := range ledger.IncidentTypes {
		value[typeTotalKey(t)] = sum[t].Persons
		value[grandTotalKey] += sum[t].Persons
		types.entries = append(types.entries, typeTotalKey(t))
	}
	lines = append(lines, types)
	if d.primaries == 0 {
		d.status = map[string]Status{}
		return d
	}
	for changed := true; changed; {
		changed = false
		for _, l := range lines {
			n := 0
			for _, e := range l.entries {
				if d.status[e].Suppressed() {
					n++
				}
			}
			if d.status[l.total].Suppressed() {
				n++
			}
			if n != 1 {
				continue
			}
			if e := d.pick(l, value); e != "" {
				d.status[e] = Secondary
				changed = true
			}
		}
	}
	return d
}

// pick chooses the figure of a line with exactly one withheld to withhold
// next: the smallest cell with persons, else the total, else a cell of zero.
func (d Disclosure) pick(l line, value map[string]int64) string {
	var free []string
	for _, e := range l.entries {
		if !d.status[e].Suppressed() {
			free = append(free, e)
		}
	}
	slices.SortFunc(free, func(a, b string) int {
		if value[a] != value[b] {
			if value[a] < value[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, e := range free {
		if value[e] > 0 {
			return e
		}
	}
	if !d.status[l.total].Suppressed() {
		return l.total
	}
	if len(free) > 0 {
		return free[0]
	}
	return "" // the withheld total of an empty line: nothing to give away
}

// MonthDisclosure is Suppress for a month of s.
func (s *State) MonthDisclosure(month string, below int) Disclosure {
	if below < 2 {
		return NoDisclosureControl
	}
	return Suppress(s.MonthSummary(month), s.ByNationality(month), s.ByCountry(month), below)
}
