package gmailsend

import "errors"

// observe tells Observe what the account has used of its window once the
// current hour's bucket is known: after a reservation (the bucket includes
// it) or a refusal for a full bucket. Other failures say nothing about use.
func (g *Guard) observe(account string, past Usage, cur HourUsage, err error, limits QuotaLimits) {
	if g.Observe == nil || (err != nil && !errors.Is(err, ErrBucketFull)) {
		return
	}
	g.Observe(account, Usage{Messages: past.Messages + cur.Messages, Recipients: past.Recipients + cur.Recipients}, limits)
}

// Fullest is the larger share of its limit that used is, as used and
// limit: messages or recipients, whichever is closer to its bound. Both
// are 0 when neither is bounded.
func Fullest(used Usage, limits QuotaLimits) (int, int) {
	switch {
	case limits.Messages <= 0 && limits.Recipients <= 0:
		return 0, 0
	case limits.Recipients <= 0:
		return used.Messages, limits.Messages
	case limits.Messages <= 0:
		return used.Recipients, limits.Recipients
	case used.Messages*limits.Recipients >= used.Recipients*limits.Messages:
		return used.Messages, limits.Messages
	}
	return used.Recipients, limits.Recipients
}
