package sender

import (
	"context"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
)

// quotaTicket is a send's reservation against its account's quota.
type quotaTicket struct {
	account    string
	recipients int
	reserved   bool
}

// reserve counts the send against the account (the Gmail address, hashed,
// whichever credential names it: Gmail's limit is the account's) before
// anything is sent.
func (s *Sender) reserve(ctx context.Context, q *quotaTicket, login credential.Login, recipients int) error {
	g := s.Durability.Quota
	if g == nil {
		return nil
	}
	limits := s.Durability.Limits
	if login.Limits.DailyMessages > 0 {
		limits.Messages = login.Limits.DailyMessages
	}
	if login.Limits.DailyRecipients > 0 {
		limits.Recipients = login.Limits.DailyRecipients
	}
	q.account, q.recipients = gmailsend.AccountOf("", login.User), recipients
	if err := g.Reserve(ctx, q.account, limits, recipients); err != nil {
		return err
	}
	q.reserved = true
	return nil
}

// settleQuota gives back a reservation whose send never reached the
// server, and records Gmail's own limit refusal (550 5.4.5, 421 4.7.0) as
// a block until its retry time, so later sends fail fast without
// connecting. Quota bookkeeping never changes the caller's answer.
func (s *Sender) settleQuota(ctx context.Context, q *quotaTicket, rec *gmailsend.Record, err error) {
	g := s.Durability.Quota
	if g == nil || q.account == "" {
		return
	}
	wctx, cancel := gmailsend.WriteContext(ctx)
	defer cancel()
	if q.reserved && rec.Released {
		_ = g.Release(wctx, q.account, q.recipients)
	}
	if e := gmailsend.AsError(err); e != nil && e.Code == gmailsend.CodeRateLimited && e.SMTP != nil && e.RetryAfter > 0 {
		_ = g.Block(wctx, q.account, s.now().Add(e.RetryAfter))
	}
}
