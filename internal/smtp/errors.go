package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend"
)

// stage names the step of the SMTP conversation an error happened in; it
// decides what a reply means (535 at AUTH is a bad password, not a refusal).
type stage string

const (
	stageDial     stage = "connect"
	stageGreeting stage = "greeting"
	stageEHLO     stage = "EHLO"
	stageSTARTTLS stage = "STARTTLS"
	stageAuth     stage = "AUTH"
	stageReset    stage = "RSET"
	stageMail     stage = "MAIL FROM"
	stageRcpt     stage = "RCPT TO"
	stageData     stage = "DATA"
	stageContent  stage = "message transfer"
)

// authHelp is what Google requires since it stopped accepting account
// passwords from apps; it is the most common failure new users hit.
const authHelp = "Gmail did not accept the credentials. Google requires 2-Step Verification " +
	"and a 16-character app password (https://myaccount.google.com/apppasswords), or OAuth 2.0; " +
	"the normal account password does not work"

// enhancedCode is RFC 3463's status at the start of a reply; compiled on
// the first error reply, not at every cold start.
var enhancedCode = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})\b`)
})

// reply turns a textproto error into the server's reply, unaltered.
func reply(te *textproto.Error) *gmailsend.SMTPReply {
	msg := strings.ReplaceAll(te.Msg, "\n", " ")
	r := &gmailsend.SMTPReply{Code: te.Code, Message: msg}
	if m := enhancedCode().FindString(msg); m != "" {
		r.EnhancedCode = m
		r.Message = strings.TrimSpace(strings.TrimPrefix(msg, m))
	}
	return r
}

// classify gives err its stable code. SMTP replies keep the server's own
// code and text; nothing is invented.
func classify(st stage, err error) *gmailsend.Error {
	var e *gmailsend.Error
	if errors.As(err, &e) {
		return e
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return classifyReply(st, te)
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err,
			Message: "the SMTP server did not answer in time (" + string(st) + ")"}
	case errors.Is(err, context.Canceled):
		return &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err, Message: "the send was cancelled (" + string(st) + ")"}
	case isTLSFailure(err):
		return &gmailsend.Error{Code: gmailsend.CodeTLSRequired, Err: err,
			Message: "TLS with the SMTP server failed: " + tlsReason(err) + "; nothing was sent"}
	case errors.Is(err, errAuthWithoutTLS):
		return &gmailsend.Error{Code: gmailsend.CodeTLSRequired, Err: err, Message: "refused to authenticate without TLS; nothing was sent"}
	}
	return &gmailsend.Error{Code: gmailsend.CodeSMTPUnavailable, Err: err,
		Message: "the connection to the SMTP server failed during " + string(st)}
}

func classifyReply(st stage, te *textproto.Error) *gmailsend.Error {
	r := reply(te)
	e := &gmailsend.Error{SMTP: r, Err: te}
	switch {
	case st == stageAuth && (te.Code == 535 || te.Code == 534):
		e.Code, e.Message = gmailsend.CodeSMTPAuthFailed, authHelp
	case te.Code == 530 && strings.HasPrefix(r.EnhancedCode, "5.7.0") && strings.Contains(strings.ToUpper(te.Msg), "STARTTLS"):
		e.Code, e.Message = gmailsend.CodeTLSRequired, "the server requires STARTTLS first; nothing was sent"
	case r.EnhancedCode == "5.4.5" || te.Code == 550 && strings.Contains(strings.ToLower(te.Msg), "sending limit"):
		e.Code, e.Message, e.RetryAfter = gmailsend.CodeRateLimited,
			"Gmail's sending limit for this account is reached; try again later", time.Hour
	case te.Code == 421 && strings.HasPrefix(r.EnhancedCode, "4.7."),
		te.Code == 450 && strings.HasPrefix(r.EnhancedCode, "4.7."),
		te.Code == 451 && strings.HasPrefix(r.EnhancedCode, "4.7."):
		e.Code, e.Message, e.RetryAfter = gmailsend.CodeRateLimited, "the SMTP server is limiting this sender; try again later", time.Minute
	case st == stageSTARTTLS:
		// Whatever the reply, without TLS nothing more may be said.
		e.Code, e.Message = gmailsend.CodeTLSRequired, "the server refused STARTTLS; nothing was sent"
	case te.Code >= 400 && te.Code < 500:
		e.Code, e.Message = gmailsend.CodeSMTPUnavailable, "the SMTP server refused temporarily at "+string(st)
	case st == stageRcpt:
		e.Code, e.Message = gmailsend.CodeSMTPRejected, "the SMTP server refused a recipient"
	default:
		e.Code, e.Message = gmailsend.CodeSMTPRejected, "the SMTP server refused the message at "+string(st)
	}
	return e
}

func isTLSFailure(err error) bool {
	var (
		ue x509.UnknownAuthorityError
		he x509.HostnameError
		ce x509.CertificateInvalidError
		ve *tls.CertificateVerificationError
		re tls.RecordHeaderError
		ae tls.AlertError
	)
	return errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ce) ||
		errors.As(err, &ve) || errors.As(err, &re) || errors.As(err, &ae) ||
		strings.Contains(err.Error(), "tls: ")
}

// tlsReason says why TLS failed without dumping certificate details.
func tlsReason(err error) string {
	var (
		ue x509.UnknownAuthorityError
		he x509.HostnameError
		ce x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &he):
		return "the certificate is not valid for " + he.Host
	case errors.As(err, &ce) && ce.Reason == x509.Expired:
		return "the certificate has expired or is not yet valid"
	case errors.As(err, &ue):
		return "the certificate is signed by an unknown authority (set SMTP_CA_FILE for a private CA)"
	}
	return "the handshake failed"
}
