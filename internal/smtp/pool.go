package smtp

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// pool keeps authenticated sessions between sends, per server and
// credential. A warm Lambda process reuses them across invocations; a batch
// reuses them across records.
type pool struct {
	mu          sync.Mutex
	idle        map[string][]*session
	maxPerKey   int
	idleTimeout time.Duration
	// now is the clock idle times are measured with; tests replace it so
	// they need not sleep.
	now func() time.Time
}

func newPool(maxPerKey int, idleTimeout time.Duration) *pool {
	return &pool{idle: map[string][]*session{}, maxPerKey: maxPerKey, idleTimeout: idleTimeout, now: time.Now}
}

// sessionKey identifies what a session is authenticated as. The secret is
// hashed in, so a rotated password or a new token never reuses a session
// opened with the old one, and no secret is kept as a map key.
func sessionKey(cfg Config, c Credentials) string {
	h := sha256.New()
	for _, part := range []string{cfg.address(), c.User, c.Password, c.AccessToken} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// get returns the most recently used live session for key, closing any
// that have idled too long, or nil.
func (p *pool) get(key string) *session {
	var found *session
	var expired []*session
	p.mu.Lock()
	list := p.idle[key]
	for len(list) > 0 && found == nil {
		s := list[len(list)-1]
		list = list[:len(list)-1]
		if p.now().Sub(s.lastUsed) <= p.idleTimeout {
			found = s
		} else {
			expired = append(expired, s)
		}
	}
	if len(list) > 0 {
		p.idle[key] = list
	} else {
		delete(p.idle, key)
	}
	p.mu.Unlock()
	for _, s := range expired { // outside the lock: close may wait on the network
		s.close()
	}
	return found
}

// oneFlightReady reports whether a kept session would take its next
// single-recipient message in one flight (chunking.go, oneFlight): one
// that offers CHUNKING and PIPELINING and was used within oneFlightIdle.
func (p *pool) oneFlightReady() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, list := range p.idle {
		for _, s := range list {
			if s.chunking && s.pipelining && p.now().Sub(s.lastUsed) <= min(oneFlightIdle, p.idleTimeout) {
				return true
			}
		}
	}
	return false
}

// put keeps s for reuse and reports whether it did; the caller closes a
// session the pool did not take.
func (p *pool) put(s *session) bool {
	if p.idleTimeout <= 0 || s.broken {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle[s.key]) >= p.maxPerKey {
		return false
	}
	s.needsReset = true // the next user checks the session with RSET
	s.lastUsed = p.now()
	p.idle[s.key] = append(p.idle[s.key], s)
	return true
}

// evict closes every kept session for key (after an authentication
// failure for that credential).
func (p *pool) evict(key string) {
	p.mu.Lock()
	list := p.idle[key]
	delete(p.idle, key)
	p.mu.Unlock()
	for _, s := range list {
		s.close()
	}
}

// closeAll closes every kept session (on SIGTERM).
func (p *pool) closeAll() {
	p.mu.Lock()
	all := p.idle
	p.idle = map[string][]*session{}
	p.mu.Unlock()
	for _, list := range all {
		for _, s := range list {
			s.close()
		}
	}
}

// size is the number of kept sessions.
func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.idle {
		n += len(l)
	}
	return n
}
