package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// Sender makes one delivery attempt; *standardwebhooks.Client is one.
type Sender interface {
	Deliver(ctx context.Context, d standardwebhooks.Delivery) standardwebhooks.Outcome
}

var _ Sender = (*standardwebhooks.Client)(nil)

// Action is what the queue's consumer does with a delivery after an
// attempt.
type Action int

const (
	// Done: delete the message (delivered, or dropped for a reason).
	Done Action = iota
	// RetryAfter: make the message visible again after Result.Delay
	// (ChangeMessageVisibility) and report it failed, so SQS hands it
	// back then.
	RetryAfter
	// GiveUp: report it failed without changing its visibility: the
	// schedule is spent (or it cannot be read), and the queue's redrive
	// policy moves it to the dead-letter queue after MaxReceives.
	GiveUp
)

// Result is what became of one delivery, for the consumer and its log.
// Reason and Code are safe to log: no URL, body or secret.
type Result struct {
	Action Action
	Delay  time.Duration
	// Reason is "delivered", "endpoint_deleted", "endpoint_disabled",
	// "gone", "failed" or "unavailable".
	Reason string
	Status int
	Code   string
	Err    error
	// Elapsed is how long the attempt at the receiver took, from the
	// address check to the answer read (the receiver's response time);
	// 0 when no attempt was made.
	Elapsed time.Duration
}

// Deliverer is the use case of the webhook queue's consumer: one queued
// delivery, one attempt, its outcome recorded on the endpoint.
type Deliverer struct {
	Store  Store
	Seal   Sealer
	Client Sender
	Now    Clock
}

// Deliver makes the attempt number receiveCount (SQS's
// ApproximateReceiveCount: 1 on the first) of job.
func (d *Deliverer) Deliver(ctx context.Context, job statusevents.Delivery, receiveCount int) Result {
	st, err := d.Store.WebhookEndpoint(ctx, job.Caller, job.Endpoint)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return Result{Action: Done, Reason: "endpoint_deleted"}
	}
	if err != nil {
		return unavailable(err)
	}
	if !st.Enabled {
		return Result{Action: Done, Reason: "endpoint_disabled"}
	}
	list, err := openSecrets(ctx, d.Seal, st)
	if err != nil {
		return unavailable(err)
	}
	payload, err := json.Marshal(job.Event)
	if err != nil {
		return Result{Action: GiveUp, Reason: "unavailable", Err: err}
	}
	now := d.Now.now()
	// Measured on the monotonic clock, not d.Now: tests fix that one.
	started := time.Now()
	out := d.Client.Deliver(ctx, standardwebhooks.Delivery{URL: st.URL, Secrets: activeAt(list, now),
		EventID: job.Event.ID, Payload: payload, At: now})
	elapsed := time.Since(started)
	if out.Delivered {
		// Success writes nothing: the common case costs one read.
		return Result{Action: Done, Reason: "delivered", Status: out.Status, Elapsed: elapsed}
	}
	failure := Failure{At: now.Truncate(time.Millisecond), EventID: job.Event.ID, EventType: job.Event.Type,
		Attempt: receiveCount, Status: out.Status, Code: string(out.Code)}
	res := Result{Status: out.Status, Code: string(out.Code), Err: out.Err, Elapsed: elapsed}
	c := Change{Caller: st.Caller, ID: st.ID, Failures: withFailure(st.Failures, failure)}
	if out.Gone {
		c.Kind, c.Reason = Disabled, ReasonGone
		res.Action, res.Reason = Done, ReasonGone
	} else {
		c.Kind = FailureRecorded
		res.Reason = "failed"
		res.Action, res.Delay = nextStep(receiveCount)
	}
	// Losing the record is better than losing the decision: a failure
	// to write it joins the error the caller logs, and the schedule goes
	// on. ErrNotFound: deleted meanwhile, nothing to record on.
	if err := commit(ctx, d.Store, c); err != nil && !errors.Is(err, gmailsend.ErrNotFound) {
		res.Err = errors.Join(res.Err, err)
	}
	return res
}

// nextStep follows the Standard Webhooks schedule: after attempt n the
// delay NextAttempt gives, until it is spent.
func nextStep(receiveCount int) (Action, time.Duration) {
	if delay, ok := standardwebhooks.NextAttempt(receiveCount); ok && receiveCount < MaxReceives {
		return RetryAfter, delay
	}
	return GiveUp, 0
}

// unavailable is a failure of ours (the table, the key), not the
// receiver's: the message comes back after the queue's visibility
// timeout, and counts toward the dead-letter queue like any receive.
func unavailable(err error) Result {
	return Result{Action: GiveUp, Reason: "unavailable", Code: string(gmailsend.CodeOf(err)), Err: err}
}
