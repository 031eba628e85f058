package ledger

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/statledger/statledger/internal/spelling"
)

// The hints below turn what a spreadsheet or a news report puts in a cell
// into what the format takes, so that an official can fix a file from its
// messages alone. Each only suggests: nothing is read as the suggestion.

var (
	// a whole number written with thousands separators: 1,234 or 1.234 or 1 234
	grouped = regexp.MustCompile(`^\d{1,3}([,. ]\d{3})+$`)
	// a count as reports give it: "more than 60", "60+", "약 60", "<= 60"
	qualified = regexp.MustCompile(`^(?i)(more than|over|at least|above|up to|at most|fewer than|less than|under|about|around|approximately|approx\.?|nearly|almost|some|roughly|c\.|ca\.|약|>=|≥|<=|≤|>|<|~)?\s*(\d{1,3}(?:[,.]\d{3})+|\d+)\s*(\+|명|名|people|persons)?\s*(이상|이하|여 ?명|or more|or fewer|or less)?$`)
)

// countHint says how to write a count that is not a whole number ("60+",
// "about 60", "1,234"), or "".
func countHint(text string) string {
	s := strings.TrimSpace(text)
	if grouped.MatchString(s) {
		return fmt.Sprintf(": write it without separators (%s)", strings.NewReplacer(",", "", ".", "", " ", "").Replace(s))
	}
	m := qualified.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	n, err := strconv.ParseInt(strings.NewReplacer(",", "", ".", "", " ", "").Replace(m[2]), 10, 64)
	if err != nil {
		return ""
	}
	word, suffix := strings.ToLower(m[1]), m[3]+m[4]
	qual := ""
	switch {
	case word == "more than" || word == "over" || word == "above" || word == ">":
		n, qual = n+1, "at_least"
	case word == "at least" || word == ">=" || word == "≥" || suffix == "+" || strings.Contains(suffix, "이상") || strings.Contains(suffix, "or more"):
		qual = "at_least"
	case word == "fewer than" || word == "less than" || word == "under" || word == "<":
		n, qual = n-1, "at_most"
	case word == "up to" || word == "at most" || word == "<=" || word == "≤" || strings.Contains(suffix, "이하") || strings.Contains(suffix, "or fewer") || strings.Contains(suffix, "or less"):
		qual = "at_most"
	case word != "" || strings.Contains(suffix, "여"):
		qual = "approx"
	default:
		return fmt.Sprintf(": write the number alone (%d)", n)
	}
	return fmt.Sprintf(": write the number in count and how it was reported in count_qualifier (count %d, count_qualifier %s)", n, qual)
}

// dateLayouts are the other ways a date is written that can be read
// without doubt.
var dateLayouts = []string{"2006/1/2", "2006.1.2", "2006. 1. 2.", "2006. 1. 2", "20060102", "Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "2006-1-2", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// dateHint says how to write a date that is not YYYY-MM-DD, or "".
func dateHint(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return fmt.Sprintf(": write %s", t.Format(time.DateOnly))
		}
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return fmt.Sprintf(": a date has a day; for a month write %s and date_precision month", t.Format(time.DateOnly))
	}
	// Day and month in either order: told only where they cannot be mixed up.
	for _, sep := range []string{"/", ".", "-"} {
		p := strings.Split(s, sep)
		if len(p) != 3 || len(p[2]) != 4 {
			continue
		}
		a, err1 := strconv.Atoi(p[0])
		b, err2 := strconv.Atoi(p[1])
		y, err3 := strconv.Atoi(p[2])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		day := func(d, m int) string {
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if t.Day() != d || int(t.Month()) != m {
				return ""
			}
			return t.Format(time.DateOnly)
		}
		dm, md := day(a, b), day(b, a)
		switch {
		case dm != "" && md != "" && dm != md:
			return fmt.Sprintf(": is it %s or %s? write YYYY-MM-DD", dm, md)
		case dm != "":
			return ": write " + dm
		case md != "":
			return ": write " + md
		}
	}
	// A date cell saved as a number: a spreadsheet counts days from 1899-12-30.
	if n, err := strconv.Atoi(s); err == nil && n > 20000 && n < 80000 {
		return fmt.Sprintf(": it looks like a spreadsheet's day number (%s); format the column as YYYY-MM-DD text before saving",
			time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly))
	}
	return ""
}

// typeHint names the known type an unknown one was meant as ("Arrest",
// "arrests", "Task force established"), or "".
func typeHint(t string) string {
	s := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(t)))
	s = strings.ReplaceAll(s, "task_force", "taskforce")
	for _, k := range append(append(append([]Type{}, IncidentTypes...), TaskforceTypes...), Correction, Retraction) {
		if k := string(k); s == k || s == k+"s" || s == k+"es" || strings.TrimSuffix(s, "ed") == strings.TrimSuffix(k, "e") {
			return fmt.Sprintf(": did you mean %s?", k)
		}
	}
	return ""
}

// synonyms are the words reports use for the values of the format's lists.
var synonyms = map[string]string{
	"about": "approx", "approximately": "approx", "around": "approx", "nearly": "approx", "roughly": "approx", "almost": "approx", "estimated": "approx",
	"more_than": "at_least", "over": "at_least", "minimum": "at_least", "or_more": "at_least",
	"up_to": "at_most", "maximum": "at_most", "or_fewer": "at_most", "fewer_than": "at_most", "less_than": "at_most",
	"daily": "day", "weekly": "week", "monthly": "month", "exactly": "exact",
}

// oneLike is the value of allowed that s was meant as ("at least",
// "Weekly", "approximately"), or "".
func oneLike(s string, allowed []string) string {
	n := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	if syn, ok := synonyms[n]; ok {
		n = syn
	}
	for _, a := range allowed {
		if n == a || n == a+"s" {
			return a
		}
	}
	return spelling.Closest(n, allowed)
}
