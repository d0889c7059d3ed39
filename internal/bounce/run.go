package bounce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Run reads the account's new notifications once: checkpoint, SELECT,
// SEARCH, one FETCH of at most MaxMessages, each parsed and applied, an
// optional MOVE, and the checkpoint saved. A notification that cannot be
// parsed or matched is counted and passed over; a table failure stops the
// run before the checkpoint passes the message that hit it, so it is read
// again next run (applying an outcome twice changes nothing).
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
	}
	uids, err := mbox.Search(ctx, after, since)
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
	fetchErr := mbox.Fetch(ctx, uids, MaxBytes, func(uid uint32, raw []byte) error {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < r.Opts.Reserve {
			return errOutOfTime
		}
		if err := r.apply(ctx, uid, raw, owners, key, &rep); err != nil {
			return err
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
	rep.LastUID = last

	if r.Opts.ArchiveFolder != "" && len(done) > 0 && ctx.Err() == nil {
		if err := mbox.Move(ctx, done, r.Opts.ArchiveFolder); err != nil {
			r.logger().Warn("bounce: archiving failed", "account", a.Credential, "error", err.Error())
		} else {
			rep.Moved = len(done)
		}
	}
	// The checkpoint is written even past the deadline (briefly): losing
	// it would only cost re-reading, but writing it keeps runs short.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := r.Store.SaveCheckpoint(sctx, key, Checkpoint{UIDValidity: uidValidity, LastUID: last}); err != nil {
		return rep, fmt.Errorf("bounce: saving the checkpoint: %w", err)
	}
	if fetchErr != nil && !errors.Is(fetchErr, errOutOfTime) {
		return rep, fetchErr
	}
	return rep, nil
}

// apply handles one fetched message. Only a table failure is returned.
func (r *Reader) apply(ctx context.Context, uid uint32, raw []byte, owners []string, key string, rep *Report) error {
	rep.Read++
	n, err := r.Parse(raw)
	log := r.logger().With("uid", uid)
	switch {
	case errors.Is(err, ErrNoMessageID):
		rep.NoMessageID++
		log.Info("bounce: notification skipped", "result", "no_message_id")
		return nil
	case err != nil:
		rep.NotReports++
		log.Info("bounce: notification skipped", "result", "not_report")
		return nil
	}
	at := r.now()
	for _, rc := range n.Recipients {
		outcome := rc.Outcome()
		if outcome == None {
			continue
		}
		id, applied, err := r.Store.Record(ctx, Event{
			Owners: owners, MessageID: n.MessageID, RecipientHash: AddressHash(rc.Address),
			Outcome: outcome, Status: rc.Status, Diagnostic: rc.Diagnostic, At: at,
		})
		if err != nil {
			return fmt.Errorf("bounce: recording a notification: %w", err)
		}
		result := string(outcome)
		switch applied {
		case NotFound:
			rep.Unmatched++
			log.Info("bounce: notification skipped", "result", "unknown_message", "status", rc.Status)
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
	return nil
}

func (r *Reader) logger() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}
