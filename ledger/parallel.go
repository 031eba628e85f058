package ledger

import (
	"runtime"
	"sync"
)

// DecodeWorkers is how many goroutines decode and validate the rows of an
// input. Reading the rows apart (lines, CSV quoting) is one pass in order;
// turning each into an event and checking it is most of the work, and each
// row's is its own. 1 decodes on the reading goroutine, as a plain loop.
var DecodeWorkers = runtime.GOMAXPROCS(0)

// rowsChunk rows go to a worker at a time: large enough that handing them
// over costs little, small enough that the few chunks in flight stay small.
var rowsChunk = 256

// rowPool decodes rows on DecodeWorkers goroutines and gives their results
// to d in input order, as the plain loop would: the same events in the same
// order, the same errors with the same lines, the same ones listed and
// dropped. Results are taken on one goroutine at a time, so d.emit is never
// called concurrently; every call has returned when close returns.
type rowPool struct {
	d       *Decoded
	serial  bool
	chunk   []func(*Decoded)
	work    chan poolChunk
	ordered chan chan rowsDone
	done    sync.WaitGroup
}

type poolChunk struct {
	rows []func(*Decoded)
	out  chan rowsDone
}

// rowsDone is what a chunk gave: its events and errors, each in order.
type rowsDone struct {
	lines    []int
	events   []Event
	errors   []LineError
	dropped  int
	badLines int
}

func newRowPool(d *Decoded) *rowPool {
	p := &rowPool{d: d, serial: DecodeWorkers <= 1}
	if p.serial {
		return p
	}
	p.work = make(chan poolChunk, DecodeWorkers)
	p.ordered = make(chan chan rowsDone, 2*DecodeWorkers)
	for range DecodeWorkers {
		p.done.Add(1)
		go func() {
			defer p.done.Done()
			for c := range p.work {
				var r rowsDone
				local := Decoded{emit: func(line int, e Event) {
					r.lines = append(r.lines, line)
					r.events = append(r.events, e)
				}}
				for _, row := range c.rows {
					row(&local)
				}
				r.errors, r.dropped, r.badLines = local.Errors, local.Dropped, local.BadLines
				c.out <- r
			}
		}()
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		for out := range p.ordered {
			r := <-out
			// A chunk lists at most MaxListed errors and counts the rest,
			// as d does: d's first MaxListed are the plain loop's.
			for _, e := range r.errors {
				d.list(e)
			}
			d.Dropped += r.dropped
			d.BadLines += r.badLines
			for i, e := range r.events {
				d.take(r.lines[i], e)
			}
		}
	}()
	return p
}

// row decodes one row: fn reports into the Decoded it is given, as if it
// were the input's.
func (p *rowPool) row(fn func(*Decoded)) {
	if p.serial {
		fn(p.d)
		return
	}
	p.chunk = append(p.chunk, fn)
	if len(p.chunk) == rowsChunk {
		p.send()
	}
}

func (p *rowPool) send() {
	if len(p.chunk) == 0 {
		return
	}
	out := make(chan rowsDone, 1)
	p.ordered <- out // blocks while enough chunks are in flight
	p.work <- poolChunk{rows: p.chunk, out: out}
	p.chunk = nil
}

// close decodes what is left and waits until d has every result.
func (p *rowPool) close() {
	if p.serial || p.work == nil {
		return
	}
	p.send()
	close(p.work)
	close(p.ordered)
	p.done.Wait()
	p.work = nil
}
