package lambdahandler

import (
	"context"
)

// routeGetMessage is GET /messages/{id}: the record, if this caller (API
// key) created it.
func (h *Handler) routeGetMessage(ctx context.Context, r *apiRequest) httpAnswer {
	rec, err := h.messages.Lookup(ctx, r.params["id"], r.caller)
	if err != nil {
		return answerError(err)
	}
	return answerOK(rec)
}
