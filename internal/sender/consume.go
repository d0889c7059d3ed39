package sender

import (
	"context"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// QueuedResult is what became of a queued message the consumer received.
type QueuedResult struct {
	*Result
	// Dropped says the message was not sent because its record is
	// cancelled or already has an outcome (a repeated delivery), holds
	// another request, or was never written; Status is that record's
	// status, Reason says which.
	Dropped bool
	Status  gmailsend.Status
	Reason  DropReason
	// Retry says the queue should deliver the message again: the failure's
	// code is one SendQueued's requeue accepts (the record is queued
	// again), or the record is held elsewhere or not written yet.
	Retry bool
}

// SendQueued sends a message POST /messages (or its schedule) put on the
// queue, moving its record queued|scheduled → sending → sent, failed or
// unknown. A cancelled record, or one with an outcome already, is dropped
// without sending. The move to sending is conditional on the status, so
// a cancel and this never both win.
//
// A failure before any content reached the server whose code requeue
// accepts (the queue's rule: lambdahandler's code table, smtp_unavailable,
// rate_limited, …) puts the record back to queued and asks for a retry;
// any other failure is final and recorded, so the queue need not deliver
// it again.
func (s *Sender) SendQueued(ctx context.Context, env *Envelope, requeue func(gmailsend.Code) bool) (*QueuedResult, Outcome, error) {
	var out Outcome
	if err := s.queueingReady(); err != nil {
		return nil, out, err
	}
	now := s.now()
	lease := now.Add(time.Minute)
	if dl, ok := ctx.Deadline(); ok {
		lease = dl.Add(s.Durability.LeaseMargin)
	}
	rec, err := s.begin(ctx, env.Queued, lease)
	if errors.Is(err, gmailsend.ErrStatusChanged) {
		// Not queued or scheduled: cancelled, done, being sent, another
		// request's, or not written (yet).
		return s.notBegun(ctx, env.Queued)
	}
	if err != nil {
		return nil, out, err
	}

	req, err := gmailsend.DecodeRequest(env.Request)
	if err == nil && (req.Password != "" || req.AccessToken != "") {
		err = gmailsend.Invalid("password", "a queued message may not carry a password or token")
	}
	var (
		res *Result
		q   quotaTicket
	)
	if err == nil {
		req.ScheduledAt, req.IdempotencyKey = "", ""
		var gate smtp.ContentGate
		// The caller was checked when the message was accepted; it is
		// checked again, as the credential's callers may have changed since.
		caller := credential.Caller{API: rec.Caller != "", Key: rec.Caller}
		res, out, err = s.sendRequest(gatedContext(withRecordID(ctx, rec.ID), &gate), req, caller, func(ctx context.Context, login credential.Login, mail *gmailsend.Mail) (func(), error) {
			rec.Account, rec.Recipients = gmailsend.AccountOf(login.Stored, login.User), len(mail.Recipients())
			rec.RecipientKeys = bounce.RecipientKeys(mail.Recipients())       // what a bounce may name
			if err := s.reserve(ctx, &q, login, rec.Recipients); err != nil { // quota.go
				return nil, err
			}
			return func() { gate = s.markAsync(ctx, rec) }, nil // mark.go
		})
	}
	rec.MessageID = out.MessageID
	err = outcome(rec, err) // settle.go
	s.settleQuota(ctx, &q, rec, err)
	retry := err != nil && rec.Released && requeue(gmailsend.CodeOf(err))
	if retry {
		requeueRecord(rec) // settle.go
	}
	rec.Released, rec.UpdatedAt = false, s.now()
	wctx, cancel := gmailsend.WriteContext(ctx)
	defer cancel()
	if ferr := s.finishRecord(wctx, rec); ferr != nil && err == nil {
		out.StoreError = ferr
	}
	if err != nil {
		return &QueuedResult{Status: rec.Status, Retry: retry}, out, err
	}
	res.ID = rec.ID
	return &QueuedResult{Result: res, Status: rec.Status}, out, nil
}

// DropReason says why a queued message was dropped without sending.
type DropReason string

const (
	// DropSettled: the record is cancelled or has an outcome already.
	DropSettled DropReason = "settled"
	// DropStale: the record holds another request (the payload of an
	// attempt its caller corrected under the same idempotency key).
	DropStale DropReason = "stale"
	// DropOrphan: the record was never written (its accept failed or died
	// after queueing, and its caller had no 202).
	DropOrphan DropReason = "orphan"
)

// recordWait is how long the consumer waits in place for a record the
// accept has not written yet: the queue can hand a message over before
// the accept's write (made just after queueing) lands.
const recordWait = 500 * time.Millisecond

// begin moves ref's record to sending (beginRecord), waiting
// up to recordWait for a record not written yet.
func (s *Sender) begin(ctx context.Context, ref QueuedRef, lease time.Time) (*gmailsend.Record, error) {
	waitUntil := s.now().Add(recordWait)
	for {
		rec, err := s.beginRecord(ctx, ref, lease) // settle.go
		if !errors.Is(err, gmailsend.ErrStatusChanged) || ref.Until == 0 || s.now().After(waitUntil) {
			return rec, err
		}
		if _, gerr := s.Records.Get(ctx, ref.ID); !errors.Is(gerr, gmailsend.ErrNotFound) {
			return rec, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// notBegun answers for a record Begin could not move to sending: dropped
// when cancelled or done, another request's, or never written; retried
// later while another invocation holds it or while its accept may still
// write it.
func (s *Sender) notBegun(ctx context.Context, ref QueuedRef) (*QueuedResult, Outcome, error) {
	rec, err := s.Records.Get(ctx, ref.ID)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return s.unrecorded(ref)
	}
	if err != nil {
		return nil, Outcome{}, err
	}
	if ref.Fingerprint != "" && rec.Fingerprint != ref.Fingerprint {
		return &QueuedResult{Dropped: true, Status: rec.Status, Reason: DropStale}, Outcome{}, nil
	}
	if res, done := s.settledAlready(ctx, rec); done {
		return res, Outcome{}, nil
	}
	return &QueuedResult{Status: rec.Status, Retry: true}, Outcome{},
		gmailsend.Errorf(gmailsend.CodeIdempotencyInProgress, "", "message %s is being sent by another invocation", ref.ID)
}

// unrecorded answers for a message whose record does not exist: before
// its Until the accept may still write it, so the message waits (until
// just after Until); after, it is an orphan. An envelope without Until
// (queued before it had one) keeps the old rule: retried, then the
// dead-letter queue.
func (s *Sender) unrecorded(ref QueuedRef) (*QueuedResult, Outcome, error) {
	now := s.now()
	if ref.Until == 0 {
		return nil, Outcome{}, gmailsend.Errorf(gmailsend.CodeMessageNotFound, "", "the queued message's record %s does not exist", ref.ID)
	}
	until := time.UnixMilli(ref.Until)
	if now.After(until) {
		return &QueuedResult{Dropped: true, Reason: DropOrphan}, Outcome{}, nil
	}
	e := gmailsend.Errorf(gmailsend.CodeIdempotencyInProgress, "", "message %s is not recorded yet; its accept may still write it", ref.ID)
	e.RetryAfter = until.Sub(now).Truncate(time.Second) + time.Second
	return &QueuedResult{Retry: true}, Outcome{}, e
}

// settledAlready reports whether rec needs no sending: cancelled, or with
// an outcome (a repeated delivery). A record left sending by an invocation
// that died after marking its content as sent (and after its lease) is
// settled unknown: it may have been delivered, and is never sent twice.
// One that died before the mark is taken over by Begin, so it is retried.
func (s *Sender) settledAlready(ctx context.Context, rec *gmailsend.Record) (*QueuedResult, bool) {
	switch {
	case rec.Status == gmailsend.StatusQueued || rec.Status == gmailsend.StatusScheduled:
		return nil, false
	case rec.Stale(s.now()) && rec.MayHaveSent():
		if _, err := s.settleStale(ctx, rec); err == nil {
			return &QueuedResult{Dropped: true, Status: gmailsend.StatusUnknown, Reason: DropSettled}, true
		}
		return nil, false
	case rec.Status == gmailsend.StatusSending:
		return nil, false
	}
	return &QueuedResult{Dropped: true, Status: rec.Status, Reason: DropSettled}, true
}
