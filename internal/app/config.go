// Package app assembles the function from its configuration: it is what
// main calls, and what tests and local tools call to get exactly the
// deployed handler without any environment variables.
package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/googleoauth"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// Config is every setting of the function; docs/configuration.md
// documents each environment variable. Defaults() is the one place the defaults are
// gathered into a Config: each is the default of the package it configures
// (smtp, email, credential, googleoauth, lambdahandler, metrics, sender,
// bounce; the message table's in store_config.go), so a package and its
// setting cannot disagree. Build (build.go) applies one again: a Config
// not made from Defaults, without MetricsNamespace, gets
// emf.DefaultNamespace.
type Config struct {
	SMTPHost string // SMTP_HOST: submission server
	SMTPPort int    // SMTP_PORT: 587 (STARTTLS, mandatory) or 465 (implicit TLS)
	// SMTPCAFile (SMTP_CA_FILE) adds PEM CAs to the system roots, for
	// local servers and tests.
	SMTPCAFile string
	// SMTPIdleTimeout (SMTP_IDLE_TIMEOUT) keeps an authenticated session
	// for reuse by later sends; 0 turns reuse off.
	SMTPIdleTimeout time.Duration
	// SMTPQuitOnShutdown (SMTP_QUIT_ON_SHUTDOWN) registers with Lambda's
	// Extensions API at start so that Lambda sends SIGTERM before it shuts
	// the environment down, and the kept sessions get a QUIT (shutdown.go).
	SMTPQuitOnShutdown bool
	// SMTPPipelining (SMTP_PIPELINING) uses RFC 2920 when offered.
	SMTPPipelining bool
	// SMTPChunking (SMTP_CHUNKING) sends with RFC 3030 BDAT when the
	// server offers CHUNKING and PIPELINING: one round trip per message.
	SMTPChunking bool
	// SMTPReuseCheckTimeout (SMTP_REUSE_CHECK_TIMEOUT) bounds the first
	// reply of a kept session; a session silent that long is abandoned
	// and a new one dialled (nothing of the message was sent yet).
	SMTPReuseCheckTimeout time.Duration
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

	// MetricsNamespace (METRICS_NAMESPACE) is the CloudWatch namespace of
	// the function's embedded-format metrics.
	MetricsNamespace string

	// MessagesTable (MESSAGES_TABLE) is the DynamoDB table of message
	// records, idempotency keys and quota buckets; empty sends statelessly.
	MessagesTable string
	// FingerprintKeySecret (FINGERPRINT_KEY_SECRET) names the Secrets
	// Manager secret (name or ARN) whose value keys the records'
	// fingerprints of their requests; required with MessagesTable.
	FingerprintKeySecret string
	// MessageRetention (MESSAGE_RETENTION) is how long a record is kept.
	MessageRetention time.Duration
	// IdempotencyTTL (IDEMPOTENCY_TTL) is how long a key replays.
	IdempotencyTTL time.Duration
	// DailyMessageLimit and DailyRecipientLimit (DAILY_MESSAGE_LIMIT,
	// DAILY_RECIPIENT_LIMIT) bound each account over a rolling 24 hours,
	// unless its stored credential says otherwise; 0 turns a bound off.
	DailyMessageLimit   int
	DailyRecipientLimit int

	// Queued and scheduled sends (POST /messages, queue_wiring.go).
	SendQueueURL     string // SEND_QUEUE_URL: where POST /messages queues; empty refuses queued sends
	SendQueueARN     string // SEND_QUEUE_ARN: the schedules' target
	ScheduleGroup    string // SCHEDULE_GROUP: EventBridge Scheduler group of the schedules
	SchedulerRoleARN string // SCHEDULER_ROLE_ARN: the role schedules send to the queue with
	// ScheduleKMSKeyARN (SCHEDULE_KMS_KEY_ARN) encrypts scheduled sends'
	// input with a customer managed key; empty: Scheduler's own key.
	ScheduleKMSKeyARN string
	// DeadLetterQueueURL (DEAD_LETTER_QUEUE_URL) is where a failed queue
	// record or asynchronous event carrying an inline password is parked
	// without it; empty leaves such failures to SQS and Lambda, which keep
	// the password in the dead-letter queue.
	DeadLetterQueueURL string
	// SendQueueMaxReceives (SEND_QUEUE_MAX_RECEIVES) is the send queue's
	// maxReceiveCount: a record on its last receive is never reported
	// failed with an inline password in it.
	SendQueueMaxReceives int
	// MaxBatchMessages (MAX_BATCH_MESSAGES) bounds POST /messages/batch.
	MaxBatchMessages int
	// MaxQueuedMessageBytes (MAX_QUEUED_MESSAGE_BYTES) is the send
	// queue's MaximumMessageSize; a larger queued request gets 413.
	MaxQueuedMessageBytes int
	// MinScheduleAhead and MaxScheduleAhead (MIN_SCHEDULE_AHEAD,
	// MAX_SCHEDULE_AHEAD) bound scheduledAt from now.
	MinScheduleAhead, MaxScheduleAhead time.Duration

	// UnsubscribeBaseURL (UNSUBSCRIBE_BASE_URL) is the public https address
	// of the API stage that one-click unsubscribe links point at; empty
	// refuses requests that ask for a link.
	UnsubscribeBaseURL string
	// UnsubscribeKey (UNSUBSCRIBE_KEY, base64, at least 32 bytes) signs
	// the links' tokens; empty refuses requests that ask for a link.
	UnsubscribeKey []byte

	// Bounces configures the bounce reader (functions/bounces) and the
	// suppression list; see bounce_config.go.
	Bounces BounceConfig

	// Status events (the events function, functions/events).
	EventBusName    string // EVENT_BUS_NAME: the EventBridge bus status events go on; empty puts none there
	WebhookQueueURL string // WEBHOOK_QUEUE_URL: the queue of webhook deliveries; empty delivers none
	// WebhookAllowLoopback (WEBHOOK_ALLOW_LOOPBACK) lets webhook URLs
	// reach loopback addresses, and plain http there: local runs against a
	// receiver on the same machine only. Never set in a deployment, where
	// loopback is the Lambda's own runtime API.
	WebhookAllowLoopback bool
}

// Defaults is Gmail with the documented defaults.
func Defaults() Config {
	s := smtp.DefaultConfig()
	l := gmailsend.DefaultLimits()
	p := credential.DefaultPolicy()
	h := lambdahandler.DefaultOptions()
	return Config{
		SMTPHost: s.Host, SMTPPort: s.Port, SMTPIdleTimeout: s.IdleTimeout,
		SMTPPipelining: true, SMTPChunking: true, SMTPReuseCheckTimeout: s.ReuseCheckTimeout,
		SafetyMargin:  s.SafetyMargin,
		MaxRecipients: l.MaxRecipients, MaxMessageBytes: l.MaxMessageBytes,
		CredentialPrefix: p.Prefix, AllowInlinePassword: p.AllowInline, CredentialCacheTTL: p.TTL,
		OAuthTokenURL:    googleoauth.GoogleTokenURL,
		BatchReserve:     h.BatchReserve,
		MetricsNamespace: emf.DefaultNamespace,
		MessageRetention: storeDefaults.MessageRetention, IdempotencyTTL: storeDefaults.IdempotencyTTL,
		DailyMessageLimit: storeDefaults.DailyMessageLimit, DailyRecipientLimit: storeDefaults.DailyRecipientLimit,
		MaxBatchMessages: queueDefaults.MaxBatch, MaxQueuedMessageBytes: queueDefaults.MaxQueuedBytes,
		MinScheduleAhead: queueDefaults.MinAhead, MaxScheduleAhead: queueDefaults.MaxAhead,
		SendQueueMaxReceives: h.MaxReceives,
		Bounces:              bounceDefaults(),
	}
}

// envVar is one environment variable of the function: its name and how its
// value is parsed into the Config. docs/configuration.md's table is checked
// against this list (EnvNames), so a variable cannot go undocumented.
type envVar struct {
	name  string
	parse func(c *Config, v string) error
}

// envVars is every variable ParseEnv reads, in docs/configuration.md's
// order. Add a new setting here and to that table.
var envVars = []envVar{
	{"SMTP_HOST", text(func(c *Config) *string { return &c.SMTPHost })},
	{"SMTP_PORT", integer(func(c *Config) *int { return &c.SMTPPort })},
	{"SMTP_CA_FILE", text(func(c *Config) *string { return &c.SMTPCAFile })},
	{"SMTP_IDLE_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.SMTPIdleTimeout })},
	{"SMTP_PIPELINING", boolean(func(c *Config) *bool { return &c.SMTPPipelining })},
	{"SMTP_CHUNKING", boolean(func(c *Config) *bool { return &c.SMTPChunking })},
	{"SMTP_REUSE_CHECK_TIMEOUT", duration(func(c *Config) *time.Duration { return &c.SMTPReuseCheckTimeout })},
	{"SMTP_QUIT_ON_SHUTDOWN", boolean(func(c *Config) *bool { return &c.SMTPQuitOnShutdown })},
	{"SMTP_SAFETY_MARGIN", duration(func(c *Config) *time.Duration { return &c.SafetyMargin })},
	{"MAX_RECIPIENTS", integer(func(c *Config) *int { return &c.MaxRecipients })},
	{"MAX_MESSAGE_BYTES", integer64(func(c *Config) *int64 { return &c.MaxMessageBytes })},
	{"CREDENTIAL_PREFIX", text(func(c *Config) *string { return &c.CredentialPrefix })},
	{"DEFAULT_CREDENTIAL", text(func(c *Config) *string { return &c.DefaultCredential })},
	{"ALLOW_INLINE_PASSWORD", boolean(func(c *Config) *bool { return &c.AllowInlinePassword })},
	{"CREDENTIAL_CACHE_TTL", duration(func(c *Config) *time.Duration { return &c.CredentialCacheTTL })},
	{"OAUTH_TOKEN_URL", text(func(c *Config) *string { return &c.OAuthTokenURL })},
	{"ALLOWED_SENDERS", list(func(c *Config) *[]string { return &c.AllowedSenders })},
	{"ALLOWED_RECIPIENT_DOMAINS", list(func(c *Config) *[]string { return &c.AllowedRecipientDomains })},
	{"BATCH_RESERVE", duration(func(c *Config) *time.Duration { return &c.BatchReserve })},
	{"METRICS_NAMESPACE", metricsNamespace},
	{"MESSAGES_TABLE", text(func(c *Config) *string { return &c.MessagesTable })},
	{"FINGERPRINT_KEY_SECRET", text(func(c *Config) *string { return &c.FingerprintKeySecret })},
	{"MESSAGE_RETENTION", longDuration(func(c *Config) *time.Duration { return &c.MessageRetention })},
	{"IDEMPOTENCY_TTL", longDuration(func(c *Config) *time.Duration { return &c.IdempotencyTTL })},
	{"DAILY_MESSAGE_LIMIT", integer(func(c *Config) *int { return &c.DailyMessageLimit })},
	{"DAILY_RECIPIENT_LIMIT", integer(func(c *Config) *int { return &c.DailyRecipientLimit })},
	{"SEND_QUEUE_URL", text(func(c *Config) *string { return &c.SendQueueURL })},
	{"SEND_QUEUE_ARN", text(func(c *Config) *string { return &c.SendQueueARN })},
	{"SCHEDULE_GROUP", text(func(c *Config) *string { return &c.ScheduleGroup })},
	{"SCHEDULER_ROLE_ARN", text(func(c *Config) *string { return &c.SchedulerRoleARN })},
	{"SCHEDULE_KMS_KEY_ARN", text(func(c *Config) *string { return &c.ScheduleKMSKeyARN })},
	{"DEAD_LETTER_QUEUE_URL", text(func(c *Config) *string { return &c.DeadLetterQueueURL })},
	{"SEND_QUEUE_MAX_RECEIVES", integer(func(c *Config) *int { return &c.SendQueueMaxReceives })},
	{"MAX_BATCH_MESSAGES", integer(func(c *Config) *int { return &c.MaxBatchMessages })},
	{"MAX_QUEUED_MESSAGE_BYTES", integer(func(c *Config) *int { return &c.MaxQueuedMessageBytes })},
	{"MIN_SCHEDULE_AHEAD", duration(func(c *Config) *time.Duration { return &c.MinScheduleAhead })},
	{"MAX_SCHEDULE_AHEAD", longDuration(func(c *Config) *time.Duration { return &c.MaxScheduleAhead })},
	{"IMAP_HOST", text(func(c *Config) *string { return &c.Bounces.IMAPHost })},
	{"IMAP_PORT", integer(func(c *Config) *int { return &c.Bounces.IMAPPort })},
	{"BOUNCE_CREDENTIALS", list(func(c *Config) *[]string { return &c.Bounces.Credentials })},
	{"BOUNCE_ARCHIVE_FOLDER", text(func(c *Config) *string { return &c.Bounces.ArchiveFolder })},
	{"BOUNCE_MAX_MESSAGES", integer(func(c *Config) *int { return &c.Bounces.MaxMessages })},
	{"BOUNCE_RESCAN_WINDOW", longDuration(func(c *Config) *time.Duration { return &c.Bounces.RescanWindow })},
	{"BOUNCE_SENDERS", list(func(c *Config) *[]string { return &c.Bounces.Senders })},
	{"SUPPRESSION_CHECK", boolean(func(c *Config) *bool { return &c.Bounces.CheckSuppressions })},
	{"UNSUBSCRIBE_BASE_URL", unsubscribeBaseURL},
	{"UNSUBSCRIBE_KEY", unsubscribeKey},
	{"EVENT_BUS_NAME", text(func(c *Config) *string { return &c.EventBusName })},
	{"WEBHOOK_QUEUE_URL", text(func(c *Config) *string { return &c.WebhookQueueURL })},
	{"WEBHOOK_ALLOW_LOOPBACK", boolean(func(c *Config) *bool { return &c.WebhookAllowLoopback })},
}

// EnvNames lists the environment variables the function reads.
func EnvNames() []string {
	names := make([]string, len(envVars))
	for i, v := range envVars {
		names[i] = v.name
	}
	return names
}

// ParseEnv reads the configuration through lookup (os.LookupEnv in main).
// An unparsable value is an error naming the variable, never a silent
// default; an unset or empty variable keeps its default.
func ParseEnv(lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	var errs []string
	for _, ev := range envVars {
		v, ok := lookup(ev.name)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if err := ev.parse(&c, strings.TrimSpace(v)); err != nil {
			errs = append(errs, ev.name+" "+err.Error())
		}
	}
	if c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		errs = append(errs, "SMTP_PORT must be a TCP port")
	}
	if c.MaxRecipients > bounce.MaxRecipientKeys {
		// A record keeps a key per recipient, so bounces can be checked
		// against them; more would not fit the record.
		errs = append(errs, fmt.Sprintf("MAX_RECIPIENTS may be at most %d", bounce.MaxRecipientKeys))
	}
	errs = append(errs, c.Bounces.check()...)
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

func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func integer64(field func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errors.New("must be a non-negative integer")
		}
		*field(c) = n
		return nil
	}
}

func integer(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return errors.New("must be a non-negative integer")
		}
		*field(c) = int(n)
		return nil
	}
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return errors.New("must be a duration like 30s or 5m")
		}
		*field(c) = d
		return nil
	}
}

func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		*field(c) = b
		return nil
	}
}

func list(field func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = nil
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*field(c) = append(*field(c), item)
			}
		}
		return nil
	}
}
