package gmailsend

import (
	"context"
	"time"
)

// WriteTimeout bounds a write made after its caller may have given up.
const WriteTimeout = 2 * time.Second

// WriteContext is the context of a durable write that must land even when
// ctx is cancelled or past its deadline (an outcome, a quota release, a
// checkpoint): losing it costs more than the caller's deadline saves, e.g.
// a record left "sending" replays in_progress until its lease ends. It
// keeps ctx's values, drops its cancellation and is bounded by
// WriteTimeout on its own.
func WriteContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), WriteTimeout)
}
