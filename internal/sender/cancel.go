package sender

import (
	"context"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Cancel is DELETE /messages/{id}: a scheduled message of this caller
// becomes cancelled and its schedule is deleted. Anything else (queued,
// sending, sent, cancelled already) is not_cancellable.
//
// The record is marked first, with a write conditional on it still being
// scheduled; the schedule is deleted after. A schedule that fires in
// between puts the message on the queue, and the consumer drops it
// because its record is cancelled, so the outcome never depends on the
// schedule's deletion.
func (s *Sender) Cancel(ctx context.Context, id, caller string) (*gmailsend.Record, error) {
	if err := s.queueingReady(); err != nil {
		return nil, err
	}
	rec, err := s.Lookup(ctx, id, caller)
	if err != nil {
		return nil, err
	}
	if rec.Status != gmailsend.StatusScheduled {
		return nil, notCancellable(rec.Status)
	}
	c, err := s.cancelRecord(ctx, rec) // settle.go
	if errors.Is(err, gmailsend.ErrStatusChanged) {
		now, gerr := s.Records.Get(ctx, id)
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
	if err := s.Queueing.Schedules.Delete(dctx, id, rec.Fingerprint); err != nil && !errors.Is(err, gmailsend.ErrNoSchedule) {
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
