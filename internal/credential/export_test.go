package credential

import "time"

// SetClock replaces the cache's clock, to expire entries without sleeping.
func (r *Resolver) SetClock(now func() time.Time) { r.cache.now = now }
