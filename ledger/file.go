package ledger

import (
	"fmt"
	"io"
	"os"
)

// TooLarge is the error of a file larger than one of its kind can be:
// "it is 1.4 GB". The likeliest cause is the wrong file (the ledger given
// for a key), which is then named by its size before it is read whole.
type TooLarge string

func (e TooLarge) Error() string { return "it is " + string(e) }

// ReadFileAtMost reads a file of at most limit bytes; a larger one is a
// TooLarge that says its size.
func ReadFileAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, TooLarge(megabytes(fi.Size()))
	}
	// A pipe or a device has no size to look at first.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, TooLarge("more than " + megabytes(limit))
	}
	return b, err
}

func megabytes(n int64) string {
	if n >= 1e9 {
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
