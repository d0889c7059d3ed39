package webhooks

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// DefaultSubscriptionTTL is how long the events function keeps a caller's
// endpoint list: a new endpoint starts receiving, and a deleted one stops
// being queued for, within this time (the deliverer drops deliveries to a
// deleted or disabled endpoint anyway).
const DefaultSubscriptionTTL = 30 * time.Second

// maxCachedCallers bounds each cache (callers' endpoints, accounts'
// callers); past it, it starts over.
const maxCachedCallers = 1000

// Subscriptions answers the fan-out's questions "which endpoints of this
// caller take this event type" and "which endpoints follow this account's
// suppression list" (statusevents.Endpoints), from a cache of each
// caller's endpoints and each account's callers kept TTL: a stream batch
// of a hundred events of one caller costs one Query, not a hundred.
type Subscriptions struct {
	Store Store
	TTL   time.Duration
	Now   Clock

	mu       sync.Mutex
	cache    map[string]cachedEndpoints
	accounts map[string]cachedCallers
}

type cachedCallers struct {
	at      time.Time
	callers []string
}

type cachedEndpoints struct {
	at        time.Time
	endpoints []Endpoint
}

var _ statusevents.Endpoints = (*Subscriptions)(nil)

// Subscribed returns the ids of caller's enabled endpoints that take t.
func (s *Subscriptions) Subscribed(ctx context.Context, caller string, t gmailsend.EventType) ([]string, error) {
	list, err := s.endpoints(ctx, caller)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range list {
		if e.Receives(t) {
			ids = append(ids, e.ID)
		}
	}
	return ids, nil
}

// Following returns the enabled endpoints that take t and follow
// account's suppression list: the callers the account's index names, each
// one's endpoints from the same cache as Subscribed, and of those only
// the ones whose own Accounts hold account (the index may name a caller
// whose endpoint is gone). A suppression costs one read of the index per
// TTL, however many changes the batch holds.
func (s *Subscriptions) Following(ctx context.Context, account string, t gmailsend.EventType) ([]statusevents.Target, error) {
	if account == "" {
		return nil, nil
	}
	callers, err := s.callers(ctx, account)
	if err != nil {
		return nil, err
	}
	var out []statusevents.Target
	for _, caller := range callers {
		list, err := s.endpoints(ctx, caller)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if e.Receives(t) && e.Follows(account) {
				out = append(out, statusevents.Target{Caller: caller, Endpoint: e.ID})
			}
		}
	}
	return out, nil
}

func (s *Subscriptions) fresh(at, now time.Time) bool {
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultSubscriptionTTL
	}
	return now.Sub(at) < ttl && !now.Before(at)
}

func (s *Subscriptions) callers(ctx context.Context, account string) ([]string, error) {
	now := s.Now.now()
	s.mu.Lock()
	c, ok := s.accounts[account]
	s.mu.Unlock()
	if ok && s.fresh(c.at, now) {
		return c.callers, nil
	}
	callers, err := s.Store.AccountSubscribers(ctx, account)
	if err != nil {
		return nil, err
	}
	sort.Strings(callers)
	s.mu.Lock()
	if s.accounts == nil || len(s.accounts) >= maxCachedCallers {
		s.accounts = map[string]cachedCallers{}
	}
	s.accounts[account] = cachedCallers{at: now, callers: callers}
	s.mu.Unlock()
	return callers, nil
}

func (s *Subscriptions) endpoints(ctx context.Context, caller string) ([]Endpoint, error) {
	now := s.Now.now()
	s.mu.Lock()
	c, ok := s.cache[caller]
	s.mu.Unlock()
	if ok && s.fresh(c.at, now) {
		return c.endpoints, nil
	}
	stored, err := s.Store.WebhookEndpoints(ctx, caller)
	if err != nil {
		return nil, err
	}
	list := make([]Endpoint, len(stored))
	for i, st := range stored {
		list[i] = st.Endpoint
	}
	s.mu.Lock()
	if s.cache == nil || len(s.cache) >= maxCachedCallers {
		s.cache = map[string]cachedEndpoints{}
	}
	s.cache[caller] = cachedEndpoints{at: now, endpoints: list}
	s.mu.Unlock()
	return list, nil
}
