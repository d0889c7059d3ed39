package gmailsend

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, documented error code that callers can branch on.
type Code string

// The codes a caller can see. docs/api.md documents each one; renaming one
// is a breaking change.
const (
	CodeInvalidRequest     Code = "invalid_request"
	CodePayloadTooLarge    Code = "payload_too_large"
	CodeForbidden          Code = "forbidden"
	CodeCredentialNotFound Code = "credential_not_found"
	CodeCredentialInvalid  Code = "credential_invalid"
	CodeSecretsUnavailable Code = "secrets_unavailable"
	CodeOAuthRefreshFailed Code = "oauth_refresh_failed"
	CodeOAuthUnavailable   Code = "oauth_unavailable"
	CodeSMTPAuthFailed     Code = "smtp_auth_failed"
	CodeTLSRequired        Code = "tls_required"
	CodeRateLimited        Code = "rate_limited"
	CodeSMTPRejected       Code = "smtp_rejected"
	CodeSMTPUnavailable    Code = "smtp_unavailable"
	CodeTimeout            Code = "timeout"
	CodeInternal           Code = "internal"

	// Codes of durable sends (message table, idempotency, quota guard) and
	// of the API's routes.
	CodeRouteNotFound         Code = "route_not_found"
	CodeMessageNotFound       Code = "message_not_found"
	CodeIdempotencyInProgress Code = "idempotency_in_progress"
	CodeIdempotencyConflict   Code = "idempotency_conflict"
	CodeDeliveryUnknown       Code = "delivery_unknown"
	CodeQuotaExceeded         Code = "quota_exceeded"
	CodeStoreNotConfigured    Code = "store_not_configured"
	CodeStoreUnavailable      Code = "store_unavailable"

	// Codes of queued, batch and scheduled sends.
	CodeQueueUnavailable Code = "queue_unavailable"
	CodeNotCancellable   Code = "not_cancellable"

	// Codes of the suppression list (bounces).
	CodeRecipientSuppressed Code = "recipient_suppressed"
	CodeSuppressionNotFound Code = "suppression_not_found"

	// Codes of stored templates.
	CodeTemplateNotFound Code = "template_not_found"
	// An unsubscribe link that does not verify (malformed, forged, altered
	// or of another deployment).
	CodeUnsubscribeNotFound Code = "unsubscribe_not_found"

	// Codes of webhook endpoints (/webhooks).
	CodeWebhookNotFound Code = "webhook_not_found"
	// The URL is not https, does not resolve, or resolves to an address
	// class webhooks may not reach (loopback, private, link-local, …); the
	// message names the class.
	CodeWebhookURLRefused Code = "webhook_url_refused"
	CodeWebhookLimit      Code = "webhook_limit"
	// The receiver answered 410 Gone and the endpoint was disabled.
	CodeWebhookDisabled Code = "webhook_disabled"
)

// codes lists every code once, in the order docs/api.md documents them.
var codes = []Code{
	CodeInvalidRequest, CodePayloadTooLarge, CodeForbidden, CodeCredentialNotFound, CodeCredentialInvalid,
	CodeSecretsUnavailable, CodeOAuthRefreshFailed, CodeOAuthUnavailable, CodeSMTPAuthFailed, CodeTLSRequired,
	CodeRateLimited, CodeSMTPRejected, CodeSMTPUnavailable, CodeTimeout, CodeInternal,
	CodeRouteNotFound, CodeMessageNotFound, CodeIdempotencyInProgress, CodeIdempotencyConflict, CodeDeliveryUnknown,
	CodeQuotaExceeded, CodeStoreNotConfigured, CodeStoreUnavailable,
	CodeQueueUnavailable, CodeNotCancellable,
	CodeRecipientSuppressed, CodeSuppressionNotFound,
	CodeTemplateNotFound, CodeUnsubscribeNotFound,
	CodeWebhookNotFound, CodeWebhookURLRefused, CodeWebhookLimit, CodeWebhookDisabled,
}

// Codes lists every code, for documentation checks and for the tables
// that map codes (lambdahandler's codes.go turns each into an HTTP status
// and a queue's decision).
func Codes() []Code { return append([]Code(nil), codes...) }

// Retryable reports whether the failure may pass: the same request sent
// again later can succeed (a temporary failure, as an SMTP 4xx reply is).
// It is a fact about the failure, not a transport's decision: callers are
// told it (the "retryable" field of each send's log line, docs/api.md's "retry
// helps" column, the setup command's advice), and lambdahandler's code
// table, which decides what an HTTP caller and a queue get for each code,
// is held to it by a test (a queue redelivers exactly what may pass).
// A code this package does not know is taken as an unexplained failure,
// which may pass.
func (c Code) Retryable() bool {
	switch c {
	case CodeSecretsUnavailable, CodeOAuthUnavailable, CodeRateLimited, CodeSMTPUnavailable, CodeTimeout,
		// An unexplained failure may be a passing one.
		CodeInternal,
		CodeIdempotencyInProgress, CodeQuotaExceeded, CodeStoreUnavailable, CodeQueueUnavailable:
		return true
	}
	for _, k := range codes {
		if k == c {
			return false
		}
	}
	return true
}

// SMTPReply is a reply exactly as the SMTP server gave it.
type SMTPReply struct {
	Code         int    `json:"code"`
	EnhancedCode string `json:"enhancedCode,omitempty"`
	Message      string `json:"message"`
}

// Error is the one error type a caller can see. Message is written for the
// caller; Err keeps the cause for logs and errors.Is but is never shown.
type Error struct {
	Code       Code
	Message    string
	Field      string
	SMTP       *SMTPReply
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the code, the field at fault (may be empty)
// and a message for the caller.
func Errorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalid is shorthand for an invalid_request error naming the field.
func Invalid(field, format string, args ...any) *Error {
	return Errorf(CodeInvalidRequest, field, format, args...)
}

// AsError returns err as an *Error. An error without a code becomes internal
// with a message that reveals nothing about internals; the cause is kept.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// CodeOf returns the code of err (internal when it has none, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return AsError(err).Code
}
