package projections

import (
	"bytes"
	"sort"
)

// KV is the sorted key-value space a State keeps its records in: memory for a
// one-off fold, or a bbolt bucket for the projection checkpoint kept beside
// the ledger (projections/checkpoint). Values returned by Get and Scan may
// only be read until the next Put.
type KV interface {
	Get(bucket string, key []byte) ([]byte, error)
	Put(bucket string, key, value []byte) error
	Delete(bucket string, key []byte) error
	// Scan calls fn for each key from `from` on, in order, until fn returns false.
	Scan(bucket string, from []byte, fn func(k, v []byte) bool) error
}

// Buckets of a State.
const (
	bucketFacts    = "facts"    // group (an incident's first month, or "taskforce") + seq -> factRec's head
	bucketVersions = "versions" // a fact's key + "/" + index (from 1) -> a correction or retraction of it
	bucketIDs      = "ids"      // event id -> key in facts, when the ledger's id index is not used
	bucketSeqs     = "seqs"     // seq -> key in facts, when it is
	bucketMonths   = "months"   // month (7 bytes) + seq -> key in facts: a month a correction moved the fact to
	bucketCells    = "cells"    // month -> monthCells, at the head of the fold
	bucketPubs     = "pubs"     // seq -> recorded_at (8 bytes) + canonical event
	bucketTimes    = "times"    // tree size at the end of a run of equal recorded_at -> recorded_at
	bucketMeta     = "meta"
)

// SmallBuckets hold a record a month or a publication: few enough that a
// checkpoint checks them whole on every read.
var SmallBuckets = []string{bucketCells, bucketPubs}

// AscendingBuckets are put to in key order: a seq after every seq held. A
// store that splits full pages in halves (bbolt) leaves every page but the
// last half empty there, for keys that never come. Facts are not: each
// month's keys ascend, but 120 months of them interleave, and with full
// pages every batch split the branch pages above them again (at 200k events
// its leaves went from 49% to 72% full and its branch pages from 359 to
// 1265, and nothing was faster).
var AscendingBuckets = []string{bucketSeqs, bucketPubs, bucketTimes}

// Buckets lists every bucket a State writes.
var Buckets = []string{bucketFacts, bucketVersions, bucketIDs, bucketSeqs, bucketMonths, bucketCells, bucketPubs, bucketTimes, bucketMeta}

// MemKV is a KV in memory.
type MemKV struct{ buckets map[string]*memBucket }

type memBucket struct {
	m      map[string][]byte
	sorted []string // nil when a Put or Delete changed the keys since the last Scan
}

func NewMemKV() *MemKV { return &MemKV{buckets: map[string]*memBucket{}} }

func (m *MemKV) bucket(name string) *memBucket {
	b := m.buckets[name]
	if b == nil {
		b = &memBucket{m: map[string][]byte{}}
		m.buckets[name] = b
	}
	return b
}

func (m *MemKV) Get(bucket string, key []byte) ([]byte, error) {
	return m.bucket(bucket).m[string(key)], nil
}

func (m *MemKV) Put(bucket string, key, value []byte) error {
	b := m.bucket(bucket)
	if _, ok := b.m[string(key)]; !ok {
		b.sorted = nil
	}
	b.m[string(key)] = bytes.Clone(value)
	return nil
}

func (m *MemKV) Delete(bucket string, key []byte) error {
	b := m.bucket(bucket)
	if _, ok := b.m[string(key)]; ok {
		delete(b.m, string(key))
		b.sorted = nil
	}
	return nil
}

func (m *MemKV) Scan(bucket string, from []byte, fn func(k, v []byte) bool) error {
	b := m.bucket(bucket)
	if b.sorted == nil {
		b.sorted = make([]string, 0, len(b.m))
		for k := range b.m {
			b.sorted = append(b.sorted, k)
		}
		sort.Strings(b.sorted)
	}
	for i := sort.SearchStrings(b.sorted, string(from)); i < len(b.sorted); i++ {
		k := b.sorted[i]
		if !fn([]byte(k), b.m[k]) {
			return nil
		}
	}
	return nil
}
