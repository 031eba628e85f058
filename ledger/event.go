package ledger

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Type is the kind of an event; its values are the interchange format's "type".
type Type string

const (
	Arrest       Type = "arrest"
	Repatriation Type = "repatriation"
	Rescue       Type = "rescue"
	Death        Type = "death"
	Deportation  Type = "deportation"

	TaskforceAnnounced   Type = "taskforce_announced"
	TaskforceEstablished Type = "taskforce_established"
	TaskforceDissolved   Type = "taskforce_dissolved"

	Correction      Type = "correction"
	Retraction      Type = "retraction"
	ReportPublished Type = "report_published"
)

// IncidentTypes in the order every report lists them.
var IncidentTypes = []Type{Arrest, Repatriation, Rescue, Death, Deportation}

// TaskforceTypes in lifecycle order.
var TaskforceTypes = []Type{TaskforceAnnounced, TaskforceEstablished, TaskforceDissolved}

func (t Type) IsIncident() bool  { return slices.Contains(IncidentTypes, t) }
func (t Type) IsTaskforce() bool { return slices.Contains(TaskforceTypes, t) }

// Known reports whether t is any type of the format.
func (t Type) Known() bool {
	return t.IsIncident() || t.IsTaskforce() || t == Correction || t == Retraction || t == ReportPublished
}

// Source says where a fact was reported.
type Source struct {
	Publisher string `json:"publisher,omitempty"`
	URL       string `json:"url,omitempty"`
	Published string `json:"published,omitempty"`
	Title     string `json:"title,omitempty"`
}

// Event is one fact in the interchange format. The field order of this struct is
// the canonical field order: the canonical bytes, and so every leaf hash, depend on it.
// Never reorder or rename fields; add new ones only at the end.
type Event struct {
	ID   string `json:"id,omitempty"`
	Type Type   `json:"type"`

	Date           string   `json:"date,omitempty"`
	DatePrecision  string   `json:"date_precision,omitempty"`
	Count          *int64   `json:"count,omitempty"`
	CountQualifier string   `json:"count_qualifier,omitempty"`
	Nationality    string   `json:"nationality,omitempty"`
	Country        string   `json:"country,omitempty"`
	Location       string   `json:"location,omitempty"`
	Agencies       []string `json:"agencies,omitempty"`
	Crime          string   `json:"crime,omitempty"`

	Taskforce string   `json:"taskforce,omitempty"`
	Name      string   `json:"name,omitempty"`
	Members   []string `json:"members,omitempty"`
	Purpose   string   `json:"purpose,omitempty"`

	Source *Source `json:"source,omitempty"`
	Notes  string  `json:"notes,omitempty"`

	Corrects string   `json:"corrects,omitempty"`
	Changes  *Changes `json:"changes,omitempty"`
	Retracts string   `json:"retracts,omitempty"`
	Reason   string   `json:"reason,omitempty"`

	Report     string  `json:"report,omitempty"`
	Period     string  `json:"period,omitempty"`
	TreeSize   *uint64 `json:"tree_size,omitempty"`
	RootHash   string  `json:"root_hash,omitempty"`
	FileName   string  `json:"file_name,omitempty"`
	FileSHA256 string  `json:"file_sha256,omitempty"`
	// SuppressBelow is the disclosure-control threshold a report was
	// published with (report --suppress-below), absent when none.
	SuppressBelow *int `json:"suppress_below,omitempty"`
	// Language is the language a report was published in (report --lang),
	// absent for English.
	Language string `json:"language,omitempty"`
}

// Changes holds the fields a correction replaces. A nil field is left alone; a
// non-nil empty one clears the field.
type Changes struct {
	Date           *string   `json:"date,omitempty"`
	DatePrecision  *string   `json:"date_precision,omitempty"`
	Count          *int64    `json:"count,omitempty"`
	CountQualifier *string   `json:"count_qualifier,omitempty"`
	Nationality    *string   `json:"nationality,omitempty"`
	Country        *string   `json:"country,omitempty"`
	Location       *string   `json:"location,omitempty"`
	Agencies       *[]string `json:"agencies,omitempty"`
	Crime          *string   `json:"crime,omitempty"`
	Name           *string   `json:"name,omitempty"`
	Members        *[]string `json:"members,omitempty"`
	Purpose        *string   `json:"purpose,omitempty"`
	Source         *Source   `json:"source,omitempty"`
	Notes          *string   `json:"notes,omitempty"`
}

// Canonical returns the canonical JSON of e: fixed field order, no insignificant
// whitespace, empty fields omitted. Two events with the same canonical bytes are
// the same fact. HTML escaping stays on: it is deterministic and keeps '<' out of
// every byte we store, one less way for event text to become markup later.
func (e *Event) Canonical() []byte {
	// Most events take 300-500 bytes: one allocation, where a buffer grown
	// from nothing would be moved several times.
	return appendCanonical(make([]byte, 0, 512), e)
}

// Equal reports whether a and b are the same fact.
func (a *Event) Equal(b *Event) bool { return bytes.Equal(a.Canonical(), b.Canonical()) }

// Clone returns a deep copy of e.
func (e Event) Clone() Event {
	if e.Count != nil {
		n := *e.Count
		e.Count = &n
	}
	e.Agencies = slices.Clone(e.Agencies)
	e.Members = slices.Clone(e.Members)
	if e.Source != nil {
		s := *e.Source
		e.Source = &s
	}
	if e.TreeSize != nil {
		n := *e.TreeSize
		e.TreeSize = &n
	}
	if e.SuppressBelow != nil {
		n := *e.SuppressBelow
		e.SuppressBelow = &n
	}
	if e.Changes != nil {
		c := *e.Changes
		e.Changes = &c
	}
	return e
}

// Persons returns the count, 0 when absent.
func (e *Event) Persons() int64 {
	if e.Count == nil {
		return 0
	}
	return *e.Count
}

// Summary is the event in one line a person can read.
func (e *Event) Summary() string {
	switch {
	case e.Type.IsIncident():
		q := map[string]string{"at_least": "≥", "at_most": "≤", "approx": "~"}[e.CountQualifier]
		where := e.Country
		if e.Location != "" {
			where += " (" + e.Location + ")"
		}
		return fmt.Sprintf("%s%d %s in %s on %s (%s)", q, e.Persons(), e.Nationality, where, e.Date, e.DatePrecision)
	case e.Type.IsTaskforce():
		return fmt.Sprintf("%s %s %s", e.Taskforce, strings.Join(e.Members, "+"), e.Date)
	case e.Type == Correction:
		// What the fields became, not only which: an auditor reading the
		// history sees the figure a correction gave.
		to := e.Changes.Apply(Event{})
		var changed []string
		for _, name := range e.Changes.Fields() {
			if f := FieldNamed(name); f.Kind != Object {
				name += " " + strings.Join(f.Texts(&to), ";")
			}
			changed = append(changed, name)
		}
		return fmt.Sprintf("corrects %s: %s (%s)", e.Corrects, strings.Join(changed, ", "), e.Reason)
	case e.Type == Retraction:
		return fmt.Sprintf("retracts %s (%s)", e.Retracts, e.Reason)
	case e.Type == ReportPublished && e.TreeSize != nil:
		return fmt.Sprintf("%s report %s at tree size %d: %s", e.Report, e.Period, *e.TreeSize, e.FileName)
	}
	return ""
}
