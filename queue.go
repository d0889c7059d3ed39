package gmailsend

import (
	"context"
	"errors"
	"time"
)

// ErrStatusChanged: a transition found the record in a status it may not
// leave that way (a cancel that lost to the consumer, or the reverse).
var ErrStatusChanged = errors.New("store: the record's status changed meanwhile")

// Transitions moves a record between statuses with one conditional write,
// so a cancel and the queue's consumer never both win.
type Transitions interface {
	// Move writes r (its new status included) only while the stored
	// record's status is one of from; else ErrStatusChanged.
	Move(ctx context.Context, r *Record, from ...Status) error
	// BeginFrom moves a queued or scheduled record whose fingerprint is
	// fingerprint ("" matches any) to sending under token and returns it
	// with the status it left (a sending claim whose holder died may be
	// taken over too); ErrStatusChanged when it is in any other status,
	// holds another request, or is absent.
	BeginFrom(ctx context.Context, id, fingerprint, token string, leaseUntil, now time.Time) (*Record, Status, error)
}

// QueueMessage is one message for the send queue: ID is the record's id,
// Body the queued request.
type QueueMessage struct {
	ID   string
	Body string
}

// QueueFailure is a message that is not on the queue, with why.
type QueueFailure struct {
	ID  string
	Err *Error
}

// Queue puts messages on the send queue (internal/sqsqueue implements it
// with SQS), reporting each message it could not queue.
type Queue interface {
	Enqueue(ctx context.Context, msgs []QueueMessage) []QueueFailure
}

// ErrNoSchedule: the schedule does not exist (it fired, or never was).
var ErrNoSchedule = errors.New("store: no such schedule")

// Schedules makes the one-time schedules of scheduled sends
// (internal/awsscheduler implements it with EventBridge Scheduler): at
// the time, the schedule puts body on the send queue. A schedule is named
// by its record's id and the request's fingerprint, so a retry that
// corrects the request (same idempotency key, other content) makes a new
// schedule instead of finding the old one and taking it for its own.
type Schedules interface {
	// Create makes the schedule, or finds it made already with the same
	// time and body (a retried call); any other schedule of that name is
	// an error.
	Create(ctx context.Context, id, fingerprint string, at time.Time, body string) error
	// Delete removes the schedule (ErrNoSchedule when it is gone).
	Delete(ctx context.Context, id, fingerprint string) error
}
