package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/statledger/statledger/internal/bloom"
)

// IDs is an id index, each event id to its seq: the embedded store's, and
// an EventStoreDB ledger's local one (ledger/esdb).
//
// Most ids are derived from content (UUIDv5), so they arrive in random
// order. One B-tree of them took a page write per event once it outgrew a
// batch: at 1M events, 21 s of a 32 s import went on it (4 GB of pages).
// So the index is a set of sorted runs, as in a log-structured merge tree:
// each append writes its ids as a new run, in key order, and the two newest
// runs are merged, again in key order, while they are of like size. Each
// run carries a Bloom filter, so a lookup reads the runs that may hold the
// id: nearly always one or none.
//
// A run is packed: blocks of up to 128 entries, each entry an id's 16
// bytes then its seq (8 bytes, big endian), keyed by the block's first id.
// A merge then moves bytes instead of putting each id into a B-tree again.
type IDs struct {
	// Base is the one B-tree of a file made before runs (statledger-bolt-2),
	// id string to seq: read, never written. Nil for a newer file.
	Base *bbolt.Bucket
	// Runs holds each run as a nested bucket "r"+name and its filter as the
	// value "f"+name, where name is the run's number then its size (8 bytes
	// each, big endian). A run is never changed, only merged and deleted.
	Runs *bbolt.Bucket
}

const (
	entrySize = 24
	blockIDs  = 128 // 3 KiB: a block and its key fill most of a 4 KiB page
)

var (
	// runCap bounds a merged run: a merge holds the whole new run in memory
	// until its transaction commits, about 50 bytes an id with bbolt's copy
	// of each page (25 MB at the cap). Runs at the cap stay; their filters
	// keep lookups cheap however many there are.
	runCap uint64 = 1 << 19
	// mergeRatio: the two newest runs are merged while the older is at most
	// this many times the newer, so sizes fall geometrically towards the
	// newest run, and an id is rewritten about log2(runCap/batch) times.
	mergeRatio uint64 = 2
)

type run struct {
	no, n  uint64
	filter []byte
	parent *bbolt.Bucket
	b      *bbolt.Bucket // opened when first needed: most lookups stop at the filter
}

func (r *run) bucket() *bbolt.Bucket {
	if r.b == nil {
		r.b = r.parent.Bucket(runName('r', r.no, r.n))
	}
	return r.b
}

func runName(kind byte, no, n uint64) []byte {
	k := []byte{kind}
	k = binary.BigEndian.AppendUint64(k, no)
	return binary.BigEndian.AppendUint64(k, n)
}

// runs lists the runs, oldest first. It is read for every lookup of one id
// (an import checking each event it is given): no map, no bucket opened.
func (x IDs) runs() []run {
	if x.Runs == nil {
		return nil
	}
	var rs []run
	var names, filters [][]byte
	c := x.Runs.Cursor()
	// "f" sorts before "r", and both then by name: every filter is seen
	// before its run, and in the same order.
	j := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 17 {
			continue
		}
		switch k[0] {
		case 'f':
			names, filters = append(names, k[1:]), append(filters, v)
		case 'r':
			r := run{no: binary.BigEndian.Uint64(k[1:9]), n: binary.BigEndian.Uint64(k[9:]), parent: x.Runs}
			for j < len(names) && bytes.Compare(names[j], k[1:]) < 0 {
				j++
			}
			if j < len(names) && bytes.Equal(names[j], k[1:]) {
				r.filter = filters[j]
			}
			rs = append(rs, r)
		}
	}
	return rs
}

// idKey is id's 16 bytes, if id is a UUID spelled as the ledger stores
// one; no other string can be in the index.
func idKey(id string) (k [16]byte, ok bool) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 || u.String() != id {
		return k, false
	}
	return u, true
}

// block returns the block of r that would hold k.
func (r *run) block(k []byte) []byte {
	c := r.bucket().Cursor()
	bk, v := c.Seek(k)
	switch {
	case bk == nil:
		_, v = c.Last()
	case !bytes.Equal(bk, k):
		_, v = c.Prev()
	}
	return v
}

// search finds k in a block; i is where it is, or would go.
func search(block, k []byte) (i int, seq uint64, ok bool) {
	n := len(block) / entrySize
	i = sort.Search(n, func(j int) bool { return bytes.Compare(block[j*entrySize:j*entrySize+16], k) >= 0 })
	if i < n && bytes.Equal(block[i*entrySize:i*entrySize+16], k) {
		return i, binary.BigEndian.Uint64(block[i*entrySize+16 : (i+1)*entrySize]), true
	}
	return i, 0, false
}

func (x IDs) find(rs []run, id string) (uint64, bool) {
	if x.Base != nil {
		if v := x.Base.Get([]byte(id)); len(v) == 8 {
			return binary.BigEndian.Uint64(v), true
		}
	}
	k, ok := idKey(id)
	if !ok {
		return 0, false
	}
	h1, h2 := bloom.Hash(k[:])
	for i := len(rs) - 1; i >= 0; i-- {
		if !bloom.Has(rs[i].filter, h1, h2) {
			continue
		}
		if _, seq, ok := search(rs[i].block(k[:]), k[:]); ok {
			return seq, true
		}
	}
	return 0, false
}

// SeqOf says where one id is.
func (x IDs) SeqOf(id string) (uint64, bool) { return x.find(x.runs(), id) }

// SeqsOf says where each of ids is: at seqs[i], if found[i]. In key order,
// each page of the index is visited once per call, not once per id: Verify
// asks for tens of thousands at a time.
func (x IDs) SeqsOf(ids []string) (seqs []uint64, found []bool) {
	seqs, found = make([]uint64, len(ids)), make([]bool, len(ids))
	x.seqsOf(ids, inKeyOrder(ids), seqs, found)
	return seqs, found
}

// inKeyOrder is the positions in ids, in the ids' key order.
func inKeyOrder(ids []string) []int {
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, c int) bool { return ids[order[a]] < ids[order[c]] })
	return order
}

// seqsOf is SeqsOf for the ids at the positions in order.
func (x IDs) seqsOf(ids []string, order []int, seqs []uint64, found []bool) {
	rs := x.runs()
	for _, i := range order {
		seqs[i], found[i] = x.find(rs, ids[i])
	}
}

// seqsInPieces is SeqsOf over the ids index that of finds in a read
// transaction of view, in pieces of lookupPiece ids in key order. Verify
// asks for 32k ids at a time, scattered over the file, and each lookup maps
// a whole folio: each piece is counted (touch) towards releasing the file's
// pages once its transaction has ended (a 10M-event verify mapped 180 MB
// looking up 32k in one).
func seqsInPieces(ids []string, view func(func(*bbolt.Tx) error) error, of func(*bbolt.Tx) IDs, touch func(n int)) ([]uint64, []bool, error) {
	seqs, found := make([]uint64, len(ids)), make([]bool, len(ids))
	order := inKeyOrder(ids)
	for len(order) > 0 {
		piece := order[:min(len(order), lookupPiece)]
		order = order[len(piece):]
		err := view(func(tx *bbolt.Tx) error {
			of(tx).seqsOf(ids, piece, seqs, found)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		touch(len(piece))
	}
	return seqs, found, nil
}

// lookupPiece is how many ids seqsInPieces looks up in one read transaction.
var lookupPiece = 4096

// Add indexes ids[i] at seq first+i. If an id is indexed already, or twice
// in ids, it adds nothing and says which (dup, an index into ids; -1 if
// none) and the seq that id has. Merged is how many entries merges
// rewrote, for the caller's page release.
func (x IDs) Add(ids []string, first uint64) (dup int, held uint64, merged int, err error) {
	if len(ids) == 0 {
		return -1, 0, 0, nil
	}
	type pending struct {
		k [16]byte
		i int
	}
	ps := make([]pending, len(ids))
	for i, id := range ids {
		k, ok := idKey(id)
		if !ok {
			return -1, 0, 0, fmt.Errorf("id index: event id %q is not a UUID", id)
		}
		ps[i] = pending{k, i}
	}
	// In key order: written so, and looked up so, each page once.
	slices.SortStableFunc(ps, func(a, c pending) int { return bytes.Compare(a.k[:], c.k[:]) })
	dup = -1
	for j := 1; j < len(ps); j++ {
		if ps[j-1].k == ps[j].k && (dup < 0 || ps[j].i < dup) {
			dup, held = ps[j].i, first+uint64(ps[j-1].i)
		}
	}
	rs := x.runs()
	for _, p := range ps {
		if dup >= 0 && p.i > dup {
			continue
		}
		if s, ok := x.find(rs, ids[p.i]); ok {
			dup, held = p.i, s
		}
	}
	if dup >= 0 {
		return dup, held, 0, nil
	}
	next := uint64(1)
	if len(rs) > 0 {
		next = rs[len(rs)-1].no + 1
	}
	w, err := x.create(next, uint64(len(ps)))
	if err != nil {
		return -1, 0, 0, err
	}
	for _, p := range ps {
		if err != nil {
			break
		}
		var e [entrySize]byte
		copy(e[:], p.k[:])
		binary.BigEndian.PutUint64(e[16:], first+uint64(p.i))
		err = w.add(e[:])
	}
	r, err := w.close(err)
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

// runWriter writes a run's entries, given in key order, block by block.
type runWriter struct {
	x      IDs
	r      run
	buf    []byte
	filter []byte
	put    uint64
}

func (x IDs) create(no, n uint64) (*runWriter, error) {
	b, err := x.Runs.CreateBucket(runName('r', no, n))
	if err != nil {
		return nil, err
	}
	b.FillPercent = 1.0 // keys arrive in order: full pages waste nothing
	return &runWriter{x: x, r: run{no: no, n: n, parent: x.Runs, b: b}, filter: bloom.New(n)}, nil
}

func (w *runWriter) add(e []byte) error {
	if w.buf == nil {
		// bbolt keeps what Put is given until the commit: a new buffer per block.
		w.buf = make([]byte, 0, blockIDs*entrySize)
	}
	w.buf = append(w.buf, e...)
	w.put++
	h1, h2 := bloom.Hash(e[:16])
	bloom.Add(w.filter, h1, h2)
	if len(w.buf) == cap(w.buf) {
		return w.flush()
	}
	return nil
}

func (w *runWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.r.b.Put(w.buf[:16], w.buf)
	w.buf = nil
	return err
}

func (w *runWriter) close(err error) (run, error) {
	if err == nil {
		err = w.flush()
	}
	if err == nil && w.put != w.r.n {
		err = fmt.Errorf("id index: run %d was to hold %d ids, not %d", w.r.no, w.r.n, w.put)
	}
	if err == nil {
		w.r.filter = w.filter
		err = w.x.Runs.Put(runName('f', w.r.no, w.r.n), w.filter)
	}
	return w.r, err
}

// runReader yields a run's entries in key order.
type runReader struct {
	c     *bbolt.Cursor
	block []byte
}

func newRunReader(r run) *runReader {
	c := r.bucket().Cursor()
	_, v := c.First()
	return &runReader{c: c, block: v}
}

func (rr *runReader) peek() []byte {
	for len(rr.block) == 0 {
		k, v := rr.c.Next()
		if k == nil {
			return nil
		}
		rr.block = v
	}
	return rr.block[:entrySize]
}

func (rr *runReader) next() { rr.block = rr.block[entrySize:] }

// merge writes a and b, in key order, as run no, then deletes them.
func (x IDs) merge(a, b run, no uint64) (run, error) {
	w, err := x.create(no, a.n+b.n)
	if err != nil {
		return run{}, err
	}
	ra, rb := newRunReader(a), newRunReader(b)
	for err == nil {
		ea, eb := ra.peek(), rb.peek()
		if ea == nil && eb == nil {
			break
		}
		c := 1
		switch {
		case ea == nil:
		case eb == nil:
			c = -1
		default:
			c = bytes.Compare(ea[:16], eb[:16])
		}
		switch {
		case c == 0:
			err = fmt.Errorf("id index: %x is in two runs", ea[:16])
		case c < 0:
			err = w.add(ea)
			ra.next()
		default:
			err = w.add(eb)
			rb.next()
		}
	}
	m, err := w.close(err)
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
