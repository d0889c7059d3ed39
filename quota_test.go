package gmailsend

import (
	"context"
	"testing"
	"time"
)

// memBuckets is a hand fake of the table's hour buckets that counts calls.
type memBuckets struct {
	hours   map[int64]*HourUsage
	queries int
	adds    int
}

func (m *memBuckets) PastHours(_ context.Context, _ string, from, to int64) ([]HourUsage, error) {
	m.queries++
	var out []HourUsage
	for h := from; h <= to; h++ {
		if b, ok := m.hours[h]; ok {
			out = append(out, *b)
		}
	}
	return out, nil
}

func (m *memBuckets) Add(_ context.Context, _ string, hour int64, add, max Usage, now time.Time) (HourUsage, error) {
	m.adds++
	b, ok := m.hours[hour]
	if !ok {
		b = &HourUsage{Hour: hour}
		m.hours[hour] = b
	}
	if b.BlockedUntil.After(now) {
		return *b, ErrBucketBlocked
	}
	if b.Messages+add.Messages > max.Messages || b.Recipients+add.Recipients > max.Recipients {
		return *b, ErrBucketFull
	}
	b.Messages += add.Messages
	b.Recipients += add.Recipients
	return HourUsage{}, nil
}

func (m *memBuckets) Block(_ context.Context, _ string, hour int64, until time.Time) error {
	if _, ok := m.hours[hour]; !ok {
		m.hours[hour] = &HourUsage{Hour: hour}
	}
	m.hours[hour].BlockedUntil = until
	return nil
}

// TestGuardRetryAfterIsWhenTheOldestHoursLeave ensures a refusal's retry time is when enough of the oldest hours have left the 24-hour window, and that past hours are read once per hour.
func TestGuardRetryAfterIsWhenTheOldestHoursLeave(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 30, 0, 0, time.UTC)
	hour := now.Unix() / 3600
	m := &memBuckets{hours: map[int64]*HourUsage{
		hour - 20: {Hour: hour - 20, Usage: Usage{Messages: 2, Recipients: 2}}, // leaves the window in 3.5 h
		hour - 5:  {Hour: hour - 5, Usage: Usage{Messages: 2, Recipients: 2}},
	}}
	g := &Guard{Buckets: m, Now: func() time.Time { return now }}
	limits := QuotaLimits{Messages: 5}
	if err := g.Reserve(context.Background(), "a", limits, 1); err != nil {
		t.Fatal(err)
	}
	err := g.Reserve(context.Background(), "a", limits, 1)
	e := AsError(err)
	if e == nil || e.Code != CodeQuotaExceeded || e.RetryAfter != 3*time.Hour+30*time.Minute {
		t.Fatalf("refusal %v (retry after %v), want quota_exceeded after 3h30m", err, e.RetryAfter)
	}
	if m.queries != 1 {
		t.Fatalf("%d queries of past hours, want 1 per hour", m.queries)
	}
	now = now.Add(time.Hour) // a new hour: the past is read again
	if err := g.Reserve(context.Background(), "a", limits, 1); CodeOf(err) != CodeQuotaExceeded || m.queries != 2 {
		t.Fatalf("next hour: %v, %d queries", err, m.queries)
	}
}

// TestGuardBlockFailsFastAndReleaseGivesBack ensures a recorded block refuses with rate_limited without touching the bucket, and Release returns a reservation.
func TestGuardBlockFailsFastAndReleaseGivesBack(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 30, 0, 0, time.UTC)
	m := &memBuckets{hours: map[int64]*HourUsage{}}
	g := &Guard{Buckets: m, Now: func() time.Time { return now }}
	ctx := context.Background()
	if err := g.Reserve(ctx, "a", QuotaLimits{Messages: 1}, 3); err != nil {
		t.Fatal(err)
	}
	if err := g.Release(ctx, "a", 3); err != nil {
		t.Fatal(err)
	}
	if err := g.Reserve(ctx, "a", QuotaLimits{Messages: 1}, 3); err != nil {
		t.Fatalf("after release: %v", err)
	}
	if err := g.Block(ctx, "a", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	adds := m.adds
	e := AsError(g.Reserve(ctx, "a", QuotaLimits{}, 1))
	if e == nil || e.Code != CodeRateLimited || e.RetryAfter != time.Hour || m.adds != adds {
		t.Fatalf("blocked: %v (%v), %d writes", e, e.RetryAfter, m.adds-adds)
	}
	// Another instance (a fresh guard) sees the block through the bucket.
	other := &Guard{Buckets: m, Now: func() time.Time { return now }}
	if e := AsError(other.Reserve(ctx, "a", QuotaLimits{}, 1)); e == nil || e.Code != CodeRateLimited {
		t.Fatalf("other instance: %v", e)
	}
}
