// Package esdbtest is an in-process EventStoreDB for tests: the Streams gRPC
// service generated inside the client module, its state in memory, driven only
// through the real client. It implements what statledger uses (stream append
// with expected revision, forward reads, catch-up subscriptions) and can inject
// faults. It is not a general EventStoreDB.
package esdbtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Record is one stored event.
type Record struct {
	ID          *shared.UUID
	Type        string
	ContentType string
	Data        []byte
	Meta        []byte // custom metadata
	Created     int64  // .NET ticks since the Unix epoch
	Commit      uint64
}

// Server is the in-memory store and its gRPC server.
type Server struct {
	api.UnimplementedStreamsServer
	URL string // esdb://127.0.0.1:PORT?tls=false

	mu      sync.Mutex
	changed *sync.Cond
	streams map[string][]Record
	commit  uint64
	appends int
	bytesIn int64 // protobuf bytes of every append request received
	sent    int   // events sent by reads, not subscriptions
	reads   int   // read calls, not subscriptions

	// Faults, each consumed by the next append(s):
	FailAppends    int           // answer Unavailable before applying
	LoseAcks       int           // apply, then answer Unavailable (the ack is lost)
	AppendDelay    time.Duration // wait this long before answering
	ReadDelay      time.Duration // wait this long before answering each read (not subscriptions)
	BeforeAppend   func()        // called (without the lock) before an append is applied
	MaxAppendBytes int           // refuse larger appends, as a real server does (default 1 MiB)

	grpc *grpc.Server
}

// Start runs a server on a loopback port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// handedOut are the ports Listen gave servers in this process.
var handedOut sync.Map

// Listen runs a server on a loopback port; Stop ends it. It never hands out
// a port it handed out before in this process: statledger keeps an index and
// a projection cache per address on this machine, and a test whose server
// took an earlier test's port would meet that test's ledger in them.
func Listen() (*Server, error) {
	var lis net.Listener
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		if _, used := handedOut.LoadOrStore(l.Addr().String(), true); !used {
			lis = l
			break
		}
		// Held open while the next is asked for, so it is not offered again.
		defer l.Close()
	}
	s := &Server{streams: map[string][]Record{}, MaxAppendBytes: 1 << 20}
	s.changed = sync.NewCond(&s.mu)
	// The client pings every 10 s; grpc-go's default policy would answer with
	// GOAWAY too_many_pings after ~30 s.
	s.grpc = grpc.NewServer(grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}))
	api.RegisterStreamsServer(s.grpc, s)
	go s.grpc.Serve(lis)
	s.URL = fmt.Sprintf("esdb://%s?tls=false", lis.Addr().String())
	return s, nil
}

func (s *Server) Stop() {
	s.mu.Lock()
	s.changed.Broadcast()
	s.mu.Unlock()
	s.grpc.Stop()
}

// Events returns a copy of a stream.
func (s *Server) Events(stream string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.streams[stream]...)
}

// Tamper lets a test change a stream behind the client's back, as an
// operator with access to the database could.
func (s *Server) Tamper(stream string, fn func([]Record) []Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[stream] = fn(s.streams[stream])
}

// BytesIn is the size of every append request received, as protobuf bytes.
func (s *Server) BytesIn() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytesIn
}

// EventsSent counts the events sent in answer to reads (not subscriptions).
func (s *Server) EventsSent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// Reads counts the read calls that reached the server (not subscriptions).
func (s *Server) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Appends counts the append calls that reached the server.
func (s *Server) Appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

func (s *Server) Append(stream api.Streams_AppendServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "append must start with options")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	var proposed []*api.AppendReq_ProposedMessage
	size := 0
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.bytesIn += int64(proto.Size(req))
		s.mu.Unlock()
		m := req.GetProposedMessage()
		if m == nil {
			return status.Error(codes.InvalidArgument, "expected a proposed message")
		}
		size += len(m.Data) + len(m.CustomMetadata)
		proposed = append(proposed, m)
	}
	s.mu.Lock()
	s.appends++
	hook, delay := s.BeforeAppend, s.AppendDelay
	fail := s.FailAppends > 0
	if fail {
		s.FailAppends--
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
	if fail {
		return status.Error(codes.Unavailable, "injected: server unavailable")
	}
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.MaxAppendBytes > 0 && size > s.MaxAppendBytes {
		return status.Error(codes.InvalidArgument, fmt.Sprintf("Maximum Append Size of %d Exceeded.", s.MaxAppendBytes))
	}
	events := s.streams[name]
	if wrong := checkExpected(opts, len(events)); wrong != nil {
		return stream.SendAndClose(&api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: wrong}})
	}
	now := time.Now().UnixNano() / 100
	for _, m := range proposed {
		s.commit++
		events = append(events, Record{ID: m.Id, Type: m.Metadata["type"], ContentType: m.Metadata["content-type"],
			Data: m.Data, Meta: m.CustomMetadata, Created: now, Commit: s.commit})
	}
	s.streams[name] = events
	s.changed.Broadcast()
	if s.LoseAcks > 0 {
		s.LoseAcks--
		return status.Error(codes.Unavailable, "injected: connection lost after the append was applied")
	}
	return stream.SendAndClose(&api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: uint64(len(events) - 1)},
		PositionOption:        &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{CommitPosition: s.commit, PreparePosition: s.commit}},
	}}})
}

// checkExpected compares the expected revision with a stream of n events.
func checkExpected(opts *api.AppendReq_Options, n int) *api.AppendResp_WrongExpectedVersion {
	var ok bool
	w := &api.AppendResp_WrongExpectedVersion{}
	switch e := opts.ExpectedStreamRevision.(type) {
	case *api.AppendReq_Options_Any:
		ok = true
	case *api.AppendReq_Options_NoStream:
		ok = n == 0
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case *api.AppendReq_Options_StreamExists:
		ok = n > 0
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case *api.AppendReq_Options_Revision:
		ok = n > 0 && e.Revision == uint64(n-1)
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: e.Revision}
	}
	if ok {
		return nil
	}
	if n == 0 {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(n - 1)}
	}
	return w
}

func (s *Server) Read(req *api.ReadReq, stream api.Streams_ReadServer) error {
	o := req.GetOptions()
	so := o.GetStream()
	if so == nil {
		return status.Error(codes.Unimplemented, "esdbtest reads streams only, not $all")
	}
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	name := string(so.GetStreamIdentifier().GetStreamName())
	if o.GetSubscription() != nil {
		if backwards {
			return status.Error(codes.Unimplemented, "esdbtest subscribes forwards only")
		}
		return s.subscribe(name, so, stream)
	}
	from := uint64(0)
	if r, ok := so.RevisionOption.(*api.ReadReq_Options_StreamOptions_Revision); ok {
		from = r.Revision
	}
	_, end := so.RevisionOption.(*api.ReadReq_Options_StreamOptions_End)
	s.mu.Lock()
	s.reads++
	delay := s.ReadDelay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
	s.mu.Lock()
	all, exists := s.streams[name]
	exists = exists && len(all) > 0
	// Copy only what is asked for: a page of a long stream must not cost the
	// whole stream, or benchmarks of opening one measure this server.
	var events []Record
	var revs []uint64
	switch {
	case !exists:
	case backwards:
		last := uint64(len(all)) - 1
		if !end {
			last = min(from, last)
		}
		for rev := int64(last); rev >= 0 && uint64(len(events)) < o.GetCount(); rev-- {
			events, revs = append(events, all[rev]), append(revs, uint64(rev))
		}
	case !end && from < uint64(len(all)):
		events = append(events, all[from:from+min(o.GetCount(), uint64(len(all))-from)]...)
		for i := range events {
			revs = append(revs, from+uint64(i))
		}
	}
	s.sent += len(events)
	s.mu.Unlock()
	if !exists {
		return stream.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{StreamIdentifier: so.StreamIdentifier}}})
	}
	for i, r := range events {
		if err := stream.Send(readResp(name, revs[i], r)); err != nil {
			return err
		}
	}
	return nil
}

// subscribe sends Confirmation, the events after the start point, then each new
// event as it is appended, until the client goes away.
func (s *Server) subscribe(name string, so *api.ReadReq_Options_StreamOptions, stream api.Streams_ReadServer) error {
	if err := stream.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: "esdbtest-" + name}}}); err != nil {
		return err
	}
	s.mu.Lock()
	next := uint64(0)
	switch r := so.RevisionOption.(type) {
	case *api.ReadReq_Options_StreamOptions_Revision:
		next = r.Revision + 1 // a subscription from revision r starts after it
	case *api.ReadReq_Options_StreamOptions_End:
		next = uint64(len(s.streams[name]))
	}
	s.mu.Unlock()
	ctx := stream.Context()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.changed.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	for {
		s.mu.Lock()
		for uint64(len(s.streams[name])) <= next && ctx.Err() == nil {
			s.changed.Wait()
		}
		if ctx.Err() != nil {
			s.mu.Unlock()
			return ctx.Err()
		}
		batch := append([]Record(nil), s.streams[name][next:]...)
		s.mu.Unlock()
		for _, r := range batch {
			if err := stream.Send(readResp(name, next, r)); err != nil {
				return err
			}
			next++
		}
	}
}

func readResp(name string, rev uint64, r Record) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               r.ID,
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			StreamRevision:   rev,
			PreparePosition:  r.Commit,
			CommitPosition:   r.Commit,
			// The client calls log.Fatalf without created, type or content-type.
			Metadata:       map[string]string{"created": strconv.FormatInt(r.Created, 10), "type": r.Type, "content-type": r.ContentType},
			CustomMetadata: r.Meta,
			Data:           r.Data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.Commit},
	}}}
}
