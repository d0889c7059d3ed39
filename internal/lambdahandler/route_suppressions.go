package lambdahandler

import (
	"context"
	"net/http"
	"net/url"
)

// The suppression list's routes. The list is the sending mailbox's; the
// request names the stored credential (?credential=name, or the
// deployment's DEFAULT_CREDENTIAL) exactly as a send would, so a caller
// reaches only lists of accounts it may send from.

// suppressionAddress is the {address} segment, percent-decoded when the
// client encoded the @ (API Gateway passes the segment as sent).
func suppressionAddress(r *apiRequest) string {
	a := r.params["address"]
	if dec, err := url.PathUnescape(a); err == nil {
		return dec
	}
	return a
}

// routeGetSuppression is GET /suppressions/{address}: the entry, or 404
// suppression_not_found.
func (h *Handler) routeGetSuppression(ctx context.Context, r *apiRequest) httpAnswer {
	sup, err := h.suppressions.Get(ctx, r.query["credential"], r.caller, suppressionAddress(r))
	if err != nil {
		return answerError(err)
	}
	return answerOK(sup)
}

// routePutSuppression is PUT /suppressions/{address}: 201 with the new
// entry, or 200 with the one already there.
func (h *Handler) routePutSuppression(ctx context.Context, r *apiRequest) httpAnswer {
	sup, added, err := h.suppressions.Put(ctx, r.query["credential"], r.caller, suppressionAddress(r))
	if err != nil {
		return answerError(err)
	}
	if added {
		return answerJSON(http.StatusCreated, sup)
	}
	return answerOK(sup)
}

// routeDeleteSuppression is DELETE /suppressions/{address}: 204, or 404
// when the address was not listed.
func (h *Handler) routeDeleteSuppression(ctx context.Context, r *apiRequest) httpAnswer {
	if err := h.suppressions.Delete(ctx, r.query["credential"], r.caller, suppressionAddress(r)); err != nil {
		return answerError(err)
	}
	return httpAnswer{status: http.StatusNoContent, headers: jsonHeaders()}
}
