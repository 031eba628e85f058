// Command bench measures statledger against what a data person would use
// instead, SQLite, on this machine, in one run:
//
//	go run ./cmd/bench            # 1M events, 3 runs each
//	go run ./cmd/bench --quick    # 10k events: keeps the program from rotting (CI)
//	go run ./cmd/bench --events 10000000 --runs 1 --esdb=false   # the scale run (about 25 min, 20 GB of disk)
//
// It needs the sqlite3 command (Debian: apt-get install -y sqlite3).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/statledger/statledger/ledger"
	"github.com/statledger/statledger/ledger/esdb/esdbtest"
	"github.com/statledger/statledger/ledger/synth"
)

type sample struct {
	d   time.Duration
	rss int64 // peak RSS in KiB
}

type row struct {
	task, ours, theirs string
	a, b               []sample
	target             float64 // ratio a/b must be at most this
}

func main() {
	if len(os.Args) == 5 && os.Args[1] == "generate" { // the child that writes the events
		n, _ := strconv.Atoi(os.Args[3])
		seed, _ := strconv.ParseUint(os.Args[4], 10, 64)
		writeEvents(os.Args[2], n, seed)
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "esdb-server" { // the child that serves EventStoreDB
		serve()
		return
	}
	events := flag.Int("events", 1_000_000, "events in the synthetic ledger")
	quick := flag.Bool("quick", false, "10,000 events: a fast run that only checks the program works")
	runs := flag.Int("runs", 3, "runs of each measurement (median and spread are reported)")
	withESDB := flag.Bool("esdb", true, "also measure on EventStoreDB (the in-process test server); --esdb=false for the 10M run, whose server would hold every event in memory")
	keep := flag.String("dir", "", "work in this folder and keep it (default: a temporary one)")
	flag.Parse()
	if *quick {
		*events = 10_000
	}
	sqlite, err := exec.LookPath("sqlite3")
	if err != nil {
		fail("cmd/bench compares with SQLite and needs the sqlite3 command: apt-get install -y sqlite3")
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "statledger-bench"); err != nil {
			fail(err.Error())
		}
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "statledger")
	step("building statledger")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/statledger/statledger/cmd/statledger").CombinedOutput(); err != nil {
		fail(fmt.Sprintf("go build: %v\n%s", err, out))
	}
	step(fmt.Sprintf("generating %d events", *events))
	csvPath := filepath.Join(dir, "events.csv")
	// The events are written by a child process: Linux gives an exec'd child
	// the peak RSS of the address space it was started from, so if this
	// process grew while generating, every measured command would inherit it.
	self, err := os.Executable()
	if err != nil {
		fail(err.Error())
	}
	mustRun(self, "generate", csvPath, strconv.Itoa(*events), "1")
	more := filepath.Join(dir, "more.csv")
	mustRun(self, "generate", more, "1000", "2")
	month := "2025-10"

	var rows []row
	imp := row{task: fmt.Sprintf("import %d events (CSV)", *events), ours: "statledger import", theirs: "sqlite3 .import", target: 1.5}
	cold := row{task: "monthly report, first after the import", ours: "statledger report monthly", theirs: "sqlite3 GROUP BY", target: 1.0}
	// What a user waits for, from a CSV to the month's figures.
	e2e := row{task: "CSV to the first workbook", ours: "statledger import + report monthly", theirs: "sqlite3 .import + GROUP BY", target: 1.5}
	warm := row{task: "monthly report, warm", ours: "statledger report monthly", theirs: "sqlite3 GROUP BY", target: 1.0}
	// The GROUP BY computes the Summary table and nothing else; summary is
	// statledger doing the same work, where the report also writes every
	// incident of the month into a workbook.
	sum := row{task: "monthly summary, warm (the GROUP BY's own work)", ours: "statledger summary", theirs: "sqlite3 GROUP BY", target: 0.1}
	after := row{task: "monthly report after +1k events", ours: "statledger report monthly", theirs: "statledger report, warm", target: 2.0}
	// Its cost is process start-up: no target (issue 17 retired it).
	rec := row{task: "one durable record", ours: "statledger record", theirs: "dd 4 KiB oflag=dsync"}
	// The same on EventStoreDB, against the in-process test server
	// (ledger/esdb/esdbtest) over loopback: no server can be installed here.
	// There the import keeps its two passes, and the projection checkpoint
	// is this machine's cache, folded after each acknowledged append.
	esE2E := row{task: "CSV to the first workbook, EventStoreDB", ours: "statledger import + report monthly", theirs: "sqlite3 .import + GROUP BY", target: 1.5}
	esImp := row{task: "import, EventStoreDB", ours: "statledger import", theirs: "sqlite3 .import", target: 1.5}
	esWarm := row{task: "monthly report, warm, EventStoreDB", ours: "statledger report monthly", theirs: "sqlite3 GROUP BY", target: 1.0}
	// EventStoreDB ledgers keep their checkpoint and index in the user's
	// cache folder: the bench's go with its folder.
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	cols := strings.Join(ledger.CSVColumns, ",")
	query := fmt.Sprintf("select type, count(*), sum(count) from ev where substr(date,1,7)='%s' and type in ('arrest','repatriation','rescue','death','deportation') group by type;", month)
	for r := range *runs {
		step(fmt.Sprintf("run %d of %d", r+1, *runs))
		run := filepath.Join(dir, fmt.Sprintf("run%d", r))
		os.MkdirAll(run, 0o755)
		store := filepath.Join(run, "l.db")
		db := filepath.Join(run, "ev.sqlite")
		mustRun(bin, "--store", store, "init")
		imp.a = append(imp.a, timed(bin, "--store", store, "import", csvPath))
		imp.b = append(imp.b, timed(sqlite, db, "-cmd", "create table ev("+cols+");", ".import --csv --skip 1 "+csvPath+" ev"))
		report := []string{"--store", store, "report", "monthly", "--month", month, "-o", filepath.Join(run, "r.xlsx")}
		cold.a = append(cold.a, timed(bin, report...))
		q := timed(sqlite, db, query)
		cold.b = append(cold.b, q)
		e2e.a = append(e2e.a, sample{d: imp.a[r].d + cold.a[r].d, rss: max(imp.a[r].rss, cold.a[r].rss)})
		e2e.b = append(e2e.b, sample{d: imp.b[r].d + q.d, rss: max(imp.b[r].rss, q.rss)})
		w := timed(bin, report...) // the cold report left the projection checkpoint
		warm.a = append(warm.a, w)
		warm.b = append(warm.b, q)
		sum.a = append(sum.a, timed(bin, "--store", store, "summary", "--month", month))
		sum.b = append(sum.b, q)
		mustRun(bin, "--store", store, "import", more)
		after.a = append(after.a, timed(bin, report...))
		after.b = append(after.b, w)
		rec.a = append(rec.a, timed(bin, "--store", store, "record", "rescue", "--date", "2025-10-09", "--count", "3",
			"--nationality", "KR", "--country", "KH", "--source-publisher", "bench", "--notes", fmt.Sprintf("bench %d", r)))
		rec.b = append(rec.b, timed("dd", "if=/dev/zero", "of="+filepath.Join(run, "dd.bin"), "bs=4k", "count=1", "oflag=dsync"))

		if !*withESDB {
			os.RemoveAll(run)
			continue
		}
		srv, url := startServer(self)
		es := []string{"--store", url, "--signing-key", filepath.Join(run, "esdb.key")}
		mustRun(bin, append(es, "init")...)
		esImp.a = append(esImp.a, timed(bin, append(es, "import", csvPath)...))
		esImp.b = append(esImp.b, imp.b[r])
		esReport := append(es, "report", "monthly", "--month", month, "-o", filepath.Join(run, "es.xlsx"))
		first := timed(bin, esReport...)
		esE2E.a = append(esE2E.a, sample{d: esImp.a[r].d + first.d, rss: max(esImp.a[r].rss, first.rss)})
		esE2E.b = append(esE2E.b, e2e.b[r])
		esWarm.a = append(esWarm.a, timed(bin, esReport...))
		esWarm.b = append(esWarm.b, q)
		srv.Process.Kill()
		srv.Wait()
		os.RemoveAll(run) // keep the disk from filling with runs of a million events
	}
	rows = append(rows, e2e, imp, cold, warm, sum, after, rec)
	if *withESDB {
		rows = append(rows, esE2E, esImp, esWarm)
	}
	print(rows, *events, *runs)
}

// startServer runs the in-process EventStoreDB server in a child of its own,
// for the reason the events are generated in one: a million events held in
// this process would be counted in the peak RSS of every command after.
func startServer(self string) (*exec.Cmd, string) {
	cmd := exec.Command(self, "esdb-server")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail(err.Error())
	}
	// The child serves until its stdin ends: when this process exits, on
	// any path, so does the server.
	if _, err := cmd.StdinPipe(); err != nil {
		fail(err.Error())
	}
	if err := cmd.Start(); err != nil {
		fail(err.Error())
	}
	url, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		fail("the EventStoreDB server did not start: " + err.Error())
	}
	return cmd, strings.TrimSpace(url)
}

func serve() {
	srv, err := esdbtest.Listen()
	if err != nil {
		fail(err.Error())
	}
	fmt.Println(srv.URL)
	io.Copy(io.Discard, os.Stdin) // until the bench exits or kills it
	srv.Stop()
}

func writeEvents(path string, n int, seed uint64) {
	f, err := os.Create(path)
	if err != nil {
		fail(err.Error())
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := ledger.NewCSVWriter(bw)
	err = synth.Generate(n, seed, func(e ledger.Event) error { return cw.Write(&e) })
	if err == nil {
		err = cw.Flush()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fail(err.Error())
	}
}

// timed runs a command and returns its wall time and peak RSS.
func timed(name string, args ...string) sample {
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(fmt.Sprintf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String()))
	}
	d := time.Since(start)
	return sample{d, peakRSS(cmd.ProcessState)}
}

func mustRun(name string, args ...string) { timed(name, args...) }

func median(s []sample) (med, lo, hi time.Duration, rss int64) {
	ds := make([]time.Duration, len(s))
	for i, x := range s {
		ds[i] = x.d
		rss = max(rss, x.rss)
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[0], ds[len(ds)-1], rss
}

func print(rows []row, events, runs int) {
	fmt.Printf("\nstatledger vs SQLite, %d events, %d runs each; %s\n\n", events, runs, machine())
	fmt.Println("| task | statledger median (min–max) | peak RSS | baseline median (min–max) | peak RSS | ratio | target | met |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		am, alo, ahi, arss := median(r.a)
		bm, blo, bhi, brss := median(r.b)
		ratio := float64(am) / float64(bm)
		target, met := "—", "—"
		if r.target > 0 {
			target, met = fmt.Sprintf("≤ %.1f×", r.target), "yes"
			if ratio > r.target {
				met = "no"
			}
		}
		fmt.Printf("| %s | %s: %v (%v–%v) | %d MiB | %s: %v (%v–%v) | %d MiB | %.2f× | %s | %s |\n",
			r.task, r.ours, round(am), round(alo), round(ahi), arss/1024, r.theirs, round(bm), round(blo), round(bhi), brss/1024, ratio, target, met)
	}
	fmt.Println("\nThe import folds what it appends into the projection checkpoint, so the first report after it finds the checkpoint current; peak RSS target: 256 MiB for import and report.")
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s/%s, %s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func step(s string) { fmt.Fprintln(os.Stderr, "bench:", s) }

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "bench: "+msg)
	os.Exit(1)
}
