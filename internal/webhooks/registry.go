package webhooks

import (
	"context"
	"errors"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// Registry is the use case of /webhooks: one API key's endpoints,
// registered, listed, read, deleted, their secret rotated, and a test
// event sent. Another key's endpoint is not found, exactly like an
// unknown id, so ids reveal nothing across keys.
type Registry struct {
	Store Store
	Seal  Sealer
	// Queue takes test events; nil refuses POST /webhooks/{id}/test.
	Queue Queue
	// URLs is the policy a URL is checked with at registration (and the
	// deliverer's client checks it again before every attempt).
	URLs standardwebhooks.URLPolicy
	// Accounts checks the credentials an endpoint follows; nil refuses
	// credentials (credential_not_found).
	Accounts CredentialAccounts
	Now      Clock
}

// Registered is a new endpoint with its secret, which only Create and Rotate
// ever return.
type Registered struct {
	Endpoint
	Secret string `json:"secret"`
}

// RotatedSecret is the answer to a rotation.
type RotatedSecret struct {
	ID                      string    `json:"id"`
	Secret                  string    `json:"secret"`
	PreviousSecretExpiresAt time.Time `json:"previousSecretExpiresAt"`
}

func (r *Registry) ready(caller string) error {
	if r == nil || r.Store == nil || r.Seal == nil {
		return gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "webhooks need the message table and the webhook queue; set MESSAGES_TABLE and WEBHOOK_QUEUE_URL")
	}
	if caller == "" {
		// Events name their caller by API key id; an endpoint of no key
		// would never receive one.
		return gmailsend.Errorf(gmailsend.CodeForbidden, "", "webhooks belong to an API key; call the REST API with x-api-key")
	}
	return nil
}

func notFound() error {
	return gmailsend.Errorf(gmailsend.CodeWebhookNotFound, "id", "no webhook endpoint with this id")
}

// Create registers an endpoint: the URL passes the address guard, the
// events are known types, the description fits, and one of the caller's
// MaxEndpoints slots is free. The secret is returned here and by Rotate only.
func (r *Registry) Create(ctx context.Context, caller string, in CreateInput) (*Registered, error) {
	if err := r.ready(caller); err != nil {
		return nil, err
	}
	e, err := r.checkInput(ctx, caller, in)
	if err != nil {
		return nil, err
	}
	e.Caller, e.Enabled, e.CreatedAt = caller, true, r.Now.now().Truncate(time.Millisecond)
	secret := standardwebhooks.NewSecret()
	if err := r.register(ctx, e, secret); err != nil {
		return nil, err
	}
	return &Registered{Endpoint: *e, Secret: secret}, nil
}

// List returns the caller's endpoints, without failures or secrets.
func (r *Registry) List(ctx context.Context, caller string) ([]Endpoint, error) {
	if err := r.ready(caller); err != nil {
		return nil, err
	}
	list, err := r.Store.WebhookEndpoints(ctx, caller)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, 0, len(list))
	for _, s := range list {
		out = append(out, s.Endpoint)
	}
	return out, nil
}

// Get returns one endpoint with its recent failures.
func (r *Registry) Get(ctx context.Context, caller, id string) (*Endpoint, error) {
	st, err := r.load(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	return &st.Endpoint, nil
}

func (r *Registry) load(ctx context.Context, caller, id string) (*Stored, error) {
	if err := r.ready(caller); err != nil {
		return nil, err
	}
	if !validEndpointID(id) {
		return nil, notFound()
	}
	st, err := r.Store.WebhookEndpoint(ctx, caller, id)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return nil, notFound()
	}
	return st, err
}

// Delete removes an endpoint; deliveries already queued for it are
// dropped by the deliverer.
func (r *Registry) Delete(ctx context.Context, caller, id string) error {
	if err := r.ready(caller); err != nil {
		return err
	}
	if !validEndpointID(id) {
		return notFound()
	}
	err := commit(ctx, r.Store, Change{Kind: Deleted, Caller: caller, ID: id})
	if errors.Is(err, gmailsend.ErrNotFound) {
		return notFound()
	}
	return err
}

// Rotate gives the endpoint a new secret; the one it replaces keeps
// signing for RotationGrace, so deliveries carry both signatures until
// the receiver has switched.
func (r *Registry) Rotate(ctx context.Context, caller, id string) (*RotatedSecret, error) {
	for attempt := 0; ; attempt++ {
		st, err := r.load(ctx, caller, id)
		if err != nil {
			return nil, err
		}
		list, err := openSecrets(ctx, r.Seal, st)
		if err != nil {
			return nil, err
		}
		fresh := standardwebhooks.NewSecret()
		next, expires := rotated(list, fresh, r.Now.now().Truncate(time.Millisecond))
		sealed, err := sealSecrets(ctx, r.Seal, caller, id, next)
		if err != nil {
			return nil, err
		}
		err = commit(ctx, r.Store, Change{Kind: Rotated, Caller: caller, ID: id, SealedSecrets: sealed, SecretsVersion: st.SecretsVersion + 1})
		switch {
		case err == nil:
			return &RotatedSecret{ID: id, Secret: fresh, PreviousSecretExpiresAt: expires}, nil
		case errors.Is(err, gmailsend.ErrNotFound):
			return nil, notFound()
		case errors.Is(err, gmailsend.ErrStatusChanged) && attempt < 2:
			continue // another rotation won: rotate what it left
		default:
			return nil, err
		}
	}
}

// Enable turns the endpoint back on after its receiver answered 410 Gone
// (or leaves an enabled one as it is) and returns it: the disabled reason
// goes, the secret and the recent failures stay, so the receiver keeps
// verifying with the secret it has. Deliveries dropped while it was
// disabled are not sent again.
func (r *Registry) Enable(ctx context.Context, caller, id string) (*Endpoint, error) {
	st, err := r.load(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if !st.Enabled {
		err = commit(ctx, r.Store, Change{Kind: Reenabled, Caller: caller, ID: id})
		if errors.Is(err, gmailsend.ErrNotFound) {
			return nil, notFound()
		}
		if err != nil {
			return nil, err
		}
		st.Enabled, st.DisabledReason = true, ""
	}
	return &st.Endpoint, nil
}

// Test queues a webhook.test event to the endpoint, through the same
// queue and deliverer as every event. It returns the event's id.
func (r *Registry) Test(ctx context.Context, caller, id string) (string, error) {
	st, err := r.load(ctx, caller, id)
	if err != nil {
		return "", err
	}
	if r.Queue == nil {
		return "", gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "test events need the webhook queue; set WEBHOOK_QUEUE_URL")
	}
	if !st.Enabled {
		return "", gmailsend.Errorf(gmailsend.CodeWebhookDisabled, "id", "this endpoint is disabled (%s); enable it again with POST /webhooks/{id}/enable", st.DisabledReason)
	}
	now := r.Now.now().Truncate(time.Millisecond)
	ev := gmailsend.Event{ID: gmailsend.EventID(string(gmailsend.EventWebhookTest), caller, id, now), Type: gmailsend.EventWebhookTest, Timestamp: now}
	if err := r.Queue.Enqueue(ctx, []statusevents.Delivery{{Caller: caller, Endpoint: id, Event: ev}}); err != nil {
		return "", err
	}
	return ev.ID, nil
}

func validEndpointID(id string) bool {
	_, ok := SlotOf(id)
	return ok
}
