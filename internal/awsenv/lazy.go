package awsenv

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Lazy is a value (an AWS client) built on first use and kept for every
// later one. Unlike sync.Once, a build that fails keeps nothing: the next
// Get tries again, so a configuration that was missing at a cold start
// (or a credential endpoint that did not answer) does not fail the
// environment for its whole life. Safe for concurrent use; builds never
// overlap.
type Lazy[T any] struct {
	mu    sync.Mutex
	build func(ctx context.Context) (T, error)
	value T
	built bool
}

// NewLazy returns a Lazy that build makes on first use.
func NewLazy[T any](build func(ctx context.Context) (T, error)) *Lazy[T] {
	return &Lazy[T]{build: build}
}

// Ready returns a Lazy that holds v already (a client tests point at a
// stand-in).
func Ready[T any](v T) *Lazy[T] { return &Lazy[T]{value: v, built: true} }

// LazyClient is the client of svc that newClient makes from the
// environment's configuration (Load, each call tried at most maxAttempts
// times), loaded on first use.
func LazyClient[T any](svc Service, maxAttempts int, newClient func(aws.Config) T) *Lazy[T] {
	return NewLazy(func(context.Context) (T, error) {
		cfg, err := Load(svc, maxAttempts)
		if err != nil {
			var zero T
			return zero, err
		}
		return newClient(cfg), nil
	})
}

// Get returns the value, building it if no build has succeeded yet; a
// failed build's error is returned and nothing is kept.
func (l *Lazy[T]) Get(ctx context.Context) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.built {
		return l.value, nil
	}
	v, err := l.build(ctx)
	if err != nil {
		return v, err // not kept: the next call tries again
	}
	l.value, l.built = v, true
	return v, nil
}
