package gmailsend

import (
	"context"
	"testing"
	"time"
)

// countingBuckets is an in-memory QuotaBuckets, by hand: one account's hours.
type countingBuckets struct{ hours map[int64]HourUsage }

func (b *countingBuckets) PastHours(_ context.Context, _ string, from, to int64) ([]HourUsage, error) {
	var out []HourUsage
	for h := from; h <= to; h++ {
		if u, ok := b.hours[h]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}

func (b *countingBuckets) Add(_ context.Context, _ string, hour int64, add, max Usage, _ time.Time) (HourUsage, error) {
	cur := b.hours[hour]
	cur.Hour = hour
	if cur.Messages+add.Messages > max.Messages || cur.Recipients+add.Recipients > max.Recipients {
		return cur, ErrBucketFull
	}
	cur.Messages += add.Messages
	cur.Recipients += add.Recipients
	b.hours[hour] = cur
	return cur, nil
}

func (b *countingBuckets) Block(context.Context, string, int64, time.Time) error { return nil }

// TestObserveHearsUseOfTheWindow ensures each reservation reports the window's use including the earlier hours and itself, and a refusal reports the full use, for the QuotaUsedPercent metric.
func TestObserveHearsUseOfTheWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	hour := now.Unix() / 3600
	b := &countingBuckets{hours: map[int64]HourUsage{hour - 3: {Hour: hour - 3, Usage: Usage{Messages: 2, Recipients: 4}}}}
	var heard []Usage
	g := &Guard{Buckets: b, Now: func() time.Time { return now }, Observe: func(account string, used Usage, limits QuotaLimits) {
		if account != "addr:1" || limits.Messages != 4 {
			t.Errorf("heard %q %+v", account, limits)
		}
		heard = append(heard, used)
	}}
	for i := 0; i < 3; i++ {
		err := g.Reserve(context.Background(), "addr:1", QuotaLimits{Messages: 4}, 1)
		if (err != nil) != (i == 2) {
			t.Fatalf("reservation %d: %v", i, err)
		}
	}
	want := []Usage{{3, 5}, {4, 6}, {4, 6}}
	if len(heard) != len(want) {
		t.Fatalf("heard %+v", heard)
	}
	for i := range want {
		if heard[i] != want[i] {
			t.Fatalf("heard %+v, want %+v", heard, want)
		}
	}
	// Earlier hours alone used the window up: refused before any write, still heard.
	b.hours[hour-2] = HourUsage{Hour: hour - 2, Usage: Usage{Messages: 2, Recipients: 2}}
	g2 := &Guard{Buckets: b, Now: func() time.Time { return now.Add(time.Hour) }, Observe: g.Observe}
	heard = nil
	if err := g2.Reserve(context.Background(), "addr:1", QuotaLimits{Messages: 4}, 1); err == nil {
		t.Fatal("reserved past the limit")
	}
	if len(heard) != 1 || heard[0].Messages < 4 {
		t.Fatalf("the refusal was not heard: %+v", heard)
	}
}

// TestFullestPicksTheTighterLimit ensures the share reported is the one closer to its limit, and nothing when no limit is set.
func TestFullestPicksTheTighterLimit(t *testing.T) {
	cases := []struct {
		used       Usage
		limits     QuotaLimits
		used2, lim int
	}{
		{Usage{40, 90}, QuotaLimits{500, 100}, 90, 100},
		{Usage{450, 90}, QuotaLimits{500, 1000}, 450, 500},
		{Usage{3, 7}, QuotaLimits{10, 0}, 3, 10},
		{Usage{3, 7}, QuotaLimits{0, 10}, 7, 10},
		{Usage{3, 7}, QuotaLimits{}, 0, 0},
	}
	for _, c := range cases {
		if u, l := Fullest(c.used, c.limits); u != c.used2 || l != c.lim {
			t.Errorf("%+v %+v → %d/%d, want %d/%d", c.used, c.limits, u, l, c.used2, c.lim)
		}
	}
}
