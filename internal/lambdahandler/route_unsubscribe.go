package lambdahandler

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// The one-click unsubscribe routes (RFC 8058). They take no API key: mail
// providers POST the link unauthenticated, and a person opens it in a
// browser. The token is the only authority (sender/unsubscribe.go), and
// the stage's throttling bounds how fast anyone can try tokens.

// routeUnsubscribePage is GET /unsubscribe/{token}: a confirmation page
// whose button POSTs to the same address. A GET never unsubscribes: link
// scanners, previews and prefetchers fetch every link in a message.
func (h *Handler) routeUnsubscribePage(_ context.Context, r *apiRequest) httpAnswer {
	lang := pickLanguage(r.headers["accept-language"])
	if err := h.send.Unsubscribe.Check(r.params["token"]); err != nil {
		return unsubscribeAnswer(httpStatus(gmailsend.CodeOf(err)), lang, pageInvalid)
	}
	return unsubscribeAnswer(http.StatusOK, lang, pageConfirm)
}

// routeUnsubscribe is POST /unsubscribe/{token}: the token's recipient
// joins the sending mailbox's suppression list (reason "unsubscribed").
// Idempotent: a replayed POST answers the same and changes nothing. An
// invalid token is 404 and says nothing about why.
func (h *Handler) routeUnsubscribe(ctx context.Context, r *apiRequest) httpAnswer {
	lang := pickLanguage(r.headers["accept-language"])
	err := h.send.Unsubscribe.Confirm(ctx, r.params["token"])
	switch code := gmailsend.CodeOf(err); {
	case err == nil:
		return unsubscribeAnswer(http.StatusOK, lang, pageDone)
	case code == gmailsend.CodeUnsubscribeNotFound:
		return unsubscribeAnswer(httpStatus(code), lang, pageInvalid)
	default:
		h.log.ErrorContext(ctx, "unsubscribe", "code", string(code), "error", err.Error())
		a := unsubscribeAnswer(httpStatus(code), lang, pageRetry)
		if code.Retryable() {
			a.headers["Retry-After"] = "60"
		}
		return a
	}
}

// unsubscribeAnswer is an HTML page with headers that keep the token to
// this page: no referrer, no cache, no framing, no script at all.
func unsubscribeAnswer(status int, lang string, page unsubscribePage) httpAnswer {
	return httpAnswer{status: status, body: renderUnsubscribePage(lang, page), headers: map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Language":        lang,
		"Vary":                    "Accept-Language",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	}}
}

// pickLanguage is "ko" or "en", whichever Accept-Language prefers (by q,
// then order); English when it names neither.
func pickLanguage(header string) string {
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary != "ko" && primary != "en" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > bestQ && q > 0 {
			best, bestQ = primary, q
		}
	}
	return best
}
