package gmailsend

import (
	"context"
	"testing"
	"time"
)

type ctxKey struct{}

// TestWriteContextOutlivesItsCaller ensures a write context is live after its caller's context is cancelled, keeps its values, and ends by WriteTimeout.
func TestWriteContextOutlivesItsCaller(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	cancelParent()
	ctx, cancel := WriteContext(parent)
	defer cancel()
	if ctx.Err() != nil || ctx.Value(ctxKey{}) != "v" {
		t.Fatalf("err %v value %v", ctx.Err(), ctx.Value(ctxKey{}))
	}
	dl, ok := ctx.Deadline()
	if !ok || time.Until(dl) > WriteTimeout || time.Until(dl) < WriteTimeout-time.Second {
		t.Fatalf("deadline in %v", time.Until(dl))
	}
}
