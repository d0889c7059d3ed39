package sender

import (
	"context"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// Every change of a record's status the send use cases make is written
// here, and only here (status_guard_test.go holds the package to it): each
// write below goes through gmailsend.Settle, which checks the transition rule
// and, once the write is stored, tells Sender.StatusSink. A reader finds
// what happens when a message becomes sent, failed, queued or cancelled
// in this file; the bounce reader's changes settle through the same
// gmailsend.Settle (bounce.Apply).
//
// The writes are the ports' own, one each and in the order the flows
// always made them: settling adds no request to a send.

// sink is where settled changes go.
func (s *Sender) sink() gmailsend.StatusSink {
	if s.StatusSink == nil {
		return gmailsend.NoStatusSink{}
	}
	return s.StatusSink
}

// claimRecord writes rec, a new record (sending for POST /send, queued or
// scheduled for POST /messages), as the claim of its id
// (gmailsend.Records.Claim); when the id is held it returns the holder and
// gmailsend.ErrClaimTaken.
func (s *Sender) claimRecord(ctx context.Context, rec *gmailsend.Record) (holder *gmailsend.Record, err error) {
	err = gmailsend.Settle(ctx, s.sink(), gmailsend.ChangeOf(rec, ""), func(ctx context.Context) error {
		holder, err = s.Records.Claim(ctx, rec)
		return err
	})
	return holder, err
}

// finishRecord writes the outcome of the sending claim rec.Token holds
// (gmailsend.Records.Finish): sent, failed, unknown, or queued again.
func (s *Sender) finishRecord(ctx context.Context, rec *gmailsend.Record) error {
	return gmailsend.Settle(ctx, s.sink(), gmailsend.ChangeOf(rec, gmailsend.StatusSending), func(ctx context.Context) error {
		return s.Records.Finish(ctx, rec)
	})
}

// beginRecord moves a queued or scheduled record (or a sending claim whose
// holder died before any content went) to sending under a new token
// (gmailsend.Transitions.BeginFrom) and returns it.
func (s *Sender) beginRecord(ctx context.Context, ref QueuedRef, lease time.Time) (*gmailsend.Record, error) {
	rec, from, err := s.Queueing.Moves.BeginFrom(ctx, ref.ID, ref.Fingerprint, gmailsend.NewToken(), lease, s.now())
	if err != nil {
		return nil, err
	}
	// The conditional write decided the move; the rule is checked and the
	// sink told once it is known what the record left.
	return rec, gmailsend.Settle(ctx, s.sink(), gmailsend.ChangeOf(rec, from), func(context.Context) error { return nil })
}

// cancelRecord writes rec, a scheduled record, as cancelled with one write
// conditional on it still being scheduled (gmailsend.Transitions.Move), and
// returns it as written; gmailsend.ErrStatusChanged when it is not.
func cancelRecord(ctx context.Context, sink gmailsend.StatusSink, moves gmailsend.Transitions, rec *gmailsend.Record, now time.Time) (*gmailsend.Record, error) {
	c := *rec
	c.Status, c.UpdatedAt = gmailsend.StatusCancelled, now
	err := gmailsend.Settle(ctx, sink, gmailsend.ChangeOf(&c, gmailsend.StatusScheduled), func(ctx context.Context) error {
		return moves.Move(ctx, &c, gmailsend.StatusScheduled)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// settleStale records a stale claim that may have sent (a crashed holder
// marked content) as unknown, conditional on the holder's token, and
// returns the record as written.
func (s *Sender) settleStale(ctx context.Context, holder *gmailsend.Record) (*gmailsend.Record, error) {
	stale := *holder
	stale.Status, stale.ErrorCode, stale.UpdatedAt = gmailsend.StatusUnknown, gmailsend.CodeDeliveryUnknown, s.now()
	wctx, cancel := gmailsend.WriteContext(ctx)
	defer cancel()
	if err := s.finishRecord(wctx, &stale); err != nil {
		return nil, err
	}
	return &stale, nil
}

// outcome records the outcome of a send in rec and returns the error the
// caller sees: a failure before any content reached the server releases
// the key; one after content is kept, and one without the server's reply
// to the content becomes delivery_unknown (at most once).
func outcome(rec *gmailsend.Record, err error) error {
	if err == nil {
		rec.Status = gmailsend.StatusSent
		return nil
	}
	e := gmailsend.AsError(err)
	rec.Status, rec.ErrorCode, rec.Reply = gmailsend.StatusFailed, e.Code, gmailsend.Redacted(e.SMTP)
	switch {
	case errors.Is(err, smtp.ErrDeliveryUnknown):
		rec.Status, rec.ErrorCode = gmailsend.StatusUnknown, gmailsend.CodeDeliveryUnknown
		return &gmailsend.Error{Code: gmailsend.CodeDeliveryUnknown, Err: err,
			Message: "the connection to the SMTP server broke after the message was sent and before the server confirmed it; " +
				"it may have been delivered, so it is not sent again"}
	case errors.Is(err, smtp.ErrContentSent):
		return err
	}
	rec.Released, rec.ContentAt = true, time.Time{}
	return err
}

// requeueRecord turns rec's failed outcome back into queued, for a failure that
// may pass before any content reached the server: the queue delivers the
// message again.
func requeueRecord(rec *gmailsend.Record) {
	rec.Status, rec.Released, rec.ErrorCode, rec.Reply = gmailsend.StatusQueued, false, "", nil
}
