package sender

import (
	"context"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Messages is the use case of the records a caller reads and cancels
// (GET and DELETE /messages/{id}). It holds only what those need: the
// records, the conditional status move, the schedules and the status sink.
type Messages struct {
	Records gmailsend.Records
	// Moves and Schedules are nil in a deployment without queued sends:
	// nothing can be scheduled there, so nothing can be cancelled.
	Moves     gmailsend.Transitions
	Schedules gmailsend.Schedules
	Sink      gmailsend.StatusSink
	Now       func() time.Time
}

// MessagesOf is the Messages use case over the same ports as s.
func MessagesOf(s *Sender) *Messages {
	return &Messages{Records: s.Records, Moves: s.Queueing.Moves, Schedules: s.Queueing.Schedules, Sink: s.sink(), Now: s.now}
}

// Lookup returns the record id if caller created it. Another caller's
// record is not found, exactly like an unknown id, so ids reveal nothing
// across API keys.
func (m *Messages) Lookup(ctx context.Context, id, caller string) (*gmailsend.Record, error) {
	if m.Records == nil {
		return nil, gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "message records need the message table; set MESSAGES_TABLE")
	}
	notFound := gmailsend.Errorf(gmailsend.CodeMessageNotFound, "id", "no message with this id")
	if !gmailsend.ValidID(id) {
		return nil, notFound
	}
	rec, err := m.Records.Get(ctx, id)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if rec.Caller != caller {
		return nil, notFound
	}
	return rec, nil
}

// Cancel is DELETE /messages/{id}: a scheduled message of this caller
// becomes cancelled and its schedule is deleted. Anything else (queued,
// sending, sent, cancelled already) is not_cancellable.
//
// The record is marked first, with a write conditional on it still being
// scheduled; the schedule is deleted after. A schedule that fires in
// between puts the message on the queue, and the consumer drops it
// because its record is cancelled, so the outcome never depends on the
// schedule's deletion.
func (m *Messages) Cancel(ctx context.Context, id, caller string) (*gmailsend.Record, error) {
	if m.Records == nil || m.Moves == nil || m.Schedules == nil {
		return nil, gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "queued sends need MESSAGES_TABLE and SEND_QUEUE_URL")
	}
	rec, err := m.Lookup(ctx, id, caller)
	if err != nil {
		return nil, err
	}
	if rec.Status != gmailsend.StatusScheduled {
		return nil, notCancellable(rec.Status)
	}
	c, err := cancelRecord(ctx, m.Sink, m.Moves, rec, m.Now()) // settle.go
	if errors.Is(err, gmailsend.ErrStatusChanged) {
		now, gerr := m.Records.Get(ctx, id)
		if gerr != nil {
			return nil, gerr
		}
		return nil, notCancellable(now.Status)
	} else if err != nil {
		return nil, err
	}
	// Best effort: a schedule left behind fires into a dropped message.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if err := m.Schedules.Delete(dctx, id, rec.Fingerprint); err != nil && !errors.Is(err, gmailsend.ErrNoSchedule) {
		return c, &CleanupError{Err: err}
	}
	return c, nil
}

// CleanupError reports a cancel that succeeded but left its schedule
// behind (it will fire into a dropped message); for the log only.
type CleanupError struct{ Err error }

func (e *CleanupError) Error() string {
	return "sender: cancelled, but the schedule was not deleted: " + e.Err.Error()
}

func (e *CleanupError) Unwrap() error { return e.Err }

func notCancellable(st gmailsend.Status) error {
	return gmailsend.Errorf(gmailsend.CodeNotCancellable, "id", "only a scheduled message can be cancelled; this one is %s", st)
}
