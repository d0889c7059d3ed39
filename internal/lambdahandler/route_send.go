package lambdahandler

import (
	"context"
	"errors"

	"github.com/gmailsend/gmailsend/internal/sender"
)

// routeSend is POST /send: the body is the send request. An
// Idempotency-Key header makes a retry replay the first outcome, marked
// with Idempotent-Replayed: true.
func (h *Handler) routeSend(ctx context.Context, r *apiRequest) httpAnswer {
	key, sent := r.idempotencyKeyHeader()
	ctx = context.WithValue(ctx, apiOriginKey{}, apiOrigin{caller: r.caller, key: key, keySent: sent})
	res, err := h.sendOne(ctx, r.src, r.requestID, r.body)
	if err != nil {
		a := answerError(err)
		if errors.Is(err, sender.ErrReplayed) {
			a.headers["Idempotent-Replayed"] = "true"
		}
		return a
	}
	a := answerOK(res)
	if res.Replayed {
		a.headers["Idempotent-Replayed"] = "true"
	}
	return a
}
