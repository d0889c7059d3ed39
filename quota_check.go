package gmailsend

import "context"

// Check reports whether add still fits account's limits now, reserving
// nothing: nil when it fits, else what Reserve would answer
// (quota_exceeded with the time until it fits, or rate_limited while
// Gmail's block lasts). Queued sends call it when accepting, so messages
// the account cannot send today are refused at once rather than waiting
// in the queue; messages already queued count only once sent.
func (g *Guard) Check(ctx context.Context, account string, limits QuotaLimits, add Usage) error {
	now, hour, past, err := g.unblockedPast(ctx, account)
	if err != nil {
		return err
	}
	cur := HourUsage{Hour: hour}
	buckets, err := g.Buckets.PastHours(ctx, account, hour, hour)
	if err != nil {
		return err
	}
	if len(buckets) > 0 {
		cur = buckets[0]
	}
	if cur.BlockedUntil.After(now) {
		return blocked(cur.BlockedUntil, now)
	}
	used := Usage{past.sum.Messages + cur.Messages, past.sum.Recipients + cur.Recipients}
	if limits.Messages > 0 && used.Messages+add.Messages > limits.Messages ||
		limits.Recipients > 0 && used.Recipients+add.Recipients > limits.Recipients {
		return exceeded(past, cur, add, limits, now)
	}
	return nil
}
