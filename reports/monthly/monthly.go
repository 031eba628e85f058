// Package monthly is the sealed monthly report: the workbook of a month
// built from a projection at one tree size and sealed with a checkpoint
// signed at that size (Build); its publication in the ledger (Publication);
// and the check that a workbook is exactly what the ledger gives (Verify),
// which an auditor can run with the verifier key alone.
package monthly

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/kv"
	"github.com/statledger/statledger/ledger/witness"
	"github.com/statledger/statledger/projections"
	"github.com/statledger/statledger/projections/checkpoint"
	"github.com/statledger/statledger/reports/lang"
	"github.com/statledger/statledger/reports/xlsx"
)

// A Seal is what proves a workbook's origin: a checkpoint of the ledger
// signed at the report's tree size, the key that verifies it and, when
// witnesses vouched for the history, the latest checkpoint they cosigned.
type Seal struct {
	Text        string // the signed checkpoint
	Checkpoint  ledger.Checkpoint
	VerifierKey string
	Cosigned    string // or ""
}

// Sign seals a report at tree size size with the ledger's signing key.
func Sign(ctx context.Context, s ledger.Store, signer ledger.Signer, vkey string, size uint64) (Seal, error) {
	text, cp, err := ledger.SignAt(ctx, s, signer, size)
	return Seal{Text: text, Checkpoint: cp, VerifierKey: vkey}, err
}

// A Form is how a report shows its figures, besides the figures: what is
// withheld below a threshold (SuppressBelow; 0 for nothing), the language,
// and the layout (0 for the current one; 1 to rebuild a workbook of
// statledger 0.1). It is part of what a publication records, and what a
// rebuild must use to give the same bytes.
type Form struct {
	SuppressBelow int
	Lang          lang.Lang
	Layout        int
}

// Build builds the monthly workbook of st with seal on its Audit sheet;
// version is the statledger that builds it. The Audit sheet records the
// point of the ledger as the tree size it resolved to, whether it was given
// as a size, an instant or not at all: the same prefix, the same bytes.
func Build(st *projections.State, month string, seal Seal, form Form, version string) ([]byte, xlsx.Input, error) {
	cp := seal.Checkpoint
	in := xlsx.Input{State: st, Month: month, Origin: cp.Origin, Root: ledger.HashHex(cp.Root), Checkpoint: seal.Text,
		Cosigned: seal.Cosigned, VerifierKey: seal.VerifierKey, SuppressBelow: form.SuppressBelow, Version: version, AsOf: fmt.Sprintf("tree size %d", st.Size),
		Lang: form.Lang, Layout: form.Layout}
	if pub, ok := st.LatestPublication(month); ok {
		// The figures as published come from the same fold: its facts keep
		// every version, so no second pass over the ledger is needed.
		in.Published, in.Publication = st.At(*pub.Event.TreeSize), pub
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, in); err != nil {
		return nil, in, ledger.Wrap(ledger.CodeRuntime, err, "cannot build the workbook")
	}
	if err := st.Err(); err != nil {
		return nil, in, checkpoint.Damaged(err)
	}
	return buf.Bytes(), in, nil
}

// Publication is the report_published event of a workbook built by Build
// (in, data) and written as file: its period, tree size, root, file name
// and SHA-256. Later reports of the period flag every figure that differs.
func Publication(in xlsx.Input, data []byte, file string) (ledger.Event, error) {
	size := in.State.Size
	sum := sha256.Sum256(data)
	e := ledger.Event{Type: ledger.ReportPublished, Report: "monthly", Period: in.Month, TreeSize: &size,
		RootHash: in.Root, FileName: filepath.Base(file), FileSHA256: hex.EncodeToString(sum[:])}
	if in.SuppressBelow > 0 {
		below := in.SuppressBelow
		e.SuppressBelow = &below
	}
	if in.Lang.Code != "" && in.Lang.Code != "en" {
		e.Language = in.Lang.Code
	}
	ledger.Normalize(&e)
	if errs := ledger.Validate(&e); len(errs) > 0 {
		return e, ledger.Errorf(ledger.CodeInput, "publication: %s", errs[0].Error())
	}
	return e, nil
}

// IsPublished checks that file (named name) is, byte for byte, the workbook
// the publication e recorded, and says so: what an auditor with the proof
// of e's inclusion, and no ledger, can know of a workbook handed to them.
func IsPublished(e ledger.Event, name string, file io.Reader) (string, error) {
	if e.Type != ledger.ReportPublished {
		return "", ledger.Errorf(ledger.CodeInput, "the proof is of a %s event, not of a report's publication", e.Type)
	}
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return "", ledger.Wrap(ledger.CodeRuntime, err, "%s", name)
	}
	got := hex.EncodeToString(h.Sum(nil))
	at := ""
	if e.TreeSize != nil {
		at = fmt.Sprintf(", its figures as of tree size %d, root %s", *e.TreeSize, e.RootHash)
	}
	if got != e.FileSHA256 {
		return "", ledger.Errorf(ledger.CodeVerify, "%s is not the workbook the ledger published as %s (%s report %s%s): its SHA-256 is %s, the ledger recorded %s", name, e.FileName, e.Report, e.Period, at, got, e.FileSHA256)
	}
	return fmt.Sprintf("ok: %s is, byte for byte, the %s report %s the ledger published as %s%s", name, e.Report, e.Period, e.FileName, at), nil
}

// Publish appends to the ledger s, as actor, the Publication of a workbook
// built by Build (in, data) and written as file, and returns it with the
// seq it was recorded at.
func Publish(ctx context.Context, s ledger.Store, actor string, in xlsx.Input, data []byte, file string) (ledger.Event, uint64, error) {
	e, err := Publication(in, data, file)
	if err != nil {
		return e, 0, err
	}
	lg := ledger.New(s)
	p, _, err := lg.Prepare(ctx, []ledger.Event{e})
	if err != nil {
		return e, 0, err
	}
	res, err := lg.Append(ctx, actor, p, 1, nil)
	if err != nil {
		return e, 0, err
	}
	return e, res.Head.Size - 1, nil
}

// A Check says how Verify checks a workbook's seal.
type Check struct {
	// VerifierKey checks the workbook's own signed checkpoint: an auditor,
	// who has no signing key, gives it. Empty: Sign signs the checkpoint
	// again (Ed25519 signatures are deterministic: the bytes are the same).
	VerifierKey string
	Sign        func(size uint64) (Seal, error)
	// Witnesses, when given, must have cosigned the workbook's history: at
	// least Quorum of them (0: all), at a tree at least the report's.
	Witnesses []string
	Quorum    int
	// Fold is a fresh fold of the ledger to rebuild from (carried on if it
	// is short), or nil: one is made in Temp.
	Fold     *checkpoint.Fold
	Temp     func() (kv.DB, error)
	Progress func(done, total uint64)
	Version  string // the statledger that verifies
}

// A Verified is what Verify found of a workbook that holds.
type Verified struct {
	Said []string // what was checked, a line each ("ok: …")
}

// Mismatch is the error of a workbook whose cells differ from the rebuilt
// report's; Diffs lists the first of them (xlsx.MaxDiffsListed), Count
// counts them all.
type Mismatch struct {
	Err   *ledger.Error
	Diffs []xlsx.CellDiff
	Count int
}

func (m *Mismatch) Error() string { return m.Err.Error() }
func (m *Mismatch) Unwrap() error { return m.Err }

// Verify rebuilds the workbook data (from the file named name) from the
// ledger as of the tree size written in it, trusting no derived data, and
// compares: byte for byte when the same statledger version made it, cell by
// cell otherwise. Its signed checkpoint must hold, and its cosigned one if
// it has one. A workbook that differs is a *Mismatch (CodeVerify).
func Verify(ctx context.Context, s ledger.Store, name string, data []byte, opt Check) (Verified, error) {
	var v Verified
	meta, err := xlsx.ReadAudit(data)
	if err != nil {
		return v, ledger.Wrap(ledger.CodeVerify, err, "%s is not a statledger report (no workbook with an Audit sheet)", name)
	}
	size, err := strconv.ParseUint(meta[xlsx.AuditTreeSize], 10, 64)
	if err != nil || meta["Period"] == "" {
		return v, ledger.Errorf(ledger.CodeVerify, "%s: the Audit sheet has no tree size or period", name)
	}
	head, err := s.Head(ctx)
	if err != nil {
		return v, err
	}
	if size > head.Size {
		return v, ledger.Errorf(ledger.CodeVerify, "%s was built at tree size %d, but the ledger holds only %d events: history was removed", name, size, head.Size)
	}
	fold := opt.Fold
	if fold == nil {
		temp, err := opt.Temp()
		if err != nil {
			return v, err
		}
		if fold, err = checkpoint.NewFold(ctx, temp, s, size, opt.Progress); err != nil {
			return v, err
		}
		defer fold.Close()
	} else if err := fold.To(ctx, s, size, opt.Progress); err != nil {
		return v, err
	}
	var seal Seal
	if opt.VerifierKey != "" {
		seal, err = workbookSeal(ctx, s, meta, size, name, opt.VerifierKey)
	} else {
		seal, err = opt.Sign(size)
	}
	if err != nil {
		return v, err
	}
	// The cosigned checkpoint is evidence gathered outside the ledger: it is
	// checked, then carried into the rebuild as the workbook has it.
	var said string
	if seal.Cosigned, said, err = checkCosigned(ctx, s, meta, size, name, seal.VerifierKey, opt); err != nil {
		return v, err
	}
	if said != "" {
		v.Said = append(v.Said, said)
	}
	folded, done, err := fold.View(s)
	if err != nil {
		return v, err
	}
	defer done()
	form, err := formOf(meta, name)
	if err != nil {
		return v, err
	}
	want, in, err := Build(folded.At(size), meta["Period"], seal, form, opt.Version)
	if err != nil {
		return v, err
	}
	if in.State.Size != size {
		return v, ledger.Errorf(ledger.CodeVerify, "%s was built at tree size %d; the ledger gives %d for the same option", name, size, in.State.Size)
	}
	if meta["Root hash"] != in.Root {
		return v, ledger.Errorf(ledger.CodeVerify, "%s says the root at tree size %d was %s; the ledger has %s: history was changed", name, size, meta["Root hash"], in.Root)
	}
	if bytes.Equal(data, want) {
		v.Said = append(v.Said, fmt.Sprintf("ok: %s is byte-identical to the report rebuilt at tree size %d (root %s)", name, size, in.Root))
		return v, nil
	}
	diffs, count, err := xlsx.Diff(data, want)
	if err != nil {
		return v, ledger.Wrap(ledger.CodeVerify, err, "%s", name)
	}
	if count == 0 && meta[xlsx.AuditVersion] != opt.Version {
		v.Said = append(v.Said, fmt.Sprintf("ok: %s (made by statledger %s) has the same cells as the report rebuilt at tree size %d by %s", name, meta[xlsx.AuditVersion], size, opt.Version))
		return v, nil
	}
	if count == 0 {
		return v, ledger.Errorf(ledger.CodeVerify, "%s has the same cells but not the same bytes as the rebuilt report, though the same version made it: the file was altered", name)
	}
	return v, &Mismatch{Err: ledger.Errorf(ledger.CodeVerify, "%s differs from the report rebuilt at tree size %d in %d %s", name, size, count, ledger.Plural(count, "cell", "cells")), Diffs: diffs, Count: count}
}

// formOf is the form a workbook's Audit sheet records: the threshold, the
// language and the layout are part of what was published, and a rebuild
// with them is byte-identical too.
func formOf(meta map[string]string, name string) (Form, error) {
	var form Form
	var err error
	if b := meta[xlsx.AuditSuppress]; b != "" {
		if form.SuppressBelow, err = strconv.Atoi(b); err != nil || form.SuppressBelow < 2 || form.SuppressBelow > ledger.MaxSuppressBelow {
			return form, ledger.Errorf(ledger.CodeVerify, "%s: the Audit sheet's threshold %q is not one statledger writes", name, b)
		}
	}
	switch layout := meta[xlsx.AuditLayout]; layout {
	case "": // statledger 0.1 wrote no layout, and English only
		form.Layout = 1
		return form, nil
	case strconv.Itoa(xlsx.Layout):
	default:
		return form, ledger.Errorf(ledger.CodeVerify, "%s: layout %q is not one this statledger writes (it writes layouts 1 to %d)", name, layout, xlsx.Layout)
	}
	if form.Lang, err = lang.Parse(meta[xlsx.AuditLanguage]); err != nil {
		return form, ledger.Wrap(ledger.CodeVerify, err, "%s", name)
	}
	return form, nil
}

// workbookSeal is the signed checkpoint a workbook carries, once it is
// verified with vkey, is of the report's tree size and has the ledger's root
// there.
func workbookSeal(ctx context.Context, s ledger.Store, meta map[string]string, size uint64, name, vkey string) (Seal, error) {
	text := meta[xlsx.AuditSigned]
	cp, err := ledger.OpenCheckpoint([]byte(text), vkey)
	if err != nil {
		if ledger.CodeOf(err) == ledger.CodeVerify {
			return Seal{}, ledger.Wrap(ledger.CodeVerify, err, "%s: its signed checkpoint", name)
		}
		return Seal{}, err
	}
	if cp.Size != size {
		return Seal{}, ledger.Errorf(ledger.CodeVerify, "%s: its signed checkpoint is of tree size %d, its figures of tree size %d", name, cp.Size, size)
	}
	if strings.TrimSpace(meta["Verifier key"]) != strings.TrimSpace(vkey) {
		return Seal{}, ledger.Errorf(ledger.CodeVerify, "%s names the verifier key %s, not the one given", name, meta["Verifier key"])
	}
	if err := ledger.CheckRootAt(ctx, s, cp); err != nil {
		return Seal{}, ledger.Wrap(ledger.CodeOf(err), err, "%s: its signed checkpoint", name)
	}
	return Seal{Text: text, Checkpoint: cp, VerifierKey: meta["Verifier key"]}, nil
}

// ErrUncosigned is the kind of error of a workbook whose history no witness
// vouched for, when witnesses were asked for.
var ErrUncosigned = fmt.Errorf("no witness cosigned the report's history")

// checkCosigned checks the cosigned checkpoint a workbook carries, if any:
// signed by the ledger's key, with the ledger's root at its size, and, when
// witnesses are given, cosigned by at least the quorum of them at a tree at
// least as large as the report's. It returns the text, for the rebuild, and
// what to say of it.
func checkCosigned(ctx context.Context, s ledger.Store, meta map[string]string, size uint64, name, vkey string, opt Check) (text, said string, err error) {
	text = meta[xlsx.AuditCosigned]
	if text == "" {
		if len(opt.Witnesses) > 0 {
			return "", "", ledger.KindErrorf(ledger.CodeVerify, ErrUncosigned, "%s carries no cosigned checkpoint: no witness vouched for its history", name)
		}
		return "", "", nil
	}
	quorum := cmp.Or(opt.Quorum, len(opt.Witnesses))
	var cp ledger.Checkpoint
	var names []string
	if len(opt.Witnesses) == 0 {
		cp, _, err = witness.Count([]byte(text), vkey, nil)
	} else {
		cp, names, err = witness.Quorum([]byte(text), vkey, opt.Witnesses, quorum)
	}
	if err == nil {
		err = ledger.CheckRootAt(ctx, s, cp)
	}
	if err != nil {
		return "", "", ledger.Wrap(ledger.CodeOf(err), err, "%s: its cosigned checkpoint", name)
	}
	if len(opt.Witnesses) == 0 {
		return text, "", nil
	}
	if cp.Size < size {
		return "", "", ledger.KindErrorf(ledger.CodeVerify, ErrUncosigned, "%s: its witnesses cosigned tree size %d, before the report's %d: the last %d events of its history were seen by no witness (have them cosign at %d)", name, cp.Size, size, size-cp.Size, size)
	}
	return text, fmt.Sprintf("ok: %s, which holds the report's %d events", witness.Said(cp, names, quorum), size), nil
}
