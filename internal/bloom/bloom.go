// Package bloom is the Bloom filter of the embedded store's id runs
// (ledger/bolt, stored with each run, so its hash and probes are fixed) and
// of an import's spilled ids (ledger): about 0.07% false positives at 16
// bits an id with 7 probes.
package bloom

const (
	// bitsPerKey was 10 (0.8% false positives) until December 2026. A 10M
	// ledger has 20 id runs, and each let 0.8% of the lookups through to a
	// block search: 25 s of a 10M import's appending core (pprof), and the
	// import's own spilled ids as many again. Filters already stored keep
	// their size: Has takes the filter's bits from its length.
	bitsPerKey = 16
	probes     = 7
)

// New returns an empty filter for n keys.
func New(n uint64) []byte { return make([]byte, max(8, (n*bitsPerKey+7)/8)) }

// Hash is FNV-1a, finished by splitmix64 so that both halves of the double
// hashing are well mixed.
func Hash(key []byte) (h1, h2 uint64) {
	h := uint64(14695981039346656037)
	for _, c := range key {
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

// Add sets the key with hashes h1, h2 in f.
func Add(f []byte, h1, h2 uint64) {
	m := uint64(len(f)) * 8
	for i := range uint64(probes) {
		b := (h1 + i*h2) % m
		f[b/8] |= 1 << (b % 8)
	}
}

// Has says whether f may hold the key with hashes h1, h2. An empty filter
// (none was kept) may hold anything.
func Has(f []byte, h1, h2 uint64) bool {
	if len(f) == 0 {
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
