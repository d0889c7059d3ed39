package webhooks

import (
	"context"
	"slices"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// Limits of the registry.
const (
	// MaxEndpoints is how many endpoints one API key may register.
	MaxEndpoints = 10
	// MaxDescription bounds an endpoint's description, in characters.
	MaxDescription = 256
	// MaxURLBytes bounds a webhook URL.
	MaxURLBytes = 2048
	// MaxCredentials bounds the stored credentials one endpoint follows
	// the suppression lists of.
	MaxCredentials = 10
	// MaxFailures is how many recent delivery failures an endpoint keeps.
	MaxFailures = 10
	// RotationGrace is how long a rotated-out secret keeps signing, so a
	// receiver can switch to the new one without dropping deliveries.
	RotationGrace = 24 * time.Hour
	// MaxReceives is WebhookQueue's maxReceiveCount in template.yaml (a
	// test holds them equal): the receive on which the retry schedule
	// (standardwebhooks.NextAttempt) is spent, after which SQS moves the
	// delivery to WebhookDeadLetterQueue.
	MaxReceives = 8
)

// ReasonGone is the disabledReason of an endpoint whose receiver answered
// 410 Gone: the receiver asked to stop.
const ReasonGone = "gone"

// Endpoint is one registered webhook endpoint as its owner sees it.
type Endpoint struct {
	ID     string `json:"id"`
	Caller string `json:"-"`
	URL    string `json:"url"`
	// Events are the types it receives; empty means every type, including
	// types added later.
	Events      []gmailsend.EventType `json:"events"`
	Description string                `json:"description"`
	// Credentials are the stored credentials whose suppression lists'
	// changes (recipient.suppressed, recipient.unsuppressed) the endpoint
	// receives; the caller was allowed to use each when it registered.
	Credentials []string `json:"credentials"`
	// Accounts are those credentials' account keys (bounce.AccountKey of
	// their mailbox, what gmailsend.SuppressionChange.Account carries),
	// resolved at registration: the fan-out matches a suppression event
	// by them.
	Accounts       []string  `json:"-"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabledReason,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	// Failures are the latest delivery failures, newest first, at most
	// MaxFailures.
	Failures []Failure `json:"-"`
}

// Follows reports whether the endpoint receives the suppression events of
// account (a bounce.AccountKey).
func (e *Endpoint) Follows(account string) bool {
	return account != "" && slices.Contains(e.Accounts, account)
}

// Receives reports whether the endpoint takes events of type t.
func (e *Endpoint) Receives(t gmailsend.EventType) bool {
	if !e.Enabled {
		return false
	}
	if len(e.Events) == 0 {
		return true
	}
	for _, x := range e.Events {
		if x == t {
			return true
		}
	}
	return false
}

// Failure is one failed delivery attempt. It holds no body, secret or
// URL: only what identifies the attempt and how it failed.
type Failure struct {
	At        time.Time           `json:"at"`
	EventID   string              `json:"eventId"`
	EventType gmailsend.EventType `json:"eventType"`
	Attempt   int                 `json:"attempt"`
	Status    int                 `json:"status"`
	Code      string              `json:"code"`
}

// Stored is an endpoint as the store keeps it: with its signing secrets
// sealed (Sealer) and the version that rotations are conditional on.
type Stored struct {
	Endpoint
	SealedSecrets  []byte
	SecretsVersion int
}

// Store keeps endpoints; *dynamostore.Table is one.
type Store interface {
	// WebhookEndpoints returns caller's endpoints.
	WebhookEndpoints(ctx context.Context, caller string) ([]Stored, error)
	// WebhookEndpoint returns one (gmailsend.ErrNotFound when caller has
	// none with that id).
	WebhookEndpoint(ctx context.Context, caller, id string) (*Stored, error)
	// AddAccountSubscriber records that caller has an endpoint following
	// account's suppression list (idempotent). It is an index for the
	// fan-out, never the truth: the endpoint's own Accounts are.
	AddAccountSubscriber(ctx context.Context, account, caller string) error
	// AccountSubscribers returns the callers recorded for account, some
	// perhaps without such an endpoint any more.
	AccountSubscribers(ctx context.Context, account string) ([]string, error)
	// ApplyWebhookChange writes c, the one write of an endpoint. It
	// returns gmailsend.ErrNotFound when c needs the endpoint and it is
	// gone, and gmailsend.ErrStatusChanged when c is conditional on the
	// secrets' version and another change came first.
	ApplyWebhookChange(ctx context.Context, c Change) error
}

// Sealer encrypts secrets at rest, bound to a context (the item's key):
// a ciphertext moved to another item does not open there.
type Sealer interface {
	Seal(ctx context.Context, plaintext, context []byte) ([]byte, error)
	Open(ctx context.Context, ciphertext, context []byte) ([]byte, error)
}

// Queue queues deliveries for the deliverer; *sqsqueue.WebhookQueue is one.
type Queue interface {
	Enqueue(ctx context.Context, ds []statusevents.Delivery) error
}

var _ statusevents.Deliveries = Queue(nil)

// Clock is the time; the use cases take one so tests can move it.
type Clock func() time.Time

func (c Clock) now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
