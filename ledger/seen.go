package ledger

import (
	"bytes"
	"os"
	"slices"

	"github.com/google/uuid"

	"github.com/statledger/statledger/internal/bloom"
)

// seenInMemory is how many of an input's events a Checker keeps in a map
// (about 70 bytes each, 35 MB in all) before it writes them out as a sorted
// run: an input of 10M events took 1.4 GB when all stayed in memory.
var seenInMemory = 1 << 19

// seenSet is what a Checker remembers of each event of its input: every id,
// with its content's sum and type. The newest are in a map; older ones are
// in sorted runs in a temporary file, each with a Bloom filter and the first
// id of every block in memory (about 1.4 bytes an event), so a lookup reads
// the file only for an id that is there, or for about one in a hundred that
// is not.
type seenSet struct {
	mem  map[uuid.UUID]seenEvent
	runs []seenRun
	file *os.File // removed as soon as it is made; gone when closed
	end  int64
	buf  []byte
}

type seenRun struct {
	off    int64 // of its first entry in the file
	n      int
	filter []byte
	firsts []uuid.UUID // the first id of each block of seenBlock entries
}

const (
	seenEntry = 16 + 16 + 1 // id, sum, type
	seenBlock = 128
)

func newSeenSet() *seenSet { return &seenSet{mem: map[uuid.UUID]seenEvent{}} }

func (s *seenSet) get(id uuid.UUID) (seenEvent, bool, error) {
	if ev, ok := s.mem[id]; ok {
		return ev, true, nil
	}
	h1, h2 := bloom.Hash(id[:])
	for i := range s.runs {
		r := &s.runs[i]
		if !bloom.Has(r.filter, h1, h2) {
			continue
		}
		// The block that would hold id: the last whose first id is not after it.
		b, found := slices.BinarySearchFunc(r.firsts, id, func(a, t uuid.UUID) int { return bytes.Compare(a[:], t[:]) })
		if !found {
			if b == 0 {
				continue
			}
			b--
		}
		n := min(seenBlock, r.n-b*seenBlock)
		s.buf = slices.Grow(s.buf[:0], n*seenEntry)[:n*seenEntry]
		if _, err := s.file.ReadAt(s.buf, r.off+int64(b*seenBlock*seenEntry)); err != nil {
			return seenEvent{}, false, Wrap(CodeRuntime, err, "cannot read back the ids of the input already checked")
		}
		lo, hi := 0, n
		for lo < hi {
			m := (lo + hi) / 2
			e := s.buf[m*seenEntry:]
			switch c := bytes.Compare(e[:16], id[:]); {
			case c == 0:
				var ev seenEvent
				copy(ev.sum[:], e[16:32])
				ev.typ = typeCode(e[32])
				return ev, true, nil
			case c < 0:
				lo = m + 1
			default:
				hi = m
			}
		}
	}
	return seenEvent{}, false, nil
}

// put remembers id, which get did not find.
func (s *seenSet) put(id uuid.UUID, ev seenEvent) error {
	s.mem[id] = ev
	if len(s.mem) < seenInMemory {
		return nil
	}
	return s.spill()
}

// spill writes the map out as a sorted run and empties it.
func (s *seenSet) spill() error {
	if s.file == nil {
		f, err := os.CreateTemp("", "statledger-ids-*")
		if err != nil {
			return Wrap(CodeRuntime, err, "cannot keep the ids of a large input")
		}
		os.Remove(f.Name()) // the open file stays readable; nothing is left behind
		s.file = f
	}
	ids := make([]uuid.UUID, 0, len(s.mem))
	for id := range s.mem {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	r := seenRun{off: s.end, n: len(ids), filter: bloom.New(uint64(len(ids)))}
	out := make([]byte, 0, 64<<10)
	for i, id := range ids {
		if i%seenBlock == 0 {
			r.firsts = append(r.firsts, id)
		}
		h1, h2 := bloom.Hash(id[:])
		bloom.Add(r.filter, h1, h2)
		ev := s.mem[id]
		out = append(append(append(out, id[:]...), ev.sum[:]...), byte(ev.typ))
		if len(out) >= 64<<10-seenEntry || i == len(ids)-1 {
			if _, err := s.file.WriteAt(out, s.end); err != nil {
				return Wrap(CodeRuntime, err, "cannot keep the ids of a large input")
			}
			s.end += int64(len(out))
			out = out[:0]
		}
	}
	s.runs = append(s.runs, r)
	clear(s.mem)
	return nil
}

func (s *seenSet) close() {
	if s.file != nil {
		s.file.Close()
	}
	*s = seenSet{}
}
