// Package deveventbridge is a local Amazon EventBridge endpoint speaking
// the service's JSON 1.1 wire protocol (POST, X-Amz-Target:
// AWSEvents.PutEvents, application/x-amz-json-1.1, "__type" errors), so the
// real AWS SDK client can be pointed at it with AWS_ENDPOINT_URL_EVENTBRIDGE
// or BaseEndpoint. It answers PutEvents and CreateEventBus, enforces
// PutEvents' documented limits (10 entries a request, 256 KiB of entries
// counted as EventBridge counts them, Detail a JSON object, Source and
// DetailType present), records what it accepted, and can be told to fail
// chosen entries or to stall, so partial failure and deadlines are testable.
//
// It is stricter than EventBridge on one point, on purpose: an entry for a
// bus that does not exist fails with ResourceNotFoundException, where the
// real service answers success and drops the event (a long-standing,
// documented surprise); a test should catch a misnamed bus.
//
// It is development tooling: no rules, targets, archives, permissions,
// global endpoints or persistence.
package deveventbridge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// Account and Region are what bus ARNs are made of.
const (
	Account = "000000000000"
	Region  = "us-east-1"
)

// DefaultBus is the bus every account has.
const DefaultBus = "default"

// Event is an entry the endpoint accepted.
type Event struct {
	ID         string
	Bus        string // the bus name, also when the entry named it by ARN
	Source     string
	DetailType string
	Detail     string
	Time       time.Time // the entry's Time, or when it was accepted
	Resources  []string
}

// Request is one PutEvents call the endpoint answered (valid or not).
type Request struct {
	Entries int // entries in the call
	Bytes   int // their size as EventBridge counts it (EntrySize)
	Failed  int // FailedEntryCount answered; -1 when the whole call was refused
}

// FailureRule picks an error code for an entry about to be accepted ("" to
// accept it), for tests of persistent failures.
type FailureRule func(Event) (errorCode string)

// Server is a running endpoint.
type Server struct {
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	buses    map[string]bool
	events   []Event
	requests []Request
	failNext []string // error codes for the next entries, in order
	failRule FailureRule
	stall    time.Duration
	changed  chan struct{} // closed and replaced when an event is accepted
}

// Start serves on a loopback port until Close, with the default bus and
// the named buses already there.
func Start(buses ...string) *Server {
	s := &Server{buses: map[string]bool{DefaultBus: true}, changed: make(chan struct{})}
	for _, b := range buses {
		s.buses[b] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the endpoint; a stalled call is let go first.
func (s *Server) Close() {
	s.Stall(0)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client is the real AWS SDK client pointed at this endpoint, with static
// test credentials and no retries (tests count calls).
func (s *Server) Client() *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-key", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	})
}

// CreateBus registers a bus, as CreateEventBus does.
func (s *Server) CreateBus(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buses[name] = true
}

// BusARN is the ARN of the named bus.
func BusARN(name string) string {
	return "arn:aws:events:" + Region + ":" + Account + ":event-bus/" + name
}

// FailNext makes the next n entries that would be accepted answer
// errorCode instead (e.g. "ThrottlingException", "InternalFailure"); calls
// add up, in order.
func (s *Server) FailNext(n int, errorCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, errorCode)
	}
}

// FailWhere fails every entry rule gives a code for (nil clears); FailNext
// is consulted first.
func (s *Server) FailWhere(rule FailureRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRule = rule
}

// Stall holds every PutEvents answer for d (0 stops), or until the client
// gives up; what a stalled call carried is then not accepted.
func (s *Server) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall = d
}

// Events returns a copy of the accepted events, in the order accepted.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Requests returns the PutEvents calls answered, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// WaitEvents waits until at least n events were accepted and returns them
// all; ctx bounds the wait.
func (s *Server) WaitEvents(ctx context.Context, n int) ([]Event, error) {
	for {
		s.mu.Lock()
		got, changed := append([]Event(nil), s.events...), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, ctx.Err()
		case <-changed:
		}
	}
}

// accept records an event; the caller holds the mutex.
func (s *Server) accept(e Event) {
	s.events = append(s.events, e)
	close(s.changed)
	s.changed = make(chan struct{})
}

// scriptedFailure is the error code the test scripted for e, if any; the
// caller holds the mutex.
func (s *Server) scriptedFailure(e Event) string {
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		return code
	}
	if s.failRule != nil {
		return s.failRule(e)
	}
	return ""
}

// EntrySize is an entry's size as EventBridge documents it ("Calculating
// PutEvents event entry size"): 14 bytes for a Time when given, plus the
// UTF-8 bytes of Source, DetailType, Detail and each Resource. Nothing else
// (the bus name, the JSON around the fields) counts.
func EntrySize(hasTime bool, source, detailType, detail string, resources []string) int {
	n := len(source) + len(detailType) + len(detail)
	if hasTime {
		n += 14
	}
	for _, r := range resources {
		n += len(r)
	}
	return n
}
