package monthly_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/bolt"
	"github.com/statledger/statledger/ledger/storetest"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/monthly"
	"github.com/xuri/excelize/v2"
	"golang.org/x/mod/sumdb/note"
)

var ctx = context.Background()

// sealed is a ledger of n arrests in October 2025, its signer and verifier
// key, and its October workbook as of size, sealed with that key.
func sealed(t *testing.T, n int, size uint64) (*bolt.Store, ledger.Signer, string, []byte) {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey("example.org/ledger")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Append(ctx, 0, storetest.Sealed(0, n)); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.Update(ctx, s.KV(), s, nil); err != nil {
		t.Fatal(err)
	}
	st, done, err := checkpoint.View(s.KV(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	seal, err := monthly.Sign(ctx, s, signer, vkey, size)
	if err != nil {
		t.Fatal(err)
	}
	data, in, err := monthly.Build(st.At(size), "2025-10", seal, monthly.Form{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if in.State.Size != size || in.Root != ledger.HashHex(seal.Checkpoint.Root) {
		t.Fatalf("built at %d, root %s; sealed %+v", in.State.Size, in.Root, seal.Checkpoint)
	}
	return s, signer, vkey, data
}

// A workbook the ledger gives is verified byte for byte, by its keeper (who
// signs again) and by an auditor (with the verifier key alone), also after
// the ledger grew; one cell changed is found and named.
func TestVerify(t *testing.T) {
	s, signer, vkey, data := sealed(t, 40, 30)
	temp := func() (check monthly.Check) {
		check.Temp = bolt.TempKV
		check.Version = "test"
		return check
	}
	auditor := temp()
	auditor.VerifierKey = vkey
	keeper := temp()
	keeper.Sign = func(size uint64) (monthly.Seal, error) { return monthly.Sign(ctx, s, signer, vkey, size) }
	for name, check := range map[string]monthly.Check{"auditor": auditor, "keeper": keeper} {
		v, err := monthly.Verify(ctx, s, "oct.xlsx", data, check)
		if err != nil || len(v.Said) != 1 || !bytes.Contains([]byte(v.Said[0]), []byte("byte-identical to the report rebuilt at tree size 30")) {
			t.Fatalf("%s: %+v %v", name, v, err)
		}
	}

	altered := alterCell(t, data)
	_, err := monthly.Verify(ctx, s, "oct.xlsx", altered, auditor)
	var m *monthly.Mismatch
	if !errors.As(err, &m) || ledger.CodeOf(err) != ledger.CodeVerify || len(m.Diffs) == 0 || m.Diffs[0].Sheet != "Summary" {
		t.Fatalf("an altered workbook: %v", err)
	}

	_, otherKey, _ := ledger.GenerateKey("example.org/ledger")
	wrong := temp()
	wrong.VerifierKey = otherKey
	if _, err := monthly.Verify(ctx, s, "oct.xlsx", data, wrong); ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("checked with another ledger's key: %v", err)
	}
}

// alterCell changes one figure of the Summary sheet, as a person editing
// the file would.
func alterCell(t *testing.T, data []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			if v == "40" || v == "30" {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				f.SetCellValue("Summary", cell, 31)
				var b bytes.Buffer
				if err := f.Write(&b); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}
		}
	}
	t.Fatalf("no figure to alter in %q", rows)
	return nil
}

// Publishing records the workbook's period, size, root, name and SHA-256 at
// the ledger's next seq, as the actor; a later workbook of the month is
// built beside that publication.
func TestPublish(t *testing.T) {
	s, signer, vkey, _ := sealed(t, 40, 40)
	st, done, err := checkpoint.View(s.KV(), s)
	if err != nil {
		t.Fatal(err)
	}
	seal, err := monthly.Sign(ctx, s, signer, vkey, 40)
	if err != nil {
		t.Fatal(err)
	}
	data, in, err := monthly.Build(st.At(40), "2025-10", seal, monthly.Form{SuppressBelow: 3}, "test")
	done()
	if err != nil {
		t.Fatal(err)
	}
	e, seq, err := monthly.Publish(ctx, s, "official", in, data, "/tmp/out/oct.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	r, found, err := s.Lookup(ctx, e.ID)
	if err != nil || !found || r.Seq != seq || seq != 40 || r.RecordedBy != "official" {
		t.Fatalf("recorded %+v at %d (%v %v)", r, seq, found, err)
	}
	p := r.Event
	if p.Type != ledger.ReportPublished || p.Period != "2025-10" || *p.TreeSize != 40 || p.RootHash != in.Root ||
		p.FileName != "oct.xlsx" || p.FileSHA256 != hex.EncodeToString(sum[:]) || *p.SuppressBelow != 3 {
		t.Fatalf("publication %+v", p)
	}
	// The recorded publication knows its workbook, and no other bytes.
	if said, err := monthly.IsPublished(p, "copy.xlsx", bytes.NewReader(data)); err != nil || !strings.Contains(said, "ok: copy.xlsx is, byte for byte, the monthly report 2025-10 the ledger published as oct.xlsx, its figures as of tree size 40") {
		t.Fatalf("IsPublished of the workbook: %q %v", said, err)
	}
	changed := append(bytes.Clone(data), 0)
	if _, err := monthly.IsPublished(p, "changed.xlsx", bytes.NewReader(changed)); ledger.CodeOf(err) != ledger.CodeVerify {
		t.Fatalf("IsPublished of a changed workbook: %v", err)
	}
	if _, err := monthly.IsPublished(ledger.Event{Type: ledger.Arrest}, "x", bytes.NewReader(data)); ledger.CodeOf(err) != ledger.CodeInput {
		t.Fatalf("IsPublished of an arrest: %v", err)
	}
}
