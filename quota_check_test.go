package gmailsend

import (
	"context"
	"testing"
	"time"
)

// TestCheckReservesNothing ensures Check counts the past hours and the current one, refuses what would cross a limit with quota_exceeded (or rate_limited under a block), and writes nothing.
func TestCheckReservesNothing(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 30, 0, 0, time.UTC)
	hour := now.Unix() / 3600
	m := &memBuckets{hours: map[int64]*HourUsage{
		hour - 3: {Hour: hour - 3, Usage: Usage{Messages: 3, Recipients: 3}},
		hour:     {Hour: hour, Usage: Usage{Messages: 4, Recipients: 4}},
	}}
	g := &Guard{Buckets: m, Now: func() time.Time { return now }}
	ctx := context.Background()
	limits := QuotaLimits{Messages: 10}
	if err := g.Check(ctx, "a", limits, Usage{Messages: 3, Recipients: 3}); err != nil {
		t.Fatalf("3 of the 3 left: %v", err)
	}
	e := AsError(g.Check(ctx, "a", limits, Usage{Messages: 4, Recipients: 4}))
	if e == nil || e.Code != CodeQuotaExceeded || e.RetryAfter <= 0 {
		t.Fatalf("4 of the 3 left: %v", e)
	}
	if m.adds != 0 {
		t.Fatalf("Check wrote %d times", m.adds)
	}
	m.hours[hour].BlockedUntil = now.Add(time.Hour)
	if e := AsError(g.Check(ctx, "a", QuotaLimits{}, Usage{Messages: 1})); e == nil || e.Code != CodeRateLimited {
		t.Fatalf("blocked: %v", e)
	}
}
