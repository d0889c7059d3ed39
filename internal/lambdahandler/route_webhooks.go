package lambdahandler

import (
	"context"
	"net/http"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// The webhook endpoints' routes. Endpoints are scoped to the API key like
// message records: a key sees, rotates, tests and deletes only its own.
// A secret is in the answer of POST /webhooks and of rotate only.

// WebhookRegistry is the use case the routes run; *webhooks.Registry is
// one.
type WebhookRegistry interface {
	Create(ctx context.Context, caller string, in webhooks.CreateInput) (*webhooks.Registered, error)
	List(ctx context.Context, caller string) ([]webhooks.Endpoint, error)
	Get(ctx context.Context, caller, id string) (*webhooks.Endpoint, error)
	Delete(ctx context.Context, caller, id string) error
	Rotate(ctx context.Context, caller, id string) (*webhooks.RotatedSecret, error)
	Test(ctx context.Context, caller, id string) (string, error)
	Enable(ctx context.Context, caller, id string) (*webhooks.Endpoint, error)
}

var _ WebhookRegistry = (*webhooks.Registry)(nil)

// webhookDetail is GET /webhooks/{id}: the endpoint and its recent
// failures, newest first.
type webhookDetail struct {
	webhooks.Endpoint
	RecentFailures []webhooks.Failure `json:"recentFailures"`
}

func (h *Handler) webhooks() (WebhookRegistry, error) {
	if h.opts.Webhooks == nil {
		return nil, gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "", "webhooks need the message table and the webhook queue; set MESSAGES_TABLE and WEBHOOK_QUEUE_URL")
	}
	return h.opts.Webhooks, nil
}

// routeCreateWebhook is POST /webhooks: 201 with the endpoint and its
// secret.
func (h *Handler) routeCreateWebhook(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err != nil {
		return answerError(err)
	}
	in, err := webhooks.DecodeCreate(r.body)
	if err != nil {
		return answerError(err)
	}
	e, err := reg.Create(ctx, r.caller, in)
	if err != nil {
		return answerError(err)
	}
	return answerJSON(http.StatusCreated, e)
}

// routeListWebhooks is GET /webhooks: {"webhooks": [endpoints]}.
func (h *Handler) routeListWebhooks(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err != nil {
		return answerError(err)
	}
	list, err := reg.List(ctx, r.caller)
	if err != nil {
		return answerError(err)
	}
	return answerOK(map[string]any{"webhooks": list})
}

// routeGetWebhook is GET /webhooks/{id}: the endpoint with recentFailures.
func (h *Handler) routeGetWebhook(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err != nil {
		return answerError(err)
	}
	e, err := reg.Get(ctx, r.caller, r.params["id"])
	if err != nil {
		return answerError(err)
	}
	failures := e.Failures
	if failures == nil {
		failures = []webhooks.Failure{}
	}
	return answerOK(webhookDetail{Endpoint: *e, RecentFailures: failures})
}

// routeDeleteWebhook is DELETE /webhooks/{id}: 204, or 404
// webhook_not_found.
func (h *Handler) routeDeleteWebhook(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err == nil {
		err = reg.Delete(ctx, r.caller, r.params["id"])
	}
	if err != nil {
		return answerError(err)
	}
	return httpAnswer{status: http.StatusNoContent, headers: jsonHeaders()}
}

// routeRotateWebhook is POST /webhooks/{id}/rotate: {id, secret,
// previousSecretExpiresAt}.
func (h *Handler) routeRotateWebhook(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err != nil {
		return answerError(err)
	}
	rot, err := reg.Rotate(ctx, r.caller, r.params["id"])
	if err != nil {
		return answerError(err)
	}
	rot.PreviousSecretExpiresAt = rot.PreviousSecretExpiresAt.UTC().Truncate(time.Millisecond)
	return answerOK(rot)
}

// routeEnableWebhook is POST /webhooks/{id}/enable: the endpoint, enabled
// again with its secret unchanged.
func (h *Handler) routeEnableWebhook(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err != nil {
		return answerError(err)
	}
	e, err := reg.Enable(ctx, r.caller, r.params["id"])
	if err != nil {
		return answerError(err)
	}
	return answerOK(e)
}

// routeTestWebhook is POST /webhooks/{id}/test: 202 {eventId}; the event
// goes through the delivery queue like any other.
func (h *Handler) routeTestWebhook(ctx context.Context, r *apiRequest) httpAnswer {
	reg, err := h.webhooks()
	if err != nil {
		return answerError(err)
	}
	id, err := reg.Test(ctx, r.caller, r.params["id"])
	if err != nil {
		return answerError(err)
	}
	return answerJSON(http.StatusAccepted, map[string]string{"eventId": id})
}
