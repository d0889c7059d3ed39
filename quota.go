package gmailsend

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Window is how far back the quota counts: Gmail's limits are per rolling
// 24 hours. It is kept in whole hours: a send counts until its hour has
// left the window, so a limit frees up to an hour later than an exact
// rolling window would, never earlier.
const Window = 24

// Usage is messages and recipients counted against a limit.
type Usage struct{ Messages, Recipients int }

// QuotaLimits bound an account over the window; 0 means no bound.
type QuotaLimits struct{ Messages, Recipients int }

// HourUsage is one hour bucket of an account.
type HourUsage struct {
	Hour int64 // hours since the Unix epoch
	Usage
	// BlockedUntil is set when Gmail refused the account for its limit.
	BlockedUntil time.Time
}

// ErrBucketFull: adding to the current hour would cross the headroom.
// ErrBucketBlocked: the bucket holds a block that has not ended.
var (
	ErrBucketFull    = errors.New("store: the quota headroom is used up")
	ErrBucketBlocked = errors.New("store: the account is blocked")
)

// QuotaBuckets keeps hour buckets per account.
type QuotaBuckets interface {
	// PastHours returns the buckets of hours from..to (inclusive).
	PastHours(ctx context.Context, account string, from, to int64) ([]HourUsage, error)
	// Add adds to the bucket of hour unless that would take it past max
	// or the bucket holds a block after now: one conditional write. It
	// returns the bucket after the addition, or on ErrBucketFull or
	// ErrBucketBlocked the bucket as it is.
	Add(ctx context.Context, account string, hour int64, add, max Usage, now time.Time) (HourUsage, error)
	// Block records that the account is blocked until then, in hour's bucket.
	Block(ctx context.Context, account string, hour int64, until time.Time) error
}

// Guard keeps each account under its daily limits. The past hours of the
// window no longer change, so their sum is read once per account and hour
// and kept in the process; each send then costs one conditional write on
// the current hour's bucket. Safe for concurrent use.
type Guard struct {
	Buckets QuotaBuckets
	Now     func() time.Time
	// Observe, when set, hears an account's use of its window after each
	// reservation (quota_observe.go; the QuotaUsedPercent metric).
	Observe func(account string, used Usage, limits QuotaLimits)

	mu   sync.Mutex
	past map[string]pastHours
}

type pastHours struct {
	hour    int64 // the current hour they were read for
	buckets []HourUsage
	sum     Usage
	blocked time.Time
}

const unbounded = 1 << 40

func (g *Guard) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// Reserve counts one message to recipients against account's limits, or
// refuses with quota_exceeded (retryAfterSeconds: when enough has left the
// window) or, while Gmail's own block lasts, rate_limited.
func (g *Guard) Reserve(ctx context.Context, account string, limits QuotaLimits, recipients int) error {
	now, hour, past, err := g.unblockedPast(ctx, account)
	if err != nil {
		return err
	}
	max := Usage{unbounded, unbounded}
	if limits.Messages > 0 {
		max.Messages = limits.Messages - past.sum.Messages
	}
	if limits.Recipients > 0 {
		max.Recipients = limits.Recipients - past.sum.Recipients
	}
	add := Usage{1, recipients}
	if max.Messages < add.Messages || max.Recipients < add.Recipients {
		g.observe(account, past.sum, HourUsage{}, nil, limits)
		return exceeded(past, HourUsage{Hour: hour}, add, limits, now)
	}
	cur, err := g.Buckets.Add(ctx, account, hour, add, max, now)
	g.observe(account, past.sum, cur, err, limits)
	switch {
	case errors.Is(err, ErrBucketBlocked):
		return blocked(cur.BlockedUntil, now)
	case errors.Is(err, ErrBucketFull):
		return exceeded(past, cur, add, limits, now)
	}
	return err
}

// unblockedPast reads the window's past hours for account as of now (and
// the current hour): rate_limited while Gmail's block lasts, which both
// Reserve and Check answer before counting anything.
func (g *Guard) unblockedPast(ctx context.Context, account string) (now time.Time, hour int64, past pastHours, err error) {
	now = g.now()
	hour = now.Unix() / 3600
	past, err = g.pastFor(ctx, account, hour)
	if err == nil && past.blocked.After(now) {
		err = blocked(past.blocked, now)
	}
	return now, hour, past, err
}

// Release gives back a reservation whose send never reached the server.
func (g *Guard) Release(ctx context.Context, account string, recipients int) error {
	hour := g.now().Unix() / 3600
	// A block does not stop a refund: the far-future "now" passes it.
	_, err := g.Buckets.Add(ctx, account, hour, Usage{-1, -recipients}, Usage{unbounded, unbounded}, time.Unix(unbounded, 0))
	return err
}

// Block records Gmail's refusal of the account until then, so later sends
// fail fast without connecting (here and, through the table, in every
// other instance).
func (g *Guard) Block(ctx context.Context, account string, until time.Time) error {
	hour := g.now().Unix() / 3600
	g.mu.Lock()
	if p, ok := g.past[account]; ok && until.After(p.blocked) {
		p.blocked = until
		g.past[account] = p
	}
	g.mu.Unlock()
	return g.Buckets.Block(ctx, account, hour, until)
}

func (g *Guard) pastFor(ctx context.Context, account string, hour int64) (pastHours, error) {
	g.mu.Lock()
	p, ok := g.past[account]
	g.mu.Unlock()
	if ok && p.hour == hour {
		return p, nil
	}
	buckets, err := g.Buckets.PastHours(ctx, account, hour-Window+1, hour-1)
	if err != nil {
		return pastHours{}, err
	}
	p = pastHours{hour: hour, buckets: buckets}
	for _, b := range buckets {
		p.sum.Messages += b.Messages
		p.sum.Recipients += b.Recipients
		if b.BlockedUntil.After(p.blocked) {
			p.blocked = b.BlockedUntil
		}
	}
	g.mu.Lock()
	if g.past == nil {
		g.past = map[string]pastHours{}
	}
	g.past[account] = p
	g.mu.Unlock()
	return p, nil
}

func blocked(until, now time.Time) error {
	e := Errorf(CodeRateLimited, "", "Gmail refused this account for its sending limit; nothing is sent until the block ends")
	e.RetryAfter = until.Sub(now).Round(time.Second)
	return e
}

// exceeded is quota_exceeded with the time until enough of the oldest
// hours have left the window for this send to fit.
func exceeded(past pastHours, cur HourUsage, add Usage, limits QuotaLimits, now time.Time) error {
	over := func(u Usage) bool {
		return limits.Messages > 0 && u.Messages+add.Messages > limits.Messages ||
			limits.Recipients > 0 && u.Recipients+add.Recipients > limits.Recipients
	}
	total := Usage{past.sum.Messages + cur.Messages, past.sum.Recipients + cur.Recipients}
	// Hour h leaves the window at the start of hour h+Window.
	leaves := time.Unix((cur.Hour+Window)*3600, 0)
	if cur.Hour == 0 {
		leaves = time.Unix((now.Unix()/3600+Window)*3600, 0)
	}
	for _, b := range past.buckets {
		total.Messages -= b.Messages
		total.Recipients -= b.Recipients
		if !over(total) {
			leaves = time.Unix((b.Hour+Window)*3600, 0)
			break
		}
	}
	e := Errorf(CodeQuotaExceeded, "", "this account's daily limit (%d messages, %d recipients over 24 hours; 0: none) would be crossed; nothing was sent",
		limits.Messages, limits.Recipients)
	e.RetryAfter = leaves.Sub(now).Round(time.Second)
	if e.RetryAfter < time.Second {
		e.RetryAfter = time.Second
	}
	return e
}
