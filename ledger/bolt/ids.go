package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	bbolt "go.etcd.io/bbolt"
)

// IDs is an id index, each event id to its seq (8 bytes, big endian): the
// embedded store's, and an EventStoreDB ledger's local one (ledger/esdb).
//
// Most ids are derived from content (UUIDv5), so they arrive in random
// order. One B-tree of them took a page write per event once it outgrew a
// batch: at 1M events, 21 s of a 32 s import went on it (4 GB of pages).
// So the index is a set of sorted runs, as in a log-structured merge tree:
// each append writes its ids as a new run, in key order, and the two newest
// runs are merged, again in key order, while they are of like size. Each
// run carries a Bloom filter, so a lookup reads the runs that may hold the
// id: nearly always one or none.
type IDs struct {
	// Base is the one B-tree of a file made before runs (statledger-bolt-2):
	// read, never written. Nil for a newer file.
	Base *bbolt.Bucket
	// Runs holds each run as a nested bucket "r"+name and its filter as the
	// value "f"+name, where name is the run's number then its size (8 bytes
	// each, big endian). A run is never changed, only merged and deleted.
	Runs *bbolt.Bucket
}

var (
	// runCap bounds a merged run: a merge holds the whole new run in memory
	// until its transaction commits (about 130 bytes an id, with bbolt's
	// copy of each page). Runs at the cap stay; their filters keep lookups
	// cheap however many there are.
	runCap uint64 = 1 << 17
	// mergeRatio: the two newest runs are merged while the older is at most
	// this many times the newer, so sizes fall geometrically towards the
	// newest run, and an id is rewritten about log2(runCap/batch) times.
	mergeRatio uint64 = 2
)

// bitsPerID and probes give the filters a false positive rate of about 1%.
const (
	bitsPerID = 10
	probes    = 7
)

type run struct {
	no, n  uint64
	b      *bbolt.Bucket
	filter []byte
}

func runName(kind byte, no, n uint64) []byte {
	k := []byte{kind}
	k = binary.BigEndian.AppendUint64(k, no)
	return binary.BigEndian.AppendUint64(k, n)
}

// runs lists the runs, oldest first.
func (x IDs) runs() []run {
	if x.Runs == nil {
		return nil
	}
	filters := map[string][]byte{}
	var rs []run
	c := x.Runs.Cursor()
	// "f" sorts before "r": every filter is seen before its run.
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 17 {
			continue
		}
		switch k[0] {
		case 'f':
			filters[string(k[1:])] = v
		case 'r':
			rs = append(rs, run{
				no: binary.BigEndian.Uint64(k[1:9]), n: binary.BigEndian.Uint64(k[9:]),
				b: x.Runs.Bucket(k), filter: filters[string(k[1:])],
			})
		}
	}
	return rs
}

// idHash is FNV-1a, finished by splitmix64 so that both halves of the
// double hashing are well mixed; fixed, because filters are stored.
func idHash(id []byte) (h1, h2 uint64) {
	h := uint64(14695981039346656037)
	for _, c := range id {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h1 = mix(h)
	return h1, mix(h1) | 1
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func newFilter(n uint64) []byte { return make([]byte, max(8, (n*bitsPerID+7)/8)) }

func filterAdd(f []byte, h1, h2 uint64) {
	m := uint64(len(f)) * 8
	for i := range uint64(probes) {
		b := (h1 + i*h2) % m
		f[b/8] |= 1 << (b % 8)
	}
}

func filterHas(f []byte, h1, h2 uint64) bool {
	if len(f) == 0 { // no filter: read the run
		return true
	}
	m := uint64(len(f)) * 8
	for i := range uint64(probes) {
		b := (h1 + i*h2) % m
		if f[b/8]&(1<<(b%8)) == 0 {
			return false
		}
	}
	return true
}

func (x IDs) find(rs []run, id []byte) (uint64, bool) {
	if x.Base != nil {
		if v := x.Base.Get(id); len(v) == 8 {
			return binary.BigEndian.Uint64(v), true
		}
	}
	h1, h2 := idHash(id)
	for i := len(rs) - 1; i >= 0; i-- {
		if !filterHas(rs[i].filter, h1, h2) {
			continue
		}
		if v := rs[i].b.Get(id); len(v) == 8 {
			return binary.BigEndian.Uint64(v), true
		}
	}
	return 0, false
}

// SeqsOf says where each of ids is: at seqs[i], if found[i]. In key order,
// each page of the index is visited once per call, not once per id: Verify
// asks for tens of thousands at a time.
func (x IDs) SeqsOf(ids []string) (seqs []uint64, found []bool) {
	seqs, found = make([]uint64, len(ids)), make([]bool, len(ids))
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, c int) bool { return ids[order[a]] < ids[order[c]] })
	rs := x.runs()
	for _, i := range order {
		seqs[i], found[i] = x.find(rs, []byte(ids[i]))
	}
	return seqs, found
}

// Add indexes ids[i] at seq first+i. If an id is indexed already, or twice
// in ids, it adds nothing and says which (dup, an index into ids; -1 if
// none) and the seq that id has. Merged is how many entries merges
// rewrote, for the caller's page release.
func (x IDs) Add(ids []string, first uint64) (dup int, held uint64, merged int, err error) {
	if len(ids) == 0 {
		return -1, 0, 0, nil
	}
	// In key order: written so, and looked up so, each page once.
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int { return compareStrings(ids[a], ids[c]) })
	dup = -1
	for k, i := range order {
		if k > 0 && ids[order[k-1]] == ids[i] {
			if dup < 0 || i < dup {
				dup, held = i, first+uint64(order[k-1])
			}
		}
	}
	rs := x.runs()
	for _, i := range order {
		if dup >= 0 && i > dup {
			continue
		}
		if s, ok := x.find(rs, []byte(ids[i])); ok {
			dup, held = i, s
		}
	}
	if dup >= 0 {
		return dup, held, 0, nil
	}
	next := uint64(1)
	if len(rs) > 0 {
		next = rs[len(rs)-1].no + 1
	}
	r, err := x.write(next, uint64(len(ids)), func(put func(k, v []byte) error) error {
		for _, i := range order {
			if err := put([]byte(ids[i]), seqKey(first+uint64(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return -1, 0, 0, err
	}
	rs = append(rs, r)
	for len(rs) >= 2 {
		a, b := rs[len(rs)-2], rs[len(rs)-1]
		if a.n > mergeRatio*b.n || a.n+b.n > runCap {
			break
		}
		m, err := x.merge(a, b, b.no+1)
		if err != nil {
			return -1, 0, merged, err
		}
		merged += int(m.n)
		rs = append(rs[:len(rs)-2], m)
	}
	return -1, 0, merged, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// write makes run no of n entries, which each calls put with in key order.
func (x IDs) write(no, n uint64, each func(put func(k, v []byte) error) error) (run, error) {
	b, err := x.Runs.CreateBucket(runName('r', no, n))
	if err != nil {
		return run{}, err
	}
	b.FillPercent = 1.0 // keys arrive in order: full pages waste nothing
	f := newFilter(n)
	var put uint64
	err = each(func(k, v []byte) error {
		put++
		h1, h2 := idHash(k)
		filterAdd(f, h1, h2)
		return b.Put(k, v)
	})
	if err == nil && put != n {
		err = fmt.Errorf("id index: run %d was to hold %d ids, not %d", no, n, put)
	}
	if err == nil {
		err = x.Runs.Put(runName('f', no, n), f)
	}
	return run{no: no, n: n, b: b, filter: f}, err
}

// merge writes a and b, in key order, as run no, then deletes them.
func (x IDs) merge(a, b run, no uint64) (run, error) {
	m, err := x.write(no, a.n+b.n, func(put func(k, v []byte) error) error {
		ca, cb := a.b.Cursor(), b.b.Cursor()
		ka, va := ca.First()
		kb, vb := cb.First()
		for ka != nil || kb != nil {
			var c int
			switch {
			case ka == nil:
				c = 1
			case kb == nil:
				c = -1
			default:
				c = bytes.Compare(ka, kb)
			}
			if c == 0 {
				return fmt.Errorf("id index: %s is in two runs", ka)
			}
			if c < 0 {
				if err := put(ka, va); err != nil {
					return err
				}
				ka, va = ca.Next()
			} else {
				if err := put(kb, vb); err != nil {
					return err
				}
				kb, vb = cb.Next()
			}
		}
		return nil
	})
	if err != nil {
		return run{}, err
	}
	for _, r := range []run{a, b} {
		if err := x.Runs.DeleteBucket(runName('r', r.no, r.n)); err != nil {
			return run{}, err
		}
		if err := x.Runs.Delete(runName('f', r.no, r.n)); err != nil {
			return run{}, err
		}
	}
	return m, nil
}
