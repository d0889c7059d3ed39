package app

import (
	"io"
	"log/slog"
	"sync"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsscheduler"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/googleoauth"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/smtp"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

// App is the assembled function.
type App struct {
	Handler *lambdahandler.Handler
	SMTP    *smtp.Client
	started <-chan struct{} // the start's background work is done
	oneProc *sync.Once      // set by OneProcAfterStart (procs.go)
	// quitOnShutdown registers for SIGTERM with Lambda (shutdown.go).
	quitOnShutdown bool
}

// Parts lets a caller replace the adapters that reach outside the process
// (tests point the secret store at a local endpoint). Nil fields get the
// real ones.
type Parts struct {
	Secrets credential.SecretFetcher
	Tokens  credential.TokenSource
	Log     io.Writer
	// DynamoDB reaches the message table (MESSAGES_TABLE); nil configures the
	// SDK from the environment (awsenv). Unused without the table.
	DynamoDB dynamostore.API
	// SQS and Scheduler reach the send queue and EventBridge Scheduler
	// (queued and scheduled sends); nil configures the SDK
	// from the environment (awsenv).
	SQS       sqsqueue.BatchAPI
	Scheduler awsscheduler.API
	// SQSVisibility postpones queue records the quota guard refused; nil
	// configures the SDK from the environment (awsenv). Unused without the table.
	SQSVisibility sqsqueue.VisibilityAPI
	// FingerprintKey replaces the key FINGERPRINT_KEY_SECRET names (tests).
	FingerprintKey gmailsend.FingerprintKeys
	// StatusSink is told of every status change of a message record once
	// it is stored, by both functions (sender.Sender.StatusSink,
	// bounce.Reader.Sink); nil tells nobody (gmailsend.NoStatusSink). It is a
	// part, not a Config field, because it is code: the status events of
	// issue 24 fill it here.
	StatusSink gmailsend.StatusSink
}

// Build assembles the function from cfg. Nothing here touches the network:
// the AWS SDK is configured on the first stored-credential send.
func Build(cfg Config, parts Parts) (*App, error) {
	sc := smtp.Config{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort,
		SafetyMargin: cfg.SafetyMargin, IdleTimeout: cfg.SMTPIdleTimeout,
		DisablePipelining: !cfg.SMTPPipelining, DisableChunking: !cfg.SMTPChunking,
		ReuseCheckTimeout: cfg.SMTPReuseCheckTimeout,
	}
	// The roots are parsed in the background, not before the first event
	// can be fetched (smtp.RootsInBackground).
	roots, err := smtp.RootsInBackground(cfg.SMTPCAFile)
	if err != nil {
		return nil, err
	}
	sc.LazyRootCAs = roots.Pool
	client := smtp.New(sc)

	secrets, tokens := CredentialAdapters(cfg, parts)
	resolver := credential.NewResolver(credential.Policy{
		Prefix: cfg.CredentialPrefix, Default: cfg.DefaultCredential,
		AllowInline: cfg.AllowInlinePassword, TTL: cfg.CredentialCacheTTL,
	}, secrets, tokens)

	s := &sender.Sender{
		Limits:       gmailsend.RequestLimits{MaxRecipients: cfg.MaxRecipients, MaxMessageBytes: cfg.MaxMessageBytes},
		Relay:        sender.RelayPolicy{AllowedSenders: cfg.AllowedSenders, AllowedRecipientDomains: cfg.AllowedRecipientDomains},
		Credentials:  resolver,
		Deliver:      client,
		SafetyMargin: cfg.SafetyMargin,
		StatusSink:   StatusSink(parts),
	}
	table, err := wireStore(s, cfg, parts, secrets) // store_wiring.go
	if err != nil {
		return nil, err
	}
	wireQueue(s, cfg, parts) // queue_wiring.go
	opts := lambdahandler.DefaultOptions()
	opts.BatchReserve = cfg.BatchReserve
	opts.Postpone = postponer(cfg, parts)                                               // store_wiring.go
	opts.Park, opts.MaxReceives = deadLetterQueue(cfg, parts), cfg.SendQueueMaxReceives // queue_wiring.go
	opts.Webhooks = webhookRegistry(cfg, parts, table, s)                               // webhook_wiring.go
	logOut := LogOutput(parts)                                                          // metrics.go
	if cfg.MetricsNamespace == "" {
		cfg.MetricsNamespace = emf.DefaultNamespace
	}
	mw, err := emf.New(logOut, cfg.MetricsNamespace)
	if err != nil {
		return nil, err
	}
	opts.Metrics = mw
	observeQuota(s, mw) // metrics.go
	log := slog.New(slog.NewJSONHandler(logOut, nil))
	return &App{Handler: lambdahandler.New(s, opts, log), SMTP: client, started: roots.Done(), quitOnShutdown: cfg.SMTPQuitOnShutdown}, nil
}

// StatusSink is the status sink both functions settle changes through
// (Parts.StatusSink, else one that tells nobody).
func StatusSink(parts Parts) gmailsend.StatusSink {
	if parts.StatusSink == nil {
		return gmailsend.NoStatusSink{}
	}
	return parts.StatusSink
}

// Close releases kept SMTP sessions (on SIGTERM: shutdown.go).
func (a *App) Close() { a.SMTP.Close() }

// CredentialAdapters are the secret store and token source both functions
// use: parts' when set (tests, local runs), else Secrets Manager and
// Google's token endpoint.
func CredentialAdapters(cfg Config, parts Parts) (credential.SecretFetcher, credential.TokenSource) {
	secrets := parts.Secrets
	if secrets == nil {
		secrets = awssecrets.New()
	}
	tokens := parts.Tokens
	if tokens == nil {
		t := googleoauth.New()
		t.DefaultTokenURL = cfg.OAuthTokenURL
		tokens = t
	}
	return secrets, tokens
}
