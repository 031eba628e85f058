package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"io/fs"
	"regexp"
	"sort"

	"github.com/xuri/excelize/v2"
)

var defaultRe = regexp.MustCompile(`<Default Extension="[^"]*" ContentType="[^"]*"></Default>`)

// zipWriter is the workbook's ZIP writer. It makes the bytes depend only on
// the content: excelize v2.11 writes the <Default> entries of
// [Content_Types].xml in map order, so that part is held back and written
// with its entries sorted, in the same place. It deflates at BestSpeed: the
// Events sheet of a large month is most of the file, and default-level
// deflate of it costs more than writing its cells (about a third of the
// whole build at 100k rows) for a file only slightly smaller.
type zipWriter struct {
	zw *zip.Writer
	ct *bytes.Buffer // [Content_Types].xml, until the next part begins
}

func newZipWriter(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &zipWriter{zw: zw}
}

func (z *zipWriter) flushContentTypes() error {
	if z.ct == nil {
		return nil
	}
	w, err := z.zw.Create("[Content_Types].xml")
	if err == nil {
		_, err = w.Write(sortDefaults(z.ct.Bytes()))
	}
	z.ct = nil
	return err
}

func (z *zipWriter) Create(name string) (io.Writer, error) {
	if err := z.flushContentTypes(); err != nil {
		return nil, err
	}
	if name == "[Content_Types].xml" {
		z.ct = new(bytes.Buffer)
		return z.ct, nil
	}
	return z.zw.Create(name)
}

func (z *zipWriter) AddFS(fsys fs.FS) error {
	if err := z.flushContentTypes(); err != nil {
		return err
	}
	return z.zw.AddFS(fsys)
}

func (z *zipWriter) Close() error {
	if err := z.flushContentTypes(); err != nil {
		return err
	}
	return z.zw.Close()
}

func sortDefaults(b []byte) []byte {
	locs := defaultRe.FindAllIndex(b, -1)
	if len(locs) < 2 {
		return b
	}
	// The entries stand together; replace their run with the sorted run.
	start, end := locs[0][0], locs[len(locs)-1][1]
	var items []string
	for _, l := range locs {
		items = append(items, string(b[l[0]:l[1]]))
	}
	sort.Strings(items)
	var buf bytes.Buffer
	buf.Write(b[:start])
	between := b[start:end]
	if len(defaultRe.ReplaceAll(between, nil)) != 0 {
		return b // something else stands between them: leave the part alone
	}
	for _, s := range items {
		buf.WriteString(s)
	}
	buf.Write(b[end:])
	return buf.Bytes()
}
