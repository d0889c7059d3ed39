package standardwebhooks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// maxResponseBytes is how much of a receiver's answer is read before the
// connection is closed: enough to let a well-behaved keep-alive connection
// be reused, too little for a hostile receiver to make us hold or wait for
// a huge body.
const maxResponseBytes = 64 << 10

// discardBounded reads and drops at most maxResponseBytes of r and returns
// how many bytes it read. Read errors do not matter: the status decided the
// outcome already.
func discardBounded(r io.Reader) int64 {
	n, _ := io.Copy(io.Discard, io.LimitReader(r, maxResponseBytes))
	return n
}

func outcomeOfStatus(status int) Outcome {
	switch {
	case status >= 200 && status < 300:
		return Outcome{Status: status, Delivered: true}
	case status == http.StatusGone:
		return Outcome{Status: status, Gone: true, Code: CodeEndpointGone,
			Err: newError(CodeEndpointGone, "receiver answered 410 Gone: disable the endpoint")}
	case status >= 300 && status < 400:
		return Outcome{Status: status, Retry: true, Code: CodeRedirect,
			Err: newError(CodeRedirect, "receiver answered "+strconv.Itoa(status)+"; redirects are not followed")}
	default:
		return Outcome{Status: status, Retry: true, Code: CodeEndpointStatus,
			Err: newError(CodeEndpointStatus, "receiver answered "+strconv.Itoa(status))}
	}
}

func failed(err error) Outcome {
	return Outcome{Retry: true, Code: CodeOf(err), Err: err}
}

// transportError gives a failed request its code. The *url.Error that
// net/http returns repeats the whole URL, query string included, so only
// its cause is kept.
func transportError(ctx context.Context, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var coded *Error
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	switch {
	case errors.As(err, &coded):
		return coded
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return &Error{Code: CodeTimeout, Message: "receiver did not answer in time", Err: err}
	case errors.As(err, &certErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr):
		return &Error{Code: CodeTLS, Message: "receiver's TLS certificate was not accepted", Err: err}
	default:
		return &Error{Code: CodeTransport, Message: "could not reach the receiver", Err: err}
	}
}
