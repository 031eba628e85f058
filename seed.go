// Package statledger holds what the statledger binary carries with it: the
// seed events of the demo (testdata/seed.jsonl, the four facts of the
// 2025-10-28 Phnom Penh news report), so that 'statledger demo' works from
// any folder. The system itself is in ledger, projections and reports; the
// command in cmd/statledger.
package statledger

import _ "embed"

// Seed is testdata/seed.jsonl.
//
//go:embed testdata/seed.jsonl
var Seed []byte
