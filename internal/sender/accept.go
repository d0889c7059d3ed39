package sender

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/gmailsend/gmailsend"
)

// Accept is POST /messages: it checks the request as far as it can without
// sending, writes its record (queued, or scheduled with scheduledAt), and
// puts it on the send queue or creates its schedule. A request with an
// idempotency key already accepted is answered with that record.
func (s *Sender) Accept(ctx context.Context, body []byte, o Origin) (*Accepted, error) {
	if err := s.queueingReady(); err != nil {
		return nil, err
	}
	p, err := s.checkQueued(ctx, body, o, "", true)
	if err == nil {
		err = s.checkSendable(ctx, []*prepared{p})[0]
	}
	if err != nil {
		a, rerr := s.acceptedBefore(ctx, body, o, err, func(r *gmailsend.Request) string { k, _ := o.key(r.IdempotencyKey); return k })
		switch {
		case a != nil:
			return a, nil
		case rerr != nil:
			return nil, rerr
		}
		return nil, err
	}
	key, field := o.key(p.req.IdempotencyKey)
	if field != "" {
		if err := gmailsend.CheckKey(key, field); err != nil {
			return nil, err
		}
		p.withID(gmailsend.KeyedID(o.Caller, key))
		s.keyed(p.rec)
	}
	out := s.acceptAll(ctx, []*prepared{p}, o)
	return out[0].accepted, out[0].err
}

// checkSendable runs the two checks that ask the table, the sending
// mailbox's suppression list and the quota's headroom, side by side: each
// is a DynamoDB round trip, and accepting must be fast. One error per item,
// nil when it may be queued; a suppressed item is refused as such (its
// error names the field) and does not count toward its account's headroom.
func (s *Sender) checkSendable(ctx context.Context, ps []*prepared) []error {
	suppressed := make([]error, len(ps))
	var headroom []error
	done := make(chan struct{})
	go func() {
		defer close(done)
		headroom = s.checkHeadroom(ctx, ps)
	}()
	parallel(len(ps), func(i int) {
		if ps[i] != nil {
			suppressed[i] = s.CheckSuppressed(ctx, ps[i].mailbox, ps[i].mail)
		}
	})
	<-done
	rest, refused := make([]*prepared, len(ps)), false
	for i, p := range ps {
		if suppressed[i] != nil {
			refused = true
			continue
		}
		rest[i] = p
	}
	if refused {
		// Rare: count the headroom again without the refused items, so
		// they cannot push their account's other messages over the limit.
		headroom = s.checkHeadroom(ctx, rest)
	}
	errs := make([]error, len(ps))
	for i := range ps {
		errs[i] = suppressed[i]
		if errs[i] == nil {
			errs[i] = headroom[i]
		}
	}
	return errs
}

// checkHeadroom refuses the messages to send now that their account's
// daily quota cannot take now, reserving nothing: a batch's messages of
// one account are counted together. Scheduled messages are checked when
// they are sent. One error per item (nil when it fits).
func (s *Sender) checkHeadroom(ctx context.Context, ps []*prepared) []error {
	errs := make([]error, len(ps))
	g := s.Durability.Quota
	if g == nil {
		return errs
	}
	type account struct {
		limits gmailsend.QuotaLimits
		add    gmailsend.Usage
		items  []int
	}
	accounts := map[string]*account{}
	for i, p := range ps {
		if p == nil || p.rec.ScheduledAt != nil {
			continue
		}
		a := accounts[p.quota]
		if a == nil {
			a = &account{limits: p.limits}
			accounts[p.quota] = a
		}
		a.add.Messages++
		a.add.Recipients += p.rec.Recipients
		a.items = append(a.items, i)
	}
	for key, a := range accounts {
		if err := g.Check(ctx, key, a.limits, a.add); err != nil {
			for _, i := range a.items {
				errs[i] = err
			}
		}
	}
	return errs
}

// acceptedBefore answers a keyed retry of a request already accepted
// that now fails a check the first attempt passed: its scheduledAt has
// come too close or gone by, its recipient was suppressed since, its
// account's quota has filled. The key's record is the answer, as it would
// have been had the checks passed (the caller whose answer was lost must
// learn that the message is accepted, not that it is refused). Nothing is
// written: a refused request leaves its key free for a corrected one.
//
// When the key's record cannot be read, the store's (retryable) error is
// the answer, never the refusal: the message may be accepted. When no
// record holds the key and the refusal is a scheduledAt whose time came,
// the schedule an earlier attempt may have made (its name is the id and
// the fingerprint) is deleted, so a record write of that attempt still on
// its way cannot make it fire after the caller was told it will not.
//
// Nil, nil when the request has no key, err is of another kind, or no
// record of the same request holds the key. keyOf is the request's key.
func (s *Sender) acceptedBefore(ctx context.Context, body []byte, o Origin, err error, keyOf func(*gmailsend.Request) string) (*Accepted, error) {
	if !mayHaveChangedSince(err) || s.Records == nil {
		return nil, nil
	}
	req, derr := gmailsend.DecodeRequest(body)
	if derr != nil {
		return nil, nil
	}
	key := keyOf(req)
	if key == "" {
		return nil, nil
	}
	fp, ferr := s.fingerprint(ctx, req)
	if ferr != nil {
		return nil, ferr
	}
	id := gmailsend.KeyedID(o.Caller, key)
	holder, gerr := s.Records.Get(ctx, id)
	switch {
	case errors.Is(gerr, gmailsend.ErrNotFound):
		if errors.Is(err, errTimeCame) && s.Queueing.Schedules != nil {
			if derr := s.Queueing.Schedules.Delete(ctx, id, fp.Value); derr != nil && !errors.Is(derr, gmailsend.ErrNoSchedule) {
				return nil, derr
			}
		}
		return nil, nil
	case gerr != nil:
		return nil, gerr
	case !holder.Keyed || holder.Released || !holder.KeyUntil.After(s.now()):
		return nil, nil
	}
	return replayAccepted(fp, holder).accepted, nil
}

// mayHaveChangedSince reports whether err is a refusal that an earlier
// attempt of the same request may have passed: time moved on (scheduledAt
// now too close or past), or the table changed (suppression, quota).
func mayHaveChangedSince(err error) bool {
	switch gmailsend.CodeOf(err) {
	case gmailsend.CodeRecipientSuppressed, gmailsend.CodeQuotaExceeded:
		return true
	}
	return errors.Is(err, errTimeCame)
}

// keyed marks rec as holding an idempotency key for KeyTTL.
func (s *Sender) keyed(rec *gmailsend.Record) {
	rec.Keyed, rec.KeyUntil = true, rec.CreatedAt.Add(s.Durability.KeyTTL)
	if rec.ExpiresAt.Before(rec.KeyUntil) {
		rec.ExpiresAt = rec.KeyUntil
	}
}

// acceptOutcome is what became of one prepared request.
type acceptOutcome struct {
	accepted *Accepted
	err      error
}

// acceptAll queues or schedules every prepared request, then writes its
// record. In this order no crash or failure can leave a record that says
// queued without a queue message or schedule: what it can leave is a
// queue message or schedule without a record, which the consumer waits
// for until the envelope's Until and then drops (consume.go), while the
// caller, who had no 202, retries. A retry whose record an earlier attempt
// did write (its answer lost) replays it; the extra queue message it
// queued finds the record taken and is dropped, and one of a corrected
// request (same key, other content) carries another fingerprint and is
// refused.
func (s *Sender) acceptAll(ctx context.Context, ps []*prepared, o Origin) []acceptOutcome {
	out := make([]acceptOutcome, len(ps))
	var msgs []gmailsend.QueueMessage
	byID := map[string]int{}
	var scheduled []int
	for i, p := range ps {
		p.rec.Source, p.rec.Caller = o.Source, o.Caller
		if p.rec.ScheduledAt != nil {
			scheduled = append(scheduled, i)
			continue
		}
		msgs = append(msgs, gmailsend.QueueMessage{ID: p.rec.ID, Body: p.env})
		byID[p.rec.ID] = i
	}
	if len(msgs) > 0 {
		for _, f := range s.Queueing.Queue.Enqueue(ctx, msgs) {
			out[byID[f.ID]].err = queueError(f.Err)
		}
	}
	parallel(len(scheduled), func(j int) {
		p := ps[scheduled[j]]
		if err := s.Queueing.Schedules.Create(ctx, p.rec.ID, p.rec.Fingerprint, *p.rec.ScheduledAt, p.env); err != nil {
			out[scheduled[j]].err = err
		}
	})
	parallel(len(ps), func(i int) {
		if out[i].err != nil {
			return
		}
		p := ps[i]
		holder, err := s.claimRecord(ctx, p.rec) // settle.go
		switch {
		case errors.Is(err, gmailsend.ErrClaimTaken) && holder != nil:
			out[i] = replayAccepted(p.fp, holder)
		case err != nil:
			out[i].err = err
		default:
			out[i].accepted = &Accepted{ID: p.rec.ID, Status: string(p.rec.Status), ScheduledAt: p.rec.ScheduledAt}
		}
	})
	return out
}

// queueError is the error of a message the queue did not take.
func queueError(e *gmailsend.Error) error {
	if e == nil {
		return gmailsend.Errorf(gmailsend.CodeQueueUnavailable, "", "the send queue did not take the message")
	}
	return e
}

// replayAccepted answers a request whose idempotency key is held.
func replayAccepted(fp gmailsend.Fingerprint, holder *gmailsend.Record) acceptOutcome {
	if !fp.Matches(holder.Fingerprint) {
		return acceptOutcome{err: gmailsend.Errorf(gmailsend.CodeIdempotencyConflict, "", "this idempotency key was already used with a different request")}
	}
	return acceptOutcome{accepted: &Accepted{ID: holder.ID, Status: string(holder.Status), ScheduledAt: holder.ScheduledAt}}
}

// parallel runs f(0..n-1) with at most 16 at a time: a batch's records and
// schedules are independent single-item calls.
func parallel(n int, f func(i int)) {
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// batchItemKey is the idempotency key of a batch's item i: one key covers
// the batch, and each item gets its own record id from it.
func batchItemKey(key string, i int) string { return key + "\x00item\x00" + strconv.Itoa(i) }
