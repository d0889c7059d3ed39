package webhooks

import (
	"context"
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

// maxCachedCallers bounds the cache; past it, it starts over.
const maxCachedCallers = 1000

// Subscriptions answers the fan-out's question "which endpoints of this
// caller take this event type" (statusevents.Endpoints), from a cache of
// each caller's endpoints kept TTL: a stream batch of a hundred events of
// one caller costs one Query, not a hundred.
type Subscriptions struct {
	Store Store
	TTL   time.Duration
	Now   Clock

	mu    sync.Mutex
	cache map[string]cachedEndpoints
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

func (s *Subscriptions) endpoints(ctx context.Context, caller string) ([]Endpoint, error) {
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultSubscriptionTTL
	}
	now := s.Now.now()
	s.mu.Lock()
	c, ok := s.cache[caller]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < ttl && !now.Before(c.at) {
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
