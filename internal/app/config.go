// Package app assembles the function from its configuration: it is what
// main calls, and what tests and local tools call to get exactly the
// deployed handler without any environment variables.
package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/email"
	"github.com/gmailsend/gmailsend/internal/googleoauth"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// Config is every setting of the function. Defaults() is the one place
// defaults live; README.md documents each environment variable.
type Config struct {
	SMTPHost string // SMTP_HOST: submission server
	SMTPPort int    // SMTP_PORT: 587 (STARTTLS, mandatory) or 465 (implicit TLS)
	// SMTPCAFile (SMTP_CA_FILE) adds PEM CAs to the system roots, for
	// local servers and tests.
	SMTPCAFile string
	// SMTPIdleTimeout (SMTP_IDLE_TIMEOUT) keeps an authenticated session
	// for reuse by later sends; 0 turns reuse off.
	SMTPIdleTimeout time.Duration
	// SMTPPipelining (SMTP_PIPELINING) uses RFC 2920 when offered.
	SMTPPipelining bool
	// SafetyMargin (SMTP_SAFETY_MARGIN) is kept back from the invocation
	// deadline so a timeout is answered before Lambda stops the function.
	SafetyMargin time.Duration

	MaxRecipients   int   // MAX_RECIPIENTS: To+Cc+Bcc per message
	MaxMessageBytes int64 // MAX_MESSAGE_BYTES: encoded message size

	CredentialPrefix    string        // CREDENTIAL_PREFIX: Secrets Manager name prefix
	DefaultCredential   string        // DEFAULT_CREDENTIAL: used when a request names none
	AllowInlinePassword bool          // ALLOW_INLINE_PASSWORD: accept password/accessToken in requests
	CredentialCacheTTL  time.Duration // CREDENTIAL_CACHE_TTL

	OAuthTokenURL string // OAUTH_TOKEN_URL: default token endpoint for stored OAuth credentials

	AllowedSenders          []string // ALLOWED_SENDERS: comma-separated; empty allows all
	AllowedRecipientDomains []string // ALLOWED_RECIPIENT_DOMAINS: comma-separated; empty allows all

	// BatchReserve (BATCH_RESERVE): an SQS batch starts no send with less
	// than this left before the deadline.
	BatchReserve time.Duration
}

// Defaults is Gmail with the documented defaults.
func Defaults() Config {
	s := smtp.DefaultConfig()
	l := email.DefaultLimits()
	p := credential.DefaultPolicy()
	h := lambdahandler.DefaultOptions()
	return Config{
		SMTPHost: s.Host, SMTPPort: s.Port, SMTPIdleTimeout: s.IdleTimeout,
		SMTPPipelining: true, SafetyMargin: s.SafetyMargin,
		MaxRecipients: l.MaxRecipients, MaxMessageBytes: l.MaxMessageBytes,
		CredentialPrefix: p.Prefix, AllowInlinePassword: p.AllowInline, CredentialCacheTTL: p.TTL,
		OAuthTokenURL: googleoauth.GoogleTokenURL,
		BatchReserve:  h.BatchReserve,
	}
}

// ParseEnv reads the configuration through lookup (os.LookupEnv in main).
// An unparsable value is an error naming the variable, never a silent
// default.
func ParseEnv(lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	var errs []string
	str := func(name string, dst *string) {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			*dst = strings.TrimSpace(v)
		}
	}
	num64 := func(name string, dst *int64) {
		if v, ok := lookup(name); ok && v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				errs = append(errs, name+" must be a non-negative integer")
				return
			}
			*dst = n
		}
	}
	num := func(name string, dst *int) {
		n := int64(*dst)
		num64(name, &n)
		*dst = int(n)
	}
	dur := func(name string, dst *time.Duration) {
		if v, ok := lookup(name); ok && v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, name+" must be a duration like 30s or 5m")
				return
			}
			*dst = d
		}
	}
	boolean := func(name string, dst *bool) {
		if v, ok := lookup(name); ok && v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, name+" must be true or false")
				return
			}
			*dst = b
		}
	}
	list := func(name string, dst *[]string) {
		if v, ok := lookup(name); ok {
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					*dst = append(*dst, item)
				}
			}
		}
	}
	str("SMTP_HOST", &c.SMTPHost)
	num("SMTP_PORT", &c.SMTPPort)
	str("SMTP_CA_FILE", &c.SMTPCAFile)
	dur("SMTP_IDLE_TIMEOUT", &c.SMTPIdleTimeout)
	boolean("SMTP_PIPELINING", &c.SMTPPipelining)
	dur("SMTP_SAFETY_MARGIN", &c.SafetyMargin)
	num("MAX_RECIPIENTS", &c.MaxRecipients)
	num64("MAX_MESSAGE_BYTES", &c.MaxMessageBytes)
	str("CREDENTIAL_PREFIX", &c.CredentialPrefix)
	str("DEFAULT_CREDENTIAL", &c.DefaultCredential)
	boolean("ALLOW_INLINE_PASSWORD", &c.AllowInlinePassword)
	dur("CREDENTIAL_CACHE_TTL", &c.CredentialCacheTTL)
	str("OAUTH_TOKEN_URL", &c.OAuthTokenURL)
	list("ALLOWED_SENDERS", &c.AllowedSenders)
	list("ALLOWED_RECIPIENT_DOMAINS", &c.AllowedRecipientDomains)
	dur("BATCH_RESERVE", &c.BatchReserve)
	if c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		errs = append(errs, "SMTP_PORT must be a TCP port")
	}
	if c.DefaultCredential != "" {
		if err := credential.CheckName(c.DefaultCredential); err != nil {
			errs = append(errs, "DEFAULT_CREDENTIAL is not a valid credential name")
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("app: configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}
