package credential

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// cache keeps parsed secrets for a TTL. Concurrent misses for one name
// share a single fetch, so a burst of cold invocations in one process makes
// one call to the secret store.
type cache struct {
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]cacheEntry
	group   singleflight.Group
}

type cacheEntry struct {
	secret  *Secret
	expires time.Time
}

func newCache(ttl time.Duration) *cache {
	return &cache{ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
}

// get returns the cached secret for name or loads it with load.
func (c *cache) get(ctx context.Context, name string, load func(context.Context) (*Secret, error)) (*Secret, error) {
	c.mu.Lock()
	e, ok := c.entries[name]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.secret, nil
	}
	v, err, _ := c.group.Do(name, func() (any, error) {
		s, err := load(ctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.entries[name] = cacheEntry{secret: s, expires: c.now().Add(c.ttl)}
		c.mu.Unlock()
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Secret), nil
}

// evict forgets name, so the next send fetches it again (a rotated
// password is picked up at once after an authentication failure).
func (c *cache) evict(name string) {
	c.mu.Lock()
	delete(c.entries, name)
	c.mu.Unlock()
	c.group.Forget(name)
}
