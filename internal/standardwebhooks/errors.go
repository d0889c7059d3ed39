package standardwebhooks

import (
	"errors"
	"strings"
)

// Code is a stable, documented name for a failure. Codes never change
// meaning; callers may store them and match on them.
type Code string

// Codes of secrets, signing and verification.
const (
	CodeInvalidSecret       Code = "webhook_invalid_secret"
	CodeInvalidMessage      Code = "webhook_invalid_message"
	CodeMissingHeader       Code = "webhook_missing_header"
	CodeBadTimestamp        Code = "webhook_bad_timestamp"
	CodeTimestampTooOld     Code = "webhook_timestamp_too_old"
	CodeTimestampTooNew     Code = "webhook_timestamp_too_new"
	CodeNoMatchingSignature Code = "webhook_no_matching_signature"
)

// Codes of URL refusals. The webhook_addr_* codes name the class of address
// that was refused, so an operator can tell a typo from an attack.
const (
	CodeInvalidURL      Code = "webhook_url_invalid"
	CodeURLScheme       Code = "webhook_url_scheme"
	CodeURLUserinfo     Code = "webhook_url_userinfo"
	CodeResolveFailed   Code = "webhook_resolve_failed"
	CodeAddrLoopback    Code = "webhook_addr_loopback"
	CodeAddrPrivate     Code = "webhook_addr_private"
	CodeAddrCGNAT       Code = "webhook_addr_cgnat"
	CodeAddrLinkLocal   Code = "webhook_addr_link_local"
	CodeAddrUniqueLocal Code = "webhook_addr_unique_local"
	CodeAddrUnspecified Code = "webhook_addr_unspecified"
	CodeAddrMulticast   Code = "webhook_addr_multicast"
	CodeAddrBroadcast   Code = "webhook_addr_broadcast"
	CodeAddrReserved    Code = "webhook_addr_reserved"
)

// Codes of a delivery attempt that reached, or tried to reach, the endpoint.
const (
	CodeTimeout        Code = "webhook_timeout"
	CodeTLS            Code = "webhook_tls"
	CodeTransport      Code = "webhook_transport"
	CodeRedirect       Code = "webhook_redirect"
	CodeEndpointStatus Code = "webhook_endpoint_status"
	CodeEndpointGone   Code = "webhook_endpoint_gone"
)

// Error is the one error type of this package. Message is safe to show and
// to log: it never holds a secret, a request or response body, or a URL's
// query string (webhook URLs often carry tokens there). Err keeps the cause
// for errors.Is and is held to the same rule.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string { return "standardwebhooks: " + string(e.Code) + ": " + e.Message }

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the code of err: "" for nil, and CodeTransport for an error
// that carries no code (this package returns none such, but a wrapped
// dialer error might).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeTransport
}

func newError(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// AddressRefused reports whether c is a refusal of the receiver's address
// class (webhook_addr_*): the guard's answer to a URL that resolves, or
// dials, into a private, loopback, link-local or other internal range.
func (c Code) AddressRefused() bool { return strings.HasPrefix(string(c), "webhook_addr_") }
