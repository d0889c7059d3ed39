package gmailsend

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// StatusChange is one durable change of a message record's status, as
// Settle hands it to the StatusSink once the write that makes it is
// stored.
type StatusChange struct {
	ID string
	// From is the status the write moved the record from; empty when the
	// write created the record without reading it first (a new claim or
	// accept, which may also take over a released or expired claim of the
	// same idempotency key: reading it would cost a request per send).
	From, To Status
	At       time.Time
	// Caller, Account and Source are the record's (see Record).
	Caller, Account, Source string
	// MessageID is the Message-ID of a sent message ("" before sending).
	MessageID string
	// Code is the stable error code of a failed or unknown send, or the
	// enhanced status code a bounce or delay notification gave.
	Code string
	// Recipient is the recipient hash a bounce or delay was about
	// (bounce.AddressHash); "" for every other change.
	Recipient string
}

// ChangeOf is the change that writing r (in its new status) makes on a
// record that was in status from.
func ChangeOf(r *Record, from Status) StatusChange {
	return StatusChange{ID: r.ID, From: from, To: r.Status, At: r.UpdatedAt, Caller: r.Caller,
		Account: r.Account, Source: r.Source, MessageID: r.MessageID, Code: string(r.ErrorCode)}
}

// StatusSink is told of every status change once it is durable: the one
// place metrics, status events and webhooks listen (issue 24). It is
// called synchronously on the path that made the change, so it must be
// quick and must not fail the change: anything slow is its own to queue.
type StatusSink interface {
	StatusChanged(ctx context.Context, c StatusChange)
}

// NoStatusSink listens to nothing: the default until a listener is wired.
type NoStatusSink struct{}

// StatusChanged does nothing.
func (NoStatusSink) StatusChanged(context.Context, StatusChange) {}

// ErrTransition: a change the transition rules do not allow; a bug in the
// caller, never the outcome of a race (races are ErrStatusChanged).
var ErrTransition = errors.New("store: transition not allowed")

// transitions lists, for each status, the statuses a record in it may
// move to. The empty status is a record not read before the write (see
// StatusChange.From). A record moves to the same status when a sending
// claim whose holder died is taken over (sending → sending) and when a
// second recipient's notification lands (delayed → delayed, bounced →
// bounced).
var transitions = map[Status][]Status{
	"":              {StatusSending, StatusQueued, StatusScheduled},
	StatusQueued:    {StatusSending},
	StatusScheduled: {StatusSending, StatusCancelled},
	// A failure that may pass before any content reached the server puts
	// a queued send back to queued, for the queue to deliver again.
	StatusSending: {StatusSending, StatusSent, StatusFailed, StatusUnknown, StatusQueued},
	StatusSent:    {StatusDelayed, StatusBounced},
	StatusUnknown: {StatusDelayed, StatusBounced},
	StatusDelayed: {StatusDelayed, StatusBounced},
	StatusBounced: {StatusBounced},
}

// CanMove reports whether the rules let a record move from one status to
// another. Failed and cancelled are final: nothing moves them.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// BounceStatus is the bounce rule for a record's status: a notification
// may only land on a message that was sent (sent, unknown, delayed or
// bounced: ok is false for any other status), a bounce makes it bounced,
// and a delay makes it delayed unless it has bounced already.
func BounceStatus(current Status, bounced bool) (next Status, ok bool) {
	switch current {
	case StatusSent, StatusUnknown, StatusDelayed, StatusBounced:
	default:
		return "", false
	}
	if bounced || current == StatusBounced {
		return StatusBounced, true
	}
	return StatusDelayed, true
}

// Settle is the one path of every status change: it checks c against the
// transition rules, makes the durable write (one of the ports' writes),
// and once that is stored tells sink (nil: nobody). A write that fails is
// told to nobody, as it did not happen (or may not have).
func Settle(ctx context.Context, sink StatusSink, c StatusChange, write func(context.Context) error) error {
	if !CanMove(c.From, c.To) {
		return fmt.Errorf("%w: %s of %s from %q to %q", ErrTransition, c.Source, c.ID, c.From, c.To)
	}
	if err := write(ctx); err != nil {
		return err
	}
	if sink != nil {
		sink.StatusChanged(ctx, c)
	}
	return nil
}
