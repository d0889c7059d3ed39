// Package bounceapp assembles the bounce reader function
// (functions/bounces): IMAP (imapmail), the notification parser
// (enmimedsn) and the message table, with the configuration and
// credential adapters the send function uses (package app).
//
// It is apart from package app so that the send function links neither
// go-imap nor enmime: package initialisation is most of a Go function's
// cold start, and those are code a send never runs.
package bounceapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/enmimedsn"
	"github.com/gmailsend/gmailsend/internal/imapmail"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

var _ bounce.Mailbox = (*imapmail.Session)(nil)

// Bounces is the assembled bounce reader (functions/bounces): on each
// scheduled invocation it reads every configured account's inbox once.
type Bounces struct {
	reader      *bounce.Reader
	resolver    *credential.Resolver
	credentials []string
	log         *slog.Logger
	metrics     *emf.Writer
}

// Summary is the invocation's result: one report per account.
type Summary struct {
	Accounts []AccountResult `json:"accounts"`
}

// AccountResult is one account's run; Error is a code, never text
// from the mailbox.
type AccountResult struct {
	bounce.Report
	Error string `json:"error,omitempty"`
}

// Build assembles the bounce reader. It needs the message table
// and at least one credential; nothing touches the network here.
func Build(cfg app.Config, parts app.Parts) (*Bounces, error) {
	bc := cfg.Bounces
	if cfg.MessagesTable == "" {
		return nil, errors.New("bounceapp: the bounce reader needs MESSAGES_TABLE")
	}
	if len(bc.Credentials) == 0 {
		return nil, errors.New("bounceapp: BOUNCE_CREDENTIALS names no stored credential")
	}
	for _, name := range bc.Credentials {
		if err := credential.CheckName(name); err != nil {
			return nil, fmt.Errorf("bounceapp: BOUNCE_CREDENTIALS: %q is not a valid credential name", name)
		}
	}
	imapCfg := imapmail.Config{Host: bc.IMAPHost, Port: bc.IMAPPort}
	if cfg.SMTPCAFile != "" {
		roots, err := smtp.LoadRootCAs(cfg.SMTPCAFile)
		if err != nil {
			return nil, err
		}
		imapCfg.RootCAs = roots
	}
	secrets, tokens := app.CredentialAdapters(cfg, parts)
	resolver := credential.NewResolver(credential.Policy{Prefix: cfg.CredentialPrefix, TTL: cfg.CredentialCacheTTL}, secrets, tokens)
	var table *dynamostore.Table
	if parts.DynamoDB != nil {
		table = dynamostore.NewWithAPI(cfg.MessagesTable, parts.DynamoDB)
	} else {
		table = dynamostore.New(cfg.MessagesTable)
	}
	logOut := app.LogOutput(parts) // whole lines: log and metrics share stdout
	log := slog.New(slog.NewJSONHandler(logOut, nil))
	if len(bc.Senders) == 0 {
		return nil, errors.New("bounceapp: BOUNCE_SENDERS names no address: no notification would be read")
	}
	opts := bounce.Options{MaxMessages: bc.MaxMessages, RescanWindow: bc.RescanWindow, ArchiveFolder: bc.ArchiveFolder,
		Reserve: cfg.SafetyMargin * 4, Senders: bc.Senders}
	mw, err := emf.New(logOut, cfg.MetricsNamespace)
	if err != nil {
		return nil, err
	}
	b := &Bounces{resolver: resolver, credentials: bc.Credentials, log: log, metrics: mw}
	b.reader = &bounce.Reader{Store: table, Sink: app.StatusSink(parts), Opts: opts, Log: log, Parse: enmimedsn.Parse, Open: func(ctx context.Context, a bounce.Account) (bounce.Mailbox, error) {
		return b.open(ctx, imapCfg, a)
	}}
	return b, nil
}

// open authenticates with the stored credential: LOGIN with its app
// password, or XOAUTH2 with a token from the same cache the send function
// keeps; a rejected token is refreshed once, a rejected password evicted.
func (b *Bounces) open(ctx context.Context, cfg imapmail.Config, a bounce.Account) (bounce.Mailbox, error) {
	login, err := b.resolver.Resolve(ctx, &gmailsend.Request{Credential: a.Credential}, credential.IAM)
	if err != nil {
		return nil, err
	}
	s, err := imapmail.Open(ctx, cfg, imapmail.Credentials{User: login.User, Password: login.Password, AccessToken: login.AccessToken})
	if errors.Is(err, imapmail.ErrAuth) && login.Refreshable() {
		if login, err = b.resolver.Refresh(ctx, login); err != nil {
			return nil, err
		}
		s, err = imapmail.Open(ctx, cfg, imapmail.Credentials{User: login.User, AccessToken: login.AccessToken})
	}
	if errors.Is(err, imapmail.ErrAuth) {
		b.resolver.Invalidate(login)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Invoke runs every account once, one after another, and answers the
// summary. It fails (so the invocation counts as an error and alarms)
// when any account failed; the others still ran.
func (b *Bounces) Invoke(ctx context.Context, _ json.RawMessage) (Summary, error) {
	var sum Summary
	var failed []string
	for _, name := range b.credentials {
		res := AccountResult{Report: bounce.Report{Account: name}}
		login, err := b.resolver.Resolve(ctx, &gmailsend.Request{Credential: name}, credential.IAM)
		if err == nil {
			res.Report, err = b.reader.Run(ctx, bounce.Account{Credential: name, Mailbox: login.User})
		}
		if err != nil {
			res.Error = bounceErrorCode(err)
			failed = append(failed, name+": "+res.Error)
			// The error text is ours or the server's status line; it
			// never holds a secret or a notification's content.
			b.log.Error("bounces: account failed", "account", name, "code", res.Error, "error", err.Error())
		} else {
			b.log.Info("bounces: account read", "report", res.Report)
			// BouncesFound feeds the bounce-rate alarm: new bounces only,
			// so a re-read notification is not counted twice.
			skipped := make(map[string]int, len(res.Skipped))
			for reason, n := range res.Skipped {
				skipped[string(reason)] = n
			}
			_ = b.metrics.Bounces(name, res.Bounced, skipped)
		}
		sum.Accounts = append(sum.Accounts, res)
	}
	if len(failed) > 0 {
		return sum, fmt.Errorf("bounces: %d of %d accounts failed: %v", len(failed), len(b.credentials), failed)
	}
	return sum, nil
}

// bounceErrorCode is the stable code of an account's failure.
func bounceErrorCode(err error) string {
	switch {
	case errors.Is(err, imapmail.ErrTLS):
		return string(gmailsend.CodeTLSRequired)
	case errors.Is(err, imapmail.ErrAuth):
		return "imap_auth_failed"
	case errors.Is(err, context.DeadlineExceeded):
		return string(gmailsend.CodeTimeout)
	}
	var e *gmailsend.Error
	if errors.As(err, &e) {
		return string(e.Code)
	}
	return "imap_unavailable"
}
