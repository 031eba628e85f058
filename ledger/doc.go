// Package ledger is statledger's domain: the events of the interchange
// format and their validation, the recorded envelope and its canonical
// bytes, the Merkle tree over them (RFC 6962, through
// golang.org/x/mod/sumdb/tlog), signed checkpoints (C2SP tlog-checkpoint),
// inclusion and consistency proofs, and the Store interface every store
// implements. It imports no storage or report library.
//
// The files, by concept:
//
//	event.go       the event types and fields; canonical bytes
//	validate.go    what a valid event is; country codes
//	decode.go      JSONL and CSV input, with FILE:LINE errors
//	encode.go      CSV output, neutralised against formulas
//	recorded.go    the recorded envelope: seq, recorded_at, recorded_by, leaf hash
//	ledger.go      preparing and appending events in batches
//	store.go       the Store contract
//	merkle.go      tree roots, in memory and from a store
//	checkpoint.go  signed checkpoints and keys
//	proof.go       inclusion and consistency proofs, and their checks
//	verify.go      recomputing every leaf and the root
//	errors.go      the error type and its codes (the CLI's exit codes)
//
// VERIFYING.md beside this file specifies every byte an independent
// verifier needs.
package ledger
