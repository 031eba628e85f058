package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"sort"
)

var defaultRe = regexp.MustCompile(`<Default Extension="[^"]*" ContentType="[^"]*"></Default>`)

// normalize rewrites the package so its bytes depend only on its content.
// excelize v2.11 writes the <Default> entries of [Content_Types].xml in map
// order, so two builds of the same workbook differ there; they are sorted here.
// Every other part is copied byte for byte, in the same order.
func normalize(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != "[Content_Types].xml" {
			// Copied compressed, untouched: re-deflating the Events sheet would
			// double the cost of the whole workbook.
			raw, err := f.OpenRaw()
			if err != nil {
				return nil, err
			}
			hdr := f.FileHeader
			w, err := zw.CreateRaw(&hdr)
			if err != nil {
				return nil, err
			}
			if _, err := io.Copy(w, raw); err != nil {
				return nil, err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(sortDefaults(body)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
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
