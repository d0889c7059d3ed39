package gmailsend_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gmailsend/gmailsend"
)

type changes []gmailsend.StatusChange

func (c *changes) StatusChanged(_ context.Context, sc gmailsend.StatusChange) { *c = append(*c, sc) }

// TestCanMove ensures the transition rules allow the moves the flows make
// and refuse leaving a final status or skipping sending.
func TestCanMove(t *testing.T) {
	for _, tc := range []struct {
		from, to gmailsend.Status
		ok       bool
	}{
		{"", gmailsend.StatusSending, true},
		{"", gmailsend.StatusScheduled, true},
		{gmailsend.StatusQueued, gmailsend.StatusSending, true},
		{gmailsend.StatusScheduled, gmailsend.StatusCancelled, true},
		{gmailsend.StatusSending, gmailsend.StatusQueued, true},
		{gmailsend.StatusSending, gmailsend.StatusUnknown, true},
		{gmailsend.StatusSent, gmailsend.StatusBounced, true},
		{gmailsend.StatusDelayed, gmailsend.StatusBounced, true},
		{"", gmailsend.StatusSent, false},
		{gmailsend.StatusQueued, gmailsend.StatusSent, false},
		{gmailsend.StatusQueued, gmailsend.StatusCancelled, false},
		{gmailsend.StatusFailed, gmailsend.StatusBounced, false},
		{gmailsend.StatusCancelled, gmailsend.StatusSending, false},
		{gmailsend.StatusBounced, gmailsend.StatusDelayed, false},
	} {
		if got := gmailsend.CanMove(tc.from, tc.to); got != tc.ok {
			t.Errorf("CanMove(%q, %q) = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}

// TestBounceStatus ensures a notification lands only on a sent message, a
// bounce wins over a delay, and a delay never undoes a bounce.
func TestBounceStatus(t *testing.T) {
	for _, tc := range []struct {
		current gmailsend.Status
		bounced bool
		next    gmailsend.Status
		ok      bool
	}{
		{gmailsend.StatusSent, true, gmailsend.StatusBounced, true},
		{gmailsend.StatusSent, false, gmailsend.StatusDelayed, true},
		{gmailsend.StatusUnknown, false, gmailsend.StatusDelayed, true},
		{gmailsend.StatusDelayed, true, gmailsend.StatusBounced, true},
		{gmailsend.StatusBounced, false, gmailsend.StatusBounced, true},
		{gmailsend.StatusFailed, true, "", false},
		{gmailsend.StatusQueued, true, "", false},
	} {
		next, ok := gmailsend.BounceStatus(tc.current, tc.bounced)
		if next != tc.next || ok != tc.ok {
			t.Errorf("BounceStatus(%q, %v) = %q, %v; want %q, %v", tc.current, tc.bounced, next, ok, tc.next, tc.ok)
		}
		if ok && !gmailsend.CanMove(tc.current, next) {
			t.Errorf("the bounce rule moves %s to %s, which the transition rules refuse", tc.current, next)
		}
	}
}

// TestSettleTellsTheSinkOnlyAfterTheWrite ensures Settle writes an allowed
// change and then tells the sink, tells nothing of a failed write, and
// refuses a change the rules do not allow without writing it.
func TestSettleTellsTheSinkOnlyAfterTheWrite(t *testing.T) {
	ctx := context.Background()
	var seen changes
	writes := 0
	ok := func(context.Context) error {
		if len(seen) != writes { // every earlier write told, this one not yet
			t.Error("the sink was told before the write")
		}
		writes++
		return nil
	}
	c := gmailsend.StatusChange{ID: "m1", From: gmailsend.StatusQueued, To: gmailsend.StatusSending}
	if err := gmailsend.Settle(ctx, &seen, c, ok); err != nil || len(seen) != 1 || seen[0] != c {
		t.Fatalf("allowed change: %v, sink saw %+v", err, seen)
	}
	lost := errors.New("claim lost")
	if err := gmailsend.Settle(ctx, &seen, c, func(context.Context) error { return lost }); !errors.Is(err, lost) || len(seen) != 1 {
		t.Fatalf("failed write: %v, sink saw %+v", err, seen)
	}
	bad := gmailsend.StatusChange{ID: "m2", From: gmailsend.StatusCancelled, To: gmailsend.StatusSending}
	if err := gmailsend.Settle(ctx, &seen, bad, ok); !errors.Is(err, gmailsend.ErrTransition) || writes != 1 || len(seen) != 1 {
		t.Fatalf("refused change: %v, %d writes, sink saw %+v", err, writes, seen)
	}
	if err := gmailsend.Settle(ctx, nil, c, ok); err != nil {
		t.Fatalf("no sink: %v", err)
	}
}
