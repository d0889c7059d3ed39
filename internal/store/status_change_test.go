package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gmailsend/gmailsend/internal/store"
)

type changes []store.StatusChange

func (c *changes) StatusChanged(_ context.Context, sc store.StatusChange) { *c = append(*c, sc) }

// TestCanMove ensures the transition rules allow the moves the flows make
// and refuse leaving a final status or skipping sending.
func TestCanMove(t *testing.T) {
	for _, tc := range []struct {
		from, to store.Status
		ok       bool
	}{
		{"", store.StatusSending, true},
		{"", store.StatusScheduled, true},
		{store.StatusQueued, store.StatusSending, true},
		{store.StatusScheduled, store.StatusCancelled, true},
		{store.StatusSending, store.StatusQueued, true},
		{store.StatusSending, store.StatusUnknown, true},
		{store.StatusSent, store.StatusBounced, true},
		{store.StatusDelayed, store.StatusBounced, true},
		{"", store.StatusSent, false},
		{store.StatusQueued, store.StatusSent, false},
		{store.StatusQueued, store.StatusCancelled, false},
		{store.StatusFailed, store.StatusBounced, false},
		{store.StatusCancelled, store.StatusSending, false},
		{store.StatusBounced, store.StatusDelayed, false},
	} {
		if got := store.CanMove(tc.from, tc.to); got != tc.ok {
			t.Errorf("CanMove(%q, %q) = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}

// TestBounceStatus ensures a notification lands only on a sent message, a
// bounce wins over a delay, and a delay never undoes a bounce.
func TestBounceStatus(t *testing.T) {
	for _, tc := range []struct {
		current store.Status
		bounced bool
		next    store.Status
		ok      bool
	}{
		{store.StatusSent, true, store.StatusBounced, true},
		{store.StatusSent, false, store.StatusDelayed, true},
		{store.StatusUnknown, false, store.StatusDelayed, true},
		{store.StatusDelayed, true, store.StatusBounced, true},
		{store.StatusBounced, false, store.StatusBounced, true},
		{store.StatusFailed, true, "", false},
		{store.StatusQueued, true, "", false},
	} {
		next, ok := store.BounceStatus(tc.current, tc.bounced)
		if next != tc.next || ok != tc.ok {
			t.Errorf("BounceStatus(%q, %v) = %q, %v; want %q, %v", tc.current, tc.bounced, next, ok, tc.next, tc.ok)
		}
		if ok && !store.CanMove(tc.current, next) {
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
	c := store.StatusChange{ID: "m1", From: store.StatusQueued, To: store.StatusSending}
	if err := store.Settle(ctx, &seen, c, ok); err != nil || len(seen) != 1 || seen[0] != c {
		t.Fatalf("allowed change: %v, sink saw %+v", err, seen)
	}
	lost := errors.New("claim lost")
	if err := store.Settle(ctx, &seen, c, func(context.Context) error { return lost }); !errors.Is(err, lost) || len(seen) != 1 {
		t.Fatalf("failed write: %v, sink saw %+v", err, seen)
	}
	bad := store.StatusChange{ID: "m2", From: store.StatusCancelled, To: store.StatusSending}
	if err := store.Settle(ctx, &seen, bad, ok); !errors.Is(err, store.ErrTransition) || writes != 1 || len(seen) != 1 {
		t.Fatalf("refused change: %v, %d writes, sink saw %+v", err, writes, seen)
	}
	if err := store.Settle(ctx, nil, c, ok); err != nil {
		t.Fatalf("no sink: %v", err)
	}
}
