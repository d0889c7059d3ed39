package eventbridge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/gmailsend/gmailsend/internal/awsenv"
)

// Service names the endpoint variable of EventBridge in the awsenv
// convention: AWS_ENDPOINT_URL_EVENTBRIDGE (the SDK ID is "EventBridge").
const Service awsenv.Service = "EVENTBRIDGE"

// Entry is one event to put.
type Entry struct {
	Bus        string    // the bus's name or ARN; "" is the account's default bus
	Source     string    // e.g. "gmailsend"
	DetailType string    // the event type, e.g. "message.sent"
	Detail     []byte    // a JSON object
	Time       time.Time // when it happened; zero lets EventBridge stamp the call's time
	Resources  []string  // ARNs the event concerns; may be empty
}

// API is the EventBridge call Put makes; IAM allows events:PutEvents on
// the status bus only.
type API interface {
	PutEvents(ctx context.Context, in *sdk.PutEventsInput, optFns ...func(*sdk.Options)) (*sdk.PutEventsOutput, error)
}

var _ API = (*sdk.Client)(nil)

// Publisher puts events on EventBridge. Safe for concurrent use.
type Publisher struct {
	// Attempts is how often an entry is offered before Put reports it (4
	// when zero).
	Attempts int
	// CallTimeout bounds each PutEvents call inside the caller's deadline
	// (5 s when zero), so one stalled call leaves time for a retry.
	CallTimeout time.Duration

	api *awsenv.Lazy[API]
}

// New returns a publisher reached through the environment's (awsenv)
// configuration, loaded on first use. The SDK tries each call once: Put
// retries itself, entry by entry, so attempts do not multiply and the
// caller's deadline is the only clock.
func New() *Publisher {
	return &Publisher{api: awsenv.LazyClient(Service, 1, func(cfg aws.Config) API { return sdk.NewFromConfig(cfg) })}
}

// NewWithAPI returns a publisher over a ready client.
func NewWithAPI(api API) *Publisher { return &Publisher{api: awsenv.Ready(api)} }

// Put puts entries on their buses, ten (or 256 KiB) per call, in order.
// Entries EventBridge fails with a transient code (throttling, its own
// faults), and those of a call that failed whole in a way that may pass,
// are offered again after a short backoff, up to Attempts times and never
// past ctx's deadline. What still was not put is returned as a *PutError.
// An entry over 256 KiB can never be put: Put then sends nothing and
// returns ErrEntryTooLarge.
func (p *Publisher) Put(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	sizes, err := entrySizes(entries)
	if err != nil {
		return err
	}
	api, err := p.api.Get(ctx)
	if err != nil {
		return fmt.Errorf("eventbridge: loading the AWS configuration: %w", err)
	}
	pending := make([]int, len(entries))
	for i := range pending {
		pending[i] = i
	}
	attempts := p.attempts()
	var given []failure // not to be offered again
	var cause error
	attempt := 1
	for ; ; attempt++ {
		failed, callErr := p.putAll(ctx, api, entries, sizes, pending)
		if callErr != nil {
			cause = callErr
		}
		var retry []failure
		for _, f := range failed {
			if f.retryable {
				retry = append(retry, f)
			} else {
				given = append(given, f)
			}
		}
		if len(retry) == 0 || attempt == attempts {
			given = append(given, retry...)
			break
		}
		if !pause(ctx, backoff(attempt)) {
			given = append(given, retry...)
			if ctx.Err() != nil {
				cause = ctx.Err()
			}
			break
		}
		pending = pending[:0]
		for _, f := range retry {
			pending = append(pending, f.index)
		}
	}
	if len(given) == 0 {
		return nil
	}
	return newPutError(given, len(entries), attempt, cause)
}

func (p *Publisher) attempts() int {
	if p.Attempts <= 0 {
		return 4
	}
	return p.Attempts
}

func (p *Publisher) callTimeout() time.Duration {
	if p.CallTimeout <= 0 {
		return 5 * time.Second
	}
	return p.CallTimeout
}

// backoff is the pause before attempt+1: 50 ms doubled each time, capped
// at 1 s, with up to half of it random so throttled callers spread out.
func backoff(attempt int) time.Duration {
	d := 50 * time.Millisecond << min(attempt-1, 5)
	d = min(d, time.Second)
	return d/2 + rand.N(d/2+1)
}

// pause waits d unless ctx ends first, or would end before d is over (a
// retry that cannot finish in time is not worth the wait).
func pause(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
