package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/deveventbridge"
)

const bus = "gmailsend-status"

func setup(t *testing.T) (*deveventbridge.Server, *Publisher) {
	t.Helper()
	s := deveventbridge.Start(bus)
	t.Cleanup(s.Close)
	return s, NewWithAPI(s.Client())
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// statusEvents are n message.sent events whose Detail says their number.
func statusEvents(n int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		out[i] = Entry{Bus: bus, Source: "gmailsend", DetailType: "message.sent",
			Detail: fmt.Appendf(nil, `{"n":%d}`, i), Time: time.Unix(1_700_000_000+int64(i), 0).UTC(),
			Resources: []string{"arn:aws:ses:us-east-1:000000000000:identity/x"}}
	}
	return out
}

// acceptedOnce checks every entry of n arrived exactly once, whatever the order.
func acceptedOnce(t *testing.T, s *deveventbridge.Server, n int) []deveventbridge.Event {
	t.Helper()
	got := s.Events()
	seen := map[string]int{}
	for _, e := range got {
		seen[e.Detail]++
	}
	for i := range n {
		if c := seen[fmt.Sprintf(`{"n":%d}`, i)]; c != 1 {
			t.Errorf("entry %d accepted %d times, want once", i, c)
		}
	}
	if len(got) != n {
		t.Errorf("%d events accepted, want %d", len(got), n)
	}
	return got
}

// 25 entries take three PutEvents calls (10, 10, 5), one after the other,
// and arrive in order with their bus, source, type, time and resources.
func TestPutTenPerCallInOrder(t *testing.T) {
	s, p := setup(t)
	entries := statusEvents(25)
	if err := p.Put(ctxT(t), entries); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Entries != 10 || reqs[1].Entries != 10 || reqs[2].Entries != 5 {
		t.Fatalf("requests %+v, want 10, 10, 5", reqs)
	}
	got := acceptedOnce(t, s, 25)
	for i, e := range got {
		if e.Detail != string(entries[i].Detail) || e.Bus != bus || e.Source != "gmailsend" || e.DetailType != "message.sent" ||
			!e.Time.Equal(entries[i].Time) || len(e.Resources) != 1 {
			t.Fatalf("event %d = %+v, want entry %d", i, e, i)
		}
	}
}

// Three throttled entries are offered again, alone, and accepted; every
// entry arrives exactly once.
func TestPutRetriesOnlyFailedEntries(t *testing.T) {
	s, p := setup(t)
	s.FailNext(3, "ThrottlingException")
	if err := p.Put(ctxT(t), statusEvents(25)); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[0].Failed != 3 || reqs[3].Entries != 3 || reqs[3].Failed != 0 {
		t.Fatalf("requests %+v, want 3 calls and one retry of the 3 throttled entries", reqs)
	}
	acceptedOnce(t, s, 25)
}

// An entry that keeps failing with InternalFailure is offered Attempts
// times, then reported by index and code; the error says how many and
// which codes, and nothing of the Detail.
func TestPutReportsWhatStillFails(t *testing.T) {
	s, p := setup(t)
	p.Attempts = 3
	s.FailWhere(func(e deveventbridge.Event) string {
		if e.Detail == `{"n":7}` {
			return "InternalFailure"
		}
		return ""
	})
	err := p.Put(ctxT(t), statusEvents(12))
	var pe *PutError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[0] != (FailedEntry{Index: 7, Code: "InternalFailure"}) || pe.Attempts != 3 {
		t.Fatalf("err = %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "1 of 12 entries") || !strings.Contains(msg, "InternalFailure") || strings.Contains(msg, `"n"`) {
		t.Fatalf("message %q: want the count and the code, no Detail", msg)
	}
	if n := len(s.Requests()); n != 4 {
		t.Fatalf("%d calls, want 4 (two, then the failed entry twice more)", n)
	}
	if n := len(s.Events()); n != 11 {
		t.Fatalf("%d accepted, want 11", n)
	}
}

// An entry EventBridge refuses for what it is (Detail not a JSON object,
// a bus that does not exist) is reported at once, not offered again.
func TestPutDoesNotRetryPermanentFailures(t *testing.T) {
	s, p := setup(t)
	entries := statusEvents(3)
	entries[0].Detail = []byte(`["not an object"]`)
	entries[2].Bus = "no-such-bus"
	err := p.Put(ctxT(t), entries)
	var pe *PutError
	if !errors.As(err, &pe) || len(pe.Failed) != 2 || pe.Failed[0].Code != "MalformedDetail" || pe.Failed[1].Code != "ResourceNotFoundException" || pe.Attempts != 1 {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}

// Ten entries of 100 KiB each fit one by one but not ten to a call: each
// call stays within 256 KiB as EventBridge counts it, and all arrive.
func TestPutSplitsCallsBySize(t *testing.T) {
	s, p := setup(t)
	entries := statusEvents(10)
	for i := range entries {
		entries[i].Detail = fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", 100<<10))
	}
	if err := p.Put(ctxT(t), entries); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d calls, want 5 of two entries: %+v", len(reqs), reqs)
	}
	for _, r := range reqs {
		if r.Bytes > deveventbridge.MaxRequestBytes || r.Failed != 0 {
			t.Fatalf("request %+v", r)
		}
	}
	if n := len(s.Events()); n != 10 {
		t.Fatalf("%d accepted, want 10", n)
	}
}

// An entry over 256 KiB (counting its Time and Resources, as EventBridge
// does) is refused with ErrEntryTooLarge before any call; one at the
// limit exactly is put.
func TestPutRefusesAnOversizeEntry(t *testing.T) {
	s, p := setup(t)
	entries := statusEvents(3)
	e := &entries[1]
	fixed := 14 + len(e.Source) + len(e.DetailType) + len(e.Resources[0]) + len(`{"n":1,"pad":""}`)
	e.Detail = fmt.Appendf(nil, `{"n":1,"pad":"%s"}`, strings.Repeat("x", maxCallBytes-fixed+1))
	if err := p.Put(ctxT(t), entries); !errors.Is(err, ErrEntryTooLarge) || !strings.Contains(err.Error(), "entry 1") {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d calls for a refused batch", n)
	}
	e.Detail = fmt.Appendf(nil, `{"n":1,"pad":"%s"}`, strings.Repeat("x", maxCallBytes-fixed))
	if err := p.Put(ctxT(t), entries); err != nil {
		t.Fatalf("an entry of 256 KiB exactly: %v", err)
	}
	if reqs := s.Requests(); len(reqs) != 3 || reqs[1].Bytes != maxCallBytes {
		t.Fatalf("requests %+v, want the full entry alone in the middle call", reqs)
	}
}

// A stalled endpoint costs each call CallTimeout, not the caller's whole
// deadline: the calls are retried, then reported as CallTimeout, well
// before the stall would have ended; and a caller whose own deadline
// passes gets DeadlineExceeded without a retry.
func TestPutHonoursDeadlines(t *testing.T) {
	s, p := setup(t)
	s.Stall(5 * time.Second)
	p.CallTimeout, p.Attempts = 200*time.Millisecond, 2
	start := time.Now()
	err := p.Put(ctxT(t), statusEvents(2))
	var pe *PutError
	if !errors.As(err, &pe) || len(pe.Failed) != 2 || pe.Failed[0].Code != "CallTimeout" || pe.Attempts != 2 {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v with a 200 ms call timeout", d)
	}

	p.CallTimeout = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = p.Put(ctx, statusEvents(1))
	if !errors.As(err, &pe) || pe.Failed[0].Code != "DeadlineExceeded" || pe.Attempts != 1 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v with a 300 ms deadline", d)
	}
	if n := len(s.Events()); n != 0 {
		t.Fatalf("%d stalled events accepted", n)
	}
}

// New reads the awsenv convention: AWS_ENDPOINT_URL_EVENTBRIDGE points the
// publisher at the endpoint, with the region and keys from the
// environment, on the first Put.
func TestNewUsesTheEnvironment(t *testing.T) {
	s := deveventbridge.Start(bus)
	t.Cleanup(s.Close)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", s.URL)
	if err := New().Put(ctxT(t), statusEvents(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitEvents(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
}
