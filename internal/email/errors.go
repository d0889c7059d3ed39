package email

import (
	"errors"
	"fmt"
	"net/http"
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
)

// codeRule is what a code means to each caller: the HTTP status an API caller
// sees, and whether sending the same request again can succeed. Retryable
// drives what callers are told (the "retryable" field of each send's log
// line, docs/api.md's "retry helps" column); it does not filter what a queue
// retries: an SQS batch reports every failed record, permanent ones too, so
// SQS redelivers it and finally moves it to the dead-letter queue.
type codeRule struct {
	status    int
	retryable bool
}

// codeRules is the one table that maps codes to statuses and retry decisions.
var codeRules = map[Code]codeRule{
	CodeInvalidRequest:     {http.StatusBadRequest, false},
	CodePayloadTooLarge:    {http.StatusRequestEntityTooLarge, false},
	CodeForbidden:          {http.StatusForbidden, false},
	CodeCredentialNotFound: {http.StatusNotFound, false},
	CodeCredentialInvalid:  {http.StatusInternalServerError, false},
	CodeSecretsUnavailable: {http.StatusServiceUnavailable, true},
	CodeOAuthRefreshFailed: {http.StatusUnauthorized, false},
	CodeOAuthUnavailable:   {http.StatusServiceUnavailable, true},
	CodeSMTPAuthFailed:     {http.StatusUnauthorized, false},
	CodeTLSRequired:        {http.StatusBadGateway, false},
	CodeRateLimited:        {http.StatusTooManyRequests, true},
	CodeSMTPRejected:       {http.StatusBadGateway, false},
	CodeSMTPUnavailable:    {http.StatusServiceUnavailable, true},
	CodeTimeout:            {http.StatusGatewayTimeout, true},
	// An unexplained failure may be a passing one: let queues try again, and
	// the dead-letter queue catch it if it is not.
	CodeInternal: {http.StatusInternalServerError, true},

	CodeRouteNotFound:         {http.StatusNotFound, false},
	CodeMessageNotFound:       {http.StatusNotFound, false},
	CodeIdempotencyInProgress: {http.StatusConflict, true},
	CodeIdempotencyConflict:   {http.StatusConflict, false},
	// The message may have been delivered: sending again risks a second
	// copy, so no retry (at most once).
	CodeDeliveryUnknown:    {http.StatusBadGateway, false},
	CodeQuotaExceeded:      {http.StatusTooManyRequests, true},
	CodeStoreNotConfigured: {http.StatusNotImplemented, false},
	CodeStoreUnavailable:   {http.StatusServiceUnavailable, true},

	CodeQueueUnavailable: {http.StatusServiceUnavailable, true},
	// Already queued, sending or sent: nothing is left to cancel.
	CodeNotCancellable: {http.StatusConflict, false},

	// A hard bounce said the address is dead: sending again cannot help
	// until it is removed from the list.
	CodeRecipientSuppressed: {http.StatusUnprocessableEntity, false},
	CodeSuppressionNotFound: {http.StatusNotFound, false},

	CodeTemplateNotFound:    {http.StatusNotFound, false},
	CodeUnsubscribeNotFound: {http.StatusNotFound, false},
}

// Codes lists every code, for documentation checks.
func Codes() []Code {
	out := make([]Code, 0, len(codeRules))
	for c := range codeRules {
		out = append(out, c)
	}
	return out
}

// HTTPStatus is the status an API Gateway caller receives for the code.
func (c Code) HTTPStatus() int {
	if r, ok := codeRules[c]; ok {
		return r.status
	}
	return http.StatusInternalServerError
}

// Retryable reports whether the same request may succeed if sent again
// later. It informs (logs, documentation); it decides no redelivery.
func (c Code) Retryable() bool {
	if r, ok := codeRules[c]; ok {
		return r.retryable
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
