package bounce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Run reads the account's new notifications once: checkpoint, SELECT,
// SEARCH, one FETCH of at most MaxMessages, each parsed and applied, an
// optional MOVE, and the checkpoint saved. A notification that cannot be
// parsed, is not trusted or changes nothing is counted and passed over. A
// table failure stops the run before the checkpoint passes the message
// that hit it, so it is read again next run (applying an outcome twice
// changes nothing); the checkpoint counts the runs it failed in, and the
// MaxApplyAttempts-th passes over it (SkipFailing), so no notification
// can stop the reader for good.
func (r *Reader) Run(ctx context.Context, a Account) (Report, error) {
	key := AccountKey(a.Mailbox)
	rep := Report{Account: a.Credential}
	cp, err := r.Store.Checkpoint(ctx, key)
	if err != nil {
		return rep, fmt.Errorf("bounce: reading the checkpoint: %w", err)
	}
	mbox, err := r.Open(ctx, a)
	if err != nil {
		return rep, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = mbox.Close(cctx)
	}()
	uidValidity, uidNext, err := mbox.Select(ctx)
	if err != nil {
		return rep, err
	}
	after, since := cp.LastUID, time.Time{}
	if cp.UIDValidity != uidValidity {
		// The UIDs kept mean nothing now (or this is the first run):
		// look back a bounded window by date instead.
		rep.Rescan, after, since = true, 0, r.now().Add(-r.Opts.RescanWindow)
		cp.FailingUID, cp.Failures = 0, 0
	}
	uids, err := mbox.Search(ctx, after, since, r.Opts.Senders)
	if err != nil {
		return rep, err
	}
	rep.Found = len(uids)
	complete := len(uids) <= r.Opts.MaxMessages
	if !complete {
		uids = uids[:r.Opts.MaxMessages]
	}

	owners := []string{key}
	if a.Credential != "" {
		owners = append([]string{"credential:" + a.Credential}, owners...)
	}
	var done []uint32
	next := Checkpoint{UIDValidity: uidValidity}
	fetchErr := mbox.Fetch(ctx, uids, MaxBytes, func(uid uint32, raw []byte) error {
		if r.outOfTime(ctx) {
			return errOutOfTime
		}
		if err := r.apply(ctx, uid, raw, owners, key, &rep); err != nil {
			if errors.Is(err, errOutOfTime) || ctx.Err() != nil {
				return err // not the notification's fault: read again next run
			}
			tries := 1
			if cp.FailingUID == uid {
				tries = cp.Failures + 1
			}
			if tries < MaxApplyAttempts {
				next.FailingUID, next.Failures = uid, tries
				return err
			}
			rep.skip(SkipFailing)
			r.logger().Warn("bounce: notification skipped", "uid", uid, "result", string(SkipFailing), "attempts", tries, "error", err.Error())
		}
		done = append(done, uid)
		return nil
	})
	if len(done) < len(uids) {
		complete = false
	}
	last := cp.LastUID
	if rep.Rescan {
		last = 0
	}
	for _, u := range done {
		last = max(last, u)
	}
	if complete && fetchErr == nil && uidNext > 0 {
		// Everything up to SELECT's UIDNEXT has been seen: later runs
		// need not search below it (this matters after a rescan).
		last = max(last, uidNext-1)
	}
	rep.LastUID, next.LastUID = last, last
	if next.FailingUID == 0 && cp.FailingUID > last {
		// This run did not reach the failing one: keep its count.
		next.FailingUID, next.Failures = cp.FailingUID, cp.Failures
	}

	if r.Opts.ArchiveFolder != "" && len(done) > 0 && ctx.Err() == nil {
		if err := mbox.Move(ctx, done, r.Opts.ArchiveFolder); err != nil {
			r.logger().Warn("bounce: archiving failed", "account", a.Credential, "error", err.Error())
		} else {
			rep.Moved = len(done)
		}
	}
	// The checkpoint is written even past the deadline (briefly): losing
	// it would only cost re-reading, but writing it keeps runs short.
	sctx, cancel := gmailsend.WriteContext(ctx)
	defer cancel()
	if err := r.Store.SaveCheckpoint(sctx, key, next); err != nil {
		return rep, fmt.Errorf("bounce: saving the checkpoint: %w", err)
	}
	if fetchErr != nil && !errors.Is(fetchErr, errOutOfTime) {
		return rep, fetchErr
	}
	return rep, nil
}

// apply handles one fetched message. Only a table failure, or
// errOutOfTime between two recipients, is returned.
func (r *Reader) apply(ctx context.Context, uid uint32, raw []byte, owners []string, key string, rep *Report) error {
	rep.Read++
	log := r.logger().With("uid", uid)
	skip := func(reason SkipReason) error {
		rep.skip(reason)
		log.Info("bounce: notification skipped", "result", string(reason))
		return nil
	}
	n, err := r.Parse(raw)
	switch {
	case errors.Is(err, ErrNoMessageID):
		if !n.Trusted(r.Opts.Senders) {
			return skip(SkipUntrusted)
		}
		return skip(SkipNoMessageID)
	case err != nil:
		return skip(SkipNotReport)
	case !n.Trusted(r.Opts.Senders):
		return skip(SkipUntrusted)
	}
	at := r.now()
	matched, notFound, refused := false, false, false
blocks:
	for _, rc := range n.Recipients {
		outcome := rc.Outcome()
		if outcome == None {
			continue
		}
		if r.outOfTime(ctx) {
			// A report of many recipients can outlast the reserve: stop
			// cleanly; what was applied is a Duplicate when read again.
			return errOutOfTime
		}
		id, applied, err := Apply(ctx, r.Store, r.Sink, Event{ // settle.go
			Owners: owners, MessageID: n.MessageID, RecipientHash: AddressHash(rc.Address),
			Outcome: outcome, Status: rc.Status, Diagnostic: rc.Diagnostic, At: at,
		})
		if err != nil {
			return fmt.Errorf("bounce: recording a notification: %w", err)
		}
		result := string(outcome)
		switch applied {
		case NotFound:
			// Every block names the same message: none will find it.
			notFound = true
			break blocks
		case NotRecipient:
			rep.NotRecipients++
			refused = true
			log.Info("bounce: recipient refused", "result", string(SkipNotRecipient), "status", rc.Status, "record", id)
			continue
		case Duplicate:
			rep.Duplicates++
			result = "duplicate"
		case Updated:
			if outcome == Bounced {
				rep.Bounced++
			} else {
				rep.Delayed++
			}
		}
		matched = true
		suppressed := false
		if rc.Suppress() {
			added, err := r.Store.Suppress(ctx, Suppression{
				Account: key, Address: rc.Address, Reason: ReasonBounce, Status: rc.Status,
				Diagnostic: rc.Diagnostic, SourceID: id, CreatedAt: at,
			})
			if err != nil {
				return fmt.Errorf("bounce: suppressing an address: %w", err)
			}
			if added {
				rep.Suppressed++
				suppressed = true
			}
		}
		log.Info("bounce: notification applied", "result", result, "status", rc.Status, "record", id, "suppressed", suppressed)
	}
	switch {
	case matched:
	case refused:
		return skip(SkipNotRecipient)
	case notFound:
		return skip(SkipUnknownMessage)
	default:
		// Only delivered, relayed or expanded blocks: nothing to record,
		// and nothing wrong with it.
		log.Info("bounce: notification read", "result", "no_outcome")
	}
	return nil
}

// outOfTime reports whether less than the reserve is left before the
// deadline: nothing more is started, so the checkpoint is always written.
func (r *Reader) outOfTime(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < r.Opts.Reserve
}

func (r *Reader) logger() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}
